// Alignment plans: bring the elements of an operand that this
// rank needs to evaluate on a destination distribution into one local
// buffer, shaped like the destination block. Covers redistribution of
// same-shape operands and NumPy broadcasting: operand dim k lies along
// destination dim dim_of[k], or is an extent-1 dim (dim_of[k] = -1) whose
// one index every destination element reads; destination dims no operand
// dim lies along are broadcast too. Plans are cached by (source,
// destination, dim_of) so a loop plans once.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "../core/mru_cache.hpp"
#include "../distribution/distribution.hpp"
#include "exchange.hpp"
#include "plan.hpp"

namespace dist {
namespace detail {

/// The planner's view of one side of `d` for this rank. Local.
template <std::size_t N>
plan_side_input<N> side_input(const distribution<N>& d) {
  return {[&]<std::size_t... I>(std::index_sequence<I...>) { return std::array<dim_map, N>{d.map(I)...}; }(
              std::make_index_sequence<N>{}),
          d.grid(), d.replicated(), d.comm().rank(), d.comm().size()};
}

/// For a plan where source dim k lies along destination dim dim_of[k] (-1:
/// an extent-1 dim whose one index, 0, is read): per source dim, the
/// destination's coordinate of each of my source indices where the
/// destination dim is unstructured (send side), and the source's coordinate
/// of each index my destination block reads where the source dim is
/// unstructured (receive side); empty elsewhere. Collective (the directories).
template <std::size_t M, std::size_t N>
std::pair<std::array<std::vector<int>, M>, std::array<std::vector<int>, M>> directory_coords(
    const distribution<M>& from, const distribution<N>& to, const std::array<int, M>& dim_of) {
  std::array<std::vector<int>, M> send_coord, recv_coord;
  for (std::size_t k = 0; k < M; ++k) {
    const int j = dim_of[k];
    if (j >= 0 && to.map(static_cast<std::size_t>(j)).kind() == dim_kind::unstructured) {
      const auto g = from.global_indices(k);
      for (const auto& l : to.lookup(static_cast<std::size_t>(j), g)) send_coord[k].push_back(l.coord);
    }
    if (from.map(k).kind() == dim_kind::unstructured) {
      const auto g = j >= 0 ? to.global_indices(static_cast<std::size_t>(j)) : std::vector<index_t>{0};
      for (const auto& l : from.lookup(k, g)) recv_coord[k].push_back(l.coord);
    }
  }
  return {std::move(send_coord), std::move(recv_coord)};
}

}  // namespace detail

/// Moves the part of an M-d operand on `from` that this rank needs for an
/// N-d evaluation on `to` into a row-major buffer of extents local_shape():
/// along operand dim k, the destination's local extent of dim dim_of[k], or
/// 1 where dim_of[k] is -1 (the operand's extent there is 1).
template <std::size_t M, std::size_t N>
class alignment_plan {
 public:
  /// Collective over both communicators (the same ranks). distribution_error
  /// when the communicators hold different ranks; shape_error when an
  /// operand extent does not match the destination dim it lies along.
  /// `op` names the operation in errors of the exchange.
  alignment_plan(const distribution<M>& from, const distribution<N>& to, const std::array<int, M>& dim_of,
                 const char* op = "dist::alignment_plan (bringing an operand to the destination's layout)");

  const distribution<M>& from() const noexcept { return from_; }
  const distribution<N>& to() const noexcept { return to_; }
  const std::array<int, M>& dim_of() const noexcept { return dim_of_; }
  /// Extents of this rank's buffer.
  const shape<M>& local_shape() const noexcept { return local_; }
  index_t local_size() const noexcept { return detail::product(local_); }
  int send_peers() const noexcept { return x_.send_peers(); }
  int recv_peers() const noexcept { return x_.recv_peers(); }
  bool uses_point_to_point() const noexcept { return x_.uses_point_to_point(); }
  /// Keeps the exchange's pack buffers between executions while they total
  /// at most `bytes` (cached plans: 16 MiB; a plan the user holds keeps them all).
  void keep_scratch_up_to(std::size_t bytes) noexcept { x_.keep_scratch_up_to(bytes); }
  index_t elements_sent() const noexcept { return x_.elements_sent(); }
  index_t elements_received() const noexcept { return x_.elements_received(); }

  /// Fills `out` (local_size() elements) from `src`, the local block of an
  /// array on from(). Collective.
  template <class T>
  void execute(const T* src, T* out) const {  // collective: the plan's exchange
    x_.run(src, detail::row_major_strides(from_.local_shape()), out, detail::row_major_strides(local_));
  }
  /// The same from a strided source block into a strided output block.
  template <class T>
  void execute(const T* src, const std::array<index_t, M>& src_strides, T* out,
               const std::array<index_t, M>& out_strides) const {
    x_.run(src, src_strides, out, out_strides);
  }

 private:
  distribution<M> from_;
  distribution<N> to_;
  std::array<int, M> dim_of_;
  shape<M> local_{};
  detail::exchange<M> x_;
};

template <std::size_t M, std::size_t N>
alignment_plan<M, N>::alignment_plan(const distribution<M>& from, const distribution<N>& to, const std::array<int, M>& dim_of,
                                     const char* op)
    : from_(from), to_(to), dim_of_(dim_of) {
  // collective: the exchange (its agreement; the evaluator checks the operands first)
  detail::require_same_ranks(from.comm(), to.comm(), "dist::alignment_plan");
  std::array<bool, N> covered{};
  detail::plan_side_input<M> dst{[]<std::size_t... I>(std::index_sequence<I...>) {
                                   return std::array<dim_map, M>{((void)I, dim_map::undistributed(1))...};
                                 }(std::make_index_sequence<M>{}),
                                 {}, to.replicated(), to.comm().rank(), to.comm().size()};
  for (std::size_t k = 0; k < M; ++k) {
    const int j = dim_of[k];
    if (j >= 0) {
      if (from.shape()[k] != to.shape()[static_cast<std::size_t>(j)])
        throw shape_error("dist::alignment_plan: operand of shape " + detail::to_string(from.shape()) +
                          " does not align with a destination of shape " + detail::to_string(to.shape()));
      dst.maps[k] = to.map(static_cast<std::size_t>(j));
      dst.grid[k] = to.grid()[static_cast<std::size_t>(j)];
      covered[static_cast<std::size_t>(j)] = true;
      local_[k] = to.local_shape()[static_cast<std::size_t>(j)];
    } else {
      if (from.shape()[k] != 1) throw shape_error("dist::alignment_plan: only an extent-1 operand dim can be broadcast");
      dst.maps[k] = dim_map::undistributed(1);
      dst.grid[k] = 1;
      local_[k] = 1;
    }
  }
  const bool empty = to.local_size() == 0;
  if (empty) local_.fill(0);
  detail::fan_out fan;
  bool fans = false;
  for (std::size_t k = 0; k < M; ++k) fans = fans || dim_of[k] < 0;
  for (std::size_t j = 0; j < N; ++j) fans = fans || !covered[j];
  // permuted dims too: the fan-out finds destination ranks on the
  // destination's own grid, where dst's grid above runs in operand order
  for (std::size_t k = 0; k < M; ++k) fans = fans || dim_of[k] != static_cast<int>(k);
  fans = fans && !to.replicated();
  if (fans) {
    fan.grid.assign(to.grid().begin(), to.grid().end());
    fan.dim_of.assign(dim_of.begin(), dim_of.end());
    fan.spread.resize(N);
    for (std::size_t j = 0; j < N; ++j)
      if (!covered[j])
        for (int c = 0; c < to.grid()[j]; ++c)
          if (to.map(j).local_size(c) > 0) fan.spread[j].push_back(c);
  }
  const auto [send_coord, recv_coord] = detail::directory_coords(from, to, dim_of);
  std::array<std::size_t, M> identity;
  for (std::size_t k = 0; k < M; ++k) identity[k] = k;
  auto [send, recv] =
      detail::build_plan<M>(detail::side_input(from), dst, identity, send_coord, recv_coord, fans ? &fan : nullptr);
  if (empty) recv = {};
  x_ = detail::exchange<M>(from.comm(), to.comm(), std::move(send), std::move(recv), op);
  x_.keep_scratch_up_to(std::size_t{16} << 20);
}

namespace detail {

// Cache keys must compare the same way on every rank, or ranks would
// disagree on whether to plan (a collective): copies of one distribution
// always match; otherwise only structured distributions compare by value.
template <std::size_t N>
bool same_key(const distribution<N>& a, const distribution<N>& b) {
  if (a.shares_state(b)) return true;
  return a.structured() && b.structured() && a == b;
}

/// How many alignment plans this process has built (tests check that loops plan once).
inline long long alignment_plans_built = 0;

/// The alignment plan for (from, to, dim_of), built on first use and kept
/// (the 32 most recently used per pair of ranks). Collective on a miss; the
/// hit-or-miss decision is the same on every rank.
template <std::size_t M, std::size_t N>
std::shared_ptr<const alignment_plan<M, N>> cached_alignment(const distribution<M>& from, const distribution<N>& to,
                                                             const std::array<int, M>& dim_of) {
  using plan = alignment_plan<M, N>;
  return mru_cache<std::shared_ptr<const plan>>::instance(32).find_or_make(
      [&](const auto& p) { return p->dim_of() == dim_of && same_key(p->from(), from) && same_key(p->to(), to); },
      [&] {
        ++alignment_plans_built;
        return std::make_shared<const plan>(from, to, dim_of);
      });
}

}  // namespace detail
}  // namespace dist
