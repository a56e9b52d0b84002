// What every parallel format shares (SPEC section 9): which parts of the
// file this rank's block fills, saving through a temporary file renamed into
// place (so a failed or killed save leaves the earlier file intact), and
// errors raised on every rank.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "../array/array.hpp"
#include "../core/agree.hpp"
#include "../core/communicator.hpp"
#include "../core/error.hpp"

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
inline std::string where(const std::string& path, const std::string& dataset = {}) {
  return "'" + path + "'" + (dataset.empty() ? "" : " (dataset '" + dataset + "')");
}

/// The temporary file a save writes: beside the target, named by rank 0 (the
/// same on every rank). Collective.
inline std::string temporary_path(const communicator& c, const std::string& path) {
  std::string name;
  if (c.rank() == 0) name = path + ".dist-tmp-" + std::to_string(::getpid());
  int len = static_cast<int>(name.size());
  check_mpi(MPI_Bcast(&len, 1, MPI_INT, 0, c), "MPI_Bcast");
  name.resize(static_cast<std::size_t>(len));
  check_mpi(MPI_Bcast(name.data(), len, MPI_CHAR, 0, c), "MPI_Bcast");
  return name;
}

/// Renames the finished temporary file over the target (rank 0), or removes
/// it when `ok` is false on any rank; io_error on every rank on failure.
/// Collective.
inline void commit_file(const communicator& c, const std::string& tmp, const std::string& path, const char* op) {
  agree_on_errors(c, [&] {
    if (io_fail_before_rename) {
      if (c.rank() == 0) std::remove(tmp.c_str());
      throw io_error(std::string(op) + ": failed before replacing " + where(path) + " (test hook)");
    }
  });
  agree_on_errors(c, [&] {
    if (c.rank() != 0) return;
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
      std::remove(tmp.c_str());
      throw io_error(std::string(op) + ": cannot rename the finished file to " + where(path) + ": " + ec.message());
    }
  });
}

/// Removes the temporary file after a failed save (rank 0). Local.
inline void discard_file(const communicator& c, const std::string& tmp) {
  if (c.rank() == 0) std::remove(tmp.c_str());
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
