// The pure redistribution planner: which of my elements go to which peer,
// and where received elements land, as run groups per dimension. No MPI, so
// a test can plan for one simulated rank of any P.
//
// Method: along each dimension, my indices (as runs of contiguous global
// indices) are split at the other side's run boundaries (block ends,
// block-cyclic block ends); the pieces, in increasing global order, are
// compressed into strided run groups. A peer's block is the cartesian product
// of one piece list per dimension. Sender and receiver enumerate that product
// in the same (global, row-major over source dims) order, so packing and
// unpacking agree without exchanging indices. Cost: O(runs + peers) per rank.
#pragma once

#include <algorithm>
#include <utility>
#include <array>
#include <limits>
#include <numeric>
#include <vector>

#include "../core/linkage.hpp"
#include "../distribution/dim_map.hpp"
#include "../distribution/grid.hpp"

namespace dist::detail {

/// Local positions start + i*stride + [0, len), for i < count.
struct run_group {
  index_t start, len, stride, count;
  friend bool operator==(const run_group&, const run_group&) = default;
};
using run_list = std::vector<run_group>;

/// Appends positions [start, start+len) to `rl`, merging with the last group
/// when they continue it (a longer run, or one more stride).
DIST_INLINE void append_run(run_list& rl, index_t start, index_t len);

/// Number of positions in `rl`.
DIST_INLINE index_t positions(const run_list& rl) noexcept;

/// Run lists by the other side's coordinate along one dim: only the
/// coordinates given runs are held, in increasing order, so a rank with few
/// peers holds few lists however large the grid (no O(P) vector). Local.
class coord_lists {
 public:
  using entry = std::pair<int, run_list>;
  /// The list of coordinate c, added empty when absent: O(1) for a
  /// coordinate past every held one, else O(log held) (plus the insertion).
  DIST_INLINE run_list& operator[](int c);
  /// The list of coordinate c (empty when none). O(log held).
  DIST_INLINE const run_list& at(int c) const;
  std::vector<entry>::const_iterator begin() const noexcept { return items_.begin(); }
  std::vector<entry>::const_iterator end() const noexcept { return items_.end(); }
  /// Coordinates held.
  std::size_t size() const noexcept { return items_.size(); }
  /// Builds the lists from pieces given in any coordinate order: each
  /// coordinate's pieces keep their order (merged as append_run merges;
  /// strided groups kept whole). O(pieces log pieces).
  DIST_INLINE static coord_lists from_pieces(std::vector<std::pair<int, run_group>>& pieces);

 private:
  std::vector<entry> items_;
};

/// My global indices along a structured dim as strided run groups of
/// global positions, in closed form: O(1) groups for every kind (a cyclic
/// dim is one strided group), never one per element. Unstructured dims:
/// their runs. Local.
DIST_INLINE run_list dim_groups(const dim_map& m);

// Splits my run [g0, g0+len) at local l0 by a (block-)cyclic `other`: the
// partial blocks at either end as single runs, the full blocks between as one
// strided group per coordinate. O(q) however long the run.
// `put(c, group)` receives the pieces.
template <class Put>
void split_run_cyclic(Put&& put, index_t g0, index_t l0, index_t len, const dim_map& other) {
  const index_t nb = other.block_size(), q = other.procs(), g1 = g0 + len;
  const auto coord = [&](index_t b) { return static_cast<int>(b % q); };
  index_t bf = g0 / nb, be = g1 / nb;  // full blocks [bf, be)
  if (g0 % nb) {
    const index_t e = std::min(g1, (bf + 1) * nb);
    put(coord(bf), run_group{l0, e - g0, e - g0, 1});
    ++bf;
  }
  if (bf < be) {
    for (index_t c = 0; c < q; ++c) {
      const index_t b = bf + ((c - bf) % q + q) % q;
      if (b >= be) continue;
      const index_t count = (be - 1 - b) / q + 1;
      const index_t start = l0 + b * nb - g0;
      put(static_cast<int>(c), count == 1 ? run_group{start, nb, nb, 1} : run_group{start, nb, q * nb, count});
    }
  }
  if (g1 % nb && be >= bf) put(coord(be), run_group{l0 + be * nb - g0, g1 - be * nb, g1 - be * nb, 1});
}

// Splits my run [g0, g0+len) at local l0 where `other`'s runs end: one
// single run per piece, to `put(c, group)`. O(pieces).
template <class Put>
void split_at_owners(Put&& put, index_t g0, index_t l0, index_t len, const dim_map& other) {
  const index_t end = g0 + len;
  for (index_t g = g0; g < end;) {
    const index_t e = std::min(end, other.run_end(g));
    put(other.owner(g), run_group{l0 + (g - g0), e - g, e - g, 1});
    g = e;
  }
}

/// Splits my blocks of a regular (block-)cyclic dim by a regular
/// (block-)cyclic `other` in closed form when the pattern repeats: my j-th
/// block is global block c + j*p (blocks of nb), and after J = lcm(p*nb,
/// q*nb') / (p*nb) of them the owners on the other side repeat, one period
/// (J*nb local positions) further on. When each coordinate's share of one
/// period is one run, or one strided group the next period continues, all
/// full periods are one group per coordinate and only the blocks after
/// them are walked: O(J * pieces per block), never O(elements) (cyclic ->
/// block_cyclic{64} over the same ranks: J = 64 whatever the extent).
/// Appends to `pieces` and returns true; false (nothing appended) when the
/// pattern does not fold so, or when fewer than two periods are held.
DIST_INLINE bool split_periodic(const dim_map& mine, const dim_map& other, std::vector<std::pair<int, run_group>>& pieces);

/// Splits my indices along one dimension by the coordinate owning them on
/// the other side: result[c] holds my local positions of the indices that
/// coordinate c of `other` owns, in increasing global order. `other_coord`,
/// when given, is the other side's coordinate of each of my local positions
/// (needed when `other` is unstructured). Structured pairs cost O(p) per
/// run group, not O(indices); block targets only visit the coordinates my
/// indices reach; two regular (block-)cyclic dims fold their common period
/// (split_periodic); the result holds only coordinates with runs.
DIST_INLINE coord_lists split_dim(const dim_map& mine, const dim_map& other, const std::vector<int>* other_coord);

/// One peer of one side: its rank and, per stream dim, the coordinate whose
/// run list applies.
template <std::size_t N>
struct plan_peer {
  int rank;
  index_t count;
  std::array<int, N> coord;
};

/// One side (send or receive) of a plan. Stream dim k is source dim k.
template <std::size_t N>
struct side_plan {
  std::array<coord_lists, N> dims;  // [stream dim]: run lists by other coordinate
  std::vector<plan_peer<N>> peers;            // sorted by rank
  index_t total = 0;
};

/// Everything the planner needs about one side, for one (maybe simulated) rank.
template <std::size_t N>
struct plan_side_input {
  std::array<dim_map, N> maps;   // this rank's maps (its coordinates)
  std::array<int, N> grid{};     // grid extents
  bool replicated = false;
  int rank = 0;                  // this rank's number in this side's numbering
  int nprocs = 1;
};

/// Destination ranks of a broadcast operand (alignment plans). The
/// destination grid has its own dims: stream dim k lies along destination
/// grid dim dim_of[k] (-1: an extent-1 operand dim, whose one index every
/// destination coordinate needs). A destination dim no stream dim lies along
/// fans out over `spread[d]`: its coordinates whose block is not empty.
struct fan_out {
  std::vector<int> grid;
  std::vector<int> dim_of;
  std::vector<std::vector<int>> spread;

  /// Appends the destination ranks that need the piece at stream coordinates `sc`.
  template <std::size_t N>
  void ranks(const std::array<int, N>& sc, std::vector<int>& out) const {
    const std::size_t D = grid.size();
    std::vector<int> c(D, 0), free_dims;
    std::vector<char> fixed(D, 0);
    for (std::size_t k = 0; k < N; ++k)
      if (dim_of[k] >= 0) {
        c[static_cast<std::size_t>(dim_of[k])] = sc[k];
        fixed[static_cast<std::size_t>(dim_of[k])] = 1;
      }
    for (std::size_t d = 0; d < D; ++d)
      if (!fixed[d]) {
        if (spread[d].empty()) return;
        free_dims.push_back(static_cast<int>(d));
      }
    std::vector<std::size_t> o(free_dims.size(), 0);
    for (;;) {
      for (std::size_t f = 0; f < free_dims.size(); ++f) {
        const auto d = static_cast<std::size_t>(free_dims[f]);
        c[d] = spread[d][o[f]];
      }
      int r = 0;
      for (std::size_t d = 0; d < D; ++d) r = r * grid[d] + c[d];
      out.push_back(r);
      if (!next_index(o, [&](std::size_t f) { return spread[static_cast<std::size_t>(free_dims[f])].size(); })) return;
    }
  }
};

/// Plans a redistribution from `src` to `dst` for one rank. Destination dim
/// i holds source dim perm[i]. `send_coord[k]` / `recv_coord[k]`: the other
/// side's coordinates of my positions along stream dim k when that side is
/// unstructured there (else empty). Peer ranks: destination ranks in dst's
/// numbering on the send side, source ranks in src's numbering on the receive side.
/// With `fan` (alignment plans of broadcast operands; identity perm), a piece
/// goes to every destination rank `fan` names instead of one.
template <std::size_t N>
std::pair<side_plan<N>, side_plan<N>> build_plan(const plan_side_input<N>& src, const plan_side_input<N>& dst,
                                                 const std::array<std::size_t, N>& perm,
                                                 const std::array<std::vector<int>, N>& send_coord,
                                                 const std::array<std::vector<int>, N>& recv_coord,
                                                 const fan_out* fan = nullptr) {
  std::array<std::size_t, N> inv{};
  for (std::size_t i = 0; i < N; ++i) inv[perm[i]] = i;
  side_plan<N> send, recv;
  for (std::size_t k = 0; k < N; ++k) {
    const dim_map& s = src.maps[k];
    const dim_map& d = dst.maps[inv[k]];
    send.dims[k] = split_dim(s, d, d.kind() == dim_kind::unstructured ? &send_coord[k] : nullptr);
    recv.dims[k] = split_dim(d, s, s.kind() == dim_kind::unstructured ? &recv_coord[k] : nullptr);
  }
  // Peers: the product of the non-empty coordinates of every stream dim.
  auto enumerate = [&](side_plan<N>& side, auto&& rank_of) {
    std::array<std::vector<int>, N> nz;
    for (std::size_t k = 0; k < N; ++k)
      for (const auto& [c, rl] : side.dims[k])
        if (positions(rl) > 0) nz[k].push_back(c);
    for (std::size_t k = 0; k < N; ++k)
      if (nz[k].empty()) return;
    std::array<std::size_t, N> o{};
    for (;;) {
      std::array<int, N> coord;
      index_t count = 1;
      for (std::size_t k = 0; k < N; ++k) {
        coord[k] = nz[k][o[k]];
        count *= positions(side.dims[k].at(coord[k]));
      }
      rank_of(coord, count);
      if (!next_index(o, [&](std::size_t k) { return nz[k].size(); })) return;
    }
  };
  enumerate(send, [&](const std::array<int, N>& coord, index_t count) {
    std::array<int, N> dc;  // the destination coordinates, in destination dim order
    for (std::size_t k = 0; k < N; ++k) dc[inv[k]] = coord[k];
    if (fan) {
      std::vector<int> to;
      fan->ranks(dc, to);
      for (int r : to)
        if (!src.replicated || r == dst.rank) send.peers.push_back({r, count, coord});
    } else if (src.replicated) {  // every rank holds the source: send only to myself
      bool mine = true;
      for (std::size_t i = 0; i < N; ++i) mine = mine && dc[i] == dst.maps[i].coord();
      if (mine) send.peers.push_back({dst.rank, count, coord});
    } else if (dst.replicated) {  // every rank needs everything
      for (int r = 0; r < dst.nprocs; ++r) send.peers.push_back({r, count, coord});
    } else {
      send.peers.push_back({row_major_rank(dst.grid, dc), count, coord});
    }
  });
  enumerate(recv, [&](const std::array<int, N>& coord, index_t count) {
    recv.peers.push_back({src.replicated ? src.rank : row_major_rank(src.grid, coord), count, coord});
  });
  for (side_plan<N>* side : {&send, &recv}) {
    std::sort(side->peers.begin(), side->peers.end(), [](const auto& a, const auto& b) { return a.rank < b.rank; });
    for (const auto& p : side->peers) side->total += p.count;
  }
  return {std::move(send), std::move(recv)};
}

/// Walks the elements of one peer's block in stream order, calling
/// `group(offset, g, ms)` for each inner run group `g`: its elements sit at
/// local memory offsets offset + (i*g.stride + j)*ms for i < g.count, j < g.len.
/// `mstrides[k]` is the memory stride of stream dim k in this side's block.
template <std::size_t N, class Group>
void for_each_group(const side_plan<N>& side, const plan_peer<N>& p, const std::array<index_t, N>& mstrides,
                    Group&& group) {
  // expand the outer dims' run groups to position lists (small: one per index)
  std::array<std::vector<index_t>, N> pos;
  for (std::size_t k = 0; k + 1 < N; ++k)
    for (const auto& g : side.dims[k].at(p.coord[k]))
      for (index_t i = 0; i < g.count; ++i)
        for (index_t j = 0; j < g.len; ++j) pos[k].push_back(g.start + i * g.stride + j);
  const run_list& inner = side.dims[N - 1].at(p.coord[N - 1]);
  const index_t ms = mstrides[N - 1];
  shape<N> rows{};
  for (std::size_t k = 0; k < N; ++k) rows[k] = k + 1 < N ? static_cast<index_t>(pos[k].size()) : 1;
  index<N> o{};
  do {
    index_t base = 0;
    for (std::size_t k = 0; k + 1 < N; ++k) base += pos[k][static_cast<std::size_t>(o[k])] * mstrides[k];
    for (const auto& g : inner) group(base + g.start * ms, g, ms);
  } while (next_row(o, rows));
}

/// Copies one peer's elements between a local block and a contiguous stream:
/// block -> stream when `pack`, else stream -> block. Returns the stream end.
template <class T, std::size_t N>
T* copy_peer(const side_plan<N>& side, const plan_peer<N>& p, const std::array<index_t, N>& mstrides, T* block,
             T* stream, bool pack) {
  for_each_group(side, p, mstrides, [&](index_t off, const run_group& g, index_t ms) {
    T* b = block + off;
    const index_t gs = g.stride * ms;
    if (ms == 1 && g.len > 1) {
      for (index_t i = 0; i < g.count; ++i, stream += g.len) {
        if (pack) std::copy_n(b + i * gs, g.len, stream);
        else std::copy_n(stream, g.len, b + i * gs);
      }
    } else if (g.len == 1) {
      if (pack)
        for (index_t i = 0; i < g.count; ++i) stream[i] = b[i * gs];
      else
        for (index_t i = 0; i < g.count; ++i) b[i * gs] = stream[i];
      stream += g.count;
    } else {
      for (index_t i = 0; i < g.count; ++i)
        for (index_t j = 0; j < g.len; ++j, ++stream) {
          if (pack) *stream = b[i * gs + j * ms];
          else b[i * gs + j * ms] = *stream;
        }
    }
  });
  return stream;
}

/// Copies my own elements straight from the send block to the receive
/// block (no staging buffer): both sides list them in the same order, so
/// one walk over the send side's runs consumes the receive side's runs in
/// step, copying the longest stretch both have contiguous (strided when a
/// run group has runs of one element). `src` and `dst` must not overlap.
template <class T, std::size_t N>
void copy_self(const side_plan<N>& s, const plan_peer<N>& ps, const std::array<index_t, N>& sstr, const T* src,
               const side_plan<N>& r, const plan_peer<N>& pr, const std::array<index_t, N>& rstr, T* dst) {
  struct seg {
    index_t off;
    run_group g;
    index_t ms;
  };
  std::vector<seg> rg;
  for_each_group(r, pr, rstr, [&](index_t off, const run_group& g, index_t ms) { rg.push_back({off, g, ms}); });
  std::size_t gi = 0;
  index_t rep = 0, pos = 0;  // the receive cursor: group, repetition, position in the run
  // a sequence of n elements at `from`, element stride `fs`, into the receive runs
  auto put = [&](const T* from, index_t n, index_t fs) {
    while (n > 0) {
      const seg& d = rg[gi];
      const bool singles = d.g.len == 1;  // a strided group of one-element runs: one sequence
      T* to = dst + d.off + (singles ? rep * d.g.stride * d.ms : (rep * d.g.stride + pos) * d.ms);
      const index_t room = singles ? d.g.count - rep : d.g.len - pos, ts = singles ? d.g.stride * d.ms : d.ms;
      const index_t k = std::min(n, room);
      if (fs == 1 && ts == 1) std::copy_n(from, k, to);
      else
        for (index_t j = 0; j < k; ++j) to[j * ts] = from[j * fs];
      from += k * fs;
      n -= k;
      if (singles) rep += k;
      else if ((pos += k) == d.g.len) pos = 0, ++rep;
      if (rep == d.g.count) rep = 0, ++gi;
    }
  };
  for_each_group(s, ps, sstr, [&](index_t off, const run_group& g, index_t ms) {
    if (g.len == 1) put(src + off, g.count, g.stride * ms);
    else
      for (index_t i = 0; i < g.count; ++i) put(src + off + i * g.stride * ms, g.len, ms);
  });
}

}  // namespace dist::detail

#if DIST_INLINE_DEFINITIONS
#include "plan-inl.hpp"
#endif
