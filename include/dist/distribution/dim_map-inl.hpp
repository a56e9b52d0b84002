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

DIST_INLINE dim_map dim_map::block(std::vector<index_t> bounds, int coord) {
  validate_bounds(bounds);
  const int p = static_cast<int>(bounds.size()) - 1;
  const index_t n = bounds.back();
  check_common(n, p, coord, "block");
  dim_map m(dim_kind::block, n, p, coord, 1);
  m.bounds_ = std::make_shared<const std::vector<index_t>>(std::move(bounds));
  return m;
}

DIST_INLINE dim_map dim_map::block_cyclic(index_t n, index_t nb, int p, int coord) {
  check_common(n, p, coord, "block_cyclic");
  if (nb < 1)
    throw distribution_error("block_cyclic: block size must be >= 1, got " + std::to_string(nb));
  return dim_map(dim_kind::block_cyclic, n, p, coord, nb);
}

DIST_INLINE dim_map dim_map::unstructured(index_t n, int coord, std::vector<index_t> indices, std::vector<index_t> counts) {
  const int p = static_cast<int>(counts.size());
  check_common(n, p, coord, "unstructured");
  auto u = std::make_shared<unstructured_state>();
  u->sorted.reserve(indices.size());
  for (std::size_t l = 0; l < indices.size(); ++l) {
    const index_t g = indices[l];
    if (g < 0 || g >= n)
      throw distribution_error("unstructured: index " + std::to_string(g) + " is outside [0, " +
                               std::to_string(n) + ")");
    u->sorted.emplace_back(g, static_cast<index_t>(l));
  }
  std::sort(u->sorted.begin(), u->sorted.end());
  for (std::size_t i = 1; i < u->sorted.size(); ++i)
    if (u->sorted[i].first == u->sorted[i - 1].first)
      throw distribution_error("unstructured: index " + std::to_string(u->sorted[i].first) +
                               " appears twice on coordinate " + std::to_string(coord));
  if (counts[static_cast<std::size_t>(coord)] != static_cast<index_t>(indices.size()))
    throw distribution_error("unstructured: counts[" + std::to_string(coord) + "] = " +
                             std::to_string(counts[static_cast<std::size_t>(coord)]) + " but " +
                             std::to_string(indices.size()) + " indices were given");
  index_t total = 0;
  for (index_t c : counts) total += c;
  if (total != n)
    throw distribution_error("unstructured: the coordinates own " + std::to_string(total) +
                             " indices in all, but the extent is " + std::to_string(n));
  u->indices = std::move(indices);
  u->counts = std::move(counts);
  dim_map m(dim_kind::unstructured, n, p, coord, 1);
  m.unstructured_ = std::move(u);
  return m;
}

DIST_INLINE std::vector<index_t> dim_map::global_indices() const {
  if (kind_ == dim_kind::unstructured) return unstructured_->indices;
  std::vector<index_t> g(static_cast<std::size_t>(local_size()));
  for (std::size_t l = 0; l < g.size(); ++l) g[l] = global_index(c_, static_cast<index_t>(l));
  return g;
}

DIST_INLINE std::vector<dim_map::run> dim_map::runs() const {
  std::vector<run> r;
  const index_t ls = local_size();
  switch (kind_) {
    case dim_kind::undistributed:
    case dim_kind::block:
      if (ls) r.push_back({block_start(c_), 0, ls});
      break;
    case dim_kind::cyclic:
    case dim_kind::block_cyclic:
      r.reserve(static_cast<std::size_t>((ls + nb_ - 1) / nb_));
      for (index_t l = 0; l < ls; l += nb_) r.push_back({global_index(c_, l), l, std::min(nb_, ls - l)});
      break;
    case dim_kind::unstructured:
      for (const auto& [g, l] : unstructured_->sorted) {
        if (!r.empty() && r.back().global + r.back().length == g && r.back().local + r.back().length == l) ++r.back().length;
        else r.push_back({g, l, 1});
      }
      break;
  }
  return r;
}

DIST_INLINE bool dim_map::equal(const dim_map& a, const dim_map& b) {
  if (a.n_ != b.n_ || a.p_ != b.p_ || a.c_ != b.c_) return false;
  // unstructured first: even on one coordinate it may permute the indices
  if (a.kind_ == dim_kind::unstructured || b.kind_ == dim_kind::unstructured)
    return a.global_indices() == b.global_indices();
  if (a.p_ == 1 || a.n_ == 0) return true;
  const bool ac = a.is_block_like(), bc = b.is_block_like();
  if (ac && bc) {
    for (int c = 0; c <= a.p_; ++c)
      if (a.block_like_start(c) != b.block_like_start(c)) return false;
    return true;
  }
  if (ac != bc) return false;
  return a.nb_ == b.nb_;  // both genuinely block-cyclic
}

DIST_INLINE void dim_map::check_common(index_t n, int p, int coord, const char* what) {
  if (n < 0) throw distribution_error(std::string(what) + ": extent must be >= 0, got " + std::to_string(n));
  if (p < 1)
    throw distribution_error(std::string(what) + ": number of coordinates must be >= 1, got " + std::to_string(p));
  if (coord < 0 || coord >= p)
    throw distribution_error(std::string(what) + ": coordinate " + std::to_string(coord) + " is outside [0, " +
                             std::to_string(p) + ")");
}

DIST_INLINE void dim_map::validate_bounds(const std::vector<index_t>& b) {
  auto list = [&] {
    std::string s = "{";
    for (std::size_t i = 0; i < b.size() && i < 16; ++i) s += (i ? ", " : "") + std::to_string(b[i]);
    return s + (b.size() > 16 ? ", ...}" : "}");
  };
  if (b.size() < 2)
    throw distribution_error("block: explicit bounds need at least 2 entries (b0 = 0 and bp = n), got " + list());
  if (b.front() != 0) throw distribution_error("block: bounds must start at 0, got " + list());
  for (std::size_t i = 1; i < b.size(); ++i)
    if (b[i] < b[i - 1])
      throw distribution_error("block: bounds must be non-decreasing, but b" + std::to_string(i) + " = " +
                               std::to_string(b[i]) + " < b" + std::to_string(i - 1) + " = " +
                               std::to_string(b[i - 1]) + " in " + list());
}

DIST_INLINE distribution_error dim_map::remote_unstructured(const char* what, index_t g) const {
  return distribution_error("unstructured dimension: " + std::string(what) + " of global index " +
                            std::to_string(g) + " is not known locally (coordinate " + std::to_string(c_) +
                            " does not own it); use the collective distribution::lookup");
}

DIST_INLINE void dim_map::throw_remote_coordinate(int c) const {
  throw distribution_error("unstructured dimension: global_index of coordinate " + std::to_string(c) +
                           " is only known on that coordinate (this is coordinate " + std::to_string(c_) + ")");
}

}  // namespace dist
