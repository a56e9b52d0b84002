// The two exchanges of the data-dependent operations (masks, fancy
// indexing, sorting), where which elements move follows from the values:
//
// - Placement by scan. Each rank holds a contiguous stretch of a 1-D
//   stream (the elements a mask selected, a sorted chunk) whose length only
//   it knows. A scan of the lengths places every stretch after those of
//   smaller keys (ranks in key order: the usual case; otherwise one
//   MPI_Allgather); the stretches then move to any structured
//   layout's C-order flat positions (or back) by a plan built like a flat
//   plan (flat.hpp): my stretch split in closed form at the layout's
//   ownership boundaries, my part of the layout split at the stretch
//   boundaries, found by a sparse notification (notify.hpp): each rank
//   tells the ranks its stretch goes to where it lies. One exchange, each
//   element moved once.
// - Routes. Requests addressed to owner ranks (an index into an array, a
//   value to look up): each rank tells the owners it asks how many
//   requests come (a sparse notification), then requests out and
//   replies back through the common executor (exchange.hpp), each in one
//   MPI_Alltoallv or point-to-point messages, counts past int included.
//
// Cost per rank: messages O(peers + log P); memory O(my elements + peers)
// (routes count requests per rank only when there are at least P/8 of
// them); every stretch is gathered only when keys are out of rank order or
// the result is replicated.
// Users' reference: docs/api.md (Selection, sorting and counting).
#pragma once

#include <algorithm>
#include <limits>
#include <numeric>
#include <span>
#include <utility>
#include <vector>

#include "../core/linkage.hpp"
#include "../array/array.hpp"
#include "../array/buffer.hpp"
#include "exchange.hpp"
#include "flat.hpp"
#include "notify.hpp"
#include "redistribution.hpp"

namespace dist::detail {

/// One rank's stretch of a 1-D stream: positions [start, start + count).
struct stretch {
  index_t start = 0, count = 0;
  int rank = 0;
};

/// This rank's stretch of a 1-D stream of `total` positions. `known` holds
/// every non-empty stretch, by start, only when place_by_scan had to gather
/// them (keys not in rank order); otherwise the exchanges find the few
/// stretches they meet themselves (notify.hpp).
struct stretches {
  index_t total = 0;
  int rank = 0;
  stretch mine;
  std::vector<stretch> known;

  index_t my_start() const noexcept { return mine.start; }
  index_t my_count() const noexcept { return mine.count; }
  bool holds(index_t s) const noexcept { return s >= mine.start && s < mine.start + mine.count; }
};

/// The stretch in `list` (non-empty stretches by start) holding position
/// s, which some stretch there holds. Local.
inline const stretch& stretch_at(const std::vector<stretch>& list, index_t s) {
  const auto it = std::upper_bound(list.begin(), list.end(), s, [](index_t v, const stretch& x) { return v < x.start; });
  return *(it - 1);
}

/// Every rank's stretch, gathered: one MPI_Allgather (O(P): for the cases
/// that need every stretch, a replicated result or keys out of rank order).
/// `key` orders the stretches (equal keys: lower rank first). Collective.
DIST_INLINE std::vector<stretch> gather_stretches(const communicator& c, index_t key, index_t count, index_t& total);

/// Places this rank's `count` elements after those of every rank with a
/// smaller `key` (equal keys: lower rank first). When the keys of non-empty
/// stretches rise with the rank (every caller's usual case: blocks in
/// stream order, ranks of a sort), two MPI_Exscan and one MPI_Allreduce:
/// O(log P), nothing per rank; otherwise every stretch is gathered.
/// Collective (callers agree on errors first).
DIST_INLINE stretches place_by_scan(const communicator& c, index_t key, index_t count);

/// `st` with every position widened to `k` consecutive ones (argwhere's rows). Local.
DIST_INLINE stretches widen(stretches st, index_t k);

DIST_INLINE void add_peers(side_plan<1>& side);

/// My stretch `my` (elements 0.. of a buffer) split by the ranks owning its
/// positions in `dst` (C-order flat positions of a layout): the send side
/// of a stream exchange, and the ranks it sends to. O(pieces). Local.
template <std::size_t N>
void stream_send_side(const flat_side<N>& dst, const stretch& my, side_plan<1>& send, std::vector<int>& targets) {
  index_t l = 0;
  owner_pieces(dst, my.start, my.count, [&](int r, index_t k) {
    if (send.dims[0].at(r).empty()) targets.push_back(r);
    append_run(send.dims[0][r], l, k);
    l += k;
  });
}

/// My positions in `dst` split by the stretches holding them (`near`: at
/// least those meeting my positions, non-empty, by start): the receive
/// side of a stream exchange. O(my runs + pieces). Local.
template <std::size_t N>
void stream_recv_side(const flat_side<N>& dst, const std::vector<stretch>& near, side_plan<1>& recv) {
  my_stream_runs(dst, [&](index_t s, index_t loc, index_t step, index_t n) {
    while (n > 0) {
      const stretch& x = stretch_at(near, s);
      const index_t k = std::min(n, x.start + x.count - s);
      append_strided(recv.dims[0][x.rank], loc, step, k);
      s += k;
      loc += k * step;
      n -= k;
    }
  });
}

/// The stretches meeting my positions of a stream exchange: each rank tells
/// the ranks its stretch goes to (`targets`) where it lies. O(peers + log P).
/// Collective.
DIST_INLINE std::vector<stretch> stretches_meeting(const communicator& c, const stretches& st, const std::vector<int>& targets);

/// The exchange moving the stretches `st` (each rank's elements contiguous
/// in a buffer, in stream order) to the C-order flat positions of an array
/// on `to` (contiguous block; no unstructured dim), or, `reverse`, from
/// those positions into the stretches. Collective over to's communicator
/// (the exchange's agreement; a sparse notification when the stretches are
/// not all known).
template <std::size_t N>
exchange<1> stream_exchange(const stretches& st, const distribution<N>& to, bool reverse, const char* op) {
  const communicator& c = to.comm();
  const int me = c.rank();
  side_plan<1> mine, theirs;  // runs in my stretch's buffer; runs in my block of `to`
  const index_t s0 = st.my_start(), n0 = st.my_count();
  if (to.replicated() && reverse) {  // everyone holds everything: my stretch from my own block
    if (n0 > 0) append_run(mine.dims[0][me], 0, n0);
    if (n0 > 0) append_run(theirs.dims[0][me], s0, n0);
  } else if (to.replicated()) {  // every rank receives every stretch: O(P) by nature
    for (int r = 0; r < c.size(); ++r)
      if (n0 > 0) append_run(mine.dims[0][r], 0, n0);
    index_t total = 0;  // (not known: the keys rise with the rank, so the rank is a key)
    for (const auto& x : st.known.empty() ? gather_stretches(c, me, n0, total) : st.known) append_run(theirs.dims[0][x.rank], x.start, x.count);
  } else {
    const flat_side<N> dst{side_input(to), to.shape(), flat_walk::whole(to.size())};
    std::vector<int> targets;
    stream_send_side(dst, st.mine, mine, targets);
    stream_recv_side(dst, st.known.empty() ? stretches_meeting(c, st, targets) : st.known, theirs);
  }
  add_peers(mine);
  add_peers(theirs);
  return reverse ? exchange<1>(c, c, std::move(theirs), std::move(mine), op)
                 : exchange<1>(c, c, std::move(mine), std::move(theirs), op);
}

/// Writes the stretches `st` (this rank's elements at `src`) into `out` by
/// C-order flat position; `out`'s shape has st.total elements. Layouts with
/// unstructured dims go through the default block layout. Collective.
template <class T, std::size_t N>
void place(const stretches& st, const T* src, array<T, N>& out, const char* op) {
  if (has_unstructured(out.distribution())) {
    array<T, N> tmp(distribution<N>(out.shape(), out.comm()), uninitialized);
    place(st, src, tmp, op);
    out = tmp;  // redistributes
    return;
  }
  const auto x = stream_exchange(st, out.distribution(), false, op);
  buffer<T> spare;
  if (out.local().contiguous()) return x.run(src, {1}, out.local_data().data(), {1});
  spare = buffer<T>(static_cast<std::size_t>(out.local_size()));
  x.run(src, {1}, spare.data(), {1});
  copy_strided(spare.data(), row_major_strides(out.local_shape()), out.local().data(), out.local().strides(), out.local_shape());
}

/// Reads the stretches `st` (this rank's into `dst`) from `in` by C-order
/// flat position. Collective.
template <class T, std::size_t N>
void fetch_stretches(const stretches& st, const array<T, N>& in, T* dst, const char* op) {
  if (has_unstructured(in.distribution()))
    return fetch_stretches(st, redistribute(in, distribution<N>(in.shape(), in.comm())), dst, op);
  const auto x = stream_exchange(st, in.distribution(), true, op);
  buffer<T> packed;
  x.run(packed_block(in, packed).data(), {1}, dst, {1});
}

// ---- routes ----

/// Counts by rank, for the ranks with a non-zero count only, by increasing
/// rank: (rank, count).
using rank_counts = std::vector<std::pair<int, index_t>>;

/// Tells each rank in `sends` how many elements come from me (a sparse
/// notification: O(peers + log P) messages where an MPI_Alltoall of counts
/// would be O(P)) and returns what the ranks sending to me announced, by
/// increasing rank. Collective.
DIST_INLINE rank_counts announce_counts(const communicator& c, const rank_counts& sends);

/// The exchange of contiguous pieces: `sends` (rank, count) elements to
/// each rank from a buffer holding them in rank order, `recvs` received
/// likewise in rank order (announce_counts gives them); `reverse`: the
/// same pieces travelling back. O(peers) time and memory. Collective.
DIST_INLINE exchange<1> counts_exchange(const communicator& c, const rank_counts& sends, const rank_counts& recvs, bool reverse,
                                   const char* op);

/// Groups requests by owner rank: request i (owner[i], in 0..P-1) gets its
/// place slot[i] in a buffer holding rank 0's requests first, each rank's in
/// request order; returns how many go to each rank. By counting (O(n + P))
/// when `by_counting`, else by a stable sort (O(n log n), no O(P) memory).
/// Local (pure).
DIST_INLINE rank_counts group_requests(std::span<const int> owner, int P, bool by_counting, index_t* slot);

/// Requests addressed to owner ranks, grouped by owner: request i goes to
/// rank owner[i]. Built with one sparse notification of counts and the
/// agreements of two exchanges (out and back); O(requests + peers) memory,
/// never O(P) (group_requests counts only when there are at least P/8
/// requests). Collective.
class routes {
 public:
  DIST_INLINE routes(const communicator& c, std::span<const int> owner, const char* op);

  /// Requests sent (this rank's) and received (addressed to this rank).
  index_t sent() const noexcept { return static_cast<index_t>(n_); }
  index_t received() const noexcept { return received_; }

  /// Ships request i's `per_request[i]` to its owner; the owner finds what
  /// it received in `per_received` by source rank, each source's in request
  /// order. Collective.
  template <class T>
  void forward(const T* per_request, T* per_received) const {
    buffer<T> packed(n_);
    for (std::size_t i = 0; i < n_; ++i) packed.data()[slot_.data()[i]] = per_request[i];
    out_.run(packed.data(), {1}, per_received, {1});
  }
  /// The replies: `per_received[k]` answers the k-th request received;
  /// request i's answer lands in `per_request[i]`. Collective.
  template <class T>
  void backward(const T* per_received, T* per_request) const {
    buffer<T> packed(n_);
    back_.run(per_received, {1}, packed.data(), {1});
    for (std::size_t i = 0; i < n_; ++i) per_request[i] = packed.data()[slot_.data()[i]];
  }

 private:
  std::size_t n_;
  index_t received_ = 0;
  buffer<index_t> slot_;  // request i's place in the packed buffer
  exchange<1> out_, back_;
};

}  // namespace dist::detail

#if DIST_INLINE_DEFINITIONS
#include "stream-inl.hpp"
#endif
