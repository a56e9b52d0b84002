// The definitions of <dist/core/communicator.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "communicator.hpp"

namespace dist::detail {

DIST_INLINE void check_mpi(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  throw mpi_error(std::string(what) + " failed: " + std::string(msg, static_cast<std::size_t>(len)));
}

DIST_INLINE int mpi_count(index_t n, std::string_view op) {
  if (n < 0 || n > INT_MAX)
    throw mpi_error(std::string(op) + ": count " + std::to_string(n) +
                    " does not fit MPI's int counts; split the array or use more ranks");
  return static_cast<int>(n);
}

DIST_INLINE std::vector<int> displacements(const std::vector<int>& counts, std::string_view op) {
  std::vector<int> displs(counts.size());
  index_t acc = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    displs[i] = mpi_count(acc, op);
    acc += counts[i];
  }
  mpi_count(acc, op);
  return displs;
}

DIST_INLINE bool same_ranks(const communicator& a, const communicator& b) {
  int cmp = MPI_UNEQUAL;
  check_mpi(MPI_Comm_compare(a, b, &cmp), "MPI_Comm_compare");
  return cmp != MPI_UNEQUAL;
}

DIST_INLINE void require_same_ranks(const communicator& a, const communicator& b, const std::string& op) {
  if (!same_ranks(a, b))
    throw shape_error(op + ": the communicators hold different sets of ranks (an operand, source or target lives on other ranks)");
}

}  // namespace dist::detail
