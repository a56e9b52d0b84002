// NumPy's shape manipulation (SPEC 12): reshape, ravel, roll, concatenate,
// stack, diag, diagonal, trace, diff, against serial references computed
// here, on every rank, over every layout kind with uneven extents.
#include <gtest/gtest.h>

#include <dist/dist.hpp>
#include <functional>
#include <vector>

#include "test_util.hpp"

using dist::index_t;

namespace {
dist::communicator world;

double val(index_t f) { return 0.5 * static_cast<double>(f) - 3.0; }

/// Every pair of layout kinds for a (r, c) array (unstructured included).
std::vector<dist::distribution<2>> layouts2(index_t r, index_t c, unsigned seed) {
  std::vector<dist::distribution<2>> out;
  const auto k0 = test_util::all_kinds(r, world, seed), k1 = test_util::all_kinds(c, world, seed + 1);
  for (const auto& a : k0)
    for (const auto& b : k1) {
      // one dim over the whole communicator, the other undistributed, and a few 2-D grids
      out.emplace_back(dist::shape<2>{r, c}, std::array<dist::dim_spec, 2>{a, dist::undistributed{}}, world);
      if (!std::holds_alternative<dist::unstructured>(b))
        out.emplace_back(dist::shape<2>{r, c}, std::array<dist::dim_spec, 2>{dist::undistributed{}, b}, world);
    }
  if (world.size() == 4) {
    for (const auto& a : {dist::dim_spec{dist::block{}}, dist::dim_spec{dist::cyclic{}}, dist::dim_spec{dist::block_cyclic{2}}})
      for (const auto& b : {dist::dim_spec{dist::block{}}, dist::dim_spec{dist::cyclic{}}, dist::dim_spec{dist::block_cyclic{3}}})
        out.emplace_back(dist::shape<2>{r, c}, std::array<dist::dim_spec, 2>{a, b}, world, dist::grid{2, 2});
  }
  return out;
}

template <std::size_t N>
dist::array<double, N> iota_on(const dist::distribution<N>& d) {
  const auto st = dist::detail::row_major_strides(d.shape());
  return dist::fromfunction<double>(d, [&](const dist::index<N>& ix) {
    index_t f = 0;
    for (std::size_t k = 0; k < N; ++k) f += ix[k] * st[k];
    return val(f);
  });
}

std::vector<double> iota_ref(index_t n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (index_t f = 0; f < n; ++f) v[static_cast<std::size_t>(f)] = val(f);
  return v;
}
}  // namespace

TEST(shape, reshape_between_every_layout) {
  const index_t r = 5, c = 7, n = r * c;
  const auto ref = iota_ref(n);
  const auto targets1 = test_util::all_kinds(n, world, 17);
  for (const auto& d : layouts2(r, c, 3)) {
    const auto a = iota_on(d);
    // onto 1-D layouts of every kind
    for (const auto& spec : targets1) {
      const dist::distribution<1> d1({n}, {spec}, world);
      const auto b = dist::reshape(a, d1);
      EXPECT_TRUE(b.distribution() == d1);
      EXPECT_EQ(dist::allgather(b), ref) << d.describe() << " -> " << d1.describe();
    }
    // onto other 2-D and 3-D shapes, -1 resolved
    const auto b = dist::reshape(a, {7, -1});
    EXPECT_EQ(b.shape(), (dist::shape<2>{7, 5}));
    EXPECT_EQ(dist::allgather(b), ref) << d.describe();
    const auto c3 = dist::reshape(a, dist::shape<3>{5, 1, 7});
    EXPECT_EQ(dist::allgather(c3), ref) << d.describe();
    const dist::distribution<3> d3({1, 35, 1}, {dist::undistributed{}, dist::cyclic{}, dist::undistributed{}}, world);
    EXPECT_EQ(dist::allgather(dist::reshape(a, d3)), ref) << d.describe();
    // and back from 1-D onto this layout
    const auto flat = dist::ravel(a);
    EXPECT_EQ(flat.shape(), (dist::shape<1>{n}));
    const auto back = dist::reshape(flat, d);
    EXPECT_EQ(dist::allgather(back), ref) << d.describe();
  }
}

TEST(shape, reshape_of_expressions_empty_and_replicated) {
  const dist::distribution<2> d({6, 4}, {dist::block_cyclic{2}, dist::undistributed{}}, world);
  const auto a = iota_on(d);
  const auto b = dist::ravel(2.0 * a + 1.0);
  std::vector<double> want = iota_ref(24);
  for (double& x : want) x = 2.0 * x + 1.0;
  EXPECT_EQ(dist::allgather(b), want);
  // replicated source and destination
  const dist::distribution<2> rep({6, 4}, {dist::undistributed{}, dist::undistributed{}}, world);
  const auto ra = iota_on(rep);
  EXPECT_EQ(dist::allgather(dist::reshape(ra, {3, 8})), iota_ref(24));
  const dist::distribution<1> rep1({24}, {dist::undistributed{}}, world);
  const auto rb = dist::reshape(a, rep1);
  EXPECT_EQ(dist::allgather(rb), iota_ref(24));
  EXPECT_EQ(std::vector<double>(rb.local_data().begin(), rb.local_data().end()), iota_ref(24));
  // empty arrays and more ranks than elements
  const dist::distribution<2> e({0, 3}, world);
  EXPECT_EQ(dist::reshape(dist::zeros<double>(e), {3, 0}).shape(), (dist::shape<2>{3, 0}));
  const dist::distribution<2> tiny({1, 2}, {dist::undistributed{}, dist::cyclic{}}, world);
  EXPECT_EQ(dist::allgather(dist::reshape(iota_on(tiny), {2, 1})), iota_ref(2));
}

TEST(shape, reshape_errors_on_every_rank) {
  const auto a = dist::zeros<double>(dist::distribution<2>({5, 7}, world));
  EXPECT_THROW(dist::reshape(a, {6, 6}), dist::shape_error);
  EXPECT_THROW(dist::reshape(a, {-1, -1}), dist::shape_error);
  EXPECT_THROW(dist::reshape(a, {4, -1}), dist::shape_error);
  EXPECT_THROW(dist::reshape(a, {-2, 35}), dist::shape_error);
  EXPECT_THROW(dist::reshape(a, dist::distribution<1>({34}, world)), dist::shape_error);
  const auto b = dist::reshape(a, {35});  // still usable afterwards
  EXPECT_EQ(b.shape()[0], 35);
}

TEST(shape, flat_plans_are_cached_and_small) {
  const dist::distribution<2> d({9, 11}, {dist::block{}, dist::undistributed{}}, world);
  const auto a = iota_on(d);
  (void)dist::ravel(a);
  const long long before = dist::detail::flat_plans_built;
  for (int i = 0; i < 3; ++i) (void)dist::ravel(a);
  EXPECT_EQ(dist::detail::flat_plans_built, before);
  // a plan's size follows runs and peers, not elements
  const int P = world.size();
  const dist::distribution<2> big({4096, 4096}, {dist::block{}, dist::undistributed{}}, world);
  const dist::distribution<1> flat({4096 * 4096}, world);
  const dist::flat_plan<2, 1> p(big, flat, dist::detail::flat_walk::whole(1 << 24), dist::detail::flat_walk::whole(1 << 24));
  EXPECT_LE(p.run_groups(), static_cast<std::size_t>(4 * P));
  const dist::distribution<2> grid2({4096, 4096}, {dist::block{}, dist::block{}}, world);
  const dist::flat_plan<2, 1> q(grid2, flat, dist::detail::flat_walk::whole(1 << 24), dist::detail::flat_walk::whole(1 << 24));
  EXPECT_LE(q.run_groups(), static_cast<std::size_t>(2 * 4096 + 4 * P));  // one run per local row at most
}

TEST(shape, roll_flat_and_along_axes) {
  const index_t r = 4, c = 7, n = r * c;
  const auto ref = iota_ref(n);
  for (const auto& d : layouts2(r, c, 5)) {
    const auto a = iota_on(d);
    for (index_t s : {index_t{0}, index_t{3}, index_t{-5}, index_t{61}}) {
      const auto b = dist::roll(a, s);
      EXPECT_TRUE(b.distribution() == a.distribution());
      std::vector<double> want(static_cast<std::size_t>(n));
      for (index_t f = 0; f < n; ++f) want[static_cast<std::size_t>(((f + s) % n + n) % n)] = ref[static_cast<std::size_t>(f)];
      EXPECT_EQ(dist::allgather(b), want) << d.describe() << " shift " << s;
      for (int axis : {0, 1, -1}) {
        const int ax = axis < 0 ? axis + 2 : axis;
        const auto b2 = dist::roll(a, s, axis);
        std::vector<double> w2(static_cast<std::size_t>(n));
        for (index_t i = 0; i < r; ++i)
          for (index_t j = 0; j < c; ++j) {
            index_t ii = i, jj = j;
            if (ax == 0) ii = ((i + s) % r + r) % r;
            else jj = ((j + s) % c + c) % c;
            w2[static_cast<std::size_t>(ii * c + jj)] = ref[static_cast<std::size_t>(i * c + j)];
          }
        EXPECT_EQ(dist::allgather(b2), w2) << d.describe() << " shift " << s << " axis " << axis;
      }
    }
  }
  const auto a = dist::zeros<double>(dist::distribution<2>({3, 3}, world));
  EXPECT_THROW(dist::roll(a, 1, 2), dist::index_error);
}

TEST(shape, concatenate_and_stack) {
  const dist::distribution<2> da({3, 5}, {dist::cyclic{}, dist::undistributed{}}, world);
  const dist::distribution<2> db({4, 5}, {dist::block{}, dist::undistributed{}}, world);
  const dist::distribution<2> dc({2, 5}, {dist::undistributed{}, dist::block_cyclic{2}}, world);
  const auto a = iota_on(da), b = iota_on(db);
  const auto c = dist::fromfunction<double>(dc, [](index_t i, index_t j) { return 100.0 + double(i * 5 + j); });
  const auto ga = dist::allgather(a), gb = dist::allgather(b), gc = dist::allgather(c);
  std::vector<double> want = ga;
  want.insert(want.end(), gb.begin(), gb.end());
  want.insert(want.end(), gc.begin(), gc.end());
  const auto j0 = dist::concatenate({std::cref(a), std::cref(b), std::cref(c)});
  EXPECT_EQ(j0.shape(), (dist::shape<2>{9, 5}));
  EXPECT_EQ(dist::allgather(j0), want);
  const dist::distribution<2> dj({9, 5}, {dist::block_cyclic{2}, dist::cyclic{}}, world);
  const auto j1 = dist::concatenate({a, b, c}, 0, dj);  // the braced copy form, onto a given layout
  EXPECT_TRUE(j1.distribution() == dj);
  EXPECT_EQ(dist::allgather(j1), want);
  // along axis 1 (and -1): rows side by side
  const dist::distribution<2> dt({3, 2}, {dist::block{}, dist::cyclic{}}, world);
  const auto t = dist::fromfunction<double>(dt, [](index_t i, index_t j) { return -1.0 - double(i * 2 + j); });
  const auto gt = dist::allgather(t);
  const auto j2 = dist::concatenate({std::cref(a), std::cref(t)}, -1);
  std::vector<double> w2;
  for (index_t i = 0; i < 3; ++i) {
    for (index_t j = 0; j < 5; ++j) w2.push_back(ga[static_cast<std::size_t>(i * 5 + j)]);
    for (index_t j = 0; j < 2; ++j) w2.push_back(gt[static_cast<std::size_t>(i * 2 + j)]);
  }
  EXPECT_EQ(dist::allgather(j2), w2);
  EXPECT_THROW(dist::concatenate({std::cref(a), std::cref(t)}, 0), dist::shape_error);
  EXPECT_THROW(dist::concatenate({std::cref(a), std::cref(b)}, 2), dist::index_error);
  // stack: a new dim at 0, 1, 2 (= -1)
  const auto a2 = dist::fromfunction<double>(da, [](index_t i, index_t j) { return 50.0 + double(i * 5 + j); });
  const auto g2 = dist::allgather(a2);
  for (int axis : {0, 1, 2, -1, -3}) {
    const auto s = dist::stack({std::cref(a), std::cref(a2)}, axis);
    const int ax = axis < 0 ? axis + 3 : axis;
    dist::shape<3> want_shape{3, 5, 2};
    if (ax == 0) want_shape = {2, 3, 5};
    if (ax == 1) want_shape = {3, 2, 5};
    EXPECT_EQ(s.shape(), want_shape);
    std::vector<double> ws(30);
    for (index_t k = 0; k < 2; ++k)
      for (index_t i = 0; i < 3; ++i)
        for (index_t j = 0; j < 5; ++j) {
          const double v = (k == 0 ? ga : g2)[static_cast<std::size_t>(i * 5 + j)];
          const std::array<index_t, 3> ix = ax == 0 ? std::array<index_t, 3>{k, i, j}
                                            : ax == 1 ? std::array<index_t, 3>{i, k, j}
                                                      : std::array<index_t, 3>{i, j, k};
          ws[static_cast<std::size_t>((ix[0] * want_shape[1] + ix[1]) * want_shape[2] + ix[2])] = v;
        }
    EXPECT_EQ(dist::allgather(s), ws) << "axis " << axis;
  }
  EXPECT_THROW(dist::stack({std::cref(a), std::cref(b)}), dist::shape_error);
  EXPECT_THROW(dist::stack({std::cref(a), std::cref(a2)}, 3), dist::index_error);
}

TEST(shape, diag_diagonal_trace) {
  const index_t r = 5, c = 7;
  const auto ref = iota_ref(r * c);
  for (const auto& d : layouts2(r, c, 9)) {
    const auto a = iota_on(d);
    for (index_t k = -6; k <= 8; ++k) {
      std::vector<double> want;
      double tr = 0;
      for (index_t i = 0; i < r; ++i)
        if (i + k >= 0 && i + k < c) {
          want.push_back(ref[static_cast<std::size_t>(i * c + i + k)]);
          tr += want.back();
        }
      const auto g = dist::diagonal(a, k);
      EXPECT_EQ(dist::allgather(g), want) << d.describe() << " k " << k;
      EXPECT_EQ(dist::allgather(dist::diag(a, k)), want);
      EXPECT_NEAR(dist::trace(a, k), tr, 1e-12) << d.describe() << " k " << k;
    }
  }
  for (const auto& spec : test_util::all_kinds(4, world, 21)) {
    const dist::distribution<1> dv({4}, {spec}, world);
    const auto v = iota_on(dv);
    for (index_t k : {index_t{0}, index_t{2}, index_t{-3}}) {
      const index_t n = 4 + (k < 0 ? -k : k);
      std::vector<double> want(static_cast<std::size_t>(n * n), 0.0);
      for (index_t i = 0; i < 4; ++i) {
        const index_t row = k < 0 ? i - k : i, col = k > 0 ? i + k : i;
        want[static_cast<std::size_t>(row * n + col)] = val(i);
      }
      EXPECT_EQ(dist::allgather(dist::diag(v, k)), want) << "k " << k;
      const dist::distribution<2> dd({n, n}, {dist::cyclic{}, dist::block_cyclic{2}}, world);
      const auto m = dist::diag(v, k, dd);
      EXPECT_TRUE(m.distribution() == dd);
      EXPECT_EQ(dist::allgather(m), want) << "k " << k;
    }
  }
  const auto ints = dist::fromfunction<int>(dist::distribution<2>({3, 3}, world), [](index_t i, index_t j) { return int(i * 3 + j); });
  const auto ti = dist::trace(ints);
  static_assert(std::is_same_v<decltype(ti), const dist::detail::sum_t<int>>);
  EXPECT_EQ(ti, 0 + 4 + 8);
}

TEST(shape, diff_along_axes) {
  const index_t r = 5, c = 6;
  const auto ref = iota_ref(r * c);
  std::vector<double> sq(ref.size());
  for (std::size_t i = 0; i < ref.size(); ++i) sq[i] = ref[i] * ref[i];
  for (const auto& d : layouts2(r, c, 11)) {
    const auto a = iota_on(d);
    for (int axis : {0, 1, -1}) {
      const int ax = axis < 0 ? axis + 2 : axis;
      for (int n : {0, 1, 2, 7}) {
        // reference: repeated differences of x^2
        std::vector<double> cur = sq;
        index_t rr = r, cc = c;
        for (int k = 0; k < n && (ax == 0 ? rr : cc) > 0; ++k) {
          const index_t nr = ax == 0 ? rr - 1 : rr, nc = ax == 1 ? cc - 1 : cc;
          std::vector<double> nx(static_cast<std::size_t>(nr * nc));
          for (index_t i = 0; i < nr; ++i)
            for (index_t j = 0; j < nc; ++j)
              nx[static_cast<std::size_t>(i * nc + j)] = ax == 0 ? cur[static_cast<std::size_t>((i + 1) * cc + j)] - cur[static_cast<std::size_t>(i * cc + j)]
                                                                : cur[static_cast<std::size_t>(i * cc + j + 1)] - cur[static_cast<std::size_t>(i * cc + j)];
          cur = nx;
          rr = nr;
          cc = nc;
        }
        const auto got = dist::diff(a * a, n, axis);
        EXPECT_EQ(got.shape(), (dist::shape<2>{rr, cc}));
        test_util::expect_close(dist::allgather(got), cur, 1e-12, d.describe() + " axis " + std::to_string(axis));
      }
    }
  }
  const dist::distribution<1> db({5}, {dist::cyclic{}}, world);
  const auto b = dist::fromfunction<bool>(db, [](index_t i) { return i == 1 || i == 2; });
  const std::vector<bool> wb = {true, false, true, false};
  const auto gb = dist::allgather(dist::diff(b));
  EXPECT_EQ(std::vector<bool>(gb.begin(), gb.end()), wb);
  EXPECT_THROW(dist::diff(b, -1), dist::shape_error);
  EXPECT_THROW(dist::diff(b, 1, 1), dist::index_error);
}

namespace {
/// Serial running sums / products along `axis` of a row-major (r, c) array (-1: flattened).
template <class S, class T>
std::vector<S> ref_scan(const std::vector<T>& x, index_t r, index_t c, int axis, bool prod) {
  std::vector<S> y(x.size());
  auto at = [&](index_t i, index_t j) { return static_cast<std::size_t>(i * c + j); };
  auto op = [&](S a, S b) { return prod ? S(a * b) : S(a + b); };
  if (axis < 0) {
    S acc = prod ? S{1} : S{0};
    for (std::size_t f = 0; f < x.size(); ++f) y[f] = acc = op(acc, static_cast<S>(x[f]));
  } else if (axis == 0) {
    for (index_t j = 0; j < c; ++j) {
      S acc = prod ? S{1} : S{0};
      for (index_t i = 0; i < r; ++i) y[at(i, j)] = acc = op(acc, static_cast<S>(x[at(i, j)]));
    }
  } else {
    for (index_t i = 0; i < r; ++i) {
      S acc = prod ? S{1} : S{0};
      for (index_t j = 0; j < c; ++j) y[at(i, j)] = acc = op(acc, static_cast<S>(x[at(i, j)]));
    }
  }
  return y;
}
}  // namespace

TEST(shape, cumsum_cumprod_flat_and_along_axes) {
  const index_t r = 5, c = 7;
  for (const auto& d : layouts2(r, c, 13)) {
    const auto a = dist::fromfunction<int>(d, [](index_t i, index_t j) { return int((i * 7 + j) % 5) - 2; });
    const auto x = dist::allgather(a);
    const auto f = dist::cumsum(a);
    static_assert(std::is_same_v<decltype(f), const dist::array<std::int64_t, 1>>);
    EXPECT_EQ(dist::allgather(f), (ref_scan<std::int64_t>(x, r, c, -1, false))) << d.describe();
    for (int axis : {0, 1, -2}) {
      const int ax = axis < 0 ? axis + 2 : axis;
      const auto s = dist::cumsum(a, axis);
      EXPECT_TRUE(s.distribution() == d);
      EXPECT_EQ(dist::allgather(s), (ref_scan<std::int64_t>(x, r, c, ax, false))) << d.describe() << " axis " << axis;
      const auto p = dist::cumprod(a + 3, axis);
      std::vector<int> x3(x);
      for (int& v : x3) v += 3;
      EXPECT_EQ(dist::allgather(p), (ref_scan<std::int64_t>(x3, r, c, ax, true))) << d.describe() << " axis " << axis;
    }
    EXPECT_EQ(dist::allgather(dist::cumprod(a * 0 + 2)), (ref_scan<std::int64_t>(std::vector<int>(35, 2), r, c, -1, true)));
  }
  // doubles along a distributed axis of a 2x2 grid, onto a given layout, with halos
  const dist::distribution<2> g({9, 6}, {dist::block{}, dist::block{}}, world);
  dist::array<double, 2> h(g, dist::halo{1, 1});
  h = dist::fromfunction<double>(g, [](index_t i, index_t j) { return 0.25 * double(i) - 0.5 * double(j) + 1.0; });
  const auto hx = dist::allgather(h);
  for (int axis : {0, 1}) {
    test_util::expect_close(dist::allgather(dist::cumsum(h, axis)), ref_scan<double>(hx, 9, 6, axis, false), 1e-12, "halo");
    const dist::distribution<2> to({9, 6}, {dist::cyclic{}, dist::block_cyclic{2}}, world);
    const auto s = dist::cumsum(h, axis, to);
    EXPECT_TRUE(s.distribution() == to);
    test_util::expect_close(dist::allgather(s), ref_scan<double>(hx, 9, 6, axis, false), 1e-12, "onto");
  }
  // 1-D of every kind, float stays float, bool counts
  for (const auto& spec : test_util::all_kinds(23, world, 29)) {
    const dist::distribution<1> d1({23}, {spec}, world);
    const auto v = dist::fromfunction<float>(d1, [](index_t i) { return float(i % 4) * 0.5f; });
    const auto s = dist::cumsum(v);
    static_assert(std::is_same_v<decltype(s), const dist::array<float, 1>>);
    test_util::expect_close(dist::allgather(s), ref_scan<float>(dist::allgather(v), 1, 23, -1, false), 1e-6, "float");
    const auto b = dist::cumsum(v > 0.7f);
    const auto bx = dist::allgather(dist::eval(v > 0.7f));
    const std::vector<bool> bv(bx.begin(), bx.end());
    EXPECT_EQ(dist::allgather(b), (ref_scan<std::int64_t>(bv, 1, 23, -1, false)));
    test_util::expect_close(dist::allgather(dist::cumsum(v, 0)), ref_scan<float>(dist::allgather(v), 1, 23, -1, false), 1e-6, "axis 0");
  }
  // an empty array and errors
  const auto e = dist::zeros<double>(dist::distribution<2>({0, 4}, world));
  EXPECT_EQ(dist::cumsum(e).shape()[0], 0);
  EXPECT_EQ(dist::cumsum(e, 1).shape(), (dist::shape<2>{0, 4}));
  EXPECT_THROW(dist::cumsum(e, 2), dist::index_error);
}

TEST(shape, newaxis_expand_dims_squeeze) {
  const index_t n = 5, m = 7;
  for (const auto& sx : test_util::all_kinds(n, world, 31)) {
    const dist::distribution<1> dx({n}, {sx}, world);
    const dist::distribution<1> dy({m}, {dist::cyclic{}}, world);
    const auto x = dist::fromfunction<double>(dx, [](index_t i) { return 1.0 + double(i); });
    const auto y = dist::fromfunction<double>(dy, [](index_t j) { return 0.5 * double(j) - 1.0; });
    // the outer product by broadcasting: x[:, None] * y[None, :]
    const dist::array<double, 2> o = x(dist::all(), dist::newaxis) * y(dist::newaxis, dist::all());
    EXPECT_EQ(o.shape(), (dist::shape<2>{n, m}));
    std::vector<double> want(static_cast<std::size_t>(n * m));
    for (index_t i = 0; i < n; ++i)
      for (index_t j = 0; j < m; ++j) want[static_cast<std::size_t>(i * m + j)] = (1.0 + double(i)) * (0.5 * double(j) - 1.0);
    EXPECT_EQ(dist::allgather(o), want) << dx.describe();
    // expand_dims of an array and of an expression, at every position
    const dist::array<double, 2> c0 = dist::expand_dims(x, 0), c1 = dist::expand_dims(2.0 * x, -1);
    EXPECT_EQ(c0.shape(), (dist::shape<2>{1, n}));
    EXPECT_EQ(c1.shape(), (dist::shape<2>{n, 1}));
    std::vector<double> gx = dist::allgather(x), g2 = gx;
    for (double& v : g2) v *= 2.0;
    EXPECT_EQ(dist::allgather(c0), gx);
    EXPECT_EQ(dist::allgather(c1), g2);
    // a column sum of x[:, None] broadcast against a 2-D array (fused reduction)
    const dist::distribution<2> d2({n, m}, {dist::block{}, dist::block_cyclic{2}}, world);
    const auto b = dist::fromfunction<double>(d2, [](index_t i, index_t j) { return double(i + 2 * j); });
    const auto s = dist::sum(b - dist::expand_dims(x, 1), 1);
    std::vector<double> ws(static_cast<std::size_t>(n));
    for (index_t i = 0; i < n; ++i)
      for (index_t j = 0; j < m; ++j) ws[static_cast<std::size_t>(i)] += double(i + 2 * j) - (1.0 + double(i));
    EXPECT_EQ(dist::allgather(s), ws);
    EXPECT_THROW(dist::expand_dims(x, 2), dist::index_error);
    EXPECT_THROW(dist::expand_dims(x, -3), dist::index_error);
  }
  // hor[:, :, None] against a 3-D array, and X[:, 0][:, None] (a view of a view)
  const dist::distribution<3> d3({4, 3, 2}, {dist::cyclic{}, dist::undistributed{}, dist::undistributed{}}, world);
  const dist::distribution<2> dh({4, 3}, {dist::block{}, dist::cyclic{}}, world);
  const auto v3 = dist::fromfunction<double>(d3, [](index_t i, index_t j, index_t k) { return double(i * 6 + j * 2 + k); });
  const auto hor = dist::fromfunction<double>(dh, [](index_t i, index_t j) { return 100.0 * double(i * 3 + j); });
  const dist::array<double, 3> t = v3 + hor(dist::all(), dist::all(), dist::newaxis);
  std::vector<double> wt(24);
  for (index_t i = 0; i < 4; ++i)
    for (index_t j = 0; j < 3; ++j)
      for (index_t k = 0; k < 2; ++k) wt[static_cast<std::size_t>(i * 6 + j * 2 + k)] = double(i * 6 + j * 2 + k) + 100.0 * double(i * 3 + j);
  EXPECT_EQ(dist::allgather(t), wt);
  dist::array<double, 2> X = hor;
  const dist::array<double, 2> col = X(dist::all(), 0)(dist::all(), dist::newaxis);
  EXPECT_EQ(col.shape(), (dist::shape<2>{4, 1}));
  EXPECT_EQ(dist::allgather(col), (std::vector<double>{0.0, 300.0, 600.0, 900.0}));
  // reading the destination through an inserted dim: NumPy's semantics (a temporary)
  X = X(dist::all(), 0)(dist::all(), dist::newaxis) * 2.0 + X;
  std::vector<double> wx(12);
  for (index_t i = 0; i < 4; ++i)
    for (index_t j = 0; j < 3; ++j) wx[static_cast<std::size_t>(i * 3 + j)] = 200.0 * double(i * 3) + 100.0 * double(i * 3 + j);
  EXPECT_EQ(dist::allgather(X), wx);
  // squeeze: views that read and write the parent
  const dist::distribution<3> ds({3, 1, 4}, {dist::block{}, dist::undistributed{}, dist::cyclic{}}, world);
  auto a = dist::fromfunction<double>(ds, [](index_t i, index_t, index_t k) { return double(i * 4 + k); });
  const auto sq = dist::squeeze(a, 1);
  EXPECT_EQ(sq.shape(), (dist::shape<2>{3, 4}));
  EXPECT_EQ(dist::allgather(dist::eval(sq)), dist::allgather(a));
  dist::squeeze(a, -2) = dist::squeeze<2>(a) * 3.0;
  std::vector<double> wa(12);
  for (index_t f = 0; f < 12; ++f) wa[static_cast<std::size_t>(f)] = 3.0 * double(f);
  EXPECT_EQ(dist::allgather(a), wa);
  const auto row = a(1, dist::all(), dist::all());  // a view of shape (1, 4)
  EXPECT_EQ(dist::allgather(dist::eval(dist::squeeze<1>(row))), (std::vector<double>{12.0, 15.0, 18.0, 21.0}));
  EXPECT_EQ(dist::allgather(dist::eval(dist::squeeze(row, 0))), (std::vector<double>{12.0, 15.0, 18.0, 21.0}));
  EXPECT_THROW(dist::squeeze(a, 0), dist::shape_error);
  EXPECT_THROW(dist::squeeze(a, 3), dist::index_error);
  EXPECT_THROW(dist::squeeze<1>(a), dist::shape_error);
}
