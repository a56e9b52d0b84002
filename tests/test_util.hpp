// Helpers shared by the test suites.
#pragma once

#include <algorithm>
#include <cstdint>
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

}  // namespace test_util
