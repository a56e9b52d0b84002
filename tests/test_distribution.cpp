// distribution<N>: ownership over real ranks against brute force, grids, the
// Distributed Array Protocol's worked examples, unstructured directories and
// their collective errors.
#include <gtest/gtest.h>

#include <dist/dist.hpp>
#include <numeric>
#include <random>

#include "test_util.hpp"

using dist::index_t;

namespace {

dist::communicator world;

// Every global index is owned by exactly one rank, owner() agrees with it,
// and local/global index round trips hold on the owner.
template <std::size_t N>
void check_ownership(const dist::distribution<N>& d) {
  const auto s = d.shape();
  const index_t n = dist::detail::product(s);
  const int me = world.rank();
  bool has_unstructured = false;
  for (std::size_t k = 0; k < N; ++k) has_unstructured |= d.map(k).kind() == dist::dim_kind::unstructured;
  std::vector<int> owners(static_cast<std::size_t>(n), 0);
  index_t mine = 0;
  for (index_t f = 0; f < n; ++f) {
    dist::index<N> g;
    index_t r = f;
    for (std::size_t k = N; k-- > 0;) g[k] = r % s[k], r /= s[k];
    if (d.owns(g)) {
      owners[static_cast<std::size_t>(f)] = 1;
      ++mine;
      EXPECT_EQ(d.owner(g), me);
      EXPECT_EQ(d.global_index(d.local_index(g)), g);
      EXPECT_EQ(d.global_index(me, d.local_index(g)), g);
    } else if (!has_unstructured) {
      const int o = d.owner(g);
      EXPECT_NE(o, me);
      EXPECT_EQ(d.global_index(o, d.local_index(g)), g);
    }
  }
  EXPECT_EQ(mine, d.local_size());
  MPI_Allreduce(MPI_IN_PLACE, owners.data(), static_cast<int>(n), MPI_INT, MPI_SUM, world);
  // each element has exactly one owner; a replicated array is held by every rank
  const int holders = d.replicated() ? world.size() : 1;
  for (index_t f = 0; f < n; ++f) ASSERT_EQ(owners[static_cast<std::size_t>(f)], holders) << "flat index " << f;
  index_t total = 0;
  for (int r = 0; r < world.size(); ++r) total += dist::detail::product(d.local_shape(r));
  EXPECT_EQ(total, n * holders);
  EXPECT_EQ(d.local_shape(me), d.local_shape());
}

using test_util::random_partition;

}  // namespace

TEST(distribution, every_kind_in_1d_against_brute_force) {
  const int P = world.size();
  for (index_t n : {0, 1, 2, 3, 7, 13, 31}) {
    std::vector<index_t> bounds(static_cast<std::size_t>(P) + 1, 0);
    for (int c = 1; c <= P; ++c) bounds[static_cast<std::size_t>(c)] = std::min<index_t>(n, c * c);
    bounds.back() = n;
    const auto parts = random_partition(n, P, 5);
    const std::vector<dist::dim_spec> specs = {dist::block{}, dist::block{bounds}, dist::cyclic{}, dist::block_cyclic{3},
                                               dist::undistributed{},
                                               dist::unstructured{parts[static_cast<std::size_t>(world.rank())]}};
    for (const auto& sp : specs) {
      SCOPED_TRACE("n=" + std::to_string(n) + " spec=" + std::to_string(sp.index()));
      dist::distribution<1> d({n}, {sp}, world);
      check_ownership(d);
    }
  }
}

TEST(distribution, mixed_kinds_in_2d_and_3d) {
  const int P = world.size();
  check_ownership(dist::distribution<2>({7, 5}, {dist::block{}, dist::cyclic{}}, world));
  check_ownership(dist::distribution<2>({11, 3}, {dist::block_cyclic{2}, dist::block{}}, world));
  check_ownership(dist::distribution<2>({2, 9}, {dist::undistributed{}, dist::block_cyclic{4}}, world));
  check_ownership(dist::distribution<3>({5, 3, 4}, {dist::cyclic{}, dist::block{}, dist::block_cyclic{3}}, world));
  check_ownership(dist::distribution<3>({3, 1, 5}, {dist::block{}, dist::block{}, dist::block{}}, world));
  // unstructured on the row dim of a P x 1 grid and on the column dim of 1 x P
  const auto parts = random_partition(9, P, 3);
  check_ownership(dist::distribution<2>({9, 4}, {dist::unstructured{parts[static_cast<std::size_t>(world.rank())]}, dist::block{}},
                                        world, dist::grid{P, 1}));
  check_ownership(dist::distribution<2>({4, 9}, {dist::cyclic{}, dist::unstructured{parts[static_cast<std::size_t>(world.rank())]}},
                                        world, dist::grid{1, P}));
}

TEST(distribution, unstructured_on_a_2x2_grid_with_shared_coordinates) {
  if (world.size() != 4) GTEST_SKIP() << "needs 4 ranks";
  // rows unstructured, columns block: ranks (0,0),(0,1) share row coordinate 0
  const std::vector<index_t> rows = world.rank() / 2 == 0 ? std::vector<index_t>{4, 0} : std::vector<index_t>{1, 3, 2};
  dist::distribution<2> d({5, 6}, {dist::unstructured{rows}, dist::block{}}, world, dist::grid{2, 2});
  check_ownership(d);
  // ranks sharing a coordinate must agree
  std::vector<index_t> bad = rows;
  if (world.rank() == 1) std::swap(bad[0], bad[1]);
  EXPECT_THROW((dist::distribution<2>({5, 6}, {dist::unstructured{bad}, dist::block{}}, world, dist::grid{2, 2})),
               dist::distribution_error);
}

TEST(distribution, default_layout_and_grids) {
  const int P = world.size();
  dist::distribution<2> f({1000, 800}, world);
  EXPECT_EQ(f.grid(), (std::array<int, 2>{P, 1}));
  EXPECT_EQ(f.map(0).kind(), dist::dim_kind::block);
  EXPECT_EQ(f.map(1).kind(), dist::dim_kind::undistributed);
  EXPECT_EQ(f.local_shape()[1], 800);
  dist::distribution<2> e({1000, 800}, {dist::block{}, dist::block{}}, world, dist::grid{1, P});
  EXPECT_EQ(e.grid(), (std::array<int, 2>{1, P}));
  EXPECT_EQ(e.grid_coords(), (std::array<int, 2>{0, world.rank()}));
  for (int r = 0; r < P; ++r) EXPECT_EQ(e.grid_rank(e.grid_coords(r)), r);
  // the default grid follows the rule
  dist::distribution<2> g({20, 60}, {dist::block{}, dist::block{}}, world);
  const auto expect = dist::detail::default_grid({20, 60}, P);
  EXPECT_EQ(g.grid()[0], expect[0]);
  EXPECT_EQ(g.grid()[1], expect[1]);
  // explicit bounds fix their dim's extent
  if (P % 2 == 0) {
    dist::distribution<2> h({10, 8}, {dist::block{{0, 3, 10}}, dist::block{}}, world);
    EXPECT_EQ(h.grid(), (std::array<int, 2>{2, P / 2}));
  }
}

TEST(distribution, bad_grids_and_specs_throw_on_every_rank) {
  const int P = world.size();
  try {
    dist::distribution<2> d({10, 10}, {dist::block{}, dist::block{}}, world, dist::grid{P + 1, 1});
    ADD_FAILURE() << "no exception";
  } catch (const dist::distribution_error& e) {
    EXPECT_NE(std::string(e.what()).find("has " + std::to_string(P + 1) + " ranks but the communicator has " + std::to_string(P)),
              std::string::npos) << e.what();
  }
  if (P > 1) {
    EXPECT_THROW((dist::distribution<2>({10, 10}, {dist::undistributed{}, dist::block{}}, world, dist::grid{P, 1})),
                 dist::distribution_error);
  }
  EXPECT_THROW((dist::distribution<1>({10}, {dist::block_cyclic{0}}, world)), dist::distribution_error);
  EXPECT_THROW((dist::distribution<1>({10}, {dist::block{{0, 11}}}, world, dist::grid{1})), dist::distribution_error);
  std::vector<index_t> wrong_count(static_cast<std::size_t>(P) + 2, 0);
  wrong_count.back() = 10;
  EXPECT_THROW((dist::distribution<1>({10}, {dist::block{wrong_count}}, world, dist::grid{P})), dist::distribution_error);
  EXPECT_THROW((dist::distribution<2>({-1, 3}, world)), dist::shape_error);
}

TEST(distribution, unstructured_indices_that_are_not_a_partition_throw_everywhere) {
  const int P = world.size(), me = world.rank();
  const index_t n = 2 * P + 1;
  // a valid split: rank r owns r, r+P, and rank 0 also owns 2P
  std::vector<index_t> ok = {me, me + P};
  if (me == 0) ok.push_back(2 * P);
  EXPECT_NO_THROW((dist::distribution<1>({n}, {dist::unstructured{ok}}, world)));
  // out of range on the last rank only
  auto bad = ok;
  if (me == P - 1) bad.back() = n + 5;
  try {
    dist::distribution<1> d({n}, {dist::unstructured{bad}}, world);
    ADD_FAILURE() << "no exception";
  } catch (const dist::distribution_error& e) {
    EXPECT_NE(std::string(e.what()).find("outside [0, " + std::to_string(n) + ")"), std::string::npos) << e.what();
  }
  // an index owned twice: rank 0 takes 1 instead of 2P ({0, P, 1}), so the
  // sizes still add up but 1 is on ranks 0 and 1 and 2P on none
  if (P >= 2) {
    auto dup = ok;
    if (me == 0) dup.back() = 1;
    try {
      dist::distribution<1> d({n}, {dist::unstructured{dup}}, world);
      ADD_FAILURE() << "no exception";
    } catch (const dist::distribution_error& e) {
      EXPECT_NE(std::string(e.what()).find("index 1 is owned by more than one coordinate"), std::string::npos) << e.what();
    }
  }
  // too few indices overall
  auto few = ok;
  if (me == 0) few.pop_back();
  EXPECT_THROW((dist::distribution<1>({n}, {dist::unstructured{few}}, world)), dist::distribution_error);
}

TEST(distribution, lookup_finds_every_index) {
  const int P = world.size(), me = world.rank();
  const index_t n = 23;
  const auto parts = random_partition(n, P, 9);
  dist::distribution<1> d({n}, {dist::unstructured{parts[static_cast<std::size_t>(me)]}}, world);
  std::vector<index_t> ask(static_cast<std::size_t>(n));
  std::iota(ask.begin(), ask.end(), 0);
  std::shuffle(ask.begin(), ask.end(), std::mt19937_64(static_cast<std::uint64_t>(me)));
  const auto loc = d.lookup(0, ask);
  ASSERT_EQ(loc.size(), ask.size());
  for (std::size_t i = 0; i < ask.size(); ++i) {
    const auto& part = parts[static_cast<std::size_t>(loc[i].coord)];
    ASSERT_LT(loc[i].local, static_cast<index_t>(part.size()));
    EXPECT_EQ(part[static_cast<std::size_t>(loc[i].local)], ask[i]);
  }
  // out-of-range on one rank: index_error on all
  std::vector<index_t> bad = {0};
  if (me == P - 1) bad.push_back(n);
  EXPECT_THROW((void)d.lookup(0, bad), dist::index_error);
  // structured dims answer too
  dist::distribution<1> c({n}, {dist::cyclic{}}, world);
  const auto lc = c.lookup(0, ask);
  for (std::size_t i = 0; i < ask.size(); ++i) EXPECT_EQ(lc[i], (dist::location{static_cast<int>(ask[i] % P), ask[i] / P}));
}

// The Distributed Array Protocol's worked examples: arange(45).reshape(5,9) on a 2x2 grid.
TEST(distribution, dap_worked_examples) {
  if (world.size() != 4) GTEST_SKIP() << "the worked examples use 4 ranks";
  const int me = world.rank();
  const int r = me / 2, c = me % 2;
  struct example {
    std::array<dist::dim_spec, 2> specs;
    std::vector<std::vector<double>> buffers;  // per rank, from the protocol's examples
  };
  const std::vector<index_t> urows = r == 0 ? std::vector<index_t>{3, 0} : std::vector<index_t>{4, 2, 1};
  const std::vector<index_t> ucols = c == 0 ? std::vector<index_t>{2, 3, 7, 1} : std::vector<index_t>{6, 5, 8, 0, 4};
  const std::vector<example> examples = {
      {{dist::block{}, dist::block{}},
       {{0, 1, 2, 3, 4, 9, 10, 11, 12, 13, 18, 19, 20, 21, 22}, {5, 6, 7, 8, 14, 15, 16, 17, 23, 24, 25, 26},
        {27, 28, 29, 30, 31, 36, 37, 38, 39, 40}, {32, 33, 34, 35, 41, 42, 43, 44}}},
      {{dist::block{}, dist::cyclic{}},
       {{0, 2, 4, 6, 8, 9, 11, 13, 15, 17, 18, 20, 22, 24, 26}, {1, 3, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25},
        {27, 29, 31, 33, 35, 36, 38, 40, 42, 44}, {28, 30, 32, 34, 37, 39, 41, 43}}},
      {{dist::cyclic{}, dist::cyclic{}},
       {{0, 2, 4, 6, 8, 18, 20, 22, 24, 26, 36, 38, 40, 42, 44}, {1, 3, 5, 7, 19, 21, 23, 25, 37, 39, 41, 43},
        {9, 11, 13, 15, 17, 27, 29, 31, 33, 35}, {10, 12, 14, 16, 28, 30, 32, 34}}},
      {{dist::block_cyclic{2}, dist::block_cyclic{2}},
       {{0, 1, 4, 5, 8, 9, 10, 13, 14, 17, 36, 37, 40, 41, 44}, {2, 3, 6, 7, 11, 12, 15, 16, 38, 39, 42, 43},
        {18, 19, 22, 23, 26, 27, 28, 31, 32, 35}, {20, 21, 24, 25, 29, 30, 33, 34}}},
      {{dist::unstructured{urows}, dist::unstructured{ucols}},
       {{29, 30, 34, 28, 2, 3, 7, 1}, {33, 32, 35, 27, 31, 6, 5, 8, 0, 4},
        {38, 39, 43, 37, 20, 21, 25, 19, 11, 12, 16, 10}, {42, 41, 44, 36, 40, 24, 23, 26, 18, 22, 15, 14, 17, 9, 13}}},
  };
  for (std::size_t k = 0; k < examples.size(); ++k) {
    SCOPED_TRACE("example " + std::to_string(k));
    const auto& ex = examples[k];
    dist::distribution<2> d({5, 9}, ex.specs, world, dist::grid{2, 2});
    auto a = dist::fromfunction<double>(d, [](index_t i, index_t j) { return double(9 * i + j); });
    const auto local = a.local_data();
    EXPECT_EQ(std::vector<double>(local.begin(), local.end()), ex.buffers[static_cast<std::size_t>(me)]);
    const auto dd = d.dap();
    EXPECT_EQ(dd[0].size, 5);
    EXPECT_EQ(dd[1].size, 9);
    EXPECT_EQ(dd[0].proc_grid_rank, r);
    EXPECT_EQ(dd[1].proc_grid_rank, c);
    EXPECT_EQ(dd[0].proc_grid_size, 2);
    // round trip through the protocol
    const auto back = dist::distribution<2>::from_dap(dd, world);
    EXPECT_TRUE(back == d);
    EXPECT_EQ(back.dap(), dd);
  }
  // the protocol's fields for block x block and block_cyclic{2}
  const auto bb = dist::distribution<2>({5, 9}, {dist::block{}, dist::block{}}, world, dist::grid{2, 2}).dap();
  EXPECT_EQ(bb[0].dist_type, 'b');
  EXPECT_EQ(bb[0].start, r == 0 ? 0 : 3);
  EXPECT_EQ(bb[0].stop, r == 0 ? 3 : 5);
  EXPECT_EQ(bb[1].start, c == 0 ? 0 : 5);
  EXPECT_EQ(bb[1].stop, c == 0 ? 5 : 9);
  const auto cc = dist::distribution<2>({5, 9}, {dist::block_cyclic{2}, dist::cyclic{}}, world, dist::grid{2, 2}).dap();
  EXPECT_EQ(cc[0].dist_type, 'c');
  EXPECT_EQ(cc[0].block_size, 2);
  EXPECT_EQ(cc[0].start, 2 * r);
  EXPECT_EQ(cc[1].block_size, 1);
  EXPECT_EQ(cc[1].start, c);
  const auto uu = dist::distribution<2>({5, 9}, {dist::unstructured{urows}, dist::unstructured{ucols}}, world, dist::grid{2, 2}).dap();
  EXPECT_EQ(uu[0].dist_type, 'u');
  EXPECT_EQ(uu[0].indices, urows);
  EXPECT_EQ(uu[1].indices, ucols);
}

TEST(distribution, dap_round_trip_at_any_rank_count) {
  const int P = world.size();
  std::vector<index_t> bounds(static_cast<std::size_t>(P) + 1);
  for (int c = 0; c <= P; ++c) bounds[static_cast<std::size_t>(c)] = std::min<index_t>(17, 5 * c);
  bounds.back() = 17;
  for (const auto& d : {dist::distribution<2>({17, 4}, {dist::block{bounds}, dist::undistributed{}}, world),
                        dist::distribution<2>({17, 4}, {dist::block_cyclic{3}, dist::undistributed{}}, world),
                        dist::distribution<2>({17, 4}, {dist::undistributed{}, dist::cyclic{}}, world)}) {
    const auto back = dist::distribution<2>::from_dap(d.dap(), world);
    EXPECT_TRUE(back == d);
    EXPECT_EQ(back.dap(), d.dap());
  }
  // an inconsistent view fails on every rank
  auto dd = dist::distribution<1>({10}, {dist::cyclic{}}, world).dap();
  if (world.rank() == P - 1) dd[0].proc_grid_rank = P;  // wrong position
  EXPECT_THROW((void)dist::distribution<1>::from_dap(dd, world), dist::distribution_error);
}

TEST(distribution, replicated_when_every_dim_is_undistributed) {
  dist::distribution<2> d({3, 4}, {dist::undistributed{}, dist::undistributed{}}, world);
  EXPECT_TRUE(d.replicated());
  EXPECT_EQ(d.local_shape(), (dist::shape<2>{3, 4}));
  EXPECT_EQ(d.owner({2, 3}), world.rank());
  EXPECT_EQ(d.local_size(), 12);
}

TEST(distribution, equality_and_mpi_comm) {
  dist::distribution<1> a({10}, {dist::cyclic{}}, world);
  dist::distribution<1> b({10}, {dist::block_cyclic{1}}, MPI_COMM_WORLD);
  dist::distribution<1> c({10}, {dist::block{}}, world);
  EXPECT_TRUE(a == b);
  EXPECT_EQ(a == c, world.size() == 1);
  EXPECT_FALSE(a == dist::distribution<1>({11}, {dist::cyclic{}}, world));
}
