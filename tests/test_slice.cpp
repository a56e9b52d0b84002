// dist::slice normalisation against Python's semantics, written here as a
// filter over every index (an independent formulation), for small extents,
// every bound in range and out of it, both directions and several steps.
#include <gtest/gtest.h>

#include <dist/dist.hpp>
#include <optional>
#include <vector>

using dist::index_t;

namespace {

// Python's range(n)[start:stop:step], as the list of selected indices.
std::vector<index_t> python_slice(index_t n, std::optional<index_t> start, std::optional<index_t> stop, index_t step) {
  auto pos = [&](std::optional<index_t> v, index_t dflt, index_t lo, index_t hi) {
    if (!v) return dflt;
    const index_t x = *v < 0 ? *v + n : *v;
    return std::min(std::max(x, lo), hi);
  };
  std::vector<index_t> out;
  if (step > 0) {
    const index_t b = pos(start, 0, 0, n), e = pos(stop, n, 0, n);
    for (index_t i = 0; i < n; ++i)
      if (i >= b && i < e && (i - b) % step == 0) out.push_back(i);
  } else {
    const index_t b = pos(start, n - 1, -1, n - 1), e = pos(stop, -1, -1, n - 1);
    for (index_t i = n - 1; i >= 0; --i)
      if (i <= b && i > e && (b - i) % (-step) == 0) out.push_back(i);
  }
  return out;
}

std::vector<index_t> expand(const dist::detail::slice_range& r) {
  std::vector<index_t> v;
  for (index_t k = 0; k < r.count; ++k) v.push_back(r.start + k * r.step);
  return v;
}

}  // namespace

TEST(slice, matches_python_for_every_bound_and_step) {
  std::vector<std::optional<index_t>> bounds{std::nullopt};
  for (index_t b = -9; b <= 9; ++b) bounds.push_back(b);
  index_t cases = 0;
  for (index_t n = 0; n <= 7; ++n)
    for (const auto& s : bounds)
      for (const auto& e : bounds)
        for (index_t step : {-3, -2, -1, 1, 2, 3}) {
          const auto got = expand(dist::detail::normalise(dist::slice{s, e, step}, n));
          EXPECT_EQ(got, python_slice(n, s, e, step)) << "n=" << n << " start=" << (s ? *s : 99) << " stop=" << (e ? *e : 99)
                                                      << " step=" << step;
          ++cases;
        }
  EXPECT_EQ(cases, 8 * 20 * 20 * 6);
}

TEST(slice, numpy_examples_and_errors) {
  using dist::detail::normalise;
  using dist::detail::slice_range;
  EXPECT_EQ(normalise(dist::slice{1, -1}, 10), (slice_range{1, 1, 8}));   // u[1:-1]
  EXPECT_EQ(normalise(dist::slice{0, -2}, 10), (slice_range{0, 1, 8}));   // u[0:-2]
  EXPECT_EQ(normalise(dist::slice{2}, 10), (slice_range{2, 1, 8}));       // u[2:]
  EXPECT_EQ(normalise(dist::all(), 10), (slice_range{0, 1, 10}));         // u[:]
  EXPECT_EQ(normalise(dist::slice{std::nullopt, std::nullopt, -1}, 4), (slice_range{3, -1, 4}));  // u[::-1]
  EXPECT_EQ(normalise(dist::slice{5, 2, -2}, 10), (slice_range{5, -2, 2}));  // 5, 3
  EXPECT_EQ(normalise(dist::slice{20}, 10).count, 0);
  EXPECT_THROW((void)normalise(dist::slice{0, 5, 0}, 10), dist::index_error);
}
