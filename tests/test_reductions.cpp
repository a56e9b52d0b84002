// Reductions: whole and along each axis, for every distribution kind, odd
// sizes and ranks without elements, int/bool/float/double/complex, NaN,
// stability, fused expressions, dot and matvec; all against serial
// references computed from the gathered inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <dist/dist.hpp>
#include <functional>
#include <numeric>

#include "test_util.hpp"

using dist::index_t;
using cplx = std::complex<double>;

namespace {

dist::communicator world;

double rel(double got, double want) { return std::abs(got - want) / (1 + std::abs(want)); }

// Serial reference of a reduction along `axis` of a row-major array of shape s.
template <class R, class T, std::size_t N, class Fold>
std::vector<R> along(const std::vector<T>& x, const dist::shape<N>& s, std::size_t axis, R init, Fold fold) {
  index_t before = 1, after = 1;
  for (std::size_t d = 0; d < axis; ++d) before *= s[d];
  for (std::size_t d = axis + 1; d < N; ++d) after *= s[d];
  std::vector<R> out(static_cast<std::size_t>(before * after), init);
  for (index_t b = 0; b < before; ++b)
    for (index_t a = 0; a < s[axis]; ++a)
      for (index_t c = 0; c < after; ++c)
        out[static_cast<std::size_t>(b * after + c)] =
            fold(out[static_cast<std::size_t>(b * after + c)], x[static_cast<std::size_t>((b * s[axis] + a) * after + c)]);
  return out;
}

using test_util::expect_close;

}  // namespace

TEST(reductions, whole_1d_every_kind) {
  for (index_t n : {0, 1, 5, 13, 64}) {
    const auto ks = test_util::all_kinds(n, world, 21);
    for (std::size_t i = 0; i < ks.size(); ++i) {
      SCOPED_TRACE("n=" + std::to_string(n) + " kind " + std::to_string(i));
      const dist::distribution<1> d({n}, {ks[i]}, world);
      const auto a = dist::random::uniform<double>(d, 7, 0.9, 1.1);
      const auto g = dist::allgather(a);
      const double s = std::accumulate(g.begin(), g.end(), 0.0);
      const double p = std::accumulate(g.begin(), g.end(), 1.0, std::multiplies<>());
      EXPECT_LT(rel(dist::sum(a), s), 1e-13);
      EXPECT_LT(rel(dist::prod(a), p), 1e-13);
      EXPECT_EQ(dist::count_nonzero(a > 1.0), std::count_if(g.begin(), g.end(), [](double x) { return x > 1.0; }));
      EXPECT_EQ(dist::any(a > 1.05), std::any_of(g.begin(), g.end(), [](double x) { return x > 1.05; }));
      EXPECT_EQ(dist::all(a > 0.95), std::all_of(g.begin(), g.end(), [](double x) { return x > 0.95; }));
      EXPECT_LT(rel(dist::reduce(a, 0.5, [](double x, double y) { return std::max(x, y); }),
                    std::accumulate(g.begin(), g.end(), 0.5, [](double x, double y) { return std::max(x, y); })),
                1e-15);
      if (n == 0) {
        EXPECT_THROW((void)dist::min(a), dist::shape_error);
        EXPECT_THROW((void)dist::argmax(a), dist::shape_error);
        EXPECT_TRUE(std::isnan(dist::mean(a)));
        EXPECT_EQ(dist::sum(a), 0.0);
        continue;
      }
      const double mean = s / double(n);
      double ss = 0;
      for (double x : g) ss += (x - mean) * (x - mean);
      EXPECT_EQ(dist::min(a), *std::min_element(g.begin(), g.end()));
      EXPECT_EQ(dist::max(a), *std::max_element(g.begin(), g.end()));
      EXPECT_EQ(dist::argmin(a)[0], std::min_element(g.begin(), g.end()) - g.begin());
      EXPECT_EQ(dist::argmax(a)[0], std::max_element(g.begin(), g.end()) - g.begin());
      EXPECT_LT(rel(dist::mean(a), mean), 1e-14);
      EXPECT_LT(rel(dist::var(a), ss / double(n)), 1e-12);
      if (n > 1) {
        EXPECT_LT(rel(dist::std(a, dist::ddof{1}), std::sqrt(ss / double(n - 1))), 1e-12);
      }
      EXPECT_LT(rel(dist::norm(a), std::sqrt(std::inner_product(g.begin(), g.end(), g.begin(), 0.0))), 1e-13);
      EXPECT_LT(rel(dist::norm(a - 1.0, 1), std::accumulate(g.begin(), g.end(), 0.0, [](double t, double x) { return t + std::abs(x - 1); })), 1e-13);
      EXPECT_EQ(dist::norm(a - 1.0, INFINITY),
                std::abs(*std::max_element(g.begin(), g.end(), [](double x, double y) { return std::abs(x - 1) < std::abs(y - 1); }) - 1));
    }
  }
}

TEST(reductions, integer_bool_float_complex) {
  const index_t n = 31;
  const dist::distribution<1> d({n}, {dist::cyclic{}}, world);
  auto a = dist::fromfunction<int>(d, [](index_t i) { return int(i % 4) * 1000000; });  // ties: max first at 3
  std::int64_t s = 0;
  for (index_t i = 0; i < n; ++i) s += (i % 4) * 1000000;
  static_assert(std::is_same_v<decltype(dist::sum(a)), std::int64_t>);
  EXPECT_EQ(dist::sum(a), s);
  EXPECT_EQ(dist::sum(dist::astype<std::int64_t>(a) * 1000), s * 1000);  // beyond int's range: int64 accumulator
  EXPECT_EQ(dist::argmax(a)[0], 3);
  EXPECT_EQ(dist::argmin(a)[0], 0);
  EXPECT_EQ(dist::max(a), 3000000);
  static_assert(std::is_same_v<decltype(dist::mean(a)), double>);
  EXPECT_DOUBLE_EQ(dist::mean(a), double(s) / double(n));
  dist::array<bool, 1> b = a > 1500000;
  EXPECT_EQ(dist::sum(b), std::int64_t(n / 4 * 2 + std::max<index_t>(0, n % 4 - 2)));
  EXPECT_EQ(dist::count_nonzero(a), n - (n + 3) / 4);
  auto f = dist::full<float>({n}, world, 0.1f);
  static_assert(std::is_same_v<decltype(dist::sum(f)), float>);
  EXPECT_NEAR(dist::sum(f), 0.1f * float(n), 1e-5f);
  dist::array<cplx, 1> z(d);
  z = dist::astype<cplx>(a) * cplx(0, 1) + 1.0;
  const auto gz = dist::allgather(z);
  cplx zs = 0;
  for (auto v : gz) zs += v;
  EXPECT_LT(std::abs(dist::sum(z) - zs), 1e-6);
  EXPECT_LT(std::abs(dist::mean(z) - zs / double(n)), 1e-9);
  double vz = 0;
  for (auto v : gz) vz += std::norm(v - zs / double(n));
  static_assert(std::is_same_v<decltype(dist::var(z)), double>);
  EXPECT_LT(rel(dist::var(z), vz / double(n)), 1e-12);
  double nz = 0;
  for (auto v : gz) nz += std::norm(v);
  EXPECT_LT(rel(dist::norm(z), std::sqrt(nz)), 1e-12);
}

TEST(reductions, nan_propagates_like_numpy) {
  const dist::distribution<1> d({9}, {dist::block_cyclic{2}}, world);
  auto a = dist::fromfunction<double>(d, [](index_t i) { return i == 4 || i == 7 ? std::nan("") : double(i); });
  EXPECT_TRUE(std::isnan(dist::min(a)));
  EXPECT_TRUE(std::isnan(dist::max(a)));
  EXPECT_TRUE(std::isnan(dist::sum(a)));
  EXPECT_EQ(dist::argmax(a)[0], 4);  // the first NaN
  EXPECT_EQ(dist::argmin(a)[0], 4);
  EXPECT_EQ(dist::max(dist::where(dist::isnan(a), -1.0, a)), 8.0);
  auto m = dist::fromfunction<double>({3, 4}, world, [](index_t i, index_t j) { return i == 1 && j == 2 ? std::nan("") : double(i + j); });
  const auto mx = dist::allgather(dist::max(m, 0));
  EXPECT_EQ(mx[0], 2.0);
  EXPECT_TRUE(std::isnan(mx[2]));
}

TEST(reductions, mean_and_var_are_stable) {
  const index_t n = 100003;
  const dist::distribution<1> d({n}, {dist::block_cyclic{64}}, world);
  auto a = dist::fromfunction<double>(d, [](index_t i) { return 1e9 + double(i % 7); });
  long double s = 0;
  for (index_t i = 0; i < n; ++i) s += 1e9L + (i % 7);
  const long double m = s / n;
  long double v = 0;
  for (index_t i = 0; i < n; ++i) v += (1e9L + (i % 7) - m) * (1e9L + (i % 7) - m);
  EXPECT_LT(rel(dist::mean(a), double(m)), 1e-15);
  EXPECT_LT(rel(dist::var(a), double(v / n)), 1e-9);
  // pairwise summation: a million copies of 0.1 sum without drift
  auto t = dist::full<double>({1000000}, world, 0.1);
  EXPECT_LT(std::abs(dist::sum(t) - 100000.0), 1e-8);
}

TEST(reductions, strided_rows_sum_as_contiguous_ones) {
  // A view taking every other column reads its rows at stride 2 (the sums
  // go through a buffer of 128 values); its contiguous copy on the same
  // layout must give the same pairwise sums, bit for bit.
  using dist::all;
  using dist::slice;
  for (index_t cols : {index_t{7}, index_t{131}, index_t{601}}) {
    SCOPED_TRACE("cols " + std::to_string(cols));
    const dist::distribution<2> d({5, 2 * cols}, {dist::block{}, dist::undistributed{}}, world);
    const auto a = dist::fromfunction<double>(d, [](index_t i, index_t j) { return std::sin(double(i * 977 + j)) * 1e3 + 0.1; });
    const auto v = a(all(), slice{0, {}, 2});
    const dist::array<double, 2> c = v;
    const double sv = dist::sum(v), sc = dist::sum(c);
    EXPECT_EQ(sv, sc);
    EXPECT_EQ(dist::sum(v * 2.0 - 1.0), dist::sum(c * 2.0 - 1.0));
    const auto rv = dist::allgather(dist::sum(v, 1)), rc = dist::allgather(dist::sum(c, 1));
    EXPECT_EQ(rv, rc);
    double want = 0;
    for (index_t i = 0; i < 5; ++i)
      for (index_t j = 0; j < 2 * cols; j += 2) want += std::sin(double(i * 977 + j)) * 1e3 + 0.1;
    EXPECT_LT(rel(sv, want), 1e-12);
  }
}

TEST(reductions, along_each_axis_2d) {
  const int P = world.size();
  const std::vector<std::pair<dist::dim_spec, dist::dim_spec>> layouts = {
      {dist::block{}, dist::block{}},       {dist::cyclic{}, dist::block_cyclic{2}}, {dist::undistributed{}, dist::block{}},
      {dist::block{}, dist::undistributed{}}, {dist::block_cyclic{3}, dist::cyclic{}}};
  for (const dist::shape<2> s : {dist::shape<2>{7, 9}, dist::shape<2>{2, 3}, dist::shape<2>{1, 5}}) {
    for (std::size_t li = 0; li <= layouts.size(); ++li) {
      SCOPED_TRACE("shape " + dist::detail::to_string(s) + " layout " + std::to_string(li));
      // the last layout: unstructured rows (a random piece per rank) and undistributed columns
      const dist::distribution<2> D =
          li < layouts.size() ? dist::distribution<2>(s, {layouts[li].first, layouts[li].second}, world)
                              : dist::distribution<2>(s, {dist::unstructured{test_util::random_part(s[0], P, world.rank(), 4)}, dist::undistributed{}}, world);
      const auto a = dist::random::uniform<double>(D, 9, -1, 1);
      const auto g = dist::allgather(a);
      for (int axis : {0, 1, -1}) {
        SCOPED_TRACE("axis " + std::to_string(axis));
        const auto ax = static_cast<std::size_t>(axis < 0 ? axis + 2 : axis);
        const double n = double(s[ax]);
        const auto sum_ref = along<double>(g, s, ax, 0.0, std::plus<>());
        expect_close(dist::allgather(dist::sum(a, axis)), sum_ref, 1e-13, "sum");
        expect_close(dist::allgather(dist::prod(a, axis)), along<double>(g, s, ax, 1.0, std::multiplies<>()), 1e-13, "prod");
        expect_close(dist::allgather(dist::max(a, axis)),
                     along<double>(g, s, ax, -INFINITY, [](double x, double y) { return std::max(x, y); }), 0, "max");
        expect_close(dist::allgather(dist::min(a, axis)),
                     along<double>(g, s, ax, INFINITY, [](double x, double y) { return std::min(x, y); }), 0, "min");
        std::vector<double> mean_ref(sum_ref), var_ref;
        for (auto& x : mean_ref) x /= n;
        expect_close(dist::allgather(dist::mean(a, axis)), mean_ref, 1e-13, "mean");
        // variance reference: second pass over the gathered data
        {
          index_t before = ax == 0 ? 1 : s[0], after = ax == 0 ? s[1] : 1;
          var_ref.assign(mean_ref.size(), 0.0);
          for (index_t b = 0; b < before; ++b)
            for (index_t k = 0; k < s[ax]; ++k)
              for (index_t c = 0; c < after; ++c) {
                const auto o = static_cast<std::size_t>(b * after + c);
                const double x = g[static_cast<std::size_t>((b * s[ax] + k) * after + c)] - mean_ref[o];
                var_ref[o] += x * x;
              }
          for (auto& x : var_ref) x = n > 1 ? x / (n - 1) : NAN;
        }
        expect_close(dist::allgather(dist::var(a, axis, dist::ddof{1})), var_ref, 1e-12, "var");
        auto std_ref = var_ref;
        for (auto& x : std_ref) x = std::sqrt(x);
        expect_close(dist::allgather(dist::std(a, axis, dist::ddof{1})), std_ref, 1e-12, "std");
        std::vector<double> cnt = along<double>(g, s, ax, 0.0, [](double t, double x) { return t + (x > 0); });
        expect_close(dist::allgather(dist::eval(dist::astype<double>(dist::count_nonzero(a > 0.0, axis)))), cnt, 0, "count_nonzero");
        const auto any = dist::allgather(dist::any(a > 0.5, axis)), all = dist::allgather(dist::all(a > -0.5, axis));
        const auto any_ref = along<bool>(g, s, ax, false, [](bool t, double x) { return t || x > 0.5; });
        const auto all_ref = along<bool>(g, s, ax, true, [](bool t, double x) { return t && x > -0.5; });
        EXPECT_EQ(any, any_ref);
        EXPECT_EQ(all, all_ref);
        expect_close(dist::allgather(dist::reduce(a, -0.25, [](double x, double y) { return std::max(x, y); }, axis)),
                     along<double>(g, s, ax, -0.25, [](double t, double x) { return std::max(t, x); }), 0, "reduce");
      }
    }
  }
}

TEST(reductions, min_max_along_an_axis_of_an_empty_array_as_numpy) {
  // NumPy: an empty axis has no identity (error); an empty result is fine
  for (const dist::shape<2> s : {dist::shape<2>{0, 5}, dist::shape<2>{5, 0}, dist::shape<2>{0, 0}}) {
    for (const dist::dim_spec& rows : {dist::dim_spec{dist::block{}}, dist::dim_spec{dist::cyclic{}}}) {
      SCOPED_TRACE("shape " + dist::detail::to_string(s));
      const auto a = dist::zeros<double>(dist::distribution<2>(s, {rows, dist::block{}}, world));
      for (int axis : {0, 1, -1}) {
        const auto ax = static_cast<std::size_t>(axis < 0 ? axis + 2 : axis);
        if (s[ax] == 0) {
          EXPECT_THROW((void)dist::min(a, axis), dist::shape_error);
          EXPECT_THROW((void)dist::max(a, axis), dist::shape_error);
        } else {
          const auto m = dist::min(a, axis);
          EXPECT_EQ(m.shape()[0], s[1 - ax]);
          EXPECT_EQ(m.size(), 0);
          EXPECT_EQ(dist::max(a, axis).size(), 0);
        }
      }
      EXPECT_THROW((void)dist::min(a), dist::shape_error);
      EXPECT_THROW((void)dist::argmin(a), dist::shape_error);
    }
  }
  const auto e = dist::zeros<double>(dist::shape<1>{0}, world);
  EXPECT_THROW((void)dist::max(e, 0), dist::shape_error);
  EXPECT_THROW((void)dist::max(e, -1), dist::shape_error);
  EXPECT_THROW((void)dist::max(e, 1), dist::index_error);
}

TEST(reductions, result_is_distributed_like_the_remaining_dims) {
  const dist::distribution<2> rows({11, 6}, {dist::block{}, dist::undistributed{}}, world);
  auto a = dist::ones<double>(rows);
  auto s1 = dist::sum(a, 1);  // the axis is not distributed: block rows, no communication
  EXPECT_EQ(s1.distribution().map(0).kind(), dist::dim_kind::block);
  EXPECT_EQ(s1.local_shape()[0], rows.local_shape()[0]);
  auto s0 = dist::sum(a, 0);  // every remaining dim undistributed: replicated
  EXPECT_TRUE(s0.distribution().replicated());
  for (double x : s0.local_data()) EXPECT_EQ(x, 11.0);
  const dist::distribution<2> cyc({5, 11}, {dist::undistributed{}, dist::block_cyclic{2}}, world);
  auto c = dist::sum(dist::ones<double>(cyc), 0);
  EXPECT_EQ(c.distribution().map(0).kind(), dist::dim_kind::block_cyclic);
  EXPECT_EQ(c.local_size(), cyc.local_shape()[1]);
}

TEST(reductions, along_each_axis_3d) {
  const dist::shape<3> s{3, 4, 5};
  const dist::distribution<3> D(s, {dist::block{}, dist::cyclic{}, dist::block_cyclic{2}}, world);
  const auto a = dist::fromfunction<double>(D, [](index_t i, index_t j, index_t k) { return double((i * 7 + j * 3 + k * 5) % 11); });
  const auto g = dist::allgather(a);
  for (std::size_t ax = 0; ax < 3; ++ax) {
    SCOPED_TRACE("axis " + std::to_string(ax));
    expect_close(dist::allgather(dist::sum(a, int(ax))), along<double>(g, s, ax, 0.0, std::plus<>()), 1e-14, "sum");
    expect_close(dist::allgather(dist::max(a * 2 - 1, int(ax))),
                 along<double>(g, s, ax, -INFINITY, [](double x, double y) { return std::max(x, 2 * y - 1); }), 0, "max");
  }
  EXPECT_THROW((void)dist::sum(a, 3), dist::index_error);
  EXPECT_THROW((void)dist::sum(a, -4), dist::index_error);
}

TEST(reductions, fused_over_mixed_distributions) {
  const index_t n = 19, m = 8;
  const dist::distribution<2> D({n, m}, {dist::block{}, dist::cyclic{}}, world);
  const dist::distribution<2> E({n, m}, {dist::cyclic{}, dist::block{}}, world);
  auto a = dist::random::uniform<double>(D, 1, -1, 1);
  auto b = dist::random::uniform<double>(E, 2, -1, 1);
  const auto ga = dist::allgather(a), gb = dist::allgather(b);
  std::vector<double> e(ga.size());
  for (std::size_t k = 0; k < e.size(); ++k) e[k] = ga[k] * gb[k] + std::sin(ga[k]);
  EXPECT_LT(rel(dist::sum(a * b + dist::sin(a)), std::accumulate(e.begin(), e.end(), 0.0)), 1e-13);
  expect_close(dist::allgather(dist::sum(a * b + dist::sin(a), 0)), along<double>(e, D.shape(), 0, 0.0, std::plus<>()), 1e-13, "axis 0");
  expect_close(dist::allgather(dist::mean(b * b, 1)),
               [&] {
                 auto r = along<double>(gb, D.shape(), 1, 0.0, [](double t, double x) { return t + x * x; });
                 for (auto& x : r) x /= double(m);
                 return r;
               }(),
               1e-13, "mean axis 1");
  std::size_t best = 0;
  for (std::size_t k = 1; k < ga.size(); ++k)
    if (ga[k] * gb[k] > ga[best] * gb[best]) best = k;
  const dist::index<2> want{index_t(best) / m, index_t(best) % m};
  EXPECT_EQ(dist::argmax(a * b), want);
}

TEST(reductions, dot_and_matvec) {
  const index_t n = 23, m = 17;
  const dist::distribution<1> dx({m}, {dist::cyclic{}}, world), dy({m}, {dist::block{}}, world);
  auto x = dist::random::uniform<double>(dx, 3, -1, 1), y = dist::random::uniform<double>(dy, 4, -1, 1);
  const auto gx = dist::allgather(x), gy = dist::allgather(y);
  EXPECT_LT(rel(dist::dot(x, y), std::inner_product(gx.begin(), gx.end(), gy.begin(), 0.0)), 1e-13);
  EXPECT_THROW((void)dist::dot(x, dist::ones<double>({m + 1}, world)), dist::shape_error);
  for (const auto& [rs, cs] : {std::pair<dist::dim_spec, dist::dim_spec>{dist::block{}, dist::undistributed{}},
                               {dist::block{}, dist::block{}},
                               {dist::block_cyclic{4}, dist::block_cyclic{3}}}) {
    const dist::distribution<2> D({n, m}, {rs, cs}, world);
    auto A = dist::fromfunction<double>(D, [](index_t i, index_t j) { return std::cos(double(i * 31 + j)); });
    const auto gA = dist::allgather(A);
    auto r = dist::matvec(A, x);
    std::vector<double> want(static_cast<std::size_t>(n), 0.0);
    for (index_t i = 0; i < n; ++i)
      for (index_t j = 0; j < m; ++j) want[static_cast<std::size_t>(i)] += gA[static_cast<std::size_t>(i * m + j)] * gx[static_cast<std::size_t>(j)];
    expect_close(dist::allgather(r), want, 1e-13, "matvec");
    EXPECT_EQ(r.shape(), (dist::shape<1>{n}));
  }
  EXPECT_THROW((void)dist::matvec(dist::ones<double>({n, m}, world), dist::ones<double>({n}, world)), dist::shape_error);
}
