// Counts past MPI's int: the one place dist turns a 64-bit element count
// into what an MPI call takes. Two forms:
//   big_count(n, elem): (count, datatype) for calls that move data without
//     an operation (send, receive, broadcast, file reads and writes, RMA):
//     n <= INT_MAX is (n, elem); above, one derived datatype covering all n
//     elements (whole chunks of 2^30 elements and a remainder), count 1.
//   for_each_chunk(n, f): calls f(offset, int count) over pieces of at most
//     INT_MAX elements, for calls with an operation (MPI_Allreduce,
//     MPI_Exscan), which predefined operations refuse on derived datatypes.
// MPI-4's large-count (_c) functions would do the same where the library has
// them; derived datatypes work with every MPI-3 library.
#pragma once

#include <mpi.h>

#include <climits>
#include <cstdint>

#include "linkage.hpp"
#include "types.hpp"

namespace dist::detail {

/// `n` elements of `elem` as an MPI (count, datatype) pair; see the file
/// comment. Owns the derived datatype it makes. Local.
class big_count {
 public:
  /// Elements per chunk of the derived datatype.
  static constexpr index_t chunk = index_t{1} << 30;

  DIST_INLINE big_count(index_t n, MPI_Datatype elem);
  big_count(const big_count&) = delete;
  big_count& operator=(const big_count&) = delete;
  ~big_count() {
    if (owned_) MPI_Type_free(&type_);
  }
  int count() const noexcept { return count_; }
  MPI_Datatype type() const noexcept { return type_; }

 private:
  int count_ = 0;
  MPI_Datatype type_ = MPI_DATATYPE_NULL;
  bool owned_ = false;
};

/// Calls f(offset, count) for consecutive pieces of [0, n) of at most
/// INT_MAX elements (none when n is 0). Local.
template <class F>
void for_each_chunk(index_t n, F&& f) {
  for (index_t off = 0; off < n; off += INT_MAX) f(off, static_cast<int>(n - off < INT_MAX ? n - off : INT_MAX));
}

}  // namespace dist::detail

#if DIST_INLINE_DEFINITIONS
#include "large_count-inl.hpp"
#endif
