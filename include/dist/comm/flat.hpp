// Flat plans: moving elements between layouts whose index maps are not
// per-dimension affine (reshape, ravel, roll of the flattened array,
// diag/diagonal). Both sides are read as a *stream* of positions s in
// [0, L): a whole side is its C-order flat index (rotated by `base`, which
// is how the flattened roll moves elements), a diagonal side is the element
// (s + r0, s + c0). Element s of the source goes to element s of the
// destination.
//
// Method (the redistribution planner's, one level up): each rank lists its
// own elements as runs of consecutive stream positions, in increasing s
// (whole trailing dims it holds merge into one run per row of the leading
// dims); each run is split in closed form at the other side's ownership
// boundaries (block ends, block-cyclic block ends, row ends). Sender and
// receiver both list the elements they exchange in increasing s, so
// packing and unpacking agree without exchanging indices, and each element
// moves once. The pieces feed the same executor as every plan
// (exchange.hpp), in one dimension. Cost: O(my runs + pieces + peers) per
// rank; pieces are runs of the other layout, never single elements unless
// the layouts themselves are element-wise (cyclic). No MPI in the planner.
// Unstructured layouts are not planned here: callers move them through a
// block layout first (their owners would need the directory).
#pragma once

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include "../core/linkage.hpp"
#include "../core/mru_cache.hpp"
#include "../distribution/distribution.hpp"
#include "alignment.hpp"
#include "exchange.hpp"
#include "plan.hpp"

namespace dist::detail {

/// How a side is read as a stream: whole (C-order flat index (s + base) mod
/// size) or a diagonal ((s + r0, s + c0), 2-D only), of `length` positions.
struct flat_walk {
  bool diagonal = false;
  index_t base = 0, r0 = 0, c0 = 0, length = 0;
  friend bool operator==(const flat_walk&, const flat_walk&) = default;

  /// The whole array of `size` elements, position s at flat index (s + shift) mod size.
  static flat_walk whole(index_t size, index_t shift = 0) {
    flat_walk w;
    w.length = size;
    w.base = size > 0 ? ((shift % size) + size) % size : 0;
    return w;
  }
  /// Diagonal k of a rows x cols matrix (NumPy's offset: k > 0 above the main diagonal).
  static flat_walk diagonal_of(index_t rows, index_t cols, index_t k) {
    flat_walk w;
    w.diagonal = true;
    w.r0 = k < 0 ? -k : 0;
    w.c0 = k > 0 ? k : 0;
    w.length = std::max<index_t>(0, std::min(rows - w.r0, cols - w.c0));
    return w;
  }
};

/// One side of a flat plan for one rank: its layout and how it is walked.
template <std::size_t N>
struct flat_side {
  plan_side_input<N> in;
  shape<N> extents{};
  flat_walk walk;
};

/// Sends `piece(rank, n)` for the stream positions [s, s + len) of side `o`
/// in order: the owner of each maximal stretch that one rank holds
/// contiguously in the stream. Closed form per piece. Local.
template <std::size_t N, class F>
void owner_pieces(const flat_side<N>& o, index_t s, index_t len, F&& piece) {
  const auto& m = o.in.maps;
  if (o.walk.diagonal) {
    if constexpr (N == 2) {
      while (len > 0) {
        const index_t i = s + o.walk.r0, j = s + o.walk.c0;
        const index_t n = std::min({len, m[0].run_end(i) - i, m[1].run_end(j) - j});
        piece(row_major_rank(o.in.grid, std::array<int, 2>{m[0].owner(i), m[1].owner(j)}), n);
        s += n;
        len -= n;
      }
    }
    return;
  }
  const index_t size = o.walk.length;
  while (len > 0) {
    index_t f = s + o.walk.base;
    if (f >= size) f -= size;
    const index_t stretch = std::min(len, size - f);  // up to the wrap of a rolled side
    // unravel f, then walk pieces: the last dim's run, widened over trailing
    // dims that one coordinate holds whole while the position is at their start
    index<N> idx{};
    index_t rem = f;
    for (std::size_t d = N; d-- > 0;) {
      idx[d] = rem % o.extents[d];
      rem /= o.extents[d];
    }
    index_t left = stretch;
    while (left > 0) {
      std::size_t k = N - 1;
      index_t unit = 1, n = m[k].run_end(idx[k]) - idx[k];
      while (k > 0 && idx[k] == 0 && m[k].run_end(0) >= o.extents[k]) {
        unit *= o.extents[k];
        --k;
        n = m[k].run_end(idx[k]) - idx[k];
      }
      n = std::min(left, n * unit);
      std::array<int, N> c;
      for (std::size_t d = 0; d < N; ++d) c[d] = m[d].owner(idx[d]);
      piece(row_major_rank(o.in.grid, c), n);
      left -= n;
      // advance idx by n (a mixed-radix addition)
      index_t carry = n;
      for (std::size_t d = N; d-- > 0 && carry > 0;) {
        const index_t v = idx[d] + carry;
        idx[d] = v % o.extents[d];
        carry = v / o.extents[d];
      }
    }
    s += stretch;
    len -= stretch;
  }
}

/// This rank's elements of a whole side as runs {flat start, local start,
/// length}, both contiguous, in increasing flat order: one run per row of
/// the leading dims and run of the first dim not held whole. Local.
template <std::size_t N, class F>
void local_flat_runs(const plan_side_input<N>& in, const shape<N>& ext, F&& run) {
  const auto& m = in.maps;
  shape<N> ls;
  for (std::size_t d = 0; d < N; ++d) ls[d] = in.replicated ? ext[d] : m[d].local_size();
  if (product(ls) == 0) return;
  // t: the last dim not held whole (-1: the whole array is here)
  std::ptrdiff_t t = static_cast<std::ptrdiff_t>(N) - 1;
  index_t unit = 1;
  while (t >= 0 && ls[static_cast<std::size_t>(t)] == ext[static_cast<std::size_t>(t)]) {
    unit *= ext[static_cast<std::size_t>(t)];
    --t;
  }
  if (t < 0) {
    run(index_t{0}, index_t{0}, unit);
    return;
  }
  const auto T = static_cast<std::size_t>(t);
  const auto gst = row_major_strides(ext), lst = row_major_strides(ls);
  std::array<std::vector<dim_map::run>, N> runs;
  for (std::size_t d = 0; d <= T; ++d) runs[d] = in.replicated ? std::vector<dim_map::run>{{0, 0, ext[d]}} : m[d].runs();
  // the leading dims' indices in increasing global order: (run, offset in run) per dim
  std::array<std::size_t, N> ri{};
  std::array<index_t, N> oi{};
  for (;;) {
    index_t f = 0, l = 0;
    for (std::size_t d = 0; d < T; ++d) {
      const auto& r = runs[d][ri[d]];
      f += (r.global + oi[d]) * gst[d];
      l += (r.local + oi[d]) * lst[d];
    }
    for (const auto& r : runs[T]) run(f + r.global * gst[T], l + r.local * lst[T], r.length * unit);
    std::size_t d = T;
    for (;;) {
      if (d == 0) return;
      --d;
      if (++oi[d] < runs[d][ri[d]].length) break;
      oi[d] = 0;
      if (++ri[d] < runs[d].size()) break;
      ri[d] = 0;
    }
  }
}

/// This rank's elements of side `me` as stream runs: run(s, local, step, n)
/// means positions s..s+n-1 sit at local offsets local + i*step. In
/// increasing s. Local.
template <std::size_t N, class F>
void my_stream_runs(const flat_side<N>& me, F&& run) {
  const auto& w = me.walk;
  if (w.diagonal) {
    if constexpr (N == 2) {
      const auto& m = me.in.maps;
      const bool all = me.in.replicated;
      const index_t lcols = all ? me.extents[1] : m[1].local_size();
      const auto rows = all ? std::vector<dim_map::run>{{0, 0, me.extents[0]}} : m[0].runs();
      for (const auto& r : rows) {
        index_t s = std::max<index_t>(0, r.global - w.r0);
        const index_t e = std::min(w.length, r.global + r.length - w.r0);
        while (s < e) {
          const index_t i = s + w.r0, j = s + w.c0;
          const index_t n = all ? e - s : std::min(e - s, m[1].run_end(j) - j);
          if (all || m[1].owner(j) == m[1].coord())
            run(s, (r.local + i - r.global) * lcols + (all ? j : m[1].local_index(j)), lcols + 1, n);
          s += n;
        }
      }
    }
    return;
  }
  // a rotated whole side: flat indices [base, size) are positions 0.., then [0, base)
  const index_t size = w.length, base = w.base;
  for (int pass = 0; pass < 2; ++pass) {
    const index_t lo = pass == 0 ? base : 0, hi = pass == 0 ? size : base;
    if (lo >= hi) continue;
    local_flat_runs(me.in, me.extents, [&](index_t f, index_t l, index_t n) {
      const index_t a = std::max(f, lo), b = std::min(f + n, hi);
      if (a < b) run(pass == 0 ? a - base : a + size - base, l + (a - f), index_t{1}, b - a);
    });
  }
}

/// Appends positions start + i*step, i < count, to `rl`.
DIST_INLINE void append_strided(run_list& rl, index_t start, index_t step, index_t count);

/// Plans a flat move for one rank: send side (peers numbered in the
/// destination's numbering) and receive side. `P` ranks. Pure.
template <std::size_t M, std::size_t N>
std::pair<side_plan<1>, side_plan<1>> build_flat_plan(const flat_side<M>& src, const flat_side<N>& dst, int P) {
  side_plan<1> send, recv;
  const int me = dst.in.rank;  // in the destination's numbering (send peers)
  auto sends = [&](int r, index_t l, index_t step, index_t n) { append_strided(send.dims[0][r], l, step, n); };
  my_stream_runs(src, [&](index_t s, index_t l, index_t step, index_t n) {
    if (src.in.replicated && dst.in.replicated) {
      sends(me, l, step, n);
    } else if (dst.in.replicated) {
      for (int r = 0; r < P; ++r) sends(r, l, step, n);
    } else {
      owner_pieces(dst, s, n, [&](int r, index_t k) {
        if (!src.in.replicated || r == me) sends(r, l, step, k);
        l += k * step;
      });
    }
  });
  my_stream_runs(dst, [&](index_t s, index_t l, index_t step, index_t n) {
    if (src.in.replicated) {
      append_strided(recv.dims[0][src.in.rank], l, step, n);
      return;
    }
    owner_pieces(src, s, n, [&](int r, index_t k) {
      append_strided(recv.dims[0][r], l, step, k);
      l += k * step;
    });
  });
  for (side_plan<1>* side : {&send, &recv}) {
    for (const auto& [r, rl] : side->dims[0]) {
      const index_t c = positions(rl);
      if (c > 0) side->peers.push_back({r, c, {r}});
      side->total += c;
    }
  }
  return {std::move(send), std::move(recv)};
}

template <std::size_t N>
bool has_unstructured(const distribution<N>& d) {
  for (std::size_t k = 0; k < N; ++k)
    if (d.map(k).kind() == dim_kind::unstructured) return true;
  return false;
}

}  // namespace dist::detail

namespace dist {

/// Moves element s of the walk `wf` over an array on `from` to element s of
/// the walk `wt` over an array on `to` (reshape: both whole; the flattened
/// roll: a rotated destination; diag/diagonal: a diagonal side). Both local
/// blocks are contiguous row-major. Layouts must be structured.
template <std::size_t M, std::size_t N>
class flat_plan {
 public:
  /// Collective over `from`'s communicator (the exchange's agreement).
  /// shape_error when the walks have different lengths; distribution_error
  /// for unstructured layouts or communicators of other ranks.
  flat_plan(const distribution<M>& from, const distribution<N>& to, const detail::flat_walk& wf,
            const detail::flat_walk& wt, const char* op = "dist::flat_plan")
      : from_(from), to_(to), wf_(wf), wt_(wt) {
    // collective: the exchange (its agreement; callers agree on the arguments first)
    detail::require_same_ranks(from.comm(), to.comm(), op);
    if (wf.length != wt.length)
      throw shape_error(std::string(op) + ": " + std::to_string(wf.length) + " elements cannot become " +
                        std::to_string(wt.length));
    if (detail::has_unstructured(from) || detail::has_unstructured(to))
      throw distribution_error(std::string(op) + ": flat plans need structured layouts");
    auto [send, recv] = detail::build_flat_plan(detail::flat_side<M>{detail::side_input(from), from.shape(), wf},
                                                detail::flat_side<N>{detail::side_input(to), to.shape(), wt},
                                                from.comm().size());
    x_ = detail::exchange<1>(from.comm(), to.comm(), std::move(send), std::move(recv), op);
    x_.keep_scratch_up_to(std::size_t{16} << 20);
  }

  const distribution<M>& from() const noexcept { return from_; }
  const distribution<N>& to() const noexcept { return to_; }
  const detail::flat_walk& from_walk() const noexcept { return wf_; }
  const detail::flat_walk& to_walk() const noexcept { return wt_; }
  int send_peers() const noexcept { return x_.send_peers(); }
  int recv_peers() const noexcept { return x_.recv_peers(); }
  index_t elements_sent() const noexcept { return x_.elements_sent(); }
  index_t elements_received() const noexcept { return x_.elements_received(); }
  /// Run groups this rank's plan holds (send + receive): its size, O(runs + peers).
  std::size_t run_groups() const noexcept {
    std::size_t n = 0;
    for (const auto* s : {&x_.send_side(), &x_.recv_side()})
      for (const auto& [r, rl] : s->dims[0]) n += rl.size();
    return n;
  }
  void keep_scratch_up_to(std::size_t bytes) noexcept { x_.keep_scratch_up_to(bytes); }

  /// Writes the walked elements of `out` (to()'s local block, contiguous)
  /// from those of `src` (from()'s). Collective.
  template <class T>
  void execute(const T* src, T* out) const {  // collective: the plan's exchange
    x_.run(src, std::array<index_t, 1>{1}, out, std::array<index_t, 1>{1});
  }

 private:
  distribution<M> from_;
  distribution<N> to_;
  detail::flat_walk wf_, wt_;
  detail::exchange<1> x_;
};

namespace detail {

/// How many flat plans this process has built (tests check reuse).
inline long long flat_plans_built = 0;

/// The flat plan for (from, to, walks), built on first use and kept (the 16
/// most recent). Collective on a miss; the decision is the same on every rank.
template <std::size_t M, std::size_t N>
std::shared_ptr<const flat_plan<M, N>> cached_flat(const distribution<M>& from, const distribution<N>& to,
                                                   const flat_walk& wf, const flat_walk& wt, const char* op) {
  using plan = flat_plan<M, N>;
  return mru_cache<std::shared_ptr<const plan>>::instance(16).find_or_make(
      [&](const auto& p) { return p->from_walk() == wf && p->to_walk() == wt && same_key(p->from(), from) && same_key(p->to(), to); },
      [&] {
        auto p = std::make_shared<const plan>(from, to, wf, wt, op);
        ++flat_plans_built;
        return p;
      });
}

}  // namespace detail
}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "flat-inl.hpp"
#endif
