// Reproducible reductions (dist::reproducible): every result must equal the
// correctly rounded exact sum, computed here by a separate big-integer
// reference (magnitudes of positives and negatives kept apart), on every
// layout kind, 2-d grids and rank count; that equality is what makes the
// results bit-identical across them. Ill-conditioned data (2^-40..2^40,
// cancelling pairs), specials, float, complex, integers, axes, expressions.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <dist/dist.hpp>
#include <limits>
#include <random>
#include <vector>

#include "test_util.hpp"

using dist::index_t;

namespace {

dist::communicator world;

// ---- the reference: an exact sum as two unsigned big integers in units of 2^-1074 ----
struct big {
  std::vector<std::uint32_t> limb = std::vector<std::uint32_t>(72, 0);
  void add_shifted(std::uint64_t m, int shift) {  // += m * 2^shift
    for (int b = 0; b < 64; ++b)
      if ((m >> b) & 1) add_bit(shift + b);
  }
  void add_bit(int pos) {
    std::size_t i = static_cast<std::size_t>(pos / 32);
    std::uint64_t carry = std::uint64_t{1} << (pos % 32);
    for (; carry != 0; ++i) {
      const std::uint64_t t = std::uint64_t{limb[i]} + carry;
      limb[i] = static_cast<std::uint32_t>(t);
      carry = t >> 32;
    }
  }
  bool bit(int pos) const { return (limb[static_cast<std::size_t>(pos / 32)] >> (pos % 32)) & 1; }
  int top() const {
    for (int p = 72 * 32 - 1; p >= 0; --p)
      if (bit(p)) return p;
    return -1;
  }
  static int compare(const big& a, const big& b) {
    for (std::size_t i = a.limb.size(); i-- > 0;)
      if (a.limb[i] != b.limb[i]) return a.limb[i] < b.limb[i] ? -1 : 1;
    return 0;
  }
  big minus(const big& b) const {  // *this - b, *this >= b
    big r;
    std::int64_t borrow = 0;
    for (std::size_t i = 0; i < limb.size(); ++i) {
      std::int64_t t = std::int64_t{limb[i]} - b.limb[i] - borrow;
      borrow = t < 0;
      r.limb[i] = static_cast<std::uint32_t>(t + (borrow << 32));
    }
    return r;
  }
};

/// The correctly rounded (to nearest, ties to even) sum of xs in R, as IEEE
/// defines it for a single rounding; +0 for an exact zero.
template <class R>
R exact_sum(const std::vector<double>& xs) {
  big pos, neg;
  bool nan = false, pinf = false, ninf = false;
  for (double x : xs) {
    if (std::isnan(x)) nan = true;
    else if (std::isinf(x)) (x > 0 ? pinf : ninf) = true;
    if (!std::isfinite(x) || x == 0) continue;
    int e = 0;
    const double f = std::frexp(std::abs(x), &e);  // |x| = f * 2^e, f in [0.5, 1)
    auto m = static_cast<std::uint64_t>(std::ldexp(f, 53));
    int shift = e - 53 + 1074;  // units of 2^-1074
    for (; shift < 0; ++shift) m >>= 1;  // subnormals: the dropped bits are zero
    (x > 0 ? pos : neg).add_shifted(m, shift);
  }
  if (nan || (pinf && ninf)) return std::numeric_limits<R>::quiet_NaN();
  if (pinf) return std::numeric_limits<R>::infinity();
  if (ninf) return -std::numeric_limits<R>::infinity();
  const int c = big::compare(pos, neg);
  if (c == 0) return R(0);
  const big mag = c > 0 ? pos.minus(neg) : neg.minus(pos);
  const int t = mag.top();  // value = mag * 2^-1074
  constexpr int p = std::numeric_limits<R>::digits;
  const int lowest = std::numeric_limits<R>::min_exponent - p + 1074;  // unit of R's smallest subnormal
  const int low = std::max(t - p + 1, lowest);
  std::uint64_t m = 0;
  for (int b = t; b >= low; --b) m = 2 * m + mag.bit(b);
  bool half = low > 0 && mag.bit(low - 1), rest = false;
  for (int b = low - 2; b >= 0 && !rest; --b) rest = mag.bit(b);
  if (half && (rest || (m & 1))) ++m;
  const R r = std::ldexp(static_cast<R>(m), low - 1074);
  return c > 0 ? r : -r;
}

template <class R>
bool same_bits(R a, R b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  return std::memcmp(&a, &b, sizeof(R)) == 0;
}
#define EXPECT_BITS(got, want) EXPECT_TRUE(same_bits(got, want)) << std::hexfloat << "got " << (got) << " want " << (want)

/// Ill-conditioned values: magnitudes 2^-40..2^40 with cancelling pairs
/// (x, -x(1 + 2^-k)), the same on every rank for a seed.
std::vector<double> hard_values(index_t n, unsigned seed) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(0.5, 1.0);
  std::vector<double> v(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    if (i % 2 == 1 && g() % 3 != 0) {
      v[k] = -v[k - 1] * (1 + std::ldexp(1.0, -static_cast<int>(g() % 50)));
    } else {
      v[k] = (g() % 2 ? 1 : -1) * std::ldexp(u(g), static_cast<int>(g() % 81) - 40);
    }
  }
  return v;
}
/// Large values that cancel exactly in pairs placed far apart, and small
/// ones (2^-40..2^-20, full mantissas) that make the sum: any lost low bit
/// shows in the result.
std::vector<double> cancelling_values(index_t n, unsigned seed) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(0.5, 1.0);
  std::vector<double> v;
  for (index_t i = 0; i + 1 < n; i += 4) {
    const double big = (g() % 2 ? 1 : -1) * std::ldexp(u(g), static_cast<int>(g() % 41));
    v.push_back(big);
    v.push_back(-big);
    v.push_back(std::ldexp(u(g), -static_cast<int>(20 + g() % 21)));
    v.push_back(-std::ldexp(u(g), -static_cast<int>(20 + g() % 21)));
  }
  v.resize(static_cast<std::size_t>(n), 0x1.fffffffffffffp-30);
  std::shuffle(v.begin(), v.end(), g);
  return v;
}
/// Well-scaled values (the fast path of the accumulator), one of them
/// ill-placed when `spoil`: a tiny value in the middle of a block.
std::vector<double> plain_values(index_t n, unsigned seed, bool spoil) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<double> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = u(g);
  if (spoil && n > 1500) v[1500] = 0x1.23456789abcdfp-70;
  return v;
}

dist::array<double, 1> from_values(const std::vector<double>& v, dist::dim_spec spec) {
  const dist::distribution<1> d({static_cast<index_t>(v.size())}, {spec}, world);
  return dist::fromfunction<double>(d, [&](index_t i) { return v[static_cast<std::size_t>(i)]; });
}

}  // namespace

TEST(reproducible, equals_the_exact_sum_on_every_layout) {
  for (int width : {-1, 16, 0}) {  // every kernel: widest, 16-byte vectors, one value at a time
  dist::detail::exact_kernel_bytes = width;
  for (index_t n : {0, 1, 7, 1000, 5003, 20011}) {
    for (int data = 0; data < 4; ++data) {
      const auto v = data == 0 ? hard_values(n, 11) : data == 3 ? cancelling_values(n, 13) : plain_values(n, 12, data == 2);
      const double want = exact_sum<double>(v);
      const auto kinds = test_util::all_kinds(n, world, 5);
      for (std::size_t k = 0; k < kinds.size(); ++k) {
        SCOPED_TRACE("n=" + std::to_string(n) + " data " + std::to_string(data) + " kind " + std::to_string(k));
        const auto a = from_values(v, kinds[k]);
        EXPECT_BITS(dist::sum(a, dist::reproducible), want);
        EXPECT_BITS(dist::sum(-a, dist::reproducible), -want + 0.0);
      }
    }
  }
  }
  dist::detail::exact_kernel_bytes = -1;
}

TEST(reproducible, two_d_grids_and_axes) {
  const index_t r = 37, c = 53;
  const auto v = cancelling_values(r * c, 21);
  const double want = exact_sum<double>(v);
  std::vector<double> col_want(static_cast<std::size_t>(c)), row_want(static_cast<std::size_t>(r));
  for (index_t j = 0; j < c; ++j) {
    std::vector<double> col;
    for (index_t i = 0; i < r; ++i) col.push_back(v[static_cast<std::size_t>(i * c + j)]);
    col_want[static_cast<std::size_t>(j)] = exact_sum<double>(col);
  }
  for (index_t i = 0; i < r; ++i)
    row_want[static_cast<std::size_t>(i)] =
        exact_sum<double>(std::vector<double>(v.begin() + i * c, v.begin() + (i + 1) * c));
  const std::vector<std::array<dist::dim_spec, 2>> layouts = {
      {dist::block{}, dist::block{}},        {dist::cyclic{}, dist::block_cyclic{4}},
      {dist::undistributed{}, dist::cyclic{}}, {dist::block_cyclic{5}, dist::undistributed{}},
      {dist::unstructured{test_util::random_part(r, world.size(), world.rank(), 3)}, dist::undistributed{}}};
  for (std::size_t l = 0; l < layouts.size(); ++l) {
    SCOPED_TRACE("layout " + std::to_string(l));
    const dist::distribution<2> d({r, c}, layouts[l], world);
    const auto a = dist::fromfunction<double>(d, [&](index_t i, index_t j) { return v[static_cast<std::size_t>(i * c + j)]; });
    EXPECT_BITS(dist::sum(a, dist::reproducible), want);
    const auto cols = dist::allgather(dist::sum(a, 0, dist::reproducible));
    const auto rows = dist::allgather(dist::sum(a, -1, dist::reproducible));
    ASSERT_EQ(cols.size(), col_want.size());
    ASSERT_EQ(rows.size(), row_want.size());
    for (std::size_t j = 0; j < cols.size(); ++j) EXPECT_BITS(cols[j], col_want[j]);
    for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_BITS(rows[i], row_want[i]);
  }
  // an explicit 2-d grid where the ranks allow one
  if (world.size() == 4) {
    const dist::distribution<2> d({r, c}, {dist::block{}, dist::cyclic{}}, world, dist::grid({2, 2}));
    const auto a = dist::fromfunction<double>(d, [&](index_t i, index_t j) { return v[static_cast<std::size_t>(i * c + j)]; });
    EXPECT_BITS(dist::sum(a, dist::reproducible), want);
    const auto cols = dist::allgather(dist::sum(a, 0, dist::reproducible));
    for (std::size_t j = 0; j < cols.size(); ++j) EXPECT_BITS(cols[j], col_want[j]);
  }
}

TEST(reproducible, mean_var_std_norm_dot) {
  const index_t n = 2311;
  const auto v = hard_values(n, 31), w = plain_values(n, 32, false);
  const auto a = from_values(v, dist::cyclic{}), b = from_values(w, dist::block_cyclic{7});
  const double m = exact_sum<double>(v) / static_cast<double>(n);
  EXPECT_BITS(dist::mean(a, dist::reproducible), m);
  std::vector<double> sq, prod, sq2;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double d = std::abs(v[i] - m);
    sq.push_back(d * d);
    prod.push_back(v[i] * w[i]);
    sq2.push_back(std::abs(v[i]) * std::abs(v[i]));
  }
  const double var0 = exact_sum<double>(sq) / static_cast<double>(n), var1 = exact_sum<double>(sq) / static_cast<double>(n - 1);
  EXPECT_BITS(dist::var(a, dist::reproducible), var0);
  EXPECT_BITS(dist::var(a, dist::reproducible, dist::ddof{1}), var1);
  EXPECT_BITS(dist::std(a, dist::reproducible), std::sqrt(var0));
  EXPECT_BITS(dist::norm(a, dist::reproducible), std::sqrt(exact_sum<double>(sq2)));
  std::vector<double> absv;
  for (double x : v) absv.push_back(std::abs(x));
  EXPECT_BITS(dist::norm(a, 1.0, dist::reproducible), exact_sum<double>(absv));
  EXPECT_BITS(dist::dot(a, b, dist::reproducible), exact_sum<double>(prod));
  // a fused expression goes through the same accumulator
  std::vector<double> expr;
  for (std::size_t i = 0; i < v.size(); ++i) expr.push_back(2.0 * v[i] + w[i]);
  EXPECT_BITS(dist::sum(2.0 * a + b, dist::reproducible), exact_sum<double>(expr));
}

TEST(reproducible, axis_mean_var_std) {
  const index_t r = 9, c = 1031;
  const auto v = hard_values(r * c, 41);
  const dist::distribution<2> d({r, c}, {dist::cyclic{}, dist::block{}}, world);
  const auto a = dist::fromfunction<double>(d, [&](index_t i, index_t j) { return v[static_cast<std::size_t>(i * c + j)]; });
  const auto means = dist::allgather(dist::mean(a, 1, dist::reproducible));
  const auto vars = dist::allgather(dist::var(a, 1, dist::reproducible, dist::ddof{1}));
  const auto stds = dist::allgather(dist::std(a, 1, dist::reproducible));
  for (index_t i = 0; i < r; ++i) {
    const std::vector<double> row(v.begin() + i * c, v.begin() + (i + 1) * c);
    const double m = exact_sum<double>(row) / static_cast<double>(c);
    std::vector<double> sq;
    for (double x : row) sq.push_back(std::abs(x - m) * std::abs(x - m));
    const auto k = static_cast<std::size_t>(i);
    EXPECT_BITS(means[k], m);
    EXPECT_BITS(vars[k], exact_sum<double>(sq) / static_cast<double>(c - 1));
    EXPECT_BITS(stds[k], std::sqrt(exact_sum<double>(sq) / static_cast<double>(c)));
  }
}

TEST(reproducible, special_values_and_overflow) {
  const double inf = std::numeric_limits<double>::infinity(), big = std::numeric_limits<double>::max();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<std::vector<double>> cases = {
      {1.0, nan, 2.0},       {1.0, inf, -5.0},       {-inf, 3.0},     {inf, 1.0, -inf},
      {big, big, -big},      {big, big},             {-big, -big},    {0x1p-1074, 0x1p-1074, -0x1p-1073, 0x1p-1074},
      {1e308, -1e308, 1e-300}, {-0.0, -0.0},
      {1.0, 0x1p-53},        {1.0 + 0x1p-52, 0x1p-53}, {1.0, 0x1p-53, 0x1p-1074}, {-1.0, -0x1p-53}};  // ties: to even
  for (std::size_t k = 0; k < cases.size(); ++k) {
    SCOPED_TRACE("case " + std::to_string(k));
    std::vector<double> v = cases[k];
    v.resize(3000, 0.0);  // long enough for whole blocks: the fast path must detect them too
    std::rotate(v.begin(), v.begin() + 2990, v.end());
    for (auto spec : {dist::dim_spec{dist::block{}}, dist::dim_spec{dist::cyclic{}}}) {
      const auto a = from_values(v, spec);
      EXPECT_BITS(dist::sum(a, dist::reproducible), exact_sum<double>(v));
    }
    if (std::all_of(v.begin(), v.end(), [](double x) { return std::abs(x) < 1e30; })) {  // and rounded to float
      const dist::distribution<1> d({static_cast<index_t>(v.size())}, {dist::block{}}, world);
      std::vector<double> vf;
      for (double x : v) vf.push_back(static_cast<double>(static_cast<float>(x)));
      const auto f = dist::fromfunction<float>(d, [&](index_t i) { return static_cast<float>(v[static_cast<std::size_t>(i)]); });
      EXPECT_BITS(dist::sum(f, dist::reproducible), exact_sum<float>(vf));
    }
  }
  // the exact sum is not fooled by an intermediate overflow, unlike the plain sum
  const auto a = from_values({big, big, -big}, dist::block{});
  EXPECT_EQ(dist::sum(a, dist::reproducible), big);
  // float ties: 1 + 2^-24 lies halfway between two floats
  const dist::distribution<1> d1({2}, {dist::cyclic{}}, world);
  const auto t = dist::fromfunction<float>(d1, [](index_t i) { return i == 0 ? 1.0f : 0x1p-24f; });
  EXPECT_BITS(dist::sum(t, dist::reproducible), 1.0f);
}

TEST(reproducible, float_complex_and_integers) {
  const index_t n = 4099;
  const auto v = hard_values(n, 51);
  std::vector<double> as_float;
  for (double x : v) as_float.push_back(static_cast<double>(static_cast<float>(x)));
  const dist::distribution<1> d({n}, {dist::block_cyclic{5}}, world);
  const auto f = dist::fromfunction<float>(d, [&](index_t i) { return static_cast<float>(v[static_cast<std::size_t>(i)]); });
  const float fs = dist::sum(f, dist::reproducible);
  static_assert(std::is_same_v<decltype(dist::sum(f, dist::reproducible)), float>);
  EXPECT_BITS(fs, exact_sum<float>(as_float));  // rounded once, straight to float
  const auto w = plain_values(n, 52, true);
  const auto z = dist::fromfunction<std::complex<double>>(d, [&](index_t i) {
    return std::complex<double>(v[static_cast<std::size_t>(i)], w[static_cast<std::size_t>(i)]);
  });
  const std::complex<double> zs = dist::sum(z, dist::reproducible);
  EXPECT_BITS(zs.real(), exact_sum<double>(v));
  EXPECT_BITS(zs.imag(), exact_sum<double>(w));
  const auto k = dist::fromfunction<int>(d, [](index_t i) { return static_cast<int>(i % 17) - 8; });
  std::int64_t ks = 0;
  for (index_t i = 0; i < n; ++i) ks += static_cast<int>(i % 17) - 8;
  EXPECT_EQ(dist::sum(k, dist::reproducible), ks);
  EXPECT_TRUE(std::isnan(dist::mean(dist::array<double, 1>(dist::distribution<1>({0}, {dist::block{}}, world)), dist::reproducible)));
}
