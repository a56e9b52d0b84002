// The definitions of <dist/array/window.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include <mutex>

#include "window.hpp"

namespace dist::detail {

DIST_INLINE int delete_window_registry(MPI_Comm, int, void* attr, void*) {
  delete static_cast<window_registry*>(attr);  // windows still released are left to MPI
  return MPI_SUCCESS;
}

DIST_INLINE window_registry& windows_of(MPI_Comm c) {
  static int key = MPI_KEYVAL_INVALID;
  static std::once_flag once;
  std::call_once(once, [] { MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, delete_window_registry, &key, nullptr); });
  void* attr = nullptr;
  int found = 0;
  MPI_Comm_get_attr(c, key, &attr, &found);
  if (found) return *static_cast<window_registry*>(attr);
  auto* r = new window_registry;
  MPI_Comm_set_attr(c, key, r);
  return *r;
}

DIST_INLINE void free_released_windows(const communicator& c) {
  window_registry& r = windows_of(c);
  std::uint64_t base = r.released.empty() ? UINT64_MAX : r.released.begin()->first;
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, &base, 1, MPI_UINT64_T, MPI_MIN, c), "MPI_Allreduce");
  if (base == UINT64_MAX) return;
  std::uint64_t mine[4] = {};  // bit k: window base + k released here
  for (auto it = r.released.lower_bound(base); it != r.released.end() && it->first < base + 256; ++it)
    mine[(it->first - base) / 64] |= std::uint64_t{1} << ((it->first - base) % 64);
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, mine, 4, MPI_UINT64_T, MPI_BAND, c), "MPI_Allreduce");
  for (std::uint64_t k = 0; k < 256; ++k) {
    if (!((mine[k / 64] >> (k % 64)) & 1)) continue;
    const auto it = r.released.find(base + k);
    MPI_Win w = it->second.first;
    MPI_Win_unlock_all(w);
    MPI_Win_free(&w);
    r.released.erase(it);  // the exposed memory goes with it
  }
}

}  // namespace dist::detail
