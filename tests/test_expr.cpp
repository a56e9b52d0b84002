// Expressions: every operator and ufunc against a serial reference, on every
// pair of distribution kinds, with NumPy promotion, broadcasting (also
// distributed), aliasing, laziness, errors; and compile-time checks of what
// must and must not compile.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <dist/dist.hpp>
#include <numeric>

#include "test_util.hpp"

using dist::index_t;
using cplx = std::complex<double>;

namespace {

dist::communicator world;

// ---- compile-time checks ----
using A1 = dist::array<double, 1>;
using A2 = dist::array<double, 2>;
using I1 = dist::array<int, 1>;
using F1 = dist::array<float, 1>;
using B1 = dist::array<bool, 1>;
using C1 = dist::array<cplx, 1>;
using S1 = dist::array<std::int8_t, 1>;
template <class E> using vt = typename std::remove_cvref_t<E>::value_type;
static_assert(std::is_same_v<vt<decltype(std::declval<I1&>() + std::declval<A1&>())>, double>);  // int + double
static_assert(std::is_same_v<vt<decltype(std::declval<I1&>() < std::declval<A1&>())>, bool>);    // comparisons
static_assert(std::is_same_v<vt<decltype(std::declval<I1&>() / std::declval<I1&>())>, int>);     // C++ division
static_assert(std::is_same_v<vt<decltype(std::declval<F1&>() * 2.0)>, float>);                  // weak scalar
static_assert(std::is_same_v<vt<decltype(std::declval<I1&>() * 2.0)>, double>);
static_assert(std::is_same_v<vt<decltype(std::declval<S1&>() + std::declval<S1&>())>, std::int8_t>);
static_assert(std::is_same_v<vt<decltype(std::declval<S1&>() + 1)>, std::int8_t>);
static_assert(std::is_same_v<vt<decltype(std::declval<F1&>() + std::declval<I1&>())>, double>);  // NumPy: f32 + i32 -> f64
static_assert(std::is_same_v<vt<decltype(dist::sqrt(std::declval<I1&>()))>, double>);
static_assert(std::is_same_v<vt<decltype(dist::abs(std::declval<C1&>()))>, double>);
static_assert(std::is_same_v<vt<decltype(std::declval<C1&>() * 2.0)>, cplx>);
static_assert(std::is_same_v<vt<decltype(std::declval<B1&>() && std::declval<A1&>())>, bool>);
static_assert(std::is_same_v<vt<decltype(dist::astype<float>(std::declval<A1&>()))>, float>);
static_assert(decltype(std::declval<A2&>() + std::declval<A1&>())::ndim == 2);  // broadcasting by rank
static_assert(std::is_same_v<vt<decltype(dist::where(std::declval<B1&>(), std::declval<F1&>(), 0.0))>, float>);
// things that must not compile
template <class X> concept has_bitand = requires(X x) { x & x; };
template <class X> concept has_shift = requires(X x) { x << 1; };
template <class X> concept has_compl = requires(X x) { ~x; };
template <class X> concept has_less = requires(X x) { x < x; };
template <class X> concept has_negate = requires(X x) { -x; };
template <class X, class Y> concept assignable = requires(X x, Y y) { x = y + y; };
static_assert(has_bitand<I1&> && has_bitand<B1&> && !has_bitand<A1&> && !has_bitand<F1&>);  // bitwise on doubles
static_assert(has_shift<I1&> && !has_shift<A1&> && !has_shift<B1&>);
static_assert(has_compl<I1&> && has_compl<B1&> && !has_compl<A1&>);
static_assert(has_less<A1&> && !has_less<C1&>);  // complex has no order
static_assert(has_negate<A1&> && !has_negate<B1&>);
static_assert(assignable<A2&, A2&> && assignable<A2&, A1&> && !assignable<A1&, A2&>);  // rank above the destination's

// ---- helpers ----
template <class T, std::size_t N>
std::vector<T> all(const dist::array<T, N>& a) { return dist::allgather(a); }

template <class T>
void expect_near_all(const std::vector<T>& got, const std::vector<T>& want, double tol = 1e-12) {
  ASSERT_EQ(got.size(), want.size());
  index_t bad = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const bool both_nan = std::isnan(std::abs(got[i])) && std::isnan(std::abs(want[i]));
    if (!both_nan && !(std::abs(got[i] - want[i]) <= tol * (1 + std::abs(want[i])))) ++bad;
  }
  EXPECT_EQ(bad, 0) << "elements differ from the serial reference on rank " << world.rank();
}

dist::array<double, 1> values(const dist::distribution<1>& d, double lo, double hi, unsigned seed) {
  return dist::random::uniform<double>(d, seed, lo, hi);
}

}  // namespace

TEST(expr, fused_expression_on_every_pair_of_kinds) {
  for (index_t n : {0, 1, 5, 13, 64}) {
    const auto ks = test_util::all_kinds(n, world, 11);
    for (std::size_t i = 0; i < ks.size(); ++i)
      for (std::size_t j = 0; j < ks.size(); ++j) {
        SCOPED_TRACE("n=" + std::to_string(n) + " kinds " + std::to_string(i) + "," + std::to_string(j));
        const dist::distribution<1> da({n}, {ks[i]}, world), db({n}, {ks[j]}, world);
        const auto a = values(da, -1, 1, 1), b = values(db, -1, 1, 2);
        const auto ga = all(a), gb = all(b);
        dist::array<double, 1> c = 2.0 * a + dist::sin(b);  // on a's distribution
        EXPECT_TRUE(c.distribution() == a.distribution());
        std::vector<double> want(ga.size());
        for (std::size_t k = 0; k < ga.size(); ++k) want[k] = 2.0 * ga[k] + std::sin(gb[k]);
        expect_near_all(all(c), want);
        // into a destination on a third kind
        dist::array<double, 1> d(dist::distribution<1>({n}, {ks[(i + j) % ks.size()]}, world));
        d = a * b - 1.0;
        for (std::size_t k = 0; k < ga.size(); ++k) want[k] = ga[k] * gb[k] - 1.0;
        expect_near_all(all(d), want);
        d += b;
        for (std::size_t k = 0; k < ga.size(); ++k) want[k] += gb[k];
        expect_near_all(all(d), want);
      }
  }
}

TEST(expr, every_ufunc_against_std) {
  const index_t n = 37;
  const dist::distribution<1> d({n}, {dist::block_cyclic{4}}, world), e({n}, {dist::cyclic{}}, world);
  const auto x = values(d, 0.05, 0.95, 3), y = values(e, 0.1, 2.0, 4);
  const auto gx = all(x), gy = all(y);
  auto check = [&](auto&& expr, auto&& ref, const char* name) {
    SCOPED_TRACE(name);
    dist::array<double, 1> r = dist::astype<double>(expr);
    std::vector<double> want(gx.size());
    for (std::size_t k = 0; k < gx.size(); ++k) want[k] = static_cast<double>(ref(gx[k], gy[k]));
    expect_near_all(all(r), want);
  };
  check(dist::abs(x - 0.5), [](double a, double) { return std::abs(a - 0.5); }, "abs");
  check(dist::sqrt(x), [](double a, double) { return std::sqrt(a); }, "sqrt");
  check(dist::cbrt(x - 0.5), [](double a, double) { return std::cbrt(a - 0.5); }, "cbrt");
  check(dist::square(x), [](double a, double) { return a * a; }, "square");
  check(dist::exp(x), [](double a, double) { return std::exp(a); }, "exp");
  check(dist::exp2(x), [](double a, double) { return std::exp2(a); }, "exp2");
  check(dist::expm1(x), [](double a, double) { return std::expm1(a); }, "expm1");
  check(dist::log(y), [](double, double b) { return std::log(b); }, "log");
  check(dist::log2(y), [](double, double b) { return std::log2(b); }, "log2");
  check(dist::log10(y), [](double, double b) { return std::log10(b); }, "log10");
  check(dist::log1p(x), [](double a, double) { return std::log1p(a); }, "log1p");
  check(dist::pow(x, y), [](double a, double b) { return std::pow(a, b); }, "pow");
  check(dist::pow(x, 2), [](double a, double) { return a * a; }, "pow scalar");
  check(dist::sin(x), [](double a, double) { return std::sin(a); }, "sin");
  check(dist::cos(x), [](double a, double) { return std::cos(a); }, "cos");
  check(dist::tan(x), [](double a, double) { return std::tan(a); }, "tan");
  check(dist::arcsin(x), [](double a, double) { return std::asin(a); }, "arcsin");
  check(dist::arccos(x), [](double a, double) { return std::acos(a); }, "arccos");
  check(dist::arctan(x), [](double a, double) { return std::atan(a); }, "arctan");
  check(dist::arctan2(x, y), [](double a, double b) { return std::atan2(a, b); }, "arctan2");
  check(dist::sinh(x), [](double a, double) { return std::sinh(a); }, "sinh");
  check(dist::cosh(x), [](double a, double) { return std::cosh(a); }, "cosh");
  check(dist::tanh(x), [](double a, double) { return std::tanh(a); }, "tanh");
  check(dist::arcsinh(x), [](double a, double) { return std::asinh(a); }, "arcsinh");
  check(dist::arccosh(y + 1.0), [](double, double b) { return std::acosh(b + 1.0); }, "arccosh");
  check(dist::arctanh(x), [](double a, double) { return std::atanh(a); }, "arctanh");
  check(dist::floor(y * 3), [](double, double b) { return std::floor(b * 3); }, "floor");
  check(dist::ceil(y * 3), [](double, double b) { return std::ceil(b * 3); }, "ceil");
  check(dist::trunc(-y * 3), [](double, double b) { return std::trunc(-b * 3); }, "trunc");
  check(dist::rint(y * 3), [](double, double b) { return std::nearbyint(b * 3); }, "rint");
  check(dist::sign(x - 0.5), [](double a, double) { return a > 0.5 ? 1.0 : a < 0.5 ? -1.0 : 0.0; }, "sign");
  check(dist::hypot(x, y), [](double a, double b) { return std::hypot(a, b); }, "hypot");
  check(dist::fmod(-y * 5, x), [](double a, double b) { return std::fmod(-b * 5, a); }, "fmod");
  check((-y * 5) % x, [](double a, double b) { double r = std::fmod(-b * 5, a); return r != 0 && r < 0 ? r + a : r; }, "remainder");
  check(dist::minimum(x, y), [](double a, double b) { return std::min(a, b); }, "minimum");
  check(dist::maximum(x, y), [](double a, double b) { return std::max(a, b); }, "maximum");
  check(dist::fmin(x, y), [](double a, double b) { return std::fmin(a, b); }, "fmin");
  check(dist::fmax(x, y), [](double a, double b) { return std::fmax(a, b); }, "fmax");
  check(dist::clip(y, 0.5, 1.5), [](double, double b) { return std::clamp(b, 0.5, 1.5); }, "clip");
  check(dist::where(x < 0.5, x, y), [](double a, double b) { return a < 0.5 ? a : b; }, "where");
  check(dist::where(x < 0.5, x, 0.0), [](double a, double) { return a < 0.5 ? a : 0.0; }, "where scalar");
  check(x < y, [](double a, double b) { return a < b; }, "<");
  check(x <= y, [](double a, double b) { return a <= b; }, "<=");
  check(x > 0.5, [](double a, double) { return a > 0.5; }, ">");
  check(0.5 >= x, [](double a, double) { return 0.5 >= a; }, ">=");
  check(x == x, [](double, double) { return true; }, "==");
  check(x != y, [](double a, double b) { return a != b; }, "!=");
  check((x < 0.5) && (y > 1.0), [](double a, double b) { return a < 0.5 && b > 1.0; }, "&&");
  check((x < 0.5) || (y > 1.0), [](double a, double b) { return a < 0.5 || b > 1.0; }, "||");
  check(!(x < 0.5), [](double a, double) { return !(a < 0.5); }, "!");
  check(-x + (+y), [](double a, double b) { return -a + b; }, "unary");
  check(x / y, [](double a, double b) { return a / b; }, "/");
  check(dist::vectorize([](double a, double b, double c) { return a * b + c; })(x, y, 1.5),
        [](double a, double b) { return a * b + 1.5; }, "vectorize");
}

TEST(expr, nan_and_inf_functions) {
  const dist::distribution<1> d({6}, world);
  std::vector<double> v{1.0, std::nan(""), INFINITY, -INFINITY, 0.0, -2.0};
  auto a = dist::scatter<double, 1>(v, d);
  EXPECT_EQ(all(dist::array<bool, 1>(dist::isnan(a))), (std::vector<bool>{false, true, false, false, false, false}));
  EXPECT_EQ(all(dist::array<bool, 1>(dist::isinf(a))), (std::vector<bool>{false, false, true, true, false, false}));
  EXPECT_EQ(all(dist::array<bool, 1>(dist::isfinite(a))), (std::vector<bool>{true, false, false, false, true, true}));
  const auto mn = all(dist::array<double, 1>(dist::minimum(a, 0.5)));  // NaN propagates
  const auto fm = all(dist::array<double, 1>(dist::fmin(a, 0.5)));     // NaN ignored
  EXPECT_TRUE(std::isnan(mn[1]));
  EXPECT_EQ(fm[1], 0.5);
  EXPECT_EQ(mn[2], 0.5);
  EXPECT_EQ(mn[3], -INFINITY);
  const auto sg = all(dist::array<double, 1>(dist::sign(a)));
  EXPECT_TRUE(std::isnan(sg[1]));
  EXPECT_EQ(sg[5], -1.0);
}

TEST(expr, integer_and_bool_semantics) {
  const index_t n = 23;
  const dist::distribution<1> d({n}, {dist::cyclic{}}, world), e({n}, {dist::block{}}, world);
  auto a = dist::fromfunction<int>(d, [](index_t i) { return int(i) - 11; });
  auto b = dist::fromfunction<int>(e, [](index_t i) { return int(i % 5) + 1; });
  const auto ga = all(a), gb = all(b);
  auto check = [&](auto&& expr, auto&& ref, const char* name) {
    SCOPED_TRACE(name);
    dist::array<long long, 1> r = dist::astype<long long>(expr);
    const auto got = all(r);
    index_t bad = 0;
    for (std::size_t k = 0; k < ga.size(); ++k) bad += got[k] != static_cast<long long>(ref(ga[k], gb[k]));
    EXPECT_EQ(bad, 0);
  };
  check(a / b, [](int x, int y) { return x / y; }, "C++ division truncates");
  check(a % b, [](int x, int y) { return x % y; }, "C++ remainder");
  check(dist::fmod(a, b), [](int x, int y) { return x % y; }, "fmod");
  check(a & b, [](int x, int y) { return x & y; }, "&");
  check(a | b, [](int x, int y) { return x | y; }, "|");
  check(a ^ b, [](int x, int y) { return x ^ y; }, "^");
  check(b << 3, [](int, int y) { return y << 3; }, "<<");
  check(a >> 1, [](int x, int) { return x >> 1; }, ">>");
  check(~a, [](int x, int) { return ~x; }, "~");
  check(dist::abs(a), [](int x, int) { return std::abs(x); }, "abs");
  check(dist::sign(a), [](int x, int) { return (x > 0) - (x < 0); }, "sign");
  check(dist::pow(a, 3), [](int x, int) { return x * x * x; }, "integer pow");
  check(dist::square(b) - a * 2, [](int x, int y) { return y * y - x * 2; }, "square");
  check(dist::maximum(a, b), [](int x, int y) { return std::max(x, y); }, "maximum");
  check(dist::clip(a, -3, 4), [](int x, int) { return std::clamp(x, -3, 4); }, "clip");
  auto p = a > 0;
  auto q = (b % 2) == 0;
  check(p & q, [](int x, int y) { return (x > 0) && (y % 2 == 0); }, "bool &");
  check(p ^ q, [](int x, int y) { return (x > 0) != (y % 2 == 0); }, "bool ^");
  check(~p, [](int x, int) { return !(x > 0); }, "bool ~ is not");
  // int8 stays int8 and wraps like NumPy
  auto s = dist::full<std::int8_t>({n}, world, std::int8_t{100});
  dist::array<std::int8_t, 1> t = s + s;
  EXPECT_EQ(all(t)[0], static_cast<std::int8_t>(-56));
  // compound assignment with integer ops
  dist::array<int, 1> c = a * 1;
  c <<= 2;
  c |= 1;
  c %= 7;
  const auto gc = all(c);
  for (std::size_t k = 0; k < ga.size(); ++k) EXPECT_EQ(gc[k], ((ga[k] << 2) | 1) % 7);
}

TEST(expr, complex_and_float_types) {
  const index_t n = 11;
  const dist::distribution<1> d({n}, {dist::block_cyclic{2}}, world);
  auto re = values(d, -1, 1, 5), im = values(d, -1, 1, 6);
  dist::array<cplx, 1> z(d);
  z = re + im * cplx(0, 1);
  const auto gr = all(re), gi = all(im);
  dist::array<cplx, 1> w = z * dist::conj(z) + 2.0 * z;
  dist::array<double, 1> m = dist::abs(z), r = dist::real(w), i = dist::imag(w);
  const auto gw = all(w);
  const auto gm = all(m), grr = all(r), gii = all(i);
  for (std::size_t k = 0; k < gr.size(); ++k) {
    const cplx zz(gr[k], gi[k]);
    const cplx want = zz * std::conj(zz) + 2.0 * zz;
    EXPECT_NEAR(std::abs(gw[k] - want), 0, 1e-14);
    EXPECT_NEAR(gm[k], std::abs(zz), 1e-14);
    EXPECT_NEAR(grr[k], want.real(), 1e-14);
    EXPECT_NEAR(gii[k], want.imag(), 1e-14);
  }
  auto f = dist::astype<float>(re);
  dist::array<float, 1> g = f * 2.0 + 1;  // stays float
  const auto gg = all(g);
  for (std::size_t k = 0; k < gr.size(); ++k) EXPECT_FLOAT_EQ(gg[k], float(gr[k]) * 2.0f + 1.0f);
}

TEST(expr, broadcasting_distributed) {
  const index_t n = 7, m = 9;
  const int P = world.size();
  for (const auto& [rs, cs] : {std::pair<dist::dim_spec, dist::dim_spec>{dist::block{}, dist::block{}},
                               {dist::cyclic{}, dist::block_cyclic{2}},
                               {dist::block{}, dist::undistributed{}},
                               {dist::undistributed{}, dist::cyclic{}}}) {
    SCOPED_TRACE("kinds " + std::to_string(rs.index()) + "," + std::to_string(cs.index()));
    const dist::distribution<2> D({n, m}, {rs, cs}, world);
    auto a = dist::fromfunction<double>(D, [](index_t i, index_t j) { return double(i * 100 + j); });
    auto v = dist::fromfunction<double>({m}, world, [](index_t j) { return double(j * j); });   // block (m)
    auto col = dist::fromfunction<double>({n, 1}, {dist::cyclic{}, dist::undistributed{}}, world,
                                          [](index_t i, index_t) { return double(-i); });       // (n, 1)
    auto row = dist::fromfunction<double>({1, m}, world, [](index_t, index_t j) { return double(j) / 2; });  // (1, m)
    dist::array<double, 2> r1 = a + v;
    dist::array<double, 2> r2 = col * row;  // (n,1) * (1,m) -> (n,m) on the default distribution
    dist::array<double, 2> r3(D);
    r3 = a - col + 3.0 * row;
    dist::array<double, 2> r4(D);
    r4 = v;  // assignment broadcasts too
    EXPECT_TRUE(r1.distribution() == D);
    EXPECT_EQ(r2.shape(), (dist::shape<2>{n, m}));
    const auto g1 = all(r1), g2 = all(r2), g3 = all(r3), g4 = all(r4);
    index_t bad = 0;
    for (index_t i = 0; i < n; ++i)
      for (index_t j = 0; j < m; ++j) {
        const auto k = static_cast<std::size_t>(i * m + j);
        bad += g1[k] != double(i * 100 + j) + double(j * j);
        bad += g2[k] != double(-i) * (double(j) / 2);
        bad += g3[k] != double(i * 100 + j) + double(i) + 3.0 * (double(j) / 2);
        bad += g4[k] != double(j * j);
      }
    EXPECT_EQ(bad, 0);
    // each rank receives only the part of v matching its columns (at most its local column count)
    auto plan = dist::detail::cached_alignment(v.distribution(), D, std::array<int, 1>{1});
    EXPECT_LE(plan->elements_received(), D.local_shape()[1]);
    if (D.local_size() > 0) {  // (an empty block needs none of v)
      EXPECT_EQ(plan->local_shape()[0], D.local_shape()[1]);
    }
    (void)P;
  }
  // unstructured destination dims: the fan-out finds owners through the directory
  {
    const dist::distribution<2> U({n, m}, {dist::unstructured{test_util::random_part(n, world.size(), world.rank(), 9)},
                                           dist::undistributed{}}, world);
    const dist::distribution<1> vu({m}, {dist::unstructured{test_util::random_part(m, world.size(), world.rank(), 10)}}, world);
    auto a = dist::fromfunction<double>(U, [](index_t i, index_t j) { return double(i * 100 + j); });
    auto v = dist::fromfunction<double>(vu, [](index_t j) { return double(j * j); });
    auto col = dist::fromfunction<double>({n, 1}, {dist::cyclic{}, dist::undistributed{}}, world,
                                          [](index_t i, index_t) { return double(-i); });
    dist::array<double, 2> r = a + v * col;
    EXPECT_TRUE(r.distribution() == U);
    const auto g = all(r);
    index_t bad = 0;
    for (index_t i = 0; i < n; ++i)
      for (index_t j = 0; j < m; ++j) bad += g[static_cast<std::size_t>(i * m + j)] != double(i * 100 + j) - double(j * j) * double(i);
    EXPECT_EQ(bad, 0);
  }
  // replicated data as an operand, and a shape error on every rank
  std::vector<double> rv(static_cast<std::size_t>(m));
  std::iota(rv.begin(), rv.end(), 1.0);
  const dist::distribution<2> D({n, m}, {dist::block{}, dist::block_cyclic{2}}, world);
  auto a = dist::ones<double>(D);
  dist::array<double, 2> r = a * dist::replicated(rv, {m});
  const auto gr = all(r);
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < m; ++j) EXPECT_EQ(gr[static_cast<std::size_t>(i * m + j)], double(j + 1));
  auto bad = dist::ones<double>({n + 1}, world);
  EXPECT_THROW((void)(a + bad), dist::shape_error);
  dist::array<double, 1> v1(dist::distribution<1>({m + 1}, world));
  EXPECT_THROW(r = v1 + 1.0, dist::shape_error);
}

TEST(expr, aliasing_has_numpy_meaning) {
  const index_t n = 29;
  const dist::distribution<1> d({n}, {dist::block{}}, world), e({n}, {dist::cyclic{}}, world);
  auto a = dist::arange<double>(0, double(n), 1, d);
  auto b = dist::fromfunction<double>(e, [](index_t i) { return double(i % 3); });
  const auto ga = all(a), gb = all(b);
  a = a * 2 + b;  // aligned with itself, b moved in first
  a += a;
  a = b - a;
  const auto g = all(a);
  for (std::size_t k = 0; k < ga.size(); ++k) EXPECT_EQ(g[k], gb[k] - 2 * (ga[k] * 2 + gb[k]));
  // a destination on another distribution reading itself through a moved copy
  dist::array<double, 1> c(e);
  c = b;
  c = c + dist::redistribute(c, d);
  const auto gc = all(c);
  for (std::size_t k = 0; k < gb.size(); ++k) EXPECT_EQ(gc[k], 2 * gb[k]);
}

TEST(expr, lazy_expressions_hold_temporaries) {
  const index_t n = 17;
  const dist::distribution<1> d({n}, {dist::block_cyclic{2}}, world);
  auto a = dist::arange<double>(0, double(n), 1, d);
  auto e = (a + 1.0) * dist::full<double>({n}, world, 3.0);  // the temporary is held by value
  auto f = e - dist::eval(a * 0.5);  // eval is eager: 0.5 * i, held by value
  a.fill(1.0);                       // e is lazy: it sees a's new values
  dist::array<double, 1> r = f;
  const auto gr = all(r);
  for (std::size_t i = 0; i < gr.size(); ++i) EXPECT_EQ(gr[i], 6.0 - 0.5 * double(i));
  auto g = dist::eval(e);
  EXPECT_TRUE(g.distribution() == d);
  auto h = dist::eval(e, dist::distribution<1>({n}, {dist::cyclic{}}, world));
  EXPECT_EQ(all(h), all(g));
}

TEST(expr, mixed_distributions_plan_once) {
  const index_t n = 40;
  const dist::distribution<1> d({n}, {dist::block{}}, world), e({n}, {dist::cyclic{}}, world);
  auto a = dist::ones<double>(d), b = dist::ones<double>(e);
  a = a + b;
  const auto p1 = dist::detail::cached_alignment(e, d, std::array<int, 1>{0});
  for (int it = 0; it < 5; ++it) a = a + b;
  const auto p2 = dist::detail::cached_alignment(e, d, std::array<int, 1>{0});
  EXPECT_EQ(p1.get(), p2.get());
  for (double x : all(a)) EXPECT_EQ(x, 7.0);
  // an equal distribution built again shares the plan (structured dims compare by value)
  const dist::distribution<1> e2({n}, {dist::cyclic{}}, world);
  EXPECT_EQ(dist::detail::cached_alignment(e2, d, std::array<int, 1>{0}).get(), p1.get());
}

TEST(expr, errors_raise_on_every_rank) {
  const dist::distribution<2> d({4, 5}, world);
  auto a = dist::zeros<double>(d);
  auto b = dist::zeros<double>({5, 4}, world);
  EXPECT_THROW(a = a + b, dist::shape_error);
  EXPECT_THROW(a = b, dist::shape_error);
  auto c = dist::zeros<double>({4, 1, 5}, world);
  EXPECT_THROW((void)(c * a + b), dist::shape_error);
  if (world.size() > 1) {  // an operand on other ranks
    dist::communicator half = world.split(world.rank() == 0 ? 0 : 1);
    auto x = dist::zeros<double>({4, 5}, half);
    bool threw = false;
    try {
      a = x + 1.0;
    } catch (const dist::shape_error&) {
      threw = true;
    }
    EXPECT_TRUE(threw);
  }
}

TEST(expr, streaming_stores_give_the_same_result) {
  const auto saved = dist::detail::streaming_bytes;
  dist::detail::streaming_bytes = 0;  // every block streams: odd row lengths, misaligned rows
  for (const dist::shape<2> s : {dist::shape<2>{7, 13}, dist::shape<2>{5, 1}, dist::shape<2>{3, 64}}) {
    const dist::distribution<2> d(s, {dist::block{}, dist::cyclic{}}, world);
    auto a = dist::random::uniform<double>(d, 1, -1, 1);
    auto f = dist::random::uniform<float>(d, 2, -1, 1);
    dist::array<double, 2> r(d);
    dist::array<float, 2> g(d);
    r = 2.0 * a + dist::sin(a);
    g = f * 3.0f - 1.0f;
    r = r * 0.5 + a;  // the destination read while it is streamed to
    const auto ga = dist::allgather(a), gr = dist::allgather(r);
    const auto gf = dist::allgather(f), gg = dist::allgather(g);
    for (std::size_t k = 0; k < ga.size(); ++k) {
      EXPECT_DOUBLE_EQ(gr[k], (2.0 * ga[k] + std::sin(ga[k])) * 0.5 + ga[k]);
      EXPECT_FLOAT_EQ(gg[k], gf[k] * 3.0f - 1.0f);
    }
  }
  dist::detail::streaming_bytes = saved;
}
