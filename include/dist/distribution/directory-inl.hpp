// The definitions of <dist/distribution/directory.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "directory.hpp"

namespace dist::detail {

DIST_INLINE directory::directory(const communicator& full, communicator line, const communicator& fiber, std::size_t dim,
                                 index_t n, const std::vector<index_t>& mine)
    : line_(std::move(line)), home_(dim_map::block(n, line_.size(), line_.rank())) {
  const std::string where = "unstructured dim " + std::to_string(dim);
  // 1. local sizes of every coordinate
  std::vector<index_t> counts(static_cast<std::size_t>(line_.size()));
  const index_t mine_n = static_cast<index_t>(mine.size());
  check_mpi(MPI_Allgather(&mine_n, 1, MPI_INT64_T, counts.data(), 1, MPI_INT64_T, line_), "MPI_Allgather");
  // 2. what one rank can check alone: range, repeats, total
  agree_on_errors(full, [&] {
    try {
      map_ = dim_map::unstructured(n, line_.rank(), mine, counts);
    } catch (const distribution_error& e) {
      throw distribution_error(where + ": " + e.what());
    }
  });
  // 3. ranks sharing a coordinate gave the same list
  arg_hash h;
  h.add(mine);
  std::uint64_t v[2] = {h.value(), ~h.value()};
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_UINT64_T, MPI_MIN, fiber), "MPI_Allreduce");
  if (any_rank(full, v[0] != h.value() || v[1] != ~h.value()))
    throw distribution_error(where + ": ranks sharing a grid coordinate along this dimension gave different index lists");
  // 4. route (g, local position) to the homes; check the partition there
  const int p = line_.size();
  std::vector<std::vector<index_t>> out(static_cast<std::size_t>(p));
  for (std::size_t l = 0; l < mine.size(); ++l) {
    auto& o = out[static_cast<std::size_t>(home_.owner(mine[l]))];
    o.push_back(mine[l]);
    o.push_back(static_cast<index_t>(l));
  }
  std::vector<int> src;
  const std::vector<index_t> in = exchange(out, &src);
  owner_.assign(static_cast<std::size_t>(home_.local_size()), -1);
  local_.assign(owner_.size(), -1);
  const index_t start = home_.block_start(home_.coord());
  index_t dup = LLONG_MAX, missing = LLONG_MAX;
  for (std::size_t i = 0; i < in.size(); i += 2) {
    const auto k = static_cast<std::size_t>(in[i] - start);
    if (owner_[k] != -1) dup = std::min(dup, in[i]);
    owner_[k] = src[i];
    local_[k] = in[i + 1];
  }
  for (std::size_t k = 0; k < owner_.size(); ++k)
    if (owner_[k] == -1) {
      missing = start + static_cast<index_t>(k);
      break;
    }
  dup = allreduce<index_t>(full, dup, MPI_MIN);
  missing = allreduce<index_t>(full, missing, MPI_MIN);
  if (dup != LLONG_MAX)
    throw distribution_error(where + ": the indices are not a partition of 0.." + std::to_string(n - 1) +
                             ": index " + std::to_string(dup) + " is owned by more than one coordinate");
  if (missing != LLONG_MAX)
    throw distribution_error(where + ": the indices are not a partition of 0.." + std::to_string(n - 1) +
                             ": index " + std::to_string(missing) + " is owned by no coordinate");
}

DIST_INLINE std::vector<location> directory::lookup(std::span<const index_t> g) const {
  const int p = line_.size();
  std::vector<std::vector<index_t>> q(static_cast<std::size_t>(p));
  for (index_t x : g) q[static_cast<std::size_t>(home_.owner(x))].push_back(x);
  std::vector<int> src;
  const std::vector<index_t> asked = exchange(q, &src);
  // answer in the order asked, grouped by asking rank (exchange keeps that order)
  std::vector<std::vector<index_t>> ans(static_cast<std::size_t>(p));
  const index_t start = home_.block_start(home_.coord());
  for (std::size_t i = 0; i < asked.size(); ++i) {
    const auto k = static_cast<std::size_t>(asked[i] - start);
    auto& a = ans[static_cast<std::size_t>(src[i])];
    a.push_back(owner_[k]);
    a.push_back(local_[k]);
  }
  const std::vector<index_t> back = exchange(ans, nullptr);
  // back is grouped by home in rank order; walk g again with one cursor per home
  std::vector<std::size_t> cursor(static_cast<std::size_t>(p) + 1, 0);
  for (int r = 0; r < p; ++r) cursor[static_cast<std::size_t>(r) + 1] = cursor[static_cast<std::size_t>(r)] + 2 * q[static_cast<std::size_t>(r)].size();
  std::vector<location> res(g.size());
  for (std::size_t i = 0; i < g.size(); ++i) {
    std::size_t& c = cursor[static_cast<std::size_t>(home_.owner(g[i]))];
    res[i] = {static_cast<int>(back[c]), back[c + 1]};
    c += 2;
  }
  return res;
}

DIST_INLINE std::vector<index_t> directory::exchange(const std::vector<std::vector<index_t>>& out, std::vector<int>* src) const {
  const int p = line_.size();
  std::vector<index_t> sc64(static_cast<std::size_t>(p)), rc64(static_cast<std::size_t>(p));
  for (int r = 0; r < p; ++r) sc64[static_cast<std::size_t>(r)] = static_cast<index_t>(out[static_cast<std::size_t>(r)].size());
  check_mpi(MPI_Alltoall(sc64.data(), 1, MPI_INT64_T, rc64.data(), 1, MPI_INT64_T, line_), "MPI_Alltoall");
  // MPI_Alltoallv's int counts: past them on any rank, mpi_error on every rank (never one rank alone)
  std::vector<int> sc, rc, sd, rd;
  agree_on_errors(line_, [&] {
    for (std::size_t r = 0; r < sc64.size(); ++r) (void)mpi_count(std::max(sc64[r], rc64[r]), "dist::distribution (directory lookup)");
    sc.assign(sc64.begin(), sc64.end());
    rc.assign(rc64.begin(), rc64.end());
    sd = displacements(sc, "dist::distribution (directory lookup)");
    rd = displacements(rc, "dist::distribution (directory lookup)");
  });
  std::vector<index_t> sbuf;
  for (const auto& o : out) sbuf.insert(sbuf.end(), o.begin(), o.end());
  std::vector<index_t> rbuf(static_cast<std::size_t>(rd.back() + rc.back()));
  check_mpi(MPI_Alltoallv(sbuf.data(), sc.data(), sd.data(), MPI_INT64_T, rbuf.data(), rc.data(), rd.data(),
                          MPI_INT64_T, line_),
            "MPI_Alltoallv");
  if (src) {
    src->clear();
    for (int r = 0; r < p; ++r) src->insert(src->end(), static_cast<std::size_t>(rc[static_cast<std::size_t>(r)]), r);
  }
  return rbuf;
}

}  // namespace dist::detail
