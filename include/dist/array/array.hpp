// array<T,N>: this rank's block of a distributed array plus its distribution
// (SPEC section 3).
#pragma once

#include <complex>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

#include "../core/collective_check.hpp"
#include "../core/communicator.hpp"
#include "../distribution/distribution.hpp"
#include "buffer.hpp"
#include "local_view.hpp"

namespace dist {

namespace detail {
template <class T> struct is_complex : std::false_type {};
template <class T> struct is_complex<std::complex<T>> : std::true_type {};
struct uninitialized_t {};
}  // namespace detail

/// The element types dist supports: arithmetic types, bool and std::complex.
template <class T>
concept element = std::is_arithmetic_v<T> || detail::is_complex<T>::value;

/// Tag for arrays whose elements are left uninitialised (dist::empty).
inline constexpr detail::uninitialized_t uninitialized{};

template <element T, std::size_t N>
class array;

namespace detail {
/// Defined in comm/redistribution.hpp: dst = src across distributions.
template <class T, std::size_t N>
void assign_redistributed(array<T, N>& dst, const array<T, N>& src);
}  // namespace detail

template <element T, std::size_t N>
class array {
 public:
  using value_type = T;
  static constexpr std::size_t ndim = N;

  /// Zero-initialised array on `d`. Local (the distribution is built already).
  explicit array(const dist::distribution<N>& d) : array(d, T{}) {}
  /// Every element `v`. Local.
  array(const dist::distribution<N>& d, const T& v) : dist_(d), data_(static_cast<std::size_t>(d.local_size()), v) {}
  /// Elements left uninitialised. Local.
  array(const dist::distribution<N>& d, detail::uninitialized_t)
      : dist_(d), data_(static_cast<std::size_t>(d.local_size())) {}

  /// Deep copy on the same distribution.
  array(const array&) = default;
  array(array&&) noexcept = default;
  ~array() = default;

  /// Copies `o`'s elements; never changes this array's shape or
  /// distribution. Another shape: shape_error. Another distribution of the
  /// same shape: `o` is redistributed into this one (collective then; local
  /// when the distributions are equal).
  array& operator=(const array& o) {
    if (this == &o) return *this;
    if (!same_layout(o, "dist::array::operator=")) {
      detail::assign_redistributed(*this, o);
      return *this;
    }
    std::copy_n(o.data_.data(), data_.size(), data_.data());
    return *this;
  }
  array& operator=(array&& o) {
    if (this == &o) return *this;
    if (!same_layout(o, "dist::array::operator=")) {
      detail::assign_redistributed(*this, o);
      return *this;
    }
    data_.swap(o.data_);
    return *this;
  }

  const dist::distribution<N>& distribution() const noexcept { return dist_; }
  const communicator& comm() const noexcept { return dist_.comm(); }
  const dist::shape<N>& shape() const noexcept { return dist_.shape(); }
  index_t size() const noexcept { return dist_.size(); }
  dist::shape<N> local_shape() const noexcept { return dist_.local_shape(); }
  index_t local_size() const noexcept { return static_cast<index_t>(data_.size()); }

  /// This rank's block with local indices. Local.
  local_view<T, N> local() noexcept { return {data_.data(), dist_.local_shape()}; }
  local_view<const T, N> local() const noexcept { return {data_.data(), dist_.local_shape()}; }
  /// This rank's block as a flat row-major span. Local.
  std::span<T> local_data() noexcept { return {data_.data(), data_.size()}; }
  std::span<const T> local_data() const noexcept { return {data_.data(), data_.size()}; }

  /// Sets every local element to `v`. Local.
  void fill(const T& v) { std::fill_n(data_.data(), data_.size(), v); }

  /// Element `i`, returned on every rank. Collective; index_error (on every
  /// rank) when out of range.
  T get(const index<N>& i) const {
    detail::collective_entry(comm(), "dist::array::get", dist_, i);
    dist_.check_index(i, "dist::array::get");
    if (dist_.replicated()) return at_local(i);
    const int me = comm().rank();
    int owner;
    if (has_unstructured()) owner = detail::allreduce<int>(comm(), dist_.owns(i) ? me : -1, MPI_MAX);
    else owner = dist_.owner(i);
    T v{};
    if (me == owner) v = at_local(i);
    detail::check_mpi(MPI_Bcast(&v, 1, detail::mpi_type<T>(), owner, comm()), "MPI_Bcast");
    return v;
  }

  /// Sets element `i` to `v` (which must be the same on every rank).
  /// Collective (needs no communication); index_error when out of range.
  void set(const index<N>& i, const T& v) {
    detail::collective_entry(comm(), "dist::array::set", dist_, i);
    dist_.check_index(i, "dist::array::set");
    if (dist_.owns(i)) at_local(i) = v;
  }

 private:
  bool has_unstructured() const noexcept {
    for (std::size_t d = 0; d < N; ++d)
      if (dist_.map(d).kind() == dim_kind::unstructured) return true;
    return false;
  }
  const T& at_local(const index<N>& g) const { return local()[dist_.local_index(g)]; }
  T& at_local(const index<N>& g) { return local()[dist_.local_index(g)]; }

  // True when `o` has this array's distribution; shape_error for another shape.
  bool same_layout(const array& o, const char* op) const {
    if (o.shape() != shape())
      throw shape_error(std::string(op) + ": cannot assign an array of shape " + detail::to_string(o.shape()) +
                        " to one of shape " + detail::to_string(shape()));
    return o.dist_ == dist_;
  }

  dist::distribution<N> dist_;
  detail::buffer<T> data_;
};

namespace detail {

/// Calls `body(gidx, l)` for every element of a local block of shape `ls`,
/// in row-major order, where `gidx` is the element's global multi-index and
/// `l` its flat local offset. `tables[d]` holds the global index of each
/// local position along dim d; when `inner_start` is set, the last dim's
/// indices are inner_start + l instead (and the inner loop has no lookup).
template <std::size_t N, class Body>
void for_each_global(const shape<N>& ls, const std::array<std::vector<index_t>, N>& tables,
                     std::optional<index_t> inner_start, Body&& body) {
  if (detail::product(ls) == 0) return;
  const index_t inner = ls[N - 1];
  index<N> o{};
  index<N> g{};
  index_t base = 0;
  for (;;) {
    for (std::size_t d = 0; d + 1 < N; ++d) g[d] = tables[d][static_cast<std::size_t>(o[d])];
    if (inner_start) {
      const index_t s = *inner_start;
      for (index_t l = 0; l < inner; ++l) {
        g[N - 1] = s + l;
        body(g, base + l);
      }
    } else {
      const index_t* t = tables[N - 1].data();
      for (index_t l = 0; l < inner; ++l) {
        g[N - 1] = t[l];
        body(g, base + l);
      }
    }
    base += inner;
    std::size_t d = N - 1;
    for (;;) {
      if (d == 0) return;
      --d;
      if (++o[d] < ls[d]) break;
      o[d] = 0;
    }
  }
}

/// Global-index tables of this rank's block (the last dim left empty when it
/// is one contiguous run, whose start is returned).
template <std::size_t N>
std::pair<std::array<std::vector<index_t>, N>, std::optional<index_t>> local_tables(const distribution<N>& d) {
  std::array<std::vector<index_t>, N> t;
  for (std::size_t k = 0; k + 1 < N; ++k) t[k] = d.global_indices(k);
  auto s = d.map(N - 1).contiguous_start();
  if (!s) t[N - 1] = d.global_indices(N - 1);
  return {std::move(t), s};
}

/// Sets each local element of `a` to f(global index). Local.
template <class T, std::size_t N, class F>
void fill_indexed(array<T, N>& a, F&& f) {
  auto [tables, start] = local_tables(a.distribution());
  T* p = a.local_data().data();
  for_each_global(a.local_shape(), tables, start, [&](const index<N>& g, index_t l) { p[l] = f(g); });
}

}  // namespace detail
}  // namespace dist

// array assignment across distributions needs the redistribution engine
#include "../comm/redistribution.hpp"
