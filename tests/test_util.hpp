// Helpers shared by the test suites.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <dist/dist.hpp>
#include <numeric>
#include <random>
#include <vector>

namespace test_util {

/// A random partition of 0..n-1 into `parts` pieces, the same on every rank
/// for a seed: piece c in a shuffled (unstructured) local order.
inline std::vector<std::vector<dist::index_t>> random_partition(dist::index_t n, int parts, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::vector<dist::index_t> perm(static_cast<std::size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), rng);
  std::vector<std::vector<dist::index_t>> out(static_cast<std::size_t>(parts));
  for (dist::index_t g : perm) out[rng() % static_cast<std::uint64_t>(parts)].push_back(g);
  return out;
}

/// Piece `coord` of random_partition(n, parts, seed).
inline std::vector<dist::index_t> random_part(dist::index_t n, int parts, int coord, unsigned seed) {
  return random_partition(n, parts, seed)[static_cast<std::size_t>(coord)];
}

/// All six kinds for a dim of extent n spread over the whole of `comm`
/// (unstructured: a random piece per rank; block with bounds: uneven).
inline std::vector<dist::dim_spec> all_kinds(dist::index_t n, const dist::communicator& comm, unsigned seed) {
  const int P = comm.size();
  std::vector<dist::index_t> bounds(static_cast<std::size_t>(P) + 1, 0);
  for (int c = 1; c < P; ++c) bounds[static_cast<std::size_t>(c)] = std::min<dist::index_t>(n, (n * c * c) / (P * P));
  bounds.back() = n;
  return {dist::block{}, dist::block{bounds}, dist::cyclic{}, dist::block_cyclic{3}, dist::undistributed{},
          dist::unstructured{random_part(n, P, comm.rank(), seed)}};
}

/// Smooth, non-separable test matrices: element (i, j).
inline double fa(dist::index_t i, dist::index_t j) { return std::sin(0.3 * static_cast<double>(i) + 0.11 * static_cast<double>(j)); }
inline double fb(dist::index_t i, dist::index_t j) {
  return std::cos(0.05 * static_cast<double>(i * j) - 0.2 * static_cast<double>(j));
}

/// Every element of `got` within `tol` of `want` relative to 1 + |want| (NaN
/// matches NaN); the failure names `what` and this rank.
template <class T>
void expect_close(const std::vector<T>& got, const std::vector<T>& want, double tol, const std::string& what = {}) {
  ASSERT_EQ(got.size(), want.size()) << what;
  dist::index_t bad = 0, first = -1;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double g = static_cast<double>(got[i]), w = static_cast<double>(want[i]);
    if (std::isnan(g) && std::isnan(w)) continue;
    if (!(std::abs(g - w) <= tol * (1 + std::abs(w)))) {
      if (bad++ == 0) first = static_cast<dist::index_t>(i);
    }
  }
  EXPECT_EQ(bad, 0) << what << ": differs from the serial reference on rank " << dist::communicator().rank()
                    << ", first at element " << first;
}

/// A file name of its own for a test: prefix_name_np<P>.ext (ranks of one
/// run share it; runs at other rank counts do not).
inline std::string scratch(const std::string& prefix, const std::string& name, const std::string& ext) {
  return prefix + "_" + name + "_np" + std::to_string(dist::communicator().size()) + ext;
}

}  // namespace test_util
