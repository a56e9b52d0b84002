// The definitions of <dist/io/file.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

// (what only these definitions use: not parsed by user translation units in
// separate compilation)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "file.hpp"

namespace dist::detail {

DIST_INLINE std::string where(const std::string& path, const std::string& dataset) {
  return "'" + path + "'" + (dataset.empty() ? "" : " (dataset '" + dataset + "')");
}

DIST_INLINE std::string temporary_path(const std::string& path) { return path + ".dist-tmp"; }

DIST_INLINE void reserve_file_space(const communicator& c, const std::string& tmp, index_t bytes, const char* op,
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

DIST_INLINE void verify_file(const std::string& tmp, index_t bytes, const char* op, const std::string& path) {
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

DIST_INLINE void discard_file(const communicator& c, const std::string& tmp) {
  if (c.rank() == 0) std::remove(tmp.c_str());
  MPI_Barrier(c);
}

DIST_INLINE void commit_file(const communicator& c, const std::string& tmp, const std::string& path, index_t bytes,
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

DIST_INLINE MPI_Datatype groups_type(const run_list& groups, MPI_Datatype unit, MPI_Aint unit_extent) {
  std::vector<MPI_Datatype> types;
  std::vector<MPI_Aint> displs;
  for (const auto& g : groups) {
    const big_count run(g.len, unit);  // one run: len units
    MPI_Datatype rt = run.type();
    MPI_Datatype t;
    if (run.count() == 1 && g.count == 1) {
      MPI_Type_dup(rt, &t);
    } else if (g.count == 1) {
      MPI_Type_contiguous(run.count(), rt, &t);
    } else {
      if (g.count > INT_MAX) throw mpi_error("dist: a file view with more than 2^31 runs along one dim");
      MPI_Datatype one;  // the run as one item, repeated with stride
      MPI_Type_contiguous(run.count(), rt, &one);
      MPI_Type_create_hvector(static_cast<int>(g.count), 1, static_cast<MPI_Aint>(g.stride) * unit_extent, one, &t);
      MPI_Type_free(&one);
    }
    types.push_back(t);
    displs.push_back(static_cast<MPI_Aint>(g.start) * unit_extent);
  }
  if (types.size() > static_cast<std::size_t>(INT_MAX)) throw mpi_error("dist: a file view with more than 2^31 run groups");
  const std::vector<int> ones(types.size(), 1);
  MPI_Datatype out;
  check_mpi(MPI_Type_create_struct(static_cast<int>(types.size()), ones.data(), displs.data(), types.data(), &out),
            "MPI_Type_create_struct");
  for (auto& t : types) MPI_Type_free(&t);
  return out;
}

}  // namespace dist::detail
