// .npy save and load: any distribution, any rank count, types,
// headers NumPy writes, errors on every rank, and nothing lost when a save fails.
#include <gtest/gtest.h>

#include <cstdint>

#include <complex>
#include <cstdio>
#include <dist/dist.hpp>
#include <dist/io/npy.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "test_util.hpp"

using dist::index_t;

namespace {

dist::communicator world;

// A path every rank agrees on, in the build tree's working directory.
std::string scratch(const std::string& name) { return test_util::scratch("npy_test", name, ".npy"); }

double value(index_t i, index_t j) { return 0.5 * static_cast<double>(31 * i + j) - 7.0; }

std::string file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

TEST(npy, round_trip_every_kind_pair) {
  const index_t n0 = 13, n1 = 6;
  const auto kinds = test_util::all_kinds(n0, world, 21);
  const std::string path = scratch("pairs");
  for (std::size_t k = 0; k < kinds.size(); ++k) {
    dist::distribution<2> from({n0, n1}, {kinds[k], dist::undistributed{}}, world);
    auto a = dist::fromfunction<double>(from, value);
    dist::save_npy(a, path);
    for (std::size_t m = 0; m < kinds.size(); ++m) {
      dist::distribution<2> to({n0, n1}, {dist::block{}, k == m ? dist::dim_spec{dist::cyclic{}} : dist::dim_spec{dist::undistributed{}}}, world);
      if (m != k) to = dist::distribution<2>({n0, n1}, {kinds[m], dist::undistributed{}}, world);
      auto b = dist::load_npy<double, 2>(path, to);
      EXPECT_EQ(dist::allgather(b), dist::allgather(a)) << "kinds " << k << " -> " << m;
    }
  }
  // the layout of the bytes: header, then the global array in C order
  const std::string bytes = file_bytes(path);
  ASSERT_GE(bytes.size(), static_cast<std::size_t>(n0 * n1 * 8));
  const std::size_t off = bytes.size() - static_cast<std::size_t>(n0 * n1 * 8);
  EXPECT_EQ(off % 64, 0u);
  EXPECT_EQ(bytes.compare(0, 6, "\x93NUMPY"), 0);
  EXPECT_NE(bytes.find("'descr': '<f8', 'fortran_order': False, 'shape': (13, 6), }"), std::string::npos);
  for (index_t i = 0; i < n0; ++i)
    for (index_t j = 0; j < n1; ++j) {
      double x;
      std::memcpy(&x, bytes.data() + off + static_cast<std::size_t>(8 * (i * n1 + j)), 8);
      ASSERT_EQ(x, value(i, j));
    }
  world.barrier();
  if (world.rank() == 0) std::remove(path.c_str());
}

TEST(npy, types_1d_3d_halo_and_conversion) {
  const std::string path = scratch("types");
  dist::distribution<1> d1({11}, {dist::block_cyclic{2}}, world);
  auto c = dist::fromfunction<std::complex<double>>(d1, [](index_t i) { return std::complex<double>(static_cast<double>(i), -1.0); });
  dist::save_npy(c, path);
  EXPECT_EQ(dist::allgather(dist::load_npy<std::complex<double>, 1>(path, dist::distribution<1>({11}, world))), dist::allgather(c));
  EXPECT_NE(file_bytes(path).find("'<c16'"), std::string::npos);
  auto flags = dist::fromfunction<bool>(d1, [](index_t i) { return i % 3 == 0; });
  dist::save_npy(flags, path);
  EXPECT_EQ(dist::allgather(dist::load_npy<bool, 1>(path, d1)), dist::allgather(flags));
  // int32 file into double only with convert
  auto ints = dist::fromfunction<std::int32_t>(d1, [](index_t i) { return static_cast<std::int32_t>(i * i - 20); });
  dist::save_npy(ints, path);
  EXPECT_THROW((dist::load_npy<double, 1>(path, d1)), dist::io_error);
  auto asd = dist::load_npy<double, 1>(path, d1, {.convert = true});
  for (index_t i = 0; i < 11; ++i) EXPECT_EQ(asd.get({i}), static_cast<double>(i * i - 20));
  // 3-d from an array with ghost layers (a strided block)
  dist::distribution<3> d3({5, 4, 3}, {dist::block{}, dist::block{}, dist::undistributed{}}, world);
  dist::array<float, 3> g(d3, dist::halo{1, 1});
  g = dist::fromfunction<float>(d3, [](index_t i, index_t j, index_t k) { return static_cast<float>(100 * i + 10 * j + k); });
  dist::save_npy(g, path);
  auto back = dist::load_npy<float, 3>(path, dist::distribution<3>({5, 4, 3}, {dist::cyclic{}, dist::undistributed{}, dist::block{}}, world));
  EXPECT_EQ(dist::allgather(back), dist::allgather(g));
  world.barrier();
  if (world.rank() == 0) std::remove(path.c_str());
}

TEST(npy, errors_on_every_rank) {
  const std::string path = scratch("errors");
  dist::distribution<1> d({10}, world);
  EXPECT_THROW((dist::load_npy<double, 1>("no/such/file.npy", d)), dist::io_error);
  auto a = dist::fromfunction<double>(d, [](index_t i) { return static_cast<double>(i); });
  dist::save_npy(a, path);
  EXPECT_THROW((dist::load_npy<double, 1>(path, dist::distribution<1>({9}, world))), dist::io_error);  // shape
  EXPECT_THROW((dist::load_npy<double, 2>(path, dist::distribution<2>({10, 1}, world))), dist::io_error);  // rank
  EXPECT_THROW((dist::load_npy<float, 1>(path, d)), dist::io_error);  // type
  const std::string good = file_bytes(path);
  auto write = [&](const std::string& bytes) {
    world.barrier();
    if (world.rank() == 0) std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    world.barrier();
  };
  write(good.substr(0, 40));  // truncated header
  EXPECT_THROW((dist::load_npy<double, 1>(path, d)), dist::io_error);
  write(good.substr(0, good.size() - 8));  // truncated data
  EXPECT_THROW((dist::load_npy<double, 1>(path, d)), dist::io_error);
  std::string corrupt = good;
  corrupt[1] = 'X';  // no magic
  write(corrupt);
  EXPECT_THROW((dist::load_npy<double, 1>(path, d)), dist::io_error);
  try {
    dist::load_npy<double, 1>(path, d);
  } catch (const dist::io_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
  }
  world.barrier();
  if (world.rank() == 0) std::remove(path.c_str());
}

TEST(npy, reads_version_2_headers_and_numpy_spacing) {
  // a version 2.0 header (4-byte length, as NumPy writes for huge headers), written by hand
  const std::string path = scratch("v2");
  const index_t n = 6;
  if (world.rank() == 0) {
    std::string dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }";
    while ((12 + dict.size() + 1) % 64) dict += ' ';
    dict += '\n';
    std::string bytes = std::string("\x93NUMPY") + '\x02' + '\0';
    const auto len = static_cast<std::uint32_t>(dict.size());
    for (int b = 0; b < 4; ++b) bytes += static_cast<char>((len >> (8 * b)) & 0xff);
    bytes += dict;
    for (std::int64_t v = 0; v < n; ++v) bytes.append(reinterpret_cast<const char*>(&v), 8);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  }
  world.barrier();
  auto a = dist::load_npy<std::int64_t, 2>(path, dist::distribution<2>({2, 3}, {dist::cyclic{}, dist::cyclic{}}, world));
  EXPECT_EQ(dist::allgather(a), (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5}));
  world.barrier();
  if (world.rank() == 0) std::remove(path.c_str());
}

TEST(npy, large_fine_grained_layouts_go_through_blocks) {
  // 2^24 + 3 one-byte elements on cyclic and block-cyclic{3} layouts: written and read
  // through the default block layout (one exchange) instead of a file view of single bytes
  const std::string path = scratch("fine");
  const index_t n = (index_t{1} << 24) + 3;
  auto f = [](index_t i) { return static_cast<std::uint8_t>((i * 13 + i / 1000) % 253); };
  const dist::distribution<1> cyc({n}, {dist::cyclic{}}, world), bc({n}, {dist::block_cyclic{3}}, world);
  EXPECT_EQ(dist::detail::fine_grained_file(cyc, 1), world.size() > 1);  // one rank: one contiguous run
  EXPECT_FALSE(dist::detail::fine_grained_file(dist::distribution<1>({n}, world), 1));
  dist::save_npy(dist::fromfunction<std::uint8_t>(cyc, f), path);
  for (const auto* d : {&bc, &cyc}) {
    const auto a = dist::load_npy<std::uint8_t, 1>(path, *d);
    index_t bad = 0;
    for (index_t l = 0; l < a.local_size(); ++l) bad += a.local().data()[l] != f(d->map(0).global_index(l));
    EXPECT_EQ(bad, 0) << d->describe();
  }
  const auto w = dist::load_npy<int, 1>(path, dist::distribution<1>({n}, world), {.convert = true});
  EXPECT_EQ(w.get({n - 1}), int(f(n - 1)));
  world.barrier();
  if (world.rank() == 0) std::remove(path.c_str());
}

TEST(npy, a_failed_save_leaves_the_old_file) {
  const std::string path = scratch("atomic");
  dist::distribution<1> d({17}, {dist::cyclic{}}, world);
  auto old = dist::fromfunction<double>(d, [](index_t i) { return static_cast<double>(i); });
  dist::save_npy(old, path);
  auto next = dist::fromfunction<double>(d, [](index_t i) { return -static_cast<double>(i); });
  dist::detail::io_fail_before_rename = true;
  EXPECT_THROW(dist::save_npy(next, path), dist::io_error);
  dist::detail::io_fail_before_rename = false;
  EXPECT_EQ(dist::allgather(dist::load_npy<double, 1>(path, d)), dist::allgather(old));
  dist::save_npy(next, path);
  EXPECT_EQ(dist::allgather(dist::load_npy<double, 1>(path, d)), dist::allgather(next));
  world.barrier();
  if (world.rank() == 0) std::remove(path.c_str());
}

}  // namespace
