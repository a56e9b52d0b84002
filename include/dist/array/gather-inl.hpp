// The definitions of <dist/array/gather.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "gather.hpp"

namespace dist::detail {

DIST_INLINE void check_root(const communicator& c, int root, const char* op) {
  if (root < 0 || root >= c.size())
    throw mpi_error(std::string(op) + ": root " + std::to_string(root) + " is outside the communicator of size " +
                std::to_string(c.size()));
}

}  // namespace dist::detail
