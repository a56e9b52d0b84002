// GAiN's Laplace benchmark, written the NumPy way: Jacobi iteration for
// Laplace's equation on [0,1]^2 with u = x^2 - y^2 on the boundary (which is
// also the exact solution), one slice statement per iteration:
//
//     u[1:-1,1:-1] = ((u[0:-2,1:-1] + u[2:,1:-1])*dy2 + (u[1:-1,0:-2] + u[1:-1,2:])*dx2)*dnr_inv
//
// The statement reads and writes u; dist gives it NumPy's meaning (the right
// side is evaluated first) and moves only one boundary row per neighbour.
//
//     mpiexec -n 4 ./laplace [N] [iterations]      (defaults 1000 100)
//         [--checkpoint-every K] [--checkpoint FILE] [--restart FILE] [--save FILE]
//         [--svg PREFIX]
//
// Prints the RMS error against the exact solution every 10 iterations and
// the time per iteration. With HDF5 (target dist::hdf5): every K iterations
// u and the iteration count go to a checkpoint (default
// laplace_checkpoint.h5; written through a temporary file, so a killed run
// leaves the previous checkpoint); --restart continues from one, on any
// number of ranks, to the same bits an uninterrupted run ends with;
// --save writes the final u. --svg writes two pictures: who owns what
// (PREFIX_layout.svg) and the solution as a heat map (PREFIX_solution.svg).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <dist/dist.hpp>
#include <filesystem>
#include <optional>
#include <string>
#ifdef DIST_HAVE_HDF5
#include <dist/io/hdf5.hpp>
#endif

int main(int argc, char** argv) {
  dist::environment env(argc, argv);
  dist::communicator world;
  dist::index_t n = 1000;
  int iterations = 100, checkpoint_every = 0, positional = 0;
  std::string checkpoint = "laplace_checkpoint.h5", restart, save, svg;
  bool bad = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--checkpoint-every" && has_value) checkpoint_every = std::atoi(argv[++i]);
    else if (a == "--checkpoint" && has_value) checkpoint = argv[++i];
    else if (a == "--restart" && has_value) restart = argv[++i];
    else if (a == "--save" && has_value) save = argv[++i];
    else if (a == "--svg" && has_value) svg = argv[++i];
    else if (a.rfind("--", 0) != 0 && positional == 0 && ++positional) n = std::atoll(a.c_str());
    else if (a.rfind("--", 0) != 0 && positional == 1 && ++positional) iterations = std::atoi(a.c_str());
    else bad = true;
  }
#ifndef DIST_HAVE_HDF5
  bad = bad || checkpoint_every > 0 || !restart.empty() || !save.empty();  // built without HDF5
#endif
  if (bad || n < 3 || iterations < 0 || checkpoint_every < 0) {
    if (world.rank() == 0)
      std::fprintf(stderr, "usage: laplace [N >= 3] [iterations >= 0] [--checkpoint-every K] [--checkpoint FILE] "
                           "[--restart FILE] [--save FILE] [--svg PREFIX]  (checkpoint, restart and save need dist::hdf5)\n");
    return 2;
  }
  using dist::slice;
  using std::nullopt;

  const double dx = 1.0 / static_cast<double>(n - 1), dy = dx;
  const double dx2 = dx * dx, dy2 = dy * dy, dnr_inv = 0.5 / (dx2 + dy2);
  auto exact = [&](dist::index_t i, dist::index_t j) {
    const double x = static_cast<double>(i) * dx, y = static_cast<double>(j) * dy;
    return x * x - y * y;
  };

  // u: boundary values, zero inside; rows split over the ranks
  dist::distribution<2> D({n, n}, world);
  auto u = dist::fromfunction<double>(D, [&](dist::index_t i, dist::index_t j) {
    return (i == 0 || j == 0 || i == n - 1 || j == n - 1) ? exact(i, j) : 0.0;
  });
  const auto solution = dist::fromfunction<double>(D, exact);
  const slice in{1, -1}, lo{0, -2}, hi{2, nullopt};
  int first = 1;
#ifdef DIST_HAVE_HDF5
  const dist::distribution<1> one({1}, world);
  if (!restart.empty()) {  // any rank count: the file holds the global array
    u = dist::load_hdf5<double, 2>(restart, "u", D);
    first = static_cast<int>(dist::load_hdf5<std::int64_t, 1>(restart, "iteration", one).get({0})) + 1;
    if (world.rank() == 0) std::printf("restarted from %s after iteration %d\n", restart.c_str(), first - 1);
  }
#endif

  if (world.rank() == 0)
    std::printf("Laplace %lld x %lld, %d iterations, %d ranks\n", static_cast<long long>(n), static_cast<long long>(n),
                iterations, world.size());
  double compute = 0;
  for (int it = first; it <= iterations; ++it) {
    const double t0 = MPI_Wtime();
    u(in, in) = ((u(lo, in) + u(hi, in)) * dy2 + (u(in, lo) + u(in, hi)) * dx2) * dnr_inv;
    compute += MPI_Wtime() - t0;
#ifdef DIST_HAVE_HDF5
    if (checkpoint_every > 0 && it % checkpoint_every == 0) {  // u and its iteration, replaced together
      const std::string next = checkpoint + ".next";
      if (world.rank() == 0) std::filesystem::remove(next);
      dist::save_hdf5(u, next, "u");
      dist::save_hdf5(dist::full<std::int64_t>(one, it), next, "iteration");
      if (world.rank() == 0) std::filesystem::rename(next, checkpoint);
      world.barrier();
    }
#endif
    if (it % 10 == 0 || it == iterations) {
      const double err = std::sqrt(dist::sum(dist::square(u - solution)) / static_cast<double>(n * n));
      if (world.rank() == 0) std::printf("iteration %4d  rms error %.6e\n", it, err);
    }
  }
  double slowest = compute;
  MPI_Allreduce(MPI_IN_PLACE, &slowest, 1, MPI_DOUBLE, MPI_MAX, world);
  if (world.rank() == 0 && iterations >= first)
    std::printf("time per iteration: %.3f ms (slowest rank)\n", 1e3 * slowest / (iterations - first + 1));
#ifdef DIST_HAVE_HDF5
  if (!save.empty()) dist::save_hdf5(u, save, "u");
#endif
  if (!svg.empty()) {
    dist::save_svg(u.distribution(), svg + "_layout.svg");
    dist::save_svg(u, svg + "_solution.svg", dist::svg_colors::values);
    if (world.rank() == 0)
      std::printf("pictures: %s_layout.svg (who owns what), %s_solution.svg (the solution)\n", svg.c_str(), svg.c_str());
  }
  return 0;
}
