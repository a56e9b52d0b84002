// Per-dimension maps against a brute-force ownership table, for many
// (n, p, block size) including n < p, n = 0 and primes; simulated ranks of
// P = 65536; the default-grid rule. Pure: no MPI traffic.
#include <gtest/gtest.h>

#include <dist/dist.hpp>
#include <numeric>
#include <random>

using dist::dim_map;
using dist::index_t;

namespace {

const std::vector<index_t> sizes = {0, 1, 2, 3, 5, 7, 10, 13, 31, 64, 97};
const std::vector<int> procs = {1, 2, 3, 4, 5, 7, 8, 13};
const std::vector<index_t> block_sizes = {1, 2, 3, 5, 8};

// ScaLAPACK's NUMROC, written as its reference Fortran does (source process 0).
index_t numroc(index_t n, index_t nb, int iproc, int nprocs) {
  const index_t nblocks = n / nb;
  index_t num = (nblocks / nprocs) * nb;
  const index_t extrablks = nblocks % nprocs;
  if (iproc < extrablks) num += nb;
  else if (iproc == extrablks) num += n % nb;
  return num;
}

// Owner of every g by a direct reading of the definition, and the local
// position as the count of smaller indices on the same owner.
struct table {
  std::vector<int> owner;
  std::vector<index_t> local;
  std::vector<std::vector<index_t>> owned;  // per coordinate, in local order
};

template <class OwnerOf>
table brute(index_t n, int p, OwnerOf owner_of) {
  table t;
  t.owned.resize(static_cast<std::size_t>(p));
  for (index_t g = 0; g < n; ++g) {
    const int o = owner_of(g);
    t.owner.push_back(o);
    t.local.push_back(static_cast<index_t>(t.owned[static_cast<std::size_t>(o)].size()));
    t.owned[static_cast<std::size_t>(o)].push_back(g);
  }
  return t;
}

void check_against(const table& t, index_t n, int p, const std::function<dim_map(int)>& make) {
  for (int c = 0; c < p; ++c) {
    const dim_map m = make(c);
    SCOPED_TRACE("n=" + std::to_string(n) + " p=" + std::to_string(p) + " c=" + std::to_string(c) + " kind=" +
                 dist::to_string(m.kind()));
    ASSERT_EQ(m.size(), n);
    ASSERT_EQ(m.procs(), p);
    for (int q = 0; q < p; ++q) ASSERT_EQ(m.local_size(q), static_cast<index_t>(t.owned[static_cast<std::size_t>(q)].size()));
    EXPECT_EQ(m.global_indices(), t.owned[static_cast<std::size_t>(c)]);
    for (index_t g = 0; g < n; ++g) {
      ASSERT_EQ(m.owner(g), t.owner[static_cast<std::size_t>(g)]) << "g=" << g;
      ASSERT_EQ(m.local_index(g), t.local[static_cast<std::size_t>(g)]) << "g=" << g;
      ASSERT_EQ(m.owns(g), t.owner[static_cast<std::size_t>(g)] == c);
      ASSERT_EQ(m.global_index(m.owner(g), m.local_index(g)), g);
    }
    if (auto s = m.contiguous_start()) {
      const auto& own = t.owned[static_cast<std::size_t>(c)];
      for (std::size_t l = 0; l < own.size(); ++l) ASSERT_EQ(own[l], *s + static_cast<index_t>(l));
    }
  }
}

}  // namespace

TEST(dim_map, block_matches_brute_force) {
  for (index_t n : sizes)
    for (int p : procs) {
      // block{}: coordinate c gets n/p + (c < n%p) elements, in order.
      std::vector<index_t> start(static_cast<std::size_t>(p) + 1, 0);
      for (int c = 0; c < p; ++c) start[static_cast<std::size_t>(c) + 1] = start[static_cast<std::size_t>(c)] + n / p + (c < n % p);
      ASSERT_EQ(start.back(), n);
      const auto t = brute(n, p, [&](index_t g) {
        int c = 0;
        while (!(start[static_cast<std::size_t>(c)] <= g && g < start[static_cast<std::size_t>(c) + 1])) ++c;
        return c;
      });
      check_against(t, n, p, [&](int c) { return dim_map::block(n, p, c); });
    }
}

TEST(dim_map, irregular_block_matches_brute_force) {
  std::mt19937_64 rng(7);
  for (index_t n : sizes)
    for (int p : procs) {
      std::vector<index_t> b(static_cast<std::size_t>(p) + 1, 0);
      for (int c = 1; c < p; ++c) b[static_cast<std::size_t>(c)] = n ? static_cast<index_t>(rng() % static_cast<std::uint64_t>(n + 1)) : 0;
      b.back() = n;
      std::sort(b.begin(), b.end());
      const auto t = brute(n, p, [&](index_t g) {
        int c = 0;
        while (!(b[static_cast<std::size_t>(c)] <= g && g < b[static_cast<std::size_t>(c) + 1])) ++c;
        return c;
      });
      check_against(t, n, p, [&](int c) { return dim_map::block(b, c); });
    }
}

TEST(dim_map, cyclic_matches_brute_force) {
  for (index_t n : sizes)
    for (int p : procs) {
      const auto t = brute(n, p, [&](index_t g) { return static_cast<int>(g % p); });
      check_against(t, n, p, [&](int c) { return dim_map::cyclic(n, p, c); });
    }
}

TEST(dim_map, block_cyclic_matches_brute_force_and_numroc) {
  for (index_t n : sizes)
    for (int p : procs)
      for (index_t nb : block_sizes) {
        const auto t = brute(n, p, [&](index_t g) { return static_cast<int>((g / nb) % p); });
        check_against(t, n, p, [&](int c) { return dim_map::block_cyclic(n, nb, p, c); });
        for (int c = 0; c < p; ++c) EXPECT_EQ(dim_map::block_cyclic(n, nb, p, c).local_size(), numroc(n, nb, c, p));
      }
}

TEST(dim_map, undistributed_matches_brute_force) {
  for (index_t n : sizes) {
    const auto t = brute(n, 1, [](index_t) { return 0; });
    check_against(t, n, 1, [&](int) { return dim_map::undistributed(n); });
  }
}

TEST(dim_map, unstructured_round_trips) {
  std::mt19937_64 rng(11);
  for (index_t n : sizes)
    for (int p : procs) {
      std::vector<index_t> perm(static_cast<std::size_t>(n));
      std::iota(perm.begin(), perm.end(), 0);
      std::shuffle(perm.begin(), perm.end(), rng);
      std::vector<std::vector<index_t>> owned(static_cast<std::size_t>(p));
      for (index_t g : perm) owned[rng() % static_cast<std::uint64_t>(p)].push_back(g);
      std::vector<index_t> counts;
      for (const auto& o : owned) counts.push_back(static_cast<index_t>(o.size()));
      for (int c = 0; c < p; ++c) {
        const auto m = dim_map::unstructured(n, c, owned[static_cast<std::size_t>(c)], counts);
        EXPECT_EQ(m.global_indices(), owned[static_cast<std::size_t>(c)]);
        for (int q = 0; q < p; ++q) EXPECT_EQ(m.local_size(q), counts[static_cast<std::size_t>(q)]);
        for (index_t l = 0; l < m.local_size(); ++l) {
          const index_t g = m.global_index(l);
          ASSERT_TRUE(m.owns(g));
          ASSERT_EQ(m.owner(g), c);
          ASSERT_EQ(m.local_index(g), l);
        }
        for (int q = 0; q < p; ++q)
          if (q != c)
            for (index_t g : owned[static_cast<std::size_t>(q)]) {
              ASSERT_FALSE(m.owns(g));
              EXPECT_THROW((void)m.owner(g), dist::distribution_error);
            }
      }
    }
}

// A simulated rank of P = 65536: sizes add up, round trips hold, all in O(1)
// per query (O(P) only to sum the sizes).
TEST(dim_map, simulated_rank_of_65536) {
  const int P = 65536;
  const index_t n = 1'000'000'007;
  std::vector<index_t> bounds(P + 1);
  for (int c = 0; c < P; ++c) bounds[static_cast<std::size_t>(c)] = (n / P) * c * c / P;  // quadratic growth
  bounds[P] = n;
  for (int c : {0, 1, 12345, P / 2, P - 1}) {
    const std::vector<dim_map> maps = {dim_map::block(n, P, c), dim_map::block(bounds, c), dim_map::cyclic(n, P, c),
                                       dim_map::block_cyclic(n, 64, P, c), dim_map::block_cyclic(n, 1 << 20, P, c)};
    for (const auto& m : maps) {
      SCOPED_TRACE(std::string(dist::to_string(m.kind())) + " c=" + std::to_string(c));
      index_t total = 0;
      for (int q = 0; q < P; ++q) total += m.local_size(q);
      EXPECT_EQ(total, n);
      const index_t ls = m.local_size();
      std::mt19937_64 rng(static_cast<std::uint64_t>(c));
      for (int k = 0; k < 2000 && ls > 0; ++k) {
        const index_t l = k < 1000 ? std::min<index_t>(k, ls - 1) : static_cast<index_t>(rng() % static_cast<std::uint64_t>(ls));
        const index_t g = m.global_index(l);
        ASSERT_GE(g, 0);
        ASSERT_LT(g, n);
        ASSERT_EQ(m.owner(g), c);
        ASSERT_EQ(m.local_index(g), l);
      }
      // indices owned elsewhere map back to their owner
      for (int k = 0; k < 1000; ++k) {
        const index_t g = static_cast<index_t>(rng() % static_cast<std::uint64_t>(n));
        const int o = m.owner(g);
        ASSERT_EQ(m.global_index(o, m.local_index(g)), g);
      }
    }
  }
}

TEST(dim_map, invalid_input_names_the_values) {
  try {
    (void)dim_map::block({0, 5, 3, 9}, 0);
    FAIL() << "no exception";
  } catch (const dist::distribution_error& e) {
    EXPECT_NE(std::string(e.what()).find("b2 = 3 < b1 = 5"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)dim_map::block({1, 5}, 0), dist::distribution_error);
  EXPECT_THROW((void)dim_map::block(std::vector<index_t>{0}, 0), dist::distribution_error);
  try {
    (void)dim_map::block_cyclic(10, 0, 2, 0);
    FAIL() << "no exception";
  } catch (const dist::distribution_error& e) {
    EXPECT_NE(std::string(e.what()).find("got 0"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)dim_map::unstructured(5, 0, {0, 7}, {2, 3}), dist::distribution_error);
  EXPECT_THROW((void)dim_map::unstructured(5, 0, {1, 1}, {2, 3}), dist::distribution_error);
  EXPECT_THROW((void)dim_map::unstructured(5, 0, {1, 2}, {2, 2}), dist::distribution_error);
  EXPECT_THROW((void)dim_map::block(-1, 2, 0), dist::distribution_error);
}

TEST(dim_map, equality_is_by_owned_indices) {
  EXPECT_EQ(dim_map::block(10, 2, 1), dim_map::block({0, 5, 10}, 1));
  EXPECT_EQ(dim_map::cyclic(10, 3, 1), dim_map::block_cyclic(10, 1, 3, 1));
  EXPECT_EQ(dim_map::block_cyclic(10, 5, 2, 1), dim_map::block(10, 2, 1));
  EXPECT_FALSE(dim_map::block(10, 2, 1) == dim_map::cyclic(10, 2, 1));
  EXPECT_FALSE(dim_map::block(10, 2, 1) == dim_map::block({0, 4, 10}, 1));
  EXPECT_EQ(dim_map::block(10, 1, 0), dim_map::undistributed(10));
}

TEST(grid, default_rule_examples_from_spec) {
  using dist::detail::default_grid;
  EXPECT_EQ(default_grid({20, 60}, 12), (std::vector<int>{2, 6}));
  EXPECT_EQ(default_grid({100, 100, 150}, 12), (std::vector<int>{2, 2, 3}));
  EXPECT_EQ(default_grid({60, 20}, 12), (std::vector<int>{6, 2}));
  EXPECT_EQ(default_grid({1000}, 7), (std::vector<int>{7}));
  EXPECT_EQ(default_grid({100, 100}, 4), (std::vector<int>{2, 2}));
  EXPECT_EQ(default_grid({100, 100}, 7), (std::vector<int>{1, 7}));  // tie: first factorisation
  EXPECT_EQ(default_grid({0, 10}, 4), (std::vector<int>{1, 4}));
  for (int p = 1; p <= 64; ++p)
    for (const auto& f : dist::detail::factorisations(p, 3)) {
      EXPECT_EQ(f[0] * f[1] * f[2], p);
      EXPECT_LE(f[0], f[1]);
      EXPECT_LE(f[1], f[2]);
    }
}
