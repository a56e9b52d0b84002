// Halo exchange: fill an array's ghost layers from the
// neighbouring blocks, point-to-point, every neighbour in one round: faces,
// and for ghosts on several dims the edges and corners too (9- and 27-point
// stencils) as messages of their own, so the whole exchange can overlap
// with work. A slab that is contiguous in memory (whole rows of a row-block
// array) is sent and received in place; others are packed.
// Users' reference: docs/api.md (Redistribution and halos), docs/performance.md.
#pragma once

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "../core/linkage.hpp"
#include "../array/array.hpp"
#include "../core/collective_check.hpp"
#include "../core/communicator.hpp"

namespace dist {
namespace detail {

/// Which ghosts to fill: lo[d] layers below the block and hi[d] above it
/// along dim d (each at most the array's ghost width there).
template <std::size_t N>
struct ghost_request {
  std::array<index_t, N> lo{}, hi{};
  bool empty() const noexcept {
    for (std::size_t d = 0; d < N; ++d)
      if (lo[d] || hi[d]) return false;
    return true;
  }
  /// True when every layer `o` asks for is asked for here too.
  bool covers(const ghost_request& o) const noexcept {
    for (std::size_t d = 0; d < N; ++d)
      if (o.lo[d] > lo[d] || o.hi[d] > hi[d]) return false;
    return true;
  }
};

/// A box of the padded block: first element `at` (padded coordinates), extents `ext`.
template <std::size_t N>
struct ghost_box {
  index<N> at{};
  shape<N> ext{};
};

/// A received ghost box that arrived packed: its buffer (an index into the
/// exchange's buffers) and where it goes.
template <std::size_t N>
struct halo_unpack {
  std::size_t buf;
  ghost_box<N> box;
};

/// One dim's share of a ghost box: along the dim, `len` elements at padded
/// position `at` here, exchanged with grid coordinate `coord`.
struct halo_piece {
  int coord;
  index_t at, len;
};

/// The coordinates one side of a dim exchanges with in a halo exchange,
/// and where: `m` the dim's map, `g` its ghost width, `w` the layers asked
/// for on that side, `wrap` periodic. side -1: the lower ghosts, +1: the
/// upper ones, 0: the block itself (same coordinate). Receiving (`recv`):
/// who owns the elements my ghosts on that side show. Sending: whose
/// ghosts on that side show my elements. Blocks may be empty or narrower
/// than the width, so a side may span several coordinates; periodic dims
/// wrap. Each coordinate appears at most once per side. O(log p + pieces),
/// no MPI (tests and benchmarks plan for simulated ranks). Pure.
DIST_INLINE std::vector<halo_piece> halo_pieces(const dim_map& m, index_t g, index_t w, bool wrap, int side, bool recv);

/// Every message of one halo exchange, faces, edges and corners (the 3^N - 1
/// directions whose widths are asked for), without MPI: the ghosts at side
/// `dir` come from the coordinates owning what they show, and my elements go
/// to the coordinates whose ghosts at side `dir` show them. For each message
/// calls `f(recv, coords, box, tag)`: grid coordinates of the peer, the box
/// of my padded block received into or sent from (empty boxes included), and
/// the tag, the receiver's direction, which makes (peer, tag) unique.
/// `maps[d]`, `ghost[d]`, `periodic[d]` describe dim d; `req` the layers
/// asked for. O(N 3^N + messages + log p). Pure (tests and benchmarks plan
/// for simulated ranks).
template <std::size_t N, class F>
void halo_messages(const std::array<const dim_map*, N>& maps, const std::array<index_t, N>& ghost,
                   const std::array<bool, N>& periodic, const ghost_request<N>& req, F&& f) {
  // the pieces of each (dim, side, receiving or sending), once: directions share them
  std::array<std::array<std::array<std::vector<halo_piece>, 2>, 3>, N> sides;
  for (std::size_t d = 0; d < N; ++d)
    for (int side = -1; side <= 1; ++side)
      for (const bool recv : {true, false})
        sides[d][static_cast<std::size_t>(side + 1)][recv] =
            halo_pieces(*maps[d], ghost[d], side < 0 ? req.lo[d] : req.hi[d], periodic[d], side, recv);
  std::array<std::size_t, N> dir{};  // side + 1 per dim, last dim fastest
  int tag = 0;
  do {
    const bool self = std::all_of(dir.begin(), dir.end(), [](std::size_t x) { return x == 1; });
    for (const bool recv : {true, false}) {
      std::array<const std::vector<halo_piece>*, N> per;
      bool any = !self;
      for (std::size_t d = 0; d < N && any; ++d) {
        per[d] = &sides[d][dir[d]][recv];
        any = !per[d]->empty();
      }
      if (!any) continue;
      // every combination of one piece per dim: one peer, one box
      std::array<std::size_t, N> k{};
      do {
        std::array<int, N> pc;
        ghost_box<N> box;
        for (std::size_t d = 0; d < N; ++d) {
          const halo_piece& x = (*per[d])[k[d]];
          pc[d] = x.coord;
          box.at[d] = x.at;
          box.ext[d] = x.len;
        }
        f(recv, pc, box, tag);
      } while (next_index(k, [&](std::size_t d) { return per[d]->size(); }));
    }
    ++tag;
  } while (next_index(dir, [](std::size_t) { return std::size_t{3}; }));
}

}  // namespace detail

/// A halo exchange in flight (from array::start_halo_exchange or the
/// evaluator's stencil path). wait() finishes it; until then the array's
/// block must not be written. Destroying an unfinished exchange waits.
/// (The members are defined below the class, so that separate compilation
/// compiles them once per element type and rank.)
template <class T, std::size_t N>
class halo_exchange {
 public:
  /// Posts every message of the exchange at once. Collective.
  halo_exchange(array<T, N>& a, const detail::ghost_request<N>& req);
  halo_exchange(halo_exchange&& o) noexcept;
  halo_exchange& operator=(halo_exchange&&) = delete;
  halo_exchange(const halo_exchange&) = delete;
  ~halo_exchange();

  /// Finishes the exchange. Collective.
  void wait();
  bool done() const noexcept { return !posted_; }

 private:
  T* contiguous(const detail::ghost_box<N>& b) const;
  T* at(const detail::ghost_box<N>& b) const;
  void post();
  void post_one(bool recv, int peer, const detail::ghost_box<N>& b, int tag, const communicator& c, MPI_Datatype type);
  void finish();

  array<T, N>* a_;
  detail::ghost_request<N> req_;
  std::vector<MPI_Request> reqs_;
  std::vector<detail::buffer<T>> bufs_;
  std::vector<detail::halo_unpack<N>> unpack_;
  bool posted_ = false;
};

template <class T, std::size_t N>
halo_exchange<T, N>::halo_exchange(array<T, N>& a, const detail::ghost_request<N>& req) : a_(&a), req_(req) {
  // collective: started by start_halo_exchange (collective_entry) or the evaluator's stencil path
  for (std::size_t d = 0; d < N; ++d)
    if (req_.lo[d] > a.ghost_width(d) || req_.hi[d] > a.ghost_width(d))
      throw distribution_error("dist::array::exchange_halo: the exchange asks for more ghost layers along dim " + std::to_string(d) +
                               " than the array has");
  post();
}

template <class T, std::size_t N>
halo_exchange<T, N>::halo_exchange(halo_exchange&& o) noexcept
    : a_(o.a_), req_(o.req_), reqs_(std::move(o.reqs_)), bufs_(std::move(o.bufs_)), unpack_(std::move(o.unpack_)),
      posted_(o.posted_) {
  o.posted_ = false;
}

template <class T, std::size_t N>
halo_exchange<T, N>::~halo_exchange() {
  try {
    wait();
  } catch (...) {  // a destructor must not throw; the MPI error handler has reported it
  }
}

template <class T, std::size_t N>
void halo_exchange<T, N>::wait() {  // collective: completes what post() started
  if (posted_) finish();
}

// When the box is one contiguous run of the padded block: its first element.
template <class T, std::size_t N>
T* halo_exchange<T, N>::contiguous(const detail::ghost_box<N>& b) const {
  const auto ps = detail::storage::padded_shape(*a_);
  std::size_t k = 0;
  while (k + 1 < N && b.ext[k] == 1) ++k;
  for (std::size_t e = k + 1; e < N; ++e)
    if (b.at[e] != 0 || b.ext[e] != ps[e]) return nullptr;
  return at(b);
}

template <class T, std::size_t N>
T* halo_exchange<T, N>::at(const detail::ghost_box<N>& b) const {
  const auto st = detail::storage::strides(*a_);
  T* p = detail::storage::padded_base(*a_);
  for (std::size_t e = 0; e < N; ++e) p += b.at[e] * st[e];
  return p;
}

// Every message at once (detail::halo_messages), so all of it can
// overlap with work: a corner is a small message of its own instead of a
// second round along the next dim.
template <class T, std::size_t N>
void halo_exchange<T, N>::post() {
  const communicator& c = a_->comm();
  const auto& dist = a_->distribution();
  const MPI_Datatype type = detail::mpi_type<T>();
  std::array<const dim_map*, N> maps;
  std::array<index_t, N> ghost;
  std::array<bool, N> periodic;
  for (std::size_t d = 0; d < N; ++d) {
    maps[d] = &dist.map(d);
    ghost[d] = a_->ghost_width(d);
    periodic[d] = a_->periodic(d);
  }
  detail::halo_messages<N>(maps, ghost, periodic, req_, [&](bool recv, const std::array<int, N>& pc, const detail::ghost_box<N>& box, int tag) {
    post_one(recv, dist.grid_rank(pc), box, tag, c, type);
  });
  posted_ = true;
}

// Receives box b (of the padded block) from `peer`, or sends it there;
// empty boxes are skipped.
template <class T, std::size_t N>
void halo_exchange<T, N>::post_one(bool recv, int peer, const detail::ghost_box<N>& b, int tag, const communicator& c,
                                   MPI_Datatype type) {
  const index_t n = detail::product(b.ext);
  if (n == 0) return;
  MPI_Request r;
  const detail::big_count count(n, type);  // (MPI keeps a derived type until the message is done)
  T* p = contiguous(b);
  if (recv) {
    if (!p) {
      bufs_.emplace_back(static_cast<std::size_t>(n));
      unpack_.push_back({bufs_.size() - 1, b});
      p = bufs_.back().data();
    }
    detail::check_mpi(MPI_Irecv(p, count.count(), count.type(), peer, tag, c, &r), "MPI_Irecv");
  } else {
    if (!p) {
      bufs_.emplace_back(static_cast<std::size_t>(n));
      detail::copy_strided(at(b), detail::storage::strides(*a_), bufs_.back().data(), detail::row_major_strides(b.ext), b.ext);
      p = bufs_.back().data();
    }
    detail::check_mpi(MPI_Isend(p, count.count(), count.type(), peer, tag, c, &r), "MPI_Isend");
  }
  reqs_.push_back(r);
}

template <class T, std::size_t N>
void halo_exchange<T, N>::finish() {
  detail::check_mpi(MPI_Waitall(static_cast<int>(reqs_.size()), reqs_.data(), MPI_STATUSES_IGNORE), "MPI_Waitall");
  for (const auto& u : unpack_)
    detail::copy_strided(bufs_[u.buf].data(), detail::row_major_strides(u.box.ext), at(u.box), detail::storage::strides(*a_),
                         u.box.ext);
  reqs_.clear();
  unpack_.clear();
  posted_ = false;
}

template <element T, std::size_t N>
void array<T, N>::exchange_halo() {
  start_halo_exchange().wait();  // collective: start_halo_exchange
}

template <element T, std::size_t N>
halo_exchange<T, N> array<T, N>::start_halo_exchange() {
  detail::collective_entry(comm(), "dist::array::start_halo_exchange", dist_, ghost_);
  detail::ghost_request<N> r;
  r.lo = ghost_;
  r.hi = ghost_;
  return halo_exchange<T, N>(*this, r);
}

}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "halo-inl.hpp"
#endif
