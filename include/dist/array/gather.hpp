// gather, allgather, scatter: whole arrays in row-major order on one rank or
// on all of them.
#pragma once

#include <climits>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../core/linkage.hpp"
#include "../core/agree.hpp"
#include "../core/large_count.hpp"
#include "array.hpp"

namespace dist {
namespace detail {

/// Block layouts of every rank, on `root` (or on every rank when root < 0).
/// Structured dims are computed from the maps; unstructured index lists are
/// gathered. Collective.
template <std::size_t N>
std::vector<block_layout<N>> block_layouts(const distribution<N>& d, int root) {
  const communicator& c = d.comm();
  const int P = c.size(), me = c.rank();
  const bool want = root < 0 || me == root;
  std::vector<block_layout<N>> out(want ? static_cast<std::size_t>(P) : 0);
  for (std::size_t k = 0; k < N; ++k) {
    const dim_map& m = d.map(k);
    if (m.kind() != dim_kind::unstructured) {
      if (!want) continue;
      for (int r = 0; r < P; ++r) {
        auto& b = out[static_cast<std::size_t>(r)];
        const int cr = d.grid_coords(r)[k];
        b.extents[k] = m.local_size(cr);
        if (k + 1 == N && m.contiguous_start() && (m.kind() == dim_kind::block || m.kind() == dim_kind::undistributed)) {
          b.inner_start = m.block_start(cr);
          continue;
        }
        if (k + 1 == N) {  // closed form: no table of every index
          b.inner = m;
          b.inner_coord = cr;
          continue;
        }
        b.tables[k].resize(static_cast<std::size_t>(b.extents[k]));
        for (index_t l = 0; l < b.extents[k]; ++l) b.tables[k][static_cast<std::size_t>(l)] = m.global_index(cr, l);
      }
      continue;
    }
    // unstructured: collect every rank's list
    const std::vector<index_t> mine = m.global_indices();
    std::vector<int> counts(static_cast<std::size_t>(P));
    for (int r = 0; r < P; ++r) counts[static_cast<std::size_t>(r)] = mpi_count(d.local_shape(r)[k], "dist::gather");
    const auto displs = displacements(counts, "dist::gather");
    std::vector<index_t> all(want ? static_cast<std::size_t>(displs.back() + counts.back()) : 0);
    const int n = mpi_count(static_cast<index_t>(mine.size()), "dist::gather");
    if (root < 0)
      check_mpi(MPI_Allgatherv(mine.data(), n, MPI_INT64_T, all.data(), counts.data(), displs.data(), MPI_INT64_T, c),
                "MPI_Allgatherv");
    else
      check_mpi(MPI_Gatherv(mine.data(), n, MPI_INT64_T, all.data(), counts.data(), displs.data(), MPI_INT64_T, root, c),
                "MPI_Gatherv");
    if (!want) continue;
    for (int r = 0; r < P; ++r) {
      auto& b = out[static_cast<std::size_t>(r)];
      b.extents[k] = counts[static_cast<std::size_t>(r)];
      b.tables[k].assign(all.begin() + displs[static_cast<std::size_t>(r)],
                         all.begin() + displs[static_cast<std::size_t>(r)] + counts[static_cast<std::size_t>(r)]);
    }
  }
  return out;
}

/// Every rank's block size, and their exclusive prefix sums (P + 1 of them,
/// the last the array's size): 64-bit. Local.
template <std::size_t N>
std::pair<std::vector<index_t>, std::vector<index_t>> block_counts(const distribution<N>& d) {
  const int P = d.comm().size();
  std::vector<index_t> counts(static_cast<std::size_t>(P)), displs(static_cast<std::size_t>(P) + 1, 0);
  for (int r = 0; r < P; ++r) {
    counts[static_cast<std::size_t>(r)] = product(d.local_shape(r));
    displs[static_cast<std::size_t>(r) + 1] = displs[static_cast<std::size_t>(r)] + counts[static_cast<std::size_t>(r)];
  }
  return {std::move(counts), std::move(displs)};
}

/// Tag of gather's and scatter's point-to-point messages (arrays past int counts).
inline constexpr int gather_tag = 0x6467;

/// Past MPI's int counts, between `root`'s staging buffer (rank r's block
/// at displs[r], counts[r] elements) and every rank's block `local` (n
/// elements): one message per rank, each of any size, to the root when
/// `to_root`, else from it; the root's own block is copied. Collective.
template <class T>
void root_messages(const communicator& c, int root, bool to_root, T* staging, const std::vector<index_t>& counts,
                   const std::vector<index_t>& displs, T* local, index_t n) {
  const int P = c.size(), me = c.rank();
  if (me != root) {
    const big_count k(n, mpi_type<T>());
    if (to_root) check_mpi(MPI_Send(local, k.count(), k.type(), root, gather_tag, c), "MPI_Send");
    else check_mpi(MPI_Recv(local, k.count(), k.type(), root, gather_tag, c, MPI_STATUS_IGNORE), "MPI_Recv");
    return;
  }
  std::vector<MPI_Request> reqs;
  std::vector<std::unique_ptr<big_count>> types;
  for (int r = 0; r < P; ++r) {
    T* at = staging + displs[static_cast<std::size_t>(r)];
    if (r == me) {
      if (to_root) std::copy_n(local, n, at);
      else std::copy_n(at, n, local);
      continue;
    }
    types.push_back(std::make_unique<big_count>(counts[static_cast<std::size_t>(r)], mpi_type<T>()));
    reqs.emplace_back();
    if (to_root) check_mpi(MPI_Irecv(at, types.back()->count(), types.back()->type(), r, gather_tag, c, &reqs.back()), "MPI_Irecv");
    else check_mpi(MPI_Isend(at, types.back()->count(), types.back()->type(), r, gather_tag, c, &reqs.back()), "MPI_Isend");
  }
  check_mpi(MPI_Waitall(static_cast<int>(reqs.size()), reqs.data(), MPI_STATUSES_IGNORE), "MPI_Waitall");
}

/// Copies between a block (row-major, layout `b`) and the global row-major
/// array of shape `gs`: block -> global when `to_global`, else global -> block.
/// Contiguous inner runs move with memcpy. Local.
template <class T, std::size_t N>
void transfer(T* blk, const block_layout<N>& b, T* global, const shape<N>& gs, bool to_global) {
  const auto gst = row_major_strides(gs);
  const index_t inner = b.extents[N - 1];
  for_each_layout_row(b, [&](const index<N>& g, index_t base) {
    index_t off = 0;
    for (std::size_t d = 0; d + 1 < N; ++d) off += g[d] * gst[d];
    if (b.inner_start) {
      T* at = global + off + *b.inner_start;
      if (to_global) std::memcpy(static_cast<void*>(at), blk + base, static_cast<std::size_t>(inner) * sizeof(T));
      else std::memcpy(static_cast<void*>(blk + base), at, static_cast<std::size_t>(inner) * sizeof(T));
    } else {
      if (to_global)
        for (index_t l = 0; l < inner; ++l) global[off + b.inner_global(l)] = blk[base + l];
      else
        for (index_t l = 0; l < inner; ++l) blk[base + l] = global[off + b.inner_global(l)];
    }
  });
}

// Gathers into `Out` (std::vector<T>, or buffer<T> for bool, whose vector has no data()).
template <class Out, class T, std::size_t N>
Out gather_impl(const array<T, N>& a, int root) {
  const auto& d = a.distribution();
  const communicator& c = d.comm();
  const int P = c.size(), me = c.rank();
  const bool all = root < 0;
  const bool want = all || me == root;
  Out out(want ? static_cast<std::size_t>(a.size()) : 0);
  buffer<T> packed;
  const auto local = packed_block(a, packed);
  if (d.replicated()) {
    if (want) std::copy(local.begin(), local.end(), out.data());
    return out;
  }
  const auto layouts = block_layouts(d, root);
  const auto [counts, displs] = block_counts(d);
  buffer<T> staging(want ? static_cast<std::size_t>(displs.back()) : 0);
  if (displs.back() <= INT_MAX) {  // the whole array fits MPI's int counts: one MPI_Gatherv
    const std::vector<int> ic(counts.begin(), counts.end()), id(displs.begin(), displs.end() - 1);
    const int n = static_cast<int>(local.size());
    if (all)
      check_mpi(MPI_Allgatherv(local.data(), n, mpi_type<T>(), staging.data(), ic.data(), id.data(), mpi_type<T>(), c),
                "MPI_Allgatherv");
    else
      check_mpi(MPI_Gatherv(local.data(), n, mpi_type<T>(), staging.data(), ic.data(), id.data(), mpi_type<T>(), root, c),
                "MPI_Gatherv");
  } else if (all) {  // larger (decided alike everywhere: it is the global size): each block broadcast by its owner
    for (int r = 0; r < P; ++r) {
      T* at = staging.data() + displs[static_cast<std::size_t>(r)];
      if (r == me) std::copy(local.begin(), local.end(), at);
      const big_count n(counts[static_cast<std::size_t>(r)], mpi_type<T>());
      check_mpi(MPI_Bcast(at, n.count(), n.type(), r, c), "MPI_Bcast");
    }
  } else {  // larger, to one root: a message per rank, each of any size
    root_messages(c, root, true, staging.data(), counts, displs, const_cast<T*>(local.data()), static_cast<index_t>(local.size()));
  }
  if (want)
    for (int r = 0; r < P; ++r)
      transfer(staging.data() + displs[static_cast<std::size_t>(r)], layouts[static_cast<std::size_t>(r)], out.data(),
               d.shape(), true);
  return out;
}

template <class T, std::size_t N>
std::vector<T> gather_vector(const array<T, N>& a, int root) {
  if constexpr (std::is_same_v<T, bool>) {
    const auto b = gather_impl<buffer<bool>>(a, root);
    return std::vector<bool>(b.data(), b.data() + b.size());
  } else {
    return gather_impl<std::vector<T>>(a, root);
  }
}

DIST_INLINE void check_root(const communicator& c, int root, const char* op);

}  // namespace detail

/// The whole array, row-major, on `root`; an empty vector elsewhere. Collective.
template <class T, std::size_t N>
std::vector<T> gather(const array<T, N>& a, int root = 0) {
  detail::agree(a.comm(), "dist::gather", [&] { detail::check_root(a.comm(), root, "dist::gather"); },
                detail::arg("arrays", a.distribution()), detail::arg("roots", root));
  return detail::gather_vector(a, root);
}

/// The whole array, row-major, on every rank. Collective.
template <class T, std::size_t N>
std::vector<T> allgather(const array<T, N>& a) {
  detail::collective_entry(a.comm(), "dist::allgather", a.distribution());
  return detail::gather_vector(a, -1);
}

/// An array on `d` built from `root`'s row-major `data` (ignored elsewhere).
/// Collective; shape_error on every rank when root's data has the wrong size.
template <class T, std::size_t N>
array<T, N> scatter(std::span<const T> data, const distribution<N>& d, int root = 0) {
  const communicator& c = d.comm();
  const int P = c.size(), me = c.rank();
  detail::agree(c, "dist::scatter", [&] {
    detail::check_root(c, root, "dist::scatter");
    if (me == root && static_cast<index_t>(data.size()) != d.size())
      throw shape_error("dist::scatter: root's data has " + std::to_string(data.size()) +
                        " elements but the distribution's shape " + detail::to_string(d.shape()) + " needs " +
                        std::to_string(d.size()));
  }, detail::arg("distributions", d), detail::arg("roots", root));
  array<T, N> a(d, uninitialized);
  auto local = a.local_data();
  if (d.replicated()) {
    if (me == root) std::copy(data.begin(), data.end(), local.begin());
    const detail::big_count n(d.size(), detail::mpi_type<T>());
    detail::check_mpi(MPI_Bcast(local.data(), n.count(), n.type(), root, c), "MPI_Bcast");
    return a;
  }
  const auto layouts = detail::block_layouts(d, root);
  const auto [counts, displs] = detail::block_counts(d);
  detail::buffer<T> staging(me == root ? static_cast<std::size_t>(displs.back()) : 0);
  if (me == root)
    for (int r = 0; r < P; ++r)
      detail::transfer(staging.data() + displs[static_cast<std::size_t>(r)], layouts[static_cast<std::size_t>(r)],
                       const_cast<T*>(data.data()), d.shape(), false);
  if (displs.back() <= INT_MAX) {  // one MPI_Scatterv
    const std::vector<int> ic(counts.begin(), counts.end()), id(displs.begin(), displs.end() - 1);
    detail::check_mpi(MPI_Scatterv(staging.data(), ic.data(), id.data(), detail::mpi_type<T>(), local.data(),
                                   static_cast<int>(local.size()), detail::mpi_type<T>(), root, c),
                      "MPI_Scatterv");
  } else {  // past int counts: a message per rank
    detail::root_messages(c, root, false, staging.data(), counts, displs, local.data(), static_cast<index_t>(local.size()));
  }
  return a;
}

/// Overload taking a vector (deduces T).
template <class T, std::size_t N>
array<T, N> scatter(const std::vector<T>& data, const distribution<N>& d, int root = 0) {
  if constexpr (std::is_same_v<T, bool>) {
    detail::buffer<bool> b(data.size());
    std::copy(data.begin(), data.end(), b.data());
    return scatter<bool, N>(std::span<const bool>(b.data(), b.size()), d, root);
  } else {
    return scatter<T, N>(std::span<const T>(data), d, root);
  }
}

}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "gather-inl.hpp"
#endif
