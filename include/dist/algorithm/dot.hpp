// Inner products: dot of two 1-d expressions and the
// matrix-vector product, both fused reductions (no temporary array, the
// matrix is never gathered; a vector on another layout is moved to where
// the matrix's columns live).
#pragma once

#include <string>

#include "../expr/operators.hpp"
#include "matmul.hpp"
#include "reductions.hpp"

namespace dist {
namespace detail {
/// shape_error (on every rank: shapes are global) unless the 1-d x and y
/// have one length. Local.
template <class X, class Y>
void require_aligned_vectors(const X& x, const Y& y) {
  if (x.shape() != y.shape()) throw_shapes("dist::dot: shapes", x.shape(), y.shape(), "are not aligned");
}
}  // namespace detail

/// x · y of two 1-d expressions of the same length (no conjugation, as
/// NumPy's dot); shape_error on every rank otherwise. Collective.
template <expression X, expression Y>
  requires(detail::ndim_of<X> == 1 && detail::ndim_of<Y> == 1)
auto dot(const X& x, const Y& y) {  // collective: sum
  detail::require_aligned_vectors(x, y);
  return sum(x * y);
}

/// x · y from the reproducible sum of the products (each product rounded
/// as computed, then summed exactly): bit-identical for every rank count
/// and layout. Collective.
template <expression X, expression Y>
  requires(detail::ndim_of<X> == 1 && detail::ndim_of<Y> == 1)
auto dot(const X& x, const Y& y, reproducible_t r) {  // collective: sum
  detail::require_aligned_vectors(x, y);
  return sum(x * y, r);
}

/// NumPy's dot for matrices: 2-d · 2-d is matmul(x, y), 2-d · 1-d is
/// matvec(x, y). Collective.
template <expression X, expression Y>
  requires(detail::ndim_of<X> == 2 && detail::ndim_of<Y> == 2)
auto dot(const X& x, const Y& y) {  // collective: matmul
  return matmul(x, y);
}
/// NumPy's outer(x, y) of two 1-d expressions: out[i, j] = x[i] * y[j], on
/// the default layout of shape (len x, len y) (block rows). Collective.
template <expression X, expression Y>
  requires(detail::ndim_of<X> == 1 && detail::ndim_of<Y> == 1)
auto outer(const X& x, const Y& y) {  // collective: eval, the assignment
  const auto xa = eval(x);
  using R = detail::promote_t<detail::value_of<X>, detail::value_of<Y>>;
  array<R, 2> out(distribution<2>({x.shape()[0], y.shape()[0]}, xa.comm()), uninitialized);
  out = detail::axis_inserted<detail::value_of<X>, 1>(xa, 1) * y;  // x along rows, y along columns
  return out;
}

/// A · x for a 2-d A (n, m) and a 1-d x (m): a 1-d array distributed like
/// A's rows (A's column ranks share it when A's columns are distributed).
/// Collective; shape_error on every rank when the extents differ.
template <expression M, expression V>
  requires(detail::ndim_of<M> == 2 && detail::ndim_of<V> == 1)
auto matvec(const M& a, const V& x) {  // collective: sum
  if (a.shape()[1] != x.shape()[0])
    throw shape_error("dist::matvec: matrix of shape " + detail::to_string(a.shape()) + " and vector of shape " +
                      detail::to_string(x.shape()) + " are not aligned");
  return sum(a * x, 1);
}

template <expression X, expression Y>
  requires(detail::ndim_of<X> == 2 && detail::ndim_of<Y> == 1)
auto dot(const X& x, const Y& y) {  // collective: matvec
  return matvec(x, y);
}

}  // namespace dist
