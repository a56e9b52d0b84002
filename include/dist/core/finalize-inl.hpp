// The definitions of <dist/core/finalize.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include <mutex>

#include "finalize.hpp"

namespace dist::detail {

DIST_INLINE std::vector<std::function<void()>>& finalize_hooks() {
  static std::vector<std::function<void()>> hooks;
  return hooks;
}

DIST_INLINE int run_finalize_hooks(MPI_Comm, int, void*, void*) {
  auto& hooks = finalize_hooks();
  for (auto it = hooks.rbegin(); it != hooks.rend(); ++it) (*it)();
  hooks.clear();
  return MPI_SUCCESS;
}

DIST_INLINE void on_finalize(std::function<void()> f) {
  static std::once_flag once;
  std::call_once(once, [] {
    int key = MPI_KEYVAL_INVALID;
    MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, run_finalize_hooks, &key, nullptr);
    MPI_Comm_set_attr(MPI_COMM_SELF, key, nullptr);
  });
  finalize_hooks().push_back(std::move(f));
}

}  // namespace dist::detail
