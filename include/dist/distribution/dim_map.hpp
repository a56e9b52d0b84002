// dim_map: the ownership map of one dimension for one grid coordinate.
// A plain value type built from (n, p, coordinate) without MPI, so a test can
// ask about a simulated rank of any P. Structured kinds hold O(1) state
// (irregular block: its p+1 bounds); unstructured holds only this
// coordinate's indices and the p local sizes.
#pragma once

#include <algorithm>
#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../core/linkage.hpp"
#include "../core/error.hpp"
#include "../core/types.hpp"

namespace dist {

/// The kind of a dimension, as the user asked for it.
enum class dim_kind { block, cyclic, block_cyclic, unstructured, undistributed };

/// Name of a kind for messages: "block", "cyclic", ...
DIST_INLINE const char* to_string(dim_kind k) noexcept;

class dim_map {
 public:
  /// Balanced block: coordinate c gets n/p + (c < n%p) elements, in order.
  static dim_map block(index_t n, int p, int coord) {
    check_common(n, p, coord, "block");
    return dim_map(dim_kind::block, n, p, coord, 1);
  }

  /// Block with explicit bounds b[0] = 0 <= b[1] <= ... <= b[p] = n; p = b.size() - 1.
  DIST_INLINE static dim_map block(std::vector<index_t> bounds, int coord);

  /// Cyclic: element g on coordinate g % p.
  static dim_map cyclic(index_t n, int p, int coord) {
    check_common(n, p, coord, "cyclic");
    return dim_map(dim_kind::cyclic, n, p, coord, 1);
  }

  /// Block-cyclic with block size nb >= 1, first block on coordinate 0.
  DIST_INLINE static dim_map block_cyclic(index_t n, index_t nb, int p, int coord);

  /// Whole extent, one coordinate.
  static dim_map undistributed(index_t n) {
    check_common(n, 1, 0, "undistributed");
    return dim_map(dim_kind::undistributed, n, 1, 0, 1);
  }

  /// Unstructured: this coordinate owns `indices` (in local order); `counts[c]`
  /// is how many coordinate c owns. Validates what one rank can see: indices
  /// in range, no repeats, counts adding up to n. Whether all coordinates
  /// together partition 0..n-1 is checked collectively by the distribution.
  DIST_INLINE static dim_map unstructured(index_t n, int coord, std::vector<index_t> indices, std::vector<index_t> counts);

  dim_kind kind() const noexcept { return kind_; }
  /// Global extent n.
  index_t size() const noexcept { return n_; }
  /// Number of grid coordinates p along this dimension.
  int procs() const noexcept { return p_; }
  /// This map's coordinate.
  int coord() const noexcept { return c_; }
  /// Block size of a cyclic (1) or block_cyclic dimension; 1 otherwise.
  index_t block_size() const noexcept { return nb_; }
  /// True for a block dimension given explicit bounds.
  bool irregular() const noexcept { return bounds_ != nullptr; }

  /// Number of indices coordinate c owns. O(1).
  index_t local_size(int c) const noexcept {
    switch (kind_) {
      case dim_kind::block:
      case dim_kind::undistributed: return block_start(c + 1) - block_start(c);
      case dim_kind::cyclic:
      case dim_kind::block_cyclic: return numroc(c);
      case dim_kind::unstructured: return unstructured_->counts[static_cast<std::size_t>(c)];
    }
    return 0;
  }
  index_t local_size() const noexcept { return local_size(c_); }

  /// True when this coordinate owns global index g. O(1) (unstructured: O(log local)).
  bool owns(index_t g) const noexcept {
    if (g < 0 || g >= n_) return false;
    if (kind_ == dim_kind::unstructured) return find_local(g).has_value();
    return owner(g) == c_;
  }

  /// The coordinate owning global index g in [0, n). O(1); irregular block
  /// O(log p). Unstructured: known only for indices this coordinate owns
  /// (else distribution_error: use the collective distribution::lookup).
  int owner(index_t g) const {
    assert(g >= 0 && g < n_);
    switch (kind_) {
      case dim_kind::undistributed: return 0;
      case dim_kind::block: {
        if (bounds_) {
          auto it = std::upper_bound(bounds_->begin(), bounds_->end(), g);
          return static_cast<int>(it - bounds_->begin()) - 1;
        }
        const index_t q = n_ / p_, r = n_ % p_;
        const index_t cut = r * (q + 1);
        return static_cast<int>(g < cut ? g / (q + 1) : r + (g - cut) / q);
      }
      case dim_kind::cyclic: return static_cast<int>(g % p_);
      case dim_kind::block_cyclic: return static_cast<int>((g / nb_) % p_);
      case dim_kind::unstructured:
        if (find_local(g)) return c_;
        throw remote_unstructured("owner", g);
    }
    return 0;
  }

  /// Position of global index g in its owner's local order. O(1) for
  /// structured kinds; unstructured: only for indices this coordinate owns.
  index_t local_index(index_t g) const {
    assert(g >= 0 && g < n_);
    switch (kind_) {
      case dim_kind::undistributed: return g;
      case dim_kind::block: return g - block_start(owner(g));
      case dim_kind::cyclic: return g / p_;
      case dim_kind::block_cyclic: return (g / nb_ / p_) * nb_ + g % nb_;
      case dim_kind::unstructured:
        if (auto l = find_local(g)) return *l;
        throw remote_unstructured("local_index", g);
    }
    return 0;
  }

  /// Global index of local position l on coordinate c. O(1) (unstructured:
  /// only c == coord()).
  index_t global_index(int c, index_t l) const {
    switch (kind_) {
      case dim_kind::undistributed: return l;
      case dim_kind::block: return block_start(c) + l;
      case dim_kind::cyclic: return l * p_ + c;
      case dim_kind::block_cyclic: return ((l / nb_) * p_ + c) * nb_ + l % nb_;
      case dim_kind::unstructured:
        if (c != c_) throw_remote_coordinate(c);
        return unstructured_->indices[static_cast<std::size_t>(l)];
    }
    return 0;
  }
  index_t global_index(index_t l) const { return global_index(c_, l); }

  /// This coordinate's global indices in local order.
  DIST_INLINE std::vector<index_t> global_indices() const;

  /// One past the last index of the contiguous run of owner(g) that contains
  /// g: the end of g's block (block kinds) or block-cyclic block; g + 1 for
  /// cyclic and unstructured. O(1) (irregular block: O(log p)).
  index_t run_end(index_t g) const {
    switch (kind_) {
      case dim_kind::undistributed: return n_;
      case dim_kind::block: return block_start(owner(g) + 1);
      case dim_kind::cyclic: return g + 1;
      case dim_kind::block_cyclic: return std::min(n_, (g / nb_ + 1) * nb_);
      case dim_kind::unstructured: return g + 1;
    }
    return g + 1;
  }

  /// This coordinate's indices as runs {global start, local start, length}
  /// in increasing global order. O(number of runs) for structured kinds;
  /// unstructured: O(local size * log).
  struct run {
    index_t global, local, length;
  };
  DIST_INLINE std::vector<run> runs() const;

  /// How many of this coordinate's indices are below g (0 <= g <= n); for
  /// structured kinds, whose local order follows the global order, that is
  /// the local position of the first index >= g. O(1).
  index_t count_below(index_t g) const {
    switch (kind_) {
      case dim_kind::undistributed: return g;
      case dim_kind::block: return std::clamp<index_t>(g - block_start(c_), 0, local_size());
      case dim_kind::cyclic:
      case dim_kind::block_cyclic: {
        const index_t b = g / nb_, cycles = b / p_, rem = b % p_;
        return cycles * nb_ + (c_ < rem ? nb_ : 0) + (c_ == rem ? g % nb_ : 0);
      }
      case dim_kind::unstructured: break;
    }
    throw distribution_error("dim_map::count_below: not defined for unstructured dimensions");
  }

  /// First global index of coordinate c's block (block/undistributed kinds).
  index_t block_start(int c) const noexcept {
    if (bounds_) return (*bounds_)[static_cast<std::size_t>(c)];
    const index_t q = n_ / p_, r = n_ % p_;
    return c * q + std::min<index_t>(c, r);
  }

  /// When this coordinate's indices are one increasing contiguous run
  /// (block, undistributed, or block_cyclic/cyclic with at most one block
  /// here), its first index; else nullopt. Fast paths use it.
  std::optional<index_t> contiguous_start() const noexcept {
    switch (kind_) {
      case dim_kind::block:
      case dim_kind::undistributed: return block_start(c_);
      case dim_kind::cyclic:
      case dim_kind::block_cyclic:
        if (local_size() <= nb_) return std::min<index_t>(static_cast<index_t>(c_) * nb_, n_);
        return std::nullopt;
      case dim_kind::unstructured: {
        const auto& s = unstructured_->sorted;
        if (s.empty()) return 0;
        // contiguous and in increasing local order
        const auto& idx = unstructured_->indices;
        for (std::size_t l = 1; l < idx.size(); ++l)
          if (idx[l] != idx[l - 1] + 1) return std::nullopt;
        return idx.front();
      }
    }
    return std::nullopt;
  }

  /// Explicit bounds of an irregular block dimension (empty otherwise).
  std::vector<index_t> bounds() const { return bounds_ ? *bounds_ : std::vector<index_t>{}; }

  /// True when both maps give this coordinate the same indices in the same
  /// order and (where it can be told locally) every other coordinate too.
  /// Local: for unstructured dimensions only this coordinate's list is compared.
  friend bool operator==(const dim_map& a, const dim_map& b) { return equal(a, b); }

  /// True when each coordinate owns one contiguous range, in coordinate
  /// order: block and undistributed maps, and cyclic or block-cyclic ones
  /// with at most one block per coordinate (which compare equal to the
  /// block map of the same ranges). Local.
  bool is_block_like() const noexcept {
    return kind_ == dim_kind::block || kind_ == dim_kind::undistributed || nb_ * p_ >= n_;
  }

 private:
  struct unstructured_state {
    std::vector<index_t> indices;                        // local order
    std::vector<std::pair<index_t, index_t>> sorted;     // (global, local), by global
    std::vector<index_t> counts;                         // local size of every coordinate
  };

  dim_map(dim_kind k, index_t n, int p, int c, index_t nb) : kind_(k), n_(n), p_(p), c_(c), nb_(nb) {}

  DIST_INLINE static bool equal(const dim_map& a, const dim_map& b);
  DIST_INLINE static void check_common(index_t n, int p, int coord, const char* what);

  DIST_INLINE static void validate_bounds(const std::vector<index_t>& b);

  // ScaLAPACK's NUMROC for coordinate c (source coordinate 0).
  index_t numroc(int c) const noexcept {
    const index_t nblocks = n_ / nb_;
    index_t num = (nblocks / p_) * nb_;
    const index_t extra = nblocks % p_;
    if (c < extra) num += nb_;
    else if (c == extra) num += n_ % nb_;
    return num;
  }

  index_t block_like_start(int c) const noexcept {
    if (kind_ == dim_kind::block || kind_ == dim_kind::undistributed) return block_start(c);
    return std::min<index_t>(static_cast<index_t>(c) * nb_, n_);
  }

  std::optional<index_t> find_local(index_t g) const noexcept {
    const auto& s = unstructured_->sorted;
    auto it = std::lower_bound(s.begin(), s.end(), std::pair<index_t, index_t>(g, -1));
    if (it != s.end() && it->first == g) return it->second;
    return std::nullopt;
  }

  DIST_INLINE distribution_error remote_unstructured(const char* what, index_t g) const;
  [[noreturn]] DIST_INLINE void throw_remote_coordinate(int c) const;

  dim_kind kind_;
  index_t n_;
  int p_;
  int c_;
  index_t nb_;
  std::shared_ptr<const std::vector<index_t>> bounds_;
  std::shared_ptr<const unstructured_state> unstructured_;
};

}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "dim_map-inl.hpp"
#endif
