// fromfunction and fill against a plain loop over the same local block.
//   mpiexec -n 2 ./bench_creation [--quick]
#include <dist/dist.hpp>
#include <memory>

#include "bench.hpp"

using dist::index_t;

namespace {

// A baseline block: uninitialised, like dist::empty, allocated each repetition.
std::unique_ptr<double[]> raw(index_t n) { return std::unique_ptr<double[]>(new double[static_cast<std::size_t>(n)]); }

bool same(std::span<const double> a, const double* b) { return std::equal(a.begin(), a.end(), b); }

}  // namespace

int main(int argc, char** argv) {
  bench::session session(argc, argv);
  const dist::communicator& world = session.world;
  const bool quick = session.quick;
  const int reps = quick ? 2 : 10;

  {  // 1-D: 2^25 doubles, block
    const index_t n = quick ? (1 << 12) + 3 : index_t(1) << 25;
    const dist::distribution<1> d({n}, world);
    const index_t start = d.map(0).block_start(d.grid_coords()[0]), len = d.local_size();
    auto f = [](index_t i) { return 0.5 * double(i); };
    std::unique_ptr<double[]> base;
    dist::array<double, 1> a(d, dist::uninitialized);
    const double t = bench::time(world, reps, [&] { a = dist::fromfunction<double>(d, f); });
    const double tb = bench::time(world, reps, [&] {
      base = raw(len);
      double* p = base.get();
      for (index_t l = 0; l < len; ++l) p[l] = 0.5 * double(start + l);
    });
    bench::require(world, same(a.local_data(), base.get()), "fromfunction_1d");
    bench::report(world, "fromfunction_1d", {n}, t, tb);

    const double tf = bench::time(world, reps, [&] { a = dist::full<double>(d, 3.0); });
    const double tfb = bench::time(world, reps, [&] {
      base = raw(len);
      std::fill_n(base.get(), len, 3.0);
    });
    bench::require(world, same(a.local_data(), base.get()), "full_1d");
    bench::report(world, "full_1d", {n}, tf, tfb);

    const double ti = bench::time(world, reps, [&] { a.fill(1.5); });
    const double tib = bench::time(world, reps, [&] { std::fill_n(base.get(), len, 1.5); });
    bench::require(world, same(a.local_data(), base.get()), "fill_1d");
    bench::report(world, "fill_in_place_1d", {n}, ti, tib);
  }
  {  // 2-D: 4096 x 4096 doubles, block x block
    const index_t n = quick ? 67 : 4096;
    const dist::distribution<2> d({n, n}, {dist::block{}, dist::block{}}, world);
    const index_t r0 = d.map(0).block_start(d.grid_coords()[0]), c0 = d.map(1).block_start(d.grid_coords()[1]);
    const auto ls = d.local_shape();
    auto f = [n](index_t i, index_t j) { return double(i * n + j); };
    std::unique_ptr<double[]> base;
    dist::array<double, 2> a(d, dist::uninitialized);
    const double t = bench::time(world, reps, [&] { a = dist::fromfunction<double>(d, f); });
    const double tb = bench::time(world, reps, [&] {
      base = raw(ls[0] * ls[1]);
      double* p = base.get();
      for (index_t i = 0; i < ls[0]; ++i)
        for (index_t j = 0; j < ls[1]; ++j) p[i * ls[1] + j] = double((r0 + i) * n + (c0 + j));
    });
    bench::require(world, same(a.local_data(), base.get()), "fromfunction_2d");
    bench::report(world, "fromfunction_2d", {n, n}, t, tb);

    const double tf = bench::time(world, reps, [&] { a = dist::full<double>(d, 3.0); });
    const double tfb = bench::time(world, reps, [&] {
      base = raw(ls[0] * ls[1]);
      std::fill_n(base.get(), ls[0] * ls[1], 3.0);
    });
    bench::require(world, same(a.local_data(), base.get()), "full_2d");
    bench::report(world, "full_2d", {n, n}, tf, tfb);
  }
  return 0;
}
