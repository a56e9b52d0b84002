// NumPy's a.copy(), *_like of expressions with another element type,
// isclose / allclose / array_equal, outer, and dot of matrices, against
// serial references on every rank, odd extents, several layouts.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <dist/dist.hpp>
#include <limits>
#include <vector>

#include "test_util.hpp"

using dist::index_t;

namespace {
dist::communicator world;
const double inf = std::numeric_limits<double>::infinity(), qnan = std::numeric_limits<double>::quiet_NaN();

/// NumPy's isclose, written out for the reference.
bool ref_isclose(double a, double b, double rtol, double atol, bool equal_nan) {
  if (std::isnan(a) || std::isnan(b)) return equal_nan && std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  if (std::isinf(a) || std::isinf(b)) return false;
  return std::abs(a - b) <= atol + rtol * std::abs(b);
}
}  // namespace

TEST(numpy_extras, copy_is_deep) {
  const dist::distribution<2> d({5, 7}, {dist::cyclic{}, dist::block{}}, world);
  auto a = dist::fromfunction<double>(d, [](index_t i, index_t j) { return double(i * 7 + j); });
  auto c = a.copy();
  EXPECT_TRUE(c.distribution() == a.distribution());
  a.fill(-1.0);
  const auto g = dist::allgather(c);
  for (index_t k = 0; k < 35; ++k) EXPECT_EQ(g[static_cast<std::size_t>(k)], double(k));
}

TEST(numpy_extras, like_of_expressions_and_other_types) {
  const dist::distribution<2> d({4, 9}, {dist::block{}, dist::block_cyclic{2}}, world);
  const auto a = dist::random::uniform<double>(d, 3);
  auto z = dist::zeros_like<int>(a + 1.0);
  static_assert(std::is_same_v<decltype(z), dist::array<int, 2>>);
  EXPECT_TRUE(z.distribution() == d);
  for (int v : dist::allgather(z)) EXPECT_EQ(v, 0);
  auto o = dist::ones_like(2.0 * a);
  static_assert(std::is_same_v<decltype(o), dist::array<double, 2>>);
  for (double v : dist::allgather(o)) EXPECT_EQ(v, 1.0);
  auto f = dist::full_like<float>(a, 2.5);
  static_assert(std::is_same_v<decltype(f), dist::array<float, 2>>);
  for (float v : dist::allgather(f)) EXPECT_EQ(v, 2.5f);
  auto e = dist::empty_like<bool>(a > 0.5);
  EXPECT_EQ(e.shape(), a.shape());
  auto same = dist::zeros_like(a);  // the array overload still applies
  EXPECT_TRUE(same.distribution() == d);
}

TEST(numpy_extras, isclose_allclose_array_equal) {
  const std::vector<double> x = {0.0, 1.0, 1e-9, inf, -inf, qnan, 1e10, 5.0, qnan, 2.0, -3.0};
  const std::vector<double> y = {1e-9, 1.0 + 1e-6, 0.0, inf, inf, qnan, 1.00001e10, 5.1, 1.0, 2.0, -3.0};
  const index_t n = static_cast<index_t>(x.size());
  for (const auto& spec : test_util::all_kinds(n, world, 9)) {
    const dist::distribution<1> d({n}, {spec}, world);
    const auto a = dist::fromfunction<double>(d, [&](index_t i) { return x[static_cast<std::size_t>(i)]; });
    const auto b = dist::fromfunction<double>(d, [&](index_t i) { return y[static_cast<std::size_t>(i)]; });
    for (bool equal_nan : {false, true}) {
      const dist::array<bool, 1> c = dist::isclose(a, b, 1e-5, 1e-8, equal_nan);
      const auto g = dist::allgather(c);
      for (std::size_t i = 0; i < x.size(); ++i)
        EXPECT_EQ(g[i], ref_isclose(x[i], y[i], 1e-5, 1e-8, equal_nan)) << i << " equal_nan " << equal_nan;
    }
    EXPECT_FALSE(dist::allclose(a, b));
    EXPECT_TRUE(dist::allclose(a, a, 1e-5, 1e-8, true));
    EXPECT_FALSE(dist::allclose(a, a));  // NaN is not close to NaN by default
    EXPECT_TRUE(dist::allclose(b(dist::slice{9, {}}), a(dist::slice{9, {}})));
    EXPECT_TRUE(dist::allclose(b(dist::slice{9, {}}) * 0.0 + 1.0, 1.0 + 1e-7));  // an expression and a scalar
    EXPECT_FALSE(dist::allclose(b(dist::slice{9, {}}) * 0.0 + 1.0, 1.0 + 1e-4));
    EXPECT_FALSE(dist::array_equal(a, b));
    EXPECT_FALSE(dist::array_equal(a, a));  // NaN != NaN
    EXPECT_TRUE(dist::array_equal(a(dist::slice{9, {}}), b(dist::slice{9, {}})));
    EXPECT_FALSE(dist::array_equal(a, a(dist::slice{1, {}})));  // different shapes: false, no error
  }
  // broadcasting and shape errors
  const auto m = dist::fromfunction<double>(dist::distribution<2>({3, 4}, world), [](index_t, index_t j) { return double(j); });
  const auto row = dist::arange<double>(0, 4, 1, world);
  EXPECT_TRUE(dist::allclose(m, row));
  const auto wrong = dist::arange<double>(0, 5, 1, world);
  EXPECT_THROW(dist::allclose(m, wrong), dist::shape_error);
  EXPECT_FALSE(dist::array_equal(m, row));
}

TEST(numpy_extras, outer_and_matrix_dot) {
  const index_t n = 7, m = 5, k = 6;
  const auto x = dist::arange<double>(1, double(n + 1), 1, world);
  const auto y = dist::fromfunction<double>(dist::distribution<1>({m}, {dist::cyclic{}}, world), [](index_t j) { return 0.5 * double(j) - 1.0; });
  const auto o = dist::outer(x, y);
  ASSERT_EQ(o.shape(), (dist::shape<2>{n, m}));
  const auto og = dist::allgather(o);
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < m; ++j) EXPECT_EQ(og[static_cast<std::size_t>(i * m + j)], double(i + 1) * (0.5 * double(j) - 1.0));
  const auto oi = dist::outer(dist::astype<int>(x), 2.0 * y);  // expressions, promoted types
  const auto oig = dist::allgather(oi);
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < m; ++j) EXPECT_EQ(oig[static_cast<std::size_t>(i * m + j)], double(i + 1) * (double(j) - 2.0));
  // 2-d · 2-d and 2-d · 1-d
  const dist::distribution<2> da({n, k}, {dist::block{}, dist::cyclic{}}, world), db({k, m}, {dist::cyclic{}, dist::block{}}, world);
  const auto A = dist::fromfunction<double>(da, test_util::fa), B = dist::fromfunction<double>(db, test_util::fb);
  const auto C = dist::allgather(dist::dot(A, B));
  const auto Ag = dist::allgather(A), Bg = dist::allgather(B);
  std::vector<double> want(static_cast<std::size_t>(n * m), 0.0);
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < m; ++j)
      for (index_t l = 0; l < k; ++l)
        want[static_cast<std::size_t>(i * m + j)] += Ag[static_cast<std::size_t>(i * k + l)] * Bg[static_cast<std::size_t>(l * m + j)];
  test_util::expect_close(C, want, 1e-12, "dot(A, B)");
  const auto v = dist::fromfunction<double>(dist::distribution<1>({k}, world), [](index_t l) { return double(l) - 2.5; });
  const auto Av = dist::allgather(dist::dot(A, v));
  std::vector<double> wv(static_cast<std::size_t>(n), 0.0);
  for (index_t i = 0; i < n; ++i)
    for (index_t l = 0; l < k; ++l) wv[static_cast<std::size_t>(i)] += Ag[static_cast<std::size_t>(i * k + l)] * (double(l) - 2.5);
  test_util::expect_close(Av, wv, 1e-12, "dot(A, v)");
  EXPECT_THROW(dist::dot(B, v), dist::shape_error);
}
