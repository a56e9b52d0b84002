// Quick start: build arrays on several distributions, show who owns what,
// reduce, and gather. Run: mpiexec -n 4 ./quickstart
#include <boost/mpi/collectives.hpp>
#include <dist/dist.hpp>
#include <iostream>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
  dist::environment env(argc, argv);
  dist::communicator world;
  const int me = world.rank();

  // A 6 x 8 array of global flat indices on three layouts.
  auto value = [](dist::index_t i, dist::index_t j) { return double(8 * i + j); };
  const dist::distribution<2> rows({6, 8}, world);  // block rows
  const dist::distribution<2> tiles({6, 8}, {dist::block{}, dist::block{}}, world);
  const dist::distribution<2> cyclic({6, 8}, {dist::block_cyclic{2}, dist::cyclic{}}, world);

  for (const auto& [name, d] : {std::pair{"block rows", rows}, {"block x block", tiles}, {"block_cyclic{2} x cyclic", cyclic}}) {
    auto a = dist::fromfunction<double>(d, value);
    // who owns what: each rank describes its block, rank 0 prints them in order
    std::ostringstream mine;
    mine << "  rank " << me << " at grid " << dist::detail::to_string(d.grid_coords()) << " of "
         << dist::detail::to_string(d.grid()) << " holds " << dist::detail::to_string(d.local_shape()) << ": rows {";
    for (auto g : d.global_indices(0)) mine << ' ' << g;
    mine << " } cols {";
    for (auto g : d.global_indices(1)) mine << ' ' << g;
    mine << " }\n";
    std::vector<std::string> all;
    boost::mpi::gather(world, mine.str(), all, 0);
    // reduce: a local sum of this rank's block, then one allreduce
    double local = 0;
    for (double v : a.local()) local += v;
    const double total = boost::mpi::all_reduce(world, local, std::plus<>());
    if (me == 0) {
      std::cout << name << ":\n";
      for (const auto& s : all) std::cout << s;
      std::cout << "  sum of all elements = " << total << " (expected " << 47.0 * 48.0 / 2 << ")\n";
    }
  }
  // get/set touch one element, wherever it lives; print shows the whole array
  auto a = dist::fromfunction<double>(cyclic, value);
  a.set({5, 7}, -1.0);
  if (me == 0) std::cout << "a[5, 7] = " << a.get({5, 7}) << "\n";
  else (void)a.get({5, 7});
  dist::print(a);
  // random numbers do not depend on the layout or the rank count
  auto r1 = dist::random::uniform<double>(rows, 2026);
  auto r2 = dist::random::uniform<double>(cyclic, 2026);
  const bool same = dist::allgather(r1) == dist::allgather(r2);
  if (me == 0) std::cout << "uniform(seed 2026) same on both layouts: " << (same ? "yes" : "no") << "\n";
  return same ? 0 : 1;
}
