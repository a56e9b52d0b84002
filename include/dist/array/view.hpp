// Views: `a(dist::slice{1, -1}, dist::all(), 3)` names a
// part of `a` with NumPy's basic-slicing rules. A view holds its parent and
// one (start, step, count) per parent dim; an integer index is a range of
// one that the view drops. It reads and writes the parent, is an operand
// and an assignment target, and views of views compose.
//
// How a view meets the evaluator: its *layout* (view_layout) is a
// distribution of the view's index space over the parent's grid (a dropped
// dim keeps extent 1 there, so the layout has the parent's rank) plus where
// each of this rank's view elements sits in the parent's block. A slice
// with step > 0 of a block or undistributed dim is again a block dim (its
// bounds follow from the parent's) and its elements are a strided run of
// the parent's block; so is any slice of a dim the grid does not split.
// Other slices (cyclic and block-cyclic parents, negative steps over
// several blocks, unstructured parents) become unstructured dims whose
// memory is still affine where the arithmetic allows and a table where it
// does not. Everything downstream (alignment plans, aliasing, halos) works
// from this layout.
// Users' reference: docs/api.md (Views).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../core/mru_cache.hpp"
#include "../distribution/distribution.hpp"
#include "array.hpp"
#include "slice.hpp"

namespace dist {
namespace detail {

/// Defined in expr/assign.hpp: v op= x element-wise. Collective.
template <class A, std::size_t M, class X, class Op, class Wait = std::nullptr_t>
void assign_view(const view<A, M>& v, const X& x, Op op, Wait wait = nullptr);

/// A view's index space and memory on this rank (parent's rank; a dropped
/// dim has extent 1).
template <std::size_t N>
struct view_layout {
  distribution<N> dist;
  /// Affine dims: view-local position l sits at parent-local offset[d] + lstep[d]*l.
  std::array<index_t, N> offset{};
  std::array<index_t, N> lstep{};
  /// Other dims: the parent-local position of each view-local position.
  std::array<std::vector<index_t>, N> table{};
  std::array<bool, N> tabled{};
  bool affine() const noexcept {
    for (bool t : tabled)
      if (t) return false;
    return true;
  }
  /// True when every dim is a block-like slice (step > 0 of a block or
  /// undistributed dim, or a dim on one grid coordinate): then the view's
  /// elements along d are the parent's at start + step*i, owned where the
  /// parent owns them. The stencil fast path needs it.
  bool blocky = true;
};

/// The layout of the view with per-dim ranges `r` over a parent on `pd`.
/// Local when every dim stays structured; else collective (it builds a
/// distribution with unstructured dims). The decision is the same on every rank.
template <std::size_t N>
view_layout<N> make_view_layout(const distribution<N>& pd, const std::array<slice_range, N>& r) {
  view_layout<N> L{pd, {}, {}, {}, {}, true};
  std::array<dim_map, N> maps = [&]<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<dim_map, N>{pd.map(I)...};
  }(std::make_index_sequence<N>{});
  std::array<dim_spec, N> specs;
  shape<N> vs{};
  bool collective = false;
  for (std::size_t d = 0; d < N; ++d) {
    const dim_map& m = pd.map(d);
    const int p = m.procs(), c = m.coord();
    const index_t start = r[d].start, step = r[d].step, count = r[d].count;
    vs[d] = count;
    const bool structured = m.kind() != dim_kind::unstructured;
    if (structured && p == 1) {  // one coordinate holds the dim, in global order
      maps[d] = dim_map::undistributed(count);
      specs[d] = undistributed{};
      L.offset[d] = count ? start : 0;
      L.lstep[d] = step;
      continue;
    }
    if ((m.kind() == dim_kind::block || m.kind() == dim_kind::undistributed) && step > 0) {
      std::vector<index_t> b(static_cast<std::size_t>(p) + 1);
      for (int q = 0; q <= p; ++q) {
        const index_t x = m.block_start(q) - start;
        b[static_cast<std::size_t>(q)] = x <= 0 ? 0 : std::min(count, (x + step - 1) / step);
      }
      maps[d] = dim_map::block(b, c);
      L.offset[d] = start + step * b[static_cast<std::size_t>(c)] - m.block_start(c);
      L.lstep[d] = step;
      specs[d] = block{std::move(b)};
      continue;
    }
    if (structured && count == 1) {  // one index (an integer, or a slice of one): its owner holds it
      const int owner = m.owner(start);
      std::vector<index_t> b(static_cast<std::size_t>(p) + 1);
      for (int q = 0; q <= p; ++q) b[static_cast<std::size_t>(q)] = q > owner ? 1 : 0;
      maps[d] = dim_map::block(b, c);
      L.offset[d] = c == owner ? m.local_index(start) : 0;
      L.lstep[d] = 1;
      specs[d] = block{std::move(b)};
      continue;
    }
    // the view's indices on this coordinate, in the parent's local order
    L.blocky = false;
    collective = true;
    std::vector<index_t> pos, idx;
    if (structured && step == 1) {
      const index_t lo = m.count_below(start), hi = m.count_below(start + count);
      for (index_t l = lo; l < hi; ++l) {
        pos.push_back(l);
        idx.push_back(m.global_index(l) - start);
      }
    } else {
      for (index_t l = 0, ls = m.local_size(); l < ls; ++l) {
        const index_t x = m.global_index(l) - start;
        if (x % step != 0) continue;
        const index_t i = x / step;
        if (i < 0 || i >= count) continue;
        pos.push_back(l);
        idx.push_back(i);
      }
    }
    bool arithmetic = true;
    for (std::size_t k = 2; k < pos.size() && arithmetic; ++k) arithmetic = pos[k] - pos[k - 1] == pos[1] - pos[0];
    L.offset[d] = pos.empty() ? 0 : pos[0];
    L.lstep[d] = pos.size() > 1 ? pos[1] - pos[0] : 1;
    if (!arithmetic) {
      L.tabled[d] = true;
      L.table[d] = std::move(pos);
    }
    specs[d] = unstructured{std::move(idx)};
  }
  if (collective) {
    const auto& g = pd.grid();
    L.dist = distribution<N>(vs, specs, pd.comm(), dist::grid(std::vector<int>(g.begin(), g.end())));
  } else {
    L.dist = distribution<N>(from_maps, vs, pd.grid(), pd.grid_coords(), pd.comm(), maps, pd.replicated());
  }
  return L;
}

/// The layout of the view with ranges `r` over `pd`, made on first use and
/// kept (the 32 most recent per rank count): a statement evaluated in a loop
/// builds its views' layouts once, and because a kept layout is the same
/// distribution object each time, the alignment plans that use it are found
/// in their cache too. Keyed by the parent distribution's identity, so the
/// hit-or-miss decision is the same on every rank. Collective on a miss
/// when the layout has unstructured dims.
template <std::size_t N>
std::shared_ptr<const view_layout<N>> cached_view_layout(const distribution<N>& pd, const std::array<slice_range, N>& r) {
  struct entry {
    distribution<N> parent;
    std::array<slice_range, N> ranges;
    std::shared_ptr<const view_layout<N>> layout;
  };
  return mru_cache<entry>::instance(32)
      .find_or_make([&](const entry& e) { return e.ranges == r && e.parent.shares_state(pd); },
                    [&] { return entry{pd, r, std::make_shared<const view_layout<N>>(make_view_layout(pd, r))}; })
      .layout;
}

/// Offset of view-local position l along dim d of layout L, in parent-local units.
template <std::size_t N>
index_t layout_position(const view_layout<N>& L, std::size_t d, index_t l) noexcept {
  return L.tabled[d] ? L.table[d][static_cast<std::size_t>(l)] : L.offset[d] + L.lstep[d] * l;
}

/// Copies this rank's view elements (parent block at `origin`, strides
/// `pst`) to or from a row-major buffer of the layout's local shape. Local.
template <class T, std::size_t N>
void copy_view_block(const view_layout<N>& L, T* origin, const std::array<index_t, N>& pst, T* buf, bool to_buffer) {
  const shape<N> ls = L.dist.local_shape();
  if (product(ls) == 0) return;
  std::array<std::vector<index_t>, N> off;
  for (std::size_t d = 0; d < N; ++d)
    for (index_t l = 0; l < ls[d]; ++l) off[d].push_back(layout_position(L, d, l) * pst[d]);
  index<N> o{};
  index_t n = 0;
  do {
    index_t base = 0;
    for (std::size_t d = 0; d + 1 < N; ++d) base += off[d][static_cast<std::size_t>(o[d])];
    for (index_t i = 0; i < ls[N - 1]; ++i, ++n) {
      T& x = origin[base + off[N - 1][static_cast<std::size_t>(i)]];
      if (to_buffer) buf[n] = x;
      else x = buf[n];
    }
  } while (next_row(o, ls));
}

}  // namespace detail

/// A view of an array (A is array<T,N> or const array<T,N>) keeping M of
/// its dims. Cheap to copy (a pointer and the ranges); the parent must
/// outlive it. Assigning to a view writes the parent (collective);
/// copying a view object makes another view of the same elements.
template <class A, std::size_t M>
class view {
  using P = std::remove_const_t<A>;

 public:
  using dist_node_tag = void;
  using value_type = typename P::value_type;
  using parent_type = P;
  static constexpr std::size_t ndim = M;
  static constexpr std::size_t parent_ndim = P::ndim;
  static constexpr bool has_array = true;
  static_assert(M >= 1, "dist: a view needs at least one slice (use get() for one element)");

  /// The view of `a` selected by one argument per dim. index_error (local:
  /// every rank sees the same arguments) for an integer out of range or a
  /// zero step.
  view(A& a, const std::array<detail::slice_or_index, parent_ndim>& args) : parent_(&a) {
    std::size_t k = 0, slices = 0;
    for (const auto& x : args) slices += x.is_index ? 0 : 1;
    if (slices != M)
      throw shape_error("dist::array view: " + std::to_string(slices) + " slices for a view of " + std::to_string(M) + " dims");
    for (std::size_t d = 0; d < parent_ndim; ++d) {
      const index_t n = a.shape()[d];
      if (args[d].is_index) {
        const index_t i = args[d].i < 0 ? args[d].i + n : args[d].i;
        if (i < 0 || i >= n)
          throw index_error("dist::array view: index " + std::to_string(args[d].i) + " is out of range for dim " +
                            std::to_string(d) + " of extent " + std::to_string(n));
        r_[d] = {i, 1, 1};
        dropped_[d] = true;
      } else {
        r_[d] = detail::normalise(args[d].s, n);
        kept_[k] = d;
        shape_[k++] = r_[d].count;
      }
    }
  }

  const dist::shape<M>& shape() const noexcept { return shape_; }
  index_t size() const noexcept { return detail::product(shape_); }
  A& parent() const noexcept { return *parent_; }
  /// Per parent dim: the parent indices start + step*i, i < count.
  const std::array<detail::slice_range, parent_ndim>& ranges() const noexcept { return r_; }
  bool dropped(std::size_t d) const noexcept { return dropped_[d]; }
  /// The parent dim of view dim k.
  std::size_t parent_dim(std::size_t k) const noexcept { return kept_[k]; }
  /// Calls v(*this) (visitors of expression operands tell views apart).
  template <class V> void for_each_array(V&& v) const { v(*this); }

  /// Shifted (dist::shifted): parent index start + step*i + shift(d) along
  /// parent dim d, read from the ghost layers as the last halo exchange left
  /// them; no communication.
  bool is_shifted() const noexcept { return shifted_; }
  index_t shift(std::size_t d) const noexcept { return shift_[d]; }
  /// This view read `s[k]` elements further along view dim k, ghosts included (see dist::shifted).
  view shifted_by(const std::array<index_t, M>& s) const {
    view v = *this;
    for (std::size_t k = 0; k < M; ++k) v.shift_[kept_[k]] += s[k];
    v.shifted_ = true;
    return v;
  }

  /// The view's layout (see the file comment), cached. Local for
  /// block-like slices; collective otherwise.
  std::shared_ptr<const detail::view_layout<parent_ndim>> layout() const {
    return detail::cached_view_layout(parent_->distribution(), r_);
  }

  /// A view of this view: one argument per view dim. Local.
  template <class... S>
    requires(sizeof...(S) == M && (detail::slice_arg<S> && ...))
  auto operator()(const S&... s) const {
    return select<detail::kept_dims<S...>>({detail::to_slice_arg(s)...});
  }
  /// The same with dist::newaxis among the arguments: a read-only operand. Local.
  template <class... S>
    requires(detail::newaxes<S...> > 0 && sizeof...(S) - detail::newaxes<S...> == M && (detail::index_arg<S> && ...))
  auto operator()(const S&... s) const {
    return detail::index_with_newaxes(*this, s...);
  }
  /// A view of this view keeping K dims, one argument per view dim (K of
  /// them slices: else shape_error). Local.
  template <std::size_t K>
  view<A, K> select(const std::array<detail::slice_or_index, M>& a) const {
    std::size_t slices = 0;
    for (const auto& x : a) slices += x.is_index ? 0 : 1;
    if (slices != K)
      throw shape_error("dist::view::select: " + std::to_string(slices) + " slices for a view of " + std::to_string(K) + " dims");
    view<A, K> v(*parent_, typename view<A, K>::composing{});
    v.compose(*this, a);
    return v;
  }

  /// Element-wise assignment with NumPy's semantics (x: expression, array,
  /// view or scalar, broadcast to the view's shape). Collective.
  template <class X>
    requires(!std::is_const_v<A> && detail::fits_rank<X, M> && detail::assignable_operand<X> && !std::is_same_v<X, view>)
  view& operator=(const X& x) {  // collective: assign_view
    detail::assign_view(*this, x, detail::assign_to{});
    return *this;
  }
  view& operator=(const view& o) {
    static_assert(!std::is_const_v<A>, "dist: cannot assign to a view of a const array");
    detail::assign_view(*this, o, detail::assign_to{});
    return *this;
  }
  view(const view&) = default;
  template <class X> requires(!std::is_const_v<A> && detail::fits_rank<X, M>) view& operator+=(const X& x) { return update(x, detail::add_to{}); }
  template <class X> requires(!std::is_const_v<A> && detail::fits_rank<X, M>) view& operator-=(const X& x) { return update(x, detail::subtract_from{}); }
  template <class X> requires(!std::is_const_v<A> && detail::fits_rank<X, M>) view& operator*=(const X& x) { return update(x, detail::multiply_by{}); }
  template <class X> requires(!std::is_const_v<A> && detail::fits_rank<X, M>) view& operator/=(const X& x) { return update(x, detail::divide_by{}); }

 private:
  template <class, std::size_t> friend class view;
  struct composing {};
  view(A& a, composing) : parent_(&a) {}  // filled by compose()
  template <class X, class Op>
  view& update(const X& x, Op op) {
    detail::assign_view(*this, x, op);
    return *this;
  }
  template <std::size_t K>
  void compose(const view<A, K>& outer, const std::array<detail::slice_or_index, K>& a) {
    std::size_t k = 0;
    r_ = outer.r_;
    dropped_ = outer.dropped_;
    for (std::size_t j = 0; j < K; ++j) {
      const std::size_t d = outer.kept_[j];
      const detail::slice_range o = outer.r_[d];
      if (a[j].is_index) {
        const index_t i = a[j].i < 0 ? a[j].i + o.count : a[j].i;
        if (i < 0 || i >= o.count)
          throw index_error("dist::array view: index " + std::to_string(a[j].i) + " is out of range for view dim " +
                            std::to_string(j) + " of extent " + std::to_string(o.count));
        r_[d] = {o.start + o.step * i, 1, 1};
        dropped_[d] = true;
      } else {
        const detail::slice_range s = detail::normalise(a[j].s, o.count);
        r_[d] = {o.start + o.step * s.start, o.step * s.step, s.count};
        kept_[k] = d;
        shape_[k++] = s.count;
      }
    }
  }

  A* parent_;
  std::array<index_t, parent_ndim> shift_{};
  bool shifted_ = false;
  std::array<detail::slice_range, parent_ndim> r_{};
  std::array<bool, parent_ndim> dropped_{};
  std::array<std::size_t, M> kept_{};
  dist::shape<M> shape_{};
};

/// `a` (an array or a view) read `s[k]` elements further along dim k:
/// element i of the result is a[i + s], taken from a's ghost layers where
/// i + s leaves this rank's block (or the array: periodic ghosts wrap, other
/// ghosts at the global boundary hold what was last put there). Reads the
/// ghosts as the last exchange_halo() / halo_exchange::wait() left them, so
/// communication stays under the caller's control; the destination must
/// have the array's distribution (or be a view of it) and |s[k]| must not
/// exceed the ghost width. A 5-point Laplacian with periodic ghosts:
/// `shifted(u, {-1, 0}) + shifted(u, {1, 0}) + shifted(u, {0, -1}) + shifted(u, {0, 1}) - 4.0 * u`.
template <class A, std::size_t M>
view<A, M> shifted(const view<A, M>& v, const std::array<index_t, M>& s) {
  return v.shifted_by(s);
}
template <class T, std::size_t N>
auto shifted(const array<T, N>& a, const std::array<index_t, N>& s) {
  std::array<detail::slice_or_index, N> all_dims{};
  return view<const array<T, N>, N>(a, all_dims).shifted_by(s);
}

namespace detail {
template <class V> struct is_view_t : std::false_type {};
template <class A, std::size_t M> struct is_view_t<view<A, M>> : std::true_type {};
template <class V> inline constexpr bool is_view_v = is_view_t<std::remove_cvref_t<V>>::value;
}  // namespace detail

}  // namespace dist
