// dist::matmul (SPEC 5): C = A B for 2-D arrays on any distributions, by
// SUMMA on a 2-D process grid. The operands are put on the grid first (no
// copy when they already are): A's rows and B's columns as C's, the inner
// dim over the grid's columns for A and its rows for B. Then, panel by
// panel along the inner dim, the grid column owning A's panel broadcasts it
// along each grid row and the grid row owning B's panel broadcasts it along
// each grid column (non-blocking, the next panel in flight while the
// current one is multiplied), and every rank adds A_panel * B_panel to its
// block of C with a cache-blocked kernel.
#pragma once

#include <mpi.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "../array/array.hpp"
#include "../comm/redistribution.hpp"
#include "../core/collective_check.hpp"
#include "../core/communicator.hpp"
#include "../expr/promote.hpp"

namespace dist {
namespace detail {

/// C (m x n, leading dim ldc) += A (m x w, lda) * B (w x n, ldb), row-major,
/// blocked so a strip of B stays in cache while A's rows stream. Local.
template <class T>
void gemm_add(index_t m, index_t n, index_t w, const T* A, index_t lda, const T* B, index_t ldb, T* C, index_t ldc) {
  constexpr index_t jb = 512, pb = 128;
  for (index_t j0 = 0; j0 < n; j0 += jb) {
    const index_t j1 = std::min(n, j0 + jb);
    for (index_t p0 = 0; p0 < w; p0 += pb) {
      const index_t p1 = std::min(w, p0 + pb);
      for (index_t i = 0; i < m; ++i) {
        T* c = C + i * ldc;
        const T* a = A + i * lda;
        index_t p = p0;
        for (; p + 4 <= p1; p += 4) {  // four rows of B per pass over c
          const T a0 = a[p], a1 = a[p + 1], a2 = a[p + 2], a3 = a[p + 3];
          const T *b0 = B + p * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
          for (index_t j = j0; j < j1; ++j) c[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
        }
        for (; p < p1; ++p) {
          const T ap = a[p];
          const T* b = B + p * ldb;
          for (index_t j = j0; j < j1; ++j) c[j] += ap * b[j];
        }
      }
    }
  }
}

/// The grid's row and column communicators (ranks ordered by grid coordinate).
struct grid_comms {
  MPI_Comm row = MPI_COMM_NULL, col = MPI_COMM_NULL;
  grid_comms(const communicator& c, const std::array<int, 2>& coords) {
    check_mpi(MPI_Comm_split(c, coords[0], coords[1], &row), "MPI_Comm_split");
    check_mpi(MPI_Comm_split(c, coords[1], coords[0], &col), "MPI_Comm_split");
  }
  grid_comms(const grid_comms&) = delete;
  grid_comms& operator=(const grid_comms&) = delete;
  ~grid_comms() {
    MPI_Comm_free(&row);
    MPI_Comm_free(&col);
  }
};

/// `a` itself when it is a contiguous block of element type R on `d`, else
/// a copy there (redistributed and converted as needed, kept in `keep`).
/// Collective.
template <class R, class T>
const array<R, 2>& on_layout(const array<T, 2>& a, const distribution<2>& d, std::optional<array<R, 2>>& keep) {
  if constexpr (std::is_same_v<T, R>)
    if (a.distribution() == d && a.local().contiguous()) return a;
  keep.emplace(d, uninitialized);
  *keep = a;
  return *keep;
}

}  // namespace detail

/// The matrix product A B of 2-D arrays (A: m x k, B: k x n), NumPy's
/// matmul for 2-D operands, any distributions. The result is on C's layout:
/// block_cyclic{nb} in both dims on A's grid when A is block-cyclic in both
/// dims on a 2-D grid (ScaLAPACK's layout), else block x block on the
/// default 2-D grid. shape_error (every rank) when the inner extents differ.
/// Collective.
template <class T, class U>
array<detail::promote_t<T, U>, 2> matmul(const array<T, 2>& A, const array<U, 2>& B) {
  using R = detail::promote_t<T, U>;
  const communicator& c = A.comm();
  detail::collective_entry(c, "dist::matmul", A.distribution(), B.distribution());
  const index_t m = A.shape()[0], k = A.shape()[1], n = B.shape()[1];
  if (B.shape()[0] != k)
    throw shape_error("dist::matmul: shapes " + detail::to_string(A.shape()) + " and " + detail::to_string(B.shape()) +
                      " are not aligned (inner extents " + std::to_string(k) + " != " + std::to_string(B.shape()[0]) + ")");
  // the layout: ScaLAPACK's when A has it, else block x block on the default grid
  const auto& ad = A.distribution();
  const bool scalapack = ad.map(0).kind() == dim_kind::block_cyclic && ad.map(1).kind() == dim_kind::block_cyclic &&
                         ad.map(0).block_size() == ad.map(1).block_size();
  dim_spec rows = block{}, cols = block{};
  dist::grid g;
  if (scalapack) {
    rows = cols = block_cyclic{ad.map(0).block_size()};
    g = dist::grid{ad.grid()[0], ad.grid()[1]};
  }
  const distribution<2> dc({m, n}, {rows, cols}, c, g);
  const std::array<int, 2> ge = dc.grid();
  const dist::grid on{ge[0], ge[1]};
  const distribution<2> da({m, k}, {rows, scalapack ? cols : dim_spec{block{}}}, c, on);
  const distribution<2> db({k, n}, {scalapack ? rows : dim_spec{block{}}, cols}, c, on);
  std::optional<array<R, 2>> ka, kb;
  const array<R, 2>* pa = &detail::on_layout(A, da, ka);
  const array<R, 2>* pb = &detail::on_layout(B, db, kb);
  array<R, 2> C(dc, R{});
  const index_t lm = dc.local_shape()[0], ln = dc.local_shape()[1];
  const index_t lka = da.local_shape()[1];
  const R* a = pa->local().data();
  const R* b = pb->local().data();
  R* cl = C.local().data();
  detail::grid_comms gc(c, dc.grid_coords());
  const dim_map& ak = da.map(1);  // the inner dim as A holds it (over grid columns)
  const dim_map& bk = db.map(0);  // and as B holds it (over grid rows)
  constexpr index_t panel = 256;
  // the panels: pieces of [0, k) with one owner and contiguous local positions on both sides
  struct piece {
    index_t k0, w;
    int acol, brow;
    index_t la, lb;
  };
  std::vector<piece> pieces;
  for (index_t k0 = 0; k0 < k;) {
    const index_t e = std::min({k, ak.run_end(k0), bk.run_end(k0), k0 + panel});
    pieces.push_back({k0, e - k0, ak.owner(k0), bk.owner(k0), ak.local_index(k0), bk.local_index(k0)});
    k0 = e;
  }
  const MPI_Datatype type = detail::mpi_type<R>();
  const int my_col = dc.grid_coords()[1], my_row = dc.grid_coords()[0];
  std::vector<R> abuf[2], bbuf[2];
  MPI_Request req[2][2];
  auto post = [&](std::size_t i, int s) {
    const piece& p = pieces[i];
    abuf[s].resize(static_cast<std::size_t>(lm * p.w));
    bbuf[s].resize(static_cast<std::size_t>(p.w * ln));
    if (my_col == p.acol)
      for (index_t r = 0; r < lm; ++r) std::copy_n(a + r * lka + p.la, p.w, abuf[s].data() + r * p.w);
    if (my_row == p.brow) std::copy_n(b + p.lb * ln, p.w * ln, bbuf[s].data());
    detail::check_mpi(MPI_Ibcast(abuf[s].data(), detail::mpi_count(lm * p.w, "dist::matmul"), type, p.acol, gc.row, &req[s][0]), "MPI_Ibcast");
    detail::check_mpi(MPI_Ibcast(bbuf[s].data(), detail::mpi_count(p.w * ln, "dist::matmul"), type, p.brow, gc.col, &req[s][1]), "MPI_Ibcast");
  };
  if (!pieces.empty()) post(0, 0);
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const int s = static_cast<int>(i % 2);
    detail::check_mpi(MPI_Waitall(2, req[s], MPI_STATUSES_IGNORE), "MPI_Waitall");
    if (i + 1 < pieces.size()) post(i + 1, 1 - s);  // the next panel travels while this one is multiplied
    detail::gemm_add(lm, ln, pieces[i].w, abuf[s].data(), pieces[i].w, bbuf[s].data(), ln, cl, ln);
  }
  return C;
}

}  // namespace dist
