// Assignment semantics (STYLE.md's "semantics"): what `a = e`, `a += e` and
// dist::eval mean for a distributed array. Every operand that does not
// share the destination's distribution and position is brought into a
// local buffer before the destination is written, so the right side acts as
// if evaluated first (NumPy); an aligned operand, even the destination
// itself, is read at the position being written and needs no temporary.
#pragma once

#include <type_traits>

#include "../array/array.hpp"
#include "../core/collective_check.hpp"
#include "evaluate.hpp"
#include "node.hpp"

namespace dist {
namespace detail {

template <class T, std::size_t N, class X, class Op>
void assign_expression(array<T, N>& dst, const X& x, Op op) {
  if constexpr (element<X>) {
    T* d = dst.local_data().data();
    const auto v = static_cast<weak_scalar_t<T, X>>(x);
    for (index_t i = 0, n = dst.local_size(); i < n; ++i) op(d[i], v);
  } else {
    static_assert(ndim_of<X> <= N, "dist: cannot assign an expression of higher rank than the destination");
    collective_entry(dst.comm(), "dist::array assignment", dst.distribution(), x.shape());
    (void)trailing_dims(x.shape(), dst.shape());  // shape_error on every rank before any communication
    bind_context<N> ctx{dst.distribution(), {}};
    auto b = bind(x, ctx);
    run_assign(dst.local_data().data(), dst.local_shape(), b, op);
  }
}

}  // namespace detail

/// Evaluates `e` into a new array on its home distribution (the first array
/// operand of e's shape; else the default distribution of that shape).
/// Collective.
template <expression E>
array<detail::value_of<E>, detail::ndim_of<E>> eval(const E& e) {
  if constexpr (detail::is_array_v<E>) return e;
  else return array<detail::value_of<E>, detail::ndim_of<E>>(e);
}

/// Evaluates `e` into a new array on distribution `d`. Collective.
template <expression E>
array<detail::value_of<E>, detail::ndim_of<E>> eval(const E& e, const distribution<detail::ndim_of<E>>& d) {
  array<detail::value_of<E>, detail::ndim_of<E>> out(d, uninitialized);
  detail::assign_expression(out, e, detail::assign_to{});
  return out;
}

}  // namespace dist
