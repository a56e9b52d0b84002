// What every parallel format shares: which parts of the
// file this rank's block fills, saving through a temporary file renamed into
// place (so a failed or killed save leaves the earlier file intact), and
// errors raised on every rank.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
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

/// The temporary file a save of `path` writes: beside the target, the same
/// name for every save of that target, so a temporary left by a killed job
/// is replaced by the next save. Local.
inline std::string temporary_path(const std::string& path) { return path + ".dist-tmp"; }

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
inline void reserve_file_space(const communicator& c, const std::string& tmp, index_t bytes, const char* op,
                               const std::string& path) {
  if (c.rank() != 0 || bytes <= 0) return;
  const int fd = ::open(tmp.c_str(), O_WRONLY);
  if (fd < 0) throw io_error(std::string(op) + ": cannot open the temporary file " + where(tmp) + " for " + where(path) + ": " + std::strerror(errno));
  int rc = 0;
  do rc = ::fallocate(fd, 0, 0, static_cast<off_t>(bytes));
  while (rc != 0 && errno == EINTR);
  const int err = rc != 0 ? errno : 0;
  ::close(fd);
  if (err != 0 && err != EOPNOTSUPP && err != ENOSYS)
    throw io_error(std::string(op) + ": cannot reserve " + std::to_string(bytes) + " bytes for " + where(path) + ": " +
                   std::strerror(err) + " (the earlier file is kept)");
}

/// Rank 0: the finished temporary reaches stable storage (fsync) and holds
/// at least `bytes` bytes; io_error naming the target otherwise. Local.
inline void verify_file(const std::string& tmp, index_t bytes, const char* op, const std::string& path) {
  const int fd = ::open(tmp.c_str(), O_RDONLY);
  if (fd < 0) throw io_error(std::string(op) + ": the temporary file for " + where(path) + " vanished: " + std::strerror(errno));
  struct stat st{};
  const int s = ::fstat(fd, &st);
  const int f = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (f != 0) throw io_error(std::string(op) + ": writing " + where(path) + " failed at fsync: " + std::strerror(err));
  if (s != 0 || st.st_size < bytes)
    throw io_error(std::string(op) + ": writing " + where(path) + " failed: the file has " + std::to_string(st.st_size) +
                   " bytes, " + std::to_string(bytes) + " expected (a full disk?)");
}

/// Removes the temporary file after a failed save (rank 0), then waits for
/// it, so no rank returns while the temporary still exists. Collective
/// (every rank is on the failure path: the failure was agreed).
inline void discard_file(const communicator& c, const std::string& tmp) {
  if (c.rank() == 0) std::remove(tmp.c_str());
  MPI_Barrier(c);
}

/// Replaces the target by the finished temporary file: rank 0 checks it
/// (fsync, at least `bytes` bytes), every rank agrees, rank 0 renames it
/// over the target and syncs the directory. On any failure the temporary
/// is removed, the target is untouched, and every rank throws io_error.
/// Collective.
inline void commit_file(const communicator& c, const std::string& tmp, const std::string& path, index_t bytes,
                        const char* op) {
  try {
    agree_on_errors(c, [&] {
      if (io_fail_before_rename) throw io_error(std::string(op) + ": failed before replacing " + where(path) + " (test hook)");
      if (c.rank() == 0) verify_file(tmp, bytes, op, path);
    });
  } catch (...) {
    discard_file(c, tmp);
    throw;
  }
  agree_on_errors(c, [&] {
    if (c.rank() != 0) return;
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
      std::remove(tmp.c_str());
      throw io_error(std::string(op) + ": cannot rename the finished file to " + where(path) + ": " + ec.message());
    }
    // the rename itself reaches the disk
    const auto dir = std::filesystem::absolute(path).parent_path();
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  });
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
