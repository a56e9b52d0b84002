// Clean-up that must run before MPI_Finalize (caches holding communicators),
// hooked to MPI_COMM_SELF's attribute deletion, which MPI runs first thing
// in MPI_Finalize whoever calls it.
#pragma once

#include <mpi.h>

#include <functional>
#include <mutex>
#include <vector>

namespace dist::detail {

inline std::vector<std::function<void()>>& finalize_hooks() {
  static std::vector<std::function<void()>> hooks;
  return hooks;
}

inline int run_finalize_hooks(MPI_Comm, int, void*, void*) {
  auto& hooks = finalize_hooks();
  for (auto it = hooks.rbegin(); it != hooks.rend(); ++it) (*it)();
  hooks.clear();
  return MPI_SUCCESS;
}

/// Runs `f` at the start of MPI_Finalize (MPI must be initialised). Local.
inline void on_finalize(std::function<void()> f) {
  static std::once_flag once;
  std::call_once(once, [] {
    int key = MPI_KEYVAL_INVALID;
    MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, run_finalize_hooks, &key, nullptr);
    MPI_Comm_set_attr(MPI_COMM_SELF, key, nullptr);
  });
  finalize_hooks().push_back(std::move(f));
}

}  // namespace dist::detail
