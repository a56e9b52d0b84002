// dist::array_view: memory the caller owns, used by expressions,
// reductions, views and stencils, redistribution and I/O without a copy.
#include <gtest/gtest.h>

#include <dist/dist.hpp>
#include <numeric>
#include <vector>

using dist::index_t;
using dist::slice;

namespace {

dist::communicator world;

TEST(array_view, expressions_write_the_callers_memory) {
  dist::distribution<2> d({9, 6}, {dist::block{}, dist::undistributed{}}, world);
  std::vector<double> mine(static_cast<std::size_t>(d.local_size()));
  dist::array_view<double, 2> v(d, mine.data());
  EXPECT_EQ(v.local_data().data(), mine.data());  // no copy
  auto ref = dist::fromfunction<double>(d, [](index_t i, index_t j) { return static_cast<double>(10 * i + j); });
  v = ref * 2.0;
  const auto g = d.global_indices(0);
  for (std::size_t r = 0; r < g.size(); ++r)
    for (index_t j = 0; j < 6; ++j) EXPECT_EQ(mine[r * 6 + static_cast<std::size_t>(j)], 2.0 * static_cast<double>(10 * g[r] + j));
  EXPECT_DOUBLE_EQ(dist::sum(v), 2.0 * dist::sum(ref));
  // a stencil reading its own target: the result lands in the caller's memory, not in a swapped-in block
  v(slice{1, -1}, slice{}) = v(slice{0, -2}, slice{}) + v(slice{2, std::nullopt}, slice{});
  EXPECT_EQ(v.local_data().data(), mine.data());
  auto want = dist::allgather(dist::eval(ref * 2.0));
  auto old = want;
  for (index_t i = 1; i < 8; ++i)
    for (index_t j = 0; j < 6; ++j) want[static_cast<std::size_t>(i * 6 + j)] = old[static_cast<std::size_t>((i - 1) * 6 + j)] + old[static_cast<std::size_t>((i + 1) * 6 + j)];
  EXPECT_EQ(dist::allgather(v), want);
  std::vector<double> seen(mine);
  EXPECT_EQ(dist::allgather(dist::array_view<double, 2>(d, seen.data())), want);
  // redistribution into and out of a view; a copy of a view is a view
  dist::array<double, 2> cyc(dist::distribution<2>({9, 6}, {dist::cyclic{}, dist::block{}}, world));
  cyc = v;
  v = 0.0;
  v = cyc;
  EXPECT_EQ(dist::allgather(v), want);
  dist::array_view<double, 2> w = v;
  EXPECT_EQ(w.local_data().data(), mine.data());
  dist::array<double, 2> owned = v;
  EXPECT_NE(owned.local_data().data(), mine.data());
}

TEST(array_view, io) {
  dist::distribution<1> d({13}, {dist::block_cyclic{2}}, world);
  std::vector<float> mine(static_cast<std::size_t>(d.local_size()));
  std::iota(mine.begin(), mine.end(), static_cast<float>(100 * world.rank()));
  dist::array_view<float, 1> v(d, mine.data());
  const std::string path = "array_view_np" + std::to_string(world.size()) + ".npy";
  dist::save_npy(v, path);
  std::vector<float> other(mine.size());
  dist::array_view<float, 1> back(d, other.data());
  back = dist::load_npy<float, 1>(path, d);
  EXPECT_EQ(other, mine);
  world.barrier();
  if (world.rank() == 0) std::remove(path.c_str());
}

}  // namespace
