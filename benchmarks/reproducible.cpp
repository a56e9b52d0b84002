// Reproducible sums (dist::reproducible) against the plain sums, in the
// same run: dist::sum(a, dist::reproducible) vs dist::sum(a) (the
// reproducible sum's cost), and vs the hand-written loop + MPI_Allreduce.
//   mpiexec -n 2 ./bench_reproducible [--quick]
#include <dist/dist.hpp>
#include <vector>

#include "bench.hpp"

using dist::index_t;

int main(int argc, char** argv) {
  bench::session session(argc, argv);
  const dist::communicator& world = session.world;
  const int reps = session.quick ? 2 : 10;
  const index_t n = session.quick ? (index_t(1) << 13) + 5 : index_t(1) << 25;
  const dist::distribution<1> d({n}, world);
  const auto a = dist::random::uniform<double>(d, 3, -1, 1);
  const std::vector<double> copy(a.local_data().begin(), a.local_data().end());
  const auto len = static_cast<index_t>(copy.size());

  double exact = 0, plain = 0, hand = 0;
  const double te = bench::time(world, reps, [&] { exact = dist::sum(a, dist::reproducible); });
  const double tp = bench::time(world, reps, [&] { plain = dist::sum(a); });
  const double th = bench::time(world, reps, [&] {
    double l[8] = {};
    const double* p = copy.data();
    index_t i = 0;
    for (; i + 8 <= len; i += 8)
      for (int j = 0; j < 8; ++j) l[j] += p[i + j];
    double s = ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
    for (; i < len; ++i) s += p[i];
    MPI_Allreduce(&s, &hand, 1, MPI_DOUBLE, MPI_SUM, world);
  });
  // the exact sum lies within the plain sums' rounding error of them
  const double scale = 1e-12 * static_cast<double>(n);
  bench::require(world, std::abs(exact - plain) <= scale && std::abs(exact - hand) <= scale, "sum_reproducible_1d");
  bench::report(world, "sum_reproducible_vs_sum_1d", {n}, te, tp);
  bench::report(world, "sum_reproducible_vs_hand_1d", {n}, te, th);
  bench::report(world, "sum_1d", {n}, tp, th);

  {  // a fused expression (evaluated into a small buffer, then summed exactly)
    const auto b = dist::random::uniform<double>(d, 4, -1, 1);
    double e1 = 0, e2 = 0;
    const double t1 = bench::time(world, reps, [&] { e1 = dist::sum(a * b, dist::reproducible); });
    const double t2 = bench::time(world, reps, [&] { e2 = dist::sum(a * b); });
    bench::require(world, std::abs(e1 - e2) <= scale, "dot_reproducible_1d");
    bench::report(world, "dot_reproducible_vs_sum_1d", {n}, t1, t2);
  }
  return 0;
}
