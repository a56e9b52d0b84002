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

#include "../core/linkage.hpp"
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

DIST_INLINE std::string to_string(const std::vector<int>& v);

DIST_INLINE void factorisations(int rest, std::size_t k, int min_factor, std::vector<int>& cur,
                           std::vector<std::vector<int>>& out);

/// All factorisations of p into k non-decreasing factors (1 allowed), in
/// lexicographic order.
DIST_INLINE std::vector<std::vector<int>> factorisations(int p, std::size_t k);

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
DIST_INLINE std::vector<int> default_grid(const std::vector<index_t>& extents, int p);

}  // namespace detail
}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "grid-inl.hpp"
#endif
