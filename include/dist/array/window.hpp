// rma_window: the MPI window an array exposes for one-sided access
// (comm/rma.hpp, SPEC 8). It lives in the array beside the memory it
// exposes; while it exists the array's block never moves (no spare-block
// swap, no ghost growth, no buffer swap on move assignment).
#pragma once

#include <mpi.h>

#include <cstddef>
#include <exception>

#include "../core/communicator.hpp"

namespace dist::detail {

class rma_window {
 public:
  /// Exposes `bytes` bytes at `base` on every rank of `comm` (byte
  /// displacements) and opens a passive-target epoch to all ranks
  /// (MPI_Win_lock_all), kept until the window is freed. Collective.
  /// On a one-rank communicator no MPI window is made (Open MPI 4.1's
  /// default osc component fails MPI_Win_create there, open-mpi/ompi#10726):
  /// transfers are then local copies (comm/rma.hpp).
  rma_window(void* base, std::size_t bytes, MPI_Comm comm) {
    int size = 0;
    check_mpi(MPI_Comm_size(comm, &size), "MPI_Comm_size");
    if (size == 1) return;
    MPI_Info info;
    check_mpi(MPI_Info_create(&info), "MPI_Info_create");
    MPI_Info_set(info, "same_disp_unit", "true");
    const int rc = MPI_Win_create(base, static_cast<MPI_Aint>(bytes), 1, info, comm, &win_);
    MPI_Info_free(&info);
    check_mpi(rc, "MPI_Win_create");
    check_mpi(MPI_Win_lock_all(MPI_MODE_NOCHECK, win_), "MPI_Win_lock_all");
  }
  rma_window(const rma_window&) = delete;
  rma_window& operator=(const rma_window&) = delete;
  /// Closes the epoch and frees the window: collective, like the array's
  /// destruction in SPMD code. While an exception unwinds (one rank may be
  /// leaving alone) or after MPI_Finalize the window is left to MPI instead
  /// of risking a hang.
  ~rma_window() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (win_ == MPI_WIN_NULL || finalized || std::uncaught_exceptions() > 0) return;
    MPI_Win_unlock_all(win_);
    MPI_Win_free(&win_);
  }
  MPI_Win handle() const noexcept { return win_; }
  /// True on a one-rank communicator (no MPI window: transfers are copies).
  bool local() const noexcept { return win_ == MPI_WIN_NULL; }

 private:
  MPI_Win win_ = MPI_WIN_NULL;
};

}  // namespace dist::detail
