// The definitions of <dist/algorithm/reductions.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "reductions.hpp"

namespace dist::detail {

DIST_INLINE int normalise_axis(int axis, int ndim, const char* op) {
  if (axis < -ndim || axis >= ndim)
    throw index_error(std::string(op) + ": axis " + std::to_string(axis) + " is out of bounds for an array of dimension " +
                      std::to_string(ndim));
  return wrapped_axis(axis, ndim);
}

DIST_INLINE void throw_no_identity(std::span<const index_t> s, const char* op) {
  throw shape_error(std::string(op) + ": zero-size array (shape " + to_string(s) + ") has no identity for this reduction");
}

DIST_INLINE void require_nonempty(std::span<const index_t> s, const char* op) {
  for (const index_t n : s)
    if (n == 0) throw_no_identity(s, op);
}

}  // namespace dist::detail
