// Compile-time baseline: the standard, MPI and Boost.MPI includes a dist
// program pulls in, with a trivial body (see measure.sh).
#include <mpi.h>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>
#include <array>
#include <vector>
#include <cmath>
#include <complex>
#include <cstdio>
#include <string>
#include <memory>
#include <algorithm>
#include <variant>
#include <span>
#include <optional>
#include <functional>
#include <map>
int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  boost::mpi::communicator world;
  std::vector<double> a(1000);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = std::sin(double(i));
  double s = 0;
  for (double x : a) s += x * x;
  double t = 0;
  MPI_Allreduce(&s, &t, 1, MPI_DOUBLE, MPI_SUM, world);
  if (world.rank() == 0) std::printf("%g\n", t);
  return 0;
}
