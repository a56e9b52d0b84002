// Halos: ghost layers filled by exchange_halo and
// start_halo_exchange/wait, periodic or not, corners in 2-d and 3-d;
// dist::shifted operands and assign_overlapped; errors; halo arrays in the
// rest of the library. Checked against the global array on every rank.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <dist/dist.hpp>
#include <vector>

using dist::index_t;
using dist::slice;
using std::nullopt;

namespace {

dist::communicator world;

double f3(index_t i, index_t j, index_t k) { return static_cast<double>(10000 * i + 100 * j + k) + 0.25; }

// Every ghost of `a` holds the global element it mirrors (wrapped when
// periodic); ghosts beyond a non-periodic global boundary still hold `untouched`.
template <std::size_t N, class F>
void expect_ghosts(const dist::array<double, N>& a, F value, double untouched) {
  const auto& D = a.distribution();
  const auto pv = a.local_with_ghosts();
  dist::index<N> o{};
  const auto ext = pv.extents();
  for (index_t n = 0; n < pv.size(); ++n) {
    dist::index<N> g;
    bool outside = false;
    for (std::size_t d = 0; d < N; ++d) {
      const dist::dim_map& m = D.map(d);
      const index_t w = a.ghost_width(d);
      index_t x = m.block_start(m.coord()) + o[d] - w;
      if (x < 0 || x >= D.shape()[d]) {
        if (a.periodic(d)) x = (x + D.shape()[d]) % D.shape()[d];
        else outside = true;
      }
      g[d] = x;
    }
    const double want = outside ? untouched : value(g);
    ASSERT_EQ(pv[o], want) << "padded position " << dist::detail::to_string(o) << " on rank " << world.rank();
    for (std::size_t d = N; d-- > 0;) {
      if (++o[d] < ext[d]) break;
      o[d] = 0;
    }
  }
}

TEST(halo, exchange_2d_block_by_block_with_corners) {
  for (bool periodic : {false, true}) {
    dist::distribution<2> D({9, 7}, {dist::block{}, dist::block{}}, world);
    auto h = dist::halo{1, 2};
    if (periodic) h.periodic(true);
    dist::array<double, 2> a(D, h);
    a = dist::fromfunction<double>(D, [](index_t i, index_t j) { return f3(0, i, j); });
    a.exchange_halo();
    expect_ghosts(a, [](const dist::index<2>& g) { return f3(0, g[0], g[1]); }, 0.0);
  }
}

// Blocks narrower than the width, and empty ones: the ghosts come from
// several ranks (and from the rank itself when periodic), corners included.
TEST(halo, narrow_and_empty_blocks) {
  const int P = world.size();
  for (const index_t n0 : {index_t{1}, index_t{2}, index_t{5}})
    for (const index_t w : {index_t{1}, index_t{2}, index_t{3}})
      for (const bool periodic : {false, true}) {
        if (periodic && w > n0) continue;  // a periodic width beyond the extent is refused (below)
        // rows: balanced blocks (empty ones when n0 < P) and uneven explicit bounds with empty blocks first
        std::vector<index_t> bounds(static_cast<std::size_t>(P) + 1, 0);
        bounds.back() = n0;
        if (P > 2) bounds[static_cast<std::size_t>(P) - 1] = n0 / 2;
        for (const auto& spec : {dist::dim_spec{dist::block{}}, dist::dim_spec{dist::block{bounds}}}) {
          dist::distribution<2> D({n0, 4}, {spec, dist::undistributed{}}, world);
          auto h = dist::halo{w, 1};
          if (periodic) h.periodic(true);
          dist::array<double, 2> a(D, h);
          a = dist::fromfunction<double>(D, [](index_t i, index_t j) { return f3(0, i, j); });
          a.exchange_halo();
          SCOPED_TRACE("n0 " + std::to_string(n0) + " w " + std::to_string(w) + (periodic ? " periodic" : ""));
          expect_ghosts(a, [](const dist::index<2>& g) { return f3(0, g[0], g[1]); }, 0.0);
        }
        // both dims distributed (a 2-d grid at 4 ranks), thin in both
        dist::distribution<2> E({n0, 3}, {dist::block{}, dist::block{}}, world);
        auto h = dist::halo{w, 2};
        if (periodic) h.periodic({true, false});
        dist::array<double, 2> b(E, h);
        b = dist::fromfunction<double>(E, [](index_t i, index_t j) { return f3(0, i, j); });
        auto x = b.start_halo_exchange();
        x.wait();
        expect_ghosts(b, [](const dist::index<2>& g) { return f3(0, g[0], g[1]); }, 0.0);
      }
  dist::distribution<1> D({2}, world);
  EXPECT_THROW((dist::array<double, 1>(D, dist::halo{3}.periodic(true))), dist::distribution_error);
}

TEST(halo, exchange_3d_corners_and_start_wait) {
  dist::distribution<3> D({6, 5, 4}, {dist::block{}, dist::block{}, dist::block{}}, world);
  dist::array<double, 3> a(D, dist::halo{1, 1, 1}.periodic({true, false, true}));
  a = dist::fromfunction<double>(D, [](index_t i, index_t j, index_t k) { return f3(i, j, k); });
  auto h = a.start_halo_exchange();
  h.wait();
  EXPECT_TRUE(h.done());
  expect_ghosts(a, [](const dist::index<3>& g) { return f3(g[0], g[1], g[2]); }, 0.0);
}

TEST(halo, rows_only_keep_local_data_contiguous_and_work_everywhere) {
  dist::distribution<2> D({10, 6}, world);
  dist::array<double, 2> a(D, dist::halo{2});
  a = dist::fromfunction<double>(D, [](index_t i, index_t j) { return f3(0, i, j); });
  EXPECT_EQ(a.local_data().size(), static_cast<std::size_t>(a.local_size()));
  a.exchange_halo();
  expect_ghosts(a, [](const dist::index<2>& g) { return f3(0, g[0], g[1]); }, 0.0);
  // inner-dim ghosts: local() is strided, local_data() refuses, everything else works
  dist::array<double, 2> b(D, dist::halo{0, 1});
  b = a;
  EXPECT_THROW((void)b.local_data(), dist::error);
  EXPECT_FALSE(b.local().contiguous() && b.local_size() > 0);
  EXPECT_EQ(dist::allgather(b), dist::allgather(a));
  EXPECT_DOUBLE_EQ(dist::sum(b), dist::sum(a));
  dist::array<double, 2> c(dist::distribution<2>({10, 6}, {dist::cyclic{}, dist::block{}}, world));
  c = b;  // redistribution from a strided block
  EXPECT_EQ(dist::allgather(c), dist::allgather(a));
  b = c * 2.0;  // and into one
  EXPECT_DOUBLE_EQ(dist::sum(b), 2.0 * dist::sum(a));
  dist::array<double, 2> copy = b;
  EXPECT_EQ(copy.ghost_width(1), 1);
  EXPECT_EQ(dist::allgather(copy), dist::allgather(b));
}

TEST(halo, shifted_periodic_laplacian_and_overlap) {
  const index_t n0 = 12, n1 = 9;
  for (int layout = 0; layout < 2; ++layout) {
    dist::distribution<2> D = layout == 0 ? dist::distribution<2>({n0, n1}, world)
                                          : dist::distribution<2>({n0, n1}, {dist::block{}, dist::block{}}, world);
    dist::array<double, 2> u(D, dist::halo{1, 1}.periodic(true));
    auto val = [](index_t i, index_t j) { return std::cos(0.4 * static_cast<double>(i)) * static_cast<double>(j + 1); };
    u = dist::fromfunction<double>(D, val);
    u.exchange_halo();
    dist::array<double, 2> lap(D);
    lap = dist::shifted(u, {-1, 0}) + dist::shifted(u, {1, 0}) + dist::shifted(u, {0, -1}) + dist::shifted(u, {0, 1}) - 4.0 * u;
    std::vector<double> ref(static_cast<std::size_t>(n0 * n1));
    auto at = [&](index_t i, index_t j) { return val((i + n0) % n0, (j + n1) % n1); };
    for (index_t i = 0; i < n0; ++i)
      for (index_t j = 0; j < n1; ++j)
        ref[static_cast<std::size_t>(i * n1 + j)] = at(i - 1, j) + at(i + 1, j) + at(i, j - 1) + at(i, j + 1) - 4.0 * at(i, j);
    auto got = dist::allgather(lap);
    for (std::size_t e = 0; e < ref.size(); ++e) EXPECT_NEAR(got[e], ref[e], 1e-12);
    // the same with the exchange in flight: assign_overlapped computes the
    // elements that read no ghost first (the ghosts are stale until then)
    u.local_with_ghosts()(0, 0) = 1e300;  // a stale ghost the overlapped loop must not read early
    dist::array<double, 2> lap2(D);
    u = dist::fromfunction<double>(D, val);
    auto h = u.start_halo_exchange();
    dist::assign_overlapped(lap2, dist::shifted(u, {-1, 0}) + dist::shifted(u, {1, 0}) + dist::shifted(u, {0, -1}) +
                                      dist::shifted(u, {0, 1}) - 4.0 * u,
                            h);
    got = dist::allgather(lap2);
    for (std::size_t e = 0; e < ref.size(); ++e) EXPECT_NEAR(got[e], ref[e], 1e-12);
    // a 9-point corner stencil through shifted views of a view
    auto in = u(slice{1, -1}, slice{1, -1});
    dist::array<double, 2> w(D);
    w(slice{1, -1}, slice{1, -1}) = dist::shifted(in, {-1, -1}) + dist::shifted(in, {1, 1}) - dist::shifted(in, {-1, 1});
    got = dist::allgather(w);
    for (index_t i = 1; i < n0 - 1; ++i)
      for (index_t j = 1; j < n1 - 1; ++j)
        EXPECT_NEAR(got[static_cast<std::size_t>(i * n1 + j)], at(i - 1, j - 1) + at(i + 1, j + 1) - at(i - 1, j + 1), 1e-12);
  }
}

TEST(halo, pieces_for_simulated_ranks) {
  // The planner of halo exchanges needs no MPI: for every simulated rank of
  // p (irregular blocks, empty ones, blocks narrower than the halo;
  // periodic or not) what each rank receives on a side is what its owners
  // send it there, the received pieces cover exactly the ghost indices that
  // exist, and a rank has few peers even at p = 65536.
  using dist::dim_map;
  using dist::detail::halo_pieces;
  struct layout {
    std::vector<index_t> bounds;
  };
  std::vector<layout> layouts;
  for (int p : {1, 2, 5, 64, 4096}) {
    std::vector<index_t> b(static_cast<std::size_t>(p) + 1);
    index_t at = 0;
    for (int c = 0; c <= p; ++c) {
      b[static_cast<std::size_t>(c)] = at;
      at += (c * 7 + 3) % 5;  // blocks of 0-4 elements: empty ones, ones narrower than the halo
    }
    layouts.push_back({b});
  }
  layouts.push_back({{0, 10, 10, 10, 25, 26}});
  for (const auto& L : layouts) {
    const int p = static_cast<int>(L.bounds.size()) - 1;
    const index_t n = L.bounds.back();
    if (n == 0) continue;
    for (const bool wrap : {false, true})
      for (const index_t w : {index_t{1}, index_t{3}}) {
        const index_t g = w + 1;  // a ghost width wider than asked for
        // every (sender, receiver, side) -> length, from both ends
        std::map<std::tuple<int, int, int>, index_t> sent, got;
        for (int r = 0; r < p; ++r) {
          const dim_map m = dim_map::block(L.bounds, r);
          const index_t s = m.block_start(r), e = s + m.local_size();
          for (const int side : {-1, 1}) {
            index_t want_lo = side < 0 ? s - w : e, want_hi = side < 0 ? s : e + w;
            if (!wrap) want_lo = std::max<index_t>(want_lo, 0), want_hi = std::min(want_hi, n);
            index_t covered = 0, next_at = side < 0 ? g - (s - want_lo) : g + m.local_size();
            std::set<int> coords;
            for (const auto& x : halo_pieces(m, g, w, wrap, side, true)) {
              EXPECT_EQ(x.at, next_at);  // consecutive positions in my ghosts
              next_at += x.len;
              covered += x.len;
              EXPECT_TRUE(coords.insert(x.coord).second);
              got[{x.coord, r, side}] += x.len;
            }
            EXPECT_EQ(covered, std::max<index_t>(want_hi - want_lo, 0)) << "p " << p << " rank " << r << " side " << side;
            std::set<int> to;
            for (const auto& x : halo_pieces(m, g, w, wrap, side, false)) {
              EXPECT_TRUE(to.insert(x.coord).second);
              EXPECT_GE(x.at, g);
              EXPECT_LE(x.at + x.len, g + m.local_size());
              sent[{r, x.coord, side}] += x.len;
            }
          }
        }
        EXPECT_EQ(sent, got) << "p " << p << " wrap " << wrap << " w " << w;
      }
  }
  // p = 65536, one simulated rank: two peers per side of a 1-D block dim, whatever the extent
  for (const index_t n : {index_t{1} << 20, index_t{1'000'000'007}}) {
    const dim_map m = dim_map::block(n, 65536, 30000);
    for (const int side : {-1, 1})
      for (const bool recv : {true, false}) {
        const auto x = halo_pieces(m, 1, 1, true, side, recv);
        ASSERT_EQ(x.size(), 1u);
        EXPECT_EQ(x[0].coord, 30000 + side * (recv ? 1 : -1));
      }
  }
}

TEST(halo, errors) {
  dist::distribution<2> D({11, 6}, {dist::cyclic{}, dist::undistributed{}}, world);  // 11 rows: never the same as block rows
  if (world.size() > 1) {
    EXPECT_THROW((dist::array<double, 2>(D, dist::halo{1, 0})), dist::distribution_error);
  }
  dist::distribution<2> B({8, 6}, world);
  EXPECT_THROW((dist::array<double, 2>(B, dist::halo{-1})), dist::distribution_error);
  EXPECT_THROW((dist::array<double, 2>(B, dist::halo{1, 1, 1})), dist::distribution_error);
  dist::array<double, 2> u(B, dist::halo{1});
  dist::array<double, 2> out(B);
  EXPECT_THROW(out = dist::shifted(u, {0, 1}), dist::distribution_error);  // no ghosts along dim 1
  dist::array<double, 2> other(dist::distribution<2>({8, 6}, {dist::undistributed{}, dist::block{}}, world));  // (never block rows on > 1 rank)
  if (world.size() > 1) {
    EXPECT_THROW(other = dist::shifted(u, {1, 0}), dist::distribution_error);
  }
}

}  // namespace
