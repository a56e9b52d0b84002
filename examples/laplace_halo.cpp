// The Laplace benchmark of laplace.cpp with explicit ghost layers: two
// arrays with one ghost row (dist::halo{1}), the exchange started before the
// update and finished while it runs (dist::assign_overlapped computes the
// rows that need no ghost first), and the arrays swapped, as a hand-written
// MPI Jacobi does.
//
//     mpiexec -n 4 ./laplace_halo [N] [iterations]      (defaults 1000 100)
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <dist/dist.hpp>
#include <utility>

int main(int argc, char** argv) {
  dist::environment env(argc, argv);
  dist::communicator world;
  const dist::index_t n = argc > 1 ? std::atoll(argv[1]) : 1000;
  const int iterations = argc > 2 ? std::atoi(argv[2]) : 100;
  if (n < 3 || iterations < 0) {
    if (world.rank() == 0) std::fprintf(stderr, "usage: laplace_halo [N >= 3] [iterations >= 0]\n");
    return 2;
  }
  using dist::shifted;
  using dist::slice;

  const double dx = 1.0 / static_cast<double>(n - 1), dy = dx;
  const double dx2 = dx * dx, dy2 = dy * dy, dnr_inv = 0.5 / (dx2 + dy2);
  auto exact = [&](dist::index_t i, dist::index_t j) {
    const double x = static_cast<double>(i) * dx, y = static_cast<double>(j) * dy;
    return x * x - y * y;
  };

  dist::distribution<2> D({n, n}, world);  // block rows
  dist::array<double, 2> u(D, dist::halo{1}), v(D, dist::halo{1});
  u = dist::fromfunction<double>(D, [&](dist::index_t i, dist::index_t j) {
    return (i == 0 || j == 0 || i == n - 1 || j == n - 1) ? exact(i, j) : 0.0;
  });
  v = u;  // the boundary stays put in both
  const auto solution = dist::fromfunction<double>(D, exact);
  const slice in{1, -1};

  if (world.rank() == 0)
    std::printf("Laplace (halo style) %lld x %lld, %d iterations, %d ranks\n", static_cast<long long>(n),
                static_cast<long long>(n), iterations, world.size());
  double compute = 0;
  for (int it = 1; it <= iterations; ++it) {
    const double t0 = MPI_Wtime();
    auto x = u(in, in);  // the interior; shifted(x, ...) reads its neighbours, ghosts included
    auto exchange = u.start_halo_exchange();
    dist::assign_overlapped(v(in, in),
                            ((shifted(x, {-1, 0}) + shifted(x, {1, 0})) * dy2 + (shifted(x, {0, -1}) + shifted(x, {0, 1})) * dx2) *
                                dnr_inv,
                            exchange);
    swap(u, v);
    compute += MPI_Wtime() - t0;
    if (it % 10 == 0 || it == iterations) {
      const double err = std::sqrt(dist::sum(dist::square(u - solution)) / static_cast<double>(n * n));
      if (world.rank() == 0) std::printf("iteration %4d  rms error %.6e\n", it, err);
    }
  }
  double slowest = compute;
  MPI_Allreduce(MPI_IN_PLACE, &slowest, 1, MPI_DOUBLE, MPI_MAX, world);
  if (world.rank() == 0 && iterations > 0)
    std::printf("time per iteration: %.3f ms (slowest rank)\n", 1e3 * slowest / iterations);
  return 0;
}
