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

DIST_INLINE void throw_bad_range(const char* op, const std::string& lo, const std::string& hi) {
  throw shape_error(std::string(op) + ": need lo < hi, got lo = " + lo + ", hi = " + hi);
}

DIST_INLINE std::string describe_number(long long v) { return std::to_string(v); }
DIST_INLINE std::string describe_number(unsigned long long v) { return std::to_string(v); }
DIST_INLINE std::string describe_number(double v) { return std::to_string(v); }
DIST_INLINE std::string describe_number(long double v) { return std::to_string(v); }

}  // namespace dist::detail
