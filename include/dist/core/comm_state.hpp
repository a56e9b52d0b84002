// What dist keeps with a communicator (an MPI attribute, so copies of a
// Boost.MPI communicator and the raw MPI_Comm share it): the rounds of
// sparse notification so far, and the grid-line communicators split from
// it. Freed when the communicator is freed, or at the start of
// MPI_Finalize for those still alive (MPI_COMM_WORLD). A duplicate starts
// empty. Every rank of a communicator changes its state in the same
// collective calls, so lookups hit or miss alike on every rank.
#pragma once

#include <mpi.h>

#include <map>
#include <set>
#include <vector>

#include "communicator.hpp"
#include "finalize.hpp"

namespace dist::detail {

struct comm_state {
  unsigned notify_rounds = 0;
  std::map<std::vector<int>, MPI_Comm> lines;  // split_once's results by key

  void free_lines() {
    for (auto& [k, c] : lines) MPI_Comm_free(&c);
    lines.clear();
  }
  // the states still alive (their communicators not freed): freed before MPI_Finalize
  static std::set<comm_state*>& alive() {
    static std::set<comm_state*> s;
    return s;
  }
};

/// dist's state kept with communicator `c`, made on first use. Local.
inline comm_state& state_of(MPI_Comm c) {
  static const int keyval = [] {
    int k = MPI_KEYVAL_INVALID;
    const auto del = [](MPI_Comm, int, void* v, void*) {  // c is being freed
      auto* s = static_cast<comm_state*>(v);
      if (comm_state::alive().erase(s)) s->free_lines();
      delete s;
      return MPI_SUCCESS;
    };
    check_mpi(MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, +del, &k, nullptr), "MPI_Comm_create_keyval");
    on_finalize([] {  // communicators never freed: their lines go before MPI does
      for (comm_state* s : comm_state::alive()) s->free_lines();
      comm_state::alive().clear();
    });
    return k;
  }();
  void* v = nullptr;
  int found = 0;
  check_mpi(MPI_Comm_get_attr(c, keyval, &v, &found), "MPI_Comm_get_attr");
  if (found) return *static_cast<comm_state*>(v);
  auto* s = new comm_state;
  check_mpi(MPI_Comm_set_attr(c, keyval, s), "MPI_Comm_set_attr");
  comm_state::alive().insert(s);
  return *s;
}

/// MPI_Comm_split(c, color, order) on the first call for `key` on c, the
/// result kept with c afterwards (freed with it, or at MPI_Finalize), so a
/// loop of matmuls or scans splits once (MPI_Comm_split is O(P) inside
/// MPI). Owned by c: do not free. Collective over c on first use (every
/// rank passes the same key; color and order are its own).
inline MPI_Comm split_once(MPI_Comm c, std::vector<int> key, int color, int order) {
  comm_state& st = state_of(c);
  if (auto it = st.lines.find(key); it != st.lines.end()) return it->second;
  MPI_Comm line = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split(c, color, order, &line), "MPI_Comm_split");
  st.lines.emplace(std::move(key), line);
  return line;
}

}  // namespace dist::detail
