// GAiN's Laplace benchmark, written the NumPy way: Jacobi iteration for
// Laplace's equation on [0,1]^2 with u = x^2 - y^2 on the boundary (which is
// also the exact solution), one slice statement per iteration:
//
//     u[1:-1,1:-1] = ((u[0:-2,1:-1] + u[2:,1:-1])*dy2 + (u[1:-1,0:-2] + u[1:-1,2:])*dx2)*dnr_inv
//
// The statement reads and writes u; dist gives it NumPy's meaning (the right
// side is evaluated first) and moves only one boundary row per neighbour.
//
//     mpiexec -n 4 ./laplace [N] [iterations]      (defaults 1000 100)
//
// Prints the RMS error against the exact solution every 10 iterations and
// the time per iteration.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <dist/dist.hpp>
#include <optional>

int main(int argc, char** argv) {
  dist::environment env(argc, argv);
  dist::communicator world;
  const dist::index_t n = argc > 1 ? std::atoll(argv[1]) : 1000;
  const int iterations = argc > 2 ? std::atoi(argv[2]) : 100;
  if (n < 3 || iterations < 0) {
    if (world.rank() == 0) std::fprintf(stderr, "usage: laplace [N >= 3] [iterations >= 0]\n");
    return 2;
  }
  using dist::slice;
  using std::nullopt;

  const double dx = 1.0 / static_cast<double>(n - 1), dy = dx;
  const double dx2 = dx * dx, dy2 = dy * dy, dnr_inv = 0.5 / (dx2 + dy2);
  auto exact = [&](dist::index_t i, dist::index_t j) {
    const double x = static_cast<double>(i) * dx, y = static_cast<double>(j) * dy;
    return x * x - y * y;
  };

  // u: boundary values, zero inside; rows split over the ranks
  dist::distribution<2> D({n, n}, world);
  auto u = dist::fromfunction<double>(D, [&](dist::index_t i, dist::index_t j) {
    return (i == 0 || j == 0 || i == n - 1 || j == n - 1) ? exact(i, j) : 0.0;
  });
  const auto solution = dist::fromfunction<double>(D, exact);
  const slice in{1, -1}, lo{0, -2}, hi{2, nullopt};

  if (world.rank() == 0)
    std::printf("Laplace %lld x %lld, %d iterations, %d ranks\n", static_cast<long long>(n), static_cast<long long>(n),
                iterations, world.size());
  double compute = 0;
  for (int it = 1; it <= iterations; ++it) {
    const double t0 = MPI_Wtime();
    u(in, in) = ((u(lo, in) + u(hi, in)) * dy2 + (u(in, lo) + u(in, hi)) * dx2) * dnr_inv;
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
