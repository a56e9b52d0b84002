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
