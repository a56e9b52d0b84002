// Quick start: build arrays on several distributions, show who owns what,
// compute with expressions and reductions, and gather.
// Run: mpiexec -n 4 ./quickstart
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
    const double total = dist::sum(a);  // collective: the value on every rank
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
  // expressions: lazy, fused into one loop per rank; operands on other layouts are moved
  auto b = dist::fromfunction<double>(rows, value);
  dist::array<double, 2> c = 2.0 * a + dist::sin(b);  // on a's layout (block_cyclic x cyclic)
  auto w = dist::arange<double>(0, 8, 1, world);        // shape (8): broadcast along the rows
  c = c - w * 0.5;
  auto col_sums = dist::sum(c, 0);                       // an array over the remaining dim
  if (me == 0) std::cout << "c = 2 a + sin(b) - 0.5 w; column sums of c:\n";
  dist::print(col_sums);
  const double mean = dist::mean(c), sd = dist::std(c);
  const auto where = dist::argmax(c);
  if (me == 0) std::cout << "mean " << mean << ", std " << sd << ", argmax " << dist::detail::to_string(where) << "\n";
  // random numbers do not depend on the layout or the rank count
  auto r1 = dist::random::uniform<double>(rows, 2026);
  auto r2 = dist::random::uniform<double>(cyclic, 2026);
  const bool same = dist::allgather(r1) == dist::allgather(r2);
  if (me == 0) std::cout << "uniform(seed 2026) same on both layouts: " << (same ? "yes" : "no") << "\n";
  return same ? 0 : 1;
}
