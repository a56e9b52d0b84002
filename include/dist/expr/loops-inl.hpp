// The definitions of <dist/expr/loops.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "loops.hpp"

namespace dist::detail {

DIST_INLINE index_t lag_elements(index_t lowest, index_t inner, index_t is) {
  const index_t piece = std::min(inner, lag_piece);
  return (lowest < 0 ? -lowest : 0) + 2 * piece * is + piece;
}

}  // namespace dist::detail
