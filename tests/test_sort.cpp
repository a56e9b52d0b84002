// Sorting and order statistics (SPEC 13): sort, argsort, unique,
// unique_counts, unique_inverse, searchsorted, median, percentile,
// quantile, against serial references computed here on every rank: every
// layout kind, uneven extents, ties, NaN, signed zeros, empty arrays, all
// data on one rank, integer and floating types.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <dist/dist.hpp>
#include <limits>
#include <numeric>
#include <vector>

#include "test_util.hpp"

using dist::index_t;

namespace {
dist::communicator world;
const double qnan = std::numeric_limits<double>::quiet_NaN();

// many ties, a NaN every 13th, -0.0 and 0.0 both present
double val(index_t f) {
  if (f % 13 == 5) return qnan;
  const auto m = (f * 37 + 11) % 23 % 8;
  if (m == 0) return f % 2 ? -0.0 : 0.0;
  return static_cast<double>(m) - 3.5 * static_cast<double>(f % 3);
}

std::vector<dist::dim_spec> kinds(index_t n, unsigned seed) {
  auto k = test_util::all_kinds(n, world, seed);
  std::vector<index_t> one(static_cast<std::size_t>(world.size()) + 1, n);  // everything on the last rank
  std::fill(one.begin(), one.end() - 1, 0);
  k.push_back(dist::block{one});
  return k;
}

template <class T = double>
std::vector<T> ref(index_t n) {
  std::vector<T> v(static_cast<std::size_t>(n));
  for (index_t f = 0; f < n; ++f) {
    const double x = val(f);
    v[static_cast<std::size_t>(f)] = std::is_integral_v<T> && std::isnan(x) ? T(9) : static_cast<T>(x);
  }
  return v;
}

template <class T, std::size_t N>
dist::array<T, N> from_ref(const dist::distribution<N>& d, const std::vector<T>& r) {
  const auto st = dist::detail::row_major_strides(d.shape());
  return dist::fromfunction<T>(d, [&](const dist::index<N>& ix) {
    index_t f = 0;
    for (std::size_t k = 0; k < N; ++k) f += ix[k] * st[k];
    return r[static_cast<std::size_t>(f)];
  });
}

template <class T>
bool less_nan_last(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(b)) return !std::isnan(a);
    if (std::isnan(a)) return false;
  }
  return a < b;
}

/// The serial stable argsort (NumPy kind='stable').
template <class T>
std::vector<index_t> argsort_ref(const std::vector<T>& v) {
  std::vector<index_t> p(v.size());
  std::iota(p.begin(), p.end(), 0);
  std::stable_sort(p.begin(), p.end(), [&](index_t a, index_t b) { return less_nan_last(v[static_cast<std::size_t>(a)], v[static_cast<std::size_t>(b)]); });
  return p;
}

/// Bitwise equality (tells -0.0 from 0.0, NaN equals NaN).
template <class T>
void expect_same_bits(const std::vector<T>& got, const std::vector<T>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (std::memcmp(&got[i], &want[i], sizeof(T)) != 0) {
      ADD_FAILURE() << what << ": element " << i << " is " << got[i] << ", want " << want[i] << " (rank " << world.rank() << ")";
      return;
    }
}
}  // namespace

TEST(sort, one_dim_every_layout_stable_nan_last) {
  for (index_t n : {index_t{0}, index_t{1}, index_t{5}, index_t{97}}) {
    const auto r = ref(n);
    const auto p = argsort_ref(r);
    std::vector<double> sorted;
    for (index_t i : p) sorted.push_back(r[static_cast<std::size_t>(i)]);
    for (const auto& spec : kinds(n, 3)) {
      const dist::distribution<1> d({n}, {spec}, world);
      const auto a = from_ref(d, r);
      const auto s = dist::sort(a);
      EXPECT_TRUE(s.distribution() == d);
      expect_same_bits(dist::allgather(s), sorted, d.describe());
      const auto as = dist::argsort(a);
      EXPECT_TRUE(as.distribution() == d);
      EXPECT_EQ(dist::allgather(as), p) << d.describe();
    }
  }
  // integers, and an expression operand
  const auto ri = ref<int>(61);
  auto si = ri;
  std::stable_sort(si.begin(), si.end());
  const dist::distribution<1> d({61}, {dist::cyclic{}}, world);
  EXPECT_EQ(dist::allgather(dist::sort(from_ref(d, ri))), si);
  std::vector<int> neg(si.rbegin(), si.rend());
  for (auto& v : neg) v = -v;
  EXPECT_EQ(dist::allgather(dist::sort(-from_ref(d, ri))), neg);
}

TEST(sort, large_enough_for_every_rank_to_split) {
  // many elements per rank and few distinct values: splitters fall inside runs of ties
  const index_t n = 5003;
  std::vector<double> r(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i) r[static_cast<std::size_t>(i)] = static_cast<double>((i * 7919) % 5) + (i % 211 == 0 ? qnan : 0.0);
  const auto p = argsort_ref(r);
  for (const auto& spec : {dist::dim_spec{dist::block{}}, dist::dim_spec{dist::cyclic{}}, dist::dim_spec{dist::block_cyclic{64}}}) {
    const dist::distribution<1> d({n}, {spec}, world);
    const auto a = from_ref(d, r);
    EXPECT_EQ(dist::allgather(dist::argsort(a)), p) << d.describe();
    std::vector<double> sorted;
    for (index_t i : p) sorted.push_back(r[static_cast<std::size_t>(i)]);
    expect_same_bits(dist::allgather(dist::sort(a)), sorted, d.describe());
  }
}

TEST(sort, along_each_axis_of_2d) {
  const index_t R = 7, C = 9;
  const auto r = ref(R * C);
  std::vector<dist::distribution<2>> ds;
  for (const auto& a : kinds(R, 5)) ds.emplace_back(dist::shape<2>{R, C}, std::array<dist::dim_spec, 2>{a, dist::undistributed{}}, world);
  ds.emplace_back(dist::shape<2>{R, C}, std::array<dist::dim_spec, 2>{dist::undistributed{}, dist::cyclic{}}, world);
  if (world.size() == 4) ds.emplace_back(dist::shape<2>{R, C}, std::array<dist::dim_spec, 2>{dist::block{}, dist::cyclic{}}, world, dist::grid{2, 2});
  for (const auto& d : ds) {
    const auto a = from_ref(d, r);
    for (int axis : {0, 1, -1}) {
      const std::size_t ax = axis == 0 ? 0 : 1;
      std::vector<double> ws(r.size());
      std::vector<index_t> wi(r.size());
      const index_t L = ax == 0 ? R : C, M = ax == 0 ? C : R;
      for (index_t o = 0; o < M; ++o) {
        std::vector<double> line;
        for (index_t j = 0; j < L; ++j) line.push_back(r[static_cast<std::size_t>(ax == 0 ? j * C + o : o * C + j)]);
        const auto p = argsort_ref(line);
        for (index_t j = 0; j < L; ++j) {
          const auto at = static_cast<std::size_t>(ax == 0 ? j * C + o : o * C + j);
          ws[at] = line[static_cast<std::size_t>(p[static_cast<std::size_t>(j)])];
          wi[at] = p[static_cast<std::size_t>(j)];
        }
      }
      const auto s = dist::sort(a, axis);
      EXPECT_TRUE(s.distribution() == d);
      expect_same_bits(dist::allgather(s), ws, d.describe() + " axis " + std::to_string(axis));
      EXPECT_EQ(dist::allgather(dist::argsort(a, axis)), wi) << d.describe() << " axis " << axis;
    }
  }
  EXPECT_THROW((void)dist::sort(from_ref(ds[0], r), 2), dist::index_error);
}

TEST(sort, unique_counts_inverse) {
  for (index_t n : {index_t{0}, index_t{3}, index_t{89}}) {
    const auto r = ref(n);
    // serial: sorted distinct values (NaNs as one), counts, inverse
    std::vector<double> s = r;
    std::stable_sort(s.begin(), s.end(), less_nan_last<double>);
    std::vector<double> u;
    std::vector<index_t> cnt;
    for (double v : s) {
      const bool same = !u.empty() && !less_nan_last(u.back(), v) && !less_nan_last(v, u.back());
      if (same) ++cnt.back();
      else u.push_back(v), cnt.push_back(1);
    }
    std::vector<index_t> inv;
    for (double v : r)
      inv.push_back(std::lower_bound(u.begin(), u.end(), v, less_nan_last<double>) - u.begin());
    for (const auto& spec : kinds(n, 7)) {
      const dist::distribution<1> d({n}, {spec}, world);
      const auto a = from_ref(d, r);
      expect_same_bits(dist::allgather(dist::unique(a)), u, d.describe());
      const auto [values, counts] = dist::unique_counts(a);
      expect_same_bits(dist::allgather(values), u, d.describe());
      EXPECT_EQ(dist::allgather(counts), cnt) << d.describe();
      const auto [v2, inverse] = dist::unique_inverse(a);
      expect_same_bits(dist::allgather(v2), u, d.describe());
      EXPECT_TRUE(inverse.distribution() == d);
      EXPECT_EQ(dist::allgather(inverse), inv) << d.describe();
    }
  }
  // 2-D input is flattened; the inverse keeps the shape
  const dist::distribution<2> d2({6, 5}, {dist::cyclic{}, dist::undistributed{}}, world);
  const auto ri = ref<int>(30);
  const auto [v, inv] = dist::unique_inverse(from_ref(d2, ri));
  std::vector<int> u(ri);
  std::sort(u.begin(), u.end());
  u.erase(std::unique(u.begin(), u.end()), u.end());
  EXPECT_EQ(dist::allgather(v), u);
  std::vector<index_t> wi;
  for (int x : ri) wi.push_back(std::lower_bound(u.begin(), u.end(), x) - u.begin());
  EXPECT_EQ(inv.shape(), (dist::shape<2>{6, 5}));
  EXPECT_EQ(dist::allgather(inv), wi);
}

TEST(sort, searchsorted_left_and_right) {
  const index_t n = 41;
  auto r = ref(n);
  std::stable_sort(r.begin(), r.end(), less_nan_last<double>);
  std::vector<double> q;
  for (int k = 0; k < 25; ++k) q.push_back(-9.0 + 0.5 * k);
  q.push_back(qnan);
  q.push_back(r.front());
  q.push_back(r[20]);
  for (const auto& spec : kinds(n, 2)) {
    const dist::distribution<1> d({n}, {spec}, world);
    const auto sorted = from_ref(d, r);
    const dist::distribution<1> dq({static_cast<index_t>(q.size())}, {dist::cyclic{}}, world);
    const auto qa = from_ref(dq, q);
    std::vector<index_t> wl, wr;
    for (double x : q) {
      wl.push_back(std::lower_bound(r.begin(), r.end(), x, less_nan_last<double>) - r.begin());
      wr.push_back(std::upper_bound(r.begin(), r.end(), x, less_nan_last<double>) - r.begin());
    }
    const auto l = dist::searchsorted(sorted, qa);
    EXPECT_TRUE(l.distribution() == dq);
    EXPECT_EQ(dist::allgather(l), wl) << d.describe();
    EXPECT_EQ(dist::allgather(dist::searchsorted(sorted, qa, dist::side::right)), wr) << d.describe();
  }
}

namespace {
/// NumPy's linear quantile of a sorted vector (virtual index n*q + (1 - q) - 1).
double quantile_ref(const std::vector<double>& s, double q) {
  const auto n = static_cast<index_t>(s.size());
  if (n == 0 || std::isnan(s.back())) return qnan;
  const double v = static_cast<double>(n) * q + (1.0 - q) - 1.0;
  index_t lo = static_cast<index_t>(std::floor(v)), hi = lo + 1;
  if (v >= static_cast<double>(n - 1)) lo = hi = n - 1;
  if (v < 0) lo = hi = 0;
  const double a = s[static_cast<std::size_t>(lo)], b = s[static_cast<std::size_t>(hi)], g = v - static_cast<double>(lo);
  if (lo == hi) return a;
  return g >= 0.5 ? b - (b - a) * (1 - g) : a + (b - a) * g;
}
double median_ref(const std::vector<double>& s) {
  const std::size_t n = s.size();
  if (n == 0 || std::isnan(s.back())) return qnan;
  return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}
}  // namespace

TEST(sort, median_percentile_quantile) {
  for (index_t n : {index_t{1}, index_t{4}, index_t{12}, index_t{50}}) {
    std::vector<double> r(static_cast<std::size_t>(n));
    for (index_t i = 0; i < n; ++i) r[static_cast<std::size_t>(i)] = std::sin(1.7 * static_cast<double>(i)) * 10;
    auto s = r;
    std::sort(s.begin(), s.end());
    for (const auto& spec : kinds(n, 9)) {
      const dist::distribution<1> d({n}, {spec}, world);
      const auto a = from_ref(d, r);
      EXPECT_EQ(dist::median(a), median_ref(s)) << d.describe();
      for (double q : {0.0, 0.1, 0.25, 0.5, 0.7, 0.999, 1.0}) {
        EXPECT_EQ(dist::quantile(a, q), quantile_ref(s, q)) << d.describe() << " q " << q;
        EXPECT_EQ(dist::percentile(a, q * 100), quantile_ref(s, q * 100 / 100)) << d.describe();
      }
    }
  }
  // NaN anywhere: NaN; integers give doubles; bad q: index_error on every rank
  const dist::distribution<1> d({13}, {dist::cyclic{}}, world);
  EXPECT_TRUE(std::isnan(dist::median(from_ref(d, ref(13)))));
  const auto ai = dist::arange<int>(0, 10, 1, world);
  static_assert(std::is_same_v<decltype(dist::median(ai)), double>);
  EXPECT_EQ(dist::median(ai), 4.5);
  std::vector<double> tens(10);
  std::iota(tens.begin(), tens.end(), 0.0);
  EXPECT_EQ(dist::quantile(ai, 0.3), quantile_ref(tens, 0.3));
  EXPECT_THROW((void)dist::quantile(ai, 1.5), dist::index_error);
  EXPECT_THROW((void)dist::percentile(ai, -1), dist::index_error);
  // along an axis: one value per line
  const index_t R = 5, C = 6;
  std::vector<double> r(static_cast<std::size_t>(R * C));
  for (index_t i = 0; i < R * C; ++i) r[static_cast<std::size_t>(i)] = std::cos(0.9 * static_cast<double>(i)) + (i == 8 ? qnan : 0.0);
  for (const auto& spec : kinds(R, 4)) {
    const dist::distribution<2> d2({R, C}, {spec, dist::undistributed{}}, world);
    const auto a = from_ref(d2, r);
    for (int axis : {0, 1}) {
      const index_t L = axis == 0 ? R : C, M = axis == 0 ? C : R;
      std::vector<double> wm, wq;
      for (index_t o = 0; o < M; ++o) {
        std::vector<double> line;
        for (index_t j = 0; j < L; ++j) line.push_back(r[static_cast<std::size_t>(axis == 0 ? j * C + o : o * C + j)]);
        std::sort(line.begin(), line.end(), less_nan_last<double>);
        wm.push_back(median_ref(line));
        wq.push_back(quantile_ref(line, 0.35));
      }
      test_util::expect_close(dist::allgather(dist::median(a, axis)), wm, 0.0, d2.describe());
      test_util::expect_close(dist::allgather(dist::quantile(a, 0.35, axis)), wq, 0.0, d2.describe());
      test_util::expect_close(dist::allgather(dist::percentile(a, 35.0, axis)), wq, 0.0, d2.describe());
    }
  }
}
