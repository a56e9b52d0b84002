// The definitions of <dist/array/creation.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "creation.hpp"

namespace dist::detail {

DIST_INLINE index_t arange_count(double start, double stop, double step) {
  if (step == 0) throw shape_error("dist::arange: step must be nonzero");
  const double n = std::ceil((stop - start) / step);
  return n > 0 ? static_cast<index_t>(n) : 0;
}

}  // namespace dist::detail
