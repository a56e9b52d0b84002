// mru_cache<Entry>: the process-wide caches of plans and view layouts, one
// per entry type: the most recently used entries first, at most a fixed
// number kept, emptied at the start of MPI_Finalize (entries hold
// communicators). Callers key their entries so that hit or miss is decided
// alike on every rank (a miss usually builds a plan, a collective).
#pragma once

#include <cstddef>
#include <list>

#include "finalize.hpp"

namespace dist::detail {

template <class Entry>
class mru_cache {
 public:
  /// The process's cache of Entry values (its capacity fixed by the first call). Local.
  static mru_cache& instance(std::size_t capacity) {
    static mru_cache c(capacity);
    return c;
  }
  /// The first entry `hit` accepts, moved to the front; else make()'s
  /// result, kept in front (the least recently used dropped past the
  /// capacity). Collective when make() is.
  template <class Hit, class Make>
  const Entry& find_or_make(Hit&& hit, Make&& make) {
    for (auto it = items_.begin(); it != items_.end(); ++it)
      if (hit(static_cast<const Entry&>(*it))) {
        items_.splice(items_.begin(), items_, it);
        return items_.front();
      }
    items_.push_front(make());
    if (items_.size() > capacity_) items_.pop_back();
    return items_.front();
  }
  mru_cache(const mru_cache&) = delete;
  mru_cache& operator=(const mru_cache&) = delete;

 private:
  explicit mru_cache(std::size_t capacity) : capacity_(capacity) {
    on_finalize([this] { items_.clear(); });
  }
  std::list<Entry> items_;
  std::size_t capacity_;
};

}  // namespace dist::detail
