// The definitions of <dist/comm/flat.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "flat.hpp"

namespace dist::detail {

DIST_INLINE void append_strided(run_list& rl, index_t start, index_t step, index_t count) {
  if (step == 1 || count == 1) {
    append_run(rl, start, step == 1 ? count : 1);
    return;
  }
  if (!rl.empty()) {
    run_group& b = rl.back();
    if (b.len == 1 && (b.count == 1 || b.stride == step) && start == b.start + b.count * step) {
      b.stride = step;
      b.count += count;
      return;
    }
  }
  rl.push_back({start, 1, step, count});
}

}  // namespace dist::detail
