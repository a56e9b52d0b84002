// The definitions of <dist/comm/halo.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "halo.hpp"

namespace dist::detail {

DIST_INLINE std::vector<halo_piece> halo_pieces(const dim_map& m, index_t g, index_t w, bool wrap, int side, bool recv) {
  const index_t n = m.size(), ls = m.local_size();
  const int p = m.procs(), c = m.coord();
  std::vector<halo_piece> out;
  if (side == 0) {
    out.push_back({c, g, ls});
    return out;
  }
  if (w == 0) return out;
  const index_t s = m.block_start(c), e = s + ls;
  if (recv) {  // my ghosts show the (unwrapped) indices [lo, hi)
    index_t lo = side < 0 ? s - w : e, hi = side < 0 ? s : e + w;
    if (!wrap) lo = std::max<index_t>(lo, 0), hi = std::min(hi, n);
    for (index_t x = lo; x < hi;) {
      const index_t y = ((x % n) + n) % n;
      const int o = m.owner(y);
      const index_t len = std::min(hi - x, m.block_start(o + 1) - y);
      out.push_back({o, side < 0 ? g - (s - x) : g + ls + (x - e), len});
      x += len;
    }
    return out;
  }
  // first coordinate j in [0, p] whose block starts after x
  const auto first_after = [&](index_t x) {
    int lo = 0, hi = p + 1;
    while (lo < hi) {
      const int mid = (lo + hi) / 2;
      if (m.block_start(mid) > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  // my block as the receivers see it: as it is, and (periodic) one extent below or above
  for (int k = 0; k < (wrap ? 2 : 1); ++k) {
    const index_t shift = k * n;
    const index_t S = side < 0 ? s - shift : s + shift, E = side < 0 ? e - shift : e + shift;
    if (side < 0) {  // receivers c' whose lower ghosts [s' - w, s') meet [S, E): s' in (S, E + w)
      for (int q = first_after(S); q < p && m.block_start(q) < E + w; ++q) {
        const index_t sq = m.block_start(q), lo = std::max(sq - w, S), hi = std::min(sq, E);
        if (lo < hi) out.push_back({q, g + (lo - S), hi - lo});
      }
    } else {  // receivers c' whose upper ghosts [e', e' + w) meet [S, E): e' in (S - w, E)
      for (int q = std::max(first_after(S - w) - 1, 0); q < p && m.block_start(q + 1) < E; ++q) {
        const index_t eq = m.block_start(q + 1), lo = std::max(eq, S), hi = std::min(eq + w, E);
        if (lo < hi) out.push_back({q, g + (lo - S), hi - lo});
      }
    }
  }
  return out;
}

}  // namespace dist::detail
