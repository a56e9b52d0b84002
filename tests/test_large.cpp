// Counts past MPI's int (issue 18): 1-byte arrays of 2^31 + 77 elements at
// 2 ranks, with one rank's block above 2^31 - 1 and one point-to-point
// transfer of more than 2^31 elements; redistribution, reductions, save and
// load onto block and cyclic layouts, gather and scatter. Every element is
// checked against its formula on the rank that holds it. CTest label
// "large" (about 5 GiB per rank at the peak; run once, at 2 ranks).
#include <gtest/gtest.h>

#include <cstdint>
#include <dist/dist.hpp>
#include <filesystem>
#include <vector>

using dist::index_t;

namespace {
dist::communicator world;
const index_t n = (index_t{1} << 31) + 77;

std::uint8_t val(index_t i) { return static_cast<std::uint8_t>((i * 7) ^ (i >> 12) ^ (i >> 29)); }

/// Every element of `a` is val(global index), checked locally; the count of bad ones across ranks.
index_t bad_elements(const dist::array<std::uint8_t, 1>& a) {
  index_t bad = 0;
  const auto& m = a.distribution().map(0);
  const auto lv = a.local();
  for (index_t l = 0; l < m.local_size(); ++l) bad += lv.data()[l] != val(m.global_index(l));
  MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT64_T, MPI_SUM, world);
  return bad;
}

dist::distribution<1> bounds(index_t cut) {
  return dist::distribution<1>({n}, {dist::block{std::vector<index_t>{0, cut, n}}}, world);
}
}  // namespace

TEST(large, redistribution_reduction_and_one_big_message) {
  ASSERT_EQ(world.size(), 2) << "the large-count suite runs at 2 ranks";
  // rank 0 holds all but 10 elements: a block above 2^31 - 1
  auto a = dist::fromfunction<std::uint8_t>(bounds(n - 10), [](index_t i) { return val(i); });
  EXPECT_GT(a.local_size() + (world.rank() == 1 ? index_t{1} << 31 : 0), index_t{INT32_MAX});
  EXPECT_EQ(bad_elements(a), 0);
  std::uint64_t want = 0;
  for (index_t i = 0; i < n; ++i) want += val(i);
  EXPECT_EQ(dist::sum(a), want);
  EXPECT_EQ(dist::max(a), std::uint8_t{255});
  {  // one message of more than 2^31 elements, rank 0 -> rank 1
    dist::redistribution_plan<1> p(a.distribution(), bounds(10));
    EXPECT_GT(p.elements_sent() + p.elements_received(), index_t{INT32_MAX});
    auto b = dist::empty<std::uint8_t>(bounds(10));
    p.execute(a, b);
    EXPECT_EQ(bad_elements(b), 0);
  }
  {  // block -> cyclic -> block, and an expression evaluated across layouts
    const dist::distribution<1> cyc({n}, {dist::cyclic{}}, world);
    auto c = dist::redistribute(a, cyc);
    EXPECT_EQ(bad_elements(c), 0);
    a = c;  // back onto rank 0's big block
    EXPECT_EQ(bad_elements(a), 0);
    EXPECT_EQ(dist::count_nonzero(c == a), n);
  }
}

TEST(large, save_load_gather_scatter) {
  ASSERT_EQ(world.size(), 2);
  const std::string path = "large_np2.npy";
  // the file needs 2 GiB: skip (on every rank, agreed) where the disk has not 3
  int room = 1;
  if (world.rank() == 0) room = std::filesystem::space(".").available > (index_t{3} << 30);
  MPI_Bcast(&room, 1, MPI_INT, 0, world);
  if (!room) GTEST_SKIP() << "less than 3 GiB free for the 2 GiB file";
  const dist::distribution<1> cyc({n}, {dist::cyclic{}}, world);
  {
    const auto a = dist::fromfunction<std::uint8_t>(cyc, [](index_t i) { return val(i); });
    dist::save_npy(a, path);  // a cyclic file view: O(1) datatypes, whatever n
  }
  EXPECT_EQ(static_cast<index_t>(std::filesystem::file_size(path)), n + 128);
  {
    const auto b = dist::load_npy<std::uint8_t, 1>(path, bounds(n - 10));  // rank 0 reads more than 2^31
    EXPECT_EQ(bad_elements(b), 0);
    // gather onto rank 0 (one message past int), then scatter it back onto the cyclic layout
    const auto g = dist::gather(b, 0);
    EXPECT_EQ(static_cast<index_t>(g.size()), world.rank() == 0 ? n : 0);
    index_t bad = 0;
    for (index_t i = 0; i < static_cast<index_t>(g.size()); ++i) bad += g[static_cast<std::size_t>(i)] != val(i);
    EXPECT_EQ(bad, 0);
    const auto s = dist::scatter(g, cyc, 0);
    EXPECT_EQ(bad_elements(s), 0);
  }
  {
    const auto c = dist::load_npy<std::uint8_t, 1>(path, cyc);
    EXPECT_EQ(bad_elements(c), 0);
  }
  world.barrier();
  if (world.rank() == 0) std::filesystem::remove(path);
}
