// The definitions of <dist/comm/rma.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "rma.hpp"

namespace dist::detail {

DIST_INLINE std::vector<std::vector<rma_piece>> rma_pieces(const dim_map& m, index_t lo, index_t hi) {
  std::vector<std::vector<rma_piece>> per(static_cast<std::size_t>(m.procs()));
  for (index_t g = lo; g < hi;) {
    const index_t e = std::min(hi, m.run_end(g));
    const index_t o = g - lo, t = m.local_index(g), len = e - g;
    auto& ps = per[static_cast<std::size_t>(m.owner(g))];
    rma_piece* last = ps.empty() ? nullptr : &ps.back();
    if (last && last->t0 + last->count == t) {
      if (last->count == 1 && len == 1 && o > last->o0) {  // the second element of a strided run (cyclic)
        last->ostep = o - last->o0;
        last->count = 2;
        g = e;
        continue;
      }
      if ((len == 1 || last->ostep == 1) && o == last->o0 + last->count * last->ostep) {
        last->count += len;
        g = e;
        continue;
      }
    }
    ps.push_back({o, 1, t, len});
    g = e;
  }
  return per;
}

}  // namespace dist::detail
