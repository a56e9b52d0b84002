// The definitions of <dist/array/window.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "window.hpp"

namespace dist::detail {

/// The windows of one communicator: sequence numbers in creation order
/// (the same on every rank, creation being collective), and those released
/// and waiting to be freed.
struct window_registry {
  std::uint64_t next = 0;
  std::map<std::uint64_t, std::pair<MPI_Win, std::shared_ptr<void>>> released;
};

DIST_INLINE rma_window::rma_window(void* base, std::size_t bytes, MPI_Comm comm) : comm_(comm) {
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
  window_registry& r = windows_of(comm_);
  seq_ = r.next++;
}

DIST_INLINE rma_window::~rma_window() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (win_ == MPI_WIN_NULL || finalized) return;
  window_registry& r = windows_of(comm_);
  r.released[seq_] = {win_, std::move(memory_)};
}

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
