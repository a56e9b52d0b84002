// The fused loops (the second half of evaluation): one pass over this
// rank's block reading bound operands (bind.hpp), innermost dim a plain
// `for` the compiler vectorises; streaming stores for large destinations;
// boxes for computing while a halo exchange is in flight. Local.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "../core/linkage.hpp"
#include "bind.hpp"

namespace dist::detail {

/// Calls row(o, offset, inner) for every row of a local block of extents
/// `ls` (o: the row's local index, its last entry 0; offset: its flat local
/// offset), after moving the bound operand `b` to that row.
template <std::size_t N, class B, class Row>
void for_each_row(const shape<N>& ls, B& b, Row&& row) {
  if (product(ls) == 0) return;
  const index_t inner = ls[N - 1];
  index<N> o{};
  index_t off = 0;
  do {
    b.set_row(o.data());
    row(static_cast<const index<N>&>(o), off, inner);
    off += inner;
  } while (next_row(o, ls));
}

/// Destination blocks at least this large are written with non-temporal
/// (streaming) stores: they would not stay in cache anyway, and streaming
/// saves the read-for-ownership of every destination line (bench_expressions'
/// triad shows the gain). A variable so tests can lower it.
inline std::size_t streaming_bytes = std::size_t{32} << 20;

template <class T, class Op>
inline constexpr bool streamable =
#if defined(__SSE2__)
    std::is_same_v<Op, assign_to> && (std::is_same_v<T, double> || std::is_same_v<T, float>);
#else
    false;
#endif

#if defined(__SSE2__)
/// dst = b over a local block whose rows are contiguous, with streaming
/// stores: aligned pairs (or quads) go straight to memory.
template <class T, std::size_t N, class B>
void run_streaming(T* dst, const std::array<index_t, N>& dst_st, const shape<N>& ls, B& b) {
  constexpr index_t lane = 16 / sizeof(T);
  for_each_row(ls, b, [&](const index<N>& o, index_t, index_t inner) {
    T* d = dst;
    for (std::size_t k = 0; k + 1 < N; ++k) d += o[k] * dst_st[k];
    index_t i = 0;
    for (; i < inner && reinterpret_cast<std::uintptr_t>(d + i) % 16 != 0; ++i) d[i] = static_cast<T>(b.at(i));
    for (; inner - i >= lane; i += lane) {
      if constexpr (std::is_same_v<T, double>)
        _mm_stream_pd(d + i, _mm_set_pd(static_cast<T>(b.at(i + 1)), static_cast<T>(b.at(i))));
      else
        _mm_stream_ps(d + i, _mm_set_ps(static_cast<T>(b.at(i + 3)), static_cast<T>(b.at(i + 2)), static_cast<T>(b.at(i + 1)),
                                        static_cast<T>(b.at(i))));
    }
    for (; i < inner; ++i) d[i] = static_cast<T>(b.at(i));
  });
  _mm_sfence();
}
#endif

/// dst op= b over the box [lo, lo + ext) of a local block (element o at
/// dst[sum o[k]*dst_st[k]]). Local.
template <class T, std::size_t N, class B, class Op>
void run_assign_box(T* dst, const std::array<index_t, N>& dst_st, const index<N>& lo, const shape<N>& ext, B& b, Op op) {
  if (product(ext) == 0) return;
  const bool contiguous = b.contiguous() && dst_st[N - 1] == 1;
  const index_t is = dst_st[N - 1], i0 = lo[N - 1], i1 = lo[N - 1] + ext[N - 1];
  index<N> r{};
  do {
    index<N> o;
    for (std::size_t k = 0; k < N; ++k) o[k] = lo[k] + r[k];
    o[N - 1] = 0;
    b.set_row(o.data());
    T* d = dst;
    for (std::size_t k = 0; k + 1 < N; ++k) d += o[k] * dst_st[k];
    if (contiguous)
      for (index_t i = i0; i < i1; ++i) op(d[i], b.at(i));
    else
      for (index_t i = i0; i < i1; ++i) op(d[i * is], b.at_strided(i));
  } while (next_row(r, ext));
}

/// How many data operands a bound expression reads.
template <class B> struct data_operands : std::integral_constant<int, 0> {};
template <class T, std::size_t N> struct data_operands<bound_data<T, N>> : std::integral_constant<int, 1> {};
template <class F, class... B>
struct data_operands<bound_function<F, B...>> : std::integral_constant<int, (0 + ... + data_operands<B>::value)> {};

/// dst op= b over a local block of extents `ls` whose element o sits at
/// dst[sum o[k]*dst_st[k]], one fused pass. Local.
template <class T, std::size_t N, class B, class Op>
void run_assign(T* dst, const std::array<index_t, N>& dst_st, const shape<N>& ls, B& b, Op op) {
  const bool contiguous = b.contiguous() && dst_st[N - 1] == 1;
#if defined(__SSE2__)
  // streaming evaluates two elements at a time without vectorising the
  // expression: a win for one or two operands (the triad), a loss for more
  // (the 5-point stencil, against the plain vectorised loop)
  if constexpr (streamable<T, Op> && data_operands<B>::value <= 2)
    if (contiguous && static_cast<std::size_t>(product(ls)) * sizeof(T) >= streaming_bytes)
      return run_streaming(dst, dst_st, ls, b);
#endif
  // (the loop inline here rather than in a lambda: faster on the 5-point stencil of bench_laplace)
  run_assign_box(dst, dst_st, index<N>{}, ls, b, op);
}

/// True when the rows of a block of extents `ls` at strides `st` lie in
/// ascending memory order without overlapping (each dim's stride passes the
/// span of the dims inside it): the order run_assign_lagged needs. Local.
template <std::size_t N>
bool rows_ascend(const std::array<index_t, N>& st, const shape<N>& ls) {
  index_t span = 0;
  for (std::size_t k = N; k-- > 0;) {
    if (ls[k] <= 1) continue;
    if (st[k] <= span) return false;
    span += (ls[k] - 1) * st[k];
  }
  return true;
}

/// The piece of a row run_assign_lagged computes at a time (elements).
inline constexpr index_t lag_piece = 2048;

/// Elements run_assign_lagged holds at most for reads reaching `lowest`
/// elements from the position written, at destination strides with
/// innermost stride `is`: the addresses between the lowest pending read
/// and the piece being computed, plus one piece.
DIST_INLINE index_t lag_elements(index_t lowest, index_t inner, index_t is);

/// dst op= b as run_assign, for a destination that operands also read at
/// other positions, each such read `lowest` or more elements from the
/// position being written, at the destination's strides (a stencil reading
/// its own target: u(1:-1) = u(:-2) + u(2:)). Each piece of a row is
/// computed into a small queue and written once no later read can reach
/// it, so the result is the one a temporary copy would give without a
/// second block (no allocation, one pass over memory). The rows must
/// ascend in memory (rows_ascend). Local.
template <class T, std::size_t N, class B, class Op>
void run_assign_lagged(T* dst, const std::array<index_t, N>& dst_st, const shape<N>& ls, B& b, Op op, index_t lowest) {
  if (product(ls) == 0) return;
  using V = std::remove_cvref_t<decltype(b.at(0))>;
  const index_t inner = ls[N - 1], is = dst_st[N - 1], piece = std::min(inner, lag_piece);
  const bool contiguous = b.contiguous() && is == 1;
  struct pending {
    index_t at, n;  // first element's offset from dst, length
    V* vals;
  };
  std::vector<pending> queue;  // a FIFO: pieces [head, size) wait, the ones before head were written
  std::size_t head = 0;
  std::vector<std::unique_ptr<V[]>> slots;
  std::vector<V*> free_slots;
  // writes the queued pieces that end below offset `limit` (all of them when last)
  const auto flush = [&](index_t limit, bool last) {
    for (; head < queue.size(); ++head) {
      const pending p = queue[head];
      if (!last && p.at + (p.n - 1) * is >= limit) break;
      T* d = dst + p.at;
      if constexpr (std::is_same_v<Op, assign_to> && std::is_same_v<V, T>) {
        if (is == 1) std::copy_n(p.vals, p.n, d);
        else
          for (index_t i = 0; i < p.n; ++i) d[i * is] = p.vals[i];
      } else {
        for (index_t i = 0; i < p.n; ++i) op(d[i * is], p.vals[i]);
      }
      free_slots.push_back(p.vals);
    }
    if (2 * head >= queue.size()) {  // the written half dropped: the queue stays as short as the lag
      queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(head));
      head = 0;
    }
  };
  index<N> o{};
  do {
    b.set_row(o.data());
    index_t row = 0;
    for (std::size_t k = 0; k + 1 < N; ++k) row += o[k] * dst_st[k];
    for (index_t c0 = 0; c0 < inner; c0 += piece) {
      const index_t n = std::min(piece, inner - c0), at = row + c0 * is;
      flush(at + lowest, false);  // no read from here on reaches below at + lowest
      if (free_slots.empty()) {
        slots.push_back(std::make_unique_for_overwrite<V[]>(static_cast<std::size_t>(piece)));
        free_slots.push_back(slots.back().get());
      }
      V* s = free_slots.back();
      free_slots.pop_back();
      if (contiguous)
        for (index_t i = 0; i < n; ++i) s[i] = b.at(c0 + i);
      else
        for (index_t i = 0; i < n; ++i) s[i] = b.at_strided(c0 + i);
      queue.push_back({at, n, s});
    }
  } while (next_row(o, ls));
  flush(0, true);
}

/// Calls f(lo, ext) for boxes that tile the block [0, ls) minus the box
/// [in_lo, in_hi): per dim d, the slabs below and above the inner range,
/// spanning the inner range along earlier dims and everything along later ones.
template <std::size_t N, class F>
void for_each_rim_box(const shape<N>& ls, const index<N>& in_lo, const index<N>& in_hi, F&& f) {
  for (std::size_t d = 0; d < N; ++d) {
    index<N> lo{};
    shape<N> ext = ls;
    for (std::size_t e = 0; e < d; ++e) {
      lo[e] = in_lo[e];
      ext[e] = in_hi[e] - in_lo[e];
    }
    lo[d] = 0;
    ext[d] = in_lo[d];
    f(lo, ext);
    lo[d] = in_hi[d];
    ext[d] = ls[d] - in_hi[d];
    f(lo, ext);
  }
}

}  // namespace dist::detail

#if DIST_INLINE_DEFINITIONS
#include "loops-inl.hpp"
#endif
