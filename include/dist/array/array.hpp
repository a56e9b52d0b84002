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

/// An expression node (expr/node.hpp marks them with dist_node_tag).
template <class E>
concept node_expression = requires { typename std::remove_cvref_t<E>::dist_node_tag; };
template <class E> struct is_dist_array : std::false_type {};
template <class U, std::size_t M> struct is_dist_array<array<U, M>> : std::true_type {};
/// What an array accepts on the right of = and op=: expressions, arrays, scalars.
template <class X>
concept assignable_operand = node_expression<X> || is_dist_array<std::remove_cvref_t<X>>::value || element<std::remove_cvref_t<X>>;

/// X is a scalar, or has no more dims than N (NumPy broadcasting cannot drop dims).
template <class X, std::size_t N>
concept fits_rank = !(node_expression<X> || is_dist_array<std::remove_cvref_t<X>>::value) || (std::remove_cvref_t<X>::ndim <= N);

// The element-wise updates of = and the compound assignments.
struct assign_to { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(v); } };
struct add_to { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(d + v); } };
struct subtract_from { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(d - v); } };
struct multiply_by { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(d * v); } };
struct divide_by { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(d / v); } };
struct modulo_by { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(d % v); } };
struct and_with { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(d & v); } };
struct or_with { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(d | v); } };
struct xor_with { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(d ^ v); } };
struct shift_left_by { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(d << v); } };
struct shift_right_by { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(d >> v); } };

/// Defined in expr/assign.hpp: dst op= x, element-wise with NumPy's
/// semantics (x an expression, array or scalar). Collective.
template <class T, std::size_t N, class X, class Op>
void assign_expression(array<T, N>& dst, const X& x, Op op);
/// Defined in expr/evaluate.hpp: where a new array from `e` lives.
template <class E>
distribution<std::remove_cvref_t<E>::ndim> home_distribution(const E& e);
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

  /// Evaluates expression `e` into a new array on its home distribution
  /// (the first array operand with e's shape). Collective.
  template <detail::node_expression E>
    requires(std::remove_cvref_t<E>::ndim == N)
  array(const E& e) : array(detail::home_distribution(e), uninitialized) {  // NOLINT: implicit, like NumPy results
    detail::assign_expression(*this, e, detail::assign_to{});
  }

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

  /// this = x element-wise, with NumPy's semantics: x (an expression, an
  /// array of another type or rank, or a scalar) broadcasts to this shape,
  /// operands on other distributions are moved here, and the right side
  /// acts as if evaluated before any element is written. Collective
  /// (scalars: local); shape_error on every rank when shapes do not fit.
  template <detail::assignable_operand X>
    requires(!std::is_same_v<std::remove_cvref_t<X>, array> && detail::fits_rank<X, N>)
  array& operator=(const X& x) {
    detail::assign_expression(*this, x, detail::assign_to{});
    return *this;
  }
  /// Compound assignment: this op= x element-wise (x as for operator=). Collective.
  template <detail::assignable_operand X> requires detail::fits_rank<X, N> array& operator+=(const X& x) { return update(x, detail::add_to{}); }
  template <detail::assignable_operand X> requires detail::fits_rank<X, N> array& operator-=(const X& x) { return update(x, detail::subtract_from{}); }
  template <detail::assignable_operand X> requires detail::fits_rank<X, N> array& operator*=(const X& x) { return update(x, detail::multiply_by{}); }
  template <detail::assignable_operand X> requires detail::fits_rank<X, N> array& operator/=(const X& x) { return update(x, detail::divide_by{}); }
  template <detail::assignable_operand X> requires detail::fits_rank<X, N> array& operator%=(const X& x) { return update(x, detail::modulo_by{}); }
  template <detail::assignable_operand X> requires detail::fits_rank<X, N> array& operator&=(const X& x) { return update(x, detail::and_with{}); }
  template <detail::assignable_operand X> requires detail::fits_rank<X, N> array& operator|=(const X& x) { return update(x, detail::or_with{}); }
  template <detail::assignable_operand X> requires detail::fits_rank<X, N> array& operator^=(const X& x) { return update(x, detail::xor_with{}); }
  template <detail::assignable_operand X> requires detail::fits_rank<X, N> array& operator<<=(const X& x) { return update(x, detail::shift_left_by{}); }
  template <detail::assignable_operand X> requires detail::fits_rank<X, N> array& operator>>=(const X& x) { return update(x, detail::shift_right_by{}); }

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
  template <class X, class Op>
  array& update(const X& x, Op op) {
    detail::assign_expression(*this, x, op);
    return *this;
  }
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
  do {
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
  } while (next_row(o, ls));
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

// array assignment across distributions needs the redistribution engine,
// and assignment of expressions the evaluator
#include "../comm/redistribution.hpp"
#include "../expr/assign.hpp"
