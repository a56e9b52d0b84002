// Clean-up that must run before MPI_Finalize (caches holding communicators),
// hooked to MPI_COMM_SELF's attribute deletion, which MPI runs first thing
// in MPI_Finalize whoever calls it.
#pragma once

#include <mpi.h>

#include <functional>
#include <vector>

#include "linkage.hpp"

namespace dist::detail {

DIST_INLINE std::vector<std::function<void()>>& finalize_hooks();

DIST_INLINE int run_finalize_hooks(MPI_Comm, int, void*, void*);

/// Runs `f` at the start of MPI_Finalize (MPI must be initialised). Local.
DIST_INLINE void on_finalize(std::function<void()> f);

}  // namespace dist::detail

#if DIST_INLINE_DEFINITIONS
#include "finalize-inl.hpp"
#endif
