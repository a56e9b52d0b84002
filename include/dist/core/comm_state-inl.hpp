// The definitions of <dist/core/comm_state.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include <set>

#include "comm_state.hpp"

namespace dist::detail {

DIST_INLINE void comm_state::free_lines() {
  for (auto& [k, c] : lines) MPI_Comm_free(&c);
  lines.clear();
}

// the states still alive (their communicators not freed): freed before MPI_Finalize
DIST_INLINE std::set<comm_state*>& live_states() {
  static std::set<comm_state*> s;
  return s;
}

DIST_INLINE comm_state& state_of(MPI_Comm c) {
  static const int keyval = [] {
    int k = MPI_KEYVAL_INVALID;
    const auto del = [](MPI_Comm, int, void* v, void*) {  // c is being freed
      auto* s = static_cast<comm_state*>(v);
      if (live_states().erase(s)) s->free_lines();
      delete s;
      return MPI_SUCCESS;
    };
    check_mpi(MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, +del, &k, nullptr), "MPI_Comm_create_keyval");
    on_finalize([] {  // communicators never freed: their lines go before MPI does
      for (comm_state* s : live_states()) s->free_lines();
      live_states().clear();
    });
    return k;
  }();
  void* v = nullptr;
  int found = 0;
  check_mpi(MPI_Comm_get_attr(c, keyval, &v, &found), "MPI_Comm_get_attr");
  if (found) return *static_cast<comm_state*>(v);
  auto* s = new comm_state;
  check_mpi(MPI_Comm_set_attr(c, keyval, s), "MPI_Comm_set_attr");
  live_states().insert(s);
  return *s;
}

DIST_INLINE MPI_Comm split_once(MPI_Comm c, std::vector<int> key, int color, int order) {
  comm_state& st = state_of(c);
  if (auto it = st.lines.find(key); it != st.lines.end()) return it->second;
  MPI_Comm line = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split(c, color, order, &line), "MPI_Comm_split");
  st.lines.emplace(std::move(key), line);
  return line;
}

}  // namespace dist::detail
