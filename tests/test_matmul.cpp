// dist::matmul (SUMMA) against a serial triple loop: odd shapes, pairs of
// distribution kinds, ScaLAPACK's block-cyclic layout, type promotion, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <dist/dist.hpp>
#include <dist/algorithm/matmul.hpp>
#include <vector>

#include "test_util.hpp"

using dist::index_t;

namespace {

dist::communicator world;

using test_util::fa;
using test_util::fb;

std::vector<double> serial(index_t m, index_t k, index_t n) {
  std::vector<double> c(static_cast<std::size_t>(m * n), 0.0);
  for (index_t i = 0; i < m; ++i)
    for (index_t p = 0; p < k; ++p)
      for (index_t j = 0; j < n; ++j) c[static_cast<std::size_t>(i * n + j)] += fa(i, p) * fb(p, j);
  return c;
}

void expect_close(const std::vector<double>& got, const std::vector<double>& want) { test_util::expect_close(got, want, 1e-12); }

TEST(matmul, odd_shapes_every_pair_of_kinds) {
  const index_t m = 37, k = 23, n = 41;
  const auto want = serial(m, k, n);
  const std::vector<dist::dim_spec> kinds = {dist::block{}, dist::cyclic{}, dist::block_cyclic{4}, dist::undistributed{}};
  for (const auto& ra : kinds)
    for (const auto& cb : kinds) {
      dist::distribution<2> da({m, k}, {ra, dist::block{}}, world);
      dist::distribution<2> db({k, n}, {dist::cyclic{}, cb}, world);
      auto A = dist::fromfunction<double>(da, fa);
      auto B = dist::fromfunction<double>(db, fb);
      auto C = dist::matmul(A, B);
      EXPECT_EQ(C.shape(), (dist::shape<2>{m, n}));
      expect_close(dist::allgather(C), want);
    }
  // unstructured rows
  auto da = dist::distribution<2>({m, k}, {test_util::all_kinds(m, world, 4).back(), dist::undistributed{}}, world);
  auto C = dist::matmul(dist::fromfunction<double>(da, fa), dist::fromfunction<double>(dist::distribution<2>({k, n}, world), fb));
  expect_close(dist::allgather(C), want);
}

TEST(matmul, scalapack_layout_stays_and_types_promote) {
  const index_t m = 30, k = 17, n = 22;
  const auto want = serial(m, k, n);
  dist::distribution<2> d({m, k}, {dist::block_cyclic{4}, dist::block_cyclic{4}}, world);
  dist::distribution<2> e({k, n}, {dist::block_cyclic{4}, dist::block_cyclic{4}}, world);
  auto C = dist::matmul(dist::fromfunction<double>(d, fa), dist::fromfunction<double>(e, fb));
  EXPECT_EQ(C.distribution().map(0).kind(), dist::dim_kind::block_cyclic);
  EXPECT_EQ(C.distribution().map(1).block_size(), 4);
  expect_close(dist::allgather(C), want);
  // int x double -> double, exact for small integers
  auto I = dist::fromfunction<int>(dist::distribution<2>({5, 4}, world), [](index_t i, index_t j) { return static_cast<int>(i - j); });
  auto D = dist::fromfunction<double>(dist::distribution<2>({4, 3}, {dist::cyclic{}, dist::block{}}, world),
                                      [](index_t i, index_t j) { return 0.5 * static_cast<double>(i + 2 * j); });
  auto P = dist::matmul(I, D);
  static_assert(std::is_same_v<decltype(P)::value_type, double>);
  const auto got = dist::allgather(P);
  for (index_t i = 0; i < 5; ++i)
    for (index_t j = 0; j < 3; ++j) {
      double s = 0;
      for (index_t p = 0; p < 4; ++p) s += static_cast<double>(i - p) * 0.5 * static_cast<double>(p + 2 * j);
      EXPECT_EQ(got[static_cast<std::size_t>(i * 3 + j)], s);
    }
}

TEST(matmul, result_on_a_requested_distribution) {
  const index_t m = 29, k = 19, n = 31;
  const auto want = serial(m, k, n);
  auto A = dist::fromfunction<double>(dist::distribution<2>({m, k}, {dist::block{}, dist::cyclic{}}, world), fa);
  auto B = dist::fromfunction<double>(dist::distribution<2>({k, n}, {dist::block_cyclic{5}, dist::block{}}, world), fb);
  std::vector<index_t> bounds{0};
  for (int c = 1; c < world.size(); ++c) bounds.push_back(std::min<index_t>(m, 3 * c));
  bounds.push_back(m);
  const std::vector<dist::distribution<2>> targets = {
      dist::distribution<2>({m, n}, {dist::cyclic{}, dist::block_cyclic{3}}, world),
      dist::distribution<2>({m, n}, {dist::block{bounds}, dist::undistributed{}}, world),  // irregular: redistributed
      dist::distribution<2>({m, n}, {test_util::all_kinds(m, world, 9).back(), dist::undistributed{}}, world),
      dist::distribution<2>({m, n}, {dist::undistributed{}, dist::undistributed{}}, world),  // replicated
      dist::distribution<2>({m, n}, {dist::undistributed{}, dist::block{}}, world),
  };
  for (const auto& d : targets) {
    auto C = dist::matmul(A, B, d);
    EXPECT_EQ(C.distribution(), d);
    expect_close(dist::allgather(C), want);
  }
  // by default the result follows A's rows
  auto C = dist::matmul(A, B);
  EXPECT_EQ(C.distribution().map(0), A.distribution().map(0));
  EXPECT_THROW(dist::matmul(A, B, dist::distribution<2>({m, n + 1}, world)), dist::shape_error);
}

TEST(matmul, complex_and_float) {
  const index_t m = 13, k = 21, n = 9;
  dist::distribution<2> da({m, k}, {dist::block_cyclic{2}, dist::block{}}, world), db({k, n}, world);
  using z = std::complex<double>;
  auto A = dist::fromfunction<z>(da, [](index_t i, index_t j) { return z(fa(i, j), fb(j, i)); });
  auto B = dist::fromfunction<z>(db, [](index_t i, index_t j) { return z(fb(i, j), -fa(j, i)); });
  const auto got = dist::allgather(dist::matmul(A, B));
  auto Af = dist::fromfunction<float>(da, [](index_t i, index_t j) { return static_cast<float>(fa(i, j)); });
  auto Bf = dist::fromfunction<float>(db, [](index_t i, index_t j) { return static_cast<float>(fb(i, j)); });
  const auto gotf = dist::allgather(dist::matmul(Af, Bf));
  const auto wantf = serial(m, k, n);
  for (index_t i = 0; i < m; ++i)
    for (index_t j = 0; j < n; ++j) {
      z s{};
      for (index_t p = 0; p < k; ++p) s += z(fa(i, p), fb(p, i)) * z(fb(p, j), -fa(j, p));
      EXPECT_NEAR(std::abs(got[static_cast<std::size_t>(i * n + j)] - s), 0.0, 1e-12 * (1 + std::abs(s)));
      EXPECT_NEAR(gotf[static_cast<std::size_t>(i * n + j)], wantf[static_cast<std::size_t>(i * n + j)], 1e-4);
    }
}

TEST(matmul, ranks_with_empty_blocks) {
  // fewer rows or columns than ranks: some blocks are empty on every side
  for (const auto& [m, k, n] : {std::array<index_t, 3>{2, 50, 3}, {1, 1, 1}, {3, 2, 0}, {0, 4, 2}}) {
    const auto want = serial(m, k, n);
    for (const auto& kind : {dist::dim_spec{dist::block{}}, dist::dim_spec{dist::block_cyclic{2}}}) {
      auto A = dist::fromfunction<double>(dist::distribution<2>({m, k}, {kind, kind}, world), fa);
      auto B = dist::fromfunction<double>(dist::distribution<2>({k, n}, {kind, dist::cyclic{}}, world), fb);
      auto C = dist::matmul(A, B);
      EXPECT_EQ(C.shape(), (dist::shape<2>{m, n}));
      expect_close(dist::allgather(C), want);
    }
  }
}

TEST(matmul, expressions_and_views) {
  const index_t m = 17, k = 12, n = 9;
  auto A = dist::fromfunction<double>(dist::distribution<2>({m + 2, k}, {dist::block{}, dist::cyclic{}}, world), fa);
  auto B = dist::fromfunction<double>(dist::distribution<2>({k, n}, {dist::block_cyclic{3}, dist::block{}}, world), fb);
  using dist::slice;
  // (2 A[1:-1, :]) @ (B + 1), on a requested layout too
  auto C = dist::matmul(2.0 * A(slice{1, -1}, slice{}), B + 1.0);
  const dist::distribution<2> d({m, n}, {dist::cyclic{}, dist::undistributed{}}, world);
  auto Cd = dist::matmul(A(slice{1, -1}, slice{}), B, d);
  EXPECT_EQ(Cd.distribution(), d);
  const auto got = dist::allgather(C), gotd = dist::allgather(Cd);
  for (index_t i = 0; i < m; ++i)
    for (index_t j = 0; j < n; ++j) {
      double s = 0, t = 0;
      for (index_t p = 0; p < k; ++p) {
        s += 2.0 * fa(i + 1, p) * (fb(p, j) + 1.0);
        t += fa(i + 1, p) * fb(p, j);
      }
      EXPECT_NEAR(got[static_cast<std::size_t>(i * n + j)], s, 1e-12 * (1 + std::abs(s)));
      EXPECT_NEAR(gotd[static_cast<std::size_t>(i * n + j)], t, 1e-12 * (1 + std::abs(t)));
    }
}

TEST(matmul, one_dim_layouts_go_2d_where_that_moves_less) {
  using dist::detail::summa_on_2d_grid_moves_less;
  const index_t n = 2048;
  EXPECT_FALSE(summa_on_2d_grid_moves_less({4, 1}, {2, 2}, n, n, n));    // 4 ranks: block rows stay
  EXPECT_TRUE(summa_on_2d_grid_moves_less({16, 1}, {4, 4}, n, n, n));    // 16: 2-D moves less
  EXPECT_TRUE(summa_on_2d_grid_moves_less({1, 512}, {16, 32}, n, n, n));
  EXPECT_FALSE(summa_on_2d_grid_moves_less({4, 4}, {4, 4}, n, n, n));    // already 2-D
  EXPECT_FALSE(summa_on_2d_grid_moves_less({3, 1}, {3, 1}, n, n, n));    // no 2-D grid to go to
  EXPECT_FALSE(summa_on_2d_grid_moves_less({64, 1}, {8, 8}, n, 16, n));  // a thin inner dim: B is small
  // the result stays on A's block rows either way
  const index_t m = 23, k = 11, nn = 19;
  auto A = dist::fromfunction<double>(dist::distribution<2>({m, k}, world), fa);
  auto B = dist::fromfunction<double>(dist::distribution<2>({k, nn}, world), fb);
  auto C = dist::matmul(A, B);
  EXPECT_EQ(C.distribution().map(0), A.distribution().map(0));
  expect_close(dist::allgather(C), serial(m, k, nn));
}

TEST(matmul, errors_and_empty) {
  auto A = dist::zeros<double>(dist::distribution<2>({3, 4}, world));
  auto B = dist::zeros<double>(dist::distribution<2>({5, 2}, world));
  EXPECT_THROW(dist::matmul(A, B), dist::shape_error);
  auto Z = dist::matmul(dist::zeros<double>(dist::distribution<2>({3, 0}, world)), dist::zeros<double>(dist::distribution<2>({0, 2}, world)));
  for (double x : dist::allgather(Z)) EXPECT_EQ(x, 0.0);
}

}  // namespace

TEST(matmul, into_an_existing_array) {
  const index_t m = 29, k = 17, n = 31;
  const auto want = serial(m, k, n);
  const auto A = dist::fromfunction<double>(dist::distribution<2>({m, k}, {dist::block_cyclic{4}, dist::cyclic{}}, world), fa);
  const auto B = dist::fromfunction<double>(dist::distribution<2>({k, n}, {dist::block{}, dist::block_cyclic{3}}, world), fb);
  std::vector<dist::distribution<2>> outs = {
      dist::distribution<2>({m, n}, {dist::block_cyclic{4}, dist::block_cyclic{4}}, world),  // in place
      dist::distribution<2>({m, n}, {dist::cyclic{}, dist::undistributed{}}, world),        // in place
      dist::distribution<2>({m, n}, {test_util::all_kinds(m, world, 6)[1], dist::block{}}, world),  // irregular: computed, then moved
      dist::distribution<2>({m, n}, {test_util::all_kinds(m, world, 6).back(), dist::undistributed{}}, world)};  // unstructured
  for (std::size_t o = 0; o < outs.size(); ++o) {
    SCOPED_TRACE("out layout " + std::to_string(o));
    dist::array<double, 2> C(outs[o], 7.0);  // old contents must not leak into the product
    const double* before = C.local().data();
    dist::matmul(A, B, C);
    EXPECT_EQ(C.local().data(), before);  // the same block, written in place
    EXPECT_TRUE(C.distribution() == outs[o]);
    expect_close(dist::allgather(C), want);
    dist::matmul(A, B, C);  // again, as a solver loop does
    expect_close(dist::allgather(C), want);
  }
  dist::array<float, 2> F(outs[0]);  // another element type: converted on assignment
  dist::matmul(A, B, F);
  std::vector<double> got;
  for (float v : dist::allgather(F)) got.push_back(v);
  test_util::expect_close(got, want, 1e-5);
  // out aliasing an operand: NumPy's meaning (the product of the old values)
  const index_t s = 13;
  auto S = dist::fromfunction<double>(dist::distribution<2>({s, s}, {dist::block_cyclic{2}, dist::block_cyclic{2}}, world), fa);
  const auto Sg = dist::allgather(S);
  std::vector<double> sq(static_cast<std::size_t>(s * s), 0.0);
  for (index_t i = 0; i < s; ++i)
    for (index_t p = 0; p < s; ++p)
      for (index_t j = 0; j < s; ++j)
        sq[static_cast<std::size_t>(i * s + j)] += Sg[static_cast<std::size_t>(i * s + p)] * Sg[static_cast<std::size_t>(p * s + j)];
  dist::matmul(S, S, S);
  expect_close(dist::allgather(S), sq);
  dist::array<double, 2> wrong(dist::distribution<2>({m, n + 1}, world));
  EXPECT_THROW(dist::matmul(A, B, wrong), dist::shape_error);
}

TEST(matmul, grid_lines_split_once_and_go_with_their_communicator) {
  // A loop of products splits the grid's row and column communicators on
  // its first call only (they are kept with the communicator); on a
  // duplicate they are its own and go when it is freed.
  const index_t m = 19, k = 11, n = 13;
  const auto want = serial(m, k, n);
  for (int pass = 0; pass < 2; ++pass) {
    dist::communicator dup(world, boost::mpi::comm_duplicate);
    const dist::distribution<2> da({m, k}, {dist::block{}, dist::block{}}, dup), db({k, n}, {dist::block{}, dist::block{}}, dup);
    const auto A = dist::fromfunction<double>(da, fa);
    const auto B = dist::fromfunction<double>(db, fb);
    dist::array<double, 2> C(dist::distribution<2>({m, n}, {dist::block{}, dist::block{}}, dup));
    const auto& lines = dist::detail::state_of(dup).lines;
    EXPECT_TRUE(lines.empty());
    for (int it = 0; it < 3; ++it) {
      dist::matmul(A, B, C);
      expect_close(dist::allgather(C), want);
      EXPECT_EQ(lines.size(), 2u);  // one row and one column kind, whatever the iteration
    }
    const MPI_Comm row = lines.begin()->second;
    int size = 0;
    MPI_Comm_size(row, &size);
    EXPECT_GE(size, 1);
    EXPECT_LE(size, world.size());
  }  // each duplicate freed here, its lines with it (a second pass starts empty)
}
