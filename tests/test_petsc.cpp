// dist::petsc::vec: PETSc Vecs over dist arrays' blocks, no copy;
// PETSc's operations against dist's and against serial references.
#include <gtest/gtest.h>

#include <cmath>
#include <dist/dist.hpp>
#include <dist/interop/petsc.hpp>
#include <numeric>
#include <vector>

using dist::index_t;
using dist::slice;

namespace {

dist::communicator world;

// PETSc lives between GoogleTest's set-up and tear-down (MPI around both)
struct petsc_environment : ::testing::Environment {
  void SetUp() override { ASSERT_EQ(PetscInitializeNoArguments(), 0); }
  void TearDown() override { PetscFinalize(); }
};
[[maybe_unused]] auto* const petsc_env = ::testing::AddGlobalTestEnvironment(new petsc_environment);

double f(index_t i) { return std::sin(0.7 * static_cast<double>(i)) + 0.25 * static_cast<double>(i % 3); }

TEST(petsc, vec_is_the_arrays_block) {
  dist::distribution<1> d({101}, world);
  auto a = dist::fromfunction<double>(d, f);
  auto v = dist::petsc::vec(a);
  PetscInt n = 0, ln = 0, lo = 0, hi = 0;
  VecGetSize(v, &n);
  VecGetLocalSize(v, &ln);
  VecGetOwnershipRange(v, &lo, &hi);
  EXPECT_EQ(n, 101);
  EXPECT_EQ(ln, a.local_size());
  const auto g = d.global_indices(0);
  if (!g.empty()) {
    EXPECT_EQ(lo, g.front());
  }
  EXPECT_EQ(hi - lo, ln);
  PetscScalar* p = nullptr;
  VecGetArray(v, &p);
  EXPECT_EQ(p, a.local_data().data());  // no copy
  VecRestoreArray(v, &p);
  // PETSc's answers and dist's agree, and both agree with a serial reference
  std::vector<double> ref(101);
  for (index_t i = 0; i < 101; ++i) ref[static_cast<std::size_t>(i)] = f(i);
  PetscReal nrm = 0;
  VecNorm(v, NORM_2, &nrm);
  EXPECT_NEAR(nrm, std::sqrt(std::inner_product(ref.begin(), ref.end(), ref.begin(), 0.0)), 1e-12);
  EXPECT_NEAR(nrm, dist::norm(a), 1e-12);
  // PETSc writes, dist sees
  VecScale(v, -2.0);
  std::vector<double> want(ref);
  for (auto& x : want) x *= -2.0;
  EXPECT_EQ(dist::allgather(a), want);
  // dist writes, PETSc sees
  dist::array<double, 1> b(d, 1.0);
  auto vb = dist::petsc::vec(b);
  a += 3.0;
  PetscScalar dot = 0;
  VecDot(v, vb, &dot);
  EXPECT_NEAR(dot, std::accumulate(want.begin(), want.end(), 0.0) + 3.0 * 101, 1e-10);
}

TEST(petsc, the_block_stays_while_the_vec_lives) {
  std::vector<index_t> bounds{0};
  for (int c = 1; c < world.size(); ++c) bounds.push_back(4 * c);  // explicit, uneven bounds
  bounds.push_back(33);
  dist::distribution<1> d({33}, {dist::block{bounds}}, world);
  auto a = dist::fromfunction<double>(d, f);
  const double* before = nullptr;
  std::vector<double> want(33);
  for (index_t i = 0; i < 33; ++i) want[static_cast<std::size_t>(i)] = f(i);
  {
    auto v = dist::petsc::vec(a);
    before = a.local_data().data();
    // an aliased stencil: copied back into the block, not swapped
    a(slice{1, -1}) = a(slice{0, -2}) + a(slice{2, std::nullopt});
    EXPECT_EQ(a.local_data().data(), before);
    PetscScalar s = 0;
    VecSum(v, &s);
    double sum = f(0) + f(32);
    for (index_t i = 1; i < 32; ++i) sum += f(i - 1) + f(i + 1);
    EXPECT_NEAR(s, sum, 1e-12);
  }
  // without a Vec the block may move again: the same stencil, checked serially
  a(slice{1, -1}) = a(slice{0, -2}) + a(slice{2, std::nullopt});
  for (int step = 0; step < 2; ++step) {
    const auto old = want;
    for (std::size_t i = 1; i + 1 < 33; ++i) want[i] = old[i - 1] + old[i + 1];
  }
  const auto got = dist::allgather(a);
  for (std::size_t i = 0; i < 33; ++i) EXPECT_NEAR(got[i], want[i], 1e-12 * (1 + std::abs(want[i])));
}

TEST(petsc, other_layouts_are_refused) {
  dist::array<double, 1> c(dist::distribution<1>({17}, {dist::cyclic{}}, world), 0.0);
  if (world.size() > 1) EXPECT_THROW(dist::petsc::vec(c), dist::distribution_error);
  else EXPECT_NO_THROW(dist::petsc::vec(c));
}

}  // namespace
