// The fused loops (the second half of evaluation): one pass over this
// rank's block reading bound operands (bind.hpp), innermost dim a plain
// `for` the compiler vectorises; streaming stores for large destinations;
// boxes for computing while a halo exchange is in flight. Local.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
