// Halo exchange (SPEC section 7): fill an array's ghost layers from the
// neighbouring blocks along each block dim, point-to-point. Dims go in
// order and each later dim's messages span the ghosts already filled along
// the earlier ones, so corners (for 9- and 27-point stencils) arrive without
// diagonal messages. A slab that is contiguous in memory (whole rows of a
// row-block array) is sent and received in place; others are packed.
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
  /// Posts the messages of the first dim `req` asks for. Collective.
  halo_exchange(array<T, N>& a, const detail::ghost_request<N>& req) : a_(&a), req_(req) {
    for (std::size_t d = 0; d < N; ++d)
      if (req_.lo[d] > a.ghost_width(d) || req_.hi[d] > a.ghost_width(d))
        throw distribution_error("dist: a halo exchange asks for more ghost layers along dim " + std::to_string(d) +
                                 " than the array has");
    next_ = 0;
    post_next();
  }
  halo_exchange(halo_exchange&& o) noexcept
      : a_(o.a_), req_(o.req_), next_(o.next_), reqs_(std::move(o.reqs_)), bufs_(std::move(o.bufs_)),
        unpack_(std::move(o.unpack_)), posted_(o.posted_) {
    o.posted_ = false;
    o.next_ = N;
  }
  halo_exchange& operator=(halo_exchange&&) = delete;
  halo_exchange(const halo_exchange&) = delete;
  ~halo_exchange() {
    try {
      wait();
    } catch (...) {  // a destructor must not throw; the MPI error handler has reported it
    }
  }

  /// Finishes the exchange (the remaining dims one after the other, so
  /// corners arrive). Collective.
  void wait() {
    while (posted_) {
      finish();
      post_next();
    }
  }
  bool done() const noexcept { return !posted_; }

 private:
  struct unpack_job {
    std::size_t buf;
    detail::ghost_box<N> box;
  };

  // The padded-coordinate box of the slab along dim d starting at `from` with width w.
  detail::ghost_box<N> slab(std::size_t d, index_t from, index_t w) const {
    const auto ls = a_->local_shape();
    detail::ghost_box<N> b;
    for (std::size_t e = 0; e < N; ++e) {
      const index_t g = a_->ghost_width(e);
      if (e == d) {
        b.at[e] = from;
        b.ext[e] = w;
      } else if (e < d) {  // the ghosts already filled along earlier dims travel too (corners)
        b.at[e] = g - req_.lo[e];
        b.ext[e] = ls[e] + req_.lo[e] + req_.hi[e];
      } else {
        b.at[e] = g;
        b.ext[e] = ls[e];
      }
    }
    return b;
  }
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

  // The rank of my neighbour at coordinate offset `dir` (-1, +1) along dim d, or MPI_PROC_NULL.
  int neighbour(std::size_t d, int dir) const {
    const auto& dist = a_->distribution();
    const int p = dist.grid()[d];
    const bool periodic = a_->periodic(d);
    if (p == 1) return periodic ? dist.comm().rank() : MPI_PROC_NULL;
    auto c = dist.grid_coords();
    int x = c[d] + dir;
    if (x < 0 || x >= p) {
      if (!periodic) return MPI_PROC_NULL;
      x = (x + p) % p;
    }
    c[d] = x;
    return dist.grid_rank(c);
  }

  void post_next() {
    posted_ = false;
    while (next_ < N && req_.lo[next_] == 0 && req_.hi[next_] == 0) ++next_;
    if (next_ >= N) return;
    const std::size_t d = next_++;
    const communicator& c = a_->comm();
    const index_t g = a_->ghost_width(d), n = a_->local_shape()[d];
    reqs_.clear();
    bufs_.clear();
    unpack_.clear();
    const MPI_Datatype type = detail::mpi_type<T>();
    // lower ghosts come from the lower neighbour's top layers: everyone sends its top up
    // upper ghosts come from the upper neighbour's bottom layers: everyone sends its bottom down
    struct leg {
      index_t w;
      index_t send_from, recv_into;
      int to, from, tag;
    };
    const leg legs[2] = {{req_.lo[d], g + n - req_.lo[d], g - req_.lo[d], neighbour(d, +1), neighbour(d, -1), static_cast<int>(2 * d)},
                         {req_.hi[d], g, g + n, neighbour(d, -1), neighbour(d, +1), static_cast<int>(2 * d + 1)}};
    for (const leg& l : legs) {
      if (l.w == 0) continue;
      const auto rb = slab(d, l.recv_into, l.w), sb = slab(d, l.send_from, l.w);
      const int count = detail::mpi_count(detail::product(rb.ext), "dist: halo exchange");
      MPI_Request r;
      if (l.from != MPI_PROC_NULL) {  // (no neighbour: the ghosts keep what they hold)
        if (T* p = contiguous(rb)) {
          detail::check_mpi(MPI_Irecv(p, count, type, l.from, l.tag, c, &r), "MPI_Irecv");
        } else {
          bufs_.emplace_back(static_cast<std::size_t>(count));
          unpack_.push_back({bufs_.size() - 1, rb});
          detail::check_mpi(MPI_Irecv(bufs_.back().data(), count, type, l.from, l.tag, c, &r), "MPI_Irecv");
        }
        reqs_.push_back(r);
      }
      if (l.to != MPI_PROC_NULL) {
        if (T* p = contiguous(sb)) {
          detail::check_mpi(MPI_Isend(p, count, type, l.to, l.tag, c, &r), "MPI_Isend");
        } else {
          bufs_.emplace_back(static_cast<std::size_t>(count));
          detail::copy_strided(at(sb), detail::storage::strides(*a_), bufs_.back().data(), detail::row_major_strides(sb.ext),
                               sb.ext);
          detail::check_mpi(MPI_Isend(bufs_.back().data(), count, type, l.to, l.tag, c, &r), "MPI_Isend");
        }
        reqs_.push_back(r);
      }
    }
    posted_ = true;
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
  std::size_t next_ = 0;
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
