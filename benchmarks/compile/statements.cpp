// Compile-time benchmark: the cost of one statement. per_statement.sh
// compiles this file with and without DIST_STATEMENTS (eight assignments of
// element-wise expressions, or with DIST_REDUCTIONS eight reductions of such
// expressions) and divides the difference by eight.
#include <dist/dist.hpp>

int main(int argc, char** argv) {
  dist::environment env(argc, argv);
  dist::communicator world;
  dist::distribution<2> d({1000, 800}, world);
  dist::array<double, 2> a(d), b(d), c(d);
  double s = 0;
#if defined(DIST_STATEMENTS) && !defined(DIST_REDUCTIONS)
  c = 2.0 * a + b;
  c = a * b - 1.0;
  c = a - b * b;
  c = a / (b + 1.0);
  c += a * b;
  c -= 3.0 * a;
  c = a * a + b * b;
  c = (a + b) * (a - b);
#elif defined(DIST_STATEMENTS)
  s += dist::sum(2.0 * a + b);
  s += dist::sum(a * b - 1.0);
  s += dist::sum(a - b * b);
  s += dist::sum(a / (b + 1.0));
  s += dist::max(a * b);
  s += dist::min(3.0 * a);
  s += dist::sum(a * a + b * b);
  s += dist::sum((a + b) * (a - b));
#endif
  return s > 0 ? 1 : 0;
}
