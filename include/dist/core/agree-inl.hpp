// The definitions of <dist/core/agree.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "agree.hpp"

namespace dist::detail {

DIST_INLINE failure run_check_erased(void (*check)(void*), void* ctx) noexcept {
  try {
    check(ctx);
  } catch (const shape_error& e) {
    return {1, e.what()};
  } catch (const distribution_error& e) {
    return {2, e.what()};
  } catch (const index_error& e) {
    return {3, e.what()};
  } catch (const io_error& e) {
    return {4, e.what()};
  } catch (const mpi_error& e) {
    return {5, e.what()};
  } catch (const std::exception& e) {
    return {6, e.what()};
  } catch (...) {
    return {6, "an exception that is not a std::exception"};
  }
  return {};
}

DIST_INLINE std::string describe(std::string_view s) {
  std::string r(1, '\'');
  r.append(s);
  r.push_back('\'');
  return r;
}

[[noreturn]] DIST_INLINE void throw_failure_of(const communicator& c, int first, failure f) {
  long long hdr[2] = {f.kind, static_cast<long long>(f.msg.size())};
  check_mpi(MPI_Bcast(hdr, 2, MPI_LONG_LONG, first, c), "MPI_Bcast");
  f.msg.resize(static_cast<std::size_t>(hdr[1]));
  check_mpi(MPI_Bcast(f.msg.data(), static_cast<int>(hdr[1]), MPI_CHAR, first, c), "MPI_Bcast");
  if (c.size() > 1) f.msg += " (on rank " + std::to_string(first) + ")";
  switch (hdr[0]) {
    case 1: throw shape_error(f.msg);
    case 2: throw distribution_error(f.msg);
    case 3: throw index_error(f.msg);
    case 4: throw io_error(f.msg);
    case 5: throw mpi_error(f.msg);
    default: throw error(f.msg);
  }
}

DIST_INLINE std::size_t agreement_allreduce(const communicator& c, std::string_view op, std::span<std::uint64_t> extra,
                                       failure f, std::span<const std::uint64_t> h) {
  if (extra.size() > max_agreed_extras) throw mpi_error(std::string(op) + ": too many values for one agreement");
  // [0] lowest failing rank, then (hash, ~hash) of the operation and each argument, then the extras
  std::array<std::uint64_t, agreement_words> v;
  v.fill(UINT64_MAX);
  v[0] = f.kind ? static_cast<std::uint64_t>(c.rank()) : UINT64_MAX;
  for (std::size_t i = 0; i < h.size(); ++i) v[1 + 2 * i] = h[i], v[2 + 2 * i] = ~h[i];
  constexpr std::size_t x0 = 3 + 2 * max_agreed_args;
  for (std::size_t j = 0; j < extra.size(); ++j) v[x0 + j] = extra[j];
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, v.data(), static_cast<int>(v.size()), MPI_UINT64_T, MPI_MIN, c), "MPI_Allreduce");
  for (std::size_t j = 0; j < extra.size(); ++j) extra[j] = v[x0 + j];
  const auto differs = [&](std::size_t i) { return v[1 + 2 * i] != h[i] || v[2 + 2 * i] != ~h[i]; };
  bool other_args = false;  // a rank with more arguments (another operation) left words set
  for (std::size_t i = h.size(); i < max_agreed_args + 1; ++i) other_args = other_args || v[1 + 2 * i] != UINT64_MAX || v[2 + 2 * i] != UINT64_MAX;
  if (differs(0) || other_args)
    throw mpi_error(std::string(op) + ": collective mismatch: this rank called " + std::string(op) +
                    " while another rank of the communicator (size " + std::to_string(c.size()) +
                    ") called a different collective");
  if (v[0] != UINT64_MAX) throw_failure_of(c, static_cast<int>(v[0]), std::move(f));
  for (std::size_t i = 1; i < h.size(); ++i)
    if (differs(i)) return i;
  return 0;
}

[[noreturn]] DIST_INLINE void throw_argument_mismatch(std::string_view op, const char* name, const std::string& mine) {
  throw mpi_error(std::string(op) + ": collective mismatch: the ranks passed different " + name + " (this rank: " + mine +
                  "); a collective needs the same global arguments on every rank");
}

}  // namespace dist::detail
