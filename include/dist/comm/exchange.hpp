// The executor shared by every plan (redistribution, alignment, reduction):
// pack what each peer needs, move it with MPI_Alltoallv or point-to-point,
// unpack where it belongs. The plan itself (which runs go where) comes from
// plan.hpp; this header only moves bytes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "../array/buffer.hpp"
#include "../core/agree.hpp"
#include "../core/communicator.hpp"
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
  exchange(const communicator& from, const communicator& to, side_plan<N> send, side_plan<N> recv, const char* op)
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
    const int me = from.rank();
    scounts_.assign(static_cast<std::size_t>(P), 0);
    rcounts_.assign(static_cast<std::size_t>(P), 0);
    // every rank talks to few peers: point-to-point beats MPI_Alltoallv's O(P); agreed on all
    // ranks in the same allreduce that agrees on errors (counts MPI cannot express on some rank)
    std::uint64_t most_peers = ~static_cast<std::uint64_t>(std::max(send_peers(), recv_peers()));
    agree_and_reduce(from, op, std::span<std::uint64_t>(&most_peers, 1), [&] {
      for (const auto& p : send_.peers)
        if (p.rank != me) scounts_[static_cast<std::size_t>(p.rank)] = mpi_count(p.count, op);
      for (const auto& p : recv_.peers)
        if (p.rank != me) rcounts_[static_cast<std::size_t>(p.rank)] = mpi_count(p.count, op);
      sdispls_ = displacements(scounts_, op);
      rdispls_ = displacements(rcounts_, op);
    });
    point_to_point_ = 2 * static_cast<int>(~most_peers) < P;
  }

  int send_peers() const noexcept { return others(send_); }
  int recv_peers() const noexcept { return others(recv_); }
  bool uses_point_to_point() const noexcept { return point_to_point_; }
  index_t elements_sent() const noexcept { return std::accumulate(scounts_.begin(), scounts_.end(), index_t{0}); }
  index_t elements_received() const noexcept { return std::accumulate(rcounts_.begin(), rcounts_.end(), index_t{0}); }
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
  void move(const T* src, const std::array<index_t, N>& sstr, T* dst, const std::array<index_t, N>& rstr) const {
    const communicator& c = comm_;
    const int me = c.rank();
    T* in = const_cast<T*>(src);  // only read: copy_peer packs from it
    const std::size_t ns = static_cast<std::size_t>(sdispls_.back() + scounts_.back());
    const std::size_t nr = static_cast<std::size_t>(rdispls_.back() + rcounts_.back());
    T* sbuf = scratch<T>(send_scratch_, ns);
    T* rbuf = scratch<T>(recv_scratch_, nr);
    std::vector<MPI_Request> reqs;
    std::vector<const plan_peer<N>*> recv_of;
    if (point_to_point_) {  // post receives first
      for (const auto& p : recv_.peers)
        if (p.rank != me) {
          reqs.emplace_back();
          recv_of.push_back(&p);
          const auto r = static_cast<std::size_t>(p.rank);
          check_mpi(MPI_Irecv(rbuf + rdispls_[r], rcounts_[r], mpi_type<T>(), p.rank, tag, c, &reqs.back()), "MPI_Irecv");
        }
    }
    const std::size_t nrecv = reqs.size();
    const plan_peer<N>* self_send = nullptr;
    for (const auto& p : send_.peers) {
      if (p.rank == me) {
        self_send = &p;
        continue;
      }
      const auto r = static_cast<std::size_t>(p.rank);
      T* out = sbuf + sdispls_[r];
      copy_peer(send_, p, sstr, in, out, true);
      if (point_to_point_) {
        reqs.emplace_back();
        check_mpi(MPI_Isend(out, scounts_[r], mpi_type<T>(), p.rank, tag, c, &reqs.back()), "MPI_Isend");
      }
    }
    // my own elements: copied straight across (staged when in place), never through MPI
    if (self_send) {
      const auto self_recv = std::find_if(recv_.peers.begin(), recv_.peers.end(), [&](const auto& p) { return p.rank == me; });
      if (static_cast<const void*>(src) != static_cast<const void*>(dst)) {
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
        const auto& p = *recv_of[static_cast<std::size_t>(idx)];
        copy_peer(recv_, p, rstr, dst, rbuf + rdispls_[static_cast<std::size_t>(p.rank)], false);
      }
      check_mpi(MPI_Waitall(static_cast<int>(reqs.size() - nrecv), reqs.data() + nrecv, MPI_STATUSES_IGNORE), "MPI_Waitall");
      return;
    }
    check_mpi(MPI_Alltoallv(sbuf, scounts_.data(), sdispls_.data(), mpi_type<T>(), rbuf, rcounts_.data(), rdispls_.data(),
                            mpi_type<T>(), c),
              "MPI_Alltoallv");
    for (const auto& p : recv_.peers)
      if (p.rank != me) copy_peer(recv_, p, rstr, dst, rbuf + rdispls_[static_cast<std::size_t>(p.rank)], false);
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
  std::vector<int> scounts_, rcounts_, sdispls_, rdispls_;
  mutable buffer<std::byte> send_scratch_, recv_scratch_, self_scratch_;
};

}  // namespace dist::detail
