// One-sided access: get / put / accumulate of a global region from
// one rank alone, completed by dist::fence, on every layout RMA supports,
// checked against serial references on every rank.
#include <gtest/gtest.h>

#include <complex>
#include <dist/dist.hpp>
#include <vector>

#include "test_util.hpp"

using dist::index_t;
using dist::slice;

namespace {

dist::communicator world;

constexpr index_t R = 13, C = 11;

double initial(index_t i, index_t j) { return static_cast<double>(100 * i + j); }

// the layouts one-sided access supports, over the whole communicator
std::vector<dist::distribution<2>> layouts() {
  const int P = world.size();
  std::vector<index_t> bounds{0, 5};
  for (int c = 1; c < P; ++c) bounds.push_back(std::min<index_t>(C, 5 + 2 * c));
  bounds.back() = C;
  std::vector<index_t> b1{0};
  for (int c = 1; c < P; ++c) b1.push_back(std::min<index_t>(C, 4 + c));
  b1.push_back(C);
  return {
      dist::distribution<2>({R, C}, {dist::block{}, dist::block{}}, world),
      dist::distribution<2>({R, C}, {dist::cyclic{}, dist::block_cyclic{3}}, world),
      dist::distribution<2>({R, C}, {dist::block_cyclic{2}, dist::cyclic{}}, world),
      dist::distribution<2>({R, C}, {dist::undistributed{}, dist::block{b1}}, world),
      dist::distribution<2>({R, C}, {dist::block{}, dist::undistributed{}}, world),
      dist::distribution<2>({R, C}, {dist::undistributed{}, dist::undistributed{}}, world),  // replicated
  };
}

std::vector<double> serial_initial() {
  std::vector<double> v(static_cast<std::size_t>(R * C));
  for (index_t i = 0; i < R; ++i)
    for (index_t j = 0; j < C; ++j) v[static_cast<std::size_t>(i * C + j)] = initial(i, j);
  return v;
}

TEST(rma, one_rank_puts_while_the_others_compute) {
  const int writer = world.size() - 1;
  const dist::region<2> r{{2, 1}, {11, 10}};
  std::vector<double> values(static_cast<std::size_t>(r.size()));
  for (std::size_t k = 0; k < values.size(); ++k) values[k] = -1.0 - static_cast<double>(k);
  for (const auto& d : layouts()) {
    auto a = dist::fromfunction<double>(d, initial);
    auto c = dist::fromfunction<double>(d, [](index_t i, index_t j) { return static_cast<double>(i - j); });
    dist::array<double, 2> b(d);
    dist::fence(a);
    if (world.rank() == writer) {
      dist::put(a, r, values);
      values.assign(values.size(), 0.0);  // the buffer is free on return
      for (std::size_t k = 0; k < values.size(); ++k) values[k] = -1.0 - static_cast<double>(k);
    } else {
      for (int it = 0; it < 20; ++it) b = 2.0 * c + static_cast<double>(it);  // local work meanwhile
    }
    dist::fence(a);
    auto want = serial_initial();
    for (index_t i = r.lo[0], k = 0; i < r.hi[0]; ++i)
      for (index_t j = r.lo[1]; j < r.hi[1]; ++j, ++k) want[static_cast<std::size_t>(i * C + j)] = values[static_cast<std::size_t>(k)];
    EXPECT_EQ(dist::allgather(a), want);
    if (world.rank() != writer) {
      const auto lv = b.local();
      const auto gi = d.global_indices(0), gj = d.global_indices(1);
      for (std::size_t p = 0; p < gi.size(); ++p)
        for (std::size_t q = 0; q < gj.size(); ++q)
          EXPECT_EQ((lv[{static_cast<index_t>(p), static_cast<index_t>(q)}]), 2.0 * static_cast<double>(gi[p] - gj[q]) + 19.0);
    }
  }
}

TEST(rma, every_rank_gets_its_own_region) {
  for (const auto& d : layouts()) {
    auto a = dist::fromfunction<double>(d, initial);
    dist::fence(a);
    const index_t me = world.rank();
    const dist::region<2> r{{me % 3, (2 * me) % 5}, {R - me, C - (me % 2)}};
    const auto got = dist::get(a, r);
    ASSERT_EQ(static_cast<index_t>(got.size()), r.size());
    for (index_t i = r.lo[0], k = 0; i < r.hi[0]; ++i)
      for (index_t j = r.lo[1]; j < r.hi[1]; ++j, ++k) EXPECT_EQ(got[static_cast<std::size_t>(k)], initial(i, j)) << i << "," << j;
    // a single element and an empty region
    EXPECT_EQ(dist::get(a, dist::region<2>{{R - 1, 0}, {R, 1}}), std::vector<double>{initial(R - 1, 0)});
    EXPECT_TRUE(dist::get(a, dist::region<2>{{3, 3}, {3, 7}}).empty());
    dist::fence(a);
  }
}

TEST(rma, accumulate_from_every_rank_adds_up) {
  const int P = world.size();
  for (const auto& d : layouts()) {
    dist::array<std::int64_t, 2> a(d, std::int64_t{0});
    dist::array<double, 2> m(d, -1.0);
    dist::fence(a);
    dist::fence(m);
    const auto region_of = [](int r) { return dist::region<2>{{r % 4, r % 3}, {R - r % 2, C}}; };
    const auto value = [](int r, index_t k) { return static_cast<std::int64_t>((r + 1) * 1000 + k); };
    {
      const auto rr = region_of(world.rank());
      std::vector<std::int64_t> v(static_cast<std::size_t>(rr.size()));
      std::vector<double> w(v.size());
      for (std::size_t k = 0; k < v.size(); ++k) {
        v[k] = value(world.rank(), static_cast<index_t>(k));
        w[k] = static_cast<double>(v[k]);
      }
      dist::accumulate(a, rr, v);
      dist::accumulate(a, rr, v);  // twice: adds twice
      dist::accumulate(m, rr, w, MPI_MAX);
    }
    dist::fence(a);
    dist::fence(m);
    std::vector<std::int64_t> want(static_cast<std::size_t>(R * C), 0);
    std::vector<double> wmax(want.size(), -1.0);
    for (int r = 0; r < P; ++r) {
      const auto rr = region_of(r);
      for (index_t i = rr.lo[0], k = 0; i < rr.hi[0]; ++i)
        for (index_t j = rr.lo[1]; j < rr.hi[1]; ++j, ++k) {
          want[static_cast<std::size_t>(i * C + j)] += 2 * value(r, k);
          wmax[static_cast<std::size_t>(i * C + j)] = std::max(wmax[static_cast<std::size_t>(i * C + j)], static_cast<double>(value(r, k)));
        }
    }
    EXPECT_EQ(dist::allgather(a), want);
    EXPECT_EQ(dist::allgather(m), wmax);
  }
}

TEST(rma, ghost_layers_cyclic_1d_complex_and_bool) {
  // an array with ghost layers on both dims: targets are addressed inside the padded block
  dist::distribution<2> d({R, C}, {dist::block{}, dist::block{}}, world);
  bool fits = true;
  for (std::size_t k = 0; k < 2; ++k)
    for (int c = 0; c < d.map(k).procs(); ++c) fits = fits && d.map(k).local_size(c) >= 1;
  if (fits) {
    dist::array<double, 2> h(d, dist::halo{1, 1});
    h = dist::fromfunction<double>(d, initial);
    dist::fence(h);
    const dist::region<2> r{{1, 2}, {12, 9}};
    if (world.rank() == 0) dist::put(h, r, std::vector<double>(static_cast<std::size_t>(r.size()), 7.5));
    dist::fence(h);
    auto want = serial_initial();
    for (index_t i = 1; i < 12; ++i)
      for (index_t j = 2; j < 9; ++j) want[static_cast<std::size_t>(i * C + j)] = 7.5;
    EXPECT_EQ(dist::allgather(h), want);
  }
  // 1-d cyclic, complex
  dist::distribution<1> d1({23}, {dist::cyclic{}}, world);
  dist::array<std::complex<double>, 1> z(d1, std::complex<double>{1.0, -1.0});
  dist::fence(z);
  std::vector<std::complex<double>> zs(17);
  for (std::size_t k = 0; k < zs.size(); ++k) zs[k] = {static_cast<double>(k), 2.0};
  if (world.rank() == world.size() / 2) dist::accumulate(z, dist::region<1>{{3}, {20}}, zs);
  dist::fence(z);
  std::vector<std::complex<double>> zw(23, {1.0, -1.0});
  for (std::size_t k = 0; k < 17; ++k) zw[k + 3] += zs[k];
  EXPECT_EQ(dist::allgather(z), zw);
  EXPECT_EQ(dist::get(z, dist::region<1>{{0}, {23}}), zw);
  // bool: a put from one rank, a logical accumulate from another
  dist::array<bool, 1> f(dist::distribution<1>({10}, {dist::block_cyclic{3}}, world), false);
  dist::fence(f);
  const bool three[3] = {true, false, true};
  const bool two[2] = {true, true};
  if (world.rank() == 0) dist::put(f, dist::region<1>{{1}, {4}}, three);
  if (world.rank() == world.size() - 1) dist::accumulate(f, dist::region<1>{{7}, {9}}, two, MPI_LOR);
  dist::fence(f);
  const std::vector<bool> fw{false, true, false, true, false, false, false, true, true, false};
  EXPECT_EQ(dist::get(f, dist::region<1>{{0}, {10}}), fw);
  EXPECT_THROW(dist::accumulate(f, dist::region<1>{{0}, {2}}, two), dist::error);
}

TEST(rma, exposed_memory_never_moves) {
  dist::distribution<1> d({29}, {dist::block{}}, world);
  auto a = dist::fromfunction<double>(d, [](index_t i) { return static_cast<double>(i * i); });
  dist::fence(a);
  const double* p = a.local().data();
  // an aliased stencil (ghosts cannot grow, the spare block is copied back)
  a(slice{1, -1}) = a(slice{0, -2}) + a(slice{2, std::nullopt});
  EXPECT_EQ(a.local().data(), p);
  std::vector<double> want(29);
  for (index_t i = 0; i < 29; ++i) want[static_cast<std::size_t>(i)] = static_cast<double>(i * i);
  auto old = want;
  for (std::size_t i = 1; i + 1 < 29; ++i) want[i] = old[i - 1] + old[i + 1];
  EXPECT_EQ(dist::allgather(a), want);
  // move assignment copies into the exposed block
  a = dist::array<double, 1>(d, 2.0);
  EXPECT_EQ(a.local().data(), p);
  dist::fence(a);
  if (world.rank() == 0) dist::put(a, dist::region<1>{{27}, {29}}, std::vector<double>{-1.0, -2.0});
  dist::fence(a);
  std::vector<double> w2(29, 2.0);
  w2[27] = -1.0;
  w2[28] = -2.0;
  EXPECT_EQ(dist::allgather(a), w2);
  // swap takes the window along with the memory
  dist::array<double, 1> b(d, 0.0);
  swap(a, b);
  EXPECT_EQ(b.local().data(), p);
  if (world.rank() == world.size() - 1) dist::put(b, dist::region<1>{{0}, {1}}, std::vector<double>{9.0});
  dist::fence(b);
  w2[0] = 9.0;
  EXPECT_EQ(dist::allgather(b), w2);
  EXPECT_THROW(dist::get(a, dist::region<1>{{0}, {1}}), dist::error);  // a's new memory is not exposed
}

TEST(rma, ranks_with_empty_blocks) {
  // two rows over up to four ranks: some ranks expose nothing
  dist::distribution<2> d({2, 5}, {dist::block{}, dist::undistributed{}}, world);
  dist::array<double, 2> a(d, 1.0);
  dist::fence(a);
  if (world.rank() == world.size() - 1) dist::accumulate(a, dist::region<2>{{0, 1}, {2, 4}}, std::vector<double>(6, 2.0));
  dist::fence(a);
  EXPECT_EQ(dist::get(a, dist::region<2>{{0, 0}, {2, 5}}), (std::vector<double>{1, 3, 3, 3, 1, 1, 3, 3, 3, 1}));
  dist::fence(a);
  // values and regions written in place
  if (world.rank() == 0) dist::put(a, {{1, 0}, {2, 2}}, {-1.0, -2.0});
  if (world.rank() == world.size() - 1) dist::accumulate(a, {{0, 4}, {2, 5}}, {10.0, 20.0});
  dist::fence(a);
  EXPECT_EQ(dist::get(a, {{0, 0}, {2, 5}}), (std::vector<double>{1, 3, 3, 3, 11, -1, -2, 3, 3, 21}));
  dist::fence(a);
}

TEST(rma, three_dims_with_ghosts_and_every_kind) {
  // nested datatypes through three dims, several pieces per dim, ghost layers on the block dims
  const dist::shape<3> sh{7, 6, 9};
  for (const auto& specs : {std::array<dist::dim_spec, 3>{dist::block_cyclic{2}, dist::cyclic{}, dist::block{}},
                            std::array<dist::dim_spec, 3>{dist::block{}, dist::undistributed{}, dist::block{}}}) {
    dist::distribution<3> d(sh, {specs[0], specs[1], specs[2]}, world);
    const bool halo_fits = specs[0].index() == 0 && d.map(0).local_size(d.map(0).procs() - 1) >= 1 &&
                           d.map(2).local_size(d.map(2).procs() - 1) >= 1;
    dist::array<double, 3> a = halo_fits ? dist::array<double, 3>(d, dist::halo{1, 0, 1}) : dist::array<double, 3>(d);
    a = dist::fromfunction<double>(d, [](index_t i, index_t j, index_t k) { return static_cast<double>(100 * i + 10 * j + k); });
    dist::fence(a);
    const dist::region<3> r{{1, 1, 2}, {6, 5, 8}};
    std::vector<double> v(static_cast<std::size_t>(r.size()));
    for (std::size_t e = 0; e < v.size(); ++e) v[e] = -static_cast<double>(e);
    if (world.rank() == 0) dist::put(a, r, v);
    dist::fence(a);
    std::vector<double> want(static_cast<std::size_t>(7 * 6 * 9));
    for (index_t i = 0; i < 7; ++i)
      for (index_t j = 0; j < 6; ++j)
        for (index_t k = 0; k < 9; ++k) want[static_cast<std::size_t>((i * 6 + j) * 9 + k)] = static_cast<double>(100 * i + 10 * j + k);
    for (index_t i = 1, e = 0; i < 6; ++i)
      for (index_t j = 1; j < 5; ++j)
        for (index_t k = 2; k < 8; ++k, ++e) want[static_cast<std::size_t>((i * 6 + j) * 9 + k)] = v[static_cast<std::size_t>(e)];
    EXPECT_EQ(dist::allgather(a), want);
    // and read back a different box from the last rank
    const dist::region<3> q{{0, 2, 1}, {7, 6, 4}};
    if (world.rank() == world.size() - 1) {
      const auto got = dist::get(a, q);
      for (index_t i = 0, e = 0; i < 7; ++i)
        for (index_t j = 2; j < 6; ++j)
          for (index_t k = 1; k < 4; ++k, ++e)
            EXPECT_EQ(got[static_cast<std::size_t>(e)], want[static_cast<std::size_t>((i * 6 + j) * 9 + k)]);
    }
    dist::fence(a);
  }
}

TEST(rma, bad_input) {
  dist::distribution<2> d({R, C}, {dist::block{}, dist::cyclic{}}, world);
  dist::array<double, 2> a(d, 0.0);
  EXPECT_THROW(dist::get(a, dist::region<2>{{0, 0}, {1, 1}}), dist::error);  // not exposed yet
  dist::fence(a);
  EXPECT_THROW(dist::get(a, dist::region<2>{{0, 0}, {R + 1, 1}}), dist::index_error);
  EXPECT_THROW(dist::get(a, dist::region<2>{{-1, 0}, {1, 1}}), dist::index_error);
  EXPECT_THROW(dist::get(a, dist::region<2>{{3, 0}, {2, 1}}), dist::index_error);
  EXPECT_THROW(dist::put(a, dist::region<2>{{0, 0}, {2, 2}}, std::vector<double>(3)), dist::shape_error);
  dist::fence(a);
  // unstructured dims: refused on every rank before any window is made
  dist::distribution<1> u({17}, {dist::unstructured{test_util::random_part(17, world.size(), world.rank(), 7)}}, world);
  dist::array<double, 1> ua(u, 1.0);
  EXPECT_THROW(dist::fence(ua), dist::distribution_error);
  EXPECT_DOUBLE_EQ(dist::sum(ua), 17.0);  // and nothing is left hanging
}

}  // namespace
