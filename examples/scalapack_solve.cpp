// Solve A x = b with ScaLAPACK's LU on dist arrays, no copies: A and b are
// block_cyclic{nb} on one process grid, dist::scalapack::desc hands their
// local blocks to pdgetrf/pdgetrs, and dist checks the residual.
// Run: mpiexec -n 4 ./scalapack_solve [n [nb]]     (defaults 1000, 64)
// Exit status 1 when the scaled residual is not small.
#include <cmath>
#include <cstdlib>
#include <dist/dist.hpp>
#include <dist/interop/scalapack.hpp>
#include <iostream>
#include <limits>
#include <vector>

extern "C" {
void pdgetrf_(const int* m, const int* n, double* a, const int* ia, const int* ja, const int* desca, int* ipiv, int* info);
void pdgetrs_(const char* trans, const int* n, const int* nrhs, const double* a, const int* ia, const int* ja, const int* desca,
              const int* ipiv, double* b, const int* ib, const int* jb, const int* descb, int* info);
}

int main(int argc, char** argv) {
  dist::environment env(argc, argv);
  dist::communicator world;
  const dist::index_t n = argc > 1 ? std::atoll(argv[1]) : 1000;
  const dist::index_t nb = argc > 2 ? std::atoll(argv[2]) : 64;

  // A (n x n) and b (1 x n: one right-hand side per row) on the same grid
  const dist::distribution<2> dA({n, n}, {dist::block_cyclic{nb}, dist::block_cyclic{nb}}, world);
  const dist::grid g{dA.grid()[0], dA.grid()[1]};
  const dist::distribution<2> db({1, n}, {dist::block_cyclic{nb}, dist::block_cyclic{nb}}, world, g);
  auto A = dist::random::uniform<double>(dA, 42, -1.0, 1.0);
  A += dist::fromfunction<double>(dA, [](dist::index_t i, dist::index_t j) { return i == j ? 2.0 : 0.0; });
  auto b = dist::fromfunction<double>(db, [n](dist::index_t, dist::index_t j) { return std::cos(double(j) / double(n)); });
  const dist::array<double, 2> A0 = A, b0 = b;  // pdgetrf/pdgetrs overwrite A and b

  // ScaLAPACK sees the transposes (dist's blocks are row-major): factor A^T,
  // then solve (A^T)^T x = A x = b with trans = "T"; b becomes x
  const auto descA = dist::scalapack::desc(A), descb = dist::scalapack::desc(b);
  std::vector<int> ipiv(static_cast<std::size_t>(A.local_shape()[1] + nb));
  const int N = static_cast<int>(n), one = 1;
  int info = 0;
  const double t0 = MPI_Wtime();
  pdgetrf_(&N, &N, A.local_data().data(), &one, &one, descA, ipiv.data(), &info);
  if (info == 0)
    pdgetrs_("T", &N, &one, A.local_data().data(), &one, &one, descA, ipiv.data(), b.local_data().data(), &one, &one, descb, &info);
  const double seconds = MPI_Wtime() - t0;
  if (info != 0) {
    if (world.rank() == 0) std::cerr << "ScaLAPACK failed, info = " << info << "\n";
    return 1;
  }

  // the residual with dist: r = A x - b (x is row 0 of b now)
  auto x = b(0, dist::all());
  const dist::array<double, 1> r = dist::matvec(A0, x) - b0(0, dist::all());
  const double rnorm = dist::norm(r), anorm = dist::norm(A0), xnorm = dist::norm(x);
  const double scaled = rnorm / (anorm * xnorm * double(n) * std::numeric_limits<double>::epsilon());
  if (world.rank() == 0)
    std::cout << "n = " << n << ", nb = " << nb << ", grid " << g[0] << " x " << g[1] << ": pdgetrf + pdgetrs "
              << seconds << " s, ||A x - b|| = " << rnorm << ", scaled residual " << scaled << "\n";
  return scaled < 10.0 ? 0 : 1;
}
