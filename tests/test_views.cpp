// Views: reading, writing, views of views, integer indices,
// misaligned operands and aliasing, on every distribution kind, against a
// serial reference computed on every rank.
#include <gtest/gtest.h>

#include <cmath>
#include <dist/dist.hpp>
#include <optional>
#include <stdexcept>
#include <vector>

#include "test_util.hpp"

using dist::index_t;
using dist::slice;
using std::nullopt;

namespace {

dist::communicator world;

// Indices a slice picks from 0..n-1 (Python's rules, via the tested normalise).
std::vector<index_t> picks(const slice& s, index_t n) {
  const auto r = dist::detail::normalise(s, n);
  std::vector<index_t> v;
  for (index_t i = 0; i < r.count; ++i) v.push_back(r.start + r.step * i);
  return v;
}

std::vector<slice> some_slices() {
  return {slice{},           slice{1, -1},        slice{0, -2},          slice{2, nullopt}, slice{3, 17, 2},
          slice{nullopt, nullopt, -1}, slice{-3, 2, -3}, slice{5, 6},     slice{7, 7},       slice{-100, 100, 4},
          slice{20, 1, -1}};
}

double value(index_t i) { return 0.5 * static_cast<double>(i * i % 37) - 3.0; }
double value2(index_t i, index_t j) { return static_cast<double>(100 * i + j); }

// sets how aliased stencils keep a second block for one scope
struct double_buffering_as {
  dist::detail::double_buffer was = dist::detail::double_buffering();
  explicit double_buffering_as(dist::detail::double_buffer m) { dist::detail::double_buffering() = m; }
  ~double_buffering_as() { dist::detail::double_buffering() = was; }
};

dist::distribution<1> dist1(index_t n, const dist::dim_spec& spec) { return dist::distribution<1>({n}, {spec}, world); }

TEST(views, read_1d_every_kind) {
  const index_t n = 23;
  std::vector<double> ref(n);
  for (index_t i = 0; i < n; ++i) ref[static_cast<std::size_t>(i)] = value(i);
  for (const auto& spec : test_util::all_kinds(n, world, 7)) {
    auto a = dist::fromfunction<double>(dist1(n, spec), [](index_t i) { return value(i); });
    for (const auto& s : some_slices()) {
      const auto idx = picks(s, n);
      auto v = a(s);
      ASSERT_EQ(v.shape()[0], static_cast<index_t>(idx.size()));
      // as a new array (its own layout), and into a default-distributed array
      auto copy = dist::eval(v);
      auto got = dist::allgather(copy);
      ASSERT_EQ(got.size(), idx.size());
      for (std::size_t k = 0; k < idx.size(); ++k) EXPECT_EQ(got[k], ref[static_cast<std::size_t>(idx[k])]);
      dist::array<double, 1> d(dist::distribution<1>({v.shape()[0]}, world));
      d = 2.0 * v + 1.0;
      got = dist::allgather(d);
      for (std::size_t k = 0; k < idx.size(); ++k) EXPECT_EQ(got[k], 2.0 * ref[static_cast<std::size_t>(idx[k])] + 1.0);
      // reductions over views
      double want = 0;
      for (auto i : idx) want += ref[static_cast<std::size_t>(i)];
      EXPECT_NEAR(dist::sum(v), want, 1e-12);
    }
  }
}

TEST(views, write_1d_every_kind) {
  const index_t n = 23;
  for (const auto& spec : test_util::all_kinds(n, world, 11)) {
    for (const auto& s : some_slices()) {
      auto a = dist::fromfunction<double>(dist1(n, spec), [](index_t i) { return value(i); });
      std::vector<double> ref(n);
      for (index_t i = 0; i < n; ++i) ref[static_cast<std::size_t>(i)] = value(i);
      const auto idx = picks(s, n);
      const auto m = static_cast<index_t>(idx.size());
      auto src = dist::fromfunction<double>(dist::distribution<1>({m}, {dist::cyclic{}}, world),
                                            [](index_t k) { return 1000.0 + static_cast<double>(k); });
      a(s) = src * 2.0;
      for (index_t k = 0; k < m; ++k) ref[static_cast<std::size_t>(idx[static_cast<std::size_t>(k)])] = 2.0 * (1000.0 + static_cast<double>(k));
      EXPECT_EQ(dist::allgather(a), ref);
      a(s) += 1.0;  // scalar compound
      for (auto i : idx) ref[static_cast<std::size_t>(i)] += 1.0;
      EXPECT_EQ(dist::allgather(a), ref);
      a(s) = -7.0;  // scalar assignment
      for (auto i : idx) ref[static_cast<std::size_t>(i)] = -7.0;
      EXPECT_EQ(dist::allgather(a), ref);
    }
  }
}

TEST(views, aliasing_shift_1d_every_kind) {
  // a[1:] = a[:-1] + a[1:] (NumPy evaluates the right side first), then the reverse direction
  const index_t n = 19;
  for (const auto& spec : test_util::all_kinds(n, world, 3)) {
    auto a = dist::fromfunction<double>(dist1(n, spec), [](index_t i) { return value(i); });
    std::vector<double> ref(n), old;
    for (index_t i = 0; i < n; ++i) ref[static_cast<std::size_t>(i)] = value(i);
    a(slice{1, nullopt}) = a(slice{0, -1}) + a(slice{1, nullopt});
    old = ref;
    for (index_t i = 1; i < n; ++i) ref[static_cast<std::size_t>(i)] = old[static_cast<std::size_t>(i - 1)] + old[static_cast<std::size_t>(i)];
    EXPECT_EQ(dist::allgather(a), ref);
    a(slice{0, -2}) = a(slice{2, nullopt}) * 3.0;
    old = ref;
    for (index_t i = 0; i + 2 < n; ++i) ref[static_cast<std::size_t>(i)] = 3.0 * old[static_cast<std::size_t>(i + 2)];
    EXPECT_EQ(dist::allgather(a), ref);
    a(slice{nullopt, nullopt, -1}) = a;  // reverse in place
    old = ref;
    for (index_t i = 0; i < n; ++i) ref[static_cast<std::size_t>(i)] = old[static_cast<std::size_t>(n - 1 - i)];
    EXPECT_EQ(dist::allgather(a), ref);
    a(slice{1, nullopt}) += a(slice{0, -1});  // compound with a shifted self
    old = ref;
    for (index_t i = 1; i < n; ++i) ref[static_cast<std::size_t>(i)] = old[static_cast<std::size_t>(i)] + old[static_cast<std::size_t>(i - 1)];
    EXPECT_EQ(dist::allgather(a), ref);
  }
}

TEST(views, two_d_kinds_indices_and_views_of_views) {
  const index_t n0 = 11, n1 = 7;
  const std::vector<dist::dim_spec> specs = {dist::block{}, dist::cyclic{}, dist::block_cyclic{2}, dist::undistributed{}};
  for (const auto& s0 : specs)
    for (const auto& s1 : specs) {
      dist::distribution<2> D({n0, n1}, {s0, s1}, world);
      auto a = dist::fromfunction<double>(D, [](index_t i, index_t j) { return value2(i, j); });
      // a row, a column, a strided sub-block, a reversed view of a view
      auto row = dist::allgather(dist::eval(a(3, dist::all())));
      for (index_t j = 0; j < n1; ++j) EXPECT_EQ(row[static_cast<std::size_t>(j)], value2(3, j));
      auto col = dist::allgather(dist::eval(a(slice{1, nullopt, 2}, -2)));
      ASSERT_EQ(col.size(), 5u);
      for (index_t k = 0; k < 5; ++k) EXPECT_EQ(col[static_cast<std::size_t>(k)], value2(1 + 2 * k, n1 - 2));
      auto sub = a(slice{1, -1}, slice{nullopt, nullopt, -2});  // rows 1..9, cols 6,4,2,0
      auto vv = sub(slice{nullopt, nullopt, -3}, slice{1, 3});  // rows 9,6,3; cols 4,2
      ASSERT_EQ(vv.shape(), (dist::shape<2>{3, 2}));
      auto got = dist::allgather(dist::eval(vv));
      const index_t rows[] = {9, 6, 3}, cols[] = {4, 2};
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 2; ++c) EXPECT_EQ(got[static_cast<std::size_t>(2 * r + c)], value2(rows[r], cols[c]));
      EXPECT_EQ(dist::allgather(dist::eval(sub(2, slice{}))), dist::allgather(dist::eval(a(3, slice{nullopt, nullopt, -2}))));
      // broadcasting a row view into a column of another array, and writing through a view of a view
      dist::array<double, 2> b(D);
      b(slice{}, 2) = a(slice{}, 5) * 2.0;                           // column <- column
      b(slice{2, 4}, slice{}) = a(7, slice{});                       // two rows <- one row (broadcast)
      sub(0, slice{}) = 1.5;                                         // row 1 of a, cols 6,4,2,0
      std::vector<double> ref_b(static_cast<std::size_t>(n0 * n1), 0.0), ref_a(static_cast<std::size_t>(n0 * n1));
      for (index_t i = 0; i < n0; ++i)
        for (index_t j = 0; j < n1; ++j) ref_a[static_cast<std::size_t>(i * n1 + j)] = value2(i, j);
      for (index_t i = 0; i < n0; ++i) ref_b[static_cast<std::size_t>(i * n1 + 2)] = 2.0 * value2(i, 5);
      for (index_t i = 2; i < 4; ++i)
        for (index_t j = 0; j < n1; ++j) ref_b[static_cast<std::size_t>(i * n1 + j)] = value2(7, j);
      for (index_t j = 0; j < n1; j += 2) ref_a[static_cast<std::size_t>(1 * n1 + (n1 - 1 - j))] = 1.5;
      EXPECT_EQ(dist::allgather(b), ref_b);
      EXPECT_EQ(dist::allgather(a), ref_a);
      EXPECT_NEAR(dist::sum(a(slice{1, -1}, slice{1, -1})), [&] {
        double s = 0;
        for (index_t i = 1; i < n0 - 1; ++i)
          for (index_t j = 1; j < n1 - 1; ++j) s += ref_a[static_cast<std::size_t>(i * n1 + j)];
        return s;
      }(), 1e-9);
    }
}

TEST(views, misaligned_stencil_2d_every_kind) {
  // the 5-point average of the Laplace statement, on block rows, block x block, cyclic and unstructured
  const index_t n0 = 13, n1 = 10;
  const auto kinds = test_util::all_kinds(n0, world, 5);
  for (std::size_t k = 0; k < kinds.size(); ++k) {
    const dist::dim_spec s1 = k == 1 ? dist::dim_spec{dist::block{}} : dist::dim_spec{dist::undistributed{}};
    dist::distribution<2> D = k == 1 ? dist::distribution<2>({n0, n1}, {dist::block{}, dist::block{}}, world)
                                     : dist::distribution<2>({n0, n1}, {kinds[k], s1}, world);
    auto u = dist::fromfunction<double>(D, [](index_t i, index_t j) { return std::sin(0.3 * static_cast<double>(i) + 0.7 * static_cast<double>(j)); });
    std::vector<double> ref = dist::allgather(u), old;
    for (int it = 0; it < 3; ++it) {
      u(slice{1, -1}, slice{1, -1}) = 0.25 * (u(slice{0, -2}, slice{1, -1}) + u(slice{2, nullopt}, slice{1, -1}) +
                                              u(slice{1, -1}, slice{0, -2}) + u(slice{1, -1}, slice{2, nullopt}));
      old = ref;
      auto at = [&](index_t i, index_t j) { return old[static_cast<std::size_t>(i * n1 + j)]; };
      for (index_t i = 1; i < n0 - 1; ++i)
        for (index_t j = 1; j < n1 - 1; ++j)
          ref[static_cast<std::size_t>(i * n1 + j)] = 0.25 * (at(i - 1, j) + at(i + 1, j) + at(i, j - 1) + at(i, j + 1));
    }
    const auto got = dist::allgather(u);
    ASSERT_EQ(got.size(), ref.size());
    for (std::size_t e = 0; e < ref.size(); ++e) EXPECT_NEAR(got[e], ref[e], 1e-14) << "kind " << k << " element " << e;
    // the result also lands in another array of u's distribution, and views of u still read the new values
    dist::array<double, 2> w(D);
    w(slice{1, -1}, slice{}) = u(slice{2, nullopt}, slice{}) - u(slice{0, -2}, slice{});
    const auto wg = dist::allgather(w);
    for (index_t i = 1; i < n0 - 1; ++i)
      for (index_t j = 0; j < n1; ++j)
        EXPECT_NEAR(wg[static_cast<std::size_t>(i * n1 + j)], ref[static_cast<std::size_t>((i + 1) * n1 + j)] - ref[static_cast<std::size_t>((i - 1) * n1 + j)], 1e-14);
  }
}

TEST(views, axis_reductions_of_views) {
  const index_t n0 = 10, n1 = 7;
  for (const auto& specs : {std::array<dist::dim_spec, 2>{dist::block{}, dist::undistributed{}},
                            std::array<dist::dim_spec, 2>{dist::cyclic{}, dist::block{}}}) {
    dist::distribution<2> D({n0, n1}, specs, world);
    auto a = dist::fromfunction<double>(D, [](index_t i, index_t j) { return value2(i, j); });
    auto v = a(slice{1, -1}, slice{nullopt, nullopt, -2});  // rows 1..8, cols 6,4,2,0
    const auto s0 = dist::allgather(dist::sum(v, 0));
    const auto s1 = dist::allgather(dist::max(v, 1));
    ASSERT_EQ(s0.size(), 4u);
    ASSERT_EQ(s1.size(), 8u);
    for (index_t c = 0; c < 4; ++c) {
      double want = 0;
      for (index_t i = 1; i < n0 - 1; ++i) want += value2(i, n1 - 1 - 2 * c);
      EXPECT_NEAR(s0[static_cast<std::size_t>(c)], want, 1e-9);
    }
    for (index_t r = 0; r < 8; ++r) EXPECT_EQ(s1[static_cast<std::size_t>(r)], value2(r + 1, n1 - 1));
  }
}

TEST(views, a_loop_plans_once) {
  // a misaligned statement over cyclic slices (unstructured layouts, alignment plans) evaluated in a loop
  const index_t n = 29;
  for (const dist::dim_spec& spec : {dist::dim_spec{dist::cyclic{}}, dist::dim_spec{dist::block_cyclic{4}}}) {
    auto a = dist::fromfunction<double>(dist1(n, spec), [](index_t i) { return value(i); });
    dist::array<double, 1> b(dist1(n, dist::block{}));
    auto step = [&] { b(slice{1, -1}) = a(slice{0, -2}) + a(slice{2, nullopt}) * 0.5; };
    step();
    const long long planned = dist::detail::alignment_plans_built;
    for (int it = 0; it < 10; ++it) step();
    EXPECT_EQ(dist::detail::alignment_plans_built, planned);
    const auto got = dist::allgather(b);
    EXPECT_EQ(got[0], 0.0);
    for (index_t i = 1; i + 1 < n; ++i) EXPECT_EQ(got[static_cast<std::size_t>(i)], value(i - 1) + value(i + 1) * 0.5);
  }
}

TEST(views, in_place_stencils_longer_than_a_piece) {
  // Stencils reading their own target are computed in place through a short
  // queue of row pieces (2048 elements): rows longer than a piece, reads
  // behind and ahead of the written position, strided and compound
  // destinations, a 3-D stencil reading the plane above, and a 1-D one.
  // (Never double-buffered here, so every statement takes that path.)
  const double_buffering_as in_place(dist::detail::double_buffer::never);
  const index_t n0 = 260, n1 = 4500;  // >= 64 rows per rank at 2-4 ranks: implicit ghosts grow into the slack rows
  const dist::distribution<2> D({n0, n1}, world);
  auto f = [](index_t i, index_t j) { return std::sin(0.01 * static_cast<double>(i * 37 + j)) + static_cast<double>(j % 7); };
  auto u = dist::fromfunction<double>(D, f);
  std::vector<double> ref(static_cast<std::size_t>(n0 * n1)), old;
  for (index_t i = 0; i < n0; ++i)
    for (index_t j = 0; j < n1; ++j) ref[static_cast<std::size_t>(i * n1 + j)] = f(i, j);
  const auto at = [&](index_t i, index_t j) { return old[static_cast<std::size_t>(i * n1 + j)]; };
  auto& r = ref;
  const auto set = [&](index_t i, index_t j, double v) { r[static_cast<std::size_t>(i * n1 + j)] = v; };
  const double* block = u.local_data().data();
  const slice in{1, -1}, lo{0, -2}, hi{2, nullopt};
  u(in, in) = 0.25 * (u(lo, in) + u(hi, in) + u(in, lo) + u(in, hi));
  old = ref;
  for (index_t i = 1; i < n0 - 1; ++i)
    for (index_t j = 1; j < n1 - 1; ++j) set(i, j, 0.25 * (at(i - 1, j) + at(i + 1, j) + at(i, j - 1) + at(i, j + 1)));
  test_util::expect_close(dist::allgather(u), ref, 1e-15, "5-point stencil");
  // the ghost rows the stencil needed came out of the slack (blocks of >= 64 rows): the block did not move
  if (n0 / world.size() >= 64) {
    EXPECT_EQ(u.local_data().data(), block);
  }
  u(lo, slice{}) = u(hi, slice{}) - 0.5 * u(lo, slice{});  // reads ahead only
  old = ref;
  for (index_t i = 0; i < n0 - 2; ++i)
    for (index_t j = 0; j < n1; ++j) set(i, j, at(i + 2, j) - 0.5 * at(i, j));
  test_util::expect_close(dist::allgather(u), ref, 1e-15, "reads ahead");
  u(in, in) += u(lo, hi) * 0.5;  // compound, a diagonal neighbour
  old = ref;
  for (index_t i = 1; i < n0 - 1; ++i)
    for (index_t j = 1; j < n1 - 1; ++j) set(i, j, at(i, j) + at(i - 1, j + 1) * 0.5);
  test_util::expect_close(dist::allgather(u), ref, 1e-15, "compound");
  u(slice{1, -1, 3}, slice{2, nullopt, 2}) = u(slice{0, -2, 3}, slice{0, -2, 2}) - u(slice{2, nullopt, 3}, slice{2, nullopt, 2});  // strided
  old = ref;
  for (index_t i = 1; i < n0 - 1; i += 3)
    for (index_t j = 2; j < n1; j += 2) set(i, j, at(i - 1, j - 2) - at(i + 1, j));
  test_util::expect_close(dist::allgather(u), ref, 1e-15, "strided");

  // 3-D: the plane above and the row above (ring of a plane)
  const index_t m0 = 9, m1 = 70, m2 = 2100;
  const dist::distribution<3> D3({m0, m1, m2}, {dist::undistributed{}, dist::block{}, dist::undistributed{}}, world);
  auto g = [](index_t i, index_t j, index_t k) { return static_cast<double>((i * 131 + j * 17 + k) % 1000) * 0.001; };
  auto w = dist::fromfunction<double>(D3, g);
  std::vector<double> ref3(static_cast<std::size_t>(m0 * m1 * m2));
  for (index_t i = 0; i < m0; ++i)
    for (index_t j = 0; j < m1; ++j)
      for (index_t k = 0; k < m2; ++k) ref3[static_cast<std::size_t>((i * m1 + j) * m2 + k)] = g(i, j, k);
  const slice all{};
  w(slice{1, nullopt}, all, all) = w(slice{0, -1}, all, all) * 2.0 + w(slice{1, nullopt}, all, all);
  const auto old3 = ref3;
  for (index_t i = 1; i < m0; ++i)
    for (index_t j = 0; j < m1; ++j)
      for (index_t k = 0; k < m2; ++k) {
        const auto e = static_cast<std::size_t>((i * m1 + j) * m2 + k);
        ref3[e] = old3[e - static_cast<std::size_t>(m1 * m2)] * 2.0 + old3[e];
      }
  test_util::expect_close(dist::allgather(w), ref3, 1e-15, "3-D plane above");

  // 1-D: one row of many pieces; integers
  const index_t n = 10007;
  for (const auto& spec : test_util::all_kinds(n, world, 11)) {
    auto a = dist::fromfunction<long>(dist1(n, spec), [](index_t i) { return static_cast<long>(i % 97) - 40; });
    std::vector<long> want(static_cast<std::size_t>(n));
    for (index_t i = 0; i < n; ++i) want[static_cast<std::size_t>(i)] = static_cast<long>(i % 97) - 40;
    a(slice{1, -1}) += a(slice{0, -2}) * 3 - a(slice{2, nullopt});
    const auto was = want;
    for (index_t i = 1; i < n - 1; ++i)
      want[static_cast<std::size_t>(i)] = was[static_cast<std::size_t>(i)] + was[static_cast<std::size_t>(i - 1)] * 3 - was[static_cast<std::size_t>(i + 1)];
    EXPECT_EQ(dist::allgather(a), want);
  }
}

TEST(views, repeated_stencils_switch_to_two_blocks) {
  // A stencil repeated in a loop runs in place first, then (once the spare
  // block has been written a share per statement) into the spare block,
  // swapped in: the same values every way, on every rank, and the block
  // moves only when two blocks are allowed.
  const index_t n0 = 201, n1 = 37;
  const dist::distribution<2> D({n0, n1}, world);
  const auto f = [](index_t i, index_t j) { return std::cos(0.1 * static_cast<double>(i)) + 0.01 * static_cast<double>(j * j % 13); };
  std::vector<double> ref(static_cast<std::size_t>(n0 * n1));
  for (index_t i = 0; i < n0; ++i)
    for (index_t j = 0; j < n1; ++j) ref[static_cast<std::size_t>(i * n1 + j)] = f(i, j);
  // (blocks below 8 MiB are not on huge pages: by_page_size schedules as on 4 KiB pages)
  const auto sched = dist::detail::small_page_spare;
  const int steps = static_cast<int>(sched.in_place + sched.pieces) + 3;
  for (int s = 0; s < steps; ++s) {
    const auto old = ref;
    const auto at = [&](index_t i, index_t j) { return old[static_cast<std::size_t>(i * n1 + j)]; };
    for (index_t i = 1; i < n0 - 1; ++i)
      for (index_t j = 1; j < n1 - 1; ++j)
        ref[static_cast<std::size_t>(i * n1 + j)] = 0.2 * (at(i - 1, j) + at(i + 1, j) + at(i, j - 1) + at(i, j + 1)) + 0.2 * at(i, j);
  }
  using mode = dist::detail::double_buffer;
  for (const mode m : {mode::never, mode::by_page_size, mode::always}) {
    const double_buffering_as as(m);
    auto u = dist::fromfunction<double>(D, f);
    const slice in{1, -1}, lo{0, -2}, hi{2, nullopt};
    u(in, in) = u(in, in) * 1.0;  // not a stencil: grows no ghosts, keeps no spare
    const double* block = u.local_data().data();
    std::vector<const double*> blocks;
    for (int s = 0; s < steps; ++s) {
      u(in, in) = 0.2 * (u(lo, in) + u(hi, in) + u(in, lo) + u(in, hi)) + 0.2 * u(in, in);
      blocks.push_back(u.local_data().data());
    }
    test_util::expect_close(dist::allgather(u), ref, 1e-14, "repeated stencil");
    // the first `in_place` statements in place; the next `pieces` write the spare a share each,
    // and from the last of them on the blocks alternate (the first statement's ghost rows came
    // from the slack rows at >= 64 rows per rank)
    const bool slack = n0 / world.size() >= 64;
    if (m == mode::never) {
      if (slack) {
        for (const double* b : blocks) EXPECT_EQ(b, block);
      }
    } else {
      const auto s = m == mode::always ? dist::detail::immediate_spare : sched;
      const int last = static_cast<int>(s.in_place + s.pieces) - 1;  // the statement that writes the spare's last share, then swaps
      const auto at = [&](int i) { return blocks[static_cast<std::size_t>(i)]; };
      if (slack && last > 0) {
        EXPECT_EQ(at(0), block);
      }
      for (int i = 1; i < last; ++i) EXPECT_EQ(at(i), at(0)) << i;
      if (last > 0) {
        EXPECT_NE(at(last), at(last - 1));
        EXPECT_EQ(at(last + 1), at(last - 1));
      } else if (slack) {
        EXPECT_NE(at(0), block);
        EXPECT_EQ(at(1), block);
      }
      EXPECT_EQ(at(last + 2), at(last));
    }
  }
}

TEST(views, repeated_stencils_on_huge_pages_move_early) {
  // Blocks of 8 MiB and more ask for huge pages; there the spare's first
  // touch is cheap, so the move to two blocks follows huge_page_spare (a few
  // statements in place, a few preparing the spare), with the values of
  // the statement computed in place every time.
  const index_t rows = 1030, n1 = 1024;  // 8.05 MiB of doubles per rank
  const dist::distribution<2> D({rows * world.size(), n1}, world);
  const auto f = [](index_t i, index_t j) { return std::sin(0.01 * static_cast<double>(i)) + 1e-3 * static_cast<double>(j % 17); };
  const slice in{1, -1}, lo{0, -2}, hi{2, nullopt};
  const auto sched = dist::detail::huge_page_spare;
  const int last = static_cast<int>(sched.in_place + sched.pieces) - 1, steps = last + 3;
  const auto step = [&](dist::array<double, 2>& u) { u(in, in) = 0.25 * (u(lo, in) + u(hi, in) + u(in, lo) + u(in, hi)); };
  using mode = dist::detail::double_buffer;
  dist::array<double, 2> ref = dist::fromfunction<double>(D, f);
  {
    const double_buffering_as as(mode::never);
    for (int s = 0; s < steps; ++s) step(ref);
  }
  const double_buffering_as as(mode::by_page_size);
  auto u = dist::fromfunction<double>(D, f);
  const bool huge = dist::detail::storage::data(u).huge();  // (DIST_HUGE_PAGES=0: small pages' schedule, not checked here)
  std::vector<const double*> blocks;
  for (int s = 0; s < steps; ++s) {
    step(u);
    blocks.push_back(u.local_data().data());
  }
  const auto got = u.local_data(), want = ref.local_data();
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-14) << i;
  if (huge) {
    const auto at = [&](int i) { return blocks[static_cast<std::size_t>(i)]; };
    for (int i = 1; i < last; ++i) EXPECT_EQ(at(i), at(0)) << i;
    EXPECT_NE(at(last), at(last - 1));
    EXPECT_EQ(at(last + 1), at(last - 1));
    EXPECT_EQ(at(last + 2), at(last));
  }
}

TEST(views, aliased_stencil_with_a_throwing_callable_changes_nothing) {
  // a user callable throwing on one rank in a statement reading its own
  // target: every rank raises, and every rank's array is as it was
  const index_t n0 = 130, n1 = 50;
  const dist::distribution<2> D({n0, n1}, world);
  auto u = dist::fromfunction<double>(D, [](index_t i, index_t j) { return static_cast<double>(i * n1 + j); });
  const auto before = dist::allgather(u);
  const int thrower = world.size() - 1;
  auto f = dist::vectorize([&](double a, double b) {
    if (world.rank() == thrower && a > static_cast<double>(n0 * n1 / 2)) throw std::domain_error("callable failed");
    return a + b;
  });
  const slice in{1, -1}, lo{0, -2}, hi{2, nullopt};
  EXPECT_THROW(u(in, slice{}) = f(u(lo, slice{}), u(hi, slice{})), dist::error);
  EXPECT_EQ(dist::allgather(u), before);
}

TEST(views, errors) {
  dist::distribution<2> D({5, 4}, world);
  dist::array<double, 2> a(D);
  EXPECT_THROW(a(5, slice{}), dist::index_error);
  EXPECT_THROW(a(-6, slice{}), dist::index_error);
  EXPECT_THROW(a(slice{0, 4, 0}, slice{}), dist::index_error);
  EXPECT_THROW(a(slice{0, 2}, slice{}) = a(slice{0, 3}, slice{}), dist::shape_error);  // on every rank, before communicating
  dist::array<double, 1> b(dist::distribution<1>({3}, world));
  EXPECT_THROW(a(slice{}, 1) = b, dist::shape_error);
  auto v = a(slice{}, 1);
  EXPECT_THROW(v(slice{0, 3, 0}), dist::index_error);
}

}  // namespace
