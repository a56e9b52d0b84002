// Scans (SPEC 12): cumsum and cumprod, flattened (a 1-D result) or along
// an axis (the input's shape). Integers accumulate in the widened type, as
// NumPy's (int32 -> int64).
//
// Along a dim the grid does not split, a scan is one local pass. Along a
// block-distributed dim: one pass folds each line of this rank's block to
// its total, one MPI_Exscan along the grid line (the ranks sharing every
// other coordinate, in coordinate order) turns the totals into carries, and
// one pass scans each line starting from its carry. That reads the input
// twice and writes the result once, against a scan-then-add's two writes.
// Other layouts of the scanned dim (cyclic, block-cyclic, unstructured) are
// moved to block along it first and back after (two alignment plans).
// Users' reference: docs/api.md (Scans).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "../array/array.hpp"
#include "../comm/redistribution.hpp"
#include "../core/collective_check.hpp"
#include "../expr/assign.hpp"
#include "reductions.hpp"
#include "shape.hpp"

namespace dist {
namespace detail {

struct scan_add {
  template <class S> static S identity() { return S{0}; }
  template <class S> static void apply(S& a, const S& b) { a += b; }
  static MPI_Op op() { return MPI_SUM; }
};
struct scan_multiply {
  template <class S> static S identity() { return S{1}; }
  template <class S> static void apply(S& a, const S& b) { a *= b; }
  static MPI_Op op() { return MPI_PROD; }
};

/// The communicator of my grid line along dim `axis` of `d` (ranks sharing
/// my other coordinates, ordered by their coordinate along axis): `d`'s own
/// communicator when the grid splits nothing else, else the line kept with
/// it (grid_line_comm). Collective.
template <std::size_t N>
MPI_Comm grid_line(const distribution<N>& d, std::size_t axis) {
  bool others = false;
  for (std::size_t k = 0; k < N; ++k) others = others || (k != axis && d.grid()[k] > 1);
  return others ? grid_line_comm(d, axis) : MPI_Comm(d.comm());
}

/// out = scan of x along `axis`, both on one distribution whose `axis` dim
/// is block or undistributed. Collective.
template <class Op, class T, class S, std::size_t N>
void scan_block_axis(const array<T, N>& x, array<S, N>& out, std::size_t axis) {
  const auto ls = x.local_shape();
  const auto xv = x.local();
  const auto xs = xv.strides();
  const T* xp = xv.data();
  S* yp = out.local().data();  // a fresh array: contiguous
  const auto ys = row_major_strides(ls);
  index_t outer = 1, inner = 1;
  for (std::size_t k = 0; k < axis; ++k) outer *= ls[k];
  for (std::size_t k = axis + 1; k < N; ++k) inner *= ls[k];
  const index_t len = ls[axis];
  // the inner dims as one run when x is contiguous there (else element offsets)
  bool inner_flat = true;
  for (std::size_t k = axis + 1; k < N; ++k) inner_flat = inner_flat && xs[k] == ys[k];
  std::vector<index_t> inner_off;
  if (!inner_flat) {
    inner_off.resize(static_cast<std::size_t>(inner));
    index<N> o{};
    for (index_t q = 0; q < inner; ++q) {
      index_t off = 0;
      for (std::size_t k = axis + 1; k < N; ++k) off += o[k] * xs[k];
      inner_off[static_cast<std::size_t>(q)] = off;
      for (std::size_t k = N; k-- > axis + 1;) {
        if (++o[k] < ls[k]) break;
        o[k] = 0;
      }
    }
  }
  const auto outer_offset = [&](index_t o) {
    index_t off = 0;
    for (std::size_t k = axis; k-- > 0;) {
      off += (o % ls[k]) * xs[k];
      o /= ls[k];
    }
    return off;
  };
  const auto xin = [&](const T* row, index_t q) -> S { return static_cast<S>(inner_flat ? row[q] : row[inner_off[static_cast<std::size_t>(q)]]); };
  const bool split = x.distribution().map(axis).procs() > 1 && !x.distribution().replicated();
  std::vector<S> carry(static_cast<std::size_t>(outer * inner), Op::template identity<S>());
  if (split) {
    // each line's total, then the carries along the grid line
    for (index_t o = 0; o < outer; ++o) {
      S* __restrict__ c = carry.data() + o * inner;
      const T* base = xp + outer_offset(o);
      if (inner == 1) {  // one line: four partial totals in registers
        const index_t step = xs[axis];
        S p[4] = {c[0], Op::template identity<S>(), Op::template identity<S>(), Op::template identity<S>()};
        index_t i = 0;
        for (; i + 4 <= len; i += 4)
          for (int u = 0; u < 4; ++u) Op::apply(p[u], static_cast<S>(base[(i + u) * step]));
        for (; i < len; ++i) Op::apply(p[0], static_cast<S>(base[i * step]));
        Op::apply(p[0], p[1]);
        Op::apply(p[2], p[3]);
        Op::apply(p[0], p[2]);
        c[0] = p[0];
        continue;
      }
      for (index_t i = 0; i < len; ++i) {
        const T* __restrict__ row = base + i * xs[axis];
        if (inner_flat)
          for (index_t q = 0; q < inner; ++q) Op::apply(c[q], static_cast<S>(row[q]));
        else
          for (index_t q = 0; q < inner; ++q) Op::apply(c[q], xin(row, q));
      }
    }
    const MPI_Comm line = grid_line(x.distribution(), axis);
    int lr = 0;
    MPI_Comm_rank(line, &lr);
    std::vector<S> prefix(carry.size());
    int rc = MPI_SUCCESS;
    for_each_chunk(static_cast<index_t>(carry.size()), [&](index_t off, int n) {
      if (rc == MPI_SUCCESS) rc = MPI_Exscan(carry.data() + off, prefix.data() + off, n, mpi_type<S>(), Op::op(), line);
    });
    check_mpi(rc, "MPI_Exscan");
    if (lr == 0) std::fill(prefix.begin(), prefix.end(), Op::template identity<S>());
    carry.swap(prefix);
  }
  for (index_t o = 0; o < outer; ++o) {
    const S* c = carry.data() + o * inner;
    const T* base = xp + outer_offset(o);
    S* ybase = yp + o * len * inner;
    for (index_t i = 0; i < len; ++i) {
      const T* row = base + i * xs[axis];
      S* y = ybase + i * inner;
      const S* prev = i == 0 ? c : y - inner;
      if (inner == 1) {
        // a 1-D line: the sequential scan, kept in a register
        S acc = *prev;
        const index_t step = xs[axis];
        for (; i < len; ++i, y += 1) {
          Op::apply(acc, static_cast<S>(base[i * step]));
          *y = acc;
        }
        break;
      }
      if (inner_flat) {
        S* __restrict__ yr = y;
        const T* __restrict__ xr = row;
        for (index_t q = 0; q < inner; ++q) {
          S v = prev[q];
          Op::apply(v, static_cast<S>(xr[q]));
          yr[q] = v;
        }
      } else {
        for (index_t q = 0; q < inner; ++q) {
          S v = prev[q];
          Op::apply(v, xin(row, q));
          y[q] = v;
        }
      }
    }
  }
}

/// Scan along `axis` of `x` into a new array on `x`'s distribution.
/// Collective.
template <class Op, class T, std::size_t N>
array<sum_t<T>, N> scan_axis(const array<T, N>& x, std::size_t axis) {
  using S = sum_t<T>;
  const auto& D = x.distribution();
  const auto kind = D.map(axis).kind();
  if (kind == dim_kind::block || kind == dim_kind::undistributed || (D.map(axis).procs() == 1 && kind != dim_kind::unstructured) ||
      D.replicated()) {
    array<S, N> out(D, uninitialized);
    scan_block_axis<Op>(x, out, axis);
    return out;
  }
  // cyclic, block-cyclic or unstructured along the axis: scan on block, come back
  std::array<dim_spec, N> specs;
  for (std::size_t k = 0; k < N; ++k) specs[k] = k == axis ? dim_spec{block{}} : dim_spec{undistributed{}};
  const distribution<N> B(x.shape(), specs, x.comm());
  const array<T, N> xb = redistribute(x, B);
  array<S, N> yb(B, uninitialized);
  scan_block_axis<Op>(xb, yb, axis);
  return redistribute(yb, D);
}

template <class Op, expression E>
auto scan_flat(const E& e, const char* op) {
  using T = value_of<E>;
  if constexpr (ndim_of<E> == 1) {
    if constexpr (is_array_v<E>) {
      collective_entry(e.comm(), op, e.distribution());
      const auto k = e.distribution().map(0).kind();
      if (k == dim_kind::block || k == dim_kind::undistributed) return scan_axis<Op>(e, 0);
    }
    const auto& a = as_array(e);
    return scan_axis<Op>(redistribute(a, distribution<1>(a.shape(), a.comm())), 0);
  } else {
    return scan_axis<Op>(array<T, 1>(ravel(e)), 0);
  }
}

template <class Op, expression E>
auto scan_along(const E& e, int axis, const std::optional<distribution<ndim_of<E>>>& d, const char* op) {
  constexpr std::size_t N = ndim_of<E>;
  const auto& a = as_array(e);
  int ax = 0;
  agree(a.comm(), op, [&] {
    ax = normalise_axis<N>(axis, op);
    if (d && d->shape() != a.shape())
      throw shape_error(std::string(op) + ": the result has shape " + to_string(a.shape()) + ", the distribution " +
                        to_string(d->shape()));
  }, arg("axes", axis));
  if (d && !same_key(*d, a.distribution())) return scan_axis<Op>(redistribute(a, *d), static_cast<std::size_t>(ax));
  return scan_axis<Op>(a, static_cast<std::size_t>(ax));
}

template <class Op, expression E, class S, std::size_t N>
array<S, N>& scan_into(const E& e, int axis, array<S, N>& out, const char* op) {
  const auto& a = as_array(e);
  int ax = 0;
  agree(a.comm(), op, [&] {
    ax = normalise_axis<N>(axis, op);
    require_same_ranks(a.comm(), out.comm(), op);
    if (out.shape() != a.shape())
      throw shape_error(std::string(op) + ": out has shape " + to_string(out.shape()) + ", the result " + to_string(a.shape()));
  }, arg("axes", axis));
  const auto d = static_cast<std::size_t>(ax);
  const auto k = a.distribution().map(d).kind();
  const bool direct = std::is_same_v<S, sum_t<value_of<E>>> && same_key(a.distribution(), out.distribution()) &&
                      out.local().contiguous() && (k == dim_kind::block || k == dim_kind::undistributed);
  if (direct) {
    scan_block_axis<Op>(a, out, d);
  } else {
    const auto r = scan_axis<Op>(a, d);
    assign_expression(out, r, assign_to{});
  }
  return out;
}

}  // namespace detail

/// NumPy's cumsum of the flattened `e`: a 1-D block-distributed array
/// (integers in the widened type: int32 sums to int64). Collective.
template <expression E>
auto cumsum(const E& e) {  // collective: scan_flat (collective_entry, or agree in reshape)
  return detail::scan_flat<detail::scan_add>(e, "dist::cumsum");
}
/// Running sums along `axis` (negative counts from the end): `e`'s shape,
/// on e's layout or on `d`. Collective.
template <expression E>
auto cumsum(const E& e, int axis, const std::optional<distribution<detail::ndim_of<E>>>& d = std::nullopt) {  // collective: scan_along (agree)
  return detail::scan_along<detail::scan_add>(e, axis, d, "dist::cumsum");
}
/// NumPy's cumsum(e, axis, out=out): the running sums written into `out`
/// (e's shape, any layout and element type); straight into out's block when
/// it has e's layout, else computed and copied in. Returns out. Collective.
template <expression E, class S, std::size_t N>
  requires(N == detail::ndim_of<E>)
array<S, N>& cumsum(const E& e, int axis, array<S, N>& out) {  // collective: scan_into (agree)
  return detail::scan_into<detail::scan_add>(e, axis, out, "dist::cumsum");
}
/// NumPy's cumprod of the flattened `e` (1-D, block). Collective.
template <expression E>
auto cumprod(const E& e) {  // collective: scan_flat (collective_entry, or agree in reshape)
  return detail::scan_flat<detail::scan_multiply>(e, "dist::cumprod");
}
/// Running products along `axis`. Collective.
template <expression E>
auto cumprod(const E& e, int axis, const std::optional<distribution<detail::ndim_of<E>>>& d = std::nullopt) {  // collective: scan_along (agree)
  return detail::scan_along<detail::scan_multiply>(e, axis, d, "dist::cumprod");
}
/// Running products along `axis` written into `out`. Returns out. Collective.
template <expression E, class S, std::size_t N>
  requires(N == detail::ndim_of<E>)
array<S, N>& cumprod(const E& e, int axis, array<S, N>& out) {  // collective: scan_into (agree)
  return detail::scan_into<detail::scan_multiply>(e, axis, out, "dist::cumprod");
}

}  // namespace dist
