// Index types and small helpers on multi-indices shared by every layer.
#pragma once

#include <array>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>

#include "linkage.hpp"

namespace dist {

/// Signed 64-bit index: every global and local index, extent and size.
using index_t = std::int64_t;

/// A multi-index into an N-dimensional array (row-major, C order).
template <std::size_t N>
using index = std::array<index_t, N>;

/// The extents of an N-dimensional array.
template <std::size_t N>
using shape = std::array<index_t, N>;

namespace detail {

/// True for std::complex<...>.
template <class T> struct is_complex : std::false_type {};
template <class T> struct is_complex<std::complex<T>> : std::true_type {};
template <class T> inline constexpr bool is_complex_v = is_complex<T>::value;

/// Number of elements of an array of shape `s`.
template <std::size_t N>
constexpr index_t product(const shape<N>& s) noexcept {
  index_t p = 1;
  for (index_t e : s) p *= e;
  return p;
}

/// Row-major strides of shape `s` (the last dimension is contiguous).
template <std::size_t N>
constexpr std::array<index_t, N> row_major_strides(const shape<N>& s) noexcept {
  std::array<index_t, N> st{};
  index_t acc = 1;
  for (std::size_t d = N; d-- > 0;) {
    st[d] = acc;
    acc *= s[d];
  }
  return st;
}

/// Row-major flat offset of `i` in an array of shape `s`.
template <std::size_t N>
constexpr index_t flat_offset(const index<N>& i, const shape<N>& s) noexcept {
  index_t off = 0;
  for (std::size_t d = 0; d < N; ++d) off = off * s[d] + i[d];
  return off;
}

/// "(3, 4, 5)": a multi-index or shape as text, for error messages.
DIST_INLINE std::string to_string(std::span<const index_t> v);
/// Throws shape_error("`what` (a) and (b) `why`"): two shapes that do not
/// fit, the message built out of line (not in every template that checks).
[[noreturn]] DIST_INLINE void throw_shapes(const char* what, std::span<const index_t> a, std::span<const index_t> b,
                                           const char* why);
/// The type a number of type T is written as in messages: long long
/// (signed integers, bool), unsigned long long, double or long double.
template <class T>
using number_text_t =
    std::conditional_t<std::is_floating_point_v<T>, std::conditional_t<std::is_same_v<T, long double>, long double, double>,
                       std::conditional_t<std::is_signed_v<T> || std::is_same_v<T, bool>, long long, unsigned long long>>;
/// A number as std::to_string writes it (out of line: every agreement
/// names its arguments' values in its error path).
DIST_INLINE std::string describe_number(long long v);
DIST_INLINE std::string describe_number(unsigned long long v);
DIST_INLINE std::string describe_number(double v);
DIST_INLINE std::string describe_number(long double v);
/// Any arithmetic value as std::to_string writes it (through number_text_t).
template <class T>
  requires std::is_arithmetic_v<T>
std::string number_text(T v) {
  return describe_number(static_cast<number_text_t<T>>(v));
}
/// Throws shape_error("`op`: need lo < hi, got lo = `lo`, hi = `hi`"), the
/// bounds already as text (number_text).
[[noreturn]] DIST_INLINE void throw_bad_range(const char* op, const std::string& lo, const std::string& hi);
template <class Int, std::size_t N>
std::string to_string(const std::array<Int, N>& v) {
  if constexpr (std::is_same_v<Int, index_t>) {
    return to_string(std::span<const index_t>(v));
  } else {
    std::array<index_t, N> w;
    for (std::size_t d = 0; d < N; ++d) w[d] = static_cast<index_t>(v[d]);
    return to_string(std::span<const index_t>(w));
  }
}

/// Advances the multi-index `o` (a std::array or std::vector of integers)
/// to the next one of a row-major walk where dim k has extent `ext(k)` (the
/// last dim fastest); false once every index was visited. The one odometer
/// of dist (next_row below is the same over all dims but the last).
template <class O, class Ext>
bool next_index(O& o, Ext&& ext) {
  using I = std::remove_reference_t<decltype(o[0])>;
  for (std::size_t k = o.size(); k-- > 0;) {
    if (++o[k] < static_cast<I>(ext(k))) return true;
    o[k] = 0;
  }
  return false;
}

/// Advances `o` to the next row of a row-major block of extents `ls` (the
/// dims before the last, odometer-style); false once every row was visited.
template <std::size_t N>
bool next_row(index<N>& o, const shape<N>& ls) noexcept {
  for (std::size_t d = N - 1; d-- > 0;) {
    if (++o[d] < ls[d]) return true;
    o[d] = 0;
  }
  return false;
}

}  // namespace detail
}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "types-inl.hpp"
#endif
