// ScaLAPACK interop, with the target dist::scalapack:
// dist::scalapack::desc(a) gives the BLACS context and the array descriptor
// of a 2-D block-cyclic array, so ScaLAPACK routines run on its local
// blocks directly (no copy).
//
// ScaLAPACK stores local blocks column-major; dist stores them row-major.
// A row-major block of a (m x n) is a column-major block of its transpose,
// so the descriptor describes a^T (n x m) on the transposed BLACS grid (a's
// grid columns are its process rows). Routines then run on a^T:
//   C = A B       is C^T = B^T A^T: pdgemm("N", "N", n, m, k, 1, B, descB,
//                 A, descA, 0, C, descC) (benchmarks/matmul.cpp)
//   A x = b       pdgetrf on A^T (factors A^T), then pdgetrs("T") solves
//                 (A^T)^T x = A x = b, with b an nrhs x n array
//                 (examples/scalapack_solve.cpp)
// The descriptor's `transposed` member records this.
#pragma once

#include <mpi.h>

#include <array>
#include <map>
#include <set>
#include <string>

#include "../array/array.hpp"
#include "../core/collective_check.hpp"
#include "../core/error.hpp"
#include "../core/finalize.hpp"

extern "C" {
// BLACS (C interface) and the ScaLAPACK tools dist uses; the drivers
// (pdgemm_, pdgetrf_, ...) are left for the caller to declare.
int Csys2blacs_handle(MPI_Comm comm);
void Cfree_blacs_system_handle(int handle);
void Cblacs_gridinit(int* context, const char* order, int nprow, int npcol);
void Cblacs_gridinfo(int context, int* nprow, int* npcol, int* myrow, int* mycol);
void Cblacs_gridexit(int context);
int numroc_(const int* n, const int* nb, const int* iproc, const int* isrcproc, const int* nprocs);
void descinit_(int* desc, const int* m, const int* n, const int* mb, const int* nb, const int* irsrc, const int* icsrc,
               const int* ictxt, const int* lld, int* info);
}

namespace dist::scalapack {

/// What ScaLAPACK needs to work on a dist array: the BLACS context, the
/// 9-integer descriptor, and the local data. The descriptor describes the
/// transpose of the array (`transposed` is always true: dist's blocks are
/// row-major): ScaLAPACK's M is the array's columns, N its rows.
struct descriptor {
  int context = -1;
  std::array<int, 9> desc{};
  bool transposed = true;
  /// Process grid as BLACS sees it and this rank's place in it.
  int nprow = 0, npcol = 0, myrow = 0, mycol = 0;
  int* data() noexcept { return desc.data(); }
  const int* data() const noexcept { return desc.data(); }
  operator int*() noexcept { return desc.data(); }  // NOLINT: passes where ScaLAPACK wants DESCA
  operator const int*() const noexcept { return desc.data(); }  // NOLINT
  int m() const noexcept { return desc[2]; }
  int n() const noexcept { return desc[3]; }
  int lld() const noexcept { return desc[8]; }
};

namespace detail {

/// Block size of dim d as ScaLAPACK's block-cyclic, or 0 when the dim is not
/// block-cyclic (block dims qualify when they split as ceil(n/p) blocks).
inline int scalapack_block(const dim_map& m) {
  const index_t n = m.size();
  const int p = m.procs();
  switch (m.kind()) {
    case dim_kind::cyclic: return 1;
    case dim_kind::block_cyclic: return static_cast<int>(m.block_size());
    case dim_kind::undistributed: return static_cast<int>(std::max<index_t>(1, n));
    case dim_kind::block: {
      const index_t nb = std::max<index_t>(1, (n + p - 1) / p);
      for (int c = 0; c < p; ++c)
        if (m.local_size(c) != std::clamp<index_t>(n - c * nb, 0, nb)) return 0;
      return static_cast<int>(nb);
    }
    default: return 0;
  }
}

/// The BLACS grids made on one communicator, by (process rows, process
/// columns) -> (context, system handle). Kept as an attribute of the
/// communicator, so they go when it is freed (a later communicator that
/// reuses the handle starts afresh), and released at MPI_Finalize otherwise.
struct blacs_grids {
  std::map<std::pair<int, int>, std::pair<int, int>> grids;
  void release() {
    for (auto& [k, v] : grids) {
      Cblacs_gridexit(v.first);
      Cfree_blacs_system_handle(v.second);
    }
    grids.clear();
  }
};

inline std::set<blacs_grids*>& live_blacs_grids() {
  static std::set<blacs_grids*> live;
  return live;
}

inline int free_blacs_grids(MPI_Comm, int, void* attr, void*) {
  auto* g = static_cast<blacs_grids*>(attr);
  g->release();
  live_blacs_grids().erase(g);
  delete g;
  return MPI_SUCCESS;
}

inline int blacs_keyval() {
  static const int key = [] {
    int k = MPI_KEYVAL_INVALID;
    dist::detail::check_mpi(MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, free_blacs_grids, &k, nullptr),
                            "MPI_Comm_create_keyval");
    dist::detail::on_finalize([] {  // grids on communicators still alive at MPI_Finalize
      for (blacs_grids* g : live_blacs_grids()) g->release();
    });
    return k;
  }();
  return key;
}

/// The BLACS context of an nprow x npcol grid over `comm` (column-major
/// ranks), made on first use. Collective the first time.
inline int blacs_context(MPI_Comm comm, int nprow, int npcol) {
  void* attr = nullptr;
  int found = 0;
  dist::detail::check_mpi(MPI_Comm_get_attr(comm, blacs_keyval(), &attr, &found), "MPI_Comm_get_attr");
  auto* g = static_cast<blacs_grids*>(found ? attr : nullptr);
  if (!g) {
    g = new blacs_grids;
    live_blacs_grids().insert(g);
    dist::detail::check_mpi(MPI_Comm_set_attr(comm, blacs_keyval(), g), "MPI_Comm_set_attr");
  }
  if (auto it = g->grids.find({nprow, npcol}); it != g->grids.end()) return it->second.first;
  const int handle = Csys2blacs_handle(comm);
  int ctxt = handle;
  Cblacs_gridinit(&ctxt, "C", nprow, npcol);  // column-major: rank = prow + pcol * nprow
  g->grids.emplace(std::make_pair(nprow, npcol), std::make_pair(ctxt, handle));
  return ctxt;
}

}  // namespace detail

/// The BLACS context and descriptor of a 2-D array whose dims are
/// block-cyclic as ScaLAPACK lays them out: block_cyclic{nb}, cyclic
/// (nb = 1), undistributed, or block when it splits as ceil(n/p) blocks;
/// first block on coordinate 0; local block contiguous (no ghost layers
/// along dim 1). The descriptor describes a^T (see the file comment);
/// pass a.local_data().data() as the local array. Collective (the first
/// call per communicator and grid creates the BLACS grid); distribution_error
/// on every rank for other layouts.
template <class T>
descriptor desc(const array<T, 2>& a) {
  dist::detail::collective_entry(a.comm(), "dist::scalapack::desc", a.distribution());
  const auto& d = a.distribution();
  const int nb_rows = detail::scalapack_block(d.map(0)), nb_cols = detail::scalapack_block(d.map(1));
  if (nb_rows == 0 || nb_cols == 0)
    throw distribution_error(std::string("dist::scalapack::desc: ScaLAPACK needs block-cyclic dims (block_cyclic, cyclic, "
                                         "undistributed, or block splitting as ceil(n/p) blocks), but the array is ") +
                             to_string(d.map(0).kind()) + " x " + to_string(d.map(1).kind()));
  if (d.replicated() && a.comm().size() > 1)
    throw distribution_error("dist::scalapack::desc: the array is replicated on every rank; ScaLAPACK needs it spread over a grid");
  if (a.ghost_width(1) != 0)
    throw distribution_error("dist::scalapack::desc: the array keeps ghost layers along dim 1, so its block is not contiguous");
  descriptor r;
  r.nprow = d.grid()[1];  // a^T's rows are a's columns
  r.npcol = d.grid()[0];
  r.context = detail::blacs_context(a.comm(), r.nprow, r.npcol);
  int pr = 0, pc = 0;
  Cblacs_gridinfo(r.context, &pr, &pc, &r.myrow, &r.mycol);
  if (pr != r.nprow || pc != r.npcol || r.myrow != d.grid_coords()[1] || r.mycol != d.grid_coords()[0])
    throw mpi_error("dist::scalapack::desc: the BLACS grid does not match the array's grid");
  const int M = static_cast<int>(d.shape()[1]), N = static_cast<int>(d.shape()[0]);
  const int lld = static_cast<int>(std::max<index_t>(1, a.local_shape()[1])), zero = 0;
  int info = 0;
  descinit_(r.desc.data(), &M, &N, &nb_cols, &nb_rows, &zero, &zero, &r.context, &lld, &info);
  if (info != 0) throw error("dist::scalapack::desc: descinit_ failed, info = " + std::to_string(info));
  return r;
}

}  // namespace dist::scalapack
