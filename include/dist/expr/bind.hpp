// Binding (the first half of evaluation): an expression becomes, for this
// rank's block of the distribution it is evaluated on, a tree of bound
// operands, each a pointer plus strides over local memory. An aligned
// array reads its own block; any other array is first brought into a local
// buffer by a cached alignment plan (mixed distributions, broadcasting); a
// view shifted from the destination reads ghost layers after exchanging
// them; replicated data is read in place. Inputs: bind_context (the
// distribution, the expression's space, the destination); outputs: its
// binding_notes. The loops that read bound operands are in loops.hpp.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "../core/linkage.hpp"
#include "../array/array.hpp"
#include "../array/view.hpp"
#include "../comm/alignment.hpp"
#include "../comm/halo.hpp"
#include "node.hpp"

namespace dist::detail {

/// An assignment's destination (input to binding): the parent array whose
/// memory is written, and where. Evaluation index i along dim d is parent
/// index start[d] + step[d]*i; this rank's evaluation-local position l sits
/// at parent-local offset[d] + lstep[d]*l; memory/strides: the same in
/// memory. blocky: the positions form one box of the parent's block per rank.
template <std::size_t N>
struct destination {
  const void* array = nullptr;
  const distribution<N>* dist = nullptr;
  std::array<index_t, N> start{}, step{}, offset{}, lstep{};
  bool blocky = false;
  const void* memory = nullptr;
  std::array<index_t, N> strides{};

  /// The whole of array `a` (memory set when the loop's target is known).
  template <class A>
  static destination whole(const A& a) {
    destination d;
    d.array = &a;
    d.dist = &a.distribution();
    d.step.fill(1);
    d.lstep.fill(1);
    d.blocky = true;
    return d;
  }
};

/// The expression's own index space when it differs from the distribution
/// it is evaluated on (assignments to views that drop dims): expression dim
/// k of `rank` lies along distribution dim dim_of[k]. rank 0: the same.
template <std::size_t N>
struct eval_space {
  std::size_t rank = 0;
  shape<N> extents{};
  std::array<int, N> dim_of{};
};

/// What binding found out (its outputs): buffers of fetched operands, kept
/// alive until the loop is done; whether an operand reads the destination's
/// memory at other positions than the ones written (NumPy then needs a
/// temporary); the ghost layers exchanged in this statement, per array; and
/// for dist::shifted operands the box of evaluation-local positions whose
/// reads stay inside this rank's block (the rest reads ghosts).
template <std::size_t N>
struct binding_notes {
  std::vector<std::shared_ptr<void>> keep;
  bool hazard = false;
  // the aliased reads (hazard): all at the destination's strides (else
  // false), the lowest at this offset in elements from the position written
  bool alias_same_strides = true;
  index_t alias_lowest = 0;
  std::vector<std::pair<const void*, ghost_request<N>>> exchanged{};
  bool reads_ghosts = false;
  std::array<index_t, N> safe_lo{}, safe_hi{};

  // (the destructor defined below the class: every statement destroys its
  // notes, and separate compilation then compiles that once per rank)
  binding_notes() = default;
  binding_notes(const binding_notes&) = default;
  binding_notes& operator=(const binding_notes&) = default;
  ~binding_notes();
};
template <std::size_t N>
binding_notes<N>::~binding_notes() = default;

/// Binding's inputs (the distribution evaluated on, the expression's space,
/// for assignments the destination) and its notes.
template <std::size_t N>
struct bind_context {
  const distribution<N>& to;
  eval_space<N> space{};
  std::optional<destination<N>> dst{};
  binding_notes<N> notes{};
};

/// The destination dims an operand of shape `s` lies along (NumPy's
/// trailing alignment against the expression's shape); -1 where an extent-1
/// dim broadcasts. shape_error when it does not broadcast.
template <std::size_t M, std::size_t N>
std::array<int, M> operand_dims(const shape<M>& s, const bind_context<N>& ctx);

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

template <class F, class Seq, class... B>
struct bound_function_base;
template <class F, std::size_t... I, class... B>
struct bound_function_base<F, std::index_sequence<I...>, B...> {
  F f;
  operand_pack<B...> b;
  void set_row(const index_t* o) noexcept { (static_cast<pack_slot<I, B>&>(b).value.set_row(o), ...); }
  auto at(index_t i) const { return f(static_cast<const pack_slot<I, B>&>(b).value.at(i)...); }
  auto at_strided(index_t i) const { return f(static_cast<const pack_slot<I, B>&>(b).value.at_strided(i)...); }
  bool contiguous() const noexcept { return (static_cast<const pack_slot<I, B>&>(b).value.contiguous() && ...); }
};
/// A function node bound for a loop: f applied to its bound operands (each
/// method expands over the operands directly: no std::apply per call).
template <class F, class... B>
struct bound_function : bound_function_base<F, std::index_sequence_for<B...>, B...> {};

/// The shape_error of an operand of shape s that does not broadcast to `to`.
[[noreturn]] DIST_INLINE void throw_not_broadcastable_to(const char* op, std::span<const index_t> s, std::span<const index_t> to);
/// The shape_error of an operand of shape s that does not fit the destination (`why`).
[[noreturn]] DIST_INLINE void throw_operand_shape(std::span<const index_t> s, const char* why);

/// Operand dim k of an M-d operand of shape `s` lies along destination dim
/// N-M+k (NumPy's trailing alignment), or is broadcast (-1) where its extent
/// is 1 and the destination's is not.
template <std::size_t M, std::size_t N>
std::array<int, M> trailing_dims(const shape<M>& s, const shape<N>& to, const char* op = "dist: an expression") {
  static_assert(M <= N, "dist: an operand has more dimensions than the destination");
  std::array<int, M> dim_of;
  for (std::size_t k = 0; k < M; ++k) {
    const std::size_t j = N - M + k;
    if (s[k] == to[j]) dim_of[k] = static_cast<int>(j);
    else if (s[k] == 1) dim_of[k] = -1;
    else
      throw_not_broadcastable_to(op, s, to);
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
    (void)next_index(o, [&](std::size_t k) { return ext[k]; });
  }
  ctx.notes.keep.push_back(buf);
  return {buf->data(), spread_strides<M, N>(ext, dim_of)};
}

template <std::size_t M, std::size_t N>
std::array<int, M> operand_dims(const shape<M>& s, const bind_context<N>& ctx) {
  if (ctx.space.rank == 0) return trailing_dims(s, ctx.to.shape());
  if (M > ctx.space.rank)
    throw_operand_shape(s, "has more dims than the destination");
  std::array<int, M> dim_of;
  for (std::size_t k = 0; k < M; ++k) {
    const std::size_t j = ctx.space.rank - M + k;
    if (s[k] == ctx.space.extents[j]) dim_of[k] = ctx.space.dim_of[j];
    else if (s[k] == 1) dim_of[k] = -1;
    else
      throw_operand_shape(s, "cannot be broadcast to the destination's shape");
  }
  return dim_of;
}

/// shape_error when `c` holds other ranks than the destination's communicator.
template <std::size_t N>
void check_same_ranks(const communicator& c, const bind_context<N>& ctx) {
  require_same_ranks(c, ctx.to.comm(), "dist: an expression mixing communicators");
}

/// Notes a zero-copy operand reading `parent`'s memory at (base, strides):
/// when that is the destination's memory at other positions, the
/// assignment needs a temporary.
template <class T, std::size_t N>
void note_alias(const void* parent, const T* base, const std::array<index_t, N>& strides, bind_context<N>& ctx) {
  if (!ctx.dst || parent != ctx.dst->array || (static_cast<const void*>(base) == ctx.dst->memory && strides == ctx.dst->strides))
    return;
  const index_t delta = base - static_cast<const T*>(ctx.dst->memory);
  ctx.notes.alias_lowest = ctx.notes.hazard ? std::min(ctx.notes.alias_lowest, delta) : delta;
  ctx.notes.alias_same_strides = ctx.notes.alias_same_strides && strides == ctx.dst->strides;
  ctx.notes.hazard = true;
}

/// Binds an M-d array whose dim k lies along destination dim dim_of[k].
/// Collective when the array needs moving (any operand not on the
/// destination's distribution); the decision is the same on every rank.
template <class T, std::size_t M, std::size_t N>
bound_data<T, N> bind_array(const array<T, M>& a, const std::array<int, M>& dim_of, bind_context<N>& ctx) {
  check_same_ranks(a.comm(), ctx);
  bool aligned = M == N;
  for (std::size_t k = 0; k < M; ++k) aligned = aligned && dim_of[k] == static_cast<int>(k);
  const auto lv = a.local();
  if constexpr (M == N)
    if (aligned && same_key(a.distribution(), ctx.to)) {
      note_alias(&a, lv.data(), lv.strides(), ctx);
      return {lv.data(), lv.strides()};
    }
  if (a.distribution().replicated()) {
    if (lv.contiguous()) return bind_global(lv.data(), a.shape(), dim_of, ctx);
    auto packed = std::make_shared<buffer<T>>();
    const auto span = packed_block(a, *packed);
    ctx.notes.keep.push_back(packed);
    return bind_global(span.data(), a.shape(), dim_of, ctx);
  }
  auto plan = cached_alignment(a.distribution(), ctx.to, dim_of);
  auto buf = std::make_shared<buffer<T>>(static_cast<std::size_t>(plan->local_size()));
  plan->execute(lv.data(), lv.strides(), buf->data(), row_major_strides(plan->local_shape()));
  ctx.notes.keep.push_back(buf);
  return {buf->data(), spread_strides<M, N>(plan->local_shape(), dim_of)};
}

template <class T, std::size_t M, bool O, std::size_t N>
auto bind(const array_leaf<T, M, O>& l, bind_context<N>& ctx) {
  return bind_array(l.get(), operand_dims(l.shape(), ctx), ctx);
}
template <class S, std::size_t N>
bound_scalar<S> bind(const scalar_leaf<S>& s, bind_context<N>&) {
  return {s.value};
}
template <class T, std::size_t M, std::size_t N>
bound_data<T, N> bind(const replicated_operand<T, M>& r, bind_context<N>& ctx) {
  return bind_global(r.data().data(), r.shape(), operand_dims(r.shape(), ctx), ctx);
}
template <class F, class... C, std::size_t N>
auto bind(const function_node<F, C...>& n, bind_context<N>& ctx) {
  // braced initialisation binds (and so communicates) left to right on every rank
  return n.operands().unpack(
      [&](const auto&... c) { return bound_function<F, decltype(bind(c, ctx))...>{{n.functor(), {{{bind(c, ctx)}...}}}}; });
}
template <class T, std::size_t N, std::size_t M>
auto bind(const array<T, M>& a, bind_context<N>& ctx) {
  return bind_array(a, operand_dims(a.shape(), ctx), ctx);
}

/// Binds an operand with inserted extent-1 dims: its operand C is bound
/// with C's dims laid along the destination dims the result's dims lie
/// along (the inserted ones broadcast). No stencil path beneath (the
/// destination is marked not block-like while C binds). Collective as C's binding.
template <class C, std::size_t M, std::size_t N>
auto bind(const expanded<C, M>& e, bind_context<N>& ctx) {
  const auto outer = operand_dims(e.shape(), ctx);
  const eval_space<N> saved_space = ctx.space;
  const auto saved_dst = ctx.dst;
  eval_space<N> sub{};
  sub.rank = C::ndim;
  for (std::size_t k = 0; k < M; ++k)
    if (const int j = e.src_of()[k]; j >= 0) {
      sub.extents[static_cast<std::size_t>(j)] = e.operand().shape()[static_cast<std::size_t>(j)];
      sub.dim_of[static_cast<std::size_t>(j)] = outer[k];
    }
  ctx.space = sub;
  if (ctx.dst) ctx.dst->blocky = false;
  auto b = bind(e.operand(), ctx);
  ctx.space = saved_space;
  ctx.dst = saved_dst;
  return b;
}

/// A view operand on the stencil path: how far it is shifted from the
/// destination (in parent indices) and which ghost layers of its parent
/// that reads.
template <std::size_t N>
struct shift_plan {
  std::array<index_t, N> delta{};
  ghost_request<N> need;
  index_t grow0 = 0;  // ghost layers dim 0 must grow to (implicit ghosts)
};

/// When view `v` is the destination's parent's data shifted by a few
/// elements along block dims (u(slice{0,-2}) read into u(slice{1,-1}),
/// or into another array with u's distribution), the shift; else nullopt
/// (the view is moved by an alignment plan). Decided from global
/// information only, so every rank decides alike. Local.
template <class A, std::size_t M, std::size_t N>
std::optional<shift_plan<N>> plan_shift(const view<A, M>& v, bind_context<N>& ctx) {
  if constexpr (view<A, M>::parent_ndim != N) {
    return std::nullopt;
  } else {
    const auto& par = v.parent();
    if (!ctx.dst || !ctx.dst->blocky || !same_key(par.distribution(), *ctx.dst->dist)) {
      if (v.is_shifted())
        throw distribution_error("dist::shifted: a shifted operand must be assigned to an array with its array's "
                                 "distribution, or to a block-like view of one");
      return std::nullopt;
    }
    const auto dim_of = operand_dims(v.shape(), ctx);
    std::array<int, N> along;
    along.fill(-2);
    for (std::size_t k = 0; k < M; ++k) along[v.parent_dim(k)] = dim_of[k];
    shift_plan<N> sp;
    for (std::size_t d = 0; d < N; ++d) {
      const auto& r = v.ranges()[d];
      const index_t ext = ctx.to.shape()[d];
      if (v.dropped(d) ? ext != 1 : along[d] != static_cast<int>(d)) return std::nullopt;
      if (ext > 1 && r.step != ctx.dst->step[d]) return std::nullopt;
      sp.delta[d] = r.start + v.shift(d) - ctx.dst->start[d];
      const dim_map& m = par.distribution().map(d);
      if (v.is_shifted()) {  // explicit ghosts, filled by the caller
        // ghost layers read: across block boundaries |delta|; on one coordinate only beyond the array's ends
        index_t w = sp.delta[d] < 0 ? -sp.delta[d] : sp.delta[d];
        if (m.procs() == 1 && r.count > 0) {
          const index_t a = r.start + v.shift(d), b = a + r.step * (r.count - 1);
          w = std::max<index_t>({0, -std::min(a, b), std::max(a, b) - (m.size() - 1)});
        }
        if (w > par.ghost_width(d))
          throw distribution_error("dist::shifted: a shift of " + std::to_string(sp.delta[d]) + " along dim " +
                                   std::to_string(d) + " reads " + std::to_string(w) + " ghost layers, but the array has " +
                                   std::to_string(par.ghost_width(d)));
        continue;
      }
      if (sp.delta[d] == 0 || m.procs() == 1) continue;
      if (m.kind() != dim_kind::block) return std::nullopt;
      const index_t w = sp.delta[d] < 0 ? -sp.delta[d] : sp.delta[d];
      for (int c = 0; c < m.procs(); ++c)
        if (m.local_size(c) < w) return std::nullopt;  // the ghosts would come from further than a neighbour
      if (par.ghost_width(d) < w) {
        if (d != 0 || !storage::ghosts_can_grow(par) || std::is_const_v<A>) return std::nullopt;
        sp.grow0 = std::max(sp.grow0, w);
      }
      (sp.delta[d] < 0 ? sp.need.lo[d] : sp.need.hi[d]) = w;
    }
    return sp;
  }
}

/// Before binding an assignment: grows the implicit ghost layers the
/// stencil operands will read, so no operand bound earlier is moved. Local.
template <class X, std::size_t N>
void prepare(const X& x, bind_context<N>& ctx) {
  if constexpr (is_view_v<X>) {
    if (auto sp = plan_shift(x, ctx); sp && sp->grow0 > 0)
      if constexpr (!std::is_const_v<std::remove_reference_t<decltype(x.parent())>>) storage::grow_ghost(x.parent(), 0, sp->grow0);
  } else if constexpr (requires { x.operands(); }) {
    x.operands().unpack([&](const auto&... c) { (prepare(c, ctx), ...); });
  }
}

/// Binds a view: in place when it is aligned with the destination or a
/// shift of it (after exchanging the ghost layers the shift reads), else
/// through a cached alignment plan. Collective.
template <class A, std::size_t M, std::size_t N>
auto bind(const view<A, M>& v, bind_context<N>& ctx) {
  using T = typename view<A, M>::value_type;
  constexpr std::size_t P = view<A, M>::parent_ndim;
  auto& par = v.parent();
  check_same_ranks(par.comm(), ctx);
  const auto pst = storage::strides(par);
  if (auto sp = plan_shift(v, ctx)) {
    if constexpr (P == N) {
      if (v.is_shifted()) {  // narrow the box of positions that read no ghost
        const auto pls = par.local_shape();
        const auto ls = ctx.to.local_shape();
        if (!ctx.notes.reads_ghosts) {
          ctx.notes.safe_lo.fill(0);
          ctx.notes.safe_hi = ls;
          ctx.notes.reads_ghosts = true;
        }
        for (std::size_t d = 0; d < N; ++d) {
          const index_t a = ctx.dst->offset[d] + sp->delta[d], st = ctx.dst->lstep[d] > 0 ? ctx.dst->lstep[d] : 1;
          // positions l with 0 <= a + st*l < pls[d]
          const index_t lo = a >= 0 ? 0 : (-a + st - 1) / st;
          const index_t hi = pls[d] - a <= 0 ? 0 : (pls[d] - a + st - 1) / st;
          ctx.notes.safe_lo[d] = std::max(ctx.notes.safe_lo[d], lo);
          ctx.notes.safe_hi[d] = std::min(ctx.notes.safe_hi[d], hi);
        }
      }
      if (!sp->need.empty()) {
        bool done = false;
        for (const auto& [arr, req] : ctx.notes.exchanged) done = done || (arr == &par && req.covers(sp->need));
        if (!done) {
          halo_exchange<T, N>(const_cast<array<T, N>&>(par), sp->need).wait();  // ghosts only: the block is not written
          ctx.notes.exchanged.emplace_back(&par, sp->need);
        }
      }
      const T* base = storage::origin(par);
      std::array<index_t, N> st;
      for (std::size_t d = 0; d < N; ++d) {
        base += (ctx.dst->offset[d] + sp->delta[d]) * pst[d];
        st[d] = ctx.dst->lstep[d] * pst[d];
      }
      note_alias(&par, base, st, ctx);
      return bound_data<T, N>{base, st};
    }
  }
  const auto dim_of = operand_dims(v.shape(), ctx);
  std::array<int, P> along;
  along.fill(-1);
  for (std::size_t k = 0; k < M; ++k) along[v.parent_dim(k)] = dim_of[k];
  const auto layout = v.layout();
  const auto& L = *layout;
  const T* src = storage::origin(par);
  std::array<index_t, P> sst;
  if (L.affine()) {
    for (std::size_t d = 0; d < P; ++d) {
      src += L.offset[d] * pst[d];
      sst[d] = L.lstep[d] * pst[d];
    }
  } else {
    auto packed = std::make_shared<buffer<T>>(static_cast<std::size_t>(L.dist.local_size()));
    copy_view_block(L, const_cast<T*>(storage::origin(par)), pst, packed->data(), true);
    ctx.notes.keep.push_back(packed);
    src = packed->data();
    sst = row_major_strides(L.dist.local_shape());
  }
  if constexpr (P == N) {
    bool identity = true;
    for (std::size_t d = 0; d < N; ++d) identity = identity && along[d] == static_cast<int>(d);
    if (identity && same_key(L.dist, ctx.to)) {
      if (L.affine()) note_alias(&par, src, sst, ctx);
      return bound_data<T, N>{src, sst};
    }
  }
  auto plan = cached_alignment(L.dist, ctx.to, along);
  auto buf = std::make_shared<buffer<T>>(static_cast<std::size_t>(plan->local_size()));
  plan->execute(src, sst, buf->data(), row_major_strides(plan->local_shape()));
  ctx.notes.keep.push_back(buf);
  return bound_data<T, N>{buf->data(), spread_strides<P, N>(plan->local_shape(), along)};
}

/// home_distribution's search, the part that depends on the rank only
/// (separate compilation declares it): the operands are offered in order,
/// the first one of the wanted shape wins.
template <std::size_t N>
class home_search {
 public:
  explicit home_search(const shape<N>& want) : want_(want) {}
  home_search(const home_search&) = delete;
  home_search& operator=(const home_search&) = delete;
  ~home_search();  // (below the class: compiled once per rank with separate compilation)
  /// True once an operand of the wanted shape was found.
  bool found() const noexcept { return home_ != nullptr || view_home_.has_value(); }
  /// An array operand's distribution (taken when it has the wanted shape).
  void offer(const distribution<N>& d) {
    if (wants(d.shape())) home_ = &d;
    note(d.comm());
  }
  /// True while nothing was found and `s` is the wanted shape (ask before
  /// computing a view's layout for take_view).
  bool wants(const shape<N>& s) const noexcept { return !found() && s == want_; }
  /// The layout of a view that wants() accepted the shape of: its own
  /// distribution, taken.
  void take_view(distribution<N> d) { view_home_ = std::move(d); }
  /// The communicator of an operand (the first one is the default's).
  void note(const communicator& c) noexcept {
    if (!comm_) comm_ = &c;
  }
  /// The distribution found, else the default one of the wanted shape on
  /// the first operand's communicator. Collective in that case.
  distribution<N> result() const;

 private:
  shape<N> want_;
  const distribution<N>* home_ = nullptr;
  std::optional<distribution<N>> view_home_;
  const communicator* comm_ = nullptr;
};
template <std::size_t N>
home_search<N>::~home_search() = default;
template <std::size_t N>
distribution<N> home_search<N>::result() const {  // collective: distribution's constructor (when no operand fits)
  if (home_) return *home_;
  if (view_home_) return *view_home_;
  return distribution<N>(want_, *comm_);
}

/// The distribution an expression evaluates on when it makes a new array:
/// the first array operand with the expression's shape, else the default
/// distribution of that shape on the first array's communicator.
template <class E>
distribution<std::remove_cvref_t<E>::ndim> home_distribution(const E& e) {
  constexpr std::size_t N = ndim_of<E>;
  if constexpr (is_array_v<E>) {
    return e.distribution();
  } else {
    static_assert(std::remove_cvref_t<E>::has_array, "dist: an expression needs a distributed array operand to make an array");
    home_search<N> h(e.shape());
    e.for_each_array([&]<class A>(const A& a) {
      if constexpr (is_view_v<A>) {  // a view of e's shape and its parent's rank: its own layout (no copy of elements)
        if constexpr (A::ndim == N && A::parent_ndim == N)
          if (h.wants(a.shape())) h.take_view(a.layout()->dist);
        h.note(a.parent().comm());
      } else if constexpr (A::ndim == N) {
        h.offer(a.distribution());
      } else {
        h.note(a.comm());
      }
    });
    return h.result();
  }
}

}  // namespace dist::detail

#if DIST_INLINE_DEFINITIONS
#include "bind-inl.hpp"
#endif
