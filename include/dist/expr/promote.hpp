// NumPy's type promotion for element types, and the result types of
// NumPy-named functions. C++ scalars are "weak" as in NumPy 2 (NEP 50):
// float32_array * 2.0 stays float32, int_array * 2.0 becomes double.
#pragma once

#include <complex>
#include <cstdint>
#include <type_traits>

#include "../core/types.hpp"

namespace dist::detail {


template <class T> struct real_of { using type = T; };
template <class T> struct real_of<std::complex<T>> { using type = T; };
/// The real type of T (T itself unless complex).
template <class T> using real_t = typename real_of<T>::type;

/// 0 bool, 1 integer, 2 floating, 3 complex: NumPy's kinds, in order.
template <class T>
inline constexpr int kind_of = std::is_same_v<T, bool> ? 0 : std::is_integral_v<T> ? 1 : std::is_floating_point_v<T> ? 2 : 3;

template <std::size_t Bytes, bool Signed> struct int_of_size { using type = double; };
template <> struct int_of_size<1, true> { using type = std::int8_t; };
template <> struct int_of_size<2, true> { using type = std::int16_t; };
template <> struct int_of_size<4, true> { using type = std::int32_t; };
template <> struct int_of_size<8, true> { using type = std::int64_t; };
template <> struct int_of_size<1, false> { using type = std::uint8_t; };
template <> struct int_of_size<2, false> { using type = std::uint16_t; };
template <> struct int_of_size<4, false> { using type = std::uint32_t; };
template <> struct int_of_size<8, false> { using type = std::uint64_t; };

template <class A, class B>
struct promote_impl {
  static auto pick() {
    if constexpr (std::is_same_v<A, B>) return A{};
    else if constexpr (std::is_same_v<A, bool>) return B{};
    else if constexpr (std::is_same_v<B, bool>) return A{};
    else if constexpr (is_complex_v<A> || is_complex_v<B>) {
      using R = decltype(promote_impl<real_t<A>, real_t<B>>::pick());
      if constexpr (std::is_floating_point_v<R>) return std::complex<R>{};
      else return std::complex<double>{};
    } else if constexpr (std::is_floating_point_v<A> && std::is_floating_point_v<B>) {
      if constexpr (sizeof(A) >= sizeof(B)) return A{};
      else return B{};
    } else if constexpr (std::is_floating_point_v<A> || std::is_floating_point_v<B>) {
      using F = std::conditional_t<std::is_floating_point_v<A>, A, B>;
      using I = std::conditional_t<std::is_floating_point_v<A>, B, A>;
      // NumPy: int8/int16 with float32 stay float32; wider integers need float64
      if constexpr (std::is_same_v<F, float> && sizeof(I) > 2) return double{};
      else return F{};
    } else if constexpr (std::is_signed_v<A> == std::is_signed_v<B>) {
      if constexpr (sizeof(A) >= sizeof(B)) return A{};
      else return B{};
    } else {
      using S = std::conditional_t<std::is_signed_v<A>, A, B>;
      using U = std::conditional_t<std::is_signed_v<A>, B, A>;
      if constexpr (sizeof(S) > sizeof(U)) return S{};
      else return typename int_of_size<2 * sizeof(U), true>::type{};  // int64 with uint64: double, as NumPy
    }
  }
};

/// NumPy's result type of a binary arithmetic operation on A and B.
template <class A, class B> using promote_t = decltype(promote_impl<A, B>::pick());

/// The type a weak scalar S takes next to an array of T: T when S's kind is
/// not above T's, else NumPy's promotion.
template <class T, class S> using weak_scalar_t = std::conditional_t<(kind_of<S> <= kind_of<T>), T, promote_t<T, S>>;

/// The floating type a math function computes in: T if floating or complex,
/// else double (NumPy's sqrt of an integer array is float64).
template <class T> using float_t = std::conditional_t<std::is_floating_point_v<T> || is_complex_v<T>, T, double>;

/// NumPy's accumulator type of sum/prod: bool and signed integers in int64,
/// unsigned in uint64, others as themselves.
template <class T>
using sum_t = std::conditional_t<std::is_integral_v<T>, std::conditional_t<std::is_same_v<T, bool> || std::is_signed_v<T>,
                                                                           std::int64_t, std::uint64_t>,
                                 T>;

/// NumPy's result type of mean: integers in double, floating and complex as themselves.
template <class T> using mean_t = std::conditional_t<std::is_integral_v<T>, double, T>;

}  // namespace dist::detail
