// The process grid: explicit extents, or the default-grid rule.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "../core/types.hpp"

namespace dist {

/// Explicit process-grid extents, one per array dimension, e.g. `dist::grid{2, 3}`.
/// Rank r sits at the row-major coordinates of r. Empty: use the default rule.
class grid {
 public:
  grid() = default;
  grid(std::initializer_list<int> e) : extents_(e) {}
  explicit grid(std::vector<int> e) : extents_(std::move(e)) {}
  bool empty() const noexcept { return extents_.empty(); }
  std::size_t size() const noexcept { return extents_.size(); }
  int operator[](std::size_t d) const { return extents_[d]; }
  const std::vector<int>& extents() const noexcept { return extents_; }

 private:
  std::vector<int> extents_;
};

namespace detail {

inline std::string to_string(const std::vector<int>& v) {
  std::string s = "{";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "}";
}

inline void factorisations(int rest, std::size_t k, int min_factor, std::vector<int>& cur,
                           std::vector<std::vector<int>>& out) {
  if (cur.size() + 1 == k) {
    if (rest >= min_factor) {
      cur.push_back(rest);
      out.push_back(cur);
      cur.pop_back();
    }
    return;
  }
  for (int f = min_factor; static_cast<long long>(f) * f <= rest || f == min_factor; ++f) {
    if (f > rest) break;
    if (rest % f) continue;
    cur.push_back(f);
    factorisations(rest / f, k, f, cur, out);
    cur.pop_back();
  }
}

/// All factorisations of p into k non-decreasing factors (1 allowed), in
/// lexicographic order.
inline std::vector<std::vector<int>> factorisations(int p, std::size_t k) {
  std::vector<std::vector<int>> out;
  std::vector<int> cur;
  if (k == 0) return out;
  factorisations(p, k, 1, cur, out);
  return out;
}

/// The rank at grid coordinates `c` of a grid of extents `grid` (row-major).
template <std::size_t N>
int row_major_rank(const std::array<int, N>& grid, const std::array<int, N>& c) noexcept {
  int r = 0;
  for (std::size_t d = 0; d < N; ++d) r = r * grid[d] + c[d];
  return r;
}

/// The default grid for k distributed dims of the given extents over p
/// ranks: the smallest factor to the smallest extent (stable for ties), and
/// the first factorisation whose pairwise ratios f_i/f_j (i<j) are nearest in
/// Euclidean norm to n_i/n_j (extent 0 counts as 1). Pure, no MPI.
inline std::vector<int> default_grid(const std::vector<index_t>& extents, int p) {
  const std::size_t k = extents.size();
  if (k == 0) return {};
  if (k == 1) return {p};
  std::vector<std::size_t> order(k);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::max<index_t>(extents[a], 1) < std::max<index_t>(extents[b], 1);
  });
  std::vector<int> best;
  double best_dist = std::numeric_limits<double>::infinity();
  for (const auto& f : factorisations(p, k)) {
    std::vector<int> assigned(k);
    for (std::size_t j = 0; j < k; ++j) assigned[order[j]] = f[j];
    double dist2 = 0;
    for (std::size_t i = 0; i < k; ++i)
      for (std::size_t j = i + 1; j < k; ++j) {
        const double fr = double(assigned[i]) / assigned[j];
        const double nr = double(std::max<index_t>(extents[i], 1)) / double(std::max<index_t>(extents[j], 1));
        dist2 += (fr - nr) * (fr - nr);
      }
    if (dist2 < best_dist) best_dist = dist2, best = assigned;
  }
  return best;
}

}  // namespace detail
}  // namespace dist
