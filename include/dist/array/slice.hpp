// NumPy's basic slice, dist::slice{start, stop, step}, and its normalisation
// against an extent (Python's slice.indices). The groundwork of views;
// pure, no MPI.
#pragma once

#include <optional>
#include <string>
#include <type_traits>

#include "../core/linkage.hpp"
#include "../core/error.hpp"
#include "../core/types.hpp"

namespace dist {

/// A slice with NumPy's rules: `slice{start}` runs to the end, stop and step
/// default to the end and 1, negative bounds count from the end, out-of-range
/// bounds clamp; std::nullopt for start or stop means "from the beginning /
/// to the end" in the step's direction (so slice{std::nullopt, std::nullopt,
/// -1} reverses).
struct slice {
  std::optional<index_t> start, stop;
  index_t step = 1;

  constexpr slice() = default;
  constexpr explicit slice(std::optional<index_t> b) : start(b) {}
  constexpr slice(std::optional<index_t> b, std::optional<index_t> e, index_t s = 1) : start(b), stop(e), step(s) {}
};

/// The whole extent, for indexing (`a(dist::all(), 3)`). Local.
inline slice all() { return {}; }

/// NumPy's None in indexing: `x(dist::all(), dist::newaxis)` has an extra
/// extent-1 dim there (a read-only operand that broadcasts; see expand_dims).
struct newaxis_t {
  explicit constexpr newaxis_t() = default;
};
inline constexpr newaxis_t newaxis{};

namespace detail {

/// The indices a slice selects from an extent n: start, start + step, ...,
/// count of them.
struct slice_range {
  index_t start = 0, step = 1, count = 0;
  friend bool operator==(const slice_range&, const slice_range&) = default;
};

/// Python's slice.indices(n) followed by len(range(...)). index_error when
/// the step is zero.
DIST_INLINE slice_range normalise(const slice& s, index_t n);

}  // namespace detail
}  // namespace dist

namespace dist::detail {

/// One argument of a[...]: a slice, or an integer index that drops its dim.
struct slice_or_index {
  bool is_index = false;
  slice s{};
  index_t i = 0;
};

template <class S>
concept slice_arg = std::is_same_v<std::remove_cvref_t<S>, slice> || std::is_integral_v<std::remove_cvref_t<S>>;

template <class S>
slice_or_index to_slice_arg(const S& s) {
  if constexpr (std::is_same_v<S, slice>) return {false, s, 0};
  else return {true, slice{}, static_cast<index_t>(s)};
}

/// dist::newaxis as an argument, and how many of them.
template <class S>
inline constexpr bool is_newaxis = std::is_same_v<std::remove_cvref_t<S>, newaxis_t>;
template <class... S>
inline constexpr std::size_t newaxes = (std::size_t{0} + ... + std::size_t{is_newaxis<S>});
template <class S>
concept index_arg = slice_arg<S> || is_newaxis<S>;

/// How many dims a view keeps: one per slice argument.
template <class... S>
inline constexpr std::size_t kept_dims = (std::size_t{0} + ... + std::size_t{std::is_same_v<std::remove_cvref_t<S>, slice>});

}  // namespace dist::detail

#if DIST_INLINE_DEFINITIONS
#include "slice-inl.hpp"
#endif
