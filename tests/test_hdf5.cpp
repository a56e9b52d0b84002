// Parallel HDF5 save and load: every distribution kind to every
// other, groups, other datasets kept, types, errors on every rank, and
// nothing lost when a save fails.
#include <gtest/gtest.h>

#include <complex>
#include <cstdio>
#include <dist/dist.hpp>
#include <dist/io/hdf5.hpp>
#include <fstream>
#include <string>

#include "test_util.hpp"

using dist::index_t;

namespace {

dist::communicator world;

std::string scratch(const std::string& name) { return test_util::scratch("h5_test", name, ".h5"); }
void remove_file(const std::string& path) {
  world.barrier();
  if (world.rank() == 0) std::remove(path.c_str());
  world.barrier();
}

double value(index_t i, index_t j) { return 0.25 * static_cast<double>(17 * i + j) - 3.0; }

TEST(hdf5, round_trip_every_kind_pair_and_groups) {
  const index_t n0 = 14, n1 = 5;
  const auto kinds = test_util::all_kinds(n0, world, 33);
  const std::string path = scratch("pairs");
  remove_file(path);
  for (std::size_t k = 0; k < kinds.size(); ++k) {
    dist::distribution<2> from({n0, n1}, {kinds[k], k % 2 ? dist::dim_spec{dist::block_cyclic{2}} : dist::dim_spec{dist::undistributed{}}}, world);
    auto a = dist::fromfunction<double>(from, value);
    const std::string name = "run/kind" + std::to_string(k) + "/u";
    dist::save_hdf5(a, path, name);
    for (std::size_t m = 0; m < kinds.size(); ++m) {
      dist::distribution<2> to({n0, n1}, {kinds[m], dist::cyclic{}}, world);
      EXPECT_EQ(dist::allgather(dist::load_hdf5<double, 2>(path, name, to)), dist::allgather(a)) << k << " -> " << m;
    }
  }
  // every dataset written is still there
  for (std::size_t k = 0; k < kinds.size(); ++k) {
    auto b = dist::load_hdf5<double, 2>(path, "run/kind" + std::to_string(k) + "/u", dist::distribution<2>({n0, n1}, world));
    EXPECT_DOUBLE_EQ(b.get({n0 - 1, n1 - 1}), value(n0 - 1, n1 - 1));
  }
  remove_file(path);
}

TEST(hdf5, types_replace_and_3d) {
  const std::string path = scratch("types");
  remove_file(path);
  dist::distribution<1> d({9}, {dist::block_cyclic{2}}, world);
  auto c = dist::fromfunction<std::complex<float>>(d, [](index_t i) { return std::complex<float>(static_cast<float>(i), 2.0f); });
  auto f = dist::fromfunction<bool>(d, [](index_t i) { return i % 2 == 1; });
  auto n = dist::fromfunction<std::int16_t>(d, [](index_t i) { return static_cast<std::int16_t>(-i); });
  dist::save_hdf5(c, path, "c");
  dist::save_hdf5(f, path, "flags");
  dist::save_hdf5(n, path, "n");
  EXPECT_EQ(dist::allgather(dist::load_hdf5<std::complex<float>, 1>(path, "c", dist::distribution<1>({9}, world))), dist::allgather(c));
  EXPECT_EQ(dist::allgather(dist::load_hdf5<bool, 1>(path, "flags", d)), dist::allgather(f));
  EXPECT_THROW((dist::load_hdf5<double, 1>(path, "n", d)), dist::io_error);
  auto conv = dist::load_hdf5<double, 1>(path, "n", d, {.convert = true});
  for (index_t i = 0; i < 9; ++i) EXPECT_EQ(conv.get({i}), -static_cast<double>(i));
  // replacing a dataset keeps the others
  dist::save_hdf5(dist::eval(n * std::int16_t{3}), path, "n");
  EXPECT_EQ((dist::load_hdf5<std::int16_t, 1>(path, "n", d).get({4})), -12);
  EXPECT_EQ(dist::allgather(dist::load_hdf5<bool, 1>(path, "flags", d)), dist::allgather(f));
  // 3-d, block x block_cyclic x cyclic, from an array with ghost layers
  dist::distribution<3> d3({6, 7, 5}, {dist::block{}, dist::block_cyclic{3}, dist::cyclic{}}, world);
  dist::distribution<3> g3({6, 7, 5}, {dist::block{}, dist::block{}, dist::undistributed{}}, world);
  dist::array<double, 3> g(g3, dist::halo{1, 1});
  g = dist::fromfunction<double>(g3, [](index_t i, index_t j, index_t k) { return static_cast<double>(100 * i + 10 * j + k); });
  dist::save_hdf5(g, path, "/deep/er/cube");
  EXPECT_EQ(dist::allgather(dist::load_hdf5<double, 3>(path, "deep/er/cube", d3)), dist::allgather(g));
  remove_file(path);
}

TEST(hdf5, errors_on_every_rank_name_path_and_dataset) {
  const std::string path = scratch("errors");
  remove_file(path);
  dist::distribution<1> d({10}, world);
  auto a = dist::fromfunction<double>(d, [](index_t i) { return static_cast<double>(i); });
  EXPECT_THROW((dist::load_hdf5<double, 1>("no_such_file.h5", "x", d)), dist::io_error);
  dist::save_hdf5(a, path, "x");
  try {
    dist::load_hdf5<double, 1>(path, "missing/y", d);
    ADD_FAILURE() << "no exception";
  } catch (const dist::io_error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(path), std::string::npos) << m;
    EXPECT_NE(m.find("missing/y"), std::string::npos) << m;
  }
  EXPECT_THROW((dist::load_hdf5<double, 1>(path, "x", dist::distribution<1>({11}, world))), dist::io_error);
  EXPECT_THROW((dist::load_hdf5<double, 2>(path, "x", dist::distribution<2>({10, 1}, world))), dist::io_error);
  EXPECT_THROW((dist::load_hdf5<int, 1>(path, "x", d)), dist::io_error);
  world.barrier();
  if (world.rank() == 0) std::ofstream(path, std::ios::trunc) << "not hdf5";
  world.barrier();
  EXPECT_THROW((dist::load_hdf5<double, 1>(path, "x", d)), dist::io_error);
  remove_file(path);
}

TEST(hdf5, a_failed_save_leaves_the_old_file) {
  const std::string path = scratch("atomic");
  remove_file(path);
  dist::distribution<2> d({7, 4}, {dist::cyclic{}, dist::block{}}, world);
  auto old = dist::fromfunction<double>(d, value);
  dist::save_hdf5(old, path, "a");
  dist::save_hdf5(old, path, "b");
  auto next = dist::eval(old * -1.0);
  dist::detail::io_fail_before_rename = true;
  EXPECT_THROW(dist::save_hdf5(next, path, "a"), dist::io_error);
  EXPECT_THROW(dist::save_hdf5(next, path, "c"), dist::io_error);
  dist::detail::io_fail_before_rename = false;
  EXPECT_EQ(dist::allgather(dist::load_hdf5<double, 2>(path, "a", d)), dist::allgather(old));
  EXPECT_THROW((dist::load_hdf5<double, 2>(path, "c", d)), dist::io_error);
  dist::save_hdf5(next, path, "a");
  EXPECT_EQ(dist::allgather(dist::load_hdf5<double, 2>(path, "a", d)), dist::allgather(next));
  EXPECT_EQ(dist::allgather(dist::load_hdf5<double, 2>(path, "b", d)), dist::allgather(old));
  remove_file(path);
}

}  // namespace
