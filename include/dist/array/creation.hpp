// Creation functions: empty, zeros, ones, full, *_like,
// fromfunction, arange, linspace, logspace, eye, identity.
// Users' reference: docs/api.md (Arrays).
#pragma once

#include <cmath>
#include <concepts>
#include <functional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../core/linkage.hpp"
#include "array.hpp"

namespace dist {
namespace detail {

template <std::size_t N>
shape<N> to_shape(const index_t (&s)[N]) {
  shape<N> r;
  for (std::size_t d = 0; d < N; ++d) r[d] = s[d];
  return r;
}
template <std::size_t N>
std::array<dim_spec, N> to_specs(const dim_spec (&s)[N]) {
  std::array<dim_spec, N> r;
  for (std::size_t d = 0; d < N; ++d) r[d] = s[d];
  return r;
}

/// A creation function over every form dist accepts for D: a distribution, a
/// shape and a communicator, or a shape, per-dim specs, a communicator and an
/// optional grid; the function's own arguments follow D. `Make` builds the
/// array from a distribution.
template <class T, class Make>
struct creator {
  template <std::size_t N, class... A>
  array<T, N> operator()(const distribution<N>& d, A&&... a) const {
    return Make{}.template operator()<T>(d, std::forward<A>(a)...);
  }
  template <std::size_t N, class... A>
  array<T, N> operator()(const shape<N>& s, comm_ref c, A&&... a) const {
    return (*this)(distribution<N>(s, c), std::forward<A>(a)...);
  }
  template <std::size_t N, class... A>
  array<T, N> operator()(const index_t (&s)[N], comm_ref c, A&&... a) const {
    return (*this)(distribution<N>(to_shape(s), c), std::forward<A>(a)...);
  }
  template <std::size_t N, class... A>
  array<T, N> operator()(const index_t (&s)[N], const dim_spec (&sp)[N], comm_ref c, A&&... a) const {
    return (*this)(distribution<N>(to_shape(s), to_specs(sp), c), std::forward<A>(a)...);
  }
  template <std::size_t N, class... A>
  array<T, N> operator()(const index_t (&s)[N], const dim_spec (&sp)[N], comm_ref c, const grid& g, A&&... a) const {
    return (*this)(distribution<N>(to_shape(s), to_specs(sp), c, g), std::forward<A>(a)...);
  }
};

struct make_empty {
  template <class T, std::size_t N>
  array<T, N> operator()(const distribution<N>& d) const {
    collective_entry(d.comm(), "dist::empty", d);
    return array<T, N>(d, uninitialized);
  }
};
struct make_zeros {
  template <class T, std::size_t N>
  array<T, N> operator()(const distribution<N>& d) const {
    collective_entry(d.comm(), "dist::zeros", d);
    return array<T, N>(d, T(0));
  }
};
struct make_ones {
  template <class T, std::size_t N>
  array<T, N> operator()(const distribution<N>& d) const {
    collective_entry(d.comm(), "dist::ones", d);
    return array<T, N>(d, T(1));
  }
};
struct make_full {
  template <class T, std::size_t N, class V>
  array<T, N> operator()(const distribution<N>& d, const V& v) const {
    collective_entry(d.comm(), "dist::full", d);
    return array<T, N>(d, static_cast<T>(v));
  }
};

template <class F, std::size_t N, std::size_t... I>
decltype(auto) call_unpacked(F& f, const index<N>& i, std::index_sequence<I...>) {
  return f(i[I]...);
}

struct make_fromfunction {
  template <class T, std::size_t N, class F>
  array<T, N> operator()(const distribution<N>& d, F&& f) const {
    array<T, N> a(d, uninitialized);
    // the user's f may throw on some ranks only: every rank learns of it
    agree(d.comm(), "dist::fromfunction", [&] {
      if constexpr (std::is_invocable_v<F&, const index<N>&>) {
        fill_indexed(a, [&](const index<N>& g) { return static_cast<T>(f(g)); });
      } else {
        fill_indexed(a, [&](const index<N>& g) {
          return static_cast<T>(call_unpacked(f, g, std::make_index_sequence<N>{}));
        });
      }
    }, arg("distributions", d));
    return a;
  }
};

DIST_INLINE index_t arange_count(double start, double stop, double step);

template <std::size_t N>
void require_shape(const distribution<N>& d, const shape<N>& s, const char* op) {
  if (d.shape() != s)
    throw shape_error(std::string(op) + ": the distribution has shape " + detail::to_string(d.shape()) +
                      " but the result needs " + detail::to_string(s));
}

}  // namespace detail

/// Arrays with uninitialised elements: `dist::empty<double>(D)`. Collective.
template <element T> inline constexpr detail::creator<T, detail::make_empty> empty{};
/// Arrays of zeros. Collective.
template <element T> inline constexpr detail::creator<T, detail::make_zeros> zeros{};
/// Arrays of ones. Collective.
template <element T> inline constexpr detail::creator<T, detail::make_ones> ones{};
/// Arrays of `v`: `dist::full<double>(D, v)`. Collective.
template <element T> inline constexpr detail::creator<T, detail::make_full> full{};
/// Element i = f(i), f taking `dist::index<N>` or N global indices:
/// `dist::fromfunction<double>(D, [](index_t i, index_t j) { ... })`. Collective.
template <element T> inline constexpr detail::creator<T, detail::make_fromfunction> fromfunction{};

/// Same distribution as `a`, uninitialised / zeros / ones / `v`. Collective.
template <class T, std::size_t N> array<T, N> empty_like(const array<T, N>& a) { return empty<T>(a.distribution()); }  // collective: empty
template <class T, std::size_t N> array<T, N> zeros_like(const array<T, N>& a) { return zeros<T>(a.distribution()); }
template <class T, std::size_t N> array<T, N> ones_like(const array<T, N>& a) { return ones<T>(a.distribution()); }
template <class T, std::size_t N, class V> array<T, N> full_like(const array<T, N>& a, const V& v) {
  return full<T>(a.distribution(), v);
}

/// NumPy's arange: start, start+step, ... below stop (above, for step < 0),
/// on `d` (whose shape must be the element count) or block over `c`.
/// Collective; error for step 0, shape_error for a mismatched `d`.
template <element T>
array<T, 1> arange(T start, T stop, T step, const distribution<1>& d) {
  detail::agree(d.comm(), "dist::arange", [&] {
    detail::require_shape(d, {detail::arange_count(double(start), double(stop), double(step))}, "dist::arange");
  }, detail::arg("starts", start), detail::arg("stops", stop), detail::arg("steps", step));
  return fromfunction<T>(d, [=](index_t i) { return static_cast<T>(start + static_cast<T>(i) * step); });
}
template <element T>
array<T, 1> arange(T start, T stop, T step = T(1), comm_ref c = communicator{}) {
  index_t n = 0;
  detail::agree(c, "dist::arange", [&] { n = detail::arange_count(double(start), double(stop), double(step)); },
                detail::arg("starts", start), detail::arg("stops", stop), detail::arg("steps", step));
  return arange<T>(start, stop, step, distribution<1>({n}, c));
}
template <element T>
array<T, 1> arange(T stop) {  // collective: arange
  return arange<T>(T(0), stop, T(1));
}

/// NumPy's linspace: num values from start to stop (stop included when
/// `endpoint`). Collective.
template <element T>
array<T, 1> linspace(double start, double stop, index_t num, const distribution<1>& d, bool endpoint = true) {
  detail::agree(d.comm(), "dist::linspace", [&] {
    if (num < 0) throw shape_error("dist::linspace: num must be >= 0, got " + std::to_string(num));
    detail::require_shape(d, {num}, "dist::linspace");
  }, detail::arg("starts", start), detail::arg("stops", stop), detail::arg("endpoints", endpoint));
  const index_t div = endpoint ? num - 1 : num;
  const double step = div > 0 ? (stop - start) / double(div) : 0.0;
  return fromfunction<T>(d, [=](index_t i) {
    return static_cast<T>(endpoint && num > 1 && i == num - 1 ? stop : start + double(i) * step);
  });
}
template <element T>
array<T, 1> linspace(double start, double stop, index_t num = 50, comm_ref c = communicator{}, bool endpoint = true) {
  // collective: the distribution (it refuses num < 0, on every rank), then linspace on it
  return linspace<T>(start, stop, num, distribution<1>({num}, c), endpoint);
}

/// NumPy's logspace: base ** linspace(start, stop, num). Collective.
template <element T>
array<T, 1> logspace(double start, double stop, index_t num, const distribution<1>& d, bool endpoint = true,
                     double base = 10.0) {
  auto a = linspace<double>(start, stop, num, d, endpoint);  // collective: linspace
  array<T, 1> r(d, uninitialized);
  auto src = a.local_data();
  auto dst = r.local_data();
  for (std::size_t i = 0; i < dst.size(); ++i) dst[i] = static_cast<T>(std::pow(base, src[i]));
  return r;
}
template <element T>
array<T, 1> logspace(double start, double stop, index_t num = 50, comm_ref c = communicator{}, bool endpoint = true,
                     double base = 10.0) {
  // collective: the distribution (it refuses num < 0, on every rank), then logspace on it
  return logspace<T>(start, stop, num, distribution<1>({num}, c), endpoint, base);
}

/// n x m with ones on diagonal k (j - i == k), zeros elsewhere. Collective.
template <element T>
array<T, 2> eye(index_t n, index_t m, index_t k, const distribution<2>& d) {
  detail::agree(d.comm(), "dist::eye", [&] { detail::require_shape(d, {n, m}, "dist::eye"); }, detail::arg("diagonals", k));
  return fromfunction<T>(d, [=](index_t i, index_t j) { return j - i == k ? T(1) : T(0); });
}
template <element T>
array<T, 2> eye(index_t n, index_t m = -1, index_t k = 0, comm_ref c = communicator{}) {
  if (m < 0) m = n;
  // collective: the distribution (it refuses n < 0, on every rank), then eye on it
  return eye<T>(n, m, k, distribution<2>({n, m}, c));
}
/// The n x n identity. Collective.
template <element T>
array<T, 2> identity(index_t n, const distribution<2>& d) { return eye<T>(n, n, 0, d); }  // collective: eye
template <element T>
array<T, 2> identity(index_t n, comm_ref c = communicator{}) { return eye<T>(n, n, 0, c); }

}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "creation-inl.hpp"
#endif
