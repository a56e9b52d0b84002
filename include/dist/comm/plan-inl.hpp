// The definitions of <dist/comm/plan.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "plan.hpp"

namespace dist::detail {

DIST_INLINE run_list& coord_lists::operator[](int c) {
  if (items_.empty() || items_.back().first < c) return items_.emplace_back(c, run_list{}).second;
  auto it = std::lower_bound(items_.begin(), items_.end(), c, [](const entry& e, int v) { return e.first < v; });
  if (it == items_.end() || it->first != c) it = items_.insert(it, entry{c, run_list{}});
  return it->second;
}

DIST_INLINE const run_list& coord_lists::at(int c) const {
  static const run_list none;
  auto it = std::lower_bound(items_.begin(), items_.end(), c, [](const entry& e, int v) { return e.first < v; });
  return it != items_.end() && it->first == c ? it->second : none;
}

DIST_INLINE coord_lists coord_lists::from_pieces(std::vector<std::pair<int, run_group>>& pieces) {
  std::stable_sort(pieces.begin(), pieces.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  coord_lists out;
  for (const auto& [c, g] : pieces) {
    run_list& rl = out[c];
    if (g.count == 1) append_run(rl, g.start, g.len);
    else rl.push_back(g);
  }
  return out;
}

DIST_INLINE void append_run(run_list& rl, index_t start, index_t len) {
  if (!rl.empty()) {
    run_group& b = rl.back();
    if (b.count == 1 && start == b.start + b.len) {
      b.len += len;
      return;
    }
    if (b.len == len && b.count == 1) {
      b.stride = start - b.start;
      b.count = 2;
      return;
    }
    if (b.len == len && start == b.start + b.count * b.stride) {
      ++b.count;
      return;
    }
  }
  rl.push_back({start, len, len, 1});
}

DIST_INLINE index_t positions(const run_list& rl) noexcept {
  index_t n = 0;
  for (const auto& g : rl) n += g.len * g.count;
  return n;
}

DIST_INLINE run_list dim_groups(const dim_map& m) {
  run_list rl;
  const index_t ls = m.local_size();
  if (ls == 0) return rl;
  switch (m.kind()) {
    case dim_kind::undistributed:
    case dim_kind::block:
      rl.push_back({m.global_index(0), ls, ls, 1});
      return rl;
    case dim_kind::cyclic:
    case dim_kind::block_cyclic: {
      const index_t nb = m.block_size(), q = m.procs(), full = ls / nb;
      if (full > 0) rl.push_back({m.global_index(0), nb, q * nb, full});
      if (ls % nb) append_run(rl, m.global_index(full * nb), ls % nb);
      return rl;
    }
    case dim_kind::unstructured:
      for (const auto& r : m.runs()) append_run(rl, r.global, r.length);
      return rl;
  }
  return rl;
}

DIST_INLINE bool split_periodic(const dim_map& mine, const dim_map& other, std::vector<std::pair<int, run_group>>& pieces) {
  const index_t nbm = mine.block_size(), pm = mine.procs(), ls = mine.local_size(), n = mine.size();
  const index_t nbo = other.block_size(), q = other.procs();
  constexpr index_t most = std::numeric_limits<index_t>::max();
  if (nbm <= 0 || nbo <= 0 || nbm > most / pm || nbo > most / q) return false;
  const index_t J = q * nbo / std::gcd(pm * nbm, q * nbo), nfull = ls / nbm;
  if (J > nfull / 2) return false;
  const index_t periods = nfull / J, span = J * nbm;  // local positions per period
  // block j's pieces: split at the other side's run ends
  const auto put_block = [&](index_t j, std::vector<std::pair<int, run_group>>& to) {
    const index_t g0 = (mine.coord() + j * pm) * nbm;
    split_at_owners([&](int c, const run_group& g) { to.emplace_back(c, g); }, g0, j * nbm, std::min(n, g0 + nbm) - g0, other);
  };
  std::vector<std::pair<int, run_group>> first, out;
  for (index_t j = 0; j < J; ++j) put_block(j, first);
  for (const auto& [c, rl] : coord_lists::from_pieces(first)) {
    if (rl.size() != 1) return false;
    const run_group& g = rl[0];
    if (g.count == 1 && g.len == span) out.emplace_back(c, run_group{g.start, span * periods, span * periods, 1});
    else if (g.count == 1) out.emplace_back(c, run_group{g.start, g.len, span, periods});
    else if (g.count * g.stride == span) out.emplace_back(c, run_group{g.start, g.len, g.stride, g.count * periods});
    else return false;
  }
  for (index_t j = periods * J; j * nbm < ls; ++j) put_block(j, out);
  pieces.insert(pieces.end(), out.begin(), out.end());
  return true;
}

DIST_INLINE coord_lists split_dim(const dim_map& mine, const dim_map& other, const std::vector<int>* other_coord) {
  coord_lists out;
  const bool mine_structured = mine.kind() != dim_kind::unstructured;
  const bool other_blocks = other.kind() == dim_kind::block || other.kind() == dim_kind::undistributed;
  if (!other_coord && mine_structured && other_blocks) {
    // my share of each of other's blocks is one contiguous local range; only the
    // coordinates between the owners of my first and last index can have one
    int c0 = 0, c1 = other.procs() - 1;
    if ((mine.kind() == dim_kind::block || mine.kind() == dim_kind::undistributed) && mine.local_size() > 0) {
      const index_t lo = mine.global_index(0), hi = lo + mine.local_size() - 1;
      c0 = other.owner(lo);
      c1 = other.owner(hi);
    }
    for (int c = c0; c <= c1; ++c) {
      const index_t lo = mine.count_below(other.block_start(c)), hi = mine.count_below(other.block_start(c + 1));
      if (hi > lo) append_run(out[c], lo, hi - lo);
    }
    return out;
  }
  if (other_coord) {  // a coordinate per index (an unstructured other side): O(indices) anyway
    std::vector<run_list> dense(static_cast<std::size_t>(other.procs()));
    for (const auto& r : mine.runs())
      for (index_t j = 0; j < r.length; ++j)
        append_run(dense[static_cast<std::size_t>((*other_coord)[static_cast<std::size_t>(r.local + j)])], r.local + j, 1);
    for (std::size_t c = 0; c < dense.size(); ++c)
      if (!dense[c].empty()) out[static_cast<int>(c)] = std::move(dense[c]);
    return out;
  }
  std::vector<std::pair<int, run_group>> pieces;
  const auto regular_cyclic = [](const dim_map& m) {
    return (m.kind() == dim_kind::cyclic || m.kind() == dim_kind::block_cyclic) && !m.irregular();
  };
  if (regular_cyclic(mine) && regular_cyclic(other) && split_periodic(mine, other, pieces)) return coord_lists::from_pieces(pieces);
  const auto put = [&](int c, const run_group& g) { pieces.emplace_back(c, g); };
  for (const auto& r : mine.runs()) {
    if ((other.kind() == dim_kind::cyclic || other.kind() == dim_kind::block_cyclic) &&
        r.length > 2 * other.block_size() * other.procs()) {
      split_run_cyclic(put, r.global, r.local, r.length, other);
      continue;
    }
    split_at_owners(put, r.global, r.local, r.length, other);
  }
  return coord_lists::from_pieces(pieces);
}

}  // namespace dist::detail
