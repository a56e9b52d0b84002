// Assignment semantics (xtensor's "semantics"): what `a = e`, `a += e` and
// dist::eval mean for a distributed array. Every operand that does not
// share the destination's distribution and position is brought into a
// local buffer before the destination is written, so the right side acts as
// if evaluated first (NumPy); an aligned operand, even the destination
// itself, is read at the position being written and needs no temporary.
// Users' reference: docs/api.md (Expressions), docs/numpy.md.
#pragma once

#include <type_traits>

#include "../array/array.hpp"
#include "../array/view.hpp"
#include "../core/agree.hpp"
#include "../core/collective_check.hpp"
#include "evaluate.hpp"
#include "node.hpp"

namespace dist {
namespace detail {

/// Copies the padded block `from` to `to` except the box of extents `ext`
/// at padded coordinates `at` (the part an assignment is about to
/// overwrite). Local.
template <class T, std::size_t N>
void copy_outside_box(const T* from, T* to, const shape<N>& ps, const index<N>& at, const shape<N>& ext) {
  if (product(ext) == 0) {
    std::copy_n(from, product(ps), to);
    return;
  }
  const auto st = row_major_strides(ps);
  const index_t row = ps[N - 1], lo = at[N - 1], hi = at[N - 1] + ext[N - 1];
  index<N> o{};
  do {
    index_t off = 0;
    bool inside = true;
    for (std::size_t k = 0; k + 1 < N; ++k) {
      off += o[k] * st[k];
      inside = inside && o[k] >= at[k] && o[k] < at[k] + ext[k];
    }
    if (!inside) {
      std::copy_n(from + off, row, to + off);
    } else {
      std::copy_n(from + off, lo, to + off);
      std::copy_n(from + off + hi, row - hi, to + off + hi);
    }
  } while (next_row(o, ps));
}

/// True when X reads a view (a slice or dist::shifted) anywhere: only then
/// can an operand read the destination's memory at other positions (an
/// array operand on the destination's layout reads it where it writes), so
/// only then is the in-place stencil loop compiled (one loop less per
/// statement for the rest). A node type missed here only loses that loop:
/// such statements take the spare block.
template <class E> struct reads_views : std::false_type {};
template <class A, std::size_t M> struct reads_views<view<A, M>> : std::true_type {};
template <class F, class... C> struct reads_views<function_node<F, C...>> : std::bool_constant<(reads_views<C>::value || ...)> {};
template <class C, std::size_t M> struct reads_views<expanded<C, M>> : reads_views<C> {};
template <class E> inline constexpr bool reads_views_v = reads_views<std::remove_cvref_t<E>>::value;

/// Where a fused assignment into an array writes: the destination's first
/// element and strides in the block, its position in padded coordinates,
/// its local extents, and whether it is a box (unit local steps).
template <class T, std::size_t P>
struct affine_target {
  T* first;
  std::array<index_t, P> strides;
  index<P> at;
  shape<P> extents;
  bool box;
};

/// The affine_target of ctx's destination in `par`, also given to ctx (its
/// destination's memory and strides). Depends on T and P only (separate
/// compilation declares it). Local.
template <class T, std::size_t P>
affine_target<T, P> aim_at(array<T, P>& par, bind_context<P>& ctx) {
  affine_target<T, P> t{storage::origin(par), {}, {}, ctx.to.local_shape(), true};
  const auto pst = storage::strides(par);
  for (std::size_t d = 0; d < P; ++d) {
    t.first += ctx.dst->offset[d] * pst[d];
    t.strides[d] = ctx.dst->lstep[d] * pst[d];
    t.at[d] = par.ghost_width(d) + ctx.dst->offset[d];
    t.box = t.box && (ctx.dst->lstep[d] == 1 || t.extents[d] <= 1);
  }
  ctx.dst->memory = t.first;
  ctx.dst->strides = t.strides;
  return t;
}

/// Readies `par`'s spare block to take the assignment to `t` in place of
/// the block: copies what the assignment leaves (everything outside its box
/// when `box_overwritten`, else the whole block). Returns where `t.first`
/// lies in the spare. Local.
template <class T, std::size_t P>
T* spare_for(array<T, P>& par, const affine_target<T, P>& t, bool box_overwritten) {
  buffer<T>& old = storage::data(par);
  buffer<T>& fresh = storage::spare(par);
  const index_t base = storage::padded_base(par) - old.data();  // (past the slack rows)
  if (box_overwritten) copy_outside_box(old.data() + base, fresh.data() + base, storage::padded_shape(par), t.at, t.extents);
  else std::copy_n(old.data(), old.size(), fresh.data());
  return fresh.data() + (t.first - old.data());
}

/// The fused assignment into `par`'s memory at ctx's (affine) destination
/// positions: grows the ghosts stencil operands need, binds, and runs the
/// loop; when an operand reads the destination at other positions (a
/// stencil reading its own target), the result goes into the parent's spare
/// block, which then becomes the block (only the part outside the
/// destination is copied over). Collective.
template <class T, std::size_t P, class X, class Op, class Wait = std::nullptr_t>
void evaluate_affine(array<T, P>& par, bind_context<P>& ctx, const X& x, Op op, Wait wait = nullptr) {
  prepare(x, ctx);
  const affine_target<T, P> t = aim_at(par, ctx);
  const auto& dst_st = t.strides;
  const shape<P>& ls = t.extents;
  auto b = bind(x, ctx);
  T* out = t.first;
  // a stencil reading its own target in place, through a short queue of
  // computed pieces, when its reads share the destination's strides and
  // reach back less than a quarter of the block (else: the spare block).
  // Not with user code: a callable throwing on one rank must leave every
  // rank's array as it was, which only the spare block (never swapped in) does.
  // A stencil repeated in a loop switches to the spare block (two blocks
  // swapped) once its first touch has been spread over a few statements
  // (storage::stencil_into_spare).
  constexpr bool may_lag = std::is_same_v<Wait, std::nullptr_t> && !has_user_code_v<X> && reads_views_v<X>;
  bool lagged = false;
  if constexpr (may_lag)
    lagged = ctx.notes.hazard && ctx.notes.alias_same_strides && rows_ascend(dst_st, ls) &&
             lag_elements(ctx.notes.alias_lowest, ls[P - 1], dst_st[P - 1]) <= std::max<index_t>(index_t{1} << 16, product(ls) / 4) &&
             !storage::stencil_into_spare(par);
  if (ctx.notes.hazard && !lagged) out = spare_for(par, t, t.box && std::is_same_v<Op, assign_to>);
  const auto loop = [&] {
    if constexpr (may_lag) {
      if (lagged) run_assign_lagged(out, dst_st, ls, b, op, ctx.notes.alias_lowest);
      else run_assign(out, dst_st, ls, b, op);
    } else if constexpr (std::is_same_v<Wait, std::nullptr_t>) {
      run_assign(out, dst_st, ls, b, op);
    } else {  // the positions that read no ghost first, while the exchange is in flight
      index<P> in_lo{}, in_hi = ls;
      if (ctx.notes.reads_ghosts)
        for (std::size_t d = 0; d < P; ++d) {
          in_lo[d] = std::min(ctx.notes.safe_lo[d], ls[d]);
          in_hi[d] = std::max(in_lo[d], ctx.notes.safe_hi[d]);
        }
      shape<P> in_ext;
      for (std::size_t d = 0; d < P; ++d) in_ext[d] = in_hi[d] - in_lo[d];
      run_assign_box(out, dst_st, in_lo, in_ext, b, op);
      wait();
      for_each_rim_box(ls, in_lo, in_hi, [&](const index<P>& lo, const shape<P>& ext) { run_assign_box(out, dst_st, lo, ext, b, op); });
    }
  };
  if constexpr (has_user_code_v<X>) agree_on_errors(par.comm(), loop);  // a user callable threw on some rank: on every rank
  else loop();
  if (ctx.notes.hazard && !lagged) storage::swap_spare(par);
}

/// Digest of the layouts of x's array operands (views: their parent's
/// layout and their shape), for DIST_CHECK_COLLECTIVES: ranks assigning
/// from operands on different layouts would communicate differently. Local.
template <class X>
std::uint64_t operand_layouts(const X& x, const communicator& c) {
  arg_hash h;
  // (an operand on other ranks is left out: binding reports it, on every rank)
  const auto layout = [&](const auto& d) { h.add(same_ranks(d.comm(), c) ? d.signature() : std::uint64_t{0}); };
  const auto visit = [&](const auto& a) {
    if constexpr (requires { a.parent(); }) {
      layout(a.parent().distribution());
      h.add(a.shape());
    } else {
      layout(a.distribution());
    }
  };
  if constexpr (is_array_v<X>) visit(x);
  else if constexpr (requires { x.for_each_array(visit); }) x.for_each_array(visit);
  return h.value();
}

template <class T, std::size_t N, class X, class Op, class Wait>
void assign_expression(array<T, N>& dst, const X& x, Op op, Wait wait) {
  if constexpr (element<X>) {
    (void)wait;
    const auto v = static_cast<weak_scalar_t<T, X>>(x);
    auto lv = dst.local();
    for_each_block_row(lv.data(), lv.strides(), lv.extents(), [&](T* d, index_t n) {
      for (index_t i = 0; i < n; ++i) op(d[i], v);
    });
  } else {
    static_assert(ndim_of<X> <= N, "dist: cannot assign an expression of higher rank than the destination");
    if constexpr (check_collectives)
      collective_entry(dst.comm(), "dist::array assignment", dst.distribution(), x.shape(), operand_layouts(x, dst.comm()));
    (void)trailing_dims(x.shape(), dst.shape(), "dist::array assignment");  // shape_error on every rank before any communication
    bind_context<N> ctx{dst.distribution()};
    ctx.dst = destination<N>::whole(dst);
    evaluate_affine(dst, ctx, x, op, wait);
  }
}

template <class A, std::size_t M, class X, class Op, class Wait>
void assign_view(const view<A, M>& v, const X& x, Op op, Wait wait) {
  (void)wait;
  using T = typename view<A, M>::value_type;
  constexpr std::size_t P = view<A, M>::parent_ndim;
  static_assert(!std::is_const_v<A>, "dist: cannot assign to a view of a const array");
  auto& par = v.parent();
  if constexpr (!element<X>) {
    static_assert(ndim_of<X> <= M, "dist: cannot assign an expression of higher rank than the view");
    if constexpr (check_collectives)
      collective_entry(par.comm(), "dist::view assignment", par.distribution(), x.shape(), v.shape(), operand_layouts(x, par.comm()));
    (void)trailing_dims(x.shape(), v.shape(), "dist::view assignment");  // shape_error on every rank before any communication
  }
  const auto layout = v.layout();
  const auto& L = *layout;
  if constexpr (element<X>) {
    const auto val = static_cast<weak_scalar_t<T, X>>(x);
    const auto ls = L.dist.local_shape();
    if (L.affine()) {
      T* d = storage::origin(par);
      const auto pst = storage::strides(par);
      std::array<index_t, P> st;
      for (std::size_t k = 0; k < P; ++k) {
        d += L.offset[k] * pst[k];
        st[k] = L.lstep[k] * pst[k];
      }
      for_each_block_row(d, st, ls, [&](T* r, index_t n) {
        for (index_t i = 0; i < n; ++i) op(r[i * st[P - 1]], val);
      });
    } else {
      buffer<T> tmp(static_cast<std::size_t>(product(ls)));
      copy_view_block(L, storage::origin(par), storage::strides(par), tmp.data(), true);
      for (std::size_t i = 0; i < tmp.size(); ++i) op(tmp.data()[i], val);
      copy_view_block(L, storage::origin(par), storage::strides(par), tmp.data(), false);
    }
  } else {
    bind_context<P> ctx{L.dist};
    ctx.space.rank = M;
    for (std::size_t k = 0; k < M; ++k) {
      ctx.space.extents[k] = v.shape()[k];
      ctx.space.dim_of[k] = static_cast<int>(v.parent_dim(k));
    }
    if (L.affine()) {
      destination<P> to;
      to.array = &par;
      to.dist = &par.distribution();
      for (std::size_t d = 0; d < P; ++d) {
        to.start[d] = v.ranges()[d].start;
        to.step[d] = v.ranges()[d].step;
      }
      to.offset = L.offset;
      to.lstep = L.lstep;
      to.blocky = L.blocky;
      ctx.dst = to;
      evaluate_affine(par, ctx, x, op, wait);
    } else {  // scattered destination: evaluate into a buffer, then put it in place
      const auto ls = L.dist.local_shape();
      buffer<T> tmp(static_cast<std::size_t>(product(ls)));
      if (!std::is_same_v<Op, assign_to>) copy_view_block(L, storage::origin(par), storage::strides(par), tmp.data(), true);
      if constexpr (!std::is_same_v<Wait, std::nullptr_t>) wait();
      auto b = bind(x, ctx);
      const auto loop = [&] { run_assign(tmp.data(), row_major_strides(ls), ls, b, op); };
      if constexpr (has_user_code_v<X>) agree_on_errors(par.comm(), loop);
      else loop();
      copy_view_block(L, storage::origin(par), storage::strides(par), tmp.data(), false);
    }
  }
}

}  // namespace detail

/// dst = e (dst an array or a view of one), overlapping halo exchange `h`
/// with the work: the elements whose dist::shifted operands read no ghost
/// are computed while h's messages are in flight, then h.wait(), then the
/// rest. Same result as `h.wait(); dst = e;`. Collective.
template <class D, expression E, class T, std::size_t N>
void assign_overlapped(D&& dst, const E& e, halo_exchange<T, N>& h) {  // collective: assign_view / assign_expression
  using DD = std::remove_cvref_t<D>;
  auto wait = [&] { h.wait(); };
  if constexpr (detail::is_view_v<DD>) {
    detail::assign_view(dst, e, detail::assign_to{}, wait);
  } else {
    detail::assign_expression(dst, e, detail::assign_to{}, wait);
  }
}

/// Evaluates `e` into a new array on its home distribution (the first array
/// operand of e's shape; else the default distribution of that shape).
/// Collective.
template <expression E>
array<detail::value_of<E>, detail::ndim_of<E>> eval(const E& e) {  // collective: the array's constructor
  if constexpr (detail::is_array_v<E>) return e;
  else return array<detail::value_of<E>, detail::ndim_of<E>>(e);
}

namespace detail {
struct same_element {};  // *_like's default: the expression's element type
template <class U, class E>
using like_t = std::conditional_t<std::is_same_v<U, same_element>, value_of<E>, U>;
}  // namespace detail

/// NumPy's *_like for an array or an expression, with element type U
/// (default: e's): `dist::zeros_like<int>(a + b)`. The result lives on e's
/// home distribution (its first array operand of e's shape). Collective.
template <class U = detail::same_element, expression E>
auto empty_like(const E& e) {  // collective: home_distribution, the array
  return array<detail::like_t<U, E>, detail::ndim_of<E>>(detail::home_distribution(e), uninitialized);
}
template <class U = detail::same_element, expression E>
auto zeros_like(const E& e) {  // collective: home_distribution
  return array<detail::like_t<U, E>, detail::ndim_of<E>>(detail::home_distribution(e));
}
template <class U = detail::same_element, expression E>
auto ones_like(const E& e) {  // collective: home_distribution
  return array<detail::like_t<U, E>, detail::ndim_of<E>>(detail::home_distribution(e), detail::like_t<U, E>(1));
}
template <class U = detail::same_element, expression E, class V>
auto full_like(const E& e, const V& v) {  // collective: home_distribution
  return array<detail::like_t<U, E>, detail::ndim_of<E>>(detail::home_distribution(e), static_cast<detail::like_t<U, E>>(v));
}

/// Evaluates `e` into a new array on distribution `d`. Collective.
template <expression E>
array<detail::value_of<E>, detail::ndim_of<E>> eval(const E& e, const distribution<detail::ndim_of<E>>& d) {  // collective: assign_expression
  array<detail::value_of<E>, detail::ndim_of<E>> out(d, uninitialized);
  detail::assign_expression(out, e, detail::assign_to{});
  return out;
}

}  // namespace dist
