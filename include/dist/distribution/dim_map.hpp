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
  static dim_map block(std::vector<index_t> bounds, int coord) {
    validate_bounds(bounds);
    const int p = static_cast<int>(bounds.size()) - 1;
    const index_t n = bounds.back();
    check_common(n, p, coord, "block");
    dim_map m(dim_kind::block, n, p, coord, 1);
    m.bounds_ = std::make_shared<const std::vector<index_t>>(std::move(bounds));
    return m;
  }

  /// Cyclic: element g on coordinate g % p.
  static dim_map cyclic(index_t n, int p, int coord) {
    check_common(n, p, coord, "cyclic");
    return dim_map(dim_kind::cyclic, n, p, coord, 1);
  }

  /// Block-cyclic with block size nb >= 1, first block on coordinate 0.
  static dim_map block_cyclic(index_t n, index_t nb, int p, int coord) {
    check_common(n, p, coord, "block_cyclic");
    if (nb < 1)
      throw distribution_error("block_cyclic: block size must be >= 1, got " + std::to_string(nb));
    return dim_map(dim_kind::block_cyclic, n, p, coord, nb);
  }

  /// Whole extent, one coordinate.
  static dim_map undistributed(index_t n) {
    check_common(n, 1, 0, "undistributed");
    return dim_map(dim_kind::undistributed, n, 1, 0, 1);
  }

  /// Unstructured: this coordinate owns `indices` (in local order); `counts[c]`
  /// is how many coordinate c owns. Validates what one rank can see: indices
  /// in range, no repeats, counts adding up to n. Whether all coordinates
  /// together partition 0..n-1 is checked collectively by the distribution.
  static dim_map unstructured(index_t n, int coord, std::vector<index_t> indices, std::vector<index_t> counts) {
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
        if (c != c_)
          throw distribution_error("unstructured dimension: global_index of coordinate " + std::to_string(c) +
                                   " is only known on that coordinate (this is coordinate " +
                                   std::to_string(c_) + ")");
        return unstructured_->indices[static_cast<std::size_t>(l)];
    }
    return 0;
  }
  index_t global_index(index_t l) const { return global_index(c_, l); }

  /// This coordinate's global indices in local order.
  std::vector<index_t> global_indices() const {
    if (kind_ == dim_kind::unstructured) return unstructured_->indices;
    std::vector<index_t> g(static_cast<std::size_t>(local_size()));
    for (std::size_t l = 0; l < g.size(); ++l) g[l] = global_index(c_, static_cast<index_t>(l));
    return g;
  }

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
  std::vector<run> runs() const {
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
  friend bool operator==(const dim_map& a, const dim_map& b) {
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

  static void check_common(index_t n, int p, int coord, const char* what) {
    if (n < 0) throw distribution_error(std::string(what) + ": extent must be >= 0, got " + std::to_string(n));
    if (p < 1)
      throw distribution_error(std::string(what) + ": number of coordinates must be >= 1, got " + std::to_string(p));
    if (coord < 0 || coord >= p)
      throw distribution_error(std::string(what) + ": coordinate " + std::to_string(coord) + " is outside [0, " +
                               std::to_string(p) + ")");
  }

  static void validate_bounds(const std::vector<index_t>& b) {
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

  distribution_error remote_unstructured(const char* what, index_t g) const {
    return distribution_error("unstructured dimension: " + std::string(what) + " of global index " +
                              std::to_string(g) + " is not known locally (coordinate " + std::to_string(c_) +
                              " does not own it); use the collective distribution::lookup");
  }

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
