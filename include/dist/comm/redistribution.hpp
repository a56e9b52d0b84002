// Redistribution (SPEC section 7): any distribution to any other, planned
// once (plan.hpp), executed with one pack, one MPI_Alltoallv and one unpack.
#pragma once

#include <array>
#include <cstddef>
#include <numeric>
#include <string>
#include <vector>

#include "../array/array.hpp"
#include "../core/agree.hpp"
#include "../core/collective_check.hpp"
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

template <std::size_t N>
class redistribution_plan {
 public:
  /// Plans moving an array on `from` to `to`, where dim i of `to` holds dim
  /// perm[i] of `from` (identity by default). The communicators must hold the
  /// same ranks (any order). Throws shape_error / distribution_error on every
  /// rank. Collective over both communicators (the same ranks).
  redistribution_plan(const distribution<N>& from, const distribution<N>& to) : redistribution_plan(from, to, identity()) {}
  redistribution_plan(const distribution<N>& from, const distribution<N>& to, const std::array<std::size_t, N>& perm)
      : from_(from), to_(to), perm_(perm) {
    const communicator& c = from.comm();
    detail::collective_entry(c, "dist::redistribution_plan", from, to, perm);
    detail::check_axes(perm, "dist::redistribution_plan");
    for (std::size_t i = 0; i < N; ++i) {
      if (to.shape()[i] != from.shape()[perm[i]])
        throw shape_error("dist::redistribution_plan: cannot move an array of shape " + detail::to_string(from.shape()) +
                          " to a distribution of shape " + detail::to_string(to.shape()) +
                          (is_identity(perm) ? "" : " with axes " + detail::to_string(perm)));
    }
    int cmp = MPI_UNEQUAL;
    detail::check_mpi(MPI_Comm_compare(from.comm(), to.comm(), &cmp), "MPI_Comm_compare");
    if (cmp == MPI_UNEQUAL)
      throw distribution_error("dist::redistribution_plan: the two distributions' communicators hold different sets of ranks");
    // destination rank numbers -> source communicator's numbering
    const int P = c.size();
    d2s_.resize(static_cast<std::size_t>(P));
    std::iota(d2s_.begin(), d2s_.end(), 0);
    if (cmp == MPI_SIMILAR) {
      MPI_Group gf, gt;
      MPI_Comm_group(from.comm(), &gf);
      MPI_Comm_group(to.comm(), &gt);
      std::vector<int> all(static_cast<std::size_t>(P));
      std::iota(all.begin(), all.end(), 0);
      MPI_Group_translate_ranks(gt, P, all.data(), gf, d2s_.data());
      MPI_Group_free(&gf);
      MPI_Group_free(&gt);
    }
    // unstructured dims: the other side's coordinates of my indices, from its directory
    std::array<std::size_t, N> inv{};
    for (std::size_t i = 0; i < N; ++i) inv[perm[i]] = i;
    std::array<std::vector<int>, N> send_coord, recv_coord;
    for (std::size_t k = 0; k < N; ++k) {
      if (to.map(inv[k]).kind() == dim_kind::unstructured) {
        const auto g = from.global_indices(k);
        for (const auto& l : to.lookup(inv[k], g)) send_coord[k].push_back(l.coord);
      }
      if (from.map(k).kind() == dim_kind::unstructured) {
        const auto g = to.global_indices(inv[k]);
        for (const auto& l : from.lookup(k, g)) recv_coord[k].push_back(l.coord);
      }
    }
    auto [send, recv] = detail::build_plan<N>(input(from), input(to), perm, send_coord, recv_coord);
    for (auto& p : send.peers) p.rank = d2s_[static_cast<std::size_t>(p.rank)];
    std::sort(send.peers.begin(), send.peers.end(), [](const auto& a, const auto& b) { return a.rank < b.rank; });
    send_ = std::move(send);
    recv_ = std::move(recv);
    // counts and displacements for MPI_Alltoallv; my own block skips MPI
    const int me = c.rank();
    scounts_.assign(static_cast<std::size_t>(P), 0);
    rcounts_.assign(static_cast<std::size_t>(P), 0);
    for (const auto& p : send_.peers)
      if (p.rank != me) scounts_[static_cast<std::size_t>(p.rank)] = detail::mpi_count(p.count, "dist::redistribution_plan");
    for (const auto& p : recv_.peers)
      if (p.rank != me) rcounts_[static_cast<std::size_t>(p.rank)] = detail::mpi_count(p.count, "dist::redistribution_plan");
    sdispls_ = detail::displacements(scounts_, "dist::redistribution_plan");
    rdispls_ = detail::displacements(rcounts_, "dist::redistribution_plan");
    // every rank talks to few peers: point-to-point beats MPI_Alltoallv's O(P) (agreed on all ranks)
    const int max_peers = detail::allreduce<int>(c, std::max(send_peers(), recv_peers()), MPI_MAX);
    point_to_point_ = 2 * max_peers < P;
  }

  const distribution<N>& from() const noexcept { return from_; }
  const distribution<N>& to() const noexcept { return to_; }
  const std::array<std::size_t, N>& axes() const noexcept { return perm_; }
  /// Ranks this rank sends to / receives from, other than itself.
  int send_peers() const noexcept { return peers_other_than_me(send_); }
  int recv_peers() const noexcept { return peers_other_than_me(recv_); }
  /// True when execute() uses MPI_Isend/MPI_Irecv with the few peers each
  /// rank has, instead of MPI_Alltoallv.
  bool uses_point_to_point() const noexcept { return point_to_point_; }
  /// Elements this rank sends to / receives from other ranks.
  index_t elements_sent() const noexcept { return sum(scounts_); }
  index_t elements_received() const noexcept { return sum(rcounts_); }

  /// Moves `a` (on from()) into `b` (on to()). Throws distribution_error on
  /// every rank when either array's distribution is not the plan's. Collective.
  template <class T>
  void execute(const array<T, N>& a, array<T, N>& b) const {
    const communicator& c = from_.comm();
    detail::collective_entry(c, "dist::redistribution_plan::execute", from_, to_);
    const bool ok = a.distribution() == from_ && b.distribution() == to_;
    if (detail::any_rank(c, !ok))
      throw distribution_error("dist::redistribution_plan::execute: the arrays' distributions are not the ones the plan was made for");
    const int me = c.rank();
    const auto sstr = stream_strides(from_.local_shape(), false);
    const auto rstr = stream_strides(to_.local_shape(), true);
    T* src = const_cast<T*>(a.local_data().data());  // only read: pack direction
    T* dst = b.local_data().data();
    const std::size_t ns = static_cast<std::size_t>(sdispls_.back() + scounts_.back());
    const std::size_t nr = static_cast<std::size_t>(rdispls_.back() + rcounts_.back());
    T* sbuf = scratch<T>(send_scratch_, ns);
    T* rbuf = scratch<T>(recv_scratch_, nr);
    std::vector<MPI_Request> reqs;
    std::vector<const detail::plan_peer<N>*> recv_of;
    if (point_to_point_) {  // post receives first
      for (const auto& p : recv_.peers)
        if (p.rank != me) {
          reqs.emplace_back();
          recv_of.push_back(&p);
          detail::check_mpi(MPI_Irecv(rbuf + rdispls_[static_cast<std::size_t>(p.rank)], rcounts_[static_cast<std::size_t>(p.rank)],
                                      detail::mpi_type<T>(), p.rank, tag, c, &reqs.back()),
                            "MPI_Irecv");
        }
    }
    const std::size_t nrecv = reqs.size();
    const detail::plan_peer<N>* self_send = nullptr;
    for (const auto& p : send_.peers) {
      if (p.rank == me) {
        self_send = &p;
        continue;
      }
      T* out = sbuf + sdispls_[static_cast<std::size_t>(p.rank)];
      detail::copy_peer(send_, p, sstr, src, out, true);
      if (point_to_point_) {
        reqs.emplace_back();
        detail::check_mpi(MPI_Isend(out, scounts_[static_cast<std::size_t>(p.rank)], detail::mpi_type<T>(), p.rank, tag, c,
                                    &reqs.back()),
                          "MPI_Isend");
      }
    }
    // my own elements: packed once and unpacked, never through MPI
    if (self_send) {
      const auto self_recv = std::find_if(recv_.peers.begin(), recv_.peers.end(), [&](const auto& p) { return p.rank == me; });
      T* tmp = scratch<T>(self_scratch_, static_cast<std::size_t>(self_send->count));
      detail::copy_peer(send_, *self_send, sstr, src, tmp, true);
      detail::copy_peer(recv_, *self_recv, rstr, dst, tmp, false);
    }
    if (point_to_point_) {  // unpack each message as it arrives
      for (std::size_t k = 0; k < nrecv; ++k) {
        int idx = MPI_UNDEFINED;
        detail::check_mpi(MPI_Waitany(static_cast<int>(nrecv), reqs.data(), &idx, MPI_STATUS_IGNORE), "MPI_Waitany");
        const auto& p = *recv_of[static_cast<std::size_t>(idx)];
        detail::copy_peer(recv_, p, rstr, dst, rbuf + rdispls_[static_cast<std::size_t>(p.rank)], false);
      }
      detail::check_mpi(MPI_Waitall(static_cast<int>(reqs.size() - nrecv), reqs.data() + nrecv, MPI_STATUSES_IGNORE),
                        "MPI_Waitall");
      return;
    }
    detail::check_mpi(MPI_Alltoallv(sbuf, scounts_.data(), sdispls_.data(), detail::mpi_type<T>(), rbuf, rcounts_.data(),
                                    rdispls_.data(), detail::mpi_type<T>(), c),
                      "MPI_Alltoallv");
    for (const auto& p : recv_.peers)
      if (p.rank != me) detail::copy_peer(recv_, p, rstr, dst, rbuf + rdispls_[static_cast<std::size_t>(p.rank)], false);
  }

  /// The planner's view of one side of `d` for this rank. Local.
  static detail::plan_side_input<N> input(const distribution<N>& d) {
    detail::plan_side_input<N> in{[&]<std::size_t... I>(std::index_sequence<I...>) {
                                    return std::array<dim_map, N>{d.map(I)...};
                                  }(std::make_index_sequence<N>{}),
                                  d.grid(), d.replicated(), d.comm().rank(), d.comm().size()};
    return in;
  }

 private:
  static std::array<std::size_t, N> identity() {
    std::array<std::size_t, N> p{};
    std::iota(p.begin(), p.end(), std::size_t{0});
    return p;
  }
  static bool is_identity(const std::array<std::size_t, N>& p) { return p == identity(); }
  static index_t sum(const std::vector<int>& v) { return std::accumulate(v.begin(), v.end(), index_t{0}); }
  int peers_other_than_me(const detail::side_plan<N>& s) const {
    const int me = from_.comm().rank();
    return static_cast<int>(std::count_if(s.peers.begin(), s.peers.end(), [&](const auto& p) { return p.rank != me; }));
  }
  // Memory strides of the stream dims: source dims in order (send side), or
  // the destination dims holding them (receive side).
  std::array<index_t, N> stream_strides(const shape<N>& ls, bool dest) const {
    const auto st = detail::row_major_strides(ls);
    if (!dest) return st;
    std::array<index_t, N> r{};
    for (std::size_t i = 0; i < N; ++i) r[perm_[i]] = st[i];
    return r;
  }
  template <class T>
  static T* scratch(detail::buffer<std::byte>& b, std::size_t n) {
    if (b.size() < n * sizeof(T)) b = detail::buffer<std::byte>(n * sizeof(T));
    return reinterpret_cast<T*>(b.data());
  }

  static constexpr int tag = 0x6469;  // point-to-point messages of execute()

  distribution<N> from_, to_;
  std::array<std::size_t, N> perm_;
  bool point_to_point_ = false;
  std::vector<int> d2s_;
  detail::side_plan<N> send_, recv_;
  std::vector<int> scounts_, rcounts_, sdispls_, rdispls_;
  mutable detail::buffer<std::byte> send_scratch_, recv_scratch_, self_scratch_;
};

/// A copy of `a` on distribution `d` (same shape, any specs, grid, or a
/// communicator over the same ranks). Collective.
template <class T, std::size_t N>
array<T, N> redistribute(const array<T, N>& a, const distribution<N>& d) {
  array<T, N> b(d, uninitialized);
  redistribution_plan<N>(a.distribution(), d).execute(a, b);
  return b;
}

namespace detail {
template <class T, std::size_t N>
void assign_redistributed(array<T, N>& dst, const array<T, N>& src) {
  redistribution_plan<N>(src.distribution(), dst.distribution()).execute(src, dst);
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
    switch (m.kind()) {
      case dim_kind::block: specs[i] = m.irregular() ? dim_spec{block{m.bounds()}} : dim_spec{block{}}; break;
      case dim_kind::cyclic: specs[i] = cyclic{}; break;
      case dim_kind::block_cyclic: specs[i] = block_cyclic{m.block_size()}; break;
      case dim_kind::undistributed: specs[i] = undistributed{}; break;
      case dim_kind::unstructured: return distribution<N>(s, d.comm());
    }
  }
  return distribution<N>(s, specs, d.comm(), grid(g));
}
}  // namespace detail

/// NumPy's transpose as a new array: result dim i is dim perm[i] of `a`
/// (default: reversed axes), on the source layout with its axes permuted,
/// or on `d` when given. Collective.
template <class T, std::size_t N>
array<T, N> transpose(const array<T, N>& a, const std::array<std::size_t, N>& perm, const distribution<N>& d) {
  array<T, N> b(d, uninitialized);
  redistribution_plan<N>(a.distribution(), d, perm).execute(a, b);
  return b;
}
template <class T, std::size_t N>
array<T, N> transpose(const array<T, N>& a, const std::array<std::size_t, N>& perm) {
  detail::check_axes(perm, "dist::transpose");
  return transpose(a, perm, detail::permuted(a.distribution(), perm));
}
template <class T, std::size_t N>
array<T, N> transpose(const array<T, N>& a) {
  std::array<std::size_t, N> perm;
  for (std::size_t i = 0; i < N; ++i) perm[i] = N - 1 - i;
  return transpose(a, perm);
}

}  // namespace dist
