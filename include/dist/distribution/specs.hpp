// What a user asks for along one dimension: block, cyclic, block_cyclic,
// unstructured or undistributed.
#pragma once

#include <initializer_list>
#include <variant>
#include <vector>

#include "../core/types.hpp"

namespace dist {

/// Contiguous blocks. Empty `bounds`: balanced, coordinate c of p gets
/// n/p + (c < n%p) elements. Else explicit bounds 0 = b0 <= b1 <= ... <= bp = n.
struct block {
  std::vector<index_t> bounds;
  block() = default;
  explicit block(std::vector<index_t> b) : bounds(std::move(b)) {}
  block(std::initializer_list<index_t> b) : bounds(b) {}
};

/// Element g on coordinate g % p.
struct cyclic {};

/// ScaLAPACK's block-cyclic: block g/nb on coordinate (g/nb) % p.
struct block_cyclic {
  index_t nb = 1;
};

/// This rank's coordinate owns exactly `indices`, in that local order.
struct unstructured {
  std::vector<index_t> indices;
  unstructured() = default;
  explicit unstructured(std::vector<index_t> i) : indices(std::move(i)) {}
  unstructured(std::initializer_list<index_t> i) : indices(i) {}
};

/// The whole extent on every rank (grid extent 1).
struct undistributed {};

/// One dimension's request.
using dim_spec = std::variant<block, cyclic, block_cyclic, unstructured, undistributed>;

}  // namespace dist
