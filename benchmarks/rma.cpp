// One-sided access against hand-written MPI RMA doing the same transfers on
// a plain window, same run.
//   mpiexec -n 2 ./bench_rma [--quick]
// rma_get_region: rank 0 reads an n/2 x n/2 region spanning every rank's
//   block rows (dist::get vs one MPI_Get per target with subarray types).
// rma_put_elements: rank 0 writes 2000 single elements at scattered places
//   (dist::put of one-element regions vs MPI_Put of one double each).
// rma_accumulate_rows: every rank adds a row into the same rows
//   (dist::accumulate vs MPI_Accumulate), then a fence.
#include <dist/dist.hpp>
#include <vector>

#include "bench.hpp"

using dist::index_t;

namespace {

// the hand-written side: a window over a block-rows array's contiguous block
struct plain_window {
  MPI_Win win = MPI_WIN_NULL;
  plain_window(double* base, index_t n, MPI_Comm comm) {
    MPI_Win_create(base, static_cast<MPI_Aint>(n * sizeof(double)), sizeof(double), MPI_INFO_NULL, comm, &win);
    MPI_Win_lock_all(MPI_MODE_NOCHECK, win);
  }
  ~plain_window() {
    MPI_Win_unlock_all(win);
    MPI_Win_free(&win);
  }
};

}  // namespace

int main(int argc, char** argv) {
  bench::session session(argc, argv);
  const dist::communicator& world = session.world;
  if (world.size() == 1) {  // no window on one rank (dist copies locally; Open MPI 4.1 cannot create one)
    if (world.rank() == 0) std::printf("{\"name\": \"rma\", \"np\": 1, \"note\": \"needs 2 or more ranks\"}\n");
    return 0;
  }
  const bool quick = bench::quick(argc, argv);
  const index_t n = quick ? 64 : 4096;
  const int reps = quick ? 1 : 5;
  const dist::distribution<2> rows({n, n}, world);
  auto value = [](index_t i, index_t j) { return static_cast<double>(i) * 0.5 + static_cast<double>(j); };
  auto a = dist::fromfunction<double>(rows, value);
  dist::fence(a);
  std::vector<double> hand(a.local_data().begin(), a.local_data().end());
  plain_window hw(hand.data(), static_cast<index_t>(hand.size()), world);
  const auto& m0 = rows.map(0);
  const bool root = world.rank() == 0;

  // ---- a large region from one rank ----
  {
    const index_t lo = n / 4, hi = lo + n / 2;
    const dist::region<2> r{{lo, lo}, {hi, hi}};
    std::vector<double> got(static_cast<std::size_t>(r.size())), want(got.size());
    const double t = bench::time(world, reps, [&] {
      if (root) dist::get(a, r, std::span<double>(got));
    });
    const double tb = bench::time(world, reps, [&] {
      if (!root) return;
      for (int p = m0.owner(lo); p <= m0.owner(hi - 1); ++p) {
        const index_t r0 = std::max(lo, m0.block_start(p)), r1 = std::min(hi, m0.block_start(p) + m0.local_size(p));
        const int osz[2] = {int(hi - lo), int(hi - lo)}, osub[2] = {int(r1 - r0), int(hi - lo)}, ost[2] = {int(r0 - lo), 0};
        const int tsz[2] = {int(m0.local_size(p)), int(n)}, tst[2] = {int(r0 - m0.block_start(p)), int(lo)};
        MPI_Datatype ot, tt;
        MPI_Type_create_subarray(2, osz, osub, ost, MPI_ORDER_C, MPI_DOUBLE, &ot);
        MPI_Type_create_subarray(2, tsz, osub, tst, MPI_ORDER_C, MPI_DOUBLE, &tt);
        MPI_Type_commit(&ot);
        MPI_Type_commit(&tt);
        MPI_Get(want.data(), 1, ot, p, 0, 1, tt, hw.win);
        MPI_Type_free(&ot);
        MPI_Type_free(&tt);
      }
      MPI_Win_flush_local_all(hw.win);
    });
    bench::require(world, !root || got == want, "rma_get_region");
    bench::report(world, "rma_get_region", {n, n, hi - lo}, t, tb);
  }

  // ---- many single elements from one rank ----
  {
    const int count = quick ? 50 : 2000;
    std::vector<std::array<index_t, 2>> where(static_cast<std::size_t>(count));
    for (int e = 0; e < count; ++e) where[static_cast<std::size_t>(e)] = {(e * 7919) % n, (e * 104729) % n};
    const double t = bench::time(world, reps, [&] {
      if (root)
        for (int e = 0; e < count; ++e) {
          const auto& w = where[static_cast<std::size_t>(e)];
          const double v = -1.0 - e;
          dist::put(a, dist::region<2>{{w[0], w[1]}, {w[0] + 1, w[1] + 1}}, std::span<const double>(&v, 1));
        }
      dist::fence(a);
    });
    const double tb = bench::time(world, reps, [&] {
      if (root)
        for (int e = 0; e < count; ++e) {
          const auto& w = where[static_cast<std::size_t>(e)];
          const double v = -1.0 - e;
          const int p = m0.owner(w[0]);
          MPI_Put(&v, 1, MPI_DOUBLE, p, static_cast<MPI_Aint>((w[0] - m0.block_start(p)) * n + w[1]), 1, MPI_DOUBLE, hw.win);
          MPI_Win_flush_local(p, hw.win);
        }
      MPI_Win_flush_all(hw.win);
      MPI_Win_sync(hw.win);
      MPI_Barrier(world);
      MPI_Win_sync(hw.win);
    });
    bench::require(world, std::equal(hand.begin(), hand.end(), a.local_data().begin()), "rma_put_elements");
    bench::report(world, "rma_put_elements", {n, n, count}, t, tb);
  }

  // ---- every rank adds into the same rows ----
  {
    const index_t r0 = n / 2 - 2, r1 = n / 2 + 2;  // straddles a block boundary at 2 ranks
    std::vector<double> add(static_cast<std::size_t>((r1 - r0) * n), 1.0);
    const double t = bench::time(world, reps, [&] {
      dist::accumulate(a, dist::region<2>{{r0, 0}, {r1, n}}, add);
      dist::fence(a);
    });
    const double tb = bench::time(world, reps, [&] {
      for (int p = m0.owner(r0); p <= m0.owner(r1 - 1); ++p) {
        const index_t s0 = std::max(r0, m0.block_start(p)), s1 = std::min(r1, m0.block_start(p) + m0.local_size(p));
        MPI_Accumulate(add.data() + (s0 - r0) * n, int((s1 - s0) * n), MPI_DOUBLE, p,
                       static_cast<MPI_Aint>((s0 - m0.block_start(p)) * n), int((s1 - s0) * n), MPI_DOUBLE, MPI_SUM, hw.win);
      }
      MPI_Win_flush_all(hw.win);
      MPI_Win_sync(hw.win);
      MPI_Barrier(world);
      MPI_Win_sync(hw.win);
    });
    bench::require(world, std::equal(hand.begin(), hand.end(), a.local_data().begin()), "rma_accumulate_rows");
    bench::report(world, "rma_accumulate_rows", {n, n, r1 - r0}, t, tb);
  }
  dist::fence(a);
  return 0;
}
