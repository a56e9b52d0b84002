// The definitions of <dist/expr/node.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "node.hpp"

namespace dist::detail {

DIST_INLINE void broadcast_into(std::span<index_t> out, const char* what, std::initializer_list<std::span<const index_t>> shapes) {
  std::fill(out.begin(), out.end(), index_t{1});
  bool ok = true;
  for (const auto& x : shapes) {
    const std::size_t off = out.size() - x.size();
    for (std::size_t k = 0; k < x.size(); ++k) {
      index_t& o = out[off + k];
      if (x[k] == o || x[k] == 1) continue;
      if (o == 1) o = x[k];
      else ok = false;
    }
  }
  if (ok) return;
  std::string msg = std::string("dist: ") + what + ": operands could not be broadcast together with shapes";
  for (const auto& s : shapes) {
    msg += ' ';
    msg += to_string(s);
  }
  throw shape_error(msg);
}

}  // namespace dist::detail
