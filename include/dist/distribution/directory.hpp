// The distributed directory of an unstructured dimension (like Tpetra's
// Directory): entry g (owner coordinate, local position) lives on the "home"
// coordinate of g in a balanced block layout of 0..n-1, so each rank holds
// O(n/p) entries, never a table of all n.
#pragma once

#include <algorithm>
#include <climits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "../core/linkage.hpp"
#include "../core/agree.hpp"
#include "../core/collective_check.hpp"
#include "../core/communicator.hpp"
#include "dim_map.hpp"

namespace dist {

/// Where a global index along one dimension lives: grid coordinate and local position.
struct location {
  int coord = -1;
  index_t local = -1;
  friend bool operator==(const location&, const location&) = default;
};

namespace detail {

class directory {
 public:
  /// Builds and validates the directory of dimension `dim` (for messages).
  /// `line` holds the ranks that differ only in this dimension's coordinate,
  /// ranked by coordinate; `fiber` the ranks sharing this rank's coordinate.
  /// Every rank of `full` throws distribution_error when the indices are not
  /// a partition of 0..n-1 or ranks sharing a coordinate disagree. Collective over `full`.
  DIST_INLINE directory(const communicator& full, communicator line, const communicator& fiber, std::size_t dim, index_t n,
                        const std::vector<index_t>& mine);

  /// This coordinate's map (local indices and all coordinates' sizes).
  const dim_map& map() const noexcept { return map_; }

  /// Locations of global indices `g` (each in [0, n)), asked by this rank.
  /// Collective over the line (so over the distribution's communicator).
  DIST_INLINE std::vector<location> lookup(std::span<const index_t> g) const;

 private:
  // Sends out[r] to line rank r; returns everything received, concatenated in
  // source-rank order; src (if given) gets the source rank of each received value.
  DIST_INLINE std::vector<index_t> exchange(const std::vector<std::vector<index_t>>& out, std::vector<int>* src) const;

  communicator line_;
  dim_map home_;
  dim_map map_ = dim_map::undistributed(0);
  std::vector<int> owner_;      // owner coordinate of each home index
  std::vector<index_t> local_;  // its local position there
};

}  // namespace detail
}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "directory-inl.hpp"
#endif
