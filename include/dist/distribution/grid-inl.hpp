// The definitions of <dist/distribution/grid.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "grid.hpp"

namespace dist::detail {

DIST_INLINE std::string to_string(const std::vector<int>& v) {
  std::string s = "{";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "}";
}

DIST_INLINE void factorisations(int rest, std::size_t k, int min_factor, std::vector<int>& cur,
                           std::vector<std::vector<int>>& out) {
  if (cur.size() + 1 == k) {
    if (rest >= min_factor) {
      cur.push_back(rest);
      out.push_back(cur);
      cur.pop_back();
    }
    return;
  }
  for (int f = min_factor; static_cast<long long>(f) * f <= rest || f == min_factor; ++f) {
    if (f > rest) break;
    if (rest % f) continue;
    cur.push_back(f);
    factorisations(rest / f, k, f, cur, out);
    cur.pop_back();
  }
}

DIST_INLINE std::vector<std::vector<int>> factorisations(int p, std::size_t k) {
  std::vector<std::vector<int>> out;
  std::vector<int> cur;
  if (k == 0) return out;
  factorisations(p, k, 1, cur, out);
  return out;
}

DIST_INLINE std::vector<int> default_grid(const std::vector<index_t>& extents, int p) {
  const std::size_t k = extents.size();
  if (k == 0) return {};
  if (k == 1) return {p};
  std::vector<std::size_t> order(k);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::max<index_t>(extents[a], 1) < std::max<index_t>(extents[b], 1);
  });
  std::vector<int> best;
  double best_dist = std::numeric_limits<double>::infinity();
  for (const auto& f : factorisations(p, k)) {
    std::vector<int> assigned(k);
    for (std::size_t j = 0; j < k; ++j) assigned[order[j]] = f[j];
    double dist2 = 0;
    for (std::size_t i = 0; i < k; ++i)
      for (std::size_t j = i + 1; j < k; ++j) {
        const double fr = double(assigned[i]) / assigned[j];
        const double nr = double(std::max<index_t>(extents[i], 1)) / double(std::max<index_t>(extents[j], 1));
        dist2 += (fr - nr) * (fr - nr);
      }
    if (dist2 < best_dist) best_dist = dist2, best = assigned;
  }
  return best;
}

}  // namespace dist::detail
