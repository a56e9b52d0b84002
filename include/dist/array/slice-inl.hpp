// The definitions of <dist/array/slice.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "slice.hpp"

namespace dist::detail {

DIST_INLINE slice_range normalise(const slice& s, index_t n) {
  if (s.step == 0) throw index_error("dist::slice: slice step cannot be zero");
  const index_t st = s.step;
  const index_t lo_clamp = st > 0 ? 0 : -1, hi_clamp = st > 0 ? n : n - 1;
  auto adjust = [&](const std::optional<index_t>& v, index_t dflt) {
    if (!v) return dflt;
    index_t x = *v < 0 ? *v + n : *v;
    return x < lo_clamp ? lo_clamp : x > hi_clamp ? hi_clamp : x;
  };
  const index_t b = adjust(s.start, st > 0 ? 0 : n - 1);
  const index_t e = adjust(s.stop, st > 0 ? n : -1);
  index_t count = 0;
  if (st > 0 && e > b) count = (e - b + st - 1) / st;
  if (st < 0 && b > e) count = (b - e + (-st) - 1) / (-st);
  return {b, st, count};
}

}  // namespace dist::detail
