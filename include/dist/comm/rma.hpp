// One-sided access: one rank alone reads, writes or adds a
// rectangular global region of an array through MPI RMA (passive target),
// whoever owns the elements; dist::fence(a) completes what every rank did.
//
//   dist::fence(a);                                    // all ranks: expose a
//   if (comm.rank() == 0) dist::put(a, {{2, 0}, {5, 7}}, values);
//   ...                                                // others compute
//   dist::fence(a);                                    // all ranks: puts visible
//
// The first fence creates the array's window (MPI_Win_create over its block,
// then MPI_Win_lock_all for the window's life). From then on the block never
// moves: aliased assignments copy their spare block back instead of
// swapping, implicit ghosts no longer grow, move assignment copies. The
// window is freed with the array (collectively, as SPMD code destroys it).
//
// A region is split per dim into the pieces each grid coordinate owns (a
// block: one run; cyclic: one strided run; block-cyclic: one run per
// block); each target rank then gets one MPI_Get/Put/Accumulate with a
// derived datatype on both sides, so a transfer is one message per rank
// touched whatever the layout.
// Users' reference: docs/api.md (One-sided access).
#pragma once

#include <mpi.h>

#include <array>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "../core/linkage.hpp"
#include "../array/array.hpp"
#include "../array/window.hpp"
#include "../core/collective_check.hpp"
#include "../core/communicator.hpp"
#include "../core/error.hpp"
#include "../core/large_count.hpp"

namespace dist {

/// A rectangular global region: lo[d] <= i[d] < hi[d] in every dim (C order
/// when flattened, as NumPy's a[lo0:hi0, lo1:hi1]).
template <std::size_t N>
struct region {
  index<N> lo{}, hi{};
  shape<N> extents() const noexcept {
    shape<N> e;
    for (std::size_t d = 0; d < N; ++d) e[d] = hi[d] > lo[d] ? hi[d] - lo[d] : 0;
    return e;
  }
  index_t size() const noexcept { return detail::product(extents()); }
};
template <std::size_t N>
region(index<N>, index<N>) -> region<N>;

namespace detail {

/// The elements of one dim a grid coordinate owns inside the region:
/// origin (region) positions o0 + i*ostep and target local positions t0 + i,
/// i < count.
struct rma_piece {
  index_t o0, ostep, t0, count;
};

/// Per grid coordinate along map m, the pieces of [lo, hi) it owns.
DIST_INLINE std::vector<std::vector<rma_piece>> rma_pieces(const dim_map& m, index_t lo, index_t hi);

/// A datatype selecting, from dim d inwards, the pieces chosen by `coords`:
/// on the origin side (the region in C order) or the target side (the
/// target's padded block), and the byte offset of its first element (kept
/// out of the type: one piece per dim needs no struct, and the MPI library
/// sees plain vectors). The caller frees the type.
template <class T, std::size_t N>
std::pair<MPI_Datatype, MPI_Aint> rma_type(std::size_t d, const std::array<const std::vector<rma_piece>*, N>& pieces,
                                           bool origin, const std::array<index_t, N>& strides,
                                           const std::array<index_t, N>& ghosts) {
  const bool derived = d + 1 < N;
  auto [inner, inner_off] = derived ? rma_type<T, N>(d + 1, pieces, origin, strides, ghosts) : std::pair{mpi_type<T>(), MPI_Aint{0}};
  const auto& ps = *pieces[d];
  const MPI_Aint bytes = static_cast<MPI_Aint>(strides[d]) * static_cast<MPI_Aint>(sizeof(T));
  std::vector<MPI_Datatype> types(ps.size());
  std::vector<MPI_Aint> disps(ps.size());
  std::vector<int> ones(ps.size(), 1);
  for (std::size_t i = 0; i < ps.size(); ++i) {
    const rma_piece& p = ps[i];
    const index_t step = origin ? p.ostep : 1;
    if (!derived && step == 1 && strides[d] == 1)  // a contiguous run of elements
      check_mpi(MPI_Type_contiguous(mpi_count(p.count, "dist RMA"), inner, &types[i]), "MPI_Type_contiguous");
    else
      check_mpi(MPI_Type_create_hvector(mpi_count(p.count, "dist RMA"), 1, step * bytes, inner, &types[i]),
                "MPI_Type_create_hvector");
    disps[i] = (origin ? p.o0 : ghosts[d] + p.t0) * bytes;
  }
  if (derived) MPI_Type_free(&inner);
  if (ps.size() == 1) return {types[0], disps[0] + inner_off};
  MPI_Datatype t;
  check_mpi(MPI_Type_create_struct(static_cast<int>(ps.size()), ones.data(), disps.data(), types.data(), &t),
            "MPI_Type_create_struct");
  for (auto& x : types) MPI_Type_free(&x);
  return {t, inner_off};
}

enum class rma_op { get, put, accumulate };

/// The row-major strides of rank `target`'s padded block (ghost widths are
/// the same on every rank). Local.
template <class T, std::size_t N>
std::array<index_t, N> rma_target_strides(const array<T, N>& a, int target) {
  shape<N> padded = a.distribution().local_shape(target);
  for (std::size_t d = 0; d < N; ++d) padded[d] += 2 * storage::ghosts(a)[d];
  return row_major_strides(padded);
}

/// One transfer of `kind` between (origin, ocount, otype) here and
/// (tdisp, tcount, ttype) in the block at grid rank `target`: a get reads
/// that rank (a replicated array: this rank's own copy); a put or
/// accumulate writes it (a replicated array: every copy). Local.
template <class T, std::size_t N>
void rma_call(const array<T, N>& a, int target, rma_op kind, MPI_Op op, MPI_Win win, void* origin, int ocount,
              MPI_Datatype otype, MPI_Aint tdisp, int tcount, MPI_Datatype ttype) {
  const bool replicated = a.distribution().replicated();
  const int me = a.comm().rank();
  const int first = replicated ? (kind == rma_op::get ? me : 0) : target;
  const int last = replicated ? (kind == rma_op::get ? me : a.comm().size() - 1) : target;
  for (int t = first; t <= last; ++t) {
    const int rc = kind == rma_op::get   ? MPI_Get(origin, ocount, otype, t, tdisp, tcount, ttype, win)
                   : kind == rma_op::put ? MPI_Put(origin, ocount, otype, t, tdisp, tcount, ttype, win)
                                         : MPI_Accumulate(origin, ocount, otype, t, tdisp, tcount, ttype, op, win);
    check_mpi(rc, kind == rma_op::get ? "MPI_Get" : kind == rma_op::put ? "MPI_Put" : "MPI_Accumulate");
  }
}

/// The fast path for a region that is one run of elements on one rank (a
/// single element, a piece of one row): one transfer of count basic
/// elements, no derived datatypes. False when the region is not such a run.
/// Local.
template <class T, std::size_t N>
bool rma_one_run(const array<T, N>& a, const region<N>& r, T* buf, rma_op kind, MPI_Op op, MPI_Win win) {
  const auto& dist = a.distribution();
  for (std::size_t d = 0; d + 1 < N; ++d)
    if (r.hi[d] - r.lo[d] != 1) return false;
  const dim_map& inner = dist.map(N - 1);
  if (inner.run_end(r.lo[N - 1]) < r.hi[N - 1]) return false;
  std::array<int, N> c;
  for (std::size_t d = 0; d < N; ++d) c[d] = dist.map(d).owner(r.lo[d]);
  const int target = dist.grid_rank(c);
  const auto st = rma_target_strides(a, target);
  index_t off = 0;
  for (std::size_t d = 0; d < N; ++d) off += (storage::ghosts(a)[d] + dist.map(d).local_index(r.lo[d])) * st[d];
  const MPI_Aint disp = static_cast<MPI_Aint>(off) * static_cast<MPI_Aint>(sizeof(T));
  const big_count n(r.hi[N - 1] - r.lo[N - 1], mpi_type<T>());  // (one basic type: accumulate accepts it past int too)
  rma_call(a, target, kind, op, win, buf, n.count(), n.type(), disp, n.count(), n.type());
  if (!dist.replicated()) check_mpi(MPI_Win_flush_local(target, win), "MPI_Win_flush_local");
  else check_mpi(MPI_Win_flush_local_all(win), "MPI_Win_flush_local_all");
  return true;
}

/// The transfer on a one-rank communicator: element copies between `buf`
/// and the block (accumulate: through MPI_Reduce_local, so every MPI_Op
/// works as it does remotely). Local.
template <class T, std::size_t N>
void rma_local(const array<T, N>& a, const region<N>& r, T* buf, rma_op kind, MPI_Op op) {
  const auto& dist = a.distribution();
  const auto strides = storage::strides(a);
  std::array<std::vector<index_t>, N> off;  // offset of each region position from the block's origin
  for (std::size_t d = 0; d < N; ++d)
    for (index_t g = r.lo[d]; g < r.hi[d]; ++g) off[d].push_back(dist.map(d).local_index(g) * strides[d]);
  T* block = const_cast<T*>(storage::origin(a));
  buffer<T> old(kind == rma_op::accumulate ? static_cast<std::size_t>(r.size()) : 0);
  const shape<N> ext = r.extents();
  index<N> o{};
  index_t k = 0;
  do {
    index_t base = 0;
    for (std::size_t d = 0; d + 1 < N; ++d) base += off[d][static_cast<std::size_t>(o[d])];
    const auto& inner = off[N - 1];
    for (std::size_t i = 0; i < inner.size(); ++i, ++k) {
      T& x = block[base + inner[i]];
      if (kind == rma_op::get) buf[k] = x;
      else if (kind == rma_op::put) x = buf[k];
      else old.data()[k] = x;
    }
  } while (next_row(o, ext));
  if (kind != rma_op::accumulate) return;
  for_each_chunk(r.size(), [&](index_t at, int count) {
    check_mpi(MPI_Reduce_local(buf + at, old.data() + at, count, mpi_type<T>(), op), "MPI_Reduce_local");
  });
  rma_local(a, r, old.data(), rma_op::put, op);
}

/// One-sided transfer of region r between `buf` (r in C order) and the
/// array: one MPI call per target rank with derived datatypes on both
/// sides, then MPI_Win_flush_local_all (buf is done with on return; a get
/// has its data). Local (the owners take no part).
template <class T, std::size_t N>
void rma_transfer(const array<T, N>& a, const region<N>& r, T* buf, rma_op kind, MPI_Op op, const char* what) {
  const rma_window* w = storage::window(a);
  if (!w)
    throw mpi_error(std::string(what) + ": the array is not exposed for one-sided access; call dist::fence(a) on every rank first");
  const auto& dist = a.distribution();
  for (std::size_t d = 0; d < N; ++d)
    if (r.lo[d] < 0 || r.hi[d] > dist.shape()[d] || r.lo[d] > r.hi[d])
      throw index_error(std::string(what) + ": region [" + to_string(r.lo) + ", " + to_string(r.hi) +
                        ") is not inside the shape " + to_string(dist.shape()) + " (dim " + std::to_string(d) + ")");
  if (r.size() == 0) return;
  if (w->local()) return rma_local(a, r, buf, kind, op);
  if (rma_one_run(a, r, buf, kind, op, w->handle())) return;
  std::array<std::vector<std::vector<rma_piece>>, N> per;
  for (std::size_t d = 0; d < N; ++d) per[d] = rma_pieces(dist.map(d), r.lo[d], r.hi[d]);
  const shape<N> ext = r.extents();
  const auto ostrides = row_major_strides(ext);
  const auto& ghosts = storage::ghosts(a);
  MPI_Win win = w->handle();
  std::array<int, N> c{};
  std::array<const std::vector<rma_piece>*, N> pieces{};
  // every combination of grid coordinates owning part of the region
  auto visit = [&](auto&& self, std::size_t d) -> void {
    if (d == N) {
      const int target = dist.grid_rank(c);
      auto [ot, ooff] = rma_type<T, N>(0, pieces, true, ostrides, ghosts);
      auto [tt, toff] = rma_type<T, N>(0, pieces, false, rma_target_strides(a, target), ghosts);
      check_mpi(MPI_Type_commit(&ot), "MPI_Type_commit");
      check_mpi(MPI_Type_commit(&tt), "MPI_Type_commit");
      rma_call(a, target, kind, op, win, reinterpret_cast<char*>(buf) + ooff, 1, ot, toff, 1, tt);
      MPI_Type_free(&ot);
      MPI_Type_free(&tt);
      return;
    }
    for (int k = 0; k < static_cast<int>(per[d].size()); ++k) {
      if (per[d][static_cast<std::size_t>(k)].empty()) continue;
      c[d] = k;
      pieces[d] = &per[d][static_cast<std::size_t>(k)];
      self(self, d + 1);
    }
  };
  visit(visit, 0);
  check_mpi(MPI_Win_flush_local_all(win), "MPI_Win_flush_local_all");
}

template <std::size_t N>
void check_region_data(const region<N>& r, std::size_t n, const char* what) {
  if (static_cast<index_t>(n) != r.size())
    throw shape_error(std::string(what) + ": region [" + to_string(r.lo) + ", " + to_string(r.hi) + ") holds " +
                      std::to_string(r.size()) + " elements but the data has " + std::to_string(n));
}

}  // namespace detail

/// Completes every get/put/accumulate any rank made on `a` and makes them
/// visible to all (remote flush, memory sync, barrier). The first call
/// exposes `a` for one-sided access (creates its window; from then on its
/// block never moves). Collective. distribution_error (every rank) for
/// arrays with unstructured dims.
template <class T, std::size_t N>
void fence(array<T, N>& a) {
  detail::collective_entry(a.comm(), "dist::fence", a.distribution());
  auto& w = detail::storage::window(a);
  if (!w) {
    for (std::size_t d = 0; d < N; ++d)
      if (a.distribution().map(d).kind() == dim_kind::unstructured)
        throw distribution_error("dist::fence: one-sided access needs structured dims, but dim " + std::to_string(d) +
                                 " is unstructured (redistribute first)");
    const std::size_t padded = static_cast<std::size_t>(detail::product(detail::storage::padded_shape(a)));
    w = std::make_unique<detail::rma_window>(detail::storage::padded_base(a), padded * sizeof(T), a.comm());
  }
  if (w->local()) return;
  const MPI_Win win = w->handle();
  detail::check_mpi(MPI_Win_flush_all(win), "MPI_Win_flush_all");  // this rank's transfers done at their targets
  detail::check_mpi(MPI_Win_sync(win), "MPI_Win_sync");
  // everyone's transfers done (the barrier), and the windows every rank has released are freed
  detail::free_released_windows(a.comm());
  detail::check_mpi(MPI_Win_sync(win), "MPI_Win_sync");     // and seen by this rank's loads
}

/// Reads region r of `a` into `out` (C order, r.size() elements) from this
/// rank alone, wherever the elements live; they are in `out` on return.
/// Sees what the last dist::fence(a) completed. Local (one-sided).
template <class T, std::size_t N>
void get(const array<T, N>& a, const region<N>& r, std::span<T> out) {
  detail::check_region_data(r, out.size(), "dist::get");
  detail::rma_transfer(a, r, out.data(), detail::rma_op::get, MPI_OP_NULL, "dist::get");
}

/// Region r of `a` as a std::vector in C order (see get above). Local.
template <class T, std::size_t N>
std::vector<T> get(const array<T, N>& a, const region<N>& r) {
  if constexpr (std::is_same_v<T, bool>) {
    detail::buffer<bool> b(static_cast<std::size_t>(r.size() > 0 ? r.size() : 0));
    get(a, r, std::span<bool>(b.data(), b.size()));
    return std::vector<bool>(b.data(), b.data() + b.size());
  } else {
    std::vector<T> v(static_cast<std::size_t>(r.size() > 0 ? r.size() : 0));
    get(a, r, std::span<T>(v));
    return v;
  }
}

/// Writes `data` (C order, r.size() elements) into region r of `a` from
/// this rank alone; `data` may be reused on return, the elements are in
/// place after the next dist::fence(a). Two ranks putting to one element
/// before a fence: undefined, as in MPI. Local (one-sided).
template <class T, std::size_t N>
void put(array<T, N>& a, const region<N>& r, std::type_identity_t<std::span<const T>> data) {
  detail::check_region_data(r, data.size(), "dist::put");
  detail::rma_transfer(a, r, const_cast<T*>(data.data()), detail::rma_op::put, MPI_OP_NULL, "dist::put");
}

/// put with the values listed in place: dist::put(a, {{0, 0}, {1, 3}}, {1.0, 2.0, 3.0}). Local.
template <class T, std::size_t N>
void put(array<T, N>& a, const region<N>& r, std::initializer_list<T> data) {
  put(a, r, std::span<const T>(data.begin(), data.size()));
}

/// Combines `data` into region r of `a` with `op` (default MPI_SUM: adds),
/// element-wise atomic, so any number of ranks may accumulate into the same
/// elements before a fence. Complete after the next dist::fence(a). Local
/// (one-sided).
template <class T, std::size_t N>
void accumulate(array<T, N>& a, const region<N>& r, std::type_identity_t<std::span<const T>> data, MPI_Op op = MPI_SUM) {
  detail::check_region_data(r, data.size(), "dist::accumulate");
  if constexpr (std::is_same_v<T, bool>)
    if (op == MPI_SUM || op == MPI_PROD)
      throw mpi_error("dist::accumulate: bool arrays take logical ops (MPI_LOR, MPI_LAND, MPI_LXOR, MPI_REPLACE), not sums");
  detail::rma_transfer(a, r, const_cast<T*>(data.data()), detail::rma_op::accumulate, op, "dist::accumulate");
}

/// accumulate with the values listed in place. Local (one-sided).
template <class T, std::size_t N>
void accumulate(array<T, N>& a, const region<N>& r, std::initializer_list<T> data, MPI_Op op = MPI_SUM) {
  accumulate(a, r, std::span<const T>(data.begin(), data.size()), op);
}

}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "rma-inl.hpp"
#endif
