// dist::scalapack::desc: ScaLAPACK runs on dist arrays' blocks
// directly; pdgemm and pdgetrf/pdgetrs against serial references.
#include <gtest/gtest.h>

#include <cmath>
#include <dist/dist.hpp>
#include <dist/interop/scalapack.hpp>
#include <vector>

#include "test_util.hpp"

extern "C" {
void pdgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k, const double* alpha,
             const double* a, const int* ia, const int* ja, const int* desca, const double* b, const int* ib, const int* jb,
             const int* descb, const double* beta, double* c, const int* ic, const int* jc, const int* descc);
void pdgetrf_(const int* m, const int* n, double* a, const int* ia, const int* ja, const int* desca, int* ipiv, int* info);
void pdgetrs_(const char* trans, const int* n, const int* nrhs, const double* a, const int* ia, const int* ja, const int* desca,
              const int* ipiv, double* b, const int* ib, const int* jb, const int* descb, int* info);
}

using dist::index_t;

namespace {

dist::communicator world;
const int one = 1;

using test_util::fa;
using test_util::fb;

TEST(scalapack, descriptor_matches_the_local_block) {
  for (const auto& [rs, cs] : {std::pair<dist::dim_spec, dist::dim_spec>{dist::block_cyclic{4}, dist::block_cyclic{4}},
                               {dist::block_cyclic{3}, dist::block_cyclic{5}},
                               {dist::cyclic{}, dist::cyclic{}},
                               {dist::block_cyclic{4}, dist::undistributed{}},
                               {dist::undistributed{}, dist::block_cyclic{2}}}) {
    for (const auto& [R, C] : {std::pair<index_t, index_t>{37, 23}, {3, 2}}) {  // 3 x 2: some blocks empty
      dist::distribution<2> d({R, C}, {rs, cs}, world);
      dist::array<double, 2> a(d, 0.0);
      const auto ds = dist::scalapack::desc(a);
      EXPECT_TRUE(ds.transposed);
      EXPECT_EQ(ds.desc[0], 1);   // dense
      EXPECT_EQ(ds.m(), C);       // ScaLAPACK sees the transpose
      EXPECT_EQ(ds.n(), R);
      EXPECT_EQ(ds.nprow * ds.npcol, world.size());
      const int zero = 0;
      EXPECT_EQ(numroc_(&ds.desc[2], &ds.desc[4], &ds.myrow, &zero, &ds.nprow), a.local_shape()[1]);
      EXPECT_EQ(numroc_(&ds.desc[3], &ds.desc[5], &ds.mycol, &zero, &ds.npcol), a.local_shape()[0]);
      EXPECT_EQ(ds.lld(), std::max<index_t>(1, a.local_shape()[1]));
    }
  }
}

TEST(scalapack, pdgemm_on_dist_arrays) {
  const index_t m = 37, k = 23, n = 41;
  // one process grid for all three (PBLAS wants one BLACS context)
  const auto g = dist::distribution<2>({m, n}, world).grid();
  const auto on = [&](index_t r, index_t c) {
    return dist::distribution<2>({r, c}, {dist::block_cyclic{8}, dist::block_cyclic{8}}, world, dist::grid{g[0], g[1]});
  };
  auto A = dist::fromfunction<double>(on(m, k), fa);
  auto B = dist::fromfunction<double>(on(k, n), fb);
  dist::array<double, 2> C(on(m, n), -7.0);
  const auto da = dist::scalapack::desc(A), db = dist::scalapack::desc(B), dc = dist::scalapack::desc(C);
  const int M = static_cast<int>(n), N = static_cast<int>(m), K = static_cast<int>(k);
  const double alpha = 1.0, beta = 0.0;
  // C^T = B^T A^T on the transposes ScaLAPACK sees
  pdgemm_("N", "N", &M, &N, &K, &alpha, B.local_data().data(), &one, &one, db, A.local_data().data(), &one, &one, da, &beta,
          C.local_data().data(), &one, &one, dc);
  const auto got = dist::allgather(C);
  const auto mine = dist::allgather(dist::matmul(A, B));
  for (index_t i = 0; i < m; ++i)
    for (index_t j = 0; j < n; ++j) {
      double s = 0;
      for (index_t p = 0; p < k; ++p) s += fa(i, p) * fb(p, j);
      EXPECT_NEAR(got[static_cast<std::size_t>(i * n + j)], s, 1e-12);
      EXPECT_NEAR(mine[static_cast<std::size_t>(i * n + j)], s, 1e-12);
    }
}

// x solving A x = b serially (Gaussian elimination with partial pivoting), b in column r of B
std::vector<double> serial_solve(std::vector<double> A, std::vector<double> b, index_t n) {
  for (index_t c = 0; c < n; ++c) {
    index_t piv = c;
    for (index_t r = c + 1; r < n; ++r)
      if (std::abs(A[static_cast<std::size_t>(r * n + c)]) > std::abs(A[static_cast<std::size_t>(piv * n + c)])) piv = r;
    for (index_t j = 0; j < n; ++j) std::swap(A[static_cast<std::size_t>(c * n + j)], A[static_cast<std::size_t>(piv * n + j)]);
    std::swap(b[static_cast<std::size_t>(c)], b[static_cast<std::size_t>(piv)]);
    for (index_t r = c + 1; r < n; ++r) {
      const double f = A[static_cast<std::size_t>(r * n + c)] / A[static_cast<std::size_t>(c * n + c)];
      for (index_t j = c; j < n; ++j) A[static_cast<std::size_t>(r * n + j)] -= f * A[static_cast<std::size_t>(c * n + j)];
      b[static_cast<std::size_t>(r)] -= f * b[static_cast<std::size_t>(c)];
    }
  }
  for (index_t r = n; r-- > 0;) {
    for (index_t j = r + 1; j < n; ++j) b[static_cast<std::size_t>(r)] -= A[static_cast<std::size_t>(r * n + j)] * b[static_cast<std::size_t>(j)];
    b[static_cast<std::size_t>(r)] /= A[static_cast<std::size_t>(r * n + r)];
  }
  return b;
}

TEST(scalapack, lu_solve_on_dist_arrays) {
  const index_t n = 57, nrhs = 2;
  dist::distribution<2> dA({n, n}, {dist::block_cyclic{5}, dist::block_cyclic{5}}, world);
  dist::distribution<2> dB({nrhs, n}, {dist::block_cyclic{5}, dist::block_cyclic{5}}, dA.comm(), dist::grid{dA.grid()[0], dA.grid()[1]});
  auto A = dist::fromfunction<double>(dA, [](index_t i, index_t j) { return fa(i, j) + (i == j ? 0.5 : 0.0); });
  auto B = dist::fromfunction<double>(dB, [](index_t r, index_t j) { return fb(r + 1, j); });
  const auto gA = dist::allgather(A), gB = dist::allgather(B);
  const auto da = dist::scalapack::desc(A), db = dist::scalapack::desc(B);
  std::vector<int> ipiv(static_cast<std::size_t>(A.local_shape()[1] + 5));
  int info = -1;
  const int N = static_cast<int>(n), R = static_cast<int>(nrhs);
  pdgetrf_(&N, &N, A.local_data().data(), &one, &one, da, ipiv.data(), &info);
  ASSERT_EQ(info, 0);
  pdgetrs_("T", &N, &R, A.local_data().data(), &one, &one, da, ipiv.data(), B.local_data().data(), &one, &one, db, &info);
  ASSERT_EQ(info, 0);
  const auto x = dist::allgather(B);
  for (index_t r = 0; r < nrhs; ++r) {
    std::vector<double> b(gB.begin() + r * n, gB.begin() + (r + 1) * n);
    const auto want = serial_solve(gA, b, n);
    for (index_t j = 0; j < n; ++j) EXPECT_NEAR(x[static_cast<std::size_t>(r * n + j)], want[static_cast<std::size_t>(j)], 1e-10);
  }
}

TEST(scalapack, grids_follow_their_communicator) {
  // communicators made and freed in turn (MPI may hand out the same handle
  // again): each one gets its own BLACS grid, released with it
  const std::size_t live = dist::scalapack::detail::live_blacs_grids().size();
  for (int round = 0; round < 3; ++round) {
    dist::communicator sub(world, boost::mpi::comm_duplicate);
    const dist::distribution<2> d({9, 9}, {dist::block_cyclic{2}, dist::block_cyclic{2}}, sub);
    auto A = dist::fromfunction<double>(d, fa);
    dist::array<double, 2> C(d, 0.0);
    const auto da = dist::scalapack::desc(A), dc = dist::scalapack::desc(C);
    EXPECT_EQ(da.context, dc.context);
    const int N = 9;
    const double alpha = 1.0, beta = 0.0;
    pdgemm_("N", "N", &N, &N, &N, &alpha, A.local_data().data(), &one, &one, da, A.local_data().data(), &one, &one, da, &beta,
            C.local_data().data(), &one, &one, dc);
    const auto got = dist::allgather(C);
    for (index_t i = 0; i < 9; ++i)
      for (index_t j = 0; j < 9; ++j) {
        double s = 0;
        for (index_t p = 0; p < 9; ++p) s += fa(i, p) * fa(p, j);
        EXPECT_NEAR(got[static_cast<std::size_t>(i * 9 + j)], s, 1e-12);
      }
  }
  EXPECT_EQ(dist::scalapack::detail::live_blacs_grids().size(), live);  // the freed communicators took theirs along
}

TEST(scalapack, other_layouts_are_refused) {
  auto u = dist::distribution<2>({11, 5}, {test_util::all_kinds(11, world, 3).back(), dist::undistributed{}}, world);
  EXPECT_THROW(dist::scalapack::desc(dist::array<double, 2>(u, 0.0)), dist::distribution_error);
  // block splits ScaLAPACK's way only when ceil(n/p)-sized blocks give the same sizes
  dist::distribution<2> b({10, 3}, {dist::block{}, dist::undistributed{}}, world);
  const int P = world.size();
  const bool same = P == 1 || P == 2;  // 10 over 3 ranks: 4 3 3 vs 4 4 2; over 4: 3 3 2 2 vs 3 3 3 1
  if (same) EXPECT_NO_THROW(dist::scalapack::desc(dist::array<double, 2>(b, 0.0)));
  else EXPECT_THROW(dist::scalapack::desc(dist::array<double, 2>(b, 0.0)), dist::distribution_error);
  if (P > 1) {
    dist::distribution<2> rep({4, 4}, {dist::undistributed{}, dist::undistributed{}}, world);
    EXPECT_THROW(dist::scalapack::desc(dist::array<double, 2>(rep, 0.0)), dist::distribution_error);
  }
}

}  // namespace
