// The executor shared by every plan (redistribution, alignment, reduction):
// pack what each peer needs, move it with MPI_Alltoallv or point-to-point,
// unpack where it belongs. The plan itself (which runs go where) comes from
// plan.hpp; this header only moves bytes.
#pragma once

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <vector>

#include "../array/buffer.hpp"
#include "../core/agree.hpp"
#include "../core/communicator.hpp"
#include "../core/large_count.hpp"
#include "plan.hpp"

namespace dist::detail {

/// Send and receive side of one plan on one rank, with MPI counts ready.
template <std::size_t N>
class exchange {
 public:
  exchange() = default;
  /// `send` peers are numbered in `to`'s communicator, `recv` peers in
  /// `from`'s; everything is renumbered into `from`'s. Collective over `from`
  /// (one allreduce to agree on point-to-point versus MPI_Alltoallv).
  exchange(const communicator& from, const communicator& to, side_plan<N> send, side_plan<N> recv, const char* op);

  int send_peers() const noexcept { return others(send_); }
  int recv_peers() const noexcept { return others(recv_); }
  bool uses_point_to_point() const noexcept { return point_to_point_; }
  index_t elements_sent() const noexcept { return send_total_; }
  index_t elements_received() const noexcept { return recv_total_; }
  const side_plan<N>& send_side() const noexcept { return send_; }
  /// Scratch buffers above `bytes` are freed after each run() instead of
  /// kept for the next (cached plans must not pin large buffers).
  void keep_scratch_up_to(std::size_t bytes) noexcept { keep_bytes_ = bytes; }
  const side_plan<N>& recv_side() const noexcept { return recv_; }

  /// Moves the planned elements of `src` (memory strides `sstr` per stream
  /// dim) into `dst` (strides `rstr`). Collective over the plan's communicator.
  template <class T>
  void run(const T* src, const std::array<index_t, N>& sstr, T* dst, const std::array<index_t, N>& rstr) const {
    move(src, sstr, dst, rstr);
    if (send_scratch_.size() + recv_scratch_.size() + self_scratch_.size() > keep_bytes_)
      send_scratch_ = recv_scratch_ = self_scratch_ = buffer<std::byte>();
  }

 private:
  template <class T>
  void move(const T* src, const std::array<index_t, N>& sstr, T* dst, const std::array<index_t, N>& rstr) const;

  /// Per peer of `side`: the offset of its elements in the block when they
  /// are one contiguous stretch there (with memory strides `str`) and, for
  /// MPI_Alltoallv, that offset fits its int displacements; else -1. All -1 when not `allowed`.
  std::vector<index_t> direct_offsets(const side_plan<N>& side, const std::array<index_t, N>& str, bool allowed) const {
    std::vector<index_t> off(side.peers.size(), -1);
    if (!allowed) return off;
    for (std::size_t k = 0; k < side.peers.size(); ++k) {
      index_t start = -1, end = -1;
      bool ok = true;
      for_each_group(side, side.peers[k], str, [&](index_t o, const run_group& g, index_t ms) {
        if (!ok) return;
        if (ms != 1 || (g.count > 1 && g.stride != g.len)) {
          ok = false;
          return;
        }
        if (start < 0) start = end = o;
        if (o != end) ok = false;
        end = o + g.len * g.count;
      });
      if (ok && start >= 0 && (point_to_point_ || start <= index_t{std::numeric_limits<int>::max()})) off[k] = start;
    }
    return off;
  }
  /// MPI_Alltoallv displacements (by rank) for peers sent or received in place.
  std::vector<int> block_displacements(const side_plan<N>& side, const std::vector<index_t>& off) const {
    std::vector<int> d(static_cast<std::size_t>(comm_.size()), 0);
    for (std::size_t k = 0; k < side.peers.size(); ++k)
      if (off[k] >= 0) d[static_cast<std::size_t>(side.peers[k].rank)] = static_cast<int>(off[k]);
    return d;
  }

  int others(const side_plan<N>& s) const {
    const int me = comm_.rank();
    return static_cast<int>(std::count_if(s.peers.begin(), s.peers.end(), [&](const auto& p) { return p.rank != me; }));
  }
  template <class T>
  static T* scratch(buffer<std::byte>& b, std::size_t n) {
    if (b.size() < n * sizeof(T)) b = buffer<std::byte>(n * sizeof(T));
    return reinterpret_cast<T*>(b.data());
  }

  static constexpr int tag = 0x6469;  // point-to-point messages of run()

  communicator comm_;
  side_plan<N> send_, recv_;
  bool point_to_point_ = false;
  std::size_t keep_bytes_ = static_cast<std::size_t>(-1);
  std::vector<index_t> send_off_, recv_off_;  // per peer: its place in the scratch buffer
  index_t send_total_ = 0, recv_total_ = 0;    // elements to and from other ranks
  std::vector<int> scounts_, rcounts_, sdispls_, rdispls_;  // by rank, for MPI_Alltoallv only
  mutable buffer<std::byte> send_scratch_, recv_scratch_, self_scratch_;
};

template <std::size_t N>
template <class T>
void exchange<N>::move(const T* src, const std::array<index_t, N>& sstr, T* dst, const std::array<index_t, N>& rstr) const {
  const communicator& c = comm_;
  const int me = c.rank();
  T* in = const_cast<T*>(src);  // only read: copy_peer packs from it
  // A peer whose elements lie in one contiguous stretch of the block is sent
  // from (received into) the block itself, as a hand-written code would;
  // the others are packed. Never in place (src == dst).
  const bool distinct = static_cast<const void*>(src) != static_cast<const void*>(dst);
  const auto soff = direct_offsets(send_, sstr, distinct);
  const auto roff = direct_offsets(recv_, rstr, distinct);
  const auto all_direct = [&](const std::vector<index_t>& off, const side_plan<N>& side) {
    for (std::size_t k = 0; k < off.size(); ++k)
      if (side.peers[k].rank != me && off[k] < 0) return false;
    return true;
  };
  const bool send_direct = all_direct(soff, send_), recv_direct = all_direct(roff, recv_);
  const std::size_t ns = send_direct ? 0 : static_cast<std::size_t>(send_total_);
  const std::size_t nr = recv_direct ? 0 : static_cast<std::size_t>(recv_total_);
  T* sbuf = scratch<T>(send_scratch_, ns);
  T* rbuf = scratch<T>(recv_scratch_, nr);
  std::vector<MPI_Request> reqs;
  std::vector<std::size_t> recv_of;
  if (point_to_point_) {  // post receives first
    for (std::size_t k = 0; k < recv_.peers.size(); ++k) {
      const auto& p = recv_.peers[k];
      if (p.rank == me) continue;
      reqs.emplace_back();
      recv_of.push_back(k);
      T* at = roff[k] >= 0 ? dst + roff[k] : rbuf + recv_off_[k];
      const big_count n(p.count, mpi_type<T>());
      check_mpi(MPI_Irecv(at, n.count(), n.type(), p.rank, tag, c, &reqs.back()), "MPI_Irecv");
    }
  }
  const std::size_t nrecv = reqs.size();
  const plan_peer<N>* self_send = nullptr;
  for (std::size_t k = 0; k < send_.peers.size(); ++k) {
    const auto& p = send_.peers[k];
    if (p.rank == me) {
      self_send = &p;
      continue;
    }
    const bool direct = soff[k] >= 0 && (point_to_point_ || send_direct);
    T* out = direct ? in + soff[k] : sbuf + send_off_[k];
    if (!direct) copy_peer(send_, p, sstr, in, out, true);
    if (point_to_point_) {
      reqs.emplace_back();
      const big_count n(p.count, mpi_type<T>());
      check_mpi(MPI_Isend(out, n.count(), n.type(), p.rank, tag, c, &reqs.back()), "MPI_Isend");
    }
  }
  // my own elements: copied straight across (staged when in place), never through MPI
  if (self_send) {
    const auto self_recv = std::find_if(recv_.peers.begin(), recv_.peers.end(), [&](const auto& p) { return p.rank == me; });
    if (distinct) {
      copy_self(send_, *self_send, sstr, src, recv_, *self_recv, rstr, dst);
    } else {  // in place (a permuted plan executed onto its source): staged
      T* tmp = scratch<T>(self_scratch_, static_cast<std::size_t>(self_send->count));
      copy_peer(send_, *self_send, sstr, in, tmp, true);
      copy_peer(recv_, *self_recv, rstr, dst, tmp, false);
    }
  }
  if (point_to_point_) {  // unpack each message as it arrives
    for (std::size_t k = 0; k < nrecv; ++k) {
      int idx = MPI_UNDEFINED;
      check_mpi(MPI_Waitany(static_cast<int>(nrecv), reqs.data(), &idx, MPI_STATUS_IGNORE), "MPI_Waitany");
      const std::size_t q = recv_of[static_cast<std::size_t>(idx)];
      const auto& p = recv_.peers[q];
      if (roff[q] < 0) copy_peer(recv_, p, rstr, dst, rbuf + recv_off_[q], false);
    }
    check_mpi(MPI_Waitall(static_cast<int>(reqs.size() - nrecv), reqs.data() + nrecv, MPI_STATUSES_IGNORE), "MPI_Waitall");
    return;
  }
  // MPI_Alltoallv from and into the blocks themselves where every peer allows it
  std::vector<int> sd, rd;
  if (send_direct) sd = block_displacements(send_, soff);
  if (recv_direct) rd = block_displacements(recv_, roff);
  check_mpi(MPI_Alltoallv(send_direct ? static_cast<const void*>(src) : sbuf, scounts_.data(),
                          send_direct ? sd.data() : sdispls_.data(), mpi_type<T>(), recv_direct ? static_cast<void*>(dst) : rbuf,
                          rcounts_.data(), recv_direct ? rd.data() : rdispls_.data(), mpi_type<T>(), c),
            "MPI_Alltoallv");
  if (!recv_direct)
    for (std::size_t k = 0; k < recv_.peers.size(); ++k)
      if (recv_.peers[k].rank != me) copy_peer(recv_, recv_.peers[k], rstr, dst, rbuf + recv_off_[k], false);
}

template <std::size_t N>
exchange<N>::exchange(const communicator& from, const communicator& to, side_plan<N> send, side_plan<N> recv, const char* op)
    : comm_(from), send_(std::move(send)), recv_(std::move(recv)) {
  const int P = from.size();
  int cmp = MPI_UNEQUAL;
  check_mpi(MPI_Comm_compare(from, to, &cmp), "MPI_Comm_compare");
  if (cmp == MPI_SIMILAR) {  // destination rank numbers -> source communicator's numbering
    MPI_Group gf, gt;
    MPI_Comm_group(from, &gf);
    MPI_Comm_group(to, &gt);
    std::vector<int> all(static_cast<std::size_t>(P)), d2s(static_cast<std::size_t>(P));
    std::iota(all.begin(), all.end(), 0);
    MPI_Group_translate_ranks(gt, P, all.data(), gf, d2s.data());
    MPI_Group_free(&gf);
    MPI_Group_free(&gt);
    for (auto& p : send_.peers) p.rank = d2s[static_cast<std::size_t>(p.rank)];
    std::sort(send_.peers.begin(), send_.peers.end(), [](const auto& a, const auto& b) { return a.rank < b.rank; });
  }
  // where each peer's elements sit in the scratch buffers (64-bit: counts
  // past MPI's int travel point-to-point with large-count datatypes)
  const int me = from.rank();
  const auto offsets = [&](const side_plan<N>& side, std::vector<index_t>& off) {
    index_t acc = 0;
    for (const auto& p : side.peers) {
      off.push_back(acc);
      if (p.rank != me) acc += p.count;
    }
    return acc;
  };
  send_total_ = offsets(send_, send_off_);
  recv_total_ = offsets(recv_, recv_off_);
  const bool big = send_total_ > INT_MAX || recv_total_ > INT_MAX;
  // every rank talks to few peers: point-to-point beats MPI_Alltoallv's O(P); agreed on all
  // ranks in the same allreduce that agrees on errors, with whether any rank's counts exceed int
  std::array<std::uint64_t, 2> extra{~static_cast<std::uint64_t>(std::max(send_peers(), recv_peers())),
                                     ~static_cast<std::uint64_t>(big)};
  agree_and_reduce(from, op, std::span<std::uint64_t>(extra), [] {});
  const bool any_big = ~extra[1] != 0;
  point_to_point_ = any_big || 2 * static_cast<int>(~extra[0]) < P;
  if (!point_to_point_) {  // MPI_Alltoallv's arrays, by rank (all fit int: no rank is big)
    scounts_.assign(static_cast<std::size_t>(P), 0);
    rcounts_.assign(static_cast<std::size_t>(P), 0);
    sdispls_.assign(static_cast<std::size_t>(P), 0);
    rdispls_.assign(static_cast<std::size_t>(P), 0);
    for (std::size_t k = 0; k < send_.peers.size(); ++k)
      if (const auto& p = send_.peers[k]; p.rank != me)
        scounts_[static_cast<std::size_t>(p.rank)] = static_cast<int>(p.count), sdispls_[static_cast<std::size_t>(p.rank)] = static_cast<int>(send_off_[k]);
    for (std::size_t k = 0; k < recv_.peers.size(); ++k)
      if (const auto& p = recv_.peers[k]; p.rank != me)
        rcounts_[static_cast<std::size_t>(p.rank)] = static_cast<int>(p.count), rdispls_[static_cast<std::size_t>(p.rank)] = static_cast<int>(recv_off_[k]);
  }
}

}  // namespace dist::detail
