// Redistribution: any distribution to any other, planned
// once (plan.hpp), executed with one pack, one MPI_Alltoallv and one unpack.
// Users' reference: docs/api.md (Redistribution and halos).
#pragma once

#include <array>
#include <cstddef>
#include <numeric>
#include <string>
#include <vector>

#include "../array/array.hpp"
#include "../core/agree.hpp"
#include "../core/collective_check.hpp"
#include "alignment.hpp"
#include "exchange.hpp"
#include "plan.hpp"

namespace dist {
namespace detail {
/// Throws shape_error naming `op` unless `perm` is a permutation of 0..N-1.
template <std::size_t N>
void check_axes(const std::array<std::size_t, N>& perm, const char* op) {
  std::array<bool, N> seen{};
  for (std::size_t i = 0; i < N; ++i) {
    if (perm[i] >= N || seen[perm[i]])
      throw shape_error(std::string(op) + ": " + to_string(perm) + " is not a permutation of the axes");
    seen[perm[i]] = true;
  }
}
}  // namespace detail

/// A plan moving arrays from one distribution to another (optionally
/// permuting the axes), made once and executed many times: the alignment
/// plan of a same-shape operand, whose source dim perm[i] lies along
/// destination dim i, after checking the axes and shapes on every rank.
template <std::size_t N>
class redistribution_plan {
 public:
  /// Plans moving an array on `from` to `to`, where dim i of `to` holds dim
  /// perm[i] of `from` (identity by default). The communicators must hold the
  /// same ranks (any order). Throws shape_error / distribution_error on every
  /// rank. Collective over both communicators (the same ranks).
  redistribution_plan(const distribution<N>& from, const distribution<N>& to) : redistribution_plan(from, to, identity()) {}  // collective: below
  redistribution_plan(const distribution<N>& from, const distribution<N>& to, const std::array<std::size_t, N>& perm);

  const distribution<N>& from() const noexcept { return plan_.from(); }
  const distribution<N>& to() const noexcept { return plan_.to(); }
  const std::array<std::size_t, N>& axes() const noexcept { return perm_; }
  /// Ranks this rank sends to / receives from, other than itself.
  int send_peers() const noexcept { return plan_.send_peers(); }
  int recv_peers() const noexcept { return plan_.recv_peers(); }
  /// True when execute() uses MPI_Isend/MPI_Irecv with the few peers each
  /// rank has, instead of MPI_Alltoallv.
  bool uses_point_to_point() const noexcept { return plan_.uses_point_to_point(); }
  /// Elements this rank sends to / receives from other ranks.
  index_t elements_sent() const noexcept { return plan_.elements_sent(); }
  index_t elements_received() const noexcept { return plan_.elements_received(); }

  /// Moves `a` (on from()) into `b` (on to()). Throws distribution_error on
  /// every rank when either array's distribution is not the plan's. Collective.
  template <class T>
  void execute(const array<T, N>& a, array<T, N>& b) const {
    const communicator& c = from().comm();
    detail::collective_entry(c, "dist::redistribution_plan::execute", from(), to());
    const bool ok = a.distribution() == from() && b.distribution() == to();
    if (detail::any_rank(c, !ok))
      throw distribution_error("dist::redistribution_plan::execute: the arrays' distributions are not the ones the plan was made for");
    // the plan's buffer runs along the source dims: destination strides permuted
    std::array<index_t, N> out{};
    for (std::size_t i = 0; i < N; ++i) out[perm_[i]] = b.local().strides()[i];
    plan_.execute(a.local().data(), a.local().strides(), b.local().data(), out);
  }

  /// The planner's view of one side of `d` for this rank. Local.
  static detail::plan_side_input<N> input(const distribution<N>& d) { return detail::side_input(d); }

 private:
  static std::array<std::size_t, N> identity() {
    std::array<std::size_t, N> p{};
    std::iota(p.begin(), p.end(), std::size_t{0});
    return p;
  }
  static bool is_identity(const std::array<std::size_t, N>& p) { return p == identity(); }
  // perm, once every rank agrees the arguments are valid. Collective.
  static const std::array<std::size_t, N>& checked(const distribution<N>& from, const distribution<N>& to,
                                                   const std::array<std::size_t, N>& perm);
  // source dim k lies along destination dim perm^-1[k]
  static std::array<int, N> dims_of(const std::array<std::size_t, N>& perm) {
    std::array<int, N> dim_of{};
    for (std::size_t i = 0; i < N; ++i) dim_of[perm[i]] = static_cast<int>(i);
    return dim_of;
  }
  std::array<std::size_t, N> perm_;
  alignment_plan<N, N> plan_;
};

template <std::size_t N>
redistribution_plan<N>::redistribution_plan(const distribution<N>& from, const distribution<N>& to, const std::array<std::size_t, N>& perm)
    : perm_(checked(from, to, perm)), plan_(from, to, dims_of(perm), "dist::redistribution_plan") {  // collective: checked, the plan
  plan_.keep_scratch_up_to(static_cast<std::size_t>(-1));  // executed again and again: no page faults after the first
}

template <std::size_t N>
const std::array<std::size_t, N>& redistribution_plan<N>::checked(const distribution<N>& from, const distribution<N>& to,
                                                                  const std::array<std::size_t, N>& perm) {
  detail::agree(from.comm(), "dist::redistribution_plan", [&] {
    detail::check_axes(perm, "dist::redistribution_plan");
    for (std::size_t i = 0; i < N; ++i) {
      if (to.shape()[i] != from.shape()[perm[i]])
        throw shape_error("dist::redistribution_plan: cannot move an array of shape " + detail::to_string(from.shape()) +
                          " to a distribution of shape " + detail::to_string(to.shape()) +
                          (is_identity(perm) ? "" : " with axes " + detail::to_string(perm)));
    }
    detail::require_same_ranks(from.comm(), to.comm(), "dist::redistribution_plan");
  }, detail::arg("source distributions", from), detail::arg("target distributions", to), detail::arg("axes", perm));
  return perm;
}

/// A copy of `a` on distribution `d` (same shape, any specs, grid, or a
/// communicator over the same ranks). Collective.
template <class T, std::size_t N>
array<T, N> redistribute(const array<T, N>& a, const distribution<N>& d) {  // collective: redistribution_plan
  array<T, N> b(d, uninitialized);
  redistribution_plan<N>(a.distribution(), d).execute(a, b);
  return b;
}

namespace detail {
template <class T, std::size_t N>
void assign_redistributed(array<T, N>& dst, const array<T, N>& src) {
  collective_entry(src.comm(), "dist::array::operator=", src.distribution(), dst.distribution());
  std::array<int, N> dim_of;
  for (std::size_t k = 0; k < N; ++k) dim_of[k] = static_cast<int>(k);
  cached_alignment(src.distribution(), dst.distribution(), dim_of)
      ->execute(src.local().data(), src.local().strides(), dst.local().data(), dst.local().strides());
}

// The layout a transpose gets by default: the source's specs and grid
// extents permuted, so each rank keeps its elements (no communication for
// structured layouts). Unstructured dims fall back to the default layout.
template <std::size_t N>
distribution<N> permuted(const distribution<N>& d, const std::array<std::size_t, N>& perm) {
  shape<N> s;
  for (std::size_t i = 0; i < N; ++i) s[i] = d.shape()[perm[i]];
  std::array<dim_spec, N> specs;
  std::vector<int> g(N);
  for (std::size_t i = 0; i < N; ++i) {
    const dim_map& m = d.map(perm[i]);
    g[i] = d.grid()[perm[i]];
    if (m.kind() == dim_kind::unstructured) return distribution<N>(s, d.comm());
    specs[i] = spec_of(m);
  }
  return distribution<N>(s, specs, d.comm(), grid(g));
}
}  // namespace detail

/// NumPy's transpose as a new array: result dim i is dim perm[i] of `a`
/// (default: reversed axes), on the source layout with its axes permuted,
/// or on `d` when given. Collective.
template <class T, std::size_t N>
array<T, N> transpose(const array<T, N>& a, const std::array<std::size_t, N>& perm, const distribution<N>& d) {
  // collective: redistribution_plan (it checks the axes and shapes)
  array<T, N> b(d, uninitialized);
  redistribution_plan<N>(a.distribution(), d, perm).execute(a, b);
  return b;
}
template <class T, std::size_t N>
array<T, N> transpose(const array<T, N>& a, const std::array<std::size_t, N>& perm) {
  detail::agree(a.comm(), "dist::transpose", [&] { detail::check_axes(perm, "dist::transpose"); }, detail::arg("axes", perm));
  return transpose(a, perm, detail::permuted(a.distribution(), perm));
}
template <class T, std::size_t N>
array<T, N> transpose(const array<T, N>& a) {  // collective: transpose(a, perm)
  std::array<std::size_t, N> perm;
  for (std::size_t i = 0; i < N; ++i) perm[i] = N - 1 - i;
  return transpose(a, perm);
}

}  // namespace dist
