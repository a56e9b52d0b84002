// What dist keeps with a communicator (an MPI attribute, so copies of a
// Boost.MPI communicator and the raw MPI_Comm share it): the rounds of
// sparse notification so far, and the grid-line communicators split from
// it. Freed when the communicator is freed, or at the start of
// MPI_Finalize for those still alive (MPI_COMM_WORLD). A duplicate starts
// empty. Every rank of a communicator changes its state in the same
// collective calls, so lookups hit or miss alike on every rank.
#pragma once

#include <mpi.h>

#include <map>
#include <vector>

#include "linkage.hpp"
#include "communicator.hpp"
#include "finalize.hpp"

namespace dist::detail {

struct comm_state {
  unsigned notify_rounds = 0;
  std::map<std::vector<int>, MPI_Comm> lines;  // split_once's results by key

  DIST_INLINE void free_lines();
};

/// dist's state kept with communicator `c`, made on first use. Local.
DIST_INLINE comm_state& state_of(MPI_Comm c);

/// MPI_Comm_split(c, color, order) on the first call for `key` on c, the
/// result kept with c afterwards (freed with it, or at MPI_Finalize), so a
/// loop of matmuls or scans splits once (MPI_Comm_split is O(P) inside
/// MPI). Owned by c: do not free. Collective over c on first use (every
/// rank passes the same key; color and order are its own).
DIST_INLINE MPI_Comm split_once(MPI_Comm c, std::vector<int> key, int color, int order);

}  // namespace dist::detail

#if DIST_INLINE_DEFINITIONS
#include "comm_state-inl.hpp"
#endif
