// dist::matmul: C = A B for 2-D arrays on any distributions, by
// SUMMA on the result's process grid. The operands are put on the grid
// first (no copy when they already are): A's rows and B's columns as C's,
// the inner dim over the grid's columns for A and its rows for B. Then,
// panel by panel (a panel: up to 256 inner indices one owner pair holds,
// gathered from its runs), the grid column owning A's panel broadcasts it
// along each grid row and the grid row owning B's panel broadcasts it along
// each grid column (non-blocking, the next panel in flight while the
// current one is multiplied; a side with one rank along its broadcast is
// read in place), and every rank adds A_panel * B_panel to its block of C
// through CBLAS's gemm (target dist::blas) or a cache-blocked kernel.
// Users' reference: docs/api.md (Reductions and linear algebra), docs/interop.md.
#pragma once

#include <mpi.h>

#include <algorithm>
#include <array>
#include <complex>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "../core/linkage.hpp"
#include "../array/array.hpp"
#include "../comm/redistribution.hpp"
#include "../core/collective_check.hpp"
#include "../core/communicator.hpp"
#include "../expr/assign.hpp"
#include "../expr/promote.hpp"

#if defined(DIST_HAVE_CBLAS)
#include <cblas.h>
namespace dist::detail {
// the CBLAS's integer type (int; OpenBLAS's blasint, 64-bit in ILP64 builds)
template <class F> struct cblas_int;
template <class R, class A1, class A2, class A3, class A4, class... Rest>
struct cblas_int<R (*)(A1, A2, A3, A4, Rest...)> { using type = std::remove_cv_t<A4>; };
using blasint_t = typename cblas_int<decltype(&cblas_dgemm)>::type;
}  // namespace dist::detail
#endif

namespace dist {
namespace detail {

/// C (m x n, leading dim ldc) += A (m x w, lda) * B (w x n, ldb), row-major,
/// blocked so a strip of B stays in cache while A's rows stream. Local.
template <class T>
void gemm_kernel(index_t m, index_t n, index_t w, const T* A, index_t lda, const T* B, index_t ldb, T* C, index_t ldc) {
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

/// C += A * B (row-major, as gemm_kernel): the BLAS's gemm when dist was
/// built with one (target dist::blas defines DIST_HAVE_CBLAS) and T is one
/// of its four types, else gemm_kernel. Local.
template <class T>
void gemm_add(index_t m, index_t n, index_t w, const T* A, index_t lda, const T* B, index_t ldb, T* C, index_t ldc) {
  if (m == 0 || n == 0 || w == 0) return;
#if defined(DIST_HAVE_CBLAS)
  const auto i = [](index_t x) { return static_cast<blasint_t>(x); };
  if constexpr (std::is_same_v<T, double>) {
    return cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, i(m), i(n), i(w), 1.0, A, i(lda), B, i(ldb), 1.0, C, i(ldc));
  } else if constexpr (std::is_same_v<T, float>) {
    return cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, i(m), i(n), i(w), 1.0f, A, i(lda), B, i(ldb), 1.0f, C, i(ldc));
  } else if constexpr (std::is_same_v<T, std::complex<double>> || std::is_same_v<T, std::complex<float>>) {
    const T one{1};
    if constexpr (std::is_same_v<T, std::complex<double>>)
      return cblas_zgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, i(m), i(n), i(w), &one, A, i(lda), B, i(ldb), &one, C, i(ldc));
    else
      return cblas_cgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, i(m), i(n), i(w), &one, A, i(lda), B, i(ldb), &one, C, i(ldc));
  }
#endif
  gemm_kernel(m, n, w, A, lda, B, ldb, C, ldc);
}

template <class R, class T, class U>
array<R, 2> summa(const array<T, 2>& A, const array<U, 2>& B, const distribution<2>& dc);
template <class R, class T, class U>
void summa_into(const array<T, 2>& A, const array<U, 2>& B, const distribution<2>& dc, R* cl);

/// The spec that rebuilds a structured, regular dim on another extent
/// (block, cyclic, block_cyclic, undistributed); none for irregular blocks
/// and unstructured dims.
DIST_INLINE std::optional<dim_spec> regular_spec(const dim_map& m);

/// The layout SUMMA computes an m x n product on, following `like`'s kinds
/// and grid (the requested result, or A): none when `like` has irregular or
/// unstructured dims or is replicated over several ranks.
DIST_INLINE bool summa_ready(const distribution<2>& d);  // d's kinds and grid can carry SUMMA as they are. Local.
DIST_INLINE std::optional<distribution<2>> summa_layout(index_t m, index_t n, const distribution<2>& like);

/// True when SUMMA on the 2-D grid g2 (then redistributing C to its 1-D
/// grid g) receives fewer elements per rank than on g, where one dim has
/// one coordinate and one operand travels whole to every rank (block rows:
/// all of B). Elements one rank receives, roughly: on g = P x 1,
/// k*n*(P-1)/P; on g2 = r x c, m*k/r*(c-1)/c + k*n/c*(r-1)/r for the panels
/// plus (m*k + k*n + m*n)/P to move A, B and C between the layouts. Taken
/// when below 3/4 of the 1-D volume: at 4 ranks stays 1-D, from about 16
/// ranks goes 2-D. Pure.
DIST_INLINE bool summa_on_2d_grid_moves_less(const std::array<int, 2>& g, const std::array<int, 2>& g2, index_t m, index_t k,
                                        index_t n);

/// How an operand's inner dim is laid out for SUMMA on grid `on`: its own
/// spec when it is on that grid and the spec gives wide panels (block,
/// undistributed, block_cyclic with nb >= 16), else block.
DIST_INLINE dim_spec inner_spec(const distribution<2>& x, std::size_t d, const std::array<int, 2>& on);

/// One SUMMA panel: inner indices one owner pair holds (A's grid column
/// `acol`, B's grid row `brow`), `w` of them, gathered from runs whose
/// local positions are contiguous on both sides (la in A's block, lb in
/// B's).
struct summa_panel {
  struct run {
    index_t w, la, lb;
  };
  int acol, brow;
  index_t w = 0;
  std::vector<run> runs;
};

/// The panels of SUMMA's inner dim as A holds it (`ak`, over grid columns)
/// and B holds it (`bk`, over grid rows): up to `panel` indices each. The
/// order of the inner sum does not matter, so a block-cyclic panel takes
/// every block its owners hold in turn (nb = 64: four blocks, not one, per
/// broadcast). Every rank builds the same list: O(runs of the inner dim /
/// panel + its distinct owner pairs), no MPI. Pure.
DIST_INLINE std::vector<summa_panel> summa_panels(const dim_map& ak, const dim_map& bk, index_t panel);

/// `a` itself when it is a contiguous block of element type R on `d`, else
/// a copy there (redistributed and converted as needed, kept in `keep`).
/// Collective.
template <class R, class T>
const array<R, 2>& on_layout(const array<T, 2>& a, const distribution<2>& d, std::optional<array<R, 2>>& keep) {
  if constexpr (std::is_same_v<T, R>)
    if (a.distribution().structured() && a.distribution() == d && a.local().contiguous()) return a;  // (unstructured: equality is per rank)
  keep.emplace(d, uninitialized);
  *keep = a;
  return *keep;
}

}  // namespace detail

/// The matrix product A B of 2-D arrays (A: m x k, B: k x n) on
/// distribution `d` (shape m x n), NumPy's matmul for 2-D operands, any
/// distributions. SUMMA runs on d's grid and kinds when they are regular
/// (block, cyclic, block_cyclic, undistributed), else on block x block and
/// the result is redistributed to d. shape_error (every rank) when the
/// extents differ. Collective.
template <class T, class U>
array<detail::promote_t<T, U>, 2> matmul(const array<T, 2>& A, const array<U, 2>& B, const distribution<2>& d) {
  using R = detail::promote_t<T, U>;
  detail::collective_entry(A.comm(), "dist::matmul", A.distribution(), B.distribution(), d);
  const index_t m = A.shape()[0], k = A.shape()[1], n = B.shape()[1];
  if (B.shape()[0] != k)
    throw shape_error("dist::matmul: shapes " + detail::to_string(A.shape()) + " and " + detail::to_string(B.shape()) +
                      " are not aligned (inner extents " + std::to_string(k) + " != " + std::to_string(B.shape()[0]) + ")");
  if (d.shape() != shape<2>{m, n})
    throw shape_error("dist::matmul: the result distribution has shape " + detail::to_string(d.shape()) + ", the product " +
                      detail::to_string(shape<2>{m, n}));
  const int P = A.comm().size();
  auto dc = detail::summa_layout(m, n, d);
  if (dc) {
    const auto g2 = dist::detail::default_grid({m, n}, P);
    if (!detail::summa_on_2d_grid_moves_less(dc->grid(), {g2[0], g2[1]}, m, k, n)) return detail::summa<R>(A, B, *dc);
  }
  // on block x block over the default 2-D grid, then to d
  array<R, 2> out(d, uninitialized);
  out = detail::summa<R>(A, B, distribution<2>({m, n}, {block{}, block{}}, A.comm()));
  return out;
}

/// The matrix product A B on A's row distribution: C's dims follow A's
/// kinds on A's grid (ScaLAPACK's block_cyclic layout stays), or block x
/// block on the default 2-D grid when A's dims are irregular or
/// unstructured. See matmul(A, B, d). Collective.
template <class T, class U>
array<detail::promote_t<T, U>, 2> matmul(const array<T, 2>& A, const array<U, 2>& B) {  // collective: matmul(A, B, d)
  const index_t m = A.shape()[0], n = B.shape()[1];
  if (auto dc = detail::summa_layout(m, n, A.distribution())) return matmul(A, B, *dc);
  return matmul(A, B, distribution<2>({m, n}, {block{}, block{}}, A.comm()));
}

/// The matrix product written into `out` (NumPy's out=): straight into
/// out's block, with no allocation, when out has the product's element
/// type, a contiguous block and a regular layout (block, cyclic,
/// block_cyclic or undistributed dims) and is neither operand; otherwise
/// as `out = matmul(A, B, out.distribution())`. shape_error on every rank
/// for other extents. Collective.
template <class T, class U, class V>
void matmul(const array<T, 2>& A, const array<U, 2>& B, array<V, 2>& out) {
  if constexpr (std::is_same_v<detail::promote_t<T, U>, V>) {
    const bool aliased = static_cast<const void*>(&out) == static_cast<const void*>(&A) ||
                         static_cast<const void*>(&out) == static_cast<const void*>(&B);
    const bool fits = out.shape() == shape<2>{A.shape()[0], B.shape()[1]} && B.shape()[0] == A.shape()[1];
    if (!aliased && fits && out.local().contiguous() && detail::summa_ready(out.distribution())) {
      detail::collective_entry(A.comm(), "dist::matmul", A.distribution(), B.distribution(), out.distribution());
      auto lv = out.local();
      std::fill_n(lv.data(), out.local_size(), V{});
      detail::summa_into(A, B, out.distribution(), lv.data());
      return;
    }
  }
  const auto product = matmul(A, B, out.distribution());  // collective: matmul(A, B, d) (its checks and errors)
  out = product;  // a copy into out's own block, as NumPy's out= writes in place
}

namespace detail {
/// `x` itself when it is an array, else x evaluated into one (on its home
/// distribution). Collective.
template <class X>
decltype(auto) as_array(const X& x) {
  if constexpr (is_dist_array<std::remove_cvref_t<X>>::value) return (x);
  else return dist::eval(x);
}
template <class X>
concept matrix_operand = expression<X> && detail::ndim_of<X> == 2;
template <class X, class Y>
concept not_both_arrays = !(is_dist_array<std::remove_cvref_t<X>>::value && is_dist_array<std::remove_cvref_t<Y>>::value);
}  // namespace detail

/// matmul of 2-D expressions and views: each operand that is not an array
/// is evaluated first (on its home distribution), as NumPy materialises
/// its arguments. Collective.
template <detail::matrix_operand X, detail::matrix_operand Y>
  requires detail::not_both_arrays<X, Y>
auto matmul(const X& x, const Y& y) {  // collective: eval, matmul(A, B)
  return matmul(detail::as_array(x), detail::as_array(y));
}
/// The same with the result on distribution `d`. Collective.
template <detail::matrix_operand X, detail::matrix_operand Y>
  requires detail::not_both_arrays<X, Y>
auto matmul(const X& x, const Y& y, const distribution<2>& d) {  // collective: eval, matmul(A, B, d)
  return matmul(detail::as_array(x), detail::as_array(y), d);
}

namespace detail {

/// SUMMA for C = A B on layout dc (regular kinds). Collective.
/// SUMMA into `cl`, the zeroed contiguous row-major block of this rank on
/// `dc` (a summa_layout). Collective.
template <class R, class T, class U>
void summa_into(const array<T, 2>& A, const array<U, 2>& B, const distribution<2>& dc, R* cl) {
  const communicator& c = A.comm();
  const index_t k = A.shape()[1], n = B.shape()[1], m = A.shape()[0];
  const std::array<int, 2> ge = dc.grid();
  const dist::grid on{ge[0], ge[1]};
  const auto rows = *regular_spec(dc.map(0)), cols = *regular_spec(dc.map(1));
  const distribution<2> da({m, k}, {rows, inner_spec(A.distribution(), 1, ge)}, c, on);
  const distribution<2> db({k, n}, {inner_spec(B.distribution(), 0, ge), cols}, c, on);
  std::optional<array<R, 2>> ka, kb;
  const array<R, 2>* pa = &on_layout(A, da, ka);
  const array<R, 2>* pb = &on_layout(B, db, kb);
  const index_t lm = dc.local_shape()[0], ln = dc.local_shape()[1];
  const index_t lka = da.local_shape()[1];
  const R* a = pa->local().data();
  const R* b = pb->local().data();
  const MPI_Comm grid_row = grid_line_comm(dc, 1), grid_col = grid_line_comm(dc, 0);  // kept with c
  const dim_map& ak = da.map(1);  // the inner dim as A holds it (over grid columns)
  const dim_map& bk = db.map(0);  // and as B holds it (over grid rows)
  // A panel is read in place when its side has one rank along the broadcast
  // (one grid column for A, one grid row for B) and it is one run; on a
  // 1 x 1 grid both are, and one panel spans the whole inner dim.
  const bool a_alone = ge[1] == 1, b_alone = ge[0] == 1;
  const index_t panel = a_alone && b_alone ? std::max<index_t>(k, 1) : 256;
  const std::vector<summa_panel> pieces = summa_panels(ak, bk, panel);
  using run = summa_panel::run;
  using piece = summa_panel;
  const MPI_Datatype type = mpi_type<R>();
  const int my_col = dc.grid_coords()[1], my_row = dc.grid_coords()[0];
  std::vector<R> abuf[2], bbuf[2];
  MPI_Request req[2][2];
  const auto a_in_place = [&](const piece& p) { return a_alone && p.runs.size() == 1; };
  const auto b_in_place = [&](const piece& p) { return b_alone && p.runs.size() == 1; };
  auto post = [&](std::size_t i, int s) {
    const piece& p = pieces[i];
    req[s][0] = req[s][1] = MPI_REQUEST_NULL;
    if (!a_in_place(p)) {
      abuf[s].resize(static_cast<std::size_t>(lm * p.w));
      if (my_col == p.acol)
        for (index_t r = 0; r < lm; ++r) {
          R* dst = abuf[s].data() + r * p.w;
          for (const run& x : p.runs) dst = std::copy_n(a + r * lka + x.la, x.w, dst);
        }
      const big_count na(lm * p.w, type);  // (freed at once: MPI keeps it until the broadcast is done)
      check_mpi(MPI_Ibcast(abuf[s].data(), na.count(), na.type(), p.acol, grid_row, &req[s][0]), "MPI_Ibcast");
    }
    if (!b_in_place(p)) {
      bbuf[s].resize(static_cast<std::size_t>(p.w * ln));
      if (my_row == p.brow) {
        R* dst = bbuf[s].data();
        for (const run& x : p.runs) dst = std::copy_n(b + x.lb * ln, x.w * ln, dst);
      }
      const big_count nb(p.w * ln, type);
      check_mpi(MPI_Ibcast(bbuf[s].data(), nb.count(), nb.type(), p.brow, grid_col, &req[s][1]), "MPI_Ibcast");
    }
  };
  if (!pieces.empty()) post(0, 0);
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const int s = static_cast<int>(i % 2);
    check_mpi(MPI_Waitall(2, req[s], MPI_STATUSES_IGNORE), "MPI_Waitall");
    if (i + 1 < pieces.size()) post(i + 1, 1 - s);  // the next panel travels while this one is multiplied
    const piece& p = pieces[i];
    const bool ai = a_in_place(p), bi = b_in_place(p);
    gemm_add(lm, ln, p.w, ai ? a + p.runs[0].la : abuf[s].data(), ai ? lka : p.w, bi ? b + p.runs[0].lb * ln : bbuf[s].data(), ln,
             cl, ln);
  }
}
template <class R, class T, class U>
array<R, 2> summa(const array<T, 2>& A, const array<U, 2>& B, const distribution<2>& dc) {
  array<R, 2> C(dc, R{});
  summa_into(A, B, dc, C.local().data());
  return C;
}

}  // namespace detail
}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "matmul-inl.hpp"
#endif
