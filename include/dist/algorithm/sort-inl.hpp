// The definitions of <dist/algorithm/sort.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "sort.hpp"

namespace dist::detail {

DIST_INLINE lerp_point linear_point(index_t n, double q) {
  const double v = static_cast<double>(n) * q + (1.0 + q * -1.0) - 1.0;  // NumPy's _compute_virtual_index
  auto lo = static_cast<index_t>(std::floor(v));
  index_t hi = lo + 1;
  if (v >= static_cast<double>(n - 1)) lo = hi = n - 1;
  if (v < 0) lo = hi = 0;
  return {lo, hi, v - static_cast<double>(lo)};
}

}  // namespace dist::detail
