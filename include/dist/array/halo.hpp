// dist::halo: the ghost layers an array keeps around its block. A value
// type: widths per dimension and which dimensions wrap.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <vector>

#include "../core/types.hpp"

namespace dist {

/// Ghost layers of width w[d] on both sides of dim d (block and
/// undistributed dims only). Fewer widths than dims: the rest are 0.
/// `.periodic(true)` makes every dim wrap around (the first block's lower
/// ghosts hold the last elements); `.periodic({true, false})` chooses per dim.
class halo {
 public:
  halo() = default;
  halo(std::initializer_list<index_t> w) : widths_(w) {}
  explicit halo(std::vector<index_t> w) : widths_(std::move(w)) {}

  /// Every dim periodic (or none).
  halo& periodic(bool p = true) {
    all_periodic_ = p;
    periodic_.clear();
    return *this;
  }
  /// Dim d periodic when p[d] (missing entries: not periodic).
  halo& periodic(std::initializer_list<bool> p) {
    all_periodic_ = false;
    periodic_.assign(p.begin(), p.end());
    return *this;
  }

  /// Width along dim d (0 beyond the given widths).
  index_t width(std::size_t d) const noexcept { return d < widths_.size() ? widths_[d] : 0; }
  bool is_periodic(std::size_t d) const noexcept {
    return all_periodic_ || (d < periodic_.size() && periodic_[d]);
  }
  const std::vector<index_t>& widths() const noexcept { return widths_; }

 private:
  std::vector<index_t> widths_;
  std::vector<bool> periodic_;
  bool all_periodic_ = false;
};

}  // namespace dist
