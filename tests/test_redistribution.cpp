// Redistribution: every pair of kinds in 1-D, 2-D and 3-D with odd sizes and
// n < p, grid changes, reordered communicators, plan reuse, round trips,
// transpose, errors, and the planner for simulated ranks of P = 4096.
#include <gtest/gtest.h>

#include <map>

#include <dist/dist.hpp>
#include <numeric>
#include <random>

#include "test_util.hpp"

using dist::index_t;

namespace {

dist::communicator world;

// Value of every element: its global flat index (so any misplacement shows).
template <std::size_t N>
dist::array<double, N> numbered(const dist::distribution<N>& d) {
  return dist::fromfunction<double>(d, [&](const dist::index<N>& g) { return double(dist::detail::flat_offset(g, d.shape())); });
}

// Every local element of `b` holds the flat index, in `src_shape`, of the
// source element it came from (dim i of b = dim perm[i] of the source).
template <std::size_t N>
void expect_numbered(const dist::array<double, N>& b, const dist::shape<N>& src_shape, const std::array<std::size_t, N>& perm) {
  const auto& d = b.distribution();
  const auto ls = d.local_shape();
  const auto lv = b.local();
  index_t bad = 0;
  for (index_t f = 0; f < dist::detail::product(ls); ++f) {
    dist::index<N> l;
    index_t r = f;
    for (std::size_t k = N; k-- > 0;) l[k] = r % ls[k], r /= ls[k];
    const auto g = d.global_index(l);
    dist::index<N> sg;
    for (std::size_t i = 0; i < N; ++i) sg[perm[i]] = g[i];
    if (lv[l] != double(dist::detail::flat_offset(sg, src_shape))) ++bad;
  }
  EXPECT_EQ(bad, 0) << "misplaced elements on rank " << world.rank();
}

template <std::size_t N>
std::array<std::size_t, N> identity_axes() {
  std::array<std::size_t, N> p;
  std::iota(p.begin(), p.end(), std::size_t{0});
  return p;
}

// All six kinds for a dim of extent n over the whole communicator.
std::vector<dist::dim_spec> kinds(index_t n, unsigned seed) { return test_util::all_kinds(n, world, seed); }

}  // namespace

TEST(redistribute, every_pair_of_kinds_1d) {
  for (index_t n : {0, 1, 2, 5, 13, 64}) {
    const auto ks = kinds(n, 3);
    for (std::size_t i = 0; i < ks.size(); ++i)
      for (std::size_t j = 0; j < ks.size(); ++j) {
        SCOPED_TRACE("n=" + std::to_string(n) + " from kind " + std::to_string(ks[i].index()) + " to " + std::to_string(ks[j].index()));
        const dist::distribution<1> from({n}, {ks[i]}, world), to({n}, {ks[j]}, world);
        const auto a = numbered(from);
        const auto b = dist::redistribute(a, to);
        expect_numbered(b, from.shape(), identity_axes<1>());
        EXPECT_EQ(dist::allgather(b), dist::allgather(a));
      }
  }
}

TEST(redistribute, pairs_of_kinds_2d_with_grid_changes) {
  const int P = world.size();
  const index_t n = 11, m = 7;
  std::vector<dist::distribution<2>> ds;
  const auto rows = kinds(n, 5);
  const auto cols = kinds(m, 6);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    // rows distributed over all ranks; columns undistributed, and the transposed grid
    ds.emplace_back(dist::shape<2>{n, m}, std::array<dist::dim_spec, 2>{rows[i], dist::undistributed{}}, world);
    ds.emplace_back(dist::shape<2>{n, m}, std::array<dist::dim_spec, 2>{dist::undistributed{}, cols[i]}, world);
  }
  ds.emplace_back(dist::shape<2>{n, m}, std::array<dist::dim_spec, 2>{dist::block{}, dist::block{}}, world);
  ds.emplace_back(dist::shape<2>{n, m}, std::array<dist::dim_spec, 2>{dist::cyclic{}, dist::block_cyclic{2}}, world);
  if (P % 2 == 0)
    ds.emplace_back(dist::shape<2>{n, m}, std::array<dist::dim_spec, 2>{dist::block_cyclic{2}, dist::cyclic{}}, world,
                    dist::grid{2, P / 2});
  for (std::size_t i = 0; i < ds.size(); ++i)
    for (std::size_t j = 0; j < ds.size(); ++j) {
      SCOPED_TRACE("pair " + std::to_string(i) + " -> " + std::to_string(j));
      const auto a = numbered(ds[i]);
      auto b = dist::zeros<double>(ds[j]);
      b = a;  // assignment across distributions redistributes
      expect_numbered(b, ds[i].shape(), identity_axes<2>());
    }
}

TEST(redistribute, three_d_and_back_again) {
  const dist::shape<3> s{5, 4, 3};
  const dist::distribution<3> a_d(s, {dist::cyclic{}, dist::block{}, dist::block_cyclic{2}}, world);
  const dist::distribution<3> b_d(s, {dist::block{}, dist::undistributed{}, dist::cyclic{}}, world);
  const dist::distribution<3> c_d(s, {dist::unstructured{test_util::random_part(5, world.size(), world.rank(), 8)}, dist::undistributed{}, dist::undistributed{}}, world);
  const auto a = dist::random::uniform<double>(a_d, 17);
  for (const auto& d : {b_d, c_d}) {
    const auto b = dist::redistribute(a, d);
    const auto back = dist::redistribute(b, a_d);
    const auto al = a.local_data(), bl = back.local_data();
    EXPECT_TRUE(std::equal(al.begin(), al.end(), bl.begin(), bl.end()));
    expect_numbered(dist::redistribute(numbered(a_d), d), s, identity_axes<3>());
  }
}

TEST(redistribute, plan_reuse_with_new_data) {
  const dist::distribution<2> from({9, 8}, {dist::block{}, dist::block{}}, world);
  const dist::distribution<2> to({9, 8}, {dist::block_cyclic{2}, dist::cyclic{}}, world);
  const dist::redistribution_plan<2> plan(from, to);
  auto b = dist::empty<double>(to);
  for (std::uint64_t seed = 0; seed < 4; ++seed) {
    const auto a = dist::random::normal<double>(from, seed);
    plan.execute(a, b);
    EXPECT_EQ(dist::allgather(b), dist::allgather(a));
  }
  // ints through the same plan
  auto ai = dist::fromfunction<int>(from, [](index_t i, index_t j) { return int(i * 8 + j); });
  auto bi = dist::empty<int>(to);
  plan.execute(ai, bi);
  EXPECT_EQ(dist::allgather(bi), dist::allgather(ai));
  // the plan refuses arrays on other distributions, on every rank
  auto wrong = dist::zeros<double>({8, 9}, world);
  EXPECT_THROW(plan.execute(wrong, b), dist::distribution_error);
  EXPECT_THROW(plan.execute(dist::zeros<double>(from), wrong), dist::distribution_error);
}

TEST(redistribute, few_peers_go_point_to_point) {
  // a small shift of block bounds: each rank talks to at most one neighbour
  const int P = world.size();
  const index_t n = 10 * P + 3;
  std::vector<index_t> shifted(static_cast<std::size_t>(P) + 1);
  for (int c = 0; c < P; ++c) shifted[static_cast<std::size_t>(c)] = c == 0 ? 0 : 10 * c + 2;
  shifted.back() = n;
  const dist::distribution<1> from({n}, {dist::block{}}, world), to({n}, {dist::block{shifted}}, world);
  const dist::redistribution_plan<1> plan(from, to);
  EXPECT_LE(plan.send_peers(), 1);
  EXPECT_LE(plan.recv_peers(), 1);
  // the rule: point-to-point when every rank talks to fewer than half the others
  int max_peers = std::max(plan.send_peers(), plan.recv_peers());
  MPI_Allreduce(MPI_IN_PLACE, &max_peers, 1, MPI_INT, MPI_MAX, world);
  EXPECT_EQ(plan.uses_point_to_point(), 2 * max_peers < P);
  if (P >= 3) {
    EXPECT_EQ(max_peers, 1);
    EXPECT_TRUE(plan.uses_point_to_point());
  }
  auto b = dist::empty<double>(to);
  for (int rep = 0; rep < 3; ++rep) {
    plan.execute(numbered(from), b);
    expect_numbered(b, from.shape(), identity_axes<1>());
  }
  // and with many peers, MPI_Alltoallv
  const dist::redistribution_plan<1> all(from, dist::distribution<1>({n}, {dist::cyclic{}}, world));
  if (P >= 2) {
    EXPECT_FALSE(all.uses_point_to_point());
  }
}

TEST(redistribute, communicator_over_the_same_ranks_in_another_order) {
  MPI_Comm rev;
  MPI_Comm_split(world, 0, world.size() - 1 - world.rank(), &rev);
  const dist::communicator reversed(rev, boost::mpi::comm_take_ownership);
  const dist::distribution<1> from({23}, {dist::block{}}, world), to({23}, {dist::cyclic{}}, reversed);
  const auto b = dist::redistribute(numbered(from), to);
  expect_numbered(b, from.shape(), identity_axes<1>());
  EXPECT_EQ(b.local_size(), to.local_size());
}

TEST(redistribute, errors_on_every_rank) {
  const dist::distribution<2> a({4, 5}, world), b({5, 4}, world);
  EXPECT_THROW((dist::redistribution_plan<2>(a, b)), dist::shape_error);
  auto x = dist::zeros<double>(a);
  auto y = dist::zeros<double>(b);
  EXPECT_THROW(y = x, dist::shape_error);
  if (world.size() >= 2) {
    MPI_Comm half;
    MPI_Comm_split(world, world.rank() % 2, world.rank(), &half);
    const dist::communicator h(half, boost::mpi::comm_take_ownership);
    const dist::distribution<2> on_half({4, 5}, h);
    EXPECT_THROW((dist::redistribution_plan<2>(a, on_half)), dist::shape_error);
  }
  EXPECT_THROW((void)dist::transpose(x, {0, 0}), dist::shape_error);
}

TEST(transpose, matches_numpy) {
  const dist::distribution<2> d({7, 4}, {dist::block{}, dist::cyclic{}}, world);
  const auto a = numbered(d);
  const auto t = dist::transpose(a);
  EXPECT_EQ(t.shape(), (dist::shape<2>{4, 7}));
  expect_numbered(t, d.shape(), {1, 0});
  // onto a chosen layout
  const dist::distribution<2> rows({4, 7}, world);
  expect_numbered(dist::transpose(a, {1, 0}, rows), d.shape(), {1, 0});
  // 3-D with an arbitrary permutation
  const dist::distribution<3> d3({3, 5, 2}, {dist::cyclic{}, dist::block{}, dist::undistributed{}}, world);
  const auto t3 = dist::transpose(numbered(d3), {2, 0, 1});
  EXPECT_EQ(t3.shape(), (dist::shape<3>{2, 3, 5}));
  expect_numbered(t3, d3.shape(), {2, 0, 1});
  // transposing twice gives the original back
  const auto tt = dist::transpose(dist::transpose(a), {1, 0}, d);
  EXPECT_EQ(dist::allgather(tt), dist::allgather(a));
}

// The planner for simulated ranks of P = 4096, without MPI: message counts,
// sent and received sizes add up to the local sizes, and both ends of a
// message agree on its size.
TEST(plan, simulated_ranks_of_4096) {
  const int P = 4096;
  const index_t n = 1'000'003;
  using dist::dim_map;
  using input = dist::detail::plan_side_input<1>;
  struct layout {
    const char* name;
    std::function<dim_map(int)> map;
  };
  const std::vector<layout> layouts = {
      {"block", [&](int c) { return dim_map::block(n, P, c); }},
      {"cyclic", [&](int c) { return dim_map::cyclic(n, P, c); }},
      {"block_cyclic64", [&](int c) { return dim_map::block_cyclic(n, 64, P, c); }},
      {"block_cyclic1000", [&](int c) { return dim_map::block_cyclic(n, 1000, P, c); }},
  };
  const std::array<std::vector<int>, 1> none{};
  auto plan_for = [&](const layout& f, const layout& t, int r) {
    return dist::detail::build_plan<1>(input{{f.map(r)}, {P}, false, r, P}, input{{t.map(r)}, {P}, false, r, P}, {0}, none, none);
  };
  for (const auto& f : layouts)
    for (const auto& t : layouts) {
      SCOPED_TRACE(std::string(f.name) + " -> " + t.name);
      for (int r : {0, 1, 2047, P - 1}) {
        const auto [send, recv] = plan_for(f, t, r);
        EXPECT_EQ(send.total, f.map(r).local_size());
        EXPECT_EQ(recv.total, t.map(r).local_size());
        // the peers' side of each message agrees
        for (std::size_t i = 0; i < send.peers.size(); i += std::max<std::size_t>(1, send.peers.size() / 5)) {
          const auto& p = send.peers[i];
          const auto [s2, r2] = plan_for(f, t, p.rank);
          const auto it = std::find_if(r2.peers.begin(), r2.peers.end(), [&](const auto& q) { return q.rank == r; });
          ASSERT_NE(it, r2.peers.end());
          EXPECT_EQ(it->count, p.count);
        }
      }
      // block -> block keeps to neighbours; block -> cyclic talks to everyone
      const auto [send0, recv0] = plan_for(f, t, 1000);
      if (std::string(f.name) == "block" && std::string(t.name) == "block") {
        EXPECT_EQ(send0.peers.size(), 1u);
      }
      if (std::string(f.name) == "block" && std::string(t.name) == "cyclic") {
        // each of my elements goes to a different rank, up to all P
        EXPECT_EQ(send0.peers.size(), static_cast<std::size_t>(std::min<index_t>(P, f.map(1000).local_size())));
        // one strided run group per peer: O(peers) plan, not O(n)
        for (const auto& [c, rl] : send0.dims[0]) EXPECT_LE(rl.size(), 1u);
      }
    }
}

// split_dim against a walk over every element: for each pair of kinds
// (cyclic, block-cyclic, block, irregular block), rank counts and extents
// that do not divide, each coordinate's positions in global order. And the
// closed form for (block-)cyclic pairs: at P = 65536 over 10^9 elements,
// cyclic -> block_cyclic{64} holds about one group per peer.
TEST(plan, split_dim_matches_an_element_walk) {
  using dist::dim_map;
  const auto expand = [](const dist::detail::coord_lists& cl) {
    std::map<int, std::vector<index_t>> got;
    for (const auto& [c, rl] : cl)
      for (const auto& g : rl)
        for (index_t k = 0; k < g.count; ++k)
          for (index_t i = 0; i < g.len; ++i) got[c].push_back(g.start + k * g.stride + i);
    return got;
  };
  const auto kinds = [](index_t n, int p, int c) {
    std::vector<dim_map> m{dim_map::cyclic(n, p, c), dim_map::block_cyclic(n, 3, p, c), dim_map::block_cyclic(n, 4, p, c),
                           dim_map::block_cyclic(n, 7, p, c), dim_map::block(n, p, c)};
    std::vector<index_t> b(static_cast<std::size_t>(p) + 1);
    for (int k = 0; k <= p; ++k) b[static_cast<std::size_t>(k)] = n * k * k / (index_t(p) * p);
    m.push_back(dim_map::block(b, c));
    return m;
  };
  for (const index_t n : {index_t{0}, index_t{1}, index_t{17}, index_t{100}, index_t{1001}})
    for (const int p : {1, 2, 3, 5, 8})
      for (const int q : {1, 2, 3, 4, 7})
        for (int c = 0; c < p; ++c) {
          const auto mine = kinds(n, p, c);
          const auto others = kinds(n, q, 0);
          for (std::size_t a = 0; a < mine.size(); ++a)
            for (std::size_t b = 0; b < others.size(); ++b) {
              std::map<int, std::vector<index_t>> want;
              for (index_t l = 0; l < mine[a].local_size(); ++l) want[others[b].owner(mine[a].global_index(l))].push_back(l);
              EXPECT_EQ(expand(dist::detail::split_dim(mine[a], others[b], nullptr)), want)
                  << "n " << n << " p " << p << " q " << q << " coord " << c << " kinds " << a << " -> " << b;
            }
        }
  const int P = 65536;
  const index_t n = 1'000'000'000;
  const auto cl = dist::detail::split_dim(dim_map::cyclic(n, P, 12345), dim_map::block_cyclic(n, 64, P, 0), nullptr);
  std::size_t groups = 0;
  index_t total = 0;
  for (const auto& [c, rl] : cl) {
    groups += rl.size();
    total += dist::detail::positions(rl);
  }
  EXPECT_EQ(total, dim_map::cyclic(n, P, 12345).local_size());
  EXPECT_EQ(cl.size(), 64u);  // my elements go to 64 coordinates, periodically
  EXPECT_LE(groups, 2u * 64u);  // (its time: bench_redistribution's plan_simulated lines)
}

// Broadcast fan-out (alignment plans) for simulated ranks: a block vector of
// length m over P = 4096 ranks read as the columns of an (n, m) block x block
// array on a 64 x 64 grid. Each destination rank receives exactly its
// column block; each vector piece goes to all 64 ranks of its grid column.
TEST(plan, simulated_broadcast_fan_out) {
  const int P = 4096, G = 64;
  const index_t m = 100'003;
  using dist::dim_map;
  using input = dist::detail::plan_side_input<1>;
  dist::detail::fan_out fan;
  fan.grid = {G, G};
  fan.dim_of = {1};
  fan.spread.resize(2);
  for (int c = 0; c < G; ++c) fan.spread[0].push_back(c);
  const std::array<std::vector<int>, 1> none{};
  auto plan_for = [&](int r) {  // r: a rank; as a destination it sits at (r / G, r % G)
    return dist::detail::build_plan<1>(input{{dim_map::block(m, P, r)}, {P}, false, r, P},
                                       input{{dim_map::block(m, G, r % G)}, {G}, false, r, P}, {0}, none, none, &fan);
  };
  for (int r : {0, 1, 63, 64, 2047, P - 1}) {
    const auto [send, recv] = plan_for(r);
    EXPECT_EQ(recv.total, dim_map::block(m, G, r % G).local_size());  // exactly my columns
    // my ~24 elements lie in one (or two) column blocks: each goes to that grid column's 64 ranks
    EXPECT_EQ(send.total, G * dim_map::block(m, P, r).local_size());
    EXPECT_LE(send.peers.size(), std::size_t(2 * G));
    for (const auto& p : send.peers) {
      const auto [s2, r2] = plan_for(p.rank);
      const auto it = std::find_if(r2.peers.begin(), r2.peers.end(), [&](const auto& q) { return q.rank == r; });
      ASSERT_NE(it, r2.peers.end());
      EXPECT_EQ(it->count, p.count);
    }
  }
}
