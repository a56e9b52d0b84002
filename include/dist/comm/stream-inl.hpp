// The definitions of <dist/comm/stream.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "stream.hpp"

namespace dist::detail {

DIST_INLINE routes::routes(const communicator& c, std::span<const int> owner, const char* op) : n_(owner.size()) {
  slot_ = buffer<index_t>(owner.size());
  const rank_counts sends = group_requests(owner, c.size(), 8 * owner.size() >= static_cast<std::size_t>(c.size()), slot_.data());
  const rank_counts recvs = announce_counts(c, sends);
  out_ = counts_exchange(c, sends, recvs, false, op);
  back_ = counts_exchange(c, sends, recvs, true, op);
  for (const auto& [r, n] : recvs) received_ += n;
}

DIST_INLINE std::vector<stretch> gather_stretches(const communicator& c, index_t key, index_t count, index_t& total) {
  const int P = c.size();
  std::vector<index_t> all(2 * static_cast<std::size_t>(P));
  const index_t mine[2] = {key, count};
  check_mpi(MPI_Allgather(mine, 2, MPI_INT64_T, all.data(), 2, MPI_INT64_T, c), "MPI_Allgather");
  std::vector<int> by_key(static_cast<std::size_t>(P));
  std::iota(by_key.begin(), by_key.end(), 0);
  std::stable_sort(by_key.begin(), by_key.end(),
                   [&](int a, int b) { return all[2 * static_cast<std::size_t>(a)] < all[2 * static_cast<std::size_t>(b)]; });
  std::vector<stretch> out;
  total = 0;
  for (int r : by_key) {
    const index_t n = all[2 * static_cast<std::size_t>(r) + 1];
    if (n > 0) out.push_back({total, n, r});
    total += n;
  }
  return out;
}

DIST_INLINE stretches place_by_scan(const communicator& c, index_t key, index_t count) {
  stretches st;
  st.rank = c.rank();
  st.mine = {0, count, st.rank};
  const index_t below_key = count > 0 ? key : std::numeric_limits<index_t>::min();
  index_t before = 0, highest = std::numeric_limits<index_t>::min();
  check_mpi(MPI_Exscan(&count, &before, 1, MPI_INT64_T, MPI_SUM, c), "MPI_Exscan");
  check_mpi(MPI_Exscan(&below_key, &highest, 1, MPI_INT64_T, MPI_MAX, c), "MPI_Exscan");
  if (st.rank == 0) before = 0, highest = std::numeric_limits<index_t>::min();  // MPI leaves rank 0's undefined
  index_t sum[2] = {count, count > 0 && highest > key ? 1 : 0};
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, sum, 2, MPI_INT64_T, MPI_SUM, c), "MPI_Allreduce");
  st.total = sum[0];
  st.mine.start = before;
  if (sum[1] == 0) return st;
  st.known = gather_stretches(c, key, count, st.total);
  st.mine.start = st.total;
  for (const auto& x : st.known)
    if (x.rank == st.rank) st.mine.start = x.start;
  return st;
}

DIST_INLINE stretches widen(stretches st, index_t k) {
  const auto w = [k](stretch& x) {
    x.start *= k;
    x.count *= k;
  };
  w(st.mine);
  for (auto& x : st.known) w(x);
  st.total *= k;
  return st;
}

DIST_INLINE void add_peers(side_plan<1>& side) {
  for (const auto& [r, rl] : side.dims[0]) {
    const index_t c = positions(rl);
    if (c > 0) side.peers.push_back({r, c, {r}});
    side.total += c;
  }
}

DIST_INLINE std::vector<stretch> stretches_meeting(const communicator& c, const stretches& st, const std::vector<int>& targets) {
  notes<2> out;
  for (int r : targets) out.push_back({r, {st.my_start(), st.my_count()}});
  std::vector<stretch> near;
  for (const auto& [r, m] : notify(c, out)) near.push_back({m[0], m[1], r});
  std::sort(near.begin(), near.end(), [](const stretch& a, const stretch& b) { return a.start < b.start; });
  return near;
}

DIST_INLINE rank_counts announce_counts(const communicator& c, const rank_counts& sends) {
  notes<1> out;
  out.reserve(sends.size());
  for (const auto& [r, n] : sends) out.push_back({r, {n}});
  rank_counts recvs;
  for (const auto& [r, m] : notify(c, out))
    if (m[0] > 0) recvs.emplace_back(r, m[0]);
  return recvs;
}

DIST_INLINE exchange<1> counts_exchange(const communicator& c, const rank_counts& sends, const rank_counts& recvs, bool reverse,
                                   const char* op) {
  const auto side = [](const rank_counts& pieces) {
    side_plan<1> sp;
    index_t at = 0;
    for (const auto& [r, n] : pieces) {
      append_run(sp.dims[0][r], at, n);
      at += n;
    }
    add_peers(sp);
    return sp;
  };
  side_plan<1> send = side(sends), recv = side(recvs);
  return reverse ? exchange<1>(c, c, std::move(recv), std::move(send), op) : exchange<1>(c, c, std::move(send), std::move(recv), op);
}

DIST_INLINE rank_counts group_requests(std::span<const int> owner, int P, bool by_counting, index_t* slot) {
  rank_counts sends;
  if (by_counting) {
    std::vector<index_t> count(static_cast<std::size_t>(P), 0);
    for (int r : owner) ++count[static_cast<std::size_t>(r)];
    index_t at = 0;
    for (int r = 0; r < P; ++r) {
      const index_t n = count[static_cast<std::size_t>(r)];
      if (n > 0) sends.emplace_back(r, n);
      count[static_cast<std::size_t>(r)] = at;  // now: where rank r's requests start
      at += n;
    }
    for (std::size_t i = 0; i < owner.size(); ++i) slot[i] = count[static_cast<std::size_t>(owner[i])]++;
    return sends;
  }
  std::vector<index_t> order(owner.size());
  std::iota(order.begin(), order.end(), index_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](index_t a, index_t b) { return owner[static_cast<std::size_t>(a)] < owner[static_cast<std::size_t>(b)]; });
  for (std::size_t k = 0; k < order.size(); ++k) {
    const int r = owner[static_cast<std::size_t>(order[k])];
    if (sends.empty() || sends.back().first != r) sends.emplace_back(r, 0);
    ++sends.back().second;
    slot[order[k]] = static_cast<index_t>(k);
  }
  return sends;
}

}  // namespace dist::detail
