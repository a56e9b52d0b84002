// Halo exchange (SPEC section 7): fill an array's ghost layers from the
// neighbouring blocks, point-to-point, every neighbour in one round: faces,
// and for ghosts on several dims the edges and corners too (9- and 27-point
// stencils) as messages of their own, so the whole exchange can overlap
// with work. A slab that is contiguous in memory (whole rows of a row-block
// array) is sent and received in place; others are packed.
#pragma once

#include <array>
#include <vector>

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

}  // namespace detail

/// A halo exchange in flight (from array::start_halo_exchange or the
/// evaluator's stencil path). wait() finishes it; until then the array's
/// block must not be written. Destroying an unfinished exchange waits.
template <class T, std::size_t N>
class halo_exchange {
 public:
  /// Posts every message of the exchange at once. Collective.
  halo_exchange(array<T, N>& a, const detail::ghost_request<N>& req) : a_(&a), req_(req) {
    for (std::size_t d = 0; d < N; ++d)
      if (req_.lo[d] > a.ghost_width(d) || req_.hi[d] > a.ghost_width(d))
        throw distribution_error("dist: a halo exchange asks for more ghost layers along dim " + std::to_string(d) +
                                 " than the array has");
    post();
  }
  halo_exchange(halo_exchange&& o) noexcept
      : a_(o.a_), req_(o.req_), reqs_(std::move(o.reqs_)), bufs_(std::move(o.bufs_)), unpack_(std::move(o.unpack_)),
        posted_(o.posted_) {
    o.posted_ = false;
  }
  halo_exchange& operator=(halo_exchange&&) = delete;
  halo_exchange(const halo_exchange&) = delete;
  ~halo_exchange() {
    try {
      wait();
    } catch (...) {  // a destructor must not throw; the MPI error handler has reported it
    }
  }

  /// Finishes the exchange. Collective.
  void wait() {
    if (posted_) finish();
  }
  bool done() const noexcept { return !posted_; }

 private:
  struct unpack_job {
    std::size_t buf;
    detail::ghost_box<N> box;
  };

  // When the box is one contiguous run of the padded block: its first element.
  T* contiguous(const detail::ghost_box<N>& b) const {
    const auto ps = detail::storage::padded_shape(*a_);
    std::size_t k = 0;
    while (k + 1 < N && b.ext[k] == 1) ++k;
    for (std::size_t e = k + 1; e < N; ++e)
      if (b.at[e] != 0 || b.ext[e] != ps[e]) return nullptr;
    return at(b);
  }
  T* at(const detail::ghost_box<N>& b) const {
    const auto st = detail::storage::strides(*a_);
    T* p = detail::storage::data(*a_).data();
    for (std::size_t e = 0; e < N; ++e) p += b.at[e] * st[e];
    return p;
  }

  // The rank at grid offset `dir` (each -1, 0, +1) from mine, or MPI_PROC_NULL
  // past a non-periodic edge.
  int neighbour(const std::array<int, N>& dir) const {
    const auto& dist = a_->distribution();
    auto c = dist.grid_coords();
    for (std::size_t d = 0; d < N; ++d) {
      const int p = dist.grid()[d];
      int x = c[d] + dir[d];
      if (x < 0 || x >= p) {
        if (!a_->periodic(d)) return MPI_PROC_NULL;
        x = (x + p) % p;
      }
      c[d] = x;
    }
    return dist.grid_rank(c);
  }

  // Every neighbour at once, faces, edges and corners (3^N - 1 directions,
  // those whose ghost sides are asked for): the ghosts at side `dir` come
  // from the rank at offset dir, whose layers on side -dir travel. One
  // round, so all of it can overlap with work (a corner is a small message
  // of its own instead of a second round along the next dim).
  void post() {
    const communicator& c = a_->comm();
    const auto ls = a_->local_shape();
    const MPI_Datatype type = detail::mpi_type<T>();
    std::array<int, N> dir;
    dir.fill(-1);
    int tag = 0;
    do {
      const int my_tag = tag++;
      bool zero = true, wanted = true;
      detail::ghost_box<N> rb, sb;  // receive into my ghosts at side dir; send my layers at side dir
      for (std::size_t d = 0; d < N; ++d) {
        const index_t g = a_->ghost_width(d), n = ls[d];
        if (dir[d] == 0) {
          rb.at[d] = sb.at[d] = g;
          rb.ext[d] = sb.ext[d] = n;
          continue;
        }
        zero = false;
        // side -1: my lower ghosts (lo[d] wide) from below; my bottom hi[d] layers go down to fill its upper ghosts
        const index_t rw = dir[d] < 0 ? req_.lo[d] : req_.hi[d], sw = dir[d] < 0 ? req_.hi[d] : req_.lo[d];
        if (rw == 0 && sw == 0) wanted = false;
        rb.at[d] = dir[d] < 0 ? g - rw : g + n;
        rb.ext[d] = rw;
        sb.at[d] = dir[d] < 0 ? g : g + n - sw;
        sb.ext[d] = sw;
      }
      if (zero || !wanted) continue;
      // both legs go to the rank at offset dir; it sends what I receive with the tag of its
      // direction, -dir, whose number mirrors mine (tags are direction numbers 0 .. 3^N - 1)
      post_leg(neighbour(dir), rb, static_cast<int>(ipow3(N)) - 1 - my_tag, sb, my_tag, c, type);
    } while (next_direction(dir));
    posted_ = true;
  }

  static constexpr std::size_t ipow3(std::size_t k) { return k == 0 ? 1 : 3 * ipow3(k - 1); }
  static bool next_direction(std::array<int, N>& dir) {
    for (std::size_t d = N; d-- > 0;) {
      if (dir[d] < 1) {
        ++dir[d];
        return true;
      }
      dir[d] = -1;
    }
    return false;
  }

  // Receives into box rb from `peer` (tag rtag) and sends box sb to it (tag stag); empty boxes and
  // a missing neighbour (the ghosts keep what they hold) are skipped.
  void post_leg(int peer, const detail::ghost_box<N>& rb, int rtag, const detail::ghost_box<N>& sb, int stag,
                const communicator& c, MPI_Datatype type) {
    if (peer == MPI_PROC_NULL) return;
    MPI_Request r;
    const index_t rn = detail::product(rb.ext), sn = detail::product(sb.ext);
    if (rn > 0) {
      const int count = detail::mpi_count(rn, "dist: halo exchange");
      if (T* p = contiguous(rb)) {
        detail::check_mpi(MPI_Irecv(p, count, type, peer, rtag, c, &r), "MPI_Irecv");
      } else {
        bufs_.emplace_back(static_cast<std::size_t>(count));
        unpack_.push_back({bufs_.size() - 1, rb});
        detail::check_mpi(MPI_Irecv(bufs_.back().data(), count, type, peer, rtag, c, &r), "MPI_Irecv");
      }
      reqs_.push_back(r);
    }
    if (sn > 0) {
      const int count = detail::mpi_count(sn, "dist: halo exchange");
      if (T* p = contiguous(sb)) {
        detail::check_mpi(MPI_Isend(p, count, type, peer, stag, c, &r), "MPI_Isend");
      } else {
        bufs_.emplace_back(static_cast<std::size_t>(count));
        detail::copy_strided(at(sb), detail::storage::strides(*a_), bufs_.back().data(), detail::row_major_strides(sb.ext),
                             sb.ext);
        detail::check_mpi(MPI_Isend(bufs_.back().data(), count, type, peer, stag, c, &r), "MPI_Isend");
      }
      reqs_.push_back(r);
    }
  }

  void finish() {
    detail::check_mpi(MPI_Waitall(static_cast<int>(reqs_.size()), reqs_.data(), MPI_STATUSES_IGNORE), "MPI_Waitall");
    for (const auto& u : unpack_)
      detail::copy_strided(bufs_[u.buf].data(), detail::row_major_strides(u.box.ext), at(u.box), detail::storage::strides(*a_),
                           u.box.ext);
    reqs_.clear();
    unpack_.clear();
    posted_ = false;
  }

  array<T, N>* a_;
  detail::ghost_request<N> req_;
  std::vector<MPI_Request> reqs_;
  std::vector<detail::buffer<T>> bufs_;
  std::vector<unpack_job> unpack_;
  bool posted_ = false;
};

template <element T, std::size_t N>
void array<T, N>::exchange_halo() {
  start_halo_exchange().wait();
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
