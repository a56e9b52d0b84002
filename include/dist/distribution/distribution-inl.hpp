// The definitions of <dist/distribution/distribution.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "distribution.hpp"

namespace dist::detail {

DIST_INLINE dim_spec spec_of(const dim_map& m) {
  switch (m.kind()) {
    case dim_kind::block: return m.irregular() ? dim_spec{block{m.bounds()}} : dim_spec{block{}};
    case dim_kind::cyclic: return cyclic{};
    case dim_kind::block_cyclic: return block_cyclic{m.block_size()};
    case dim_kind::undistributed: return undistributed{};
    case dim_kind::unstructured: return unstructured{m.global_indices()};
  }
  return undistributed{};
}

}  // namespace dist::detail
