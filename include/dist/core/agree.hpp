// agree_on_errors: run a local validation on every rank and, if it threw on
// any rank, throw the same exception (type and message) on all of them.
#pragma once

#include <climits>
#include <exception>
#include <string>
#include <vector>

#include "communicator.hpp"
#include "error.hpp"

namespace dist::detail {

/// Runs `validate()` on every rank of `c`. If it throws on one or more ranks,
/// every rank throws the exception of the lowest failing rank (same dist
/// error type, same message, plus "(on rank r)"). Costs one allreduce when
/// all is well. Collective.
template <class F>
void agree_on_errors(const communicator& c, F&& validate) {
  int kind = 0;
  std::string msg;
  try {
    validate();
  } catch (const shape_error& e) {
    kind = 1, msg = e.what();
  } catch (const distribution_error& e) {
    kind = 2, msg = e.what();
  } catch (const index_error& e) {
    kind = 3, msg = e.what();
  } catch (const io_error& e) {
    kind = 4, msg = e.what();
  } catch (const mpi_error& e) {
    kind = 5, msg = e.what();
  } catch (const std::exception& e) {
    kind = 6, msg = e.what();
  }
  const int first = allreduce<int>(c, kind ? c.rank() : INT_MAX, MPI_MIN);
  if (first == INT_MAX) return;
  long long hdr[2] = {kind, static_cast<long long>(msg.size())};
  check_mpi(MPI_Bcast(hdr, 2, MPI_LONG_LONG, first, c), "MPI_Bcast");
  msg.resize(static_cast<std::size_t>(hdr[1]));
  check_mpi(MPI_Bcast(msg.data(), static_cast<int>(hdr[1]), MPI_CHAR, first, c), "MPI_Bcast");
  if (c.size() > 1) msg += " (on rank " + std::to_string(first) + ")";
  switch (hdr[0]) {
    case 1: throw shape_error(msg);
    case 2: throw distribution_error(msg);
    case 3: throw index_error(msg);
    case 4: throw io_error(msg);
    case 5: throw mpi_error(msg);
    default: throw error(msg);
  }
}

}  // namespace dist::detail
