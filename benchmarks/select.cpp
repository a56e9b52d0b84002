// Data-dependent operations against hand-written MPI doing the same work in
// the same run (issue 17):
//   sort of 2^24 block-distributed doubles: vs copy + std::stable_sort at
//     one rank; vs a hand-written sample sort (local std::sort, P regular
//     samples per rank, allgathered splitters, MPI_Alltoallv, pairwise
//     merge, rebalance by MPI_Exscan + MPI_Alltoallv) at more;
//   take of 2^22 random indices from a 2^24 array: vs request/reply (owner
//     in closed form, counts by MPI_Alltoall, indices out and values back
//     by MPI_Alltoallv);
//   mask compaction a(a > 0) on 2^25 doubles: vs local compress +
//     MPI_Exscan + MPI_Alltoallv onto the block layout.
// Loops are timed with their first iteration (plans, allocations); the
// best of `reps` is reported, the cold first one on a line of its own.
//   mpiexec -n 2 ./bench_select [--quick]
#include <dist/dist.hpp>
#include <numeric>
#include <optional>
#include <random>

#include "bench.hpp"

using dist::index_t;

namespace {

index_t block_start(index_t n, int P, int c) { return c * (n / P) + std::min<index_t>(c, n % P); }
int block_owner(index_t n, int P, index_t i) {  // inverse of block_start
  const index_t q = n / P, r = n % P;
  return static_cast<int>(i < r * (q + 1) ? i / (q + 1) : r + (i - r * (q + 1)) / q);
}

/// Counts -> MPI displacements; the received counts by MPI_Alltoall.
struct counts {
  std::vector<int> sc, sd, rc, rd;
  explicit counts(std::vector<int> s, MPI_Comm comm) : sc(std::move(s)), rc(sc.size()) {
    MPI_Alltoall(sc.data(), 1, MPI_INT, rc.data(), 1, MPI_INT, comm);
    sd = dist::detail::displacements(sc, "bench");
    rd = dist::detail::displacements(rc, "bench");
  }
  int sent() const { return sd.back() + sc.back(); }
  int received() const { return rd.back() + rc.back(); }
};

/// The hand-written sample sort of `x` (this rank's block) onto the block layout of n elements.
std::vector<double> sample_sort_hw(const double* x, index_t m, index_t n, MPI_Comm comm) {
  int P = 0, me = 0;
  MPI_Comm_size(comm, &P);
  MPI_Comm_rank(comm, &me);
  std::vector<double> v(x, x + m);
  std::sort(v.begin(), v.end());
  if (P == 1) return v;
  std::vector<double> smp(static_cast<std::size_t>(P)), all(static_cast<std::size_t>(P) * static_cast<std::size_t>(P));
  for (int j = 0; j < P; ++j) smp[static_cast<std::size_t>(j)] = m ? v[static_cast<std::size_t>((2 * j + 1) * m / (2 * P))] : 0.0;
  MPI_Allgather(smp.data(), P, MPI_DOUBLE, all.data(), P, MPI_DOUBLE, comm);
  std::sort(all.begin(), all.end());
  std::vector<int> sc(static_cast<std::size_t>(P));
  index_t prev = 0;
  for (int q = 0; q < P; ++q) {
    const index_t cut = q + 1 < P ? std::upper_bound(v.begin(), v.end(), all[static_cast<std::size_t>((q + 1) * P)]) - v.begin() : m;
    sc[static_cast<std::size_t>(q)] = static_cast<int>(cut - prev);
    prev = cut;
  }
  counts c(sc, comm);
  std::vector<double> got(static_cast<std::size_t>(c.received())), tmp(got.size());
  MPI_Alltoallv(v.data(), c.sc.data(), c.sd.data(), MPI_DOUBLE, got.data(), c.rc.data(), c.rd.data(), MPI_DOUBLE, comm);
  std::vector<int> b(c.rd);
  b.push_back(c.received());
  while (b.size() > 2) {  // pairwise merges
    std::vector<int> nb{0};
    for (std::size_t i = 0; i + 1 < b.size(); i += 2) {
      if (i + 2 < b.size()) {
        std::merge(got.begin() + b[i], got.begin() + b[i + 1], got.begin() + b[i + 1], got.begin() + b[i + 2], tmp.begin() + b[i]);
        nb.push_back(b[i + 2]);
      } else {
        std::copy(got.begin() + b[i], got.begin() + b[i + 1], tmp.begin() + b[i]);
        nb.push_back(b[i + 1]);
      }
    }
    b.swap(nb);
    got.swap(tmp);
  }
  // rebalance: my merged chunk starts at the exclusive scan of the counts
  long long mine = c.received(), off = 0;
  MPI_Exscan(&mine, &off, 1, MPI_LONG_LONG, MPI_SUM, comm);
  if (me == 0) off = 0;
  std::vector<int> rs(static_cast<std::size_t>(P));
  for (int q = 0; q < P; ++q) {
    const index_t lo = std::max<index_t>(off, block_start(n, P, q)), hi = std::min<index_t>(off + mine, block_start(n, P, q + 1));
    rs[static_cast<std::size_t>(q)] = static_cast<int>(std::max<index_t>(0, hi - lo));
  }
  counts r(rs, comm);
  std::vector<double> out(static_cast<std::size_t>(block_start(n, P, me + 1) - block_start(n, P, me)));
  MPI_Alltoallv(got.data(), r.sc.data(), r.sd.data(), MPI_DOUBLE, out.data(), r.rc.data(), r.rd.data(), MPI_DOUBLE, comm);
  return out;
}

/// Hand-written take: a is block over n, idx this rank's indices. Scratch
/// vectors are kept across calls (a tuned loop allocates them once).
void take_hw(const double* a, index_t n, const index_t* idx, index_t k, double* out, MPI_Comm comm) {
  int P = 0, me = 0;
  MPI_Comm_size(comm, &P);
  MPI_Comm_rank(comm, &me);
  static std::vector<int> owner, slot;
  static std::vector<index_t> req, asked;
  static std::vector<double> vals, back;
  owner.resize(static_cast<std::size_t>(k));
  std::vector<int> sc(static_cast<std::size_t>(P), 0);
  for (index_t i = 0; i < k; ++i) ++sc[static_cast<std::size_t>(owner[static_cast<std::size_t>(i)] = block_owner(n, P, idx[i]))];
  counts c(sc, comm);
  req.resize(static_cast<std::size_t>(k));
  asked.resize(static_cast<std::size_t>(c.received()));
  slot.resize(static_cast<std::size_t>(k));
  std::vector<int> pos(c.sd);
  for (index_t i = 0; i < k; ++i) {
    const int o = owner[static_cast<std::size_t>(i)];
    slot[static_cast<std::size_t>(i)] = pos[static_cast<std::size_t>(o)]++;
    req[static_cast<std::size_t>(slot[static_cast<std::size_t>(i)])] = idx[i];
  }
  MPI_Alltoallv(req.data(), c.sc.data(), c.sd.data(), MPI_INT64_T, asked.data(), c.rc.data(), c.rd.data(), MPI_INT64_T, comm);
  const index_t base = block_start(n, P, me);
  vals.resize(asked.size());
  back.resize(static_cast<std::size_t>(k));
  for (std::size_t j = 0; j < asked.size(); ++j) vals[j] = a[asked[j] - base];
  MPI_Alltoallv(vals.data(), c.rc.data(), c.rd.data(), MPI_DOUBLE, back.data(), c.sc.data(), c.sd.data(), MPI_DOUBLE, comm);
  for (index_t i = 0; i < k; ++i) out[i] = back[static_cast<std::size_t>(slot[static_cast<std::size_t>(i)])];
}

/// Hand-written mask compaction of a > 0 onto the block layout of the
/// count (the selection buffer kept across calls).
std::vector<double> compress_hw(const double* a, index_t m, MPI_Comm comm) {
  int P = 0, me = 0;
  MPI_Comm_size(comm, &P);
  MPI_Comm_rank(comm, &me);
  static std::vector<double> sel;
  sel.resize(static_cast<std::size_t>(m));
  index_t k = 0;
  for (index_t i = 0; i < m; ++i) {
    sel[static_cast<std::size_t>(k)] = a[i];
    k += a[i] > 0 ? 1 : 0;
  }
  long long mine = k, off = 0, total = 0;
  MPI_Exscan(&mine, &off, 1, MPI_LONG_LONG, MPI_SUM, comm);
  if (me == 0) off = 0;
  MPI_Allreduce(&mine, &total, 1, MPI_LONG_LONG, MPI_SUM, comm);
  std::vector<int> sc(static_cast<std::size_t>(P));
  for (int q = 0; q < P; ++q) {
    const index_t lo = std::max<index_t>(off, block_start(total, P, q)), hi = std::min<index_t>(off + k, block_start(total, P, q + 1));
    sc[static_cast<std::size_t>(q)] = static_cast<int>(std::max<index_t>(0, hi - lo));
  }
  counts c(sc, comm);
  static std::vector<double> out;
  out.resize(static_cast<std::size_t>(c.received()));
  MPI_Alltoallv(sel.data(), c.sc.data(), c.sd.data(), MPI_DOUBLE, out.data(), c.rc.data(), c.rd.data(), MPI_DOUBLE, comm);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bench::session session(argc, argv);
  const dist::communicator& world = session.world;
  const MPI_Comm comm = world;
  const bool quick = session.quick;
  const int reps = quick ? 2 : 5;
  const int P = world.size();
  {  // sort 2^24 doubles
    const index_t n = quick ? (1 << 14) + 3 : index_t(1) << 24;
    const dist::distribution<1> d({n}, world);
    const auto a = dist::random::uniform<double>(d, 1);
    dist::array<double, 1> s(d, 0.0);
    const auto t = bench::best_and_first(comm, reps, [&] { s = dist::sort(a); });
    std::vector<double> ref;
    const auto tb = bench::best_and_first(comm, reps, [&] {
      if (P == 1) {
        ref.assign(a.local_data().begin(), a.local_data().end());
        std::stable_sort(ref.begin(), ref.end());
      } else {
        ref = sample_sort_hw(a.local_data().data(), a.local_size(), n, comm);
      }
    });
    bench::require(comm, bench::same(s.local_data(), ref), "sort");
    bench::report2(comm, P == 1 ? "sort_vs_std_stable_sort" : "sort_vs_sample_sort", {n}, t, tb);
  }
  {  // take 2^22 random indices from 2^24
    const index_t n = quick ? (1 << 14) + 5 : index_t(1) << 24, k = quick ? (1 << 12) + 1 : index_t(1) << 22;
    const auto a = dist::random::uniform<double>(dist::distribution<1>({n}, world), 2);
    const dist::distribution<1> di({k}, world);
    std::mt19937_64 rng(7 + static_cast<unsigned>(world.rank()));
    dist::array<index_t, 1> idx(di, index_t{0});
    for (auto& x : idx.local_data()) x = static_cast<index_t>(rng() % static_cast<std::uint64_t>(n));
    dist::array<double, 1> t(di, 0.0);
    const auto tt = bench::best_and_first(comm, reps, [&] { t = dist::take(a, idx); });
    std::vector<double> ref(static_cast<std::size_t>(idx.local_size()));
    const auto tb = bench::best_and_first(comm, reps, [&] {
      take_hw(a.local_data().data(), n, idx.local_data().data(), idx.local_size(), ref.data(), comm);
    });
    bench::require(comm, bench::same(t.local_data(), ref), "take");
    bench::report2(comm, "take_random", {n, k}, tt, tb);
  }
  {  // mask compaction on 2^25 doubles
    const index_t n = quick ? (1 << 15) + 9 : index_t(1) << 25;
    const dist::array<double, 1> a = dist::random::uniform<double>(dist::distribution<1>({n}, world), 3) - 0.5;
    std::optional<dist::array<double, 1>> v;  // its extent depends on the values
    const auto t = bench::best_and_first(comm, reps, [&] { v.emplace(dist::eval(a(a > 0.0))); });
    std::vector<double> ref;
    const auto tb = bench::best_and_first(comm, reps, [&] { ref = compress_hw(a.local_data().data(), a.local_size(), comm); });
    bench::require(comm, bench::same(v->local_data(), ref), "mask");
    bench::report2(comm, "mask_compress", {n}, t, tb);
  }
}
