// The definitions of <dist/core/large_count.hpp>'s non-template functions:
// included by it in header-only use; with DIST_SEPARATE_COMPILATION compiled
// once, in <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include <string>

#include "error.hpp"
#include "large_count.hpp"

namespace dist::detail {

DIST_INLINE big_count::big_count(index_t n, MPI_Datatype elem) {
  if (n < 0) throw mpi_error("dist: negative element count " + std::to_string(n));
  if (n <= INT_MAX) {
    count_ = static_cast<int>(n);
    type_ = elem;
    return;
  }
  const index_t q = n / chunk, r = n % chunk;
  MPI_Datatype whole = MPI_DATATYPE_NULL, rest = MPI_DATATYPE_NULL;
  MPI_Type_contiguous(static_cast<int>(chunk), elem, &whole);
  MPI_Aint lb = 0, extent = 0;
  MPI_Type_get_extent(elem, &lb, &extent);
  if (r == 0) {
    MPI_Type_contiguous(static_cast<int>(q), whole, &type_);
  } else {
    MPI_Type_contiguous(static_cast<int>(r), elem, &rest);
    const int lens[2] = {static_cast<int>(q), 1};
    const MPI_Aint displs[2] = {0, static_cast<MPI_Aint>(q * chunk) * extent};
    const MPI_Datatype types[2] = {whole, rest};
    MPI_Type_create_struct(2, lens, displs, types, &type_);
    MPI_Type_free(&rest);
  }
  MPI_Type_free(&whole);
  MPI_Type_commit(&type_);
  count_ = 1;
  owned_ = true;
}

}  // namespace dist::detail
