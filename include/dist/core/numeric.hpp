// Integer division and remainder as NumPy defines them where C++ traps:
// by zero they give 0, and the most negative value divided by -1 wraps
// (no SIGFPE). Otherwise C++'s truncating / and %.
#pragma once

#include <type_traits>

namespace dist::detail {

template <class R>
constexpr R int_divide(R a, R b) noexcept {
  if constexpr (std::is_signed_v<R>) {
    using U = std::make_unsigned_t<R>;
    if (b == -1) return static_cast<R>(U(0) - static_cast<U>(a));
  }
  return b == 0 ? R(0) : static_cast<R>(a / b);
}

template <class R>
constexpr R int_remainder(R a, R b) noexcept {
  if constexpr (std::is_signed_v<R>)
    if (b == -1) return R(0);
  return b == 0 ? R(0) : static_cast<R>(a % b);
}

/// a / b for any element types: integers through int_divide. Local.
template <class R>
constexpr R divide(R a, R b) noexcept {
  if constexpr (std::is_integral_v<R> && !std::is_same_v<R, bool>) return int_divide(a, b);
  else return a / b;
}

}  // namespace dist::detail
