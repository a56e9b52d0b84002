// The two exchanges of the data-dependent operations (masks, fancy
// indexing, sorting), where which elements move follows from the values:
//
// - Placement by scan. Each rank holds a contiguous stretch of a 1-D
//   stream (the elements a mask selected, a sorted chunk) whose length only
//   it knows. One MPI_Allgather of (order key, length) places every stretch
//   after those of smaller keys; the stretches then move to any structured
//   layout's C-order flat positions (or back) by a plan built like a flat
//   plan (flat.hpp): my stretch split in closed form at the layout's
//   ownership boundaries, my part of the layout split at the stretch
//   boundaries. One exchange, each element moved once.
// - Routes. Requests addressed to owner ranks (an index into an array, a
//   value to look up): one MPI_Alltoall of counts, then requests out and
//   replies back through the common executor (exchange.hpp), each in one
//   MPI_Alltoallv or point-to-point messages, counts past int included.
//
// Cost per rank: O(P) for the allgathered stretches and the counts (16
// bytes per rank), O(my elements + peers) otherwise.
// Users' reference: docs/api.md (Selection, sorting and counting).
#pragma once

#include <algorithm>
#include <numeric>
#include <span>
#include <vector>

#include "../array/array.hpp"
#include "../array/buffer.hpp"
#include "exchange.hpp"
#include "flat.hpp"
#include "redistribution.hpp"

namespace dist::detail {

/// Every rank's stretch [start[r], start[r] + count[r]) of a 1-D stream of
/// `total` positions, and the ranks with a non-empty stretch in stream order.
struct stretches {
  std::vector<index_t> start, count;
  std::vector<int> order;  // non-empty ranks by increasing start
  index_t total = 0;
  int rank = 0;

  index_t my_start() const { return start[static_cast<std::size_t>(rank)]; }
  index_t my_count() const { return count[static_cast<std::size_t>(rank)]; }
  /// Rank of the non-empty stretch holding position s (0 <= s < total).
  int owner(index_t s) const {
    auto it = std::upper_bound(order.begin(), order.end(), s,
                               [&](index_t v, int r) { return v < start[static_cast<std::size_t>(r)]; });
    return *(it - 1);
  }
};

/// Places this rank's `count` elements after those of every rank with a
/// smaller `key` (equal keys: lower rank first). One MPI_Allgather over `c`.
/// Collective (callers agree on errors first).
inline stretches place_by_scan(const communicator& c, index_t key, index_t count) {
  const int P = c.size();
  std::vector<index_t> all(2 * static_cast<std::size_t>(P));
  const index_t mine[2] = {key, count};
  check_mpi(MPI_Allgather(mine, 2, MPI_INT64_T, all.data(), 2, MPI_INT64_T, c), "MPI_Allgather");
  stretches st;
  st.rank = c.rank();
  st.start.assign(static_cast<std::size_t>(P), 0);
  st.count.assign(static_cast<std::size_t>(P), 0);
  std::vector<int> by_key(static_cast<std::size_t>(P));
  std::iota(by_key.begin(), by_key.end(), 0);
  std::stable_sort(by_key.begin(), by_key.end(), [&](int a, int b) { return all[2 * static_cast<std::size_t>(a)] < all[2 * static_cast<std::size_t>(b)]; });
  for (int r : by_key) {
    const auto u = static_cast<std::size_t>(r);
    st.start[u] = st.total;
    st.count[u] = all[2 * u + 1];
    st.total += st.count[u];
    if (st.count[u] > 0) st.order.push_back(r);
  }
  return st;
}

/// `st` with every position widened to `k` consecutive ones (argwhere's rows). Local.
inline stretches widen(stretches st, index_t k) {
  for (auto& v : st.start) v *= k;
  for (auto& v : st.count) v *= k;
  st.total *= k;
  return st;
}

inline void add_peers(side_plan<1>& side) {
  for (const auto& [r, rl] : side.dims[0]) {
    const index_t c = positions(rl);
    if (c > 0) side.peers.push_back({r, c, {r}});
    side.total += c;
  }
}

/// The exchange moving the stretches `st` (each rank's elements contiguous
/// in a buffer, in stream order) to the C-order flat positions of an array
/// on `to` (contiguous block; no unstructured dim), or, `reverse`, from
/// those positions into the stretches. Collective over to's communicator
/// (the exchange's agreement).
template <std::size_t N>
exchange<1> stream_exchange(const stretches& st, const distribution<N>& to, bool reverse, const char* op) {
  const communicator& c = to.comm();
  const auto P = static_cast<std::size_t>(c.size());
  const int me = c.rank();
  side_plan<1> mine, theirs;  // runs in my stretch's buffer; runs in my block of `to`
  const index_t s0 = st.my_start(), n0 = st.my_count();
  if (to.replicated() && reverse) {  // everyone holds everything: my stretch from my own block
    if (n0 > 0) append_run(mine.dims[0][me], 0, n0);
    if (n0 > 0) append_run(theirs.dims[0][me], s0, n0);
  } else if (to.replicated()) {  // every rank receives every stretch
    for (std::size_t r = 0; r < P; ++r)
      if (n0 > 0) append_run(mine.dims[0][static_cast<int>(r)], 0, n0);
    for (int r : st.order) append_run(theirs.dims[0][r], st.start[static_cast<std::size_t>(r)], st.count[static_cast<std::size_t>(r)]);
  } else {
    const flat_side<N> dst{side_input(to), to.shape(), flat_walk::whole(to.size())};
    index_t l = 0;
    owner_pieces(dst, s0, n0, [&](int r, index_t k) {
      append_run(mine.dims[0][r], l, k);
      l += k;
    });
    my_stream_runs(dst, [&](index_t s, index_t loc, index_t step, index_t n) {
      while (n > 0) {
        const int r = st.owner(s);
        const auto u = static_cast<std::size_t>(r);
        const index_t k = std::min(n, st.start[u] + st.count[u] - s);
        append_strided(theirs.dims[0][r], loc, step, k);
        s += k;
        loc += k * step;
        n -= k;
      }
    });
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

/// The exchange of contiguous pieces: scount[r] elements to rank r from a
/// buffer holding them in rank order, received likewise in rank order
/// (rcount[r] from rank r, filled here by one MPI_Alltoall unless given);
/// `reverse`: the same pieces travelling back. Collective.
inline exchange<1> counts_exchange(const communicator& c, const std::vector<index_t>& scount, std::vector<index_t>& rcount,
                                   bool reverse, const char* op) {
  const auto P = static_cast<std::size_t>(c.size());
  if (rcount.size() != P) {
    rcount.assign(P, 0);
    check_mpi(MPI_Alltoall(scount.data(), 1, MPI_INT64_T, rcount.data(), 1, MPI_INT64_T, c), "MPI_Alltoall");
  }
  side_plan<1> send, recv;
  index_t so = 0, ro = 0;
  for (std::size_t r = 0; r < P; ++r) {
    if (scount[r] > 0) append_run(send.dims[0][static_cast<int>(r)], so, scount[r]);
    if (rcount[r] > 0) append_run(recv.dims[0][static_cast<int>(r)], ro, rcount[r]);
    so += scount[r];
    ro += rcount[r];
  }
  add_peers(send);
  add_peers(recv);
  return reverse ? exchange<1>(c, c, std::move(recv), std::move(send), op) : exchange<1>(c, c, std::move(send), std::move(recv), op);
}


/// Requests addressed to owner ranks, grouped by owner: request i goes to
/// rank owner[i]. Built with one MPI_Alltoall of counts and the agreements
/// of two exchanges (out and back). Collective.
class routes {
 public:
  /// `count`, when given, holds how many requests go to each rank (saves a pass).
  routes(const communicator& c, std::span<const int> owner, const char* op, std::vector<index_t> count = {}) : n_(owner.size()) {
    const auto P = static_cast<std::size_t>(c.size());
    std::vector<index_t> scount(std::move(count)), soff(P, 0);
    if (scount.size() != P) {
      scount.assign(P, 0);
      for (int r : owner) ++scount[static_cast<std::size_t>(r)];
    }
    std::exclusive_scan(scount.begin(), scount.end(), soff.begin(), index_t{0});
    slot_ = buffer<index_t>(owner.size());
    for (std::size_t i = 0; i < owner.size(); ++i) slot_.data()[i] = soff[static_cast<std::size_t>(owner[i])]++;
    std::vector<index_t> rcount;
    out_ = counts_exchange(c, scount, rcount, false, op);
    back_ = counts_exchange(c, scount, rcount, true, op);
    received_ = std::accumulate(rcount.begin(), rcount.end(), index_t{0});
  }

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
