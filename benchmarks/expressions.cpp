// Expressions and reductions against the hand-written loop over the same
// local blocks (+ MPI_Allreduce where it reduces), in the same run.
//   mpiexec -n 2 ./bench_expressions [--quick]
#include <dist/dist.hpp>
#include <vector>

#include "bench.hpp"

using dist::index_t;

namespace {

std::vector<double> copy_of(std::span<const double> s) { return {s.begin(), s.end()}; }

using bench::same;

}  // namespace

int main(int argc, char** argv) {
  bench::session session(argc, argv);
  const dist::communicator& world = session.world;
  const bool quick = session.quick;
  const int reps = quick ? 2 : 10;

  {  // 1-D, 2^25 doubles on block: triad and dot
    const index_t n = quick ? (1 << 12) + 3 : index_t(1) << 25;
    const dist::distribution<1> d({n}, world);
    auto b = dist::random::uniform<double>(d, 1, -1, 1), c = dist::random::uniform<double>(d, 2, -1, 1);
    dist::array<double, 1> a(d, dist::uninitialized);
    const double s = 1.5;
    const index_t len = d.local_size();
    auto bb = copy_of(b.local_data()), cb = copy_of(c.local_data());
    std::vector<double> ab(static_cast<std::size_t>(len));
    const double t = bench::time(world, reps, [&] { a = b + s * c; });
    const double tb = bench::time(world, reps, [&] {
      double* pa = ab.data();
      const double *pb = bb.data(), *pc = cb.data();
      for (index_t i = 0; i < len; ++i) pa[i] = pb[i] + s * pc[i];
    });
    bench::require(world, same(a.local_data(), ab), "triad");
    bench::report(world, "triad_1d", {n}, t, tb);

    double r = 0, rb = 0;
    const double td = bench::time(world, reps, [&] { r = dist::dot(b, c); });
    const double tdb = bench::time(world, reps, [&] {
      double acc = 0;
      const double *pb = bb.data(), *pc = cb.data();
      for (index_t i = 0; i < len; ++i) acc += pb[i] * pc[i];
      MPI_Allreduce(&acc, &rb, 1, MPI_DOUBLE, MPI_SUM, world);
    });
    bench::require(world, std::abs(r - rb) <= 1e-9 * (1 + std::abs(rb)), "dot");
    bench::report(world, "dot_1d", {n}, td, tdb);
  }
  {  // 2-D, 4096 x 4096 block x block: five operands, and sums along each axis
    const index_t n = quick ? 67 : 4096;
    const dist::distribution<2> d({n, n}, {dist::block{}, dist::block{}}, world);
    auto a = dist::random::uniform<double>(d, 3, -1, 1), b = dist::random::uniform<double>(d, 4, -1, 1),
         c = dist::random::uniform<double>(d, 5, -1, 1), e = dist::random::uniform<double>(d, 6, -1, 1),
         f = dist::random::uniform<double>(d, 7, -1, 1);
    dist::array<double, 2> r(d, dist::uninitialized);
    const index_t len = d.local_size();
    auto ab = copy_of(a.local_data()), bb = copy_of(b.local_data()), cb = copy_of(c.local_data()),
         eb = copy_of(e.local_data()), fb = copy_of(f.local_data());
    std::vector<double> rb(static_cast<std::size_t>(len));
    const double t = bench::time(world, reps, [&] { r = a * b + c * e - 0.5 * f; });
    const double tb = bench::time(world, reps, [&] {
      for (index_t i = 0; i < len; ++i) rb[i] = ab[i] * bb[i] + cb[i] * eb[i] - 0.5 * fb[i];
    });
    bench::require(world, same(r.local_data(), rb), "five_operands_2d");
    bench::report(world, "five_operands_2d", {n, n}, t, tb);
  }
  {  // sum along each axis of 4096 x 4096 on the default layout (block rows)
    const index_t n = quick ? 67 : 4096;
    const dist::distribution<2> d({n, n}, world);
    auto a = dist::random::uniform<double>(d, 8, -1, 1);
    const auto ls = d.local_shape();
    auto ab = copy_of(a.local_data());
    dist::array<double, 1> s0(dist::distribution<1>({n}, {dist::undistributed{}}, world));
    std::vector<double> s0b(static_cast<std::size_t>(n)), s1b(static_cast<std::size_t>(ls[0]));
    // axis 0: column sums of my rows, then MPI_Allreduce (the result is replicated, as dist's)
    const double t0 = bench::time(world, reps, [&] { s0 = dist::sum(a, 0); });
    const double t0b = bench::time(world, reps, [&] {
      std::vector<double> part(static_cast<std::size_t>(n), 0.0);
      for (index_t i = 0; i < ls[0]; ++i)
        for (index_t j = 0; j < n; ++j) part[static_cast<std::size_t>(j)] += ab[static_cast<std::size_t>(i * n + j)];
      MPI_Allreduce(part.data(), s0b.data(), static_cast<int>(n), MPI_DOUBLE, MPI_SUM, world);
    });
    bench::require(world, same(s0.local_data(), s0b, 1e-12), "sum_axis0_2d");
    bench::report(world, "sum_axis0_2d", {n, n}, t0, t0b);
    // axis 1: a sum per local row, no communication
    dist::array<double, 1> s1(dist::distribution<1>({n}, world));
    const double t1 = bench::time(world, reps, [&] { s1 = dist::sum(a, 1); });
    const double t1b = bench::time(world, reps, [&] {
      for (index_t i = 0; i < ls[0]; ++i) {
        double acc = 0;
        for (index_t j = 0; j < n; ++j) acc += ab[static_cast<std::size_t>(i * n + j)];
        s1b[static_cast<std::size_t>(i)] = acc;
      }
    });
    bench::require(world, same(s1.local_data(), s1b, 1e-12), "sum_axis1_2d");
    bench::report(world, "sum_axis1_2d", {n, n}, t1, t1b);
    // matvec: x block-distributed; each rank needs all of x for its rows
    // (baseline: MPI_Allgatherv of x, then a dot product per local row)
    const dist::distribution<1> dx({n}, world);
    auto x = dist::random::uniform<double>(dx, 9, -1, 1);
    auto xb = copy_of(x.local_data());
    std::vector<int> counts(static_cast<std::size_t>(world.size())), displs(counts.size());
    for (int r = 0; r < world.size(); ++r) {
      counts[static_cast<std::size_t>(r)] = static_cast<int>(dx.map(0).local_size(r));
      displs[static_cast<std::size_t>(r)] = static_cast<int>(dx.map(0).block_start(r));
    }
    std::vector<double> xall(static_cast<std::size_t>(n)), yb(static_cast<std::size_t>(ls[0]));
    dist::array<double, 1> y(dx);
    const double tm = bench::time(world, reps, [&] { y = dist::matvec(a, x); });
    const double tmb = bench::time(world, reps, [&] {
      MPI_Allgatherv(xb.data(), static_cast<int>(xb.size()), MPI_DOUBLE, xall.data(), counts.data(), displs.data(), MPI_DOUBLE, world);
      for (index_t i = 0; i < ls[0]; ++i) {
        double acc = 0;
        for (index_t j = 0; j < n; ++j) acc += ab[static_cast<std::size_t>(i * n + j)] * xall[static_cast<std::size_t>(j)];
        yb[static_cast<std::size_t>(i)] = acc;
      }
    });
    bench::require(world, same(y.local_data(), yb, 1e-10), "matvec_2d");
    bench::report(world, "matvec_2d", {n, n}, tm, tmb);
  }
  return 0;
}
