// array<T,N>: this rank's block of a distributed array plus its distribution.
#pragma once

#include <algorithm>
#include <complex>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/linkage.hpp"
#include "../core/agree.hpp"
#include "../core/collective_check.hpp"
#include "../core/communicator.hpp"
#include "../core/numeric.hpp"
#include "../distribution/distribution.hpp"
#include "buffer.hpp"
#include "halo.hpp"
#include "local_view.hpp"
#include "slice.hpp"
#include "window.hpp"

namespace dist {

namespace detail {
struct uninitialized_t {};
struct adopt_t {};
}  // namespace detail

/// The element types dist supports: arithmetic types, bool and std::complex.
template <class T>
concept element = std::is_arithmetic_v<T> || detail::is_complex<T>::value;

/// Tag for arrays whose elements are left uninitialised (dist::empty).
inline constexpr detail::uninitialized_t uninitialized{};

template <element T, std::size_t N>
class array;
/// A view of an array (array/view.hpp): A is array<T,N> or const array<T,N>, M the kept dims.
template <class A, std::size_t M>
class view;
template <element T, std::size_t N>
class array_view;
namespace detail {
/// Defined in expr/node.hpp: p(s...) with dist::newaxis among s.
template <class P, class... S>
auto index_with_newaxes(const P& p, const S&... s);
}  // namespace detail
/// A halo exchange in flight (comm/halo.hpp).
template <class T, std::size_t N>
class halo_exchange;

namespace detail {
/// Storage access for the library's own layers (array/view.hpp, comm/halo.hpp, expr/).
struct storage;

/// Calls row(p, n) for each innermost row of a strided block of extents
/// `ext` (p: the row's first element; the row is contiguous when
/// st[N-1] == 1). Local.
template <class T, std::size_t N, class Row>
void for_each_block_row(T* base, const std::array<index_t, N>& st, const shape<N>& ext, Row&& row) {
  if (product(ext) == 0) return;
  index<N> o{};
  do {
    T* p = base;
    for (std::size_t d = 0; d + 1 < N; ++d) p += o[d] * st[d];
    row(p, ext[N - 1]);
  } while (next_row(o, ext));
}

/// Copies a strided block into another of the same extents. Local.
template <class T, std::size_t N>
void copy_strided(const T* src, const std::array<index_t, N>& ss, T* dst, const std::array<index_t, N>& ds,
                  const shape<N>& ext) {
  if (product(ext) == 0) return;
  if (ss == ds && ss == row_major_strides(ext)) {
    std::copy_n(src, product(ext), dst);
    return;
  }
  index<N> o{};
  do {
    const T* s = src;
    T* d = dst;
    for (std::size_t k = 0; k + 1 < N; ++k) {
      s += o[k] * ss[k];
      d += o[k] * ds[k];
    }
    if (ss[N - 1] == 1 && ds[N - 1] == 1) std::copy_n(s, ext[N - 1], d);
    else
      for (index_t i = 0; i < ext[N - 1]; ++i) d[i * ds[N - 1]] = s[i * ss[N - 1]];
  } while (next_row(o, ext));
}

/// Defined in comm/redistribution.hpp: dst = src across distributions.
template <class T, std::size_t N>
void assign_redistributed(array<T, N>& dst, const array<T, N>& src);

/// An expression node (expr/node.hpp marks them with dist_node_tag).
template <class E>
concept node_expression = requires { typename std::remove_cvref_t<E>::dist_node_tag; };
template <class E> struct is_dist_array : std::false_type {};
template <class U, std::size_t M> struct is_dist_array<array<U, M>> : std::true_type {};
template <class U, std::size_t M> struct is_dist_array<array_view<U, M>> : std::true_type {};
/// What an array accepts on the right of = and op=: expressions, arrays, scalars.
template <class X>
concept assignable_operand = node_expression<X> || is_dist_array<std::remove_cvref_t<X>>::value || element<std::remove_cvref_t<X>>;

/// An operand selecting by value (algorithm/select.hpp): a bool array or
/// expression of rank N (a mask), or an integer one of rank 1 (indices).
template <class M, std::size_t N>
concept mask_operand = (node_expression<M> || is_dist_array<std::remove_cvref_t<M>>::value) && std::remove_cvref_t<M>::ndim == N &&
                       std::is_same_v<typename std::remove_cvref_t<M>::value_type, bool>;
template <class I>
concept index_operand = (node_expression<I> || is_dist_array<std::remove_cvref_t<I>>::value) && std::remove_cvref_t<I>::ndim == 1 &&
                        std::is_integral_v<typename std::remove_cvref_t<I>::value_type> &&
                        !std::is_same_v<typename std::remove_cvref_t<I>::value_type, bool>;
template <class A> class masked;   // algorithm/select.hpp
template <class A> class indexed;  // algorithm/select.hpp

/// X is a scalar, or has no more dims than N (NumPy broadcasting cannot drop dims).
template <class X, std::size_t N>
concept fits_rank = !(node_expression<X> || is_dist_array<std::remove_cvref_t<X>>::value) || (std::remove_cvref_t<X>::ndim <= N);

// The element-wise updates of = and the compound assignments.
struct assign_to { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(v); } };
struct add_to { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(d + v); } };
struct subtract_from { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(d - v); } };
struct multiply_by { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(d * v); } };
struct divide_by {
  template <class D, class V>
  void operator()(D& d, const V& v) const {
    using R = std::common_type_t<D, V>;
    d = static_cast<D>(divide<R>(static_cast<R>(d), static_cast<R>(v)));
  }
};
struct modulo_by {
  template <class D, class V>
  void operator()(D& d, const V& v) const {
    using R = std::common_type_t<D, V>;
    d = static_cast<D>(int_remainder<R>(static_cast<R>(d), static_cast<R>(v)));
  }
};
struct and_with { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(d & v); } };
struct or_with { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(d | v); } };
struct xor_with { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(d ^ v); } };
struct shift_left_by { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(d << v); } };
struct shift_right_by { template <class D, class V> void operator()(D& d, const V& v) const { d = static_cast<D>(d >> v); } };

/// Defined in expr/assign.hpp: dst op= x, element-wise with NumPy's
/// semantics (x an expression, array or scalar). Collective.
template <class T, std::size_t N, class X, class Op, class Wait = std::nullptr_t>
void assign_expression(array<T, N>& dst, const X& x, Op op, Wait wait = nullptr);
/// Defined in expr/bind.hpp: where a new array from `e` lives.
template <class E>
distribution<std::remove_cvref_t<E>::ndim> home_distribution(const E& e);
}  // namespace detail

template <element T, std::size_t N>
class array {
 public:
  using value_type = T;
  static constexpr std::size_t ndim = N;

  /// Zero-initialised array on `d`. Local.
  explicit array(const dist::distribution<N>& d) : array(d, T{}) {}
  /// Every element `v`. Local.
  array(const dist::distribution<N>& d, const T& v);
  /// Elements left uninitialised. Local.
  array(const dist::distribution<N>& d, detail::uninitialized_t);
  /// Zero-initialised array with ghost layers `h`: h.width(d) on both
  /// sides of dim d, filled by exchange_halo(). Ghosts are allowed on block
  /// and undistributed dims; blocks may be empty or narrower than the width
  /// (the ghosts then come from several ranks). Throws distribution_error
  /// on every rank for other dims, negative widths, or a periodic width
  /// beyond the extent, and mpi_error when the ranks passed different halos
  /// (one allreduce). Collective.
  array(const dist::distribution<N>& d, const dist::halo& h);

  /// Evaluates expression `e` into a new array on its home distribution
  /// (the first array operand with e's shape). Collective.
  template <detail::node_expression E>
    requires(std::remove_cvref_t<E>::ndim == N)
  array(const E& e) : array(detail::home_distribution(e), uninitialized) {  // NOLINT: implicit, like NumPy results
    // collective: assign_expression
    detail::assign_expression(*this, e, detail::assign_to{});
  }

  /// A deep copy on the same distribution, as NumPy's a.copy(). Local.
  array copy() const { return *this; }
  /// Deep copy on the same distribution (and with the same ghost layers).
  array(const array& o);
  /// Takes `o`'s block; `o` keeps its distribution (so it can be assigned
  /// to again, as std::swap does) but no elements.
  array(array&& o) noexcept
      : dist_(o.dist_), ghost_(o.ghost_), periodic_(o.periodic_), explicit_halo_(o.explicit_halo_),
        slack_(std::exchange(o.slack_, 0)), data_(std::move(o.data_)), spare_(std::move(o.spare_)),
        spare_touched_(std::exchange(o.spare_touched_, 0)), stencils_(std::exchange(o.stencils_, 0)), window_(std::move(o.window_)), pin_(std::move(o.pin_)) {}
  /// A window exposing the block (dist::fence) is released with the block,
  /// to be freed by a later fence on every rank (never blocks). Local.
  ~array();
  /// Exchanges everything (distributions, ghosts, blocks). Local.
  friend void swap(array& a, array& b) noexcept {
    std::swap(a.dist_, b.dist_);
    std::swap(a.ghost_, b.ghost_);
    std::swap(a.periodic_, b.periodic_);
    std::swap(a.explicit_halo_, b.explicit_halo_);
    std::swap(a.slack_, b.slack_);
    a.data_.swap(b.data_);
    a.spare_.swap(b.spare_);
    std::swap(a.spare_touched_, b.spare_touched_);
    std::swap(a.stencils_, b.stencils_);
    a.window_.swap(b.window_);  // a window (or an outside view) stays with the memory it exposes
    a.pin_.swap(b.pin_);
  }

  /// Copies `o`'s elements; never changes this array's shape, distribution
  /// or ghost layers. Another shape: shape_error. Another distribution of
  /// the same shape: `o` is redistributed into this one (collective then;
  /// local when the distributions are equal, but one allreduce when one
  /// has unstructured dims: their equality is agreed).
  array& operator=(const array& o);
  array& operator=(array&& o);

  /// this = x element-wise, with NumPy's semantics: x (an expression, an
  /// array of another type or rank, or a scalar) broadcasts to this shape,
  /// operands on other distributions are moved here, and the right side
  /// acts as if evaluated before any element is written. Collective
  /// (scalars: local); shape_error on every rank when shapes do not fit.
  template <detail::assignable_operand X>
    requires(!std::is_same_v<std::remove_cvref_t<X>, array> && detail::fits_rank<X, N>)
  array& operator=(const X& x) {  // collective: assign_expression
    detail::assign_expression(*this, x, detail::assign_to{});
    return *this;
  }
  /// Compound assignment: this op= x element-wise (x as for operator=). Collective.
  template <detail::assignable_operand X> requires detail::fits_rank<X, N> array& operator+=(const X& x) { return update(x, detail::add_to{}); }  // collective: assign_expression
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
  index_t local_size() const noexcept { return dist_.local_size(); }

  /// This rank's block with local indices (strided when the array keeps
  /// ghost layers along dims after the first). Local.
  local_view<T, N> local() noexcept { return {origin(), local_shape(), padded_strides()}; }
  local_view<const T, N> local() const noexcept { return {origin(), local_shape(), padded_strides()}; }
  /// This rank's block as a flat row-major span. Local. Throws distribution_error
  /// when the block is not contiguous (ghost layers along a dim after the
  /// first: use local()).
  std::span<T> local_data() {
    check_contiguous();
    return {origin(), static_cast<std::size_t>(local_size())};
  }
  std::span<const T> local_data() const {
    check_contiguous();
    return {origin(), static_cast<std::size_t>(local_size())};
  }
  /// The block with its ghost layers: element (i, j, ...) of the padded
  /// block is local element (i - w0, j - w1, ...). For hand-written stencils. Local.
  local_view<T, N> local_with_ghosts() noexcept { return {padded_base(), padded_shape()}; }
  local_view<const T, N> local_with_ghosts() const noexcept { return {padded_base(), padded_shape()}; }
  /// Ghost width along dim d (0 without a halo). Local.
  index_t ghost_width(std::size_t d) const noexcept { return ghost_[d]; }
  /// True when dim d's ghosts wrap around. Local.
  bool periodic(std::size_t d) const noexcept { return periodic_[d]; }

  /// Sets every local element to `v`. Local.
  void fill(const T& v) {
    detail::for_each_block_row(origin(), padded_strides(), local_shape(), [&](T* r, index_t n) { std::fill_n(r, n, v); });
  }

  /// Fills the ghost layers from the neighbouring blocks (and, for periodic
  /// dims, from the other end), corners included. Collective; a no-op
  /// without ghosts. Defined in comm/halo.hpp.
  void exchange_halo();
  /// Starts the exchange (every message posted at once, corners included);
  /// the returned handle's wait() finishes it.
  /// The array must outlive the handle. Collective.
  halo_exchange<T, N> start_halo_exchange();

  /// A view of this array: one argument per dim, each a
  /// dist::slice, dist::all() or an integer index (which drops the dim).
  /// Reads and writes this array. Local (no communication until used).
  template <class... S>
    requires(sizeof...(S) == N && (detail::slice_arg<S> && ...))
  auto operator()(const S&... s) {
    return view<array, detail::kept_dims<S...>>(*this, {detail::to_slice_arg(s)...});
  }
  template <class... S>
    requires(sizeof...(S) == N && (detail::slice_arg<S> && ...))
  auto operator()(const S&... s) const {
    return view<const array, detail::kept_dims<S...>>(*this, {detail::to_slice_arg(s)...});
  }
  /// The same with dist::newaxis among the arguments (one per new extent-1
  /// dim, besides one per dim): a read-only operand. Local.
  template <class... S>
    requires(detail::newaxes<S...> > 0 && sizeof...(S) - detail::newaxes<S...> == N && (detail::index_arg<S> && ...))
  auto operator()(const S&... s) const {
    return detail::index_with_newaxes(*this, s...);
  }

  /// `a(m)`, `m` a bool array or expression of a's shape: the elements
  /// where m is true, read (a 1-D block array, C order) or assigned; for a
  /// 1-D array, `a(idx)` with integer indices (take / put). Needs
  /// <dist/dist.hpp> (algorithm/select.hpp). Collective (m is evaluated on
  /// a's layout; index_error on every rank when its shape differs).
  template <class M>
    requires detail::mask_operand<M, N>
  detail::masked<array> operator()(const M& m) {
    return {*this, m};  // collective: masked's constructor (agree)
  }
  template <class M>
    requires detail::mask_operand<M, N>
  detail::masked<const array> operator()(const M& m) const {
    return {*this, m};  // collective: masked's constructor (agree)
  }
  template <class I>
    requires(N == 1 && detail::index_operand<I>)
  detail::indexed<array> operator()(const I& idx) {
    return {*this, idx};
  }
  template <class I>
    requires(N == 1 && detail::index_operand<I>)
  detail::indexed<const array> operator()(const I& idx) const {
    return {*this, idx};
  }

  /// Element `i`, returned on every rank. Collective; index_error (on every
  /// rank) when out of range.
  T get(const index<N>& i) const {
    detail::agree(comm(), "dist::array::get", [&] { dist_.check_index(i, "dist::array::get"); }, detail::arg("arrays", dist_),
                  detail::arg("indices", i));
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
  /// Collective (one allreduce agrees on the index, the value and errors);
  /// index_error on every rank when out of range.
  void set(const index<N>& i, const T& v) {
    detail::agree(comm(), "dist::array::set", [&] { dist_.check_index(i, "dist::array::set"); }, detail::arg("arrays", dist_),
                  detail::arg("indices", i), detail::arg("values", v));
    if (dist_.owns(i)) at_local(i) = v;
  }

 private:
  template <class X, class Op>
  array& update(const X& x, Op op) {
    detail::assign_expression(*this, x, op);
    return *this;
  }
  static std::array<index_t, N> ghost_of(const dist::halo& h) noexcept {
    std::array<index_t, N> w{};
    for (std::size_t k = 0; k < N; ++k) w[k] = h.width(k);
    return w;
  }
  static std::array<int, N> periodic_of(const dist::halo& h) noexcept {
    std::array<int, N> p{};
    for (std::size_t k = 0; k < N; ++k) p[k] = h.is_periodic(k) && h.width(k) > 0;
    return p;
  }
  bool has_unstructured() const noexcept {
    for (std::size_t d = 0; d < N; ++d)
      if (dist_.map(d).kind() == dim_kind::unstructured) return true;
    return false;
  }
  const T& at_local(const index<N>& g) const { return local()[dist_.local_index(g)]; }
  T& at_local(const index<N>& g) { return local()[dist_.local_index(g)]; }

  friend struct detail::storage;
  template <element, std::size_t> friend class array_view;
  // Over memory the caller owns (array_view): its ghosts never grow.
  array(detail::adopt_t, const dist::distribution<N>& d, T* p)
      : dist_(d), explicit_halo_(true), data_(detail::buffer<T>::adopt(p, static_cast<std::size_t>(d.local_size()))) {}
  // False when the block must stay where it is: memory the caller owns
  // (array_view), exposed through an RMA window, or viewed by an outside
  // object holding a pin (a PETSc Vec).
  bool movable() const noexcept { return data_.owned() && !window_ && pin_.use_count() <= 1; }
  dist::shape<N> padded_shape() const noexcept {
    dist::shape<N> p = dist_.local_shape();
    for (std::size_t d = 0; d < N; ++d) p[d] += 2 * ghost_[d];
    return p;
  }
  std::array<index_t, N> padded_strides() const noexcept { return detail::row_major_strides(padded_shape()); }
  index_t origin_offset() const noexcept {
    const auto st = padded_strides();
    index_t off = 0;
    for (std::size_t d = 0; d < N; ++d) off += ghost_[d] * st[d];
    return off;
  }
  T* origin() noexcept { return padded_base() + origin_offset(); }
  const T* origin() const noexcept { return padded_base() + origin_offset(); }
  // Rows of room kept on each side of dim 0 beyond the ghost layers, so
  // that implicit ghosts (a stencil's first need, along a distributed
  // block dim 0) grow without moving the block: one row when the block has
  // 64 rows or more (at most 3% more memory).
  static index_t slack_for(const dist::distribution<N>& d) noexcept {
    const dim_map& m = d.map(0);
    return m.kind() == dim_kind::block && m.procs() > 1 && d.local_shape()[0] >= 64 ? 1 : 0;
  }
  static std::size_t allocation(const dist::distribution<N>& d, index_t slack) noexcept {
    const auto ls = d.local_shape();
    return static_cast<std::size_t>(d.local_size() + (slack > 0 ? 2 * slack * (d.local_size() / ls[0]) : 0));  // (slack: ls[0] >= 64)
  }
  // The padded block's first element (past the slack rows).
  T* padded_base() noexcept { return data_.data() + slack_ * row_elements(); }
  const T* padded_base() const noexcept { return data_.data() + slack_ * row_elements(); }
  // Elements of one row along dim 0 of the padded block.
  index_t row_elements() const noexcept {
    index_t r = 1;
    for (std::size_t d = 1; d < N; ++d) r *= dist_.local_shape()[d] + 2 * ghost_[d];
    return r;
  }
  void check_contiguous() const;
  void copy_block(const array& o) {
    detail::copy_strided(o.origin(), o.padded_strides(), origin(), padded_strides(), local_shape());
  }

  // True when `o` has this array's distribution; shape_error for another shape.
  bool same_layout(const array& o, const char* op) const;

  dist::distribution<N> dist_;
  std::array<index_t, N> ghost_{};    // ghost width on each side of each dim
  std::array<bool, N> periodic_{};
  bool explicit_halo_ = false;        // asked for by the user (else grown on a stencil's first need)
  index_t slack_ = 0;                 // rows of room on each side of dim 0 (slack_for)
  detail::buffer<T> data_;            // the padded block, row-major
  detail::buffer<T> spare_;           // a second padded block for aliased view assignments (kept)
  std::size_t spare_touched_ = 0;     // elements of spare_ written at least once (storage::stencil_into_spare)
  std::uint32_t stencils_ = 0;        // aliased stencils on this array so far (storage::stencil_into_spare)
  std::unique_ptr<detail::rma_window> window_;  // one-sided access (comm/rma.hpp); freed before data_
  std::shared_ptr<void> pin_;                   // copies held outside keep the block in place (storage::pin)
};

template <element T, std::size_t N>
array<T, N>::array(const dist::distribution<N>& d, const T& v)
    : dist_(d), slack_(slack_for(d)), data_(allocation(d, slack_), v) {}
template <element T, std::size_t N>
array<T, N>::array(const dist::distribution<N>& d, detail::uninitialized_t)
    : dist_(d), slack_(slack_for(d)), data_(allocation(d, slack_)) {}
template <element T, std::size_t N>
array<T, N>::array(const array& o)
    : dist_(o.dist_), ghost_(o.ghost_), periodic_(o.periodic_), explicit_halo_(o.explicit_halo_), slack_(o.slack_), data_(o.data_) {}
template <element T, std::size_t N>
array<T, N>::~array() {
  if (window_ && !window_->local()) window_->keep_memory(std::make_shared<detail::buffer<T>>(std::move(data_)));
}

template <element T, std::size_t N>
bool array<T, N>::same_layout(const array& o, const char* op) const {
  if (o.shape() != shape())
    throw shape_error(std::string(op) + ": cannot assign an array of shape " + detail::to_string(o.shape()) +
                      " to one of shape " + detail::to_string(shape()));
  const bool equal = o.dist_ == dist_;
  // unstructured dims compare this rank's index lists: agree, or ranks would take different paths
  if ((dist_.structured() && o.dist_.structured()) || dist_.shares_state(o.dist_)) return equal;
  return !detail::any_rank(comm(), !equal);
}

template <element T, std::size_t N>
void array<T, N>::check_contiguous() const {
  for (std::size_t d = 1; d < N; ++d)
    if (ghost_[d] != 0 && local_size() > 0)
      throw distribution_error("dist::array::local_data: the block has ghost layers along dim " + std::to_string(d) +
                  ", so it is not contiguous; use local() (strided)");
}

template <element T, std::size_t N>
array<T, N>& array<T, N>::operator=(array&& o) {
  if (this == &o) return *this;
  if (!same_layout(o, "dist::array::operator=")) {
    detail::assign_redistributed(*this, o);
    return *this;
  }
  if (ghost_ == o.ghost_ && movable() && o.movable()) {
    data_.swap(o.data_);
    std::swap(slack_, o.slack_);
  } else {
    copy_block(o);
  }  // (an array_view or an array exposed for RMA keeps its memory)
  return *this;
}

template <element T, std::size_t N>
array<T, N>& array<T, N>::operator=(const array& o) {
  if (this == &o) return *this;
  if (!same_layout(o, "dist::array::operator=")) {
    detail::assign_redistributed(*this, o);
    return *this;
  }
  copy_block(o);
  return *this;
}

template <element T, std::size_t N>
array<T, N>::array(const dist::distribution<N>& d, const dist::halo& h) : dist_(d) {
  detail::agree(d.comm(), "dist::array(distribution, halo)", [&] {
    for (std::size_t k = h.widths().size(); k-- > N;)
      if (h.widths()[k] != 0)
        throw distribution_error("dist::array: a halo of " + std::to_string(h.widths().size()) + " widths for an array of " +
                                 std::to_string(N) + " dims");
    for (std::size_t k = 0; k < N; ++k) {
      const index_t w = h.width(k);
      const dim_map& m = d.map(k);
      if (w < 0) throw distribution_error("dist::array: halo width " + std::to_string(w) + " of dim " + std::to_string(k) + " is negative");
      if (w > 0 && m.kind() != dim_kind::block && m.kind() != dim_kind::undistributed)
        throw distribution_error("dist::array: a halo needs a block or undistributed dim, but dim " + std::to_string(k) + " is " +
                                 to_string(m.kind()));
      if (w > 0 && h.is_periodic(k) && m.size() < w)
        throw distribution_error("dist::array: periodic halo width " + std::to_string(w) + " exceeds the extent " +
                                 std::to_string(m.size()) + " of dim " + std::to_string(k));
      ghost_[k] = w;
      periodic_[k] = h.is_periodic(k) && w > 0;
    }
  }, detail::arg("arrays", d), detail::arg("halo widths", ghost_of(h)), detail::arg("periodic dims", periodic_of(h)));
  explicit_halo_ = true;
  data_ = detail::buffer<T>(static_cast<std::size_t>(detail::product(padded_shape())), T{});
}

/// An array over memory the caller owns: `local_data` is this
/// rank's block of `d`, row-major, d.local_size() elements, and must outlive
/// the view. It is an array in every way (expressions, reductions,
/// redistribution, I/O) without a copy; assignments write that memory (an
/// aliased assignment computes into a spare block and copies it back
/// instead of swapping). Copying an array_view makes another view of the
/// same memory; `dist::array<T,N> a = view;` makes an owning copy. Local.
template <element T, std::size_t N>
class array_view : public array<T, N> {
 public:
  array_view(const dist::distribution<N>& d, T* local_data) : array<T, N>(detail::adopt_t{}, d, local_data) {}
  array_view(const array_view& o) : array<T, N>(detail::adopt_t{}, o.distribution(), const_cast<T*>(o.local().data())) {}
  /// Writes o's elements into this view's memory (as array's operator=). Collective when o is on another distribution.
  array_view& operator=(const array_view& o) {  // collective: array::operator=
    array<T, N>::operator=(static_cast<const array<T, N>&>(o));
    return *this;
  }
  using array<T, N>::operator=;
};

namespace detail {

/// Where a rank's block lives in the global array: its extents and, per
/// dim, the global index of each local position (the last dim's table left
/// empty when it is one contiguous run, whose first index is inner_start).
template <std::size_t N>
struct block_layout {
  shape<N> extents{};
  std::array<std::vector<index_t>, N> tables;  // outer dims (and an unstructured last dim): global index per local
  std::optional<index_t> inner_start;          // the last dim one contiguous run from here
  std::optional<dim_map> inner;                // else, a structured last dim in closed form (no O(elements) table)
  int inner_coord = 0;                         // ... for this coordinate

  /// Global index of local position l along the last dim.
  index_t inner_global(index_t l) const {
    if (inner_start) return *inner_start + l;
    if (inner) return inner->global_index(inner_coord, l);
    return tables[N - 1][static_cast<std::size_t>(l)];
  }

  // (the destructor defined below the class: separate compilation then
  // compiles it once per rank, not in every file that walks a block)
  block_layout() = default;
  block_layout(const block_layout&) = default;
  block_layout(block_layout&&) noexcept = default;
  block_layout& operator=(const block_layout&) = default;
  block_layout& operator=(block_layout&&) noexcept = default;
  ~block_layout();
};
template <std::size_t N>
block_layout<N>::~block_layout() = default;

/// This rank's block layout. Local.
template <std::size_t N>
block_layout<N> local_layout(const distribution<N>& d) {
  block_layout<N> b;
  b.extents = d.local_shape();
  for (std::size_t k = 0; k + 1 < N; ++k) b.tables[k] = d.global_indices(k);
  b.inner_start = d.map(N - 1).contiguous_start();
  if (!b.inner_start) {
    if (d.map(N - 1).kind() != dim_kind::unstructured) b.inner = d.map(N - 1), b.inner_coord = d.map(N - 1).coord();
    else b.tables[N - 1] = d.global_indices(N - 1);
  }
  return b;
}

/// The one walker over a block's global indices: calls row(g, base) for
/// each innermost row, in row-major order, with g the global indices of the
/// row's outer dims (g[N-1] left 0) and base the flat local offset of its
/// first element. Local.
template <std::size_t N, class Row>
void for_each_layout_row(const block_layout<N>& b, Row&& row) {
  if (product(b.extents) == 0) return;
  index<N> o{}, g{};
  index_t base = 0;
  do {
    for (std::size_t d = 0; d + 1 < N; ++d) g[d] = b.tables[d][static_cast<std::size_t>(o[d])];
    row(g, base);
    base += b.extents[N - 1];
  } while (next_row(o, b.extents));
}

/// Calls `body(gidx, l)` for every element of the block of layout `b`, in
/// row-major order, with its global multi-index and flat local offset. Local.
template <std::size_t N, class Body>
void for_each_global(const block_layout<N>& b, Body&& body) {
  const index_t inner = b.extents[N - 1];
  for_each_layout_row(b, [&](index<N> g, index_t base) {
    for (index_t l = 0; l < inner; ++l) {
      g[N - 1] = b.inner_global(l);
      body(static_cast<const index<N>&>(g), base + l);
    }
  });
}

/// When aliased stencils keep a second block (storage::stencil_into_spare):
/// never (always in place: no second block), after a number of statements
/// in place that depends on the block's page size (the default), or from
/// the first such statement on. DIST_DOUBLE_BUFFER=0 / 1 at start-up
/// chooses never / always; tests set it. Local.
enum class double_buffer { never, by_page_size, always };
/// How an array moves to two blocks: aliased stencils computed in place
/// before its spare block is prepared, then the statements that prepare it
/// (each writing its share of the spare) (storage::stencil_into_spare).
struct spare_schedule {
  std::uint32_t in_place, pieces;
};
/// On 4 KiB pages the spare's first touch (a page fault per 4 KiB) costs
/// many passes, so only a loop that has run long moves, a little at a time.
inline constexpr spare_schedule small_page_spare{64, 32};
/// On huge pages the first touch costs a pass or so, and computing in
/// place still costs more per pass than two blocks: move early.
inline constexpr spare_schedule huge_page_spare{4, 4};
/// From the first aliased stencil on (DIST_DOUBLE_BUFFER=1).
inline constexpr spare_schedule immediate_spare{0, 1};
DIST_INLINE double_buffer& double_buffering() noexcept;

/// The storage of an array, for the library's own layers: the padded
/// block, its spare twin, and growing ghost layers. Local.
struct storage {
  template <class T, std::size_t N>
  static T* origin(array<T, N>& a) noexcept { return a.origin(); }
  template <class T, std::size_t N>
  static const T* origin(const array<T, N>& a) noexcept { return a.origin(); }
  template <class T, std::size_t N>
  static std::array<index_t, N> strides(const array<T, N>& a) noexcept { return a.padded_strides(); }
  template <class T, std::size_t N>
  static shape<N> padded_shape(const array<T, N>& a) noexcept { return a.padded_shape(); }
  template <class T, std::size_t N>
  static buffer<T>& data(array<T, N>& a) noexcept { return a.data_; }
  /// The padded block's first element (ghost layers included) in data(a).
  template <class T, std::size_t N>
  static T* padded_base(array<T, N>& a) noexcept { return a.padded_base(); }
  /// True when ghost layers may grow (implicit ghosts on a block that may move).
  template <class T, std::size_t N>
  static bool ghosts_can_grow(const array<T, N>& a) noexcept { return !a.explicit_halo_ && a.movable(); }
  /// The array's RMA window (null until dist::fence creates it).
  template <class T, std::size_t N>
  static std::unique_ptr<rma_window>& window(array<T, N>& a) noexcept { return a.window_; }
  template <class T, std::size_t N>
  static const rma_window* window(const array<T, N>& a) noexcept { return a.window_.get(); }
  /// A token that keeps the block where it is while any copy of it lives
  /// (for objects that keep pointing at the block, e.g. a PETSc Vec). Local.
  template <class T, std::size_t N>
  static std::shared_ptr<void> pin(array<T, N>& a) {
    if (!a.pin_) a.pin_ = std::make_shared<char>();
    return a.pin_;
  }
  template <class T, std::size_t N>
  static const std::array<index_t, N>& ghosts(const array<T, N>& a) noexcept { return a.ghost_; }
  /// Makes the ghost layers along dim d at least w wide (moving the block
  /// once). Local.
  template <class T, std::size_t N>
  static void grow_ghost(array<T, N>& a, std::size_t d, index_t w) {
    if (a.ghost_[d] >= w || !a.movable()) return;
    if (d == 0 && w - a.ghost_[0] <= a.slack_) {  // into the slack rows: nothing moves
      const index_t add = w - a.ghost_[0], pitch = a.row_elements();
      a.slack_ -= add;
      a.ghost_[0] = w;
      T* base = a.padded_base();
      std::fill_n(base, add * pitch, T{});
      std::fill_n(base + (a.padded_shape()[0] - add) * pitch, add * pitch, T{});
      return;
    }
    array<T, N> b(a.dist_, uninitialized);
    b.slack_ = 0;
    b.ghost_ = a.ghost_;
    b.ghost_[d] = w;
    b.periodic_ = a.periodic_;
    b.explicit_halo_ = a.explicit_halo_;
    b.data_ = buffer<T>(static_cast<std::size_t>(product(b.padded_shape())), T{});
    b.copy_block(a);
    a.data_.swap(b.data_);
    a.ghost_ = b.ghost_;
    a.slack_ = 0;
    a.spare_ = buffer<T>();
    a.spare_touched_ = 0;
  }
  /// The spare block (same size as the block; contents unspecified).
  template <class T, std::size_t N>
  static buffer<T>& spare(array<T, N>& a) {
    if (a.spare_.size() != a.data_.size()) a.spare_ = buffer<T>(a.data_.size());
    a.spare_touched_ = a.spare_.size();  // (the caller writes all of it)
    return a.spare_;
  }
  /// Whether an aliased stencil on `a` that could run in place
  /// (run_assign_lagged) computes into the spare block and swaps instead:
  /// two blocks, as a hand-written Jacobi swaps two arrays, which streams
  /// faster than computing in place. The spare's first touch pays off only
  /// over a loop, so the first statements run in place and the next ones
  /// each write a share of the spare (no statement pays much for it), as
  /// the block's page size schedules it (small_page_spare,
  /// huge_page_spare); once all of the spare has been written it takes
  /// over. Only for blocks the array owns and may move, and as
  /// double_buffering() allows. docs/performance.md has the figures. Local.
  template <class T, std::size_t N>
  static bool stencil_into_spare(array<T, N>& a) {
    const double_buffer mode = double_buffering();
    if (mode == double_buffer::never || !a.movable()) return false;
    if (a.spare_.size() == a.data_.size() && a.spare_touched_ >= a.spare_.size()) return true;
    const spare_schedule s = mode == double_buffer::always ? immediate_spare : a.data_.huge() ? huge_page_spare : small_page_spare;
    if (a.stencils_ < s.in_place) {
      ++a.stencils_;
      return false;
    }
    if (a.spare_.size() != a.data_.size()) {
      try {
        a.spare_ = buffer<T>(a.data_.size());
      } catch (const std::bad_alloc&) {  // no room for a second block: stay in place and ask again later
        a.stencils_ = 0;                  // (a local choice: the statement communicates the same either way)
        return false;
      }
      a.spare_touched_ = 0;
    }
    const std::size_t end = std::min(a.spare_.size(), a.spare_touched_ + (a.spare_.size() + s.pieces - 1) / s.pieces);
    // (the last share is left to the statement, which computes into the whole spare now)
    if (end < a.spare_.size()) std::fill(a.spare_.data() + a.spare_touched_, a.spare_.data() + end, T{});
    a.spare_touched_ = end;
    return end == a.spare_.size();
  }
  /// The spare block becomes the block (and the block the spare); memory
  /// the array does not own (array_view) or exposes through an RMA window
  /// gets the spare's contents instead.
  template <class T, std::size_t N>
  static void swap_spare(array<T, N>& a) noexcept {
    if (a.movable()) a.data_.swap(a.spare_);
    else std::copy_n(a.spare_.data(), a.data_.size(), a.data_.data());
  }
};

/// This rank's block as a contiguous row-major span: the array's memory
/// when the block is contiguous, else a copy packed into `tmp`. Local.
template <class T, std::size_t N>
std::span<const T> packed_block(const array<T, N>& a, buffer<T>& tmp) {
  const auto lv = a.local();
  if (lv.contiguous()) return {lv.data(), static_cast<std::size_t>(lv.size())};
  tmp = buffer<T>(static_cast<std::size_t>(lv.size()));
  copy_strided(lv.data(), lv.strides(), tmp.data(), row_major_strides(lv.extents()), lv.extents());
  return {tmp.data(), tmp.size()};
}

/// Sets each local element of `a` to f(global index). Local.
template <class T, std::size_t N, class F>
void fill_indexed(array<T, N>& a, F&& f) {
  T* p = a.local_data().data();
  for_each_global(local_layout(a.distribution()), [&](const index<N>& g, index_t l) { p[l] = f(g); });
}

}  // namespace detail
}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "array-inl.hpp"
#endif
