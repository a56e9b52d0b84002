// rma_window: the MPI window an array exposes for one-sided access
// (comm/rma.hpp). It lives in the array beside the memory it exposes; while
// it exists the array's block never moves (no spare-block swap, no ghost
// growth, no buffer swap on move assignment).
//
// MPI_Win_free is collective, but a destructor may run on one rank alone
// (an exception unwinding there). So destroying an array never frees its
// window: the window, with the memory it exposes, is *released* to a list
// kept per communicator, and every dist::fence on that communicator frees,
// in creation order, the windows every rank has released (the allreduce
// that starts agreeing on which is the fence's barrier). No rank ever waits
// in MPI_Win_free for a rank that is elsewhere.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "../core/linkage.hpp"
#include "../core/communicator.hpp"

namespace dist::detail {

/// The windows of one communicator (window-inl.hpp): sequence numbers in
/// creation order and those released and waiting to be freed.
struct window_registry;

DIST_INLINE int delete_window_registry(MPI_Comm, int, void* attr, void*);

/// The registry kept as an attribute of `c` (created on first use). Local.
DIST_INLINE window_registry& windows_of(MPI_Comm c);

/// Frees the windows of `c` that every rank has released, in creation
/// order: one allreduce finds the lowest released window of any rank (the
/// fence's barrier, so nothing extra when none is), and only then a second
/// one finds which of the next 256 every rank has released. Collective.
DIST_INLINE void free_released_windows(const communicator& c);

class rma_window {
 public:
  /// Exposes `bytes` bytes at `base` on every rank of `comm` (byte
  /// displacements) and opens a passive-target epoch to all ranks
  /// (MPI_Win_lock_all), kept until the window is freed. Collective.
  /// On a one-rank communicator no MPI window is made (Open MPI 4.1's
  /// default osc component fails MPI_Win_create there, open-mpi/ompi#10726):
  /// transfers are then local copies (comm/rma.hpp).
  DIST_INLINE rma_window(void* base, std::size_t bytes, MPI_Comm comm);
  rma_window(const rma_window&) = delete;
  rma_window& operator=(const rma_window&) = delete;
  /// Releases the window (with the memory handed to keep_memory) to be
  /// freed by a later dist::fence on its communicator, when every rank has
  /// released it. Local: never blocks.
  DIST_INLINE ~rma_window();
  /// The exposed memory, kept alive until the window is freed (the array
  /// hands it over as it dies, as other ranks may still reach it). Local.
  void keep_memory(std::shared_ptr<void> m) noexcept { memory_ = std::move(m); }
  MPI_Win handle() const noexcept { return win_; }
  /// True on a one-rank communicator (no MPI window: transfers are copies).
  bool local() const noexcept { return win_ == MPI_WIN_NULL; }

 private:
  MPI_Comm comm_;
  MPI_Win win_ = MPI_WIN_NULL;
  std::uint64_t seq_ = 0;
  std::shared_ptr<void> memory_;
};

}  // namespace dist::detail

#if DIST_INLINE_DEFINITIONS
#include "window-inl.hpp"
#endif
