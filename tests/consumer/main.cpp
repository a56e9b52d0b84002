// Prints "consumer ok <sum>" when a distributed arange gathers correctly.
#include <dist/dist.hpp>
#include <iostream>
#include <numeric>

int main(int argc, char** argv) {
  dist::environment env(argc, argv);
  dist::communicator world;
  auto a = dist::arange<long>(0, 100, 1, world);
  const auto all = dist::allgather(a);
  const long sum = std::accumulate(all.begin(), all.end(), 0L);
  if (sum != 4950) return 1;
  if (world.rank() == 0) std::cout << "consumer ok " << sum << "\n";
  return 0;
}
