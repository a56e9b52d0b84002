// The element-wise functors (small named structs) and the NumPy-named
// functions that build nodes from them: abs ... where,
// astype<U>, vectorize(f). Each function takes expressions, and scalars where
// NumPy takes them; the functor decides the result type as NumPy does.
#pragma once

#include <cmath>
#include <complex>
#include <limits>
#include <type_traits>
#include <utility>

#include "../core/numeric.hpp"
#include "node.hpp"
#include "promote.hpp"

namespace dist {
namespace detail {

template <class T> inline constexpr bool is_integer_v = std::is_integral_v<T> && !std::is_same_v<T, bool>;
template <class T> inline constexpr bool is_bitwise_v = std::is_integral_v<T>;  // integers and bool

template <class R, class A> constexpr R as(const A& a) {
  if constexpr (is_complex_v<A> && !is_complex_v<R>) return static_cast<R>(a.real());
  else return static_cast<R>(a);
}

// ---- arithmetic and comparison ----
struct plus_op { template <class A, class B> auto operator()(A a, B b) const { using R = promote_t<A, B>; return as<R>(as<R>(a) + as<R>(b)); } };
struct minus_op { template <class A, class B> auto operator()(A a, B b) const { using R = promote_t<A, B>; return as<R>(as<R>(a) - as<R>(b)); } };
struct multiplies_op { template <class A, class B> auto operator()(A a, B b) const { using R = promote_t<A, B>; return as<R>(as<R>(a) * as<R>(b)); } };
/// Division as C++: integers truncate; by zero they give 0, as NumPy's (core/numeric.hpp).
struct divides_op { template <class A, class B> auto operator()(A a, B b) const { using R = promote_t<A, B>; return divide<R>(as<R>(a), as<R>(b)); } };
/// Integers: C++'s % (sign of the dividend). Floating: NumPy's remainder (sign of the divisor).
struct modulus_op {
  template <class A, class B>
  auto operator()(A a, B b) const {
    using R = promote_t<A, B>;
    if constexpr (std::is_floating_point_v<R>) {
      R r = std::fmod(as<R>(a), as<R>(b));
      if (r != 0 && ((r < 0) != (as<R>(b) < 0))) r += as<R>(b);
      return r;
    } else {
      return int_remainder<R>(as<R>(a), as<R>(b));
    }
  }
};
struct equal_op { template <class A, class B> bool operator()(A a, B b) const { using R = promote_t<A, B>; return as<R>(a) == as<R>(b); } };
struct not_equal_op { template <class A, class B> bool operator()(A a, B b) const { using R = promote_t<A, B>; return as<R>(a) != as<R>(b); } };
struct less_op { template <class A, class B> bool operator()(A a, B b) const { using R = promote_t<A, B>; return as<R>(a) < as<R>(b); } };
struct less_equal_op { template <class A, class B> bool operator()(A a, B b) const { using R = promote_t<A, B>; return as<R>(a) <= as<R>(b); } };
struct greater_op { template <class A, class B> bool operator()(A a, B b) const { using R = promote_t<A, B>; return as<R>(a) > as<R>(b); } };
struct greater_equal_op { template <class A, class B> bool operator()(A a, B b) const { using R = promote_t<A, B>; return as<R>(a) >= as<R>(b); } };
struct logical_and_op { template <class A, class B> bool operator()(A a, B b) const { return (a != A{}) && (b != B{}); } };
struct logical_or_op { template <class A, class B> bool operator()(A a, B b) const { return (a != A{}) || (b != B{}); } };
struct bit_and_op {
  template <class A, class B> auto operator()(A a, B b) const {
    using R = promote_t<A, B>;
    if constexpr (std::is_same_v<R, bool>) return static_cast<bool>(static_cast<int>(as<R>(a)) & static_cast<int>(as<R>(b)));  // (no branch; clang's -Wbitwise-instead-of-logical)
    else return static_cast<R>(as<R>(a) & as<R>(b));
  }
};
struct bit_or_op {
  template <class A, class B> auto operator()(A a, B b) const {
    using R = promote_t<A, B>;
    if constexpr (std::is_same_v<R, bool>) return static_cast<bool>(static_cast<int>(as<R>(a)) | static_cast<int>(as<R>(b)));  // (no branch; clang's -Wbitwise-instead-of-logical)
    else return static_cast<R>(as<R>(a) | as<R>(b));
  }
};
struct bit_xor_op { template <class A, class B> auto operator()(A a, B b) const { using R = promote_t<A, B>; return static_cast<R>(as<R>(a) ^ as<R>(b)); } };
struct shift_left_op { template <class A, class B> auto operator()(A a, B b) const { using R = promote_t<A, B>; return static_cast<R>(as<R>(a) << as<R>(b)); } };
struct shift_right_op { template <class A, class B> auto operator()(A a, B b) const { using R = promote_t<A, B>; return static_cast<R>(as<R>(a) >> as<R>(b)); } };
// the operators by name in messages
template <> inline constexpr const char* op_name<plus_op> = "operator+";
template <> inline constexpr const char* op_name<minus_op> = "operator-";
template <> inline constexpr const char* op_name<multiplies_op> = "operator*";
template <> inline constexpr const char* op_name<divides_op> = "operator/";
template <> inline constexpr const char* op_name<modulus_op> = "operator%";
template <> inline constexpr const char* op_name<equal_op> = "operator==";
template <> inline constexpr const char* op_name<not_equal_op> = "operator!=";
template <> inline constexpr const char* op_name<less_op> = "operator<";
template <> inline constexpr const char* op_name<less_equal_op> = "operator<=";
template <> inline constexpr const char* op_name<greater_op> = "operator>";
template <> inline constexpr const char* op_name<greater_equal_op> = "operator>=";
template <> inline constexpr const char* op_name<logical_and_op> = "operator&&";
template <> inline constexpr const char* op_name<logical_or_op> = "operator||";
template <> inline constexpr const char* op_name<bit_and_op> = "operator&";
template <> inline constexpr const char* op_name<bit_or_op> = "operator|";
template <> inline constexpr const char* op_name<bit_xor_op> = "operator^";
template <> inline constexpr const char* op_name<shift_left_op> = "operator<<";
template <> inline constexpr const char* op_name<shift_right_op> = "operator>>";
struct negate_op { template <class A> A operator()(A a) const { return static_cast<A>(-a); } };
struct identity_op { template <class A> A operator()(A a) const { return a; } };
struct logical_not_op { template <class A> bool operator()(A a) const { return a == A{}; } };
struct bit_not_op {
  template <class A> A operator()(A a) const {
    if constexpr (std::is_same_v<A, bool>) return !a;  // NumPy: ~ on bool is logical not
    else return static_cast<A>(~a);
  }
};

// ---- math ----
// computed in float_t<A>, as NumPy does (sqrt of an integer array is float64)
struct sqrt_op { template <class A> auto operator()(A a) const { return std::sqrt(static_cast<float_t<A>>(a)); } };
struct cbrt_op { template <class A> auto operator()(A a) const { return std::cbrt(static_cast<float_t<A>>(a)); } };
struct exp_op { template <class A> auto operator()(A a) const { return std::exp(static_cast<float_t<A>>(a)); } };
struct exp2_op { template <class A> auto operator()(A a) const { return std::exp2(static_cast<float_t<A>>(a)); } };
struct expm1_op { template <class A> auto operator()(A a) const { return std::expm1(static_cast<float_t<A>>(a)); } };
struct log_op { template <class A> auto operator()(A a) const { return std::log(static_cast<float_t<A>>(a)); } };
struct log2_op { template <class A> auto operator()(A a) const { return std::log2(static_cast<float_t<A>>(a)); } };
struct log10_op { template <class A> auto operator()(A a) const { return std::log10(static_cast<float_t<A>>(a)); } };
struct log1p_op { template <class A> auto operator()(A a) const { return std::log1p(static_cast<float_t<A>>(a)); } };
struct sin_op { template <class A> auto operator()(A a) const { return std::sin(static_cast<float_t<A>>(a)); } };
struct cos_op { template <class A> auto operator()(A a) const { return std::cos(static_cast<float_t<A>>(a)); } };
struct tan_op { template <class A> auto operator()(A a) const { return std::tan(static_cast<float_t<A>>(a)); } };
struct arcsin_op { template <class A> auto operator()(A a) const { return std::asin(static_cast<float_t<A>>(a)); } };
struct arccos_op { template <class A> auto operator()(A a) const { return std::acos(static_cast<float_t<A>>(a)); } };
struct arctan_op { template <class A> auto operator()(A a) const { return std::atan(static_cast<float_t<A>>(a)); } };
struct sinh_op { template <class A> auto operator()(A a) const { return std::sinh(static_cast<float_t<A>>(a)); } };
struct cosh_op { template <class A> auto operator()(A a) const { return std::cosh(static_cast<float_t<A>>(a)); } };
struct tanh_op { template <class A> auto operator()(A a) const { return std::tanh(static_cast<float_t<A>>(a)); } };
struct arcsinh_op { template <class A> auto operator()(A a) const { return std::asinh(static_cast<float_t<A>>(a)); } };
struct arccosh_op { template <class A> auto operator()(A a) const { return std::acosh(static_cast<float_t<A>>(a)); } };
struct arctanh_op { template <class A> auto operator()(A a) const { return std::atanh(static_cast<float_t<A>>(a)); } };

struct abs_op {
  template <class A> auto operator()(A a) const {
    if constexpr (is_complex_v<A>) return std::abs(a);
    else if constexpr (std::is_unsigned_v<A>) return a;
    else return static_cast<A>(a < A{} ? -a : a);
  }
};
struct square_op { template <class A> A operator()(A a) const { return static_cast<A>(a * a); } };
/// NumPy's sign: -1, 0, 1 (NaN stays NaN); complex: a / |a|.
struct sign_op {
  template <class A> A operator()(A a) const {
    if constexpr (is_complex_v<A>) return a == A{} ? A{} : a / std::abs(a);
    else if constexpr (std::is_floating_point_v<A>) return a > 0 ? A(1) : a < 0 ? A(-1) : a;  // 0 and NaN as given
    else return static_cast<A>((A{} < a) - (a < A{}));
  }
};
/// floor/ceil/trunc/rint: integers unchanged, floating through <cmath>.
struct floor_op { template <class A> A operator()(A a) const { if constexpr (std::is_floating_point_v<A>) return std::floor(a); else return a; } };
struct ceil_op { template <class A> A operator()(A a) const { if constexpr (std::is_floating_point_v<A>) return std::ceil(a); else return a; } };
struct trunc_op { template <class A> A operator()(A a) const { if constexpr (std::is_floating_point_v<A>) return std::trunc(a); else return a; } };
struct rint_op { template <class A> A operator()(A a) const { if constexpr (std::is_floating_point_v<A>) return std::nearbyint(a); else return a; } };

/// NumPy's power: integers by repeated squaring (a negative exponent
/// truncates as C++ division would), otherwise std::pow.
struct power_op {
  template <class A, class B> auto operator()(A a, B b) const {
    using R = promote_t<A, B>;
    if constexpr (is_integer_v<R>) {
      R base = as<R>(a), e = as<R>(b), r = 1;
      if constexpr (std::is_signed_v<R>)
        if (e < 0) return static_cast<R>(base == 1 ? 1 : base == -1 ? ((e & 1) ? -1 : 1) : 0);
      for (; e; e >>= 1, base = static_cast<R>(base * base))
        if (e & 1) r = static_cast<R>(r * base);
      return r;
    } else {
      return static_cast<R>(std::pow(as<float_t<R>>(a), as<float_t<R>>(b)));
    }
  }
};
struct arctan2_op { template <class A, class B> auto operator()(A a, B b) const { using R = float_t<promote_t<A, B>>; return std::atan2(as<R>(a), as<R>(b)); } };
struct hypot_op { template <class A, class B> auto operator()(A a, B b) const { using R = float_t<promote_t<A, B>>; return std::hypot(as<R>(a), as<R>(b)); } };
/// C's fmod: the sign of the dividend (integers: C++'s %).
struct fmod_op {
  template <class A, class B> auto operator()(A a, B b) const {
    using R = promote_t<A, B>;
    if constexpr (std::is_floating_point_v<R>) return std::fmod(as<R>(a), as<R>(b));
    else return static_cast<R>(as<R>(a) % as<R>(b));
  }
};
template <class R> bool is_nan_value(R v) {
  if constexpr (std::is_floating_point_v<R>) return std::isnan(v);
  else return false;
}
/// minimum/maximum propagate NaN; fmin/fmax ignore it (NumPy).
struct minimum_op {
  template <class A, class B> auto operator()(A a, B b) const {
    using R = promote_t<A, B>;
    const R x = as<R>(a), y = as<R>(b);
    return is_nan_value(x) ? x : (y < x || is_nan_value(y)) ? y : x;
  }
};
struct maximum_op {
  template <class A, class B> auto operator()(A a, B b) const {
    using R = promote_t<A, B>;
    const R x = as<R>(a), y = as<R>(b);
    return is_nan_value(x) ? x : (x < y || is_nan_value(y)) ? y : x;
  }
};
struct fmin_op {
  template <class A, class B> auto operator()(A a, B b) const {
    using R = promote_t<A, B>;
    const R x = as<R>(a), y = as<R>(b);
    return is_nan_value(x) ? y : (y < x) ? y : x;
  }
};
struct fmax_op {
  template <class A, class B> auto operator()(A a, B b) const {
    using R = promote_t<A, B>;
    const R x = as<R>(a), y = as<R>(b);
    return is_nan_value(x) ? y : (x < y) ? y : x;
  }
};
/// NumPy's clip: min(max(a, lo), hi); NaN in a stays NaN.
struct clip_op {
  template <class A, class L, class H> auto operator()(A a, L lo, H hi) const {
    using R = promote_t<A, promote_t<L, H>>;
    const R x = as<R>(a), l = as<R>(lo), h = as<R>(hi);
    return x < l ? l : (h < x ? h : x);
  }
};
struct where_op {
  template <class C, class X, class Y> auto operator()(C c, X x, Y y) const {
    using R = promote_t<X, Y>;
    return c != C{} ? as<R>(x) : as<R>(y);
  }
};
struct isnan_op {
  template <class A> bool operator()(A a) const {
    if constexpr (is_complex_v<A>) return std::isnan(a.real()) || std::isnan(a.imag());
    else return is_nan_value(a);
  }
};
struct isinf_op {
  template <class A> bool operator()(A a) const {
    if constexpr (is_complex_v<A>) return std::isinf(a.real()) || std::isinf(a.imag());
    else if constexpr (std::is_floating_point_v<A>) return std::isinf(a);
    else return false;
  }
};
struct isfinite_op {
  template <class A> bool operator()(A a) const {
    if constexpr (is_complex_v<A>) return std::isfinite(a.real()) && std::isfinite(a.imag());
    else if constexpr (std::is_floating_point_v<A>) return std::isfinite(a);
    else return true;
  }
};
/// NumPy's isclose: |a - b| <= atol + rtol * |b| for finite values; equal
/// infinities are close; NaN is close to NaN only with equal_nan.
struct isclose_op {
  double rtol, atol;
  bool equal_nan;
  template <class A, class B> bool operator()(A a, B b) const {
    using R = float_t<promote_t<A, B>>;
    const R x = as<R>(a), y = as<R>(b);
    const isnan_op nan;
    const isfinite_op finite;
    if (nan(x) || nan(y)) return equal_nan && nan(x) && nan(y);
    if (x == y) return true;  // equal infinities too
    if (!finite(x) || !finite(y)) return false;
    return std::abs(x - y) <= atol + rtol * std::abs(y);
  }
};
struct conj_op { template <class A> A operator()(A a) const { if constexpr (is_complex_v<A>) return std::conj(a); else return a; } };
struct real_op { template <class A> real_t<A> operator()(A a) const { if constexpr (is_complex_v<A>) return a.real(); else return a; } };
struct imag_op { template <class A> real_t<A> operator()(A a) const { if constexpr (is_complex_v<A>) return a.imag(); else return A{}; } };
template <class U>
struct cast_op { template <class A> U operator()(A a) const { return as<U>(a); } };

}  // namespace detail

/// A user callable applied element-wise: dist::vectorize(f)(e1, e2, ...)
/// builds a node calling f(x1, x2, ...) per element (scalars passed as given).
template <class F>
class vectorized {
 public:
  explicit vectorized(F f) : f_(std::move(f)) {}
  template <class... X>
    requires((expression<X> || scalar<X>) && ...) && (expression<X> || ...)
  auto operator()(X&&... x) const {
    return function_node<detail::user_fn<F>, decltype(closure(std::forward<X>(x)))...>(detail::user_fn<F>{f_},
                                                                                      closure(std::forward<X>(x))...);
  }

 private:
  template <class X> static auto closure(X&& x) {
    if constexpr (expression<X>) return detail::make_closure(std::forward<X>(x));
    else return detail::scalar_leaf<std::remove_cvref_t<X>>{x};
  }
  F f_;
};
/// Wraps `f` for element-wise use on expressions (NumPy's vectorize). Local.
template <class F>
vectorized<F> vectorize(F f) { return vectorized<F>(std::move(f)); }

/// Element-wise conversion to U (complex to real keeps the real part).
template <class U, expression E>
auto astype(E&& e) { return detail::make_node(detail::cast_op<U>{}, std::forward<E>(e)); }

// One-operand functions (lazy; nothing is computed until assignment or reduction).
template <expression E> auto abs(E&& e) { return detail::make_node(detail::abs_op{}, std::forward<E>(e)); }
template <expression E> auto sqrt(E&& e) { return detail::make_node(detail::sqrt_op{}, std::forward<E>(e)); }
template <expression E> auto cbrt(E&& e) { return detail::make_node(detail::cbrt_op{}, std::forward<E>(e)); }
template <expression E> auto square(E&& e) { return detail::make_node(detail::square_op{}, std::forward<E>(e)); }
template <expression E> auto exp(E&& e) { return detail::make_node(detail::exp_op{}, std::forward<E>(e)); }
template <expression E> auto exp2(E&& e) { return detail::make_node(detail::exp2_op{}, std::forward<E>(e)); }
template <expression E> auto expm1(E&& e) { return detail::make_node(detail::expm1_op{}, std::forward<E>(e)); }
template <expression E> auto log(E&& e) { return detail::make_node(detail::log_op{}, std::forward<E>(e)); }
template <expression E> auto log2(E&& e) { return detail::make_node(detail::log2_op{}, std::forward<E>(e)); }
template <expression E> auto log10(E&& e) { return detail::make_node(detail::log10_op{}, std::forward<E>(e)); }
template <expression E> auto log1p(E&& e) { return detail::make_node(detail::log1p_op{}, std::forward<E>(e)); }
template <expression E> auto sin(E&& e) { return detail::make_node(detail::sin_op{}, std::forward<E>(e)); }
template <expression E> auto cos(E&& e) { return detail::make_node(detail::cos_op{}, std::forward<E>(e)); }
template <expression E> auto tan(E&& e) { return detail::make_node(detail::tan_op{}, std::forward<E>(e)); }
template <expression E> auto arcsin(E&& e) { return detail::make_node(detail::arcsin_op{}, std::forward<E>(e)); }
template <expression E> auto arccos(E&& e) { return detail::make_node(detail::arccos_op{}, std::forward<E>(e)); }
template <expression E> auto arctan(E&& e) { return detail::make_node(detail::arctan_op{}, std::forward<E>(e)); }
template <expression E> auto sinh(E&& e) { return detail::make_node(detail::sinh_op{}, std::forward<E>(e)); }
template <expression E> auto cosh(E&& e) { return detail::make_node(detail::cosh_op{}, std::forward<E>(e)); }
template <expression E> auto tanh(E&& e) { return detail::make_node(detail::tanh_op{}, std::forward<E>(e)); }
template <expression E> auto arcsinh(E&& e) { return detail::make_node(detail::arcsinh_op{}, std::forward<E>(e)); }
template <expression E> auto arccosh(E&& e) { return detail::make_node(detail::arccosh_op{}, std::forward<E>(e)); }
template <expression E> auto arctanh(E&& e) { return detail::make_node(detail::arctanh_op{}, std::forward<E>(e)); }
template <expression E> auto floor(E&& e) { return detail::make_node(detail::floor_op{}, std::forward<E>(e)); }
template <expression E> auto ceil(E&& e) { return detail::make_node(detail::ceil_op{}, std::forward<E>(e)); }
template <expression E> auto trunc(E&& e) { return detail::make_node(detail::trunc_op{}, std::forward<E>(e)); }
template <expression E> auto rint(E&& e) { return detail::make_node(detail::rint_op{}, std::forward<E>(e)); }
template <expression E> auto sign(E&& e) { return detail::make_node(detail::sign_op{}, std::forward<E>(e)); }
template <expression E> auto isnan(E&& e) { return detail::make_node(detail::isnan_op{}, std::forward<E>(e)); }
template <expression E> auto isinf(E&& e) { return detail::make_node(detail::isinf_op{}, std::forward<E>(e)); }
template <expression E> auto isfinite(E&& e) { return detail::make_node(detail::isfinite_op{}, std::forward<E>(e)); }
template <expression E> auto conj(E&& e) { return detail::make_node(detail::conj_op{}, std::forward<E>(e)); }
template <expression E> auto real(E&& e) { return detail::make_node(detail::real_op{}, std::forward<E>(e)); }
template <expression E> auto imag(E&& e) { return detail::make_node(detail::imag_op{}, std::forward<E>(e)); }

/// Two operands, at least one an expression, the other may be a scalar.
template <class A, class B>
concept binary_operands = (expression<A> && (expression<B> || scalar<B>)) || (scalar<A> && expression<B>);

template <class A, class B> requires binary_operands<A, B>
auto pow(A&& a, B&& b) { return detail::make_node(detail::power_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires binary_operands<A, B>
auto arctan2(A&& a, B&& b) { return detail::make_node(detail::arctan2_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires binary_operands<A, B>
auto hypot(A&& a, B&& b) { return detail::make_node(detail::hypot_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires binary_operands<A, B>
auto fmod(A&& a, B&& b) { return detail::make_node(detail::fmod_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires binary_operands<A, B>
auto minimum(A&& a, B&& b) { return detail::make_node(detail::minimum_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires binary_operands<A, B>
auto maximum(A&& a, B&& b) { return detail::make_node(detail::maximum_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires binary_operands<A, B>
auto fmin(A&& a, B&& b) { return detail::make_node(detail::fmin_op{}, std::forward<A>(a), std::forward<B>(b)); }
template <class A, class B> requires binary_operands<A, B>
auto fmax(A&& a, B&& b) { return detail::make_node(detail::fmax_op{}, std::forward<A>(a), std::forward<B>(b)); }

/// NumPy's isclose(a, b, rtol, atol, equal_nan), element-wise (bool).
template <class A, class B> requires binary_operands<A, B>
auto isclose(A&& a, B&& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false) {
  return detail::make_node(detail::isclose_op{rtol, atol, equal_nan}, std::forward<A>(a), std::forward<B>(b));
}

/// NumPy's clip(e, lo, hi); lo and hi may be scalars or expressions.
template <expression E, class L, class H>
  requires(expression<L> || scalar<L>) && (expression<H> || scalar<H>)
auto clip(E&& e, L&& lo, H&& hi) {
  return detail::make_node(detail::clip_op{}, std::forward<E>(e), std::forward<L>(lo), std::forward<H>(hi));
}
/// NumPy's where(c, x, y): x where c is true, else y.
template <class C, class X, class Y>
  requires(expression<C> || scalar<C>) && (expression<X> || scalar<X>) && (expression<Y> || scalar<Y>) &&
          (expression<C> || expression<X> || expression<Y>)
auto where(C&& c, X&& x, Y&& y) {
  // a scalar x or y is weak next to the other branch's type (not the condition's)
  using Ref = typename detail::first_expr_value<X, Y, C>::type;
  return detail::make_node_weak_to<Ref>(detail::where_op{}, std::forward<C>(c), std::forward<X>(x), std::forward<Y>(y));
}

}  // namespace dist
