// Sparse notification: every rank tells a few ranks something small, and
// each learns who told it what, without any rank holding an array of P
// entries. The non-blocking consensus of Hoefler, Siebert and Lumsdaine
// ("Scalable communication protocols for dynamic sparse data exchange",
// PPoPP 2010): synchronous sends, receive whatever arrives, and once my
// sends are matched enter a non-blocking barrier; when the barrier
// completes every message has been received. O(targets + senders + log P)
// per rank, where MPI_Alltoall of counts or MPI_Allgather of the
// information would be O(P).
// Users' reference: docs/api.md (Selection, sorting and counting: costs).
#pragma once

#include <mpi.h>

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "../core/comm_state.hpp"
#include "../core/communicator.hpp"

namespace dist::detail {

/// (rank, message) pairs: whom a sparse notification tells what, or who told me what.
template <std::size_t K>
using notes = std::vector<std::pair<int, std::array<index_t, K>>>;

/// Sends each message of `out` to its rank (distinct ranks of `c`, myself
/// included or not) and returns what every rank that named me sent, as
/// (source rank, message), by increasing source. Messages to myself are
/// delivered without MPI. Collective over `c` (every rank calls it, with
/// or without messages); its cost follows the messages, not P.
template <std::size_t K>
notes<K> notify(const communicator& c, const notes<K>& out) {
  using message = std::array<index_t, K>;
  const int me = c.rank();
  // consecutive rounds on c alternate tags: a rank still finishing one round
  // (its barrier complete, not yet seen) must not take the next round's message
  const int tag = 0x646e + static_cast<int>(state_of(c).notify_rounds++ % 2);
  notes<K> got;
  std::vector<MPI_Request> sends;
  sends.reserve(out.size());
  for (const auto& [r, msg] : out) {
    if (r == me) {
      got.emplace_back(me, msg);
      continue;
    }
    sends.emplace_back();
    check_mpi(MPI_Issend(msg.data(), static_cast<int>(K), MPI_INT64_T, r, tag, c, &sends.back()), "MPI_Issend");
  }
  MPI_Request barrier = MPI_REQUEST_NULL;
  bool in_barrier = false;
  for (;;) {
    int flag = 0;
    MPI_Status status;
    check_mpi(MPI_Iprobe(MPI_ANY_SOURCE, tag, c, &flag, &status), "MPI_Iprobe");
    if (flag) {
      message m;
      check_mpi(MPI_Recv(m.data(), static_cast<int>(K), MPI_INT64_T, status.MPI_SOURCE, tag, c, MPI_STATUS_IGNORE), "MPI_Recv");
      got.emplace_back(status.MPI_SOURCE, m);
      continue;
    }
    if (in_barrier) {
      check_mpi(MPI_Test(&barrier, &flag, MPI_STATUS_IGNORE), "MPI_Test");
      if (flag) break;
    } else {
      check_mpi(MPI_Testall(static_cast<int>(sends.size()), sends.data(), &flag, MPI_STATUSES_IGNORE), "MPI_Testall");
      if (flag) {  // my messages are all matched: say so
        check_mpi(MPI_Ibarrier(c, &barrier), "MPI_Ibarrier");
        in_barrier = true;
      }
    }
  }
  std::sort(got.begin(), got.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return got;
}

}  // namespace dist::detail
