// Whole-array comparisons, NumPy's allclose and array_equal: a bool on
// every rank, one fused pass and one reduction. isclose (element-wise) is
// in expr/functions.hpp.
// Users' reference: docs/api.md (Reductions and linear algebra).
#pragma once

#include "../expr/functions.hpp"
#include "../expr/operators.hpp"
#include "reductions.hpp"

namespace dist {

/// True when every element of a and b (broadcast as NumPy does) is close:
/// all(isclose(a, b, rtol, atol, equal_nan)). shape_error on every rank
/// when the shapes do not broadcast. Collective.
template <class A, class B>
  requires binary_operands<A, B>
bool allclose(const A& a, const B& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false) {
  return all(isclose(a, b, rtol, atol, equal_nan));  // collective: all
}

/// True when a and b have the same shape and equal elements (NaN is not
/// equal to NaN, as NumPy's default); false for different shapes.
/// Collective (when the shapes agree).
template <expression A, expression B>
bool array_equal(const A& a, const B& b) {  // collective: all
  if constexpr (detail::ndim_of<A> != detail::ndim_of<B>) {
    return false;
  } else {
    if (a.shape() != b.shape()) return false;  // global: the same on every rank
    return all(a == b);
  }
}

}  // namespace dist
