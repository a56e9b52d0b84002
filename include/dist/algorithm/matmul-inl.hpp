// The definitions of <dist/algorithm/matmul.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "matmul.hpp"

namespace dist::detail {

DIST_INLINE bool summa_ready(const distribution<2>& d) {
  return regular_spec(d.map(0)) && regular_spec(d.map(1)) && !(d.replicated() && d.comm().size() > 1);
}

DIST_INLINE std::optional<dim_spec> regular_spec(const dim_map& m) {
  if (m.kind() == dim_kind::unstructured || m.irregular()) return std::nullopt;
  return spec_of(m);
}

DIST_INLINE std::optional<distribution<2>> summa_layout(index_t m, index_t n, const distribution<2>& like) {
  if (!summa_ready(like)) return std::nullopt;
  return distribution<2>({m, n}, {*regular_spec(like.map(0)), *regular_spec(like.map(1))}, like.comm(),
                         dist::grid{like.grid()[0], like.grid()[1]});
}

DIST_INLINE bool summa_on_2d_grid_moves_less(const std::array<int, 2>& g, const std::array<int, 2>& g2, index_t m, index_t k,
                                        index_t n) {
  const double P = double(g[0]) * double(g[1]);
  if ((g[0] != 1 && g[1] != 1) || g2[0] == 1 || g2[1] == 1 || P < 2) return false;
  const double M = double(m), K = double(k), N = double(n);
  const double one_d = g[1] == 1 ? K * N * (P - 1) / P : M * K * (P - 1) / P;
  const double r = g2[0], c = g2[1];
  const double two_d = M * K / r * (c - 1) / c + K * N / c * (r - 1) / r + (M * K + K * N + M * N) / P;
  return two_d < 0.75 * one_d;
}

DIST_INLINE dim_spec inner_spec(const distribution<2>& x, std::size_t d, const std::array<int, 2>& on) {
  if (x.grid() == on)
    if (auto s = regular_spec(x.map(d)))
      if (!std::holds_alternative<cyclic>(*s) && !(std::holds_alternative<block_cyclic>(*s) && x.map(d).block_size() < 16)) return *s;
  return block{};
}

DIST_INLINE std::vector<summa_panel> summa_panels(const dim_map& ak, const dim_map& bk, index_t panel) {
  std::vector<summa_panel> pieces;
  std::map<std::pair<int, int>, std::size_t> open;  // the piece still filling, per owner pair
  const index_t k = ak.size();
  for (index_t k0 = 0; k0 < k;) {
    const index_t e = std::min({k, ak.run_end(k0), bk.run_end(k0), k0 + panel});
    const std::pair<int, int> who{ak.owner(k0), bk.owner(k0)};
    auto it = open.find(who);
    if (it == open.end() || pieces[it->second].w + (e - k0) > panel) {
      pieces.push_back({who.first, who.second, 0, {}});
      it = open.insert_or_assign(who, pieces.size() - 1).first;
    }
    summa_panel& p = pieces[it->second];
    const summa_panel::run r{e - k0, ak.local_index(k0), bk.local_index(k0)};
    if (!p.runs.empty() && p.runs.back().la + p.runs.back().w == r.la && p.runs.back().lb + p.runs.back().w == r.lb)
      p.runs.back().w += r.w;
    else
      p.runs.push_back(r);
    p.w += r.w;
    k0 = e;
  }
  return pieces;
}

}  // namespace dist::detail
