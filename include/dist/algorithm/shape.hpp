// NumPy's shape manipulation (SPEC 12): reshape, ravel, roll, concatenate,
// stack, diag, diagonal, trace, diff. Two mechanisms, no special cases:
// - moves through the C-order flat index (reshape, ravel, the flattened
//   roll, diag and diagonal) are flat plans (comm/flat.hpp): runs of flat
//   positions split in closed form against the other layout, cached;
// - moves that stay per-dimension affine (concatenate, stack, roll along an
//   axis, diff) are view assignments, so alignment plans (comm/alignment.hpp).
// Either way each element moves once, straight to its owner.
// Users' reference: docs/api.md (Shape manipulation).
#pragma once

#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "../array/array.hpp"
#include "../array/view.hpp"
#include "../comm/flat.hpp"
#include "../comm/redistribution.hpp"
#include "../core/agree.hpp"
#include "../expr/assign.hpp"
#include "../expr/operators.hpp"
#include "reductions.hpp"

namespace dist {
namespace detail {

/// `e` as an array: an array itself, else evaluated. Collective for expressions.
template <expression E>
decltype(auto) as_array(const E& e) {
  if constexpr (is_array_v<E>) return (e);
  else return eval(e);
}

/// The default block layout of `a`'s shape when `a` has unstructured dims
/// (flat plans need closed-form owners), else nullopt. Collective.
template <class T, std::size_t N>
std::optional<array<T, N>> structured_copy(const array<T, N>& a) {
  if (!has_unstructured(a.distribution())) return std::nullopt;
  return redistribute(a, distribution<N>(a.shape(), a.comm()));
}

/// Writes element s of walk `wo` over `out` from element s of walk `wa`
/// over `a` (a flat plan, cached). Layouts with unstructured dims go
/// through a block copy. `out` is an array this library just made
/// (contiguous). Collective.
template <class T, std::size_t N, std::size_t M>
void flat_move(const array<T, N>& a, const flat_walk& wa, array<T, M>& out, const flat_walk& wo, const char* op) {
  if (auto b = structured_copy(a)) return flat_move(*b, wa, out, wo, op);
  if (has_unstructured(out.distribution())) {
    array<T, M> tmp(distribution<M>(out.shape(), out.comm()), T{});
    if (wo.diagonal) tmp = out;  // diag writes only the diagonal: keep the rest
    flat_move(a, wa, tmp, wo, op);
    out = tmp;  // redistributes
    return;
  }
  const auto plan = cached_flat(a.distribution(), out.distribution(), wa, wo, op);
  buffer<T> packed;
  const auto src = packed_block(a, packed);
  plan->execute(src.data(), out.local().data());
}

/// One view argument per dim: all, except `range` along `axis`.
template <std::size_t N>
std::array<slice_or_index, N> along_axis(std::size_t axis, const slice_or_index& range) {
  std::array<slice_or_index, N> args{};
  args[axis] = range;
  return args;
}
inline slice_or_index range_arg(index_t lo, index_t hi) { return {false, slice{lo, hi}, 0}; }

/// The shape `s` with one -1 resolved against `size` elements, or
/// shape_error. Local.
template <std::size_t M>
shape<M> resolve_shape(shape<M> s, index_t size, const char* op) {
  int unknown = -1;
  index_t known = 1;
  for (std::size_t k = 0; k < M; ++k) {
    if (s[k] == -1) {
      if (unknown >= 0) throw shape_error(std::string(op) + ": can only specify one unknown dimension");
      unknown = static_cast<int>(k);
    } else if (s[k] < 0) {
      throw shape_error(std::string(op) + ": negative extent in shape " + to_string(s));
    } else {
      known *= s[k];
    }
  }
  if (unknown >= 0 && known > 0 && size % known == 0) s[static_cast<std::size_t>(unknown)] = size / known;
  if (product(s) != size || (unknown >= 0 && known == 0))
    throw shape_error(std::string(op) + ": cannot reshape an array of size " + std::to_string(size) + " into shape " +
                      to_string(s));
  return s;
}

template <class T, std::size_t N>
using array_ref = std::reference_wrapper<const array<T, N>>;

/// The common checks of concatenate and stack: one communicator, shapes
/// equal except along `axis` (concatenate) or everywhere (stack). Local.
template <class T, std::size_t N>
void check_joinable(std::span<const array_ref<T, N>> list, std::size_t axis, bool stack, const char* op) {
  if (list.empty()) throw shape_error(std::string(op) + ": need at least one array to join");
  const auto& s0 = list[0].get().shape();
  for (std::size_t i = 1; i < list.size(); ++i) {
    const auto& a = list[i].get();
    require_same_ranks(list[0].get().comm(), a.comm(), op);
    for (std::size_t d = 0; d < N; ++d)
      if (a.shape()[d] != s0[d] && (stack || d != axis))
        throw shape_error(std::string(op) + ": all input arrays must have the same shape" +
                          (stack ? std::string() : " except along axis " + std::to_string(axis)) + "; got " +
                          to_string(s0) + " and " + to_string(a.shape()));
  }
}

template <class T, std::size_t N>
std::vector<array_ref<T, N>> refs(std::initializer_list<array<T, N>> l) {
  return {l.begin(), l.end()};
}

}  // namespace detail

// ---- reshape, ravel ----

/// The elements of `e` in C order, laid out on `d` (whose size must match:
/// else shape_error on every rank). Each element moves once, straight to its
/// owner, by a cached flat plan. Collective.
template <expression E, std::size_t M>
array<detail::value_of<E>, M> reshape(const E& e, const distribution<M>& d) {
  const auto& a = detail::as_array(e);
  detail::agree(a.comm(), "dist::reshape", [&] {
    detail::require_same_ranks(a.comm(), d.comm(), "dist::reshape");
    if (detail::product(d.shape()) != detail::product(a.shape()))
      throw shape_error("dist::reshape: cannot reshape an array of shape " + detail::to_string(a.shape()) + " into shape " +
                        detail::to_string(d.shape()));
  }, detail::arg("shapes", d.shape()));
  array<detail::value_of<E>, M> out(d, uninitialized);
  const index_t n = detail::product(a.shape());
  detail::flat_move(a, detail::flat_walk::whole(n), out, detail::flat_walk::whole(n), "dist::reshape");
  return out;
}

/// The elements of `e` in C order with shape `s` (one extent may be -1), on
/// the default distribution of that shape. shape_error on every rank when
/// the sizes differ. Collective.
template <expression E, std::size_t M>
array<detail::value_of<E>, M> reshape(const E& e, const shape<M>& s) {
  const auto& a = detail::as_array(e);
  shape<M> r{};
  detail::agree(a.comm(), "dist::reshape", [&] { r = detail::resolve_shape(s, detail::product(a.shape()), "dist::reshape"); },
                detail::arg("shapes", s));
  return reshape(a, distribution<M>(r, a.comm()));
}
template <expression E, std::size_t M>
array<detail::value_of<E>, M> reshape(const E& e, const index_t (&s)[M]) {
  shape<M> sh;
  std::copy_n(s, M, sh.begin());
  return reshape(e, sh);
}

/// The elements of `e` in C order as a 1-D array (block distributed, or on
/// `d`). Always a new array (NumPy may return a view). Collective.
template <expression E>
array<detail::value_of<E>, 1> ravel(const E& e) {  // collective: reshape (agree)
  const auto& a = detail::as_array(e);
  return reshape(a, shape<1>{detail::product(a.shape())});
}
template <expression E>
array<detail::value_of<E>, 1> ravel(const E& e, const distribution<1>& d) {  // collective: reshape (agree)
  return reshape(e, d);
}

// ---- squeeze ----

namespace detail {
/// One argument per dim selecting all of it, except index 0 along the
/// squeezed dims. shape_error when a squeezed dim's extent is not 1.
template <std::size_t N>
std::array<slice_or_index, N> squeeze_args(const shape<N>& s, std::array<bool, N> drop, const char* op) {
  std::array<slice_or_index, N> args{};
  for (std::size_t d = 0; d < N; ++d)
    if (drop[d]) {
      if (s[d] != 1)
        throw shape_error(std::string(op) + ": cannot select an axis to squeeze out which has size not equal to one (axis " +
                          std::to_string(d) + " of shape " + to_string(s) + ")");
      args[d] = {true, slice{}, 0};
    }
  return args;
}
template <std::size_t N>
std::array<bool, N> one_axis(int axis, const char* op) {
  std::array<bool, N> drop{};
  drop[static_cast<std::size_t>(normalise_axis<N>(axis, op))] = true;
  return drop;
}
template <std::size_t M, std::size_t N>
std::array<bool, N> all_ones(const shape<N>& s, const char* op) {
  std::array<bool, N> drop{};
  std::size_t kept = 0;
  for (std::size_t d = 0; d < N; ++d) kept += (drop[d] = s[d] == 1) ? 0 : 1;
  if (kept != M)
    throw shape_error(std::string(op) + ": squeezing shape " + to_string(s) + " leaves " + std::to_string(kept) +
                      " dims, not " + std::to_string(M));
  return drop;
}
template <std::size_t M, class V, std::size_t N>
auto squeeze_view(V& v, const std::array<slice_or_index, N>& args) {
  if constexpr (is_view_v<V>) return v.template select<M>(args);
  else return view<V, M>(v, args);
}
}  // namespace detail

/// `a` without its extent-1 dim `axis`: a view (reads and writes `a`, as
/// NumPy's squeeze). shape_error when that extent is not 1, index_error for
/// an axis out of range. Local.
template <class T, std::size_t N>
  requires(N >= 2)
view<array<T, N>, N - 1> squeeze(array<T, N>& a, int axis) {
  return detail::squeeze_view<N - 1>(a, detail::squeeze_args(a.shape(), detail::one_axis<N>(axis, "dist::squeeze"), "dist::squeeze"));
}
template <class T, std::size_t N>
  requires(N >= 2)
view<const array<T, N>, N - 1> squeeze(const array<T, N>& a, int axis) {
  return detail::squeeze_view<N - 1>(a, detail::squeeze_args(a.shape(), detail::one_axis<N>(axis, "dist::squeeze"), "dist::squeeze"));
}
template <class A, std::size_t K>
  requires(K >= 2)
view<A, K - 1> squeeze(const view<A, K>& v, int axis) {
  return detail::squeeze_view<K - 1>(v, detail::squeeze_args(v.shape(), detail::one_axis<K>(axis, "dist::squeeze"), "dist::squeeze"));
}
/// `a` without all its extent-1 dims, M of them left (else shape_error): a view. Local.
template <std::size_t M, class T, std::size_t N>
view<array<T, N>, M> squeeze(array<T, N>& a) {
  return detail::squeeze_view<M>(a, detail::squeeze_args(a.shape(), detail::all_ones<M>(a.shape(), "dist::squeeze"), "dist::squeeze"));
}
template <std::size_t M, class T, std::size_t N>
view<const array<T, N>, M> squeeze(const array<T, N>& a) {
  return detail::squeeze_view<M>(a, detail::squeeze_args(a.shape(), detail::all_ones<M>(a.shape(), "dist::squeeze"), "dist::squeeze"));
}
template <std::size_t M, class A, std::size_t K>
view<A, M> squeeze(const view<A, K>& v) {
  return detail::squeeze_view<M>(v, detail::squeeze_args(v.shape(), detail::all_ones<M>(v.shape(), "dist::squeeze"), "dist::squeeze"));
}

// ---- roll ----

/// The flattened array rolled by `shift` (element f moves to (f + shift) mod
/// size), in `e`'s shape and distribution. Collective.
template <expression E>
auto roll(const E& e, index_t shift) {
  const auto& a = detail::as_array(e);
  using A = std::remove_cvref_t<decltype(a)>;
  detail::agree(a.comm(), "dist::roll", [] {}, detail::arg("shifts", shift));
  A out(a.distribution(), uninitialized);
  const index_t n = detail::product(a.shape());
  detail::flat_move(a, detail::flat_walk::whole(n), out, detail::flat_walk::whole(n, shift), "dist::roll");
  return out;
}

/// `e` rolled by `shift` along `axis` (negative counts from the end): two
/// view assignments, each element moved once. Collective.
template <expression E>
auto roll(const E& e, index_t shift, int axis) {
  const auto& a = detail::as_array(e);
  using A = std::remove_cvref_t<decltype(a)>;
  constexpr std::size_t N = A::ndim;
  int ax = 0;
  detail::agree(a.comm(), "dist::roll", [&] { ax = detail::normalise_axis<N>(axis, "dist::roll"); },
                detail::arg("shifts", shift), detail::arg("axes", axis));
  const auto d = static_cast<std::size_t>(ax);
  A out(a.distribution(), uninitialized);
  const index_t n = a.shape()[d];
  const index_t s = n > 0 ? ((shift % n) + n) % n : 0;
  if (s == 0) {
    out = a;
    return out;
  }
  using V = view<A, N>;
  using CV = view<const A, N>;
  V(out, detail::along_axis<N>(d, detail::range_arg(s, n))) = CV(a, detail::along_axis<N>(d, detail::range_arg(0, n - s)));
  V(out, detail::along_axis<N>(d, detail::range_arg(0, s))) = CV(a, detail::along_axis<N>(d, detail::range_arg(n - s, n)));
  return out;
}

// ---- concatenate, stack ----

/// The arrays joined along `axis` (negative counts from the end), on the
/// default distribution of the result's shape or on `d`. Each input is
/// written into its slab of the result by one cached alignment plan.
/// shape_error (every rank) when the shapes differ off the axis. The braced
/// form copies its arguments into the list (C++ initializer lists do);
/// pass `{std::cref(a), std::cref(b)}` to avoid that. Collective.
template <class T, std::size_t N>
array<T, N> concatenate(std::span<const detail::array_ref<T, N>> list, int axis = 0,
                        const std::type_identity_t<std::optional<distribution<N>>>& d = std::nullopt) {
  if (list.empty()) throw shape_error("dist::concatenate: need at least one array to join");
  const communicator& c = list[0].get().comm();
  int ax = 0;
  shape<N> s{};
  detail::agree(c, "dist::concatenate", [&] {
    ax = detail::normalise_axis<N>(axis, "dist::concatenate");
    detail::check_joinable<T, N>(list, static_cast<std::size_t>(ax), false, "dist::concatenate");
    s = list[0].get().shape();
    s[static_cast<std::size_t>(ax)] = 0;
    for (const auto& a : list) s[static_cast<std::size_t>(ax)] += a.get().shape()[static_cast<std::size_t>(ax)];
    if (d && d->shape() != s)
      throw shape_error("dist::concatenate: the result has shape " + detail::to_string(s) + ", the distribution " +
                        detail::to_string(d->shape()));
  }, detail::arg("axes", axis), detail::arg("arrays", list.size()));
  const auto dim = static_cast<std::size_t>(ax);
  array<T, N> out(d ? *d : distribution<N>(s, c), uninitialized);
  index_t off = 0;
  for (const auto& r : list) {
    const auto& a = r.get();
    const index_t n = a.shape()[dim];
    view<array<T, N>, N>(out, detail::along_axis<N>(dim, detail::range_arg(off, off + n))) = a;
    off += n;
  }
  return out;
}
template <class T, std::size_t N>
array<T, N> concatenate(std::initializer_list<detail::array_ref<T, N>> list, int axis = 0,
                        const std::type_identity_t<std::optional<distribution<N>>>& d = std::nullopt) {
  return concatenate<T, N>(std::span<const detail::array_ref<T, N>>(list.begin(), list.size()), axis, d);
}
template <class T, std::size_t N>
array<T, N> concatenate(std::initializer_list<array<T, N>> list, int axis = 0,
                        const std::type_identity_t<std::optional<distribution<N>>>& d = std::nullopt) {
  const auto r = detail::refs(list);
  return concatenate<T, N>(std::span<const detail::array_ref<T, N>>(r), axis, d);
}
template <class T, std::size_t N>
array<T, N> concatenate(const std::vector<array<T, N>>& list, int axis = 0,
                        const std::type_identity_t<std::optional<distribution<N>>>& d = std::nullopt) {
  const std::vector<detail::array_ref<T, N>> r(list.begin(), list.end());
  return concatenate<T, N>(std::span<const detail::array_ref<T, N>>(r), axis, d);
}

/// The arrays (all of one shape) stacked along a new dim `axis` (in [-N-1,
/// N]), on the default distribution of the result's shape or on `d`. Each
/// input is written into its slice of the result. Collective.
template <class T, std::size_t N>
array<T, N + 1> stack(std::span<const detail::array_ref<T, N>> list, int axis = 0,
                      const std::type_identity_t<std::optional<distribution<N + 1>>>& d = std::nullopt) {
  if (list.empty()) throw shape_error("dist::stack: need at least one array to stack");
  const communicator& c = list[0].get().comm();
  int ax = 0;
  shape<N + 1> s{};
  detail::agree(c, "dist::stack", [&] {
    ax = detail::normalise_axis<N + 1>(axis, "dist::stack");
    detail::check_joinable<T, N>(list, 0, true, "dist::stack");
    const auto& s0 = list[0].get().shape();
    for (std::size_t k = 0, j = 0; k <= N; ++k)
      s[k] = k == static_cast<std::size_t>(ax) ? static_cast<index_t>(list.size()) : s0[j++];
    if (d && d->shape() != s)
      throw shape_error("dist::stack: the result has shape " + detail::to_string(s) + ", the distribution " +
                        detail::to_string(d->shape()));
  }, detail::arg("axes", axis), detail::arg("arrays", list.size()));
  array<T, N + 1> out(d ? *d : distribution<N + 1>(s, c), uninitialized);
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::array<detail::slice_or_index, N + 1> args{};
    args[static_cast<std::size_t>(ax)] = {true, slice{}, static_cast<index_t>(i)};
    view<array<T, N + 1>, N>(out, args) = list[i].get();
  }
  return out;
}
template <class T, std::size_t N>
array<T, N + 1> stack(std::initializer_list<detail::array_ref<T, N>> list, int axis = 0,
                      const std::type_identity_t<std::optional<distribution<N + 1>>>& d = std::nullopt) {
  return stack<T, N>(std::span<const detail::array_ref<T, N>>(list.begin(), list.size()), axis, d);
}
template <class T, std::size_t N>
array<T, N + 1> stack(std::initializer_list<array<T, N>> list, int axis = 0,
                      const std::type_identity_t<std::optional<distribution<N + 1>>>& d = std::nullopt) {
  const auto r = detail::refs(list);
  return stack<T, N>(std::span<const detail::array_ref<T, N>>(r), axis, d);
}
template <class T, std::size_t N>
array<T, N + 1> stack(const std::vector<array<T, N>>& list, int axis = 0,
                      const std::type_identity_t<std::optional<distribution<N + 1>>>& d = std::nullopt) {
  const std::vector<detail::array_ref<T, N>> r(list.begin(), list.end());
  return stack<T, N>(std::span<const detail::array_ref<T, N>>(r), axis, d);
}

// ---- diag, diagonal, trace ----

/// Diagonal `k` of a 2-D `e` (k > 0 above the main one) as a new 1-D array
/// (block distributed, or on `d`); empty when k lies outside. Collective.
template <expression E>
  requires(detail::ndim_of<E> == 2)
array<detail::value_of<E>, 1> diagonal(const E& e, index_t k = 0, const std::optional<distribution<1>>& d = std::nullopt) {
  const auto& a = detail::as_array(e);
  const auto w = detail::flat_walk::diagonal_of(a.shape()[0], a.shape()[1], k);
  detail::agree(a.comm(), "dist::diagonal", [&] {
    if (d && d->shape()[0] != w.length)
      throw shape_error("dist::diagonal: the diagonal has " + std::to_string(w.length) + " elements, the distribution " +
                        std::to_string(d->shape()[0]));
  }, detail::arg("offsets", k));
  array<detail::value_of<E>, 1> out(d ? *d : distribution<1>(shape<1>{w.length}, a.comm()), uninitialized);
  detail::flat_move(a, w, out, detail::flat_walk::whole(w.length), "dist::diagonal");
  return out;
}

/// NumPy's diag: for 1-D `v`, a 2-D array of extent n + |k| with v on
/// diagonal k and zeros elsewhere (on the default layout or `d`); for 2-D,
/// diagonal(v, k). Collective.
template <expression E>
  requires(detail::ndim_of<E> == 1)
array<detail::value_of<E>, 2> diag(const E& e, index_t k = 0, const std::optional<distribution<2>>& d = std::nullopt) {
  const auto& v = detail::as_array(e);
  const index_t n = v.shape()[0] + (k < 0 ? -k : k);
  detail::agree(v.comm(), "dist::diag", [&] {
    if (d && d->shape() != shape<2>{n, n})
      throw shape_error("dist::diag: the result has shape (" + std::to_string(n) + ", " + std::to_string(n) +
                        "), the distribution " + detail::to_string(d->shape()));
  }, detail::arg("offsets", k));
  array<detail::value_of<E>, 2> out(d ? *d : distribution<2>(shape<2>{n, n}, v.comm()), detail::value_of<E>{});
  detail::flat_move(v, detail::flat_walk::whole(v.shape()[0]), out, detail::flat_walk::diagonal_of(n, n, k), "dist::diag");
  return out;
}
template <expression E>
  requires(detail::ndim_of<E> == 2)
array<detail::value_of<E>, 1> diag(const E& e, index_t k = 0, const std::optional<distribution<1>>& d = std::nullopt) {
  return diagonal(e, k, d);
}

/// The sum of diagonal `k` of a 2-D `e` (a value on every rank; integers
/// sum as NumPy's, in the widened type). Collective.
template <expression E>
  requires(detail::ndim_of<E> == 2)
auto trace(const E& e, index_t k = 0) {
  const auto& a = detail::as_array(e);
  using S = detail::sum_t<detail::value_of<E>>;
  detail::agree(a.comm(), "dist::trace", [] {}, detail::arg("offsets", k));
  const auto w = detail::flat_walk::diagonal_of(a.shape()[0], a.shape()[1], k);
  S local{};
  const auto lv = a.local();
  const auto st = lv.strides();
  const index_t lcols = a.local_shape()[1];
  const auto& D = a.distribution();
  if (!detail::has_unstructured(D)) {
    detail::my_stream_runs(detail::flat_side<2>{detail::side_input(D), D.shape(), w},
                           [&](index_t, index_t l, index_t step, index_t n) {
                             for (index_t i = 0; i < n; ++i) {
                               const index_t p = l + i * step;  // row-major local offset
                               local += static_cast<S>(lv.data()[(p / lcols) * st[0] + (p % lcols) * st[1]]);
                             }
                           });
  } else {
    const auto& m0 = D.map(0);
    const auto& m1 = D.map(1);
    for (index_t r = 0; r < a.local_shape()[0]; ++r) {
      const index_t i = m0.global_index(r), j = i - w.r0 + w.c0;
      if (i < w.r0 || j >= D.shape()[1] || j < 0 || i - w.r0 >= w.length || !m1.owns(j)) continue;
      local += static_cast<S>(lv.data()[r * st[0] + m1.local_index(j) * st[1]]);
    }
  }
  if (D.replicated()) return local;
  if constexpr (detail::predefined_arithmetic<S>) {
    detail::check_mpi(MPI_Allreduce(MPI_IN_PLACE, &local, 1, detail::mpi_type<S>(), MPI_SUM, a.comm()), "MPI_Allreduce");
  } else {
    std::vector<S> all(static_cast<std::size_t>(a.comm().size()));
    detail::check_mpi(MPI_Allgather(&local, sizeof(S), MPI_BYTE, all.data(), sizeof(S), MPI_BYTE, a.comm()), "MPI_Allgather");
    local = S{};
    for (const S& x : all) local += x;
  }
  return local;
}

// ---- diff ----

/// The n-th discrete difference along `axis` (default: the last): out[i] =
/// a[i+1] - a[i], n times; the axis shrinks by n (to 0 at most). Booleans
/// differ by !=, as NumPy's. On the layout the slices of `e` have. Collective.
template <expression E>
array<detail::value_of<E>, detail::ndim_of<E>> diff(const E& e, int n = 1, int axis = -1) {
  using T = detail::value_of<E>;
  constexpr std::size_t N = detail::ndim_of<E>;
  const auto& in = detail::as_array(e);
  int ax = 0;
  detail::agree(in.comm(), "dist::diff", [&] {
    ax = detail::normalise_axis<N>(axis, "dist::diff");
    if (n < 0) throw shape_error("dist::diff: order must be non-negative, got " + std::to_string(n));
  }, detail::arg("orders", n), detail::arg("axes", axis));
  const auto d = static_cast<std::size_t>(ax);
  const auto step = [&](const array<T, N>& a) -> array<T, N> {
    const index_t m = a.shape()[d];
    const view<const array<T, N>, N> hi(a, detail::along_axis<N>(d, detail::range_arg(std::min<index_t>(1, m), m)));
    const view<const array<T, N>, N> lo(a, detail::along_axis<N>(d, detail::range_arg(0, m > 0 ? m - 1 : 0)));
    if constexpr (std::is_same_v<T, bool>) return eval(hi != lo);
    else return eval(hi - lo);
  };
  if (n == 0) return in;
  array<T, N> a = step(in);
  for (int r = 1; r < n; ++r) {
    array<T, N> next = step(a);
    swap(a, next);
  }
  return a;
}

}  // namespace dist
