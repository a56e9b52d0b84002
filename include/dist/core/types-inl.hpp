// The definitions of <dist/core/types.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "error.hpp"
#include "types.hpp"

namespace dist::detail {

DIST_INLINE std::string to_string(std::span<const index_t> v) {
  std::string s = "(";
  for (std::size_t d = 0; d < v.size(); ++d) {
    if (d) s += ", ";
    s += std::to_string(v[d]);
  }
  if (v.size() == 1) s += ",";
  return s + ")";
}

DIST_INLINE void throw_shapes(const char* what, std::span<const index_t> a, std::span<const index_t> b, const char* why) {
  throw shape_error(std::string(what) + " " + to_string(a) + " and " + to_string(b) + " " + why);
}

template <class V>
[[noreturn]] void throw_bad_range_of(const char* op, V lo, V hi) {
  throw shape_error(std::string(op) + ": need lo < hi, got lo = " + std::to_string(lo) + ", hi = " + std::to_string(hi));
}
DIST_INLINE void throw_bad_range(const char* op, long long lo, long long hi) { throw_bad_range_of(op, lo, hi); }
DIST_INLINE void throw_bad_range(const char* op, unsigned long long lo, unsigned long long hi) { throw_bad_range_of(op, lo, hi); }
DIST_INLINE void throw_bad_range(const char* op, double lo, double hi) { throw_bad_range_of(op, lo, hi); }

}  // namespace dist::detail
