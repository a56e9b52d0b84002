// The definitions of <dist/core/types.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

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

}  // namespace dist::detail
