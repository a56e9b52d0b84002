// dist::matmul against ScaLAPACK's pdgemm on the same block_cyclic{64}
// data, and against one rank's BLAS dgemm of the whole product, same run.
//   mpiexec -n {1,2,4} ./bench_matmul [--quick] [n]      (n = 2048)
// Lines: matmul_vs_pdgemm (ratio = pdgemm s / dist s; the target is
// >= 0.9), matmul_vs_serial_dgemm (ratio = one rank's dgemm s / dist s: the
// speed-up over a serial BLAS), matmul_block_operands_vs_pdgemm (operands
// block x block, so dist redistributes them first), matmul_out_vs_pdgemm
// (dist::matmul(A, B, C) into an existing C, as pdgemm writes).
// Built with dist::scalapack when found (else the pdgemm line is left out)
// and dist::blas (else the local products use dist's own kernel).
#include <cstdlib>
#include <dist/dist.hpp>
#include <string>
#include <vector>

#include "bench.hpp"
#if defined(DIST_HAVE_SCALAPACK)
#include <dist/interop/scalapack.hpp>
extern "C" void pdgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k, const double* alpha,
                        const double* a, const int* ia, const int* ja, const int* desca, const double* b, const int* ib,
                        const int* jb, const int* descb, const double* beta, double* c, const int* ic, const int* jc,
                        const int* descc);
#endif

using dist::index_t;

int main(int argc, char** argv) {
  bench::session session(argc, argv);
  const dist::communicator& world = session.world;
  const bool quick = session.quick;
  index_t n = quick ? 192 : 2048;
  for (int i = 1; i < argc; ++i)
    if (argv[i][0] != '-') n = std::atoll(argv[i]);
  const index_t nb = quick ? 16 : 64;
  const int reps = quick ? 1 : 3;
  const dist::distribution<2> D({n, n}, {dist::block_cyclic{nb}, dist::block_cyclic{nb}}, world);
  auto A = dist::random::uniform<double>(D, 1, -1.0, 1.0);
  auto B = dist::random::uniform<double>(D, 2, -1.0, 1.0);
  const std::vector<long long> sizes{n, n, n};

  dist::array<double, 2> C(D);
  const double t_dist = bench::time(world, reps, [&] { C = dist::matmul(A, B); });
  const auto got = dist::allgather(C);

#if defined(DIST_HAVE_SCALAPACK)
  {
    dist::array<double, 2> C2(D, 0.0);
    const auto da = dist::scalapack::desc(A), db = dist::scalapack::desc(B), dc = dist::scalapack::desc(C2);
    const int N = static_cast<int>(n), one = 1;
    const double alpha = 1.0, beta = 0.0;
    // C^T = B^T A^T: ScaLAPACK sees the transposes of dist's row-major blocks
    const double t_pd = bench::time(world, reps, [&] {
      pdgemm_("N", "N", &N, &N, &N, &alpha, B.local_data().data(), &one, &one, db.data(),
              A.local_data().data(), &one, &one, da.data(), &beta, C2.local_data().data(), &one, &one, dc.data());
    });
    bench::require(world, bench::same(dist::allgather(C2), got, 1e-10), "matmul_vs_pdgemm");
    bench::report(world, "matmul_vs_pdgemm", sizes, t_dist, t_pd);
    // into an existing array, as pdgemm writes into C2 (no allocation, no page faults per call)
    dist::array<double, 2> C3(D);
    const double t_out = bench::time(world, reps, [&] { dist::matmul(A, B, C3); });
    bench::require(world, bench::same(dist::allgather(C3), got, 1e-10), "matmul_out_vs_pdgemm");
    bench::report(world, "matmul_out_vs_pdgemm", sizes, t_out, t_pd);
    const dist::distribution<2> blocks({n, n}, {dist::block{}, dist::block{}}, world);
    dist::array<double, 2> Ab(blocks), Bb(blocks);
    Ab = A;
    Bb = B;
    dist::array<double, 2> Cb(blocks);
    const double t_b = bench::time(world, reps, [&] { Cb = dist::matmul(Ab, Bb); });
    bench::require(world, bench::same(dist::allgather(Cb), got, 1e-10), "matmul_block_operands");
    bench::report(world, "matmul_block_operands_vs_pdgemm", sizes, t_b, t_pd);
  }
#endif

  // one rank multiplies the whole matrices (the same BLAS or kernel dist uses locally)
  {
    const auto ga = dist::allgather(A), gb = dist::allgather(B);
    std::vector<double> gc(ga.size());
    const double t_serial = bench::time(world, reps, [&] {
      if (world.rank() != 0) return;
      std::fill(gc.begin(), gc.end(), 0.0);
      dist::detail::gemm_add(n, n, n, ga.data(), n, gb.data(), n, gc.data(), n);
    });
    bench::require(world, world.rank() != 0 || bench::same(gc, got, 1e-10), "matmul_vs_serial_dgemm");
    bench::report(world, "matmul_vs_serial_dgemm", sizes, t_dist, t_serial);
  }
  return 0;
}
