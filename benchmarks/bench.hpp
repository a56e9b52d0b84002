// The benchmark harness: time an operation and its hand-written baseline in
// the same run, print one JSON line per pair on rank 0.
//   {"name": ..., "np": ..., "sizes": [...], "seconds": ..., "baseline_seconds": ..., "ratio": ...}
// seconds: best over repetitions of the slowest rank's time; ratio =
// baseline_seconds / seconds (>= 1: dist is as fast as the baseline).
#pragma once

#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include <dist/array/buffer.hpp>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace bench {

/// std::vector's allocator for baselines that should use the page size
/// dist's blocks use: blocks of 8 MiB and more ask for transparent huge
/// pages unless DIST_HUGE_PAGES=0 (dist's buffer policy), so a ratio
/// compares the same pages on both sides.
template <class T>
struct page_allocator {
  using value_type = T;
  page_allocator() = default;
  template <class U>
  page_allocator(const page_allocator<U>&) noexcept {}
  // dist's block policy itself (array/buffer.hpp), so both sides use the same pages
  static std::size_t alignment(std::size_t bytes) {
    return bytes >= dist::detail::huge_block_bytes && dist::detail::huge_pages_on() ? dist::detail::huge_page_bytes
                                                                                   : dist::detail::block_alignment;
  }
  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    const std::size_t align = alignment(bytes);
    void* p = ::operator new(bytes, std::align_val_t{align});
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (align == dist::detail::huge_page_bytes)
      ::madvise(p, (bytes + dist::detail::huge_page_bytes - 1) / dist::detail::huge_page_bytes * dist::detail::huge_page_bytes,
                MADV_HUGEPAGE);
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept { ::operator delete(p, std::align_val_t{alignment(n * sizeof(T))}); }
  friend bool operator==(const page_allocator&, const page_allocator&) { return true; }
};
template <class T>
using page_vector = std::vector<T, page_allocator<T>>;

/// Best-of-`reps` wall time of `fn`, each rep measured as the slowest rank's. Collective.
template <class F>
double time(MPI_Comm comm, int reps, F&& fn) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    MPI_Barrier(comm);
    const double t0 = MPI_Wtime();
    fn();
    double t = MPI_Wtime() - t0;
    MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, comm);
    best = std::min(best, t);
  }
  return best;
}

/// The same, running an untimed `setup` before each rep (the timed part
/// starts after a barrier). Collective.
template <class Setup, class F>
double time(MPI_Comm comm, int reps, Setup&& setup, F&& fn) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    setup();
    best = std::min(best, time(comm, 1, fn));
  }
  return best;
}

/// True when a and b have the same length and agree element-wise to
/// tol * (1 + |b|). Local.
inline bool same(std::span<const double> a, std::span<const double> b, double tol = 0) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::abs(a[i] - b[i]) > tol * (1 + std::abs(b[i]))) return false;
  return true;
}

/// Prints the JSON line on rank 0 of `comm`.
inline void report(MPI_Comm comm, const std::string& name, const std::vector<long long>& sizes, double seconds,
                   double baseline) {
  int rank = 0, np = 0;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &np);
  if (rank != 0) return;
  std::string s;
  for (std::size_t i = 0; i < sizes.size(); ++i) s += (i ? ", " : "") + std::to_string(sizes[i]);
  std::printf("{\"name\": \"%s\", \"np\": %d, \"sizes\": [%s], \"seconds\": %.6g, \"baseline_seconds\": %.6g, \"ratio\": %.3f}\n",
              name.c_str(), np, s.c_str(), seconds, baseline, baseline / seconds);
  std::fflush(stdout);
}

/// Times `fn` `reps` times (the first, cold, included) and returns {best,
/// first}: loops timed as users time them. Collective.
template <class F>
std::pair<double, double> best_and_first(MPI_Comm comm, int reps, F&& fn) {
  double best = 1e300, first = 0;
  for (int r = 0; r < reps; ++r) {
    const double t = time(comm, 1, fn);
    if (r == 0) first = t;
    best = std::min(best, t);
  }
  return {best, first};
}

/// Reports the best times, and the cold first iterations on a line named
/// name:first_iteration. Rank 0 prints.
inline void report2(MPI_Comm comm, const std::string& name, const std::vector<long long>& sizes, std::pair<double, double> t,
                    std::pair<double, double> b) {
  report(comm, name, sizes, t.first, b.first);
  report(comm, name + ":first_iteration", sizes, t.second, b.second);
}

/// True when the command line has `--quick` (tiny sizes, for the smoke test).
inline bool quick(int argc, char** argv);

/// What every benchmark's main starts with: MPI (dist::environment), the
/// world communicator, and whether --quick (tiny sizes) was asked for.
struct session {
  dist::environment env;
  dist::communicator world;
  bool quick;
  session(int& argc, char**& argv) : env(argc, argv), quick(bench::quick(argc, argv)) {}
};

inline bool quick(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--quick") == 0) return true;
  return false;
}

/// Fails the benchmark (exit 1 on every rank) when dist and the baseline disagree.
inline void require(MPI_Comm comm, bool ok, const std::string& what) {
  int bad = ok ? 0 : 1;
  MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, comm);
  if (bad) {
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    if (rank == 0) std::fprintf(stderr, "benchmark %s: dist and the baseline computed different results\n", what.c_str());
    MPI_Abort(comm, 1);
  }
}

}  // namespace bench
