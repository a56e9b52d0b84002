// Prints "consumer hdf5 ok <sum>" after a save and load through HDF5, with
// only <dist/dist.hpp> included (linking dist::hdf5 enables it).
#include <dist/dist.hpp>
#include <iostream>
#include <numeric>

int main(int argc, char** argv) {
  dist::environment env(argc, argv);
  dist::communicator world;
  auto a = dist::arange<double>(0, 100, 1, world);
  dist::save_hdf5(a, "consumer.h5", "a");
  const auto b = dist::load_hdf5<double, 1>("consumer.h5", "a", a.distribution());
  const auto all = dist::allgather(b);
  const double sum = std::accumulate(all.begin(), all.end(), 0.0);
  if (sum != 4950) return 1;
  if (world.rank() == 0) std::cout << "consumer hdf5 ok " << sum << "\n";
  return 0;
}
