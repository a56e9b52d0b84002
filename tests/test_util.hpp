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

}  // namespace test_util
