// dist::communicator, comm_ref (accepts MPI_Comm too), and typed MPI helpers.
#pragma once

#include <mpi.h>

#include <boost/mpi/communicator.hpp>
#include <climits>
#include <complex>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "error.hpp"
#include "large_count.hpp"
#include "types.hpp"

namespace dist {

/// The communicator type of dist: Boost.MPI's.
using communicator = boost::mpi::communicator;

/// A function parameter that accepts a dist::communicator or a raw MPI_Comm
/// (which is attached, not duplicated or freed).
class comm_ref {
 public:
  comm_ref(const communicator& c) : c_(c) {}                     // NOLINT: implicit by design
  comm_ref(MPI_Comm c) : c_(c, boost::mpi::comm_attach) {}       // NOLINT: implicit by design
  const communicator& get() const noexcept { return c_; }
  operator const communicator&() const noexcept { return c_; }  // NOLINT

 private:
  communicator c_;
};

namespace detail {

/// Throws mpi_error naming the MPI function when `rc` is not MPI_SUCCESS.
inline void check_mpi(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  throw mpi_error(std::string(what) + " failed: " + std::string(msg, static_cast<std::size_t>(len)));
}

/// An element count as the `int` MPI takes, or mpi_error naming the operation.
inline int mpi_count(index_t n, std::string_view op) {
  if (n < 0 || n > INT_MAX)
    throw mpi_error(std::string(op) + ": count " + std::to_string(n) +
                    " does not fit MPI's int counts; split the array or use more ranks");
  return static_cast<int>(n);
}

/// The MPI datatype of T: the predefined type for arithmetic, bool and complex
/// types, else a contiguous block of sizeof(T) bytes (created once).
template <class T>
MPI_Datatype mpi_type() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, bool>) return MPI_CXX_BOOL;
  else if constexpr (std::is_same_v<U, char>) return MPI_CHAR;
  else if constexpr (std::is_same_v<U, signed char>) return MPI_SIGNED_CHAR;
  else if constexpr (std::is_same_v<U, unsigned char>) return MPI_UNSIGNED_CHAR;
  else if constexpr (std::is_same_v<U, short>) return MPI_SHORT;
  else if constexpr (std::is_same_v<U, unsigned short>) return MPI_UNSIGNED_SHORT;
  else if constexpr (std::is_same_v<U, int>) return MPI_INT;
  else if constexpr (std::is_same_v<U, unsigned>) return MPI_UNSIGNED;
  else if constexpr (std::is_same_v<U, long>) return MPI_LONG;
  else if constexpr (std::is_same_v<U, unsigned long>) return MPI_UNSIGNED_LONG;
  else if constexpr (std::is_same_v<U, long long>) return MPI_LONG_LONG;
  else if constexpr (std::is_same_v<U, unsigned long long>) return MPI_UNSIGNED_LONG_LONG;
  else if constexpr (std::is_same_v<U, float>) return MPI_FLOAT;
  else if constexpr (std::is_same_v<U, double>) return MPI_DOUBLE;
  else if constexpr (std::is_same_v<U, long double>) return MPI_LONG_DOUBLE;
  else if constexpr (std::is_same_v<U, std::complex<float>>) return MPI_CXX_FLOAT_COMPLEX;
  else if constexpr (std::is_same_v<U, std::complex<double>>) return MPI_CXX_DOUBLE_COMPLEX;
  else if constexpr (std::is_same_v<U, std::complex<long double>>) return MPI_CXX_LONG_DOUBLE_COMPLEX;
  else {
    static_assert(std::is_trivially_copyable_v<U>, "dist moves elements as bytes: T must be trivially copyable");
    static const MPI_Datatype t = [] {
      MPI_Datatype d;
      MPI_Type_contiguous(static_cast<int>(sizeof(U)), MPI_BYTE, &d);
      MPI_Type_commit(&d);
      return d;
    }();
    return t;
  }
}

/// Exclusive prefix sums of `counts` as MPI displacements (checked to fit int).
inline std::vector<int> displacements(const std::vector<int>& counts, std::string_view op) {
  std::vector<int> displs(counts.size());
  index_t acc = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    displs[i] = mpi_count(acc, op);
    acc += counts[i];
  }
  mpi_count(acc, op);
  return displs;
}

/// True when `a` and `b` hold the same ranks (in any order). Local.
inline bool same_ranks(const communicator& a, const communicator& b) {
  int cmp = MPI_UNEQUAL;
  check_mpi(MPI_Comm_compare(a, b, &cmp), "MPI_Comm_compare");
  return cmp != MPI_UNEQUAL;
}

/// shape_error naming `op` unless `a` and `b` hold the same ranks (an
/// operand, source or target on other ranks). Local.
inline void require_same_ranks(const communicator& a, const communicator& b, const std::string& op) {
  if (!same_ranks(a, b))
    throw shape_error(op + ": the communicators hold different sets of ranks (an operand, source or target lives on other ranks)");
}

/// Allreduce of one value in place. Collective.
template <class T>
T allreduce(const communicator& c, T v, MPI_Op op) {
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, &v, 1, mpi_type<T>(), op, c), "MPI_Allreduce");
  return v;
}

/// True on every rank when `flag` is true on any rank. Collective.
inline bool any_rank(const communicator& c, bool flag) {
  return allreduce<int>(c, flag ? 1 : 0, MPI_MAX) != 0;
}

}  // namespace detail
}  // namespace dist
