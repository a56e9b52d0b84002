// The reductions separate compilation declares `extern template` (sums of
// plain arrays, whole and along each axis, for every listed element type
// and rank; minima and maxima of double and float arrays), called from a
// translation unit that only declares them: they link to src/separate.cpp's
// definitions and agree with serial references from the gathered arrays.
#include <gtest/gtest.h>

#include <algorithm>
#include <complex>
#include <cstdint>
#include <dist/dist.hpp>
#include <numeric>

#include "test_util.hpp"

using dist::index_t;

namespace {

dist::communicator world;

template <class T, std::size_t N>
void check_sums_and_extremes() {
  dist::shape<N> s;
  for (std::size_t d = 0; d < N; ++d) s[d] = static_cast<index_t>(7 - d);  // (7), (7, 6), (7, 6, 5), (7, 6, 5, 4)
  const dist::distribution<N> D(s, world);
  const auto a = dist::fromfunction<T>(D, [](const dist::index<N>& i) {
    index_t f = 0;
    for (std::size_t d = 0; d < N; ++d) f = f * 7 + i[d];
    return static_cast<T>(f % 11 - 3);
  });
  const auto g = dist::allgather(a);
  using S = decltype(dist::sum(a));
  const S want = std::accumulate(g.begin(), g.end(), S{}, [](S x, T y) { return x + static_cast<S>(y); });
  EXPECT_EQ(dist::sum(a), want);
  if constexpr (std::is_floating_point_v<T>) {
    EXPECT_EQ(dist::max(a), *std::max_element(g.begin(), g.end()));
    EXPECT_EQ(dist::min(a), *std::min_element(g.begin(), g.end()));
    EXPECT_EQ(dist::mean(a), want / static_cast<T>(g.size()));  // (T's own mean, as NumPy; the sums are exact)
  }
  if constexpr (N >= 2) {  // along the first axis: against the serial column sums
    const index_t rest = static_cast<index_t>(g.size()) / s[0];
    std::vector<S> col(static_cast<std::size_t>(rest), S{});
    std::vector<T> hi(static_cast<std::size_t>(rest), g[0]);
    for (index_t i = 0; i < s[0]; ++i)
      for (index_t j = 0; j < rest; ++j) {
        const T v = g[static_cast<std::size_t>(i * rest + j)];
        col[static_cast<std::size_t>(j)] += static_cast<S>(v);
        hi[static_cast<std::size_t>(j)] = std::max(hi[static_cast<std::size_t>(j)], v);
      }
    EXPECT_EQ(dist::allgather(dist::sum(a, 0)), col);
    if constexpr (std::is_floating_point_v<T>) {
      EXPECT_EQ(dist::allgather(dist::max(a, 0)), hi);
    }
  }
}

template <class T>
void check_ranks() {
  check_sums_and_extremes<T, 1>();
  check_sums_and_extremes<T, 2>();
  check_sums_and_extremes<T, 3>();
  check_sums_and_extremes<T, 4>();
}

}  // namespace

TEST(separate_reductions, double_float_int_int64) {
  check_ranks<double>();
  check_ranks<float>();
  check_ranks<int>();
  check_ranks<std::int64_t>();
}

TEST(separate_reductions, complex) {
  using C = std::complex<double>;
  const dist::distribution<2> D({5, 3}, {dist::cyclic{}, dist::undistributed{}}, world);
  const auto a = dist::fromfunction<C>(D, [](index_t i, index_t j) { return C(double(i), double(j) - 1); });
  EXPECT_EQ(dist::sum(a), C(30, 0));
  EXPECT_EQ(dist::allgather(dist::sum(a, 1)), (std::vector<C>{C(0, 0), C(3, 0), C(6, 0), C(9, 0), C(12, 0)}));
}
