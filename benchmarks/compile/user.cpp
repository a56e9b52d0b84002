// Compile-time benchmark: a typical user program (expressions and reductions).
// benchmarks/compile/measure.sh compiles it and base.cpp (the same includes
// without dist) and prints CPU seconds and peak memory of each.
#include <dist/dist.hpp>
#include <cstdio>

int main(int argc, char** argv) {
  dist::environment env(argc, argv);
  dist::communicator world;
  dist::distribution<2> d({1000, 800}, {dist::block{}, dist::block_cyclic{64}}, world);
  auto a = dist::fromfunction<double>(d, [](dist::index_t i, dist::index_t j) { return double(i + j); });
  auto b = dist::random::uniform<double>(d, 42);
  dist::array<double, 2> c = 2.0 * a + dist::sin(b);
  c += a * b - 1.0;
  c = dist::where(c > 0.5, c, -c);
  auto w = dist::fromfunction<double>({800}, world, [](dist::index_t j) { return double(j); });
  c += a * w;
  double s = dist::sum(c * c);
  double m = dist::max(c);
  double mn = dist::mean(a);
  double sd = dist::std(b);
  auto col = dist::mean(c, 0);
  auto row = dist::sum(c, 1);
  double n2 = dist::norm(col);
  double dt = dist::dot(row, row);
  auto cnt = dist::count_nonzero(c > 1.0);
  dist::array<int, 2> k = dist::astype<int>(c) % 7;
  auto ks = dist::sum(k);
  dist::array<double, 1> r = dist::sqrt(dist::abs(row)) + dist::exp(-row / 1000.0);
  double rs = dist::sum(r);
  auto am = dist::argmax(c);
  if (world.rank() == 0)
    std::printf("%g %g %g %g %g %g %lld %lld %g %lld %lld\n", s, m, mn, sd, n2, dt, (long long)cnt, (long long)ks, rs,
                (long long)am[0], (long long)am[1]);
  return 0;
}
