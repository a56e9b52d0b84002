// Evaluation (STYLE.md's "assigner"): bind an expression to a destination
// distribution, then run one fused loop over this rank's block. Binding
// turns every operand into a pointer plus strides over local memory: an
// aligned array reads its own block; any other array is first brought into
// a local buffer by a cached alignment plan (mixed distributions,
// broadcasting); replicated data is read in place. The innermost loop is a
// plain `for` over the last dim, so the compiler vectorises it.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <tuple>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "../array/array.hpp"
#include "../comm/alignment.hpp"
#include "node.hpp"

namespace dist::detail {

/// What binding needs: the destination distribution, and the buffers of
/// fetched operands (kept alive until the loop is done).
template <std::size_t N>
struct bind_context {
  const distribution<N>& to;
  std::vector<std::shared_ptr<void>> keep;
};

/// A bound data operand: element (o..., i) of the destination block reads
/// base[sum o[d]*stride[d] + i*stride[N-1]].
template <class T, std::size_t N>
struct bound_data {
  const T* base;
  std::array<index_t, N> stride;
  const T* row = nullptr;
  void set_row(const index_t* o) noexcept {
    const T* p = base;
    for (std::size_t d = 0; d + 1 < N; ++d) p += o[d] * stride[d];
    row = p;
  }
  T at(index_t i) const noexcept { return row[i]; }
  T at_strided(index_t i) const noexcept { return row[i * stride[N - 1]]; }
  bool contiguous() const noexcept { return stride[N - 1] == 1; }
};

template <class T>
struct bound_scalar {
  T value;
  void set_row(const index_t*) noexcept {}
  T at(index_t) const noexcept { return value; }
  T at_strided(index_t) const noexcept { return value; }
  bool contiguous() const noexcept { return true; }
};

template <class F, class... B>
struct bound_function {
  F f;
  std::tuple<B...> b;
  void set_row(const index_t* o) noexcept {
    std::apply([&](auto&... x) { (x.set_row(o), ...); }, b);
  }
  auto at(index_t i) const { return std::apply([&](const auto&... x) { return f(x.at(i)...); }, b); }
  auto at_strided(index_t i) const { return std::apply([&](const auto&... x) { return f(x.at_strided(i)...); }, b); }
  bool contiguous() const noexcept {
    return std::apply([](const auto&... x) { return (x.contiguous() && ...); }, b);
  }
};

/// Operand dim k of an M-d operand of shape `s` lies along destination dim
/// N-M+k (NumPy's trailing alignment), or is broadcast (-1) where its extent
/// is 1 and the destination's is not.
template <std::size_t M, std::size_t N>
std::array<int, M> trailing_dims(const shape<M>& s, const shape<N>& to) {
  static_assert(M <= N, "dist: an operand has more dimensions than the destination");
  std::array<int, M> dim_of;
  for (std::size_t k = 0; k < M; ++k) {
    const std::size_t j = N - M + k;
    if (s[k] == to[j]) dim_of[k] = static_cast<int>(j);
    else if (s[k] == 1) dim_of[k] = -1;
    else
      throw shape_error("dist: an operand of shape " + to_string(s) + " cannot be broadcast to shape " + to_string(to));
  }
  return dim_of;
}

// Destination strides of a row-major buffer whose dim k lies along dim_of[k].
template <std::size_t M, std::size_t N>
std::array<index_t, N> spread_strides(const shape<M>& ext, const std::array<int, M>& dim_of) {
  std::array<index_t, N> st{};
  const auto bs = row_major_strides(ext);
  for (std::size_t k = 0; k < M; ++k)
    if (dim_of[k] >= 0) st[static_cast<std::size_t>(dim_of[k])] = bs[k];
  return st;
}

/// Binds data every rank holds whole (row-major, global shape `gs`). Block
/// and cyclic destination dims read it in place; others copy the needed
/// elements locally first. Local.
template <class T, std::size_t M, std::size_t N>
bound_data<T, N> bind_global(const T* data, const shape<M>& gs, const std::array<int, M>& dim_of, bind_context<N>& ctx) {
  const auto gst = row_major_strides(gs);
  bound_data<T, N> b{data, {}};
  bool affine = true;
  for (std::size_t k = 0; k < M && affine; ++k) {
    if (dim_of[k] < 0) continue;
    const dim_map& m = ctx.to.map(static_cast<std::size_t>(dim_of[k]));
    const auto j = static_cast<std::size_t>(dim_of[k]);
    if (auto s = m.contiguous_start()) {
      b.base += *s * gst[k];
      b.stride[j] = gst[k];
    } else if (m.kind() == dim_kind::cyclic) {
      b.base += m.coord() * gst[k];
      b.stride[j] = m.procs() * gst[k];
    } else {
      affine = false;
    }
  }
  if (affine || ctx.to.local_size() == 0) return b;
  // block-cyclic or unstructured destination dims: gather my elements once
  shape<M> ext;
  std::array<std::vector<index_t>, M> tab;
  for (std::size_t k = 0; k < M; ++k) {
    tab[k] = dim_of[k] >= 0 ? ctx.to.global_indices(static_cast<std::size_t>(dim_of[k])) : std::vector<index_t>{0};
    ext[k] = static_cast<index_t>(tab[k].size());
  }
  auto buf = std::make_shared<buffer<T>>(static_cast<std::size_t>(product(ext)));
  T* out = buf->data();
  index<M> o{};
  for (index_t n = 0, total = product(ext); n < total; ++n) {
    index_t off = 0;
    for (std::size_t k = 0; k < M; ++k) off += tab[k][static_cast<std::size_t>(o[k])] * gst[k];
    out[n] = data[off];
    for (std::size_t k = M; k-- > 0;) {
      if (++o[k] < ext[k]) break;
      o[k] = 0;
    }
  }
  ctx.keep.push_back(buf);
  return {buf->data(), spread_strides<M, N>(ext, dim_of)};
}

/// Binds an M-d array whose dim k lies along destination dim dim_of[k].
/// Collective when the array needs moving (any operand not on the
/// destination's distribution); the decision is the same on every rank.
template <class T, std::size_t M, std::size_t N>
bound_data<T, N> bind_array(const array<T, M>& a, const std::array<int, M>& dim_of, bind_context<N>& ctx) {
  int cmp = MPI_UNEQUAL;
  check_mpi(MPI_Comm_compare(a.comm(), ctx.to.comm(), &cmp), "MPI_Comm_compare");
  if (cmp == MPI_UNEQUAL)
    throw shape_error("dist: mixed communicators: an operand lives on other ranks than the destination");
  bool aligned = M == N;
  for (std::size_t k = 0; k < M; ++k) aligned = aligned && dim_of[k] == static_cast<int>(k);
  if constexpr (M == N)
    if (aligned && same_key(a.distribution(), ctx.to))
      return {a.local_data().data(), row_major_strides(a.local_shape())};
  if (a.distribution().replicated()) return bind_global(a.local_data().data(), a.shape(), dim_of, ctx);
  auto plan = cached_alignment(a.distribution(), ctx.to, dim_of);
  auto buf = std::make_shared<buffer<T>>(static_cast<std::size_t>(plan->local_size()));
  plan->execute(a.local_data().data(), buf->data());
  ctx.keep.push_back(buf);
  return {buf->data(), spread_strides<M, N>(plan->local_shape(), dim_of)};
}

template <class T, std::size_t M, bool O, std::size_t N>
auto bind(const array_leaf<T, M, O>& l, bind_context<N>& ctx) {
  return bind_array(l.get(), trailing_dims(l.shape(), ctx.to.shape()), ctx);
}
template <class S, std::size_t N>
bound_scalar<S> bind(const scalar_leaf<S>& s, bind_context<N>&) {
  return {s.value};
}
template <class T, std::size_t M, std::size_t N>
bound_data<T, N> bind(const replicated_operand<T, M>& r, bind_context<N>& ctx) {
  return bind_global(r.data().data(), r.shape(), trailing_dims(r.shape(), ctx.to.shape()), ctx);
}
template <class F, class... C, std::size_t N>
auto bind(const function_node<F, C...>& n, bind_context<N>& ctx) {
  // braced initialisation binds (and so communicates) left to right on every rank
  return std::apply(
      [&](const auto&... c) { return bound_function<F, decltype(bind(c, ctx))...>{n.functor(), {bind(c, ctx)...}}; },
      n.operands());
}
template <class T, std::size_t N, std::size_t M>
auto bind(const array<T, M>& a, bind_context<N>& ctx) {
  return bind_array(a, trailing_dims(a.shape(), ctx.to.shape()), ctx);
}

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
/// saves the read-for-ownership of every destination line (measured: the
/// triad 1.07-1.15x the plain loop, instead of 0.9-0.95). A variable so
/// tests can lower it.
inline std::size_t streaming_bytes = std::size_t{32} << 20;

template <class T, class Op>
inline constexpr bool streamable =
#if defined(__SSE2__)
    std::is_same_v<Op, assign_to> && (std::is_same_v<T, double> || std::is_same_v<T, float>);
#else
    false;
#endif

#if defined(__SSE2__)
/// dst = b over a contiguous local block with streaming stores: each row is
/// computed in L1-sized chunks (the vectorised loop), then streamed out.
template <class T, std::size_t N, class B>
void run_streaming(T* dst, const shape<N>& ls, B& b) {
  constexpr index_t lane = 16 / sizeof(T);
  for_each_row(ls, b, [&](const index<N>&, index_t off, index_t inner) {
    T* d = dst + off;
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

/// dst[l] op= b(l) over the local block, one fused pass. Local.
template <class T, std::size_t N, class B, class Op>
void run_assign(T* dst, const shape<N>& ls, B& b, Op op) {
  const bool contiguous = b.contiguous();
#if defined(__SSE2__)
  if constexpr (streamable<T, Op>)
    if (contiguous && static_cast<std::size_t>(product(ls)) * sizeof(T) >= streaming_bytes) return run_streaming(dst, ls, b);
#endif
  for_each_row(ls, b, [&](const index<N>&, index_t off, index_t inner) {
    T* d = dst + off;
    if (contiguous)
      for (index_t i = 0; i < inner; ++i) op(d[i], b.at(i));
    else
      for (index_t i = 0; i < inner; ++i) op(d[i], b.at_strided(i));
  });
}

/// The distribution an expression evaluates on when it makes a new array:
/// the first array operand with the expression's shape, else the default
/// distribution of that shape on the first array's communicator.
template <class E>
distribution<std::remove_cvref_t<E>::ndim> home_distribution(const E& e) {
  constexpr std::size_t N = ndim_of<E>;
  if constexpr (!is_array_v<E>)
    static_assert(std::remove_cvref_t<E>::has_array, "dist: an expression needs a distributed array operand to make an array");
  const distribution<N>* home = nullptr;
  std::optional<communicator> comm;
  auto visit = [&]<class A>(const A& a) {
    if constexpr (A::ndim == N)
      if (!home && a.shape() == e.shape()) home = &a.distribution();
    if (!comm) comm = a.comm();
  };
  if constexpr (is_array_v<E>) visit(e);
  else e.for_each_array(visit);
  if (home) return *home;
  return distribution<N>(e.shape(), *comm);
}

}  // namespace dist::detail
