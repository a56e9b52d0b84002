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

#include "linkage.hpp"
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
DIST_INLINE void check_mpi(int rc, const char* what);

/// An element count as the `int` MPI takes, or mpi_error naming the operation.
DIST_INLINE int mpi_count(index_t n, std::string_view op);

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
DIST_INLINE std::vector<int> displacements(const std::vector<int>& counts, std::string_view op);

/// True when `a` and `b` hold the same ranks (in any order). Local.
DIST_INLINE bool same_ranks(const communicator& a, const communicator& b);

/// shape_error naming `op` unless `a` and `b` hold the same ranks (an
/// operand, source or target on other ranks). Local.
DIST_INLINE void require_same_ranks(const communicator& a, const communicator& b, const std::string& op);

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

#if DIST_INLINE_DEFINITIONS
#include "communicator-inl.hpp"
#endif
