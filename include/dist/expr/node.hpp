// Expression nodes (xtensor's "node"): operand closures and the function
// node that combines them lazily. An lvalue array is held by reference, an
// rvalue array or a sub-expression by value, so `auto e = a + b * 2;` never
// dangles while a and b live. Shapes broadcast as NumPy's at construction.
#pragma once

#include <algorithm>
#include <array>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

#include "../core/linkage.hpp"
#include "../array/array.hpp"
#include "../array/view.hpp"
#include "../core/error.hpp"
#include "../core/types.hpp"
#include "promote.hpp"

namespace dist {
namespace detail {

template <class T> inline constexpr bool is_array_v = is_dist_array<std::remove_cvref_t<T>>::value;

/// Slot I of an operand_pack.
template <std::size_t I, class T>
struct pack_slot {
  T value;
};
template <class Seq, class... T>
struct pack_base;
template <std::size_t... I, class... T>
struct pack_base<std::index_sequence<I...>, T...> : pack_slot<I, T>... {
  /// f(operand...), in order.
  template <class F>
  decltype(auto) unpack(F&& f) const {
    return f(static_cast<const pack_slot<I, T>&>(*this).value...);
  }
};
/// The operands of a node or of a bound function: a tuple reached only
/// through unpack(f), which costs the compiler one instantiation per use
/// (std::apply over a std::tuple costs about ten per use and operand, which
/// every expression type paid). An aggregate: operand_pack<A, B>{{{a}, {b}}}
/// initialises left to right.
template <class... T>
struct operand_pack : pack_base<std::index_sequence_for<T...>, T...> {};

/// Operand closure of an array: by reference (Owned = false) or by value.
template <class T, std::size_t N, bool Owned>
class array_leaf {
 public:
  using value_type = T;
  static constexpr std::size_t ndim = N;
  static constexpr bool has_array = true;
  explicit array_leaf(const array<T, N>& a) requires(!Owned) : a_(&a) {}
  explicit array_leaf(array<T, N>&& a) requires(Owned) : a_(std::move(a)) {}
  const array<T, N>& get() const noexcept {
    if constexpr (Owned) return a_;
    else return *a_;
  }
  const dist::shape<N>& shape() const noexcept { return get().shape(); }
  template <class V> void for_each_array(V&& v) const { v(get()); }

 private:
  std::conditional_t<Owned, array<T, N>, const array<T, N>*> a_;
};

/// A scalar operand, already converted to the type it computes in.
template <class S>
struct scalar_leaf {
  using value_type = S;
  static constexpr std::size_t ndim = 0;
  static constexpr bool has_array = false;
  S value;
  dist::shape<0> shape() const noexcept { return {}; }
  template <class V> void for_each_array(V&&) const {}
};

/// The operation of a node with functor F, for messages ("operator+";
/// functions.hpp names the operators).
template <class F>
inline constexpr const char* op_name = "an element-wise function";

/// `shapes` broadcast together by NumPy's rule (trailing dims; extent 1
/// stretches) into `out` (filled with 1 first), or shape_error naming the
/// operation `what` and the shapes. One copy, not one per expression.
DIST_INLINE void broadcast_into(std::span<index_t> out, const char* what, std::initializer_list<std::span<const index_t>> shapes);

/// Shapes broadcast together (broadcast_into) as a shape of rank R.
template <std::size_t R, std::size_t... M>
dist::shape<R> broadcast_shapes(const char* what, const dist::shape<M>&... s) {
  dist::shape<R> out;
  broadcast_into(out, what, {std::span<const index_t>(s)...});
  return out;
}

}  // namespace detail

/// A lazy element-wise expression: functor F applied to operand closures C.
/// Evaluated by assignment, by dist::eval, or fused into a reduction.
template <class F, class... C>
class function_node {
 public:
  using dist_node_tag = void;
  using value_type = std::remove_cvref_t<std::invoke_result_t<const F&, typename C::value_type...>>;
  static constexpr std::size_t ndim = std::max({std::size_t{0}, C::ndim...});
  static constexpr bool has_array = (C::has_array || ...);
  static_assert(ndim >= 1, "dist: an expression needs at least one array operand");

  explicit function_node(F f, C... c)
      : f_(std::move(f)), ops_{{{std::move(c)}...}},
        shape_(ops_.unpack([](const auto&... o) { return detail::broadcast_shapes<ndim>(detail::op_name<F>, o.shape()...); })) {}

  const dist::shape<ndim>& shape() const noexcept { return shape_; }
  index_t size() const noexcept { return detail::product(shape_); }
  const F& functor() const noexcept { return f_; }
  /// The operands (call operands().unpack(f) for f(operand...)).
  const detail::operand_pack<C...>& operands() const noexcept { return ops_; }
  template <class V> void for_each_array(V&& v) const {
    ops_.unpack([&](const auto&... o) { (o.for_each_array(v), ...); });
  }

 private:
  F f_;
  detail::operand_pack<C...> ops_;
  dist::shape<ndim> shape_;
};

/// An operand with extent-1 dims inserted (dist::newaxis, expand_dims):
/// dim k of the result is dim src_of[k] of the operand C, or a new
/// extent-1 dim where src_of[k] is -1. Read-only; evaluated by binding C
/// with its dims laid along the result's (no copy, no communication of
/// its own).
template <class C, std::size_t M>
class expanded {
 public:
  using dist_node_tag = void;
  using value_type = typename C::value_type;
  static constexpr std::size_t ndim = M;
  static constexpr bool has_array = C::has_array;

  expanded(C c, const std::array<int, M>& src_of) : c_(std::move(c)), src_of_(src_of) {
    for (std::size_t k = 0; k < M; ++k) shape_[k] = src_of[k] < 0 ? 1 : c_.shape()[static_cast<std::size_t>(src_of[k])];
  }
  const dist::shape<M>& shape() const noexcept { return shape_; }
  index_t size() const noexcept { return detail::product(shape_); }
  const C& operand() const noexcept { return c_; }
  const std::array<int, M>& src_of() const noexcept { return src_of_; }
  template <class V> void for_each_array(V&& v) const { c_.for_each_array(v); }

 private:
  C c_;
  std::array<int, M> src_of_;
  dist::shape<M> shape_{};
};

/// Data every rank holds whole (row-major), as an operand: read locally,
/// never communicated. The data must outlive the expression. Local.
template <class T, std::size_t N>
class replicated_operand {
 public:
  using dist_node_tag = void;
  using value_type = T;
  static constexpr std::size_t ndim = N;
  static constexpr bool has_array = false;
  replicated_operand(std::span<const T> data, const dist::shape<N>& s) : data_(data), shape_(s) {
    for (index_t e : s)
      if (e < 0) throw shape_error("dist::replicated: negative extent in shape " + detail::to_string(s));
    if (static_cast<index_t>(data.size()) != detail::product(s))
      throw shape_error("dist::replicated: " + std::to_string(data.size()) + " elements do not fill shape " +
                        detail::to_string(s));
  }
  std::span<const T> data() const noexcept { return data_; }
  const dist::shape<N>& shape() const noexcept { return shape_; }
  template <class V> void for_each_array(V&&) const {}

 private:
  std::span<const T> data_;
  dist::shape<N> shape_;
};

/// `data` (the same on every rank, row-major) as an operand of the given
/// shape; shape_error when the sizes differ. Local.
template <class T, std::size_t N>
replicated_operand<T, N> replicated(std::span<const T> data, const shape<N>& s) { return {data, s}; }
template <class T, std::size_t N>
replicated_operand<T, N> replicated(std::span<const T> data, const index_t (&s)[N]) {
  shape<N> sh;
  std::copy_n(s, N, sh.begin());
  return {data, sh};
}
template <class T, std::size_t N>
replicated_operand<T, N> replicated(const std::vector<T>& data, const index_t (&s)[N]) {
  return replicated(std::span<const T>(data), s);
}
template <class T>
replicated_operand<T, 1> replicated(const std::vector<T>& data) {
  return {std::span<const T>(data), shape<1>{static_cast<index_t>(data.size())}};
}

namespace detail {

/// A user's callable inside a node (dist::vectorize): it may throw on some
/// ranks only, so evaluations containing one agree on errors afterwards.
template <class F>
struct user_fn {
  F f;
  template <class... A>
  decltype(auto) operator()(A&&... a) const {
    return f(std::forward<A>(a)...);
  }
};

/// True when evaluating E runs user code (a vectorized callable).
template <class E> struct has_user_code : std::false_type {};
template <class F, class... C>
struct has_user_code<function_node<F, C...>> : std::bool_constant<(has_user_code<C>::value || ...)> {};
template <class F, class... C>
struct has_user_code<function_node<user_fn<F>, C...>> : std::true_type {};
template <class C, std::size_t M>
struct has_user_code<expanded<C, M>> : has_user_code<C> {};
template <class E> inline constexpr bool has_user_code_v = has_user_code<std::remove_cvref_t<E>>::value;

template <class E> struct is_node_t : std::bool_constant<requires { typename E::dist_node_tag; }> {};

/// True for types dist evaluates element-wise: arrays and expression nodes.
template <class E>
inline constexpr bool is_expression_v = is_array_v<E> || is_node_t<std::remove_cvref_t<E>>::value;

/// The closure type an operand is held as inside a node.
template <class E>
auto make_closure(E&& e) {
  using D = std::remove_cvref_t<E>;
  if constexpr (is_array_v<D>) {
    if constexpr (std::is_lvalue_reference_v<E>) return array_leaf<typename D::value_type, D::ndim, false>(e);
    else return array_leaf<typename D::value_type, D::ndim, true>(std::move(e));
  } else {
    return D(std::forward<E>(e));
  }
}
template <class E> using closure_t = decltype(make_closure(std::declval<E>()));

}  // namespace detail

/// Anything that evaluates element-wise over a distributed index space.
template <class E>
concept expression = detail::is_expression_v<E>;

/// A scalar operand: any element type.
template <class S>
concept scalar = element<std::remove_cvref_t<S>>;

namespace detail {
/// The value type and rank of an expression or array.
template <class E> using value_of = typename std::remove_cvref_t<E>::value_type;
template <class E> inline constexpr std::size_t ndim_of = std::remove_cvref_t<E>::ndim;

/// A node applying `f` to the operands (expressions; scalars become weak
/// scalars of the type they compute in next to `weak_ref`).
template <class Ref, class X>
auto operand(X&& x) {
  if constexpr (is_expression_v<X>) return make_closure(std::forward<X>(x));
  else return scalar_leaf<weak_scalar_t<Ref, std::remove_cvref_t<X>>>{static_cast<weak_scalar_t<Ref, std::remove_cvref_t<X>>>(x)};
}
template <class X> struct ref_type { using type = value_of<X>; };

/// The element type a scalar meets: the value type of the first expression among the operands.
template <class... X>
struct first_expr_value;
template <class X, class... Rest>
struct first_expr_value<X, Rest...> {
  using type = typename std::conditional_t<is_expression_v<X>, ref_type<X>, first_expr_value<Rest...>>::type;
};
template <>
struct first_expr_value<> {
  using type = void;
};

template <class Ref, class F, class... X>
auto make_node_weak_to(F f, X&&... x) {
  return function_node<F, decltype(operand<Ref>(std::forward<X>(x)))...>(std::move(f), operand<Ref>(std::forward<X>(x))...);
}
/// A node applying f to the operands; scalars are weak next to the first expression's type.
template <class F, class... X>
auto make_node(F f, X&&... x) {
  return make_node_weak_to<typename first_expr_value<X...>::type>(std::move(f), std::forward<X>(x)...);
}
}  // namespace detail

/// `e` with a new extent-1 dim at `axis` (in [-N-1, N]; negative counts
/// from the end of the result's dims): a read-only operand, as NumPy's
/// expand_dims (which gives a view). index_error for an axis out of range.
/// Local.
template <expression E>
auto expand_dims(E&& e, int axis) {
  constexpr std::size_t N = detail::ndim_of<E>;
  const int n = static_cast<int>(N) + 1;
  if (axis < -n || axis >= n)
    throw index_error("dist::expand_dims: axis " + std::to_string(axis) + " is out of bounds for a result of dimension " +
                      std::to_string(n));
  const auto ax = static_cast<std::size_t>(axis < 0 ? axis + n : axis);
  std::array<int, N + 1> src_of;
  for (std::size_t k = 0, j = 0; k <= N; ++k) src_of[k] = k == ax ? -1 : static_cast<int>(j++);
  return expanded<detail::closure_t<E>, N + 1>(detail::make_closure(std::forward<E>(e)), src_of);
}

namespace detail {
/// p(s...) with dist::newaxis among s: the view of the other arguments,
/// with the new dims inserted where the newaxis arguments stand.
template <class P, class... S>
auto index_with_newaxes(const P& p, const S&... s) {
  constexpr std::size_t K = kept_dims<S...>, M = K + newaxes<S...>, A = sizeof...(S) - newaxes<S...>;
  static_assert(K >= 1, "dist: indexing with newaxis needs at least one slice");
  std::array<slice_or_index, A> args;
  std::array<int, M> src_of;
  std::size_t a = 0, k = 0;
  int j = 0;
  auto one = [&]<class X>(const X& x) {
    if constexpr (is_newaxis<X>) {
      src_of[k++] = -1;
    } else {
      args[a++] = to_slice_arg(x);
      if constexpr (std::is_same_v<X, slice>) src_of[k++] = j++;
    }
  };
  (one(s), ...);
  if constexpr (is_array_v<P>) {
    return expanded<view<const P, K>, M>(view<const P, K>(p, args), src_of);
  } else {
    auto v = p.template select<K>(args);
    return expanded<decltype(v), M>(v, src_of);
  }
}
}  // namespace detail

}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "node-inl.hpp"
#endif
