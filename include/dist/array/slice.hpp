// NumPy's basic slice, dist::slice{start, stop, step}, and its normalisation
// against an extent (Python's slice.indices). The groundwork of views;
// pure, no MPI.
#pragma once

#include <optional>
#include <string>
#include <type_traits>

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
inline slice_range normalise(const slice& s, index_t n) {
  if (s.step == 0) throw index_error("dist::slice: slice step cannot be zero");
  const index_t st = s.step;
  const index_t lo_clamp = st > 0 ? 0 : -1, hi_clamp = st > 0 ? n : n - 1;
  auto adjust = [&](const std::optional<index_t>& v, index_t dflt) {
    if (!v) return dflt;
    index_t x = *v < 0 ? *v + n : *v;
    return x < lo_clamp ? lo_clamp : x > hi_clamp ? hi_clamp : x;
  };
  const index_t b = adjust(s.start, st > 0 ? 0 : n - 1);
  const index_t e = adjust(s.stop, st > 0 ? n : -1);
  index_t count = 0;
  if (st > 0 && e > b) count = (e - b + st - 1) / st;
  if (st < 0 && b > e) count = (b - e + (-st) - 1) / (-st);
  return {b, st, count};
}

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
