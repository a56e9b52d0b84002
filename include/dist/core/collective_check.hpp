// DIST_CHECK_COLLECTIVES: verify that all ranks entered the same collective
// with the same global arguments, and fail on every rank instead of hanging.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "communicator.hpp"

namespace dist {
namespace detail {

#ifdef DIST_CHECK_COLLECTIVES
inline constexpr bool check_collectives = true;
#else
inline constexpr bool check_collectives = false;
#endif

/// FNV-1a hash of the global arguments of a collective call.
class arg_hash {
 public:
  arg_hash& bytes(const void* p, std::size_t n) noexcept {
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) h_ = (h_ ^ b[i]) * 1099511628211ull;
    return *this;
  }
  template <class T>
    requires std::is_arithmetic_v<T> || std::is_enum_v<T>
  arg_hash& add(T v) noexcept { return bytes(&v, sizeof v); }
  arg_hash& add(std::string_view s) noexcept { return add(s.size()).bytes(s.data(), s.size()); }
  template <class T, std::size_t N>
  arg_hash& add(const std::array<T, N>& a) noexcept {
    for (const auto& v : a) add(v);
    return *this;
  }
  template <class T>
  arg_hash& add(const std::vector<T>& a) noexcept {
    add(a.size());
    for (const auto& v : a) add(v);
    return *this;
  }
  /// Anything with a `signature()` (e.g. a distribution) hashes by it.
  template <class T>
    requires requires(const T& t) { { t.signature() } -> std::convertible_to<std::uint64_t>; }
  arg_hash& add(const T& t) noexcept { return add(static_cast<std::uint64_t>(t.signature())); }
  std::uint64_t value() const noexcept { return h_; }

 private:
  std::uint64_t h_ = 14695981039346656037ull;
};

/// Called first by every collective entry point. With DIST_CHECK_COLLECTIVES
/// defined, one allreduce checks that all ranks of `c` called operation `op`
/// with equal global `args`; otherwise every rank throws mpi_error naming `op`.
/// Without the macro it does nothing. Collective (when enabled).
template <class... Args>
void collective_entry(const communicator& c, std::string_view op, const Args&... args) {
  if constexpr (check_collectives) {
    arg_hash h;
    h.add(op);
    (h.add(args), ...);
    std::uint64_t v[2] = {h.value(), ~h.value()};
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_UINT64_T, MPI_MIN, c), "MPI_Allreduce");
    if (v[0] != h.value() || v[1] != ~h.value())
      throw mpi_error(std::string(op) +
                      ": collective mismatch (DIST_CHECK_COLLECTIVES): this rank called " + std::string(op) +
                      " but another rank of the communicator (size " + std::to_string(c.size()) +
                      ") called a different collective or passed different global arguments");
  } else {
    (void)c;
    (void)op;
    ((void)args, ...);
  }
}

}  // namespace detail
}  // namespace dist
