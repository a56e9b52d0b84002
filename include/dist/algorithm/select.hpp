// Selection by value (SPEC 13): boolean masks (`a(m)` read and assigned),
// nonzero, flatnonzero, argwhere; integer-array indexing (take, put,
// add_at, `a(idx)` for 1-D arrays); histogram and bincount.
//
// Two mechanisms (comm/stream.hpp), no special cases:
// - placement by scan: each rank compresses its stretch of the C-order
//   stream (its own block when that is one stretch, else the 1-D block
//   layout through a flat plan), one allgather of the counts places the
//   stretches, one exchange writes them to the result (or reads values for
//   them, for assignments);
// - routes: requests grouped by the owner of the element they name (closed
//   form for structured dims, the directory for unstructured ones), out and
//   back through the common executor.
// Every rank agrees on every result's shape.
// Users' reference: docs/api.md (Selection, sorting and counting).
#pragma once

#include <cmath>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "../array/array.hpp"
#include "../comm/stream.hpp"
#include "../core/agree.hpp"
#include "../expr/assign.hpp"
#include "../expr/functions.hpp"
#include "../expr/operators.hpp"
#include "shape.hpp"

namespace dist {
namespace detail {

/// True when every rank's block, in local C order, is one stretch of the
/// C-order flat index (one rank, or block-like over dim 0 with the other
/// dims whole), so it can be read as is. The same answer on every rank, and
/// for every distribution equal to d (a cyclic dim of at most one element
/// per rank is block-like and equals a block one: a mask and its array
/// must be read alike). Local.
template <std::size_t N>
bool one_stretch(const distribution<N>& d) {
  if (has_unstructured(d)) return false;
  if (d.comm().size() == 1) return true;
  if (d.replicated() || !d.map(0).is_block_like()) return false;
  for (std::size_t k = 1; k < N; ++k)
    if (d.grid()[k] != 1) return false;
  return true;
}

/// This rank's stretch of an array's C-order stream: where it starts, how
/// long, and the elements (the block itself, packed, or raveled). Not
/// copyable (data points into its own storage).
template <class T>
struct segment {
  const T* data = nullptr;
  index_t start = 0, count = 0;
  detail::buffer<T> packed;
  std::optional<array<T, 1>> raveled;
  segment() = default;
  segment(const segment&) = delete;
  segment& operator=(const segment&) = delete;
};

/// First flat index of this rank's block under one_stretch. Local.
template <std::size_t N>
index_t stretch_start(const distribution<N>& d) {
  if (d.local_size() == 0) return 0;
  index_t inner = 1;
  for (std::size_t k = 1; k < N; ++k) inner *= d.shape()[k];
  return d.map(0).global_index(0) * inner;
}

/// Fills `s` with this rank's stretch of `a`'s C-order stream. Collective
/// (ravel, when a's blocks are not stretches).
template <class T, std::size_t N>
void read_segment(const array<T, N>& a, segment<T>& s) {
  if (one_stretch(a.distribution())) {
    s.data = packed_block(a, s.packed).data();
    s.start = stretch_start(a.distribution());
    s.count = a.local_size();
    return;
  }
  s.raveled.emplace(ravel(a));
  s.data = s.raveled->local_data().data();
  s.start = stretch_start(s.raveled->distribution());
  s.count = s.raveled->local_size();
}



/// `m` (a bool array or expression of `shape`) as a bool array on `d`;
/// `keep` holds it when it had to be evaluated or moved. index_error, on
/// every rank, when the shapes differ (NumPy's rule for boolean indices).
/// Collective.
template <std::size_t N, class M>
const array<bool, N>& mask_on(const distribution<N>& d, const M& m, std::optional<array<bool, N>>& keep, const char* op) {
  static_assert(std::remove_cvref_t<M>::ndim == N, "dist: a boolean mask needs the array's number of dims");
  agree(d.comm(), op, [&] {
    if (m.shape() != d.shape())
      throw index_error(std::string(op) + ": boolean index of shape " + to_string(m.shape()) +
                        " did not match the indexed array of shape " + to_string(d.shape()));
  }, arg("mask shapes", m.shape()));
  if constexpr (is_array_v<M>) {
    if (same_key(m.distribution(), d)) return m;
  }
  keep.emplace(d, uninitialized);
  *keep = m;  // evaluates or redistributes
  return *keep;
}

/// Flat indices from `idx`'s values (negative ones count from `size`), or
/// index_error on every rank when any is out of range. Collective. The
/// result views `idx` itself when it already holds them (index_t, none
/// negative), else `keep`.
template <class I>
std::span<const index_t> flat_indices(std::span<const I> idx, index_t size, const communicator& c, buffer<index_t>& keep, const char* op) {
  index_t bad = 0;
  bool any_bad = false, any_negative = false;
  for (std::size_t k = 0; k < idx.size(); ++k) {
    const auto v = static_cast<index_t>(idx[k]);
    any_negative = any_negative || v < 0;
    if (v < -size || v >= size) any_bad = true, bad = v;
  }
  agree_on_errors(c, [&] {
    if (any_bad)
      throw index_error(std::string(op) + ": index " + std::to_string(bad) + " is out of bounds for size " + std::to_string(size));
  });
  if constexpr (std::is_same_v<I, index_t>)
    if (!any_negative) return idx;
  keep = buffer<index_t>(idx.size());
  for (std::size_t k = 0; k < idx.size(); ++k) {
    const auto v = static_cast<index_t>(idx[k]);
    keep.data()[k] = v < 0 ? v + size : v;
  }
  return {keep.data(), keep.size()};
}

/// Where flat indices of an array on `d` live: routes to their owners, and
/// on the owner the flat indices asked of it; offset(f, strides) is f's
/// place in this rank's block, computed where it is used.
/// Collective (the directories of unstructured dims; the routes).
template <std::size_t N>
class located {
 public:
  std::optional<routes> to_owner;  // empty when replicated (all local)
  std::span<const index_t> asked;  // flat indices asked of this rank (replicated: this rank's own)

  located(const distribution<N>& d, std::span<const index_t> flat, const char* op) : d_(d), gs_(row_major_strides(d.shape())) {
    const auto& s = d.shape();
    for (std::size_t k = 0; k < N; ++k) {
      block_[k] = !d.replicated() && d.map(k).kind() == dim_kind::block;
      if (block_[k] && d.map(k).local_size() > 0) first_[k] = d.map(k).global_index(0);
    }
    if (d.replicated()) {
      asked = flat;
      return;
    }
    buffer<int> owner(flat.size());
    if (d.structured()) {  // owners in closed form, one pass
      for (std::size_t i = 0; i < flat.size(); ++i) {
        int r = 0;
        for (std::size_t k = 0; k < N; ++k) r = r * d.grid()[k] + d.map(k).owner(N == 1 ? flat[i] : (flat[i] / gs_[k]) % s[k]);
        owner.data()[i] = r;
      }
    } else {  // per dim: unstructured dims ask the directory
      std::vector<index_t> g(flat.size());
      std::vector<location> loc;
      for (std::size_t k = 0; k < N; ++k) {
        const dim_map& m = d.map(k);
        for (std::size_t i = 0; i < flat.size(); ++i) g[i] = (flat[i] / gs_[k]) % s[k];
        if (m.kind() == dim_kind::unstructured) loc = d.lookup(k, g);
        for (std::size_t i = 0; i < flat.size(); ++i)
          owner.data()[i] = (k == 0 ? 0 : owner.data()[i] * d.grid()[k]) + (m.kind() == dim_kind::unstructured ? loc[i].coord : m.owner(g[i]));
      }
    }
    to_owner.emplace(d.comm(), std::span<const int>(owner.data(), owner.size()), op);
    received_ = buffer<index_t>(static_cast<std::size_t>(to_owner->received()));
    to_owner->forward(flat.data(), received_.data());
    asked = {received_.data(), received_.size()};
  }

  /// out[i] = a[flat[i]] for the flat indices this was built for; `a` on
  /// the distribution it was built for. Collective (unless replicated).
  template <class T>
  void fetch(const array<T, N>& a, T* out) const {
    const auto lv = a.local();
    detail::buffer<T> vals(to_owner ? asked.size() : 0);  // the answers, when they travel back
    T* dst = to_owner ? vals.data() : out;
    for (std::size_t k = 0; k < asked.size(); ++k) dst[k] = lv.data()[offset(asked[k], lv.strides())];
    if (to_owner) to_owner->backward(vals.data(), out);
  }

  /// f(a[flat[i]], values[i]) on the owner for the flat indices this was
  /// built for: by source rank, then request order, or in `order` (indices
  /// into the requests received) when given. Collective (unless replicated).
  template <class T, class F>
  void deliver(array<T, N>& a, const T* values, F&& f, const std::vector<std::size_t>* order = nullptr) const {
    auto lv = a.local();
    detail::buffer<T> got;
    if (to_owner) {
      got = detail::buffer<T>(asked.size());
      to_owner->forward(values, got.data());
      values = got.data();
    }
    const auto one = [&](std::size_t k) { f(lv.data()[offset(asked[k], lv.strides())], values[k]); };
    if (order)
      for (std::size_t k : *order) one(k);
    else
      for (std::size_t k = 0; k < asked.size(); ++k) one(k);
  }

  /// The offset in this rank's block (memory strides `strides`) of flat
  /// index f, which this rank holds. Local.
  index_t offset(index_t f, const std::array<index_t, N>& strides) const {
    if constexpr (N == 1) {
      return (block_[0] ? f - first_[0] : local_of(0, f)) * strides[0];
    } else {
      index_t o = 0;
      for (std::size_t k = 0; k < N; ++k) {
        const index_t g = (f / gs_[k]) % d_.shape()[k];
        o += (block_[k] ? g - first_[k] : local_of(k, g)) * strides[k];
      }
      return o;
    }
  }

 private:
  index_t local_of(std::size_t k, index_t g) const { return d_.replicated() ? g : d_.map(k).local_index(g); }

  distribution<N> d_;
  std::array<index_t, N> gs_, first_{};
  std::array<bool, N> block_{};
  buffer<index_t> received_;
};

/// out[i] = a[flat[i]]. Collective.
template <class T, std::size_t N>
void take_flat(const array<T, N>& a, std::span<const index_t> flat, T* out, const char* op) {
  located<N>(a.distribution(), flat, op).fetch(a, out);
}

/// Applies f(element, value) for a[flat[i]] and values[i], on the owner,
/// in order of source rank and then request order. Collective.
template <class T, std::size_t N, class F>
void deliver_flat(array<T, N>& a, std::span<const index_t> flat, const T* values, F&& f, const char* op) {
  auto lv = a.local();
  if (a.distribution().replicated() && a.comm().size() > 1) {  // every copy applies every rank's requests, in rank order
    const communicator& c = a.comm();
    const int mine = mpi_count(static_cast<index_t>(flat.size()), op);
    std::vector<int> counts(static_cast<std::size_t>(c.size()));
    check_mpi(MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, c), "MPI_Allgather");
    const auto displs = displacements(counts, op);
    const auto n = static_cast<std::size_t>(displs.back()) + static_cast<std::size_t>(counts.back());
    std::vector<index_t> all_flat(n);
    detail::buffer<T> all_vals(n);
    check_mpi(MPI_Allgatherv(flat.data(), mine, MPI_INT64_T, all_flat.data(), counts.data(), displs.data(), MPI_INT64_T, c), "MPI_Allgatherv");
    check_mpi(MPI_Allgatherv(values, mine, mpi_type<T>(), all_vals.data(), counts.data(), displs.data(), mpi_type<T>(), c), "MPI_Allgatherv");
    const auto str = lv.strides();
    const auto gs = row_major_strides(a.shape());
    for (std::size_t i = 0; i < n; ++i) {
      index_t o = 0;
      for (std::size_t k = 0; k < N; ++k) o += ((all_flat[i] / gs[k]) % a.shape()[k]) * str[k];
      f(lv.data()[o], all_vals.data()[i]);
    }
    return;
  }
  located<N>(a.distribution(), flat, op).deliver(a, values, f);
}

/// The values `v` (an array or expression of the indices' shape) as T on
/// the indices' layout `idx`; shape_error on every rank for another shape.
/// Collective.
template <class T, std::size_t M, class V>
array<T, M> values_onto(const distribution<M>& idx, const V& v, const char* op) {
  static_assert(std::remove_cvref_t<V>::ndim == M, "dist: values need the indices' number of dims");
  agree(idx.comm(), op, [&] {
    if (v.shape() != idx.shape())
      throw shape_error(std::string(op) + ": values of shape " + to_string(v.shape()) + " do not match indices of shape " +
                        to_string(idx.shape()));
  });
  array<T, M> vv(idx, uninitialized);
  vv = v;
  return vv;
}

/// `v` (a scalar, or an array or expression of `idx`'s shape) as T values
/// in the order of idx's segment. Collective.
template <class T, class I, std::size_t M, class V>
void values_like(const array<I, M>& idx, const V& v, const segment<I>& is, detail::buffer<T>& out, const char* op) {
  out = detail::buffer<T>(static_cast<std::size_t>(is.count));
  if constexpr (scalar<V>) {
    std::fill_n(out.data(), out.size(), static_cast<T>(v));
  } else {
    const array<T, M> vv = values_onto<T>(idx.distribution(), v, op);  // collective: values_onto (agree)
    segment<T> vs;
    read_segment(vv, vs);
    std::copy_n(vs.data, is.count, out.data());
  }
}

/// put/add_at: values for `idx` applied on their owners in index order. Collective.
template <class T, std::size_t N, class I, std::size_t M, class V, class F>
void scatter_values(array<T, N>& a, const array<I, M>& idx, const V& v, F&& f, const char* op) {
  detail::require_same_ranks(a.comm(), idx.comm(), op);
  segment<I> is;  // a stretch: source ranks in index order, each in index order
  read_segment(idx, is);
  buffer<index_t> keep;
  const auto flat = flat_indices(std::span<const I>(is.data, static_cast<std::size_t>(is.count)), a.size(), a.comm(), keep, op);
  detail::buffer<T> vals;
  values_like<T>(idx, v, is, vals, op);
  deliver_flat(a, flat, vals.data(), f, op);
}

/// An integer array or expression (indices), of any rank.
template <class I>
concept integer_operand = (is_array_v<I> || node_expression<I>) && std::is_integral_v<typename std::remove_cvref_t<I>::value_type> &&
                          !std::is_same_v<typename std::remove_cvref_t<I>::value_type, bool>;

}  // namespace detail

// ---- integer-array indexing ----

/// a.flat[idx]: the elements of `a` at the flat (C-order) indices `idx`
/// (an integer array or expression of any distribution; negative indices
/// count from the end), with idx's shape and distribution. index_error on
/// every rank when an index is out of range. Collective.
template <class T, std::size_t N, class I>
  requires detail::integer_operand<I>
array<T, std::remove_cvref_t<I>::ndim> take(const array<T, N>& a, const I& idx_in) {
  constexpr std::size_t M = std::remove_cvref_t<I>::ndim;
  const auto& idx = detail::as_array(idx_in);
  detail::agree(a.comm(), "dist::take", [&] { detail::require_same_ranks(a.comm(), idx.comm(), "dist::take"); },
                detail::arg("sizes", a.size()), detail::arg("index shapes", idx.shape()));
  using J = detail::value_of<decltype(idx)>;
  detail::buffer<J> packed;
  const auto ib = detail::packed_block(idx, packed);
  detail::buffer<index_t> keep;
  const auto flat = detail::flat_indices(ib, a.size(), a.comm(), keep, "dist::take");
  array<T, M> out(idx.distribution(), uninitialized);
  if (out.local().contiguous()) {
    detail::take_flat(a, flat, out.local_data().data(), "dist::take");
  } else {
    detail::buffer<T> tmp(flat.size());
    detail::take_flat(a, flat, tmp.data(), "dist::take");
    detail::copy_strided(tmp.data(), detail::row_major_strides(out.local_shape()), out.local().data(), out.local().strides(), out.local_shape());
  }
  return out;
}

/// NumPy's take along `axis` (negative counts from the end) with 1-D
/// indices: out[..., j, ...] = a[..., idx[j], ...]; the result has a's shape
/// with idx.size() along axis, in the default layout. index_error on every
/// rank for a bad axis or index. Collective.
template <class T, std::size_t N, class I>
  requires(detail::integer_operand<I> && std::remove_cvref_t<I>::ndim == 1)
array<T, N> take(const array<T, N>& a, const I& idx_in, int axis) {
  const auto& idx = detail::as_array(idx_in);
  int ax = 0;
  detail::agree(a.comm(), "dist::take", [&] {
    detail::require_same_ranks(a.comm(), idx.comm(), "dist::take");
    ax = detail::normalise_axis<N>(axis, "dist::take");
  }, detail::arg("shapes", a.shape()), detail::arg("index shapes", idx.shape()), detail::arg("axes", axis));
  const auto d = static_cast<std::size_t>(ax);
  shape<N> s = a.shape();
  s[d] = idx.size();
  array<T, N> out(distribution<N>(s, a.comm()), uninitialized);
  // idx[j] for the j my block of the result holds along the axis
  const auto js = out.distribution().global_indices(d);
  using J = detail::value_of<decltype(idx)>;
  std::vector<J> along(js.size());
  detail::take_flat(idx, js, along.data(), "dist::take");
  detail::buffer<index_t> keep;
  const auto at = detail::flat_indices(std::span<const J>(along), a.shape()[d], a.comm(), keep, "dist::take");
  // the flat index into a of each of my result elements
  std::vector<index_t> flat(static_cast<std::size_t>(out.local_size()));
  const auto gs = detail::row_major_strides(a.shape());
  const auto ls = out.local_shape();
  {
    // local position p -> local multi-index -> global, with the axis replaced by at[]
    const auto lstr = detail::row_major_strides(ls);
    for (index_t p = 0; p < out.local_size(); ++p) {
      index_t f = 0;
      for (std::size_t e = 0; e < N; ++e) {
        const index_t l = (p / lstr[e]) % ls[e];
        f += (e == d ? at[static_cast<std::size_t>(l)] : out.distribution().map(e).global_index(l)) * gs[e];
      }
      flat[static_cast<std::size_t>(p)] = f;
    }
  }
  detail::take_flat(a, flat, out.local_data().data(), "dist::take");
  return out;
}

/// a.flat[idx] = values (a scalar, or an array or expression of idx's
/// shape), as NumPy's put: for a repeated index the last in index order
/// wins. index_error on every rank for an index out of range. Collective.
template <class T, std::size_t N, class I, class V>
  requires detail::integer_operand<I>
void put(array<T, N>& a, const I& idx_in, const V& values) {
  const auto& idx = detail::as_array(idx_in);
  detail::agree(a.comm(), "dist::put", [] {}, detail::arg("sizes", a.size()), detail::arg("index shapes", idx.shape()));
  detail::scatter_values(a, idx, values, [](T& x, const T& v) { x = v; }, "dist::put");
}

/// NumPy's add.at: a.flat[idx] += values, repeated indices accumulating
/// (in index order). index_error on every rank for an index out of range. Collective.
template <class T, std::size_t N, class I, class V>
  requires detail::integer_operand<I>
void add_at(array<T, N>& a, const I& idx_in, const V& values) {
  const auto& idx = detail::as_array(idx_in);
  detail::agree(a.comm(), "dist::add_at", [] {}, detail::arg("sizes", a.size()), detail::arg("index shapes", idx.shape()));
  detail::scatter_values(a, idx, values, [](T& x, const T& v) { x += v; }, "dist::add_at");
}

/// The index exchange of take / put / add_at for arrays on `d` and the
/// indices `idx` (any layout; negative indices count from the end), built
/// once and kept: for loops that gather or scatter through the same indices
/// (an unstructured mesh's neighbours). Building costs what one take costs
/// without the values (index_error on every rank for an index out of
/// range); each use is then one exchange of values each way it needs.
/// Collective.
template <std::size_t N, std::size_t M>
class index_plan {
 public:
  template <class I>
  index_plan(const distribution<N>& d, const array<I, M>& idx) : d_(d), idx_(idx.distribution(), uninitialized) {
    detail::agree(d.comm(), "dist::index_plan", [&] { detail::require_same_ranks(d.comm(), idx.comm(), "dist::index_plan"); },
                  detail::arg("sizes", d.size()), detail::arg("index shapes", idx.shape()));
    detail::buffer<I> packed;
    detail::buffer<index_t> keep;
    const auto flat = detail::flat_indices(detail::packed_block(idx, packed), d.size(), d.comm(), keep, "dist::index_plan");
    std::copy(flat.begin(), flat.end(), idx_.local_data().begin());
    where_.emplace(d_, std::span<const index_t>(idx_.local_data()), "dist::index_plan");
    // put's order: the requests each owner receives, by their place in idx (C order)
    std::vector<index_t> pos(flat.size());
    const auto gs = detail::row_major_strides(idx.shape());
    detail::for_each_global(detail::local_layout(idx.distribution()), [&](const index<M>& g, index_t l) {
      index_t f = 0;
      for (std::size_t k = 0; k < M; ++k) f += g[k] * gs[k];
      pos[static_cast<std::size_t>(l)] = f;
    });
    std::vector<index_t> got(where_->asked.size());
    if (where_->to_owner) where_->to_owner->forward(pos.data(), got.data());
    else got = pos;
    order_.resize(got.size());
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    std::sort(order_.begin(), order_.end(), [&](std::size_t x, std::size_t y) { return got[x] < got[y]; });
  }

  /// a.flat[idx] with idx's shape and layout; `a` must lie on the plan's
  /// layout (else distribution_error on every rank). Collective.
  template <class T>
  array<T, M> take(const array<T, N>& a) const {
    check(a, "dist::index_plan::take");  // collective: check (agree)
    array<T, M> out(idx_.distribution(), uninitialized);
    where_->fetch(a, out.local_data().data());
    return out;
  }
  /// put(a, idx, v) (the last of repeated indices in idx's C order wins). Collective.
  template <class T, class V>
  void put(array<T, N>& a, const V& v) const {
    apply(a, v, [](T& x, const T& y) { x = y; }, "dist::index_plan::put");  // collective: apply (agree)
  }
  /// add_at(a, idx, v). Collective.
  template <class T, class V>
  void add_at(array<T, N>& a, const V& v) const {
    apply(a, v, [](T& x, const T& y) { x += y; }, "dist::index_plan::add_at");  // collective: apply (agree)
  }
  /// The requests this rank sends and answers (elements it asked for, and was asked for).
  index_t sent() const noexcept { return static_cast<index_t>(idx_.local_size()); }
  index_t answered() const noexcept { return static_cast<index_t>(where_->asked.size()); }

 private:
  template <class T>
  void check(const array<T, N>& a, const char* op) const {
    detail::agree(a.comm(), op, [&] {
      if (!(a.distribution() == d_))
        throw distribution_error(std::string(op) + ": the array does not lie on the layout the plan was built for");
    });
  }
  template <class T, class V, class F>
  void apply(array<T, N>& a, const V& v, F&& f, const char* op) const {
    check(a, op);
    if (d_.replicated() && d_.comm().size() > 1) {  // every copy applies every update: the general path
      detail::scatter_values(a, idx_, v, f, op);
      return;
    }
    detail::buffer<T> vals(static_cast<std::size_t>(idx_.local_size()));
    if constexpr (scalar<V>) {
      std::fill_n(vals.data(), vals.size(), static_cast<T>(v));
    } else {
      const array<T, M> vv = detail::values_onto<T>(idx_.distribution(), v, op);  // collective: values_onto (agree)
      std::copy(vv.local_data().begin(), vv.local_data().end(), vals.data());
    }
    where_->deliver(a, vals.data(), f, &order_);
  }

  distribution<N> d_;
  array<index_t, M> idx_;  // the flat indices, normalised, on idx's layout
  std::optional<detail::located<N>> where_;
  std::vector<std::size_t> order_;  // received requests in idx's C order
};

namespace detail {

/// `a(m)`: the elements of `a` where the bool mask `m` is true (SPEC 13).
/// Evaluated (conversion to array<T, 1>, dist::eval) it is a 1-D block
/// array in C order; assigned, it writes only where the mask is true.
/// Holds references: use it within the statement that made it.
template <class A>
class masked {
  using T = std::remove_const_t<typename A::value_type>;
  static constexpr std::size_t N = A::ndim;

 public:
  using value_type = T;
  static constexpr std::size_t ndim = 1;

  /// Evaluates `m` on a's layout; index_error on every rank when its shape
  /// is not a's. Collective.
  template <class M>
  masked(A& a, const M& m) : a_(&a), m_(&mask_on(a.distribution(), m, keep_, "dist::array(mask)")) {}
  masked(const masked&) = delete;

  /// The mask, on a's layout. Local.
  const array<bool, N>& mask() const noexcept { return *m_; }
  /// How many elements the mask selects. Collective.
  index_t count() const { return count_nonzero(*m_); }

  /// The selected elements in C order, a 1-D block array. Collective.
  array<T, 1> eval() const {
    const char* op = "dist::array(mask)";
    segment<T> sa;
    segment<bool> sm;
    read_segment(static_cast<const array<T, N>&>(*a_), sa);
    read_segment(*m_, sm);
    detail::buffer<T> sel(static_cast<std::size_t>(sa.count));
    index_t n = 0;
    for (index_t i = 0; i < sa.count; ++i) {
      sel.data()[n] = sa.data[i];
      n += sm.data[i] ? 1 : 0;
    }
    const auto st = place_by_scan(a_->comm(), sa.start, n);
    array<T, 1> out(distribution<1>(shape<1>{st.total}, a_->comm()), uninitialized);
    place(st, sel.data(), out, op);
    return out;
  }
  operator array<T, 1>() const { return eval(); }  // NOLINT: implicit, like NumPy results

  /// Writes `v` where the mask is true: a scalar; an array or expression of
  /// a's shape, element-wise (a(a < 0) = -a); or (rank 1, other shape) the
  /// count_nonzero(mask) values in C order (else shape_error on every rank).
  /// Collective.
  template <class V>
    requires(!std::is_const_v<A>)
  masked& operator=(const V& v) {
    if constexpr (scalar<V>) {
      *a_ = where(*m_, static_cast<T>(v), *a_);
    } else if constexpr (std::remove_cvref_t<V>::ndim == N && N > 1) {
      *a_ = where(*m_, v, *a_);
    } else {
      static_assert(std::remove_cvref_t<V>::ndim == 1, "dist: a masked assignment takes a scalar, a's shape, or 1-D values");
      if constexpr (N == 1) {
        if (v.shape() == a_->shape()) *a_ = where(*m_, v, *a_);
        else assign_values(v);
      } else {
        assign_values(v);
      }
    }
    return *this;
  }
  masked& operator=(const masked& o) {
    static_assert(!std::is_const_v<A>, "dist: cannot assign through a read-only array");
    return *this = o.eval();
  }
  template <class V> requires(!std::is_const_v<A>) masked& operator+=(const V& v) { *a_ = where(*m_, *a_ + v, *a_); return *this; }
  template <class V> requires(!std::is_const_v<A>) masked& operator-=(const V& v) { *a_ = where(*m_, *a_ - v, *a_); return *this; }
  template <class V> requires(!std::is_const_v<A>) masked& operator*=(const V& v) { *a_ = where(*m_, *a_ * v, *a_); return *this; }
  template <class V> requires(!std::is_const_v<A>) masked& operator/=(const V& v) { *a_ = where(*m_, *a_ / v, *a_); return *this; }

 private:
  template <class V>
  void assign_values(const V& v) {
    const char* op = "dist::array(mask) = values";
    array<T, N>& a = *a_;
    segment<bool> sm;
    read_segment(*m_, sm);
    index_t n = 0;
    for (index_t i = 0; i < sm.count; ++i) n += sm.data[i] ? 1 : 0;
    const auto st = place_by_scan(a.comm(), sm.start, n);
    if (st.total != v.size())  // the same on every rank
      throw shape_error(std::string(op) + ": cannot assign " + std::to_string(v.size()) + " input values to the " +
                        std::to_string(st.total) + " output values where the mask is true");
    detail::buffer<T> vals(static_cast<std::size_t>(n));
    if constexpr (is_array_v<V> && std::is_same_v<value_of<V>, T>) {
      fetch_stretches(st, v, vals.data(), op);
    } else {
      array<T, 1> vv(distribution<1>(v.shape(), a.comm()), uninitialized);
      vv = v;
      fetch_stretches(st, vv, vals.data(), op);
    }
    const auto write = [&](T* p) {
      index_t k = 0;
      for (index_t i = 0; i < sm.count; ++i)
        if (sm.data[i]) p[i] = vals.data()[k++];
    };
    if (one_stretch(a.distribution()) && a.local().contiguous()) {
      write(a.local_data().data());
    } else {
      array<T, 1> r = ravel(a);
      write(r.local_data().data());
      a = reshape(r, a.distribution());
    }
  }

  A* a_;
  std::optional<array<bool, N>> keep_;
  const array<bool, N>* m_;
};

/// `a(idx)` for a 1-D array: reads as take(a, idx); assigned, as put (a
/// scalar, or values of idx's shape; the last of repeated indices wins);
/// `a(idx) += v` is NumPy's buffered update (put(a, idx, take(a, idx) + v)).
/// Holds references: use it within the statement that made it.
template <class A>
class indexed {
  using T = std::remove_const_t<typename A::value_type>;

 public:
  using value_type = T;
  static constexpr std::size_t ndim = 1;
  template <class I>
  indexed(A& a, const I& idx) : a_(&a), idx_(idx) {}
  indexed(const indexed&) = delete;

  array<T, 1> eval() const { return take(static_cast<const array<T, 1>&>(*a_), idx_); }
  operator array<T, 1>() const { return eval(); }  // NOLINT: implicit, like NumPy results

  template <class V> requires(!std::is_const_v<A>) indexed& operator=(const V& v) { put(*a_, idx_, v); return *this; }
  indexed& operator=(const indexed& o) {
    static_assert(!std::is_const_v<A>, "dist: cannot assign through a read-only array");
    put(*a_, idx_, o.eval());
    return *this;
  }
  template <class V> requires(!std::is_const_v<A>) indexed& operator+=(const V& v) { put(*a_, idx_, eval() + v); return *this; }
  template <class V> requires(!std::is_const_v<A>) indexed& operator-=(const V& v) { put(*a_, idx_, eval() - v); return *this; }
  template <class V> requires(!std::is_const_v<A>) indexed& operator*=(const V& v) { put(*a_, idx_, eval() * v); return *this; }
  template <class V> requires(!std::is_const_v<A>) indexed& operator/=(const V& v) { put(*a_, idx_, eval() / v); return *this; }

 private:
  A* a_;
  array<index_t, 1> idx_;
};

}  // namespace detail

/// The selected elements of a masked array (`a(m)`), a 1-D block array. Collective.
template <class A>
array<std::remove_const_t<typename A::value_type>, 1> eval(const detail::masked<A>& m) {  // collective: masked::eval
  return m.eval();
}
/// The elements `a(idx)` names, with idx's shape and layout. Collective.
template <class A>
array<std::remove_const_t<typename A::value_type>, 1> eval(const detail::indexed<A>& x) {  // collective: take
  return x.eval();
}

// ---- nonzero, flatnonzero, argwhere ----

namespace detail {

/// The C-order flat indices of `e`'s nonzero elements in this rank's
/// stretch, and the stretches they form. Collective.
template <class E>
std::pair<std::vector<index_t>, stretches> nonzero_stretch(const E& e, const char* op) {
  using V = value_of<E>;
  const auto& a = as_array(e);
  collective_entry(a.comm(), op, a.shape());
  segment<V> s;
  read_segment(a, s);
  std::vector<index_t> f;
  for (index_t i = 0; i < s.count; ++i)
    if (s.data[i] != V{}) f.push_back(s.start + i);
  auto st = place_by_scan(a.comm(), s.start, static_cast<index_t>(f.size()));
  return {std::move(f), std::move(st)};
}

}  // namespace detail

/// NumPy's flatnonzero: the C-order flat indices of e's nonzero elements,
/// increasing, as a 1-D block array. Collective.
template <expression E>
array<index_t, 1> flatnonzero(const E& e) {  // collective: nonzero_stretch (collective_entry)
  auto [f, st] = detail::nonzero_stretch(e, "dist::flatnonzero");
  array<index_t, 1> out(distribution<1>(shape<1>{st.total}, detail::as_array(e).comm()), uninitialized);
  detail::place(st, f.data(), out, "dist::flatnonzero");
  return out;
}

/// NumPy's nonzero: per dim, the indices of e's nonzero elements in C
/// order, each a 1-D block array of count_nonzero(e) elements. Collective.
template <expression E>
std::array<array<index_t, 1>, detail::ndim_of<E>> nonzero(const E& e) {  // collective: nonzero_stretch (collective_entry)
  constexpr std::size_t N = detail::ndim_of<E>;
  const auto& a = detail::as_array(e);
  auto found = detail::nonzero_stretch(a, "dist::nonzero");
  const auto& f = found.first;  // (not structured bindings: clang before 16 cannot capture them)
  const auto& st = found.second;
  const distribution<1> d(shape<1>{st.total}, a.comm());
  const auto x = detail::stream_exchange(st, d, false, "dist::nonzero");
  const auto gs = detail::row_major_strides(a.shape());
  std::vector<index_t> coord(f.size());
  return [&]<std::size_t... K>(std::index_sequence<K...>) {
    const auto one = [&](std::size_t k) {
      for (std::size_t i = 0; i < f.size(); ++i) coord[i] = (f[i] / gs[k]) % a.shape()[k];
      array<index_t, 1> out(d, uninitialized);
      x.run(coord.data(), {1}, out.local_data().data(), {1});
      return out;
    };
    return std::array<array<index_t, 1>, N>{one(K)...};
  }(std::make_index_sequence<N>{});
}

/// NumPy's argwhere: the multi-indices of e's nonzero elements in C order,
/// an array of shape (count, ndim) in the default layout. Collective.
template <expression E>
array<index_t, 2> argwhere(const E& e) {  // collective: nonzero_stretch (collective_entry)
  constexpr std::size_t N = detail::ndim_of<E>;
  const auto& a = detail::as_array(e);
  auto [f, st] = detail::nonzero_stretch(a, "dist::argwhere");
  const auto gs = detail::row_major_strides(a.shape());
  std::vector<index_t> rows(f.size() * N);
  for (std::size_t i = 0; i < f.size(); ++i)
    for (std::size_t k = 0; k < N; ++k) rows[i * N + k] = (f[i] / gs[k]) % a.shape()[k];
  array<index_t, 2> out(distribution<2>(shape<2>{st.total, static_cast<index_t>(N)}, a.comm()), uninitialized);
  detail::place(detail::widen(st, static_cast<index_t>(N)), rows.data(), out, "dist::argwhere");
  return out;
}

// ---- histogram, bincount ----

/// histogram's result: counts per bin and the bins+1 edges.
template <class E = double>
struct histogram_result {
  std::vector<index_t> counts;
  std::vector<E> edges;
};

/// NumPy's histogram with `bins` equal bins over [lo, hi] (the last bin
/// closed; values outside, and NaN, are not counted): the same counts and
/// edges on every rank. shape_error for bins < 1, lo > hi or a non-finite
/// range (on every rank). Collective (one allreduce of the counts).
template <expression E>
histogram_result<double> histogram(const E& e, index_t bins, double lo, double hi) {
  const auto& a = detail::as_array(e);
  detail::agree(a.comm(), "dist::histogram", [&] {
    if (bins < 1) throw shape_error("dist::histogram: bins must be positive, got " + std::to_string(bins));
    if (!(std::isfinite(lo) && std::isfinite(hi))) throw shape_error("dist::histogram: the range must be finite");
    if (lo > hi) throw shape_error("dist::histogram: max must be larger than min in range parameter");
  }, detail::arg("bins", bins), detail::arg("ranges", std::array<double, 2>{lo, hi}));
  if (lo == hi) lo -= 0.5, hi += 0.5;  // NumPy's widening of an empty range
  histogram_result<double> r;
  r.edges.resize(static_cast<std::size_t>(bins) + 1);
  const double step = (hi - lo) / static_cast<double>(bins);  // np.linspace
  for (index_t i = 0; i <= bins; ++i) r.edges[static_cast<std::size_t>(i)] = static_cast<double>(i) * step + lo;
  r.edges.back() = hi;
  r.counts.assign(static_cast<std::size_t>(bins), 0);
  const double norm = static_cast<double>(bins) / (hi - lo);
  detail::buffer<detail::value_of<E>> packed;
  for (const auto& v : detail::packed_block(a, packed)) {  // NumPy's binning, its corrections included
    const double x = static_cast<double>(v);
    if (!(x >= lo && x <= hi)) continue;
    auto i = static_cast<index_t>((x - lo) * norm);
    if (i == bins) --i;
    if (x < r.edges[static_cast<std::size_t>(i)]) --i;
    else if (i != bins - 1 && x >= r.edges[static_cast<std::size_t>(i) + 1]) ++i;
    ++r.counts[static_cast<std::size_t>(i)];
  }
  if (!a.distribution().replicated() || a.comm().size() == 1) {
    detail::for_each_chunk(static_cast<index_t>(r.counts.size()), [&](index_t off, int n) {
      detail::check_mpi(MPI_Allreduce(MPI_IN_PLACE, r.counts.data() + off, n, MPI_INT64_T, MPI_SUM, a.comm()), "MPI_Allreduce");
    });
  }
  return r;
}

/// NumPy's bincount: occurrences of each value 0..max(idx) (at least
/// `minlength` bins), a 1-D block array. index_error on every rank for a
/// negative value. Collective.
template <expression E>
  requires std::is_integral_v<detail::value_of<E>>
array<index_t, 1> bincount(const E& e, index_t minlength = 0) {
  const auto& a = detail::as_array(e);
  using V = detail::value_of<E>;
  detail::buffer<V> packed;
  const auto blk = detail::packed_block(a, packed);
  const bool replicated = a.distribution().replicated() && a.comm().size() > 1;
  std::vector<index_t> vals;
  if (!replicated || a.comm().rank() == 0)
    for (const auto& v : blk) vals.push_back(static_cast<index_t>(v));
  std::sort(vals.begin(), vals.end());
  std::array<std::uint64_t, 1> extra{~static_cast<std::uint64_t>(vals.empty() ? 0 : vals.back() + 1)};
  detail::agree_and_reduce(a.comm(), "dist::bincount", extra, [&] {
    if (minlength < 0) throw shape_error("dist::bincount: minlength must be non-negative");
    if (!vals.empty() && vals.front() < 0)
      throw index_error("dist::bincount: the input must have no negative elements (found " + std::to_string(vals.front()) + ")");
  }, detail::arg("minlengths", minlength));
  const index_t len = std::max(static_cast<index_t>(~extra[0]), minlength);
  array<index_t, 1> out(distribution<1>(shape<1>{len}, a.comm()), index_t{0});
  // distinct values and their local counts, added on the owners
  std::vector<index_t> uniq, cnt;
  for (std::size_t i = 0; i < vals.size(); ++i) {
    if (i == 0 || vals[i] != vals[i - 1]) uniq.push_back(vals[i]), cnt.push_back(0);
    ++cnt.back();
  }
  detail::deliver_flat(out, uniq, cnt.data(), [](index_t& x, index_t c) { x += c; }, "dist::bincount");
  return out;
}

}  // namespace dist
