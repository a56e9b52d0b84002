// GAiN's Laplace benchmark (Jacobi on [0,1]^2, boundary x^2 - y^2) in the
// slice style and the halo style, after k iterations equal to a serial C++
// Jacobi to 1e-12: block rows, block x block, cyclic rows, uneven sizes.
#include <gtest/gtest.h>

#include <cmath>
#include <dist/dist.hpp>
#include <vector>

using dist::index_t;
using dist::slice;
using std::nullopt;

namespace {

dist::communicator world;

struct problem {
  index_t n;
  double dx2, dy2, dnr_inv;
  explicit problem(index_t size) : n(size) {
    const double dx = 1.0 / static_cast<double>(n - 1), dy = dx;
    dx2 = dx * dx;
    dy2 = dy * dy;
    dnr_inv = 0.5 / (dx2 + dy2);
  }
  double boundary(index_t i, index_t j) const {
    const double x = static_cast<double>(i) / static_cast<double>(n - 1), y = static_cast<double>(j) / static_cast<double>(n - 1);
    return (i == 0 || j == 0 || i == n - 1 || j == n - 1) ? x * x - y * y : 0.0;
  }
  // the serial Jacobi: two arrays, plain loops
  std::vector<double> serial(int iters) const {
    std::vector<double> u(static_cast<std::size_t>(n * n)), v;
    for (index_t i = 0; i < n; ++i)
      for (index_t j = 0; j < n; ++j) u[static_cast<std::size_t>(i * n + j)] = boundary(i, j);
    v = u;
    for (int it = 0; it < iters; ++it) {
      for (index_t i = 1; i < n - 1; ++i)
        for (index_t j = 1; j < n - 1; ++j) {
          const auto at = [&](index_t a, index_t b) { return u[static_cast<std::size_t>(a * n + b)]; };
          v[static_cast<std::size_t>(i * n + j)] = ((at(i - 1, j) + at(i + 1, j)) * dy2 + (at(i, j - 1) + at(i, j + 1)) * dx2) * dnr_inv;
        }
      std::swap(u, v);
    }
    return u;
  }
};

void expect_near_all(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  double worst = 0;
  for (std::size_t e = 0; e < got.size(); ++e) worst = std::max(worst, std::abs(got[e] - want[e]));
  EXPECT_LE(worst, 1e-12);
}

TEST(laplace, slice_style_every_layout) {
  const problem p(23);
  const int iters = 12;
  const auto want = p.serial(iters);
  const std::vector<std::array<dist::dim_spec, 2>> layouts = {
      {dist::block{}, dist::undistributed{}}, {dist::block{}, dist::block{}}, {dist::cyclic{}, dist::undistributed{}},
      {dist::block_cyclic{4}, dist::block{}}, {dist::undistributed{}, dist::block{}}};
  for (const auto& specs : layouts) {
    dist::distribution<2> D({p.n, p.n}, specs, world);
    auto u = dist::fromfunction<double>(D, [&](index_t i, index_t j) { return p.boundary(i, j); });
    for (int it = 0; it < iters; ++it)
      u(slice{1, -1}, slice{1, -1}) = ((u(slice{0, -2}, slice{1, -1}) + u(slice{2, nullopt}, slice{1, -1})) * p.dy2 +
                                       (u(slice{1, -1}, slice{0, -2}) + u(slice{1, -1}, slice{2, nullopt})) * p.dx2) *
                                      p.dnr_inv;
    expect_near_all(dist::allgather(u), want);
  }
}

TEST(laplace, slice_style_with_explicit_halo_block_by_block) {
  const problem p(21);
  const auto want = p.serial(9);
  dist::distribution<2> D({p.n, p.n}, {dist::block{}, dist::block{}}, world);
  dist::array<double, 2> u(D, dist::halo{1, 1});
  u = dist::fromfunction<double>(D, [&](index_t i, index_t j) { return p.boundary(i, j); });
  for (int it = 0; it < 9; ++it)
    u(slice{1, -1}, slice{1, -1}) = ((u(slice{0, -2}, slice{1, -1}) + u(slice{2, nullopt}, slice{1, -1})) * p.dy2 +
                                     (u(slice{1, -1}, slice{0, -2}) + u(slice{1, -1}, slice{2, nullopt})) * p.dx2) *
                                    p.dnr_inv;
  expect_near_all(dist::allgather(u), want);
}

TEST(laplace, halo_style_with_overlap) {
  const problem p(25);
  const int iters = 10;
  const auto want = p.serial(iters);
  for (int layout = 0; layout < 2; ++layout) {
    dist::distribution<2> D = layout == 0 ? dist::distribution<2>({p.n, p.n}, world)
                                          : dist::distribution<2>({p.n, p.n}, {dist::block{}, dist::block{}}, world);
    const dist::halo h = layout == 0 ? dist::halo{1} : dist::halo{1, 1};
    dist::array<double, 2> u(D, h), v(D, h);
    u = dist::fromfunction<double>(D, [&](index_t i, index_t j) { return p.boundary(i, j); });
    v = u;
    const slice in{1, -1};
    for (int it = 0; it < iters; ++it) {
      auto x = u(in, in);
      auto ex = u.start_halo_exchange();
      dist::assign_overlapped(v(in, in),
                              ((dist::shifted(x, {-1, 0}) + dist::shifted(x, {1, 0})) * p.dy2 +
                               (dist::shifted(x, {0, -1}) + dist::shifted(x, {0, 1})) * p.dx2) *
                                  p.dnr_inv,
                              ex);
      std::swap(u, v);
    }
    expect_near_all(dist::allgather(u), want);
  }
}

}  // namespace
