// The definitions of <dist/distribution/dim_map.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "dim_map.hpp"

namespace dist {

DIST_INLINE const char* to_string(dim_kind k) noexcept {
  switch (k) {
    case dim_kind::block: return "block";
    case dim_kind::cyclic: return "cyclic";
    case dim_kind::block_cyclic: return "block_cyclic";
    case dim_kind::unstructured: return "unstructured";
    case dim_kind::undistributed: return "undistributed";
  }
  return "?";
}

}  // namespace dist
