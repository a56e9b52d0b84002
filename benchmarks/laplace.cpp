// The Laplace benchmark (GAiN's laplace.py, N = 4096, 100 Jacobi
// iterations) in dist's slice style and halo style against a hand-written
// MPI Jacobi (balanced row blocks with one ghost row each side,
// MPI_Sendrecv of the halo rows, a plain loop, two arrays swapped, on the
// page size dist uses: bench::page_vector), in the same run:
// - laplace_*_style: best of 5 runs of 100 iterations from the same state
//   (the styles interleaved, so drifts in the machine hit all alike);
// - laplace_*_style:user_timed_50: 50 iterations on arrays just made, timed
//   as a user times a loop (plans, ghost growth and all first-use costs
//   in), with the first iteration's cost in steady iterations (the
//   hand-written loop timed so before and after them, the faster counting);
// - the bytes each rank sends per iteration, counted through the MPI
//   profiling interface (every send and collective of this process);
// - laplace_in_place_floor: no dist, how much slower the hand-written sweep
//   runs in one array (each new row written a row up) than into a second
//   array on this machine: the most any in-place loop can hope for.
// Run it with and without DIST_HUGE_PAGES=0 (many clusters have 4 KiB pages).
//   mpiexec -n 2 ./bench_laplace [--quick]
#include <mpi.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <dist/dist.hpp>
#include <utility>
#include <vector>

#include "bench.hpp"

using dist::index_t;

// ---- bytes sent, counted by PMPI wrappers ----
namespace {
long long sent_bytes = 0;
long long type_bytes(MPI_Datatype t, long long count) {
  int size = 0;
  PMPI_Type_size(t, &size);
  return count * size;
}
}  // namespace

extern "C" {
int MPI_Send(const void* b, int c, MPI_Datatype t, int d, int tag, MPI_Comm comm) {
  if (d != MPI_PROC_NULL) sent_bytes += type_bytes(t, c);
  return PMPI_Send(b, c, t, d, tag, comm);
}
int MPI_Isend(const void* b, int c, MPI_Datatype t, int d, int tag, MPI_Comm comm, MPI_Request* r) {
  if (d != MPI_PROC_NULL) sent_bytes += type_bytes(t, c);
  return PMPI_Isend(b, c, t, d, tag, comm, r);
}
int MPI_Sendrecv(const void* sb, int sc, MPI_Datatype st, int d, int stag, void* rb, int rc, MPI_Datatype rt, int s, int rtag,
                 MPI_Comm comm, MPI_Status* status) {
  if (d != MPI_PROC_NULL) sent_bytes += type_bytes(st, sc);
  return PMPI_Sendrecv(sb, sc, st, d, stag, rb, rc, rt, s, rtag, comm, status);
}
int MPI_Alltoallv(const void* sb, const int* sc, const int* sd, MPI_Datatype st, void* rb, const int* rc, const int* rd,
                  MPI_Datatype rt, MPI_Comm comm) {
  int p = 0, me = 0;
  PMPI_Comm_size(comm, &p);
  PMPI_Comm_rank(comm, &me);
  for (int i = 0; i < p; ++i)
    if (i != me) sent_bytes += type_bytes(st, sc[i]);
  return PMPI_Alltoallv(sb, sc, sd, st, rb, rc, rd, rt, comm);
}
int MPI_Allreduce(const void* sb, void* rb, int c, MPI_Datatype t, MPI_Op op, MPI_Comm comm) {
  int p = 0;
  PMPI_Comm_size(comm, &p);
  if (p > 1) sent_bytes += type_bytes(t, c);
  return PMPI_Allreduce(sb, rb, c, t, op, comm);
}
}

namespace {

struct problem {
  index_t n;
  double dx2, dy2, dnr_inv;
  explicit problem(index_t size) : n(size) {
    const double dx = 1.0 / static_cast<double>(n - 1);
    dx2 = dy2 = dx * dx;
    dnr_inv = 0.5 / (dx2 + dy2);
  }
  double initial(index_t i, index_t j) const {
    const double x = static_cast<double>(i) / static_cast<double>(n - 1), y = static_cast<double>(j) / static_cast<double>(n - 1);
    return (i == 0 || j == 0 || i == n - 1 || j == n - 1) ? x * x - y * y : 0.0;
  }
};

// The hand-written Jacobi: rows [r0, r0 + m) of u with a ghost row above and below.
struct hand_jacobi {
  const problem& p;
  MPI_Comm comm;
  index_t r0 = 0, m = 0;
  int up = MPI_PROC_NULL, down = MPI_PROC_NULL;
  bench::page_vector<double> u, v;
  hand_jacobi(const problem& pr, MPI_Comm c) : p(pr), comm(c) {
    int rank = 0, size = 1;
    MPI_Comm_rank(c, &rank);
    MPI_Comm_size(c, &size);
    const index_t q = p.n / size, r = p.n % size;
    m = q + (rank < r ? 1 : 0);
    r0 = rank * q + std::min<index_t>(rank, r);
    if (rank > 0) up = rank - 1;
    if (rank < size - 1) down = rank + 1;
    u.assign(static_cast<std::size_t>((m + 2) * p.n), 0.0);
    v.assign(u.size(), 0.0);
    reset();
  }
  // back to the initial state in the same memory (as dist's arrays are reset by assignment)
  void reset() {
    std::fill(u.begin(), u.end(), 0.0);
    for (index_t i = 0; i < m; ++i)
      for (index_t j = 0; j < p.n; ++j) u[static_cast<std::size_t>((i + 1) * p.n + j)] = p.initial(r0 + i, j);
    std::copy(u.begin(), u.end(), v.begin());
  }
  void iterate() {
    const index_t n = p.n;
    double* a = u.data();
    // halo rows: my first row up, my last row down
    MPI_Sendrecv(a + n, static_cast<int>(n), MPI_DOUBLE, up, 0, a + (m + 1) * n, static_cast<int>(n), MPI_DOUBLE, down, 0, comm,
                 MPI_STATUS_IGNORE);
    MPI_Sendrecv(a + m * n, static_cast<int>(n), MPI_DOUBLE, down, 1, a, static_cast<int>(n), MPI_DOUBLE, up, 1, comm,
                 MPI_STATUS_IGNORE);
    double* b = v.data();
    const double dx2 = p.dx2, dy2 = p.dy2, dnr = p.dnr_inv;
    for (index_t i = 1; i <= m; ++i) {
      const index_t g = r0 + i - 1;
      if (g == 0 || g == n - 1) continue;
      const double *c = a + i * n, *above = c - n, *below = c + n;
      double* o = b + i * n;
      for (index_t j = 1; j < n - 1; ++j) o[j] = ((above[j] + below[j]) * dy2 + (c[j - 1] + c[j + 1]) * dx2) * dnr;
    }
    std::swap(u, v);
  }
  std::vector<double> interior() const { return {u.begin() + p.n, u.begin() + (m + 1) * p.n}; }
};

// The machine's floor for computing in place, no dist involved: the
// hand-written Jacobi's sweep over this rank's rows (no messages) into a
// second array, against the same sweep in one array where each new row is
// written one row up, into the row no later read needs (the block drifts
// up a row per sweep, into `iters` slack rows): in place with no queue and
// no copy. Returns {two arrays, in place} seconds for `iters` sweeps, the
// faster of two tries each, the slowest rank's; the results must agree.
// Collective.
std::array<double, 2> in_place_floor(MPI_Comm comm, const hand_jacobi& h, int iters) {
  const index_t n = h.p.n, rows = h.m + 2;
  const double dx2 = h.p.dx2, dy2 = h.p.dy2, dnr = h.p.dnr_inv;
  // rows 1 .. rows - 2 of u into o, edges copied; o's row i - 1 may be u's
  // row i - 1 (read at column j just before column j is written), which
  // the compiler can't tell from overlap: hence the pragma
  const auto sweep = [n, rows, dx2, dy2, dnr](const double* u, double* o) {
    for (index_t i = 1; i + 1 < rows; ++i) {
      const double *c = u + i * n, *above = c - n, *below = c + n;
      double* r = o + i * n;
      r[0] = c[0];
#if defined(__clang__)
#pragma clang loop vectorize(assume_safety)
#elif defined(__GNUC__)
#pragma GCC ivdep
#endif
      for (index_t j = 1; j < n - 1; ++j) r[j] = ((above[j] + below[j]) * dy2 + (c[j - 1] + c[j + 1]) * dx2) * dnr;
      r[n - 1] = c[n - 1];
    }
  };
  bench::page_vector<double> u(h.u.begin(), h.u.end()), v(u), w(static_cast<std::size_t>((rows + iters) * n));
  const auto slack = static_cast<std::ptrdiff_t>(iters * n);
  std::array<double, 2> t{1e300, 1e300};
  for (int r = 0; r < 2; ++r) {
    std::copy(h.u.begin(), h.u.end(), u.begin());
    std::copy(h.u.begin(), h.u.end(), v.begin());
    double t0 = MPI_Wtime();
    for (int it = 0; it < iters; ++it) {
      sweep(u.data(), v.data());
      std::swap(u, v);
    }
    t[0] = std::min(t[0], MPI_Wtime() - t0);
    std::copy(h.u.begin(), h.u.end(), w.begin() + slack);
    double* b = w.data() + slack;
    t0 = MPI_Wtime();
    for (int it = 0; it < iters; ++it, b -= n) {
      std::copy_n(b, n, b - n);  // the first row moves up; the others as they are computed
      sweep(b, b - n);
      std::copy_n(b + (rows - 1) * n, n, b + (rows - 2) * n);
    }
    t[1] = std::min(t[1], MPI_Wtime() - t0);
    bench::require(comm, bench::same(std::span<const double>(b, u.size()), std::span<const double>(u.data(), u.size())),
                   "laplace in-place floor");
  }
  PMPI_Allreduce(MPI_IN_PLACE, t.data(), 2, MPI_DOUBLE, MPI_MAX, comm);
  return t;
}

// Times `iters` calls of step() as a user times a loop (one clock before,
// one after; the first call's set-up in). Returns {total, first call,
// median of the others, slowest of the others}, each the slowest rank's. Collective.
template <class Step>
std::array<double, 4> user_timed(MPI_Comm comm, int iters, Step&& step) {
  std::vector<double> stamp(static_cast<std::size_t>(iters) + 1);
  MPI_Barrier(comm);
  stamp[0] = MPI_Wtime();
  for (int i = 0; i < iters; ++i) {
    step();
    stamp[static_cast<std::size_t>(i) + 1] = MPI_Wtime();
  }
  std::vector<double> rest;
  for (std::size_t i = 1; i + 1 < stamp.size(); ++i) rest.push_back(stamp[i + 1] - stamp[i]);
  std::nth_element(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(rest.size() / 2), rest.end());
  const double slowest = rest.empty() ? 0.0 : *std::max_element(rest.begin(), rest.end());
  std::array<double, 4> t{stamp.back() - stamp[0], stamp[1] - stamp[0], rest.empty() ? 0.0 : rest[rest.size() / 2], slowest};
  PMPI_Allreduce(MPI_IN_PLACE, t.data(), 4, MPI_DOUBLE, MPI_MAX, comm);
  return t;
}

void report_user_timed(MPI_Comm comm, const char* name, index_t n, int iters, const std::array<double, 4>& t,
                       const std::array<double, 4>& base) {
  int rank = 0, np = 0;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &np);
  if (rank == 0)
    std::printf("{\"name\": \"%s:user_timed_%d\", \"np\": %d, \"sizes\": [%lld, %d], \"seconds\": %g, \"baseline_seconds\": %g, "
                "\"ratio\": %.3f, \"first_iteration_in_steady_iterations\": %.2f, \"baseline_first_in_steady\": %.2f, "
                "\"slowest_other_in_steady\": %.2f, \"baseline_slowest_other_in_steady\": %.2f}\n",
                name, iters, np, static_cast<long long>(n), iters, t[0], base[0], base[0] / t[0], t[1] / t[2], base[1] / base[2], t[3] / t[2],
                base[3] / base[2]);
}

}  // namespace

int main(int argc, char** argv) {
  bench::session session(argc, argv);
  const dist::communicator& world = session.world;
  const bool quick = session.quick;
  const index_t n = quick ? 67 : 4096;
  const int iters = quick ? 5 : 100, user_iters = quick ? 5 : 50;
  const int reps = quick ? 1 : 5;
  const problem p(n);
  using dist::shifted;
  using dist::slice;
  const slice in{1, -1}, lo{0, -2}, hi{2, std::nullopt};
  const auto init = [&](index_t i, index_t j) { return p.initial(i, j); };
  // the two styles, one iteration each
  const auto slice_step = [&](dist::array<double, 2>& us) {
    us(in, in) = ((us(lo, in) + us(hi, in)) * p.dy2 + (us(in, lo) + us(in, hi)) * p.dx2) * p.dnr_inv;
  };
  const auto halo_step = [&](dist::array<double, 2>& u, dist::array<double, 2>& v) {
    auto x = u(in, in);
    auto h = u.start_halo_exchange();
    dist::assign_overlapped(
        v(in, in), ((shifted(x, {-1, 0}) + shifted(x, {1, 0})) * p.dy2 + (shifted(x, {0, -1}) + shifted(x, {0, 1})) * p.dx2) * p.dnr_inv, h);
    swap(u, v);
  };

  // As a user times a loop: arrays just made on a distribution never used
  // (so no plan, layout or ghost layer exists yet), 50 iterations timed whole.
  // The hand-written loop runs before and after them (the faster counts):
  // whichever runs first in a process pays for the machine warming up.
  std::array<double, 4> user_slice, user_halo, user_hand, user_hand_after;
  {
    hand_jacobi h(p, world);
    user_hand = user_timed(world, user_iters, [&] { h.iterate(); });
  }
  {
    const dist::distribution<2> D({n, n}, world);
    auto us = dist::fromfunction<double>(D, init);
    user_slice = user_timed(world, user_iters, [&] { slice_step(us); });
  }
  {
    const dist::distribution<2> D({n, n}, world);
    dist::array<double, 2> u(D, dist::halo{1}), v(D, dist::halo{1});
    u = dist::fromfunction<double>(D, init);
    v = u;
    user_halo = user_timed(world, user_iters, [&] { halo_step(u, v); });
  }
  {
    hand_jacobi h(p, world);
    user_hand_after = user_timed(world, user_iters, [&] { h.iterate(); });
  }
  if (world.rank() == 0)
    std::printf("{\"name\": \"laplace_hand_written:user_timed_%d_before_and_after\", \"np\": %d, \"sizes\": [%lld, %d], "
                "\"before_seconds\": %g, \"after_seconds\": %g}\n",
                user_iters, world.size(), static_cast<long long>(n), user_iters, user_hand[0], user_hand_after[0]);
  if (user_hand_after[0] < user_hand[0]) user_hand = user_hand_after;

  // Steady state: the best of `reps` runs of `iters` iterations from the same state, the styles interleaved.
  const dist::distribution<2> D({n, n}, world);  // block rows: the same rows per rank as the baseline
  auto start = dist::fromfunction<double>(D, init);
  dist::array<double, 2> us(D), u(D, dist::halo{1}), v(D, dist::halo{1});
  hand_jacobi h(p, world);  // made once, like dist's arrays: every rep runs on the same pages
  long long bytes_slice = 0, bytes_halo = 0, bytes_hand = 0;
  double t_slice = 1e300, t_halo = 1e300, t_hand = 1e300;
  for (int r = 0; r < reps; ++r) {
    us = start;
    t_slice = std::min(t_slice, bench::time(world, 1, [&] {
      const long long b0 = sent_bytes;
      for (int it = 0; it < iters; ++it) slice_step(us);
      bytes_slice = sent_bytes - b0;
    }));
    u = start;
    v = start;
    t_halo = std::min(t_halo, bench::time(world, 1, [&] {
      const long long b0 = sent_bytes;
      for (int it = 0; it < iters; ++it) halo_step(u, v);
      bytes_halo = sent_bytes - b0;
    }));
    h.reset();
    t_hand = std::min(t_hand, bench::time(world, 1, [&] {
      const long long b0 = sent_bytes;
      for (int it = 0; it < iters; ++it) h.iterate();
      bytes_hand = sent_bytes - b0;
    }));
  }
  const std::vector<double> hand_result = h.interior();
  bench::require(world, bench::same(us.local_data(), hand_result, 1e-12), "laplace slice style");
  bench::require(world, bench::same(u.local_data(), hand_result, 1e-12), "laplace halo style");
  bench::report(world, "laplace_slice_style", {n, iters}, t_slice, t_hand);
  bench::report(world, "laplace_halo_style", {n, iters}, t_halo, t_hand);
  report_user_timed(world, "laplace_slice_style", n, user_iters, user_slice, user_hand);
  report_user_timed(world, "laplace_halo_style", n, user_iters, user_halo, user_hand);
  const auto floor = in_place_floor(world, h, iters);
  if (world.rank() == 0)
    std::printf("{\"name\": \"laplace_in_place_floor\", \"np\": %d, \"sizes\": [%lld, %d], \"seconds\": %g, \"baseline_seconds\": %g, "
                "\"ratio\": %.3f, \"note\": \"no dist: each rank's sweep in one array written a row up vs into a second array\"}\n",
                world.size(), static_cast<long long>(n), iters, floor[1], floor[0], floor[0] / floor[1]);
  long long mine[3] = {bytes_slice / iters, bytes_halo / iters, bytes_hand / iters}, most[3];
  PMPI_Allreduce(mine, most, 3, MPI_LONG_LONG, MPI_MAX, world);
  if (world.rank() == 0)
    std::printf("{\"name\": \"laplace_bytes_per_iteration\", \"np\": %d, \"sizes\": [%lld], \"slice_style\": %lld, "
                "\"halo_style\": %lld, \"hand_written\": %lld, \"note\": \"largest over ranks of the bytes one rank sends\"}\n",
                world.size(), static_cast<long long>(n), most[0], most[1], most[2]);
  return 0;
}
