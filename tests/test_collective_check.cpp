// DIST_CHECK_COLLECTIVES (defined for this binary): a divergent collective
// call throws a clear error on every rank instead of deadlocking.
#include <gtest/gtest.h>

#include <dist/dist.hpp>

namespace {
dist::communicator world;
}

TEST(collective_check, matching_calls_pass) {
  auto a = dist::arange<int>(0, 10, 1);
  EXPECT_EQ(dist::allgather(a).size(), 10u);
  EXPECT_EQ(a.get({3}), 3);
}

TEST(collective_check, different_operations_are_caught_on_every_rank) {
  if (world.size() < 2) GTEST_SKIP() << "needs two ranks to diverge";
  auto a = dist::arange<int>(0, 10, 1);
  try {
    if (world.rank() == 0) (void)dist::gather(a);
    else (void)dist::allgather(a);
    ADD_FAILURE() << "no exception";
  } catch (const dist::mpi_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("collective mismatch"), std::string::npos) << what;
    EXPECT_NE(what.find(world.rank() == 0 ? "dist::gather" : "dist::allgather"), std::string::npos) << what;
  }
}

TEST(collective_check, different_global_arguments_are_caught) {
  if (world.size() < 2) GTEST_SKIP() << "needs two ranks to diverge";
  auto a = dist::arange<int>(0, 10, 1);
  EXPECT_THROW((void)a.get({world.rank() == 0 ? 1 : 2}), dist::mpi_error);
  EXPECT_THROW((void)dist::gather(a, world.rank() == 0 ? 0 : 1), dist::mpi_error);
  // different distributions passed to the same creation function
  EXPECT_THROW((void)dist::zeros<double>({world.rank() == 0 ? 5 : 6}, world), dist::mpi_error);
  // and the library is still usable afterwards
  EXPECT_EQ(a.get({9}), 9);
}

TEST(collective_check, linear_algebra_and_one_sided_access) {
  if (world.size() < 2) GTEST_SKIP() << "needs two ranks to diverge";
  const dist::distribution<2> d({6, 6}, world), cyc({6, 6}, {dist::cyclic{}, dist::cyclic{}}, world);
  auto A = dist::ones<double>(d);
  // rank 0 asks for its product on another layout than the others
  EXPECT_THROW((void)dist::matmul(A, A, world.rank() == 0 ? d : cyc), dist::mpi_error);
  // rank 0 fences one array while the others fence another of a different layout
  auto B = dist::ones<double>(cyc);
  EXPECT_THROW(dist::fence(world.rank() == 0 ? A : B), dist::mpi_error);
  // still usable: a matching fence exposes A, a put lands
  dist::fence(A);
  if (world.rank() == 0) dist::put(A, {{5, 5}, {6, 6}}, {7.0});
  dist::fence(A);
  EXPECT_EQ(A.get({5, 5}), 7.0);
}
