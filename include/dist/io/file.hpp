// What every parallel format shares: which parts of the
// file this rank's block fills, saving through a temporary file renamed into
// place (so a failed or killed save leaves the earlier file intact), and
// errors raised on every rank.
#pragma once

#include <algorithm>
#include <climits>
#include <cstring>
#include <cstdio>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "../core/linkage.hpp"
#include "../array/array.hpp"
#include "../core/agree.hpp"
#include "../core/communicator.hpp"
#include "../core/error.hpp"
#include "../core/large_count.hpp"
#include "../comm/plan.hpp"

namespace dist {

/// Options of the load functions.
struct load_options {
  /// Convert the file's element type to T (as static_cast would). Off: a
  /// different element type is an io_error.
  bool convert = false;
};

namespace detail {

/// Test hook: when set, a save throws io_error after the data is written and
/// before the temporary file replaces the target (what a crash mid-save leaves).
inline bool io_fail_before_rename = false;

/// "path" or "path (dataset d)", for messages.
DIST_INLINE std::string where(const std::string& path, const std::string& dataset = {});

/// The temporary file a save of `path` writes: beside the target, the same
/// name for every save of that target, so a temporary left by a killed job
/// is replaced by the next save. Local.
DIST_INLINE std::string temporary_path(const std::string& path);

/// The start of a save: every rank agrees on the operation, the path (and
/// `more` arguments), and rank 0 removes a temporary a killed save left
/// (before anyone opens the new one). Collective.
template <class... A>
void begin_save(const communicator& c, const char* op, const std::string& path, const named_arg<A>&... more) {
  agree(c, op, [&] {
    if (c.rank() == 0) std::remove(temporary_path(path).c_str());
  }, arg("paths", path), more...);
}

/// Rank 0 reserves `bytes` for the temporary file (fallocate) before any
/// data is written, so a full disk or an exhausted quota fails here, with
/// nothing written, instead of leaving holes. File systems without
/// fallocate are left to the checks after writing. io_error on rank 0:
/// call inside an agreement. Local.
DIST_INLINE void reserve_file_space(const communicator& c, const std::string& tmp, index_t bytes, const char* op,
                               const std::string& path);

/// Rank 0: the finished temporary reaches stable storage (fsync) and holds
/// at least `bytes` bytes; io_error naming the target otherwise. Local.
DIST_INLINE void verify_file(const std::string& tmp, index_t bytes, const char* op, const std::string& path);

/// Removes the temporary file after a failed save (rank 0), then waits for
/// it, so no rank returns while the temporary still exists. Collective
/// (every rank is on the failure path: the failure was agreed).
DIST_INLINE void discard_file(const communicator& c, const std::string& tmp);

/// Replaces the target by the finished temporary file: rank 0 checks it
/// (fsync, at least `bytes` bytes), every rank agrees, rank 0 renames it
/// over the target and syncs the directory. On any failure the temporary
/// is removed, the target is untouched, and every rank throws io_error.
/// Collective.
DIST_INLINE void commit_file(const communicator& c, const std::string& tmp, const std::string& path, index_t bytes,
                        const char* op);

/// True when writing or reading an array on `d` element by element in the
/// file would be slow and make MPI-IO flatten a view into one entry per
/// short run: a large array (2^24 elements or more) whose last dim is
/// (block-)cyclic with blocks under 64 KiB, or with an unstructured dim.
/// Such files go through the default block layout. From global properties
/// only, so every rank decides alike. Local.
template <std::size_t N>
bool fine_grained_file(const distribution<N>& d, std::size_t elem_bytes) {
  if (d.size() < (index_t{1} << 24) || d.replicated()) return false;
  for (std::size_t k = 0; k < N; ++k)
    if (d.map(k).kind() == dim_kind::unstructured) return true;
  const dim_map& m = d.map(N - 1);
  return (m.kind() == dim_kind::cyclic || m.kind() == dim_kind::block_cyclic) && m.procs() > 1 &&
         static_cast<std::size_t>(m.block_size()) * elem_bytes < (std::size_t{64} << 10);
}

/// The MPI datatype of `n` copies of `unit` (extent `unit_extent` bytes)
/// laid out as my indices along one dim: `groups` are strided run groups of
/// global indices (start, len, stride, count), each an hvector, together a
/// struct. Any count (big_count beyond int). Local.
DIST_INLINE MPI_Datatype groups_type(const run_list& groups, MPI_Datatype unit, MPI_Aint unit_extent);

/// This rank's file view of an array on `d` whose dims are all structured:
/// one nested datatype of `elem` (elem_bytes each) from the run groups of
/// each dim, O(run groups) however many elements (a cyclic dim is one
/// strided group), in global C order, which for structured dims is the
/// local row-major order. nullopt when a dim is unstructured or the block
/// is empty. Local.
template <std::size_t N>
std::optional<MPI_Datatype> structured_file_view(const distribution<N>& d, MPI_Datatype elem, std::size_t elem_bytes) {
  if (d.local_size() == 0) return std::nullopt;
  for (std::size_t k = 0; k < N; ++k)
    if (d.map(k).kind() == dim_kind::unstructured) return std::nullopt;
  const auto gst = row_major_strides(d.shape());
  MPI_Datatype t = MPI_DATATYPE_NULL;
  for (std::size_t k = N; k-- > 0;) {
    const run_list groups = dim_groups(d.map(k));
    const MPI_Aint row = static_cast<MPI_Aint>(gst[k]) * static_cast<MPI_Aint>(elem_bytes);
    MPI_Datatype unit = elem;
    if (k + 1 < N) {  // one index along dim k: the view of the dims after it, a row of the array wide
      check_mpi(MPI_Type_create_resized(t, 0, row, &unit), "MPI_Type_create_resized");
      MPI_Type_free(&t);
    }
    t = groups_type(groups, unit, row);
    if (k + 1 < N) MPI_Type_free(&unit);
  }
  check_mpi(MPI_Type_commit(&t), "MPI_Type_commit");
  return t;
}

/// This rank's elements as runs of the global array in C order: calls
/// run(global_flat_start, local_offset, length) with local offsets into the
/// block of `lv` (its strides), in increasing global order. A replicated
/// distribution: only rank 0 reports (everyone holds everything). Local.
template <std::size_t N, class Run>
void for_each_file_run(const distribution<N>& d, const std::array<index_t, N>& lstrides, bool everyone, Run&& run) {
  if (d.local_size() == 0) return;
  if (d.replicated() && !everyone && d.comm().rank() != 0) return;
  const auto gst = row_major_strides(d.shape());
  // outer dims: (global, local) of each index in increasing global order
  std::array<std::vector<std::pair<index_t, index_t>>, N> outer;
  for (std::size_t k = 0; k + 1 < N; ++k)
    for (const auto& r : d.map(k).runs())
      for (index_t j = 0; j < r.length; ++j) outer[k].push_back({r.global + j, r.local + j});
  const auto inner = d.map(N - 1).runs();
  shape<N> rows{};
  for (std::size_t k = 0; k < N; ++k) rows[k] = k + 1 < N ? static_cast<index_t>(outer[k].size()) : 1;
  index<N> o{};
  do {
    index_t g = 0, l = 0;
    for (std::size_t k = 0; k + 1 < N; ++k) {
      g += outer[k][static_cast<std::size_t>(o[k])].first * gst[k];
      l += outer[k][static_cast<std::size_t>(o[k])].second * lstrides[k];
    }
    for (const auto& r : inner) run(g + r.global, l + r.local * lstrides[N - 1], r.length);
  } while (next_row(o, rows));
}

}  // namespace detail
}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "file-inl.hpp"
#endif
