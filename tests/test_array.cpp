// array<T,N>: creation, get/set, gather/allgather/scatter, random, print;
// every result checked against a serial reference computed here.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <dist/dist.hpp>
#include <numeric>
#include <random>
#include <sstream>

#include "test_util.hpp"

#if __has_include(<Random123/philox.h>)
#include <Random123/philox.h>
#define DIST_HAVE_RANDOM123 1
#endif

using dist::index_t;

namespace {

dist::communicator world;

std::vector<index_t> my_part(index_t n, unsigned seed) {
  return test_util::random_part(n, world.size(), world.rank(), seed);
}

// A variety of 2-D distributions of an (n, m) array, all kinds, odd sizes.
std::vector<dist::distribution<2>> layouts_2d(index_t n, index_t m) {
  std::vector<dist::distribution<2>> ds;
  ds.emplace_back(dist::shape<2>{n, m}, world);
  ds.emplace_back(dist::shape<2>{n, m}, std::array<dist::dim_spec, 2>{dist::block{}, dist::block{}}, world);
  ds.emplace_back(dist::shape<2>{n, m}, std::array<dist::dim_spec, 2>{dist::cyclic{}, dist::block_cyclic{2}}, world);
  ds.emplace_back(dist::shape<2>{n, m}, std::array<dist::dim_spec, 2>{dist::undistributed{}, dist::cyclic{}}, world);
  ds.emplace_back(dist::shape<2>{n, m}, std::array<dist::dim_spec, 2>{dist::unstructured{my_part(n, 4)}, dist::undistributed{}}, world);
  ds.emplace_back(dist::shape<2>{n, m}, std::array<dist::dim_spec, 2>{dist::undistributed{}, dist::undistributed{}}, world);
  return ds;
}

}  // namespace

TEST(array, fromfunction_gathers_to_the_reference_on_every_layout) {
  for (auto [n, m] : {std::pair<index_t, index_t>{7, 5}, {1, 3}, {0, 4}, {13, 11}}) {
    std::vector<double> ref(static_cast<std::size_t>(n * m));
    for (index_t i = 0; i < n; ++i)
      for (index_t j = 0; j < m; ++j) ref[static_cast<std::size_t>(i * m + j)] = 100.0 * double(i) + double(j);
    for (const auto& d : layouts_2d(n, m)) {
      auto a = dist::fromfunction<double>(d, [](index_t i, index_t j) { return 100.0 * double(i) + double(j); });
      auto b = dist::fromfunction<double>(d, [](const dist::index<2>& g) { return 100.0 * double(g[0]) + double(g[1]); });
      EXPECT_EQ(dist::allgather(a), ref);
      EXPECT_EQ(dist::allgather(b), ref);
      const auto g = dist::gather(a, world.size() - 1);
      if (world.rank() == world.size() - 1) EXPECT_EQ(g, ref);
      else EXPECT_TRUE(g.empty());
    }
  }
}

TEST(array, simple_creation_functions) {
  const dist::distribution<2> d({5, 3}, {dist::cyclic{}, dist::block{}}, world);
  for (double v : dist::allgather(dist::zeros<double>(d))) EXPECT_EQ(v, 0.0);
  for (int v : dist::allgather(dist::ones<int>({4, 4}, world))) EXPECT_EQ(v, 1);
  for (float v : dist::allgather(dist::full<float>({3, 7}, {dist::block{}, dist::cyclic{}}, world, 2.5))) EXPECT_EQ(v, 2.5f);
  auto e = dist::empty<double>(d);
  EXPECT_EQ(e.local_shape(), d.local_shape());
  auto z = dist::zeros_like(e);
  EXPECT_TRUE(z.distribution() == d);
  for (double v : dist::allgather(dist::full_like(z, 7))) EXPECT_EQ(v, 7.0);
  for (double v : dist::allgather(dist::ones_like(z))) EXPECT_EQ(v, 1.0);
  EXPECT_EQ(dist::empty_like(z).local_size(), d.local_size());
  // complex and bool elements
  const auto c = dist::allgather(dist::full<std::complex<double>>({6}, world, std::complex<double>(1, -2)));
  for (auto v : c) EXPECT_EQ(v, std::complex<double>(1, -2));
  const auto bb = dist::allgather(dist::full<bool>({9}, {dist::cyclic{}}, world, true));
  EXPECT_EQ(bb, std::vector<bool>(9, true));
}

TEST(array, ranges_match_numpy) {
  // arange: count is ceil((stop - start) / step)
  EXPECT_EQ(dist::allgather(dist::arange<int>(3, 17, 4)), (std::vector<int>{3, 7, 11, 15}));
  EXPECT_EQ(dist::allgather(dist::arange<int>(10, 0, -3)), (std::vector<int>{10, 7, 4, 1}));
  EXPECT_EQ(dist::allgather(dist::arange<int>(5)), (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(dist::allgather(dist::arange<int>(5, 5, 1)).empty());
  const auto ar = dist::allgather(dist::arange<double>(0.0, 1.0, 0.1));
  ASSERT_EQ(ar.size(), 10u);
  for (std::size_t i = 0; i < ar.size(); ++i) EXPECT_DOUBLE_EQ(ar[i], 0.1 * double(i));
  EXPECT_THROW((void)dist::arange<int>(0, 5, 0), dist::error);
  const dist::distribution<1> cyc({7}, {dist::cyclic{}}, world);
  EXPECT_EQ(dist::allgather(dist::arange<int>(0, 14, 2, cyc)), (std::vector<int>{0, 2, 4, 6, 8, 10, 12}));
  EXPECT_THROW((void)dist::arange<int>(0, 10, 1, cyc), dist::shape_error);
  // linspace includes stop exactly; endpoint=false leaves it out
  const auto ls = dist::allgather(dist::linspace<double>(0.0, 1.0, 11));
  ASSERT_EQ(ls.size(), 11u);
  for (std::size_t i = 0; i < ls.size(); ++i) EXPECT_DOUBLE_EQ(ls[i], double(i) / 10.0);
  EXPECT_EQ(ls.back(), 1.0);
  const auto ln = dist::allgather(dist::linspace<double>(0.0, 1.0, 4, world, false));
  EXPECT_EQ(ln, (std::vector<double>{0.0, 0.25, 0.5, 0.75}));
  EXPECT_EQ(dist::allgather(dist::linspace<double>(2.0, 3.0, 1)), (std::vector<double>{2.0}));
  const auto lg = dist::allgather(dist::logspace<double>(0.0, 3.0, 4));
  ASSERT_EQ(lg.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_DOUBLE_EQ(lg[i], std::pow(10.0, double(i)));
  // eye and identity
  const auto ey = dist::allgather(dist::eye<int>(3, 4, 1));
  EXPECT_EQ(ey, (std::vector<int>{0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}));
  const dist::distribution<2> bc({4, 4}, {dist::block_cyclic{3}, dist::cyclic{}}, world);
  const auto id = dist::allgather(dist::identity<double>(4, bc));
  for (index_t i = 0; i < 4; ++i)
    for (index_t j = 0; j < 4; ++j) EXPECT_EQ(id[static_cast<std::size_t>(i * 4 + j)], i == j ? 1.0 : 0.0);
}

TEST(array, get_and_set_on_every_layout) {
  for (const auto& d : layouts_2d(6, 5)) {
    auto a = dist::zeros<int>(d);
    a.set({4, 3}, 17);
    a.set({0, 0}, -2);
    EXPECT_EQ(a.get({4, 3}), 17);
    EXPECT_EQ(a.get({0, 0}), -2);
    EXPECT_EQ(a.get({5, 4}), 0);
    auto ref = std::vector<int>(30, 0);
    ref[4 * 5 + 3] = 17;
    ref[0] = -2;
    EXPECT_EQ(dist::allgather(a), ref);
    try {
      (void)a.get({6, 0});
      ADD_FAILURE() << "no exception";
    } catch (const dist::index_error& e) {
      EXPECT_NE(std::string(e.what()).find("(6, 0)"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("(6, 5)"), std::string::npos) << e.what();
    }
    EXPECT_THROW(a.set({0, -1}, 1), dist::index_error);
  }
}

TEST(array, scatter_round_trips_every_type_and_layout) {
  for (const auto& d : layouts_2d(9, 7)) {
    std::vector<double> data(63);
    std::iota(data.begin(), data.end(), 0.5);
    const auto a = dist::scatter(world.rank() == 0 ? data : std::vector<double>{}, d);
    EXPECT_EQ(dist::allgather(a), data);
    // local elements sit at their global positions
    const auto lv = a.local();
    for (index_t i = 0; i < lv.extent(0); ++i)
      for (index_t j = 0; j < lv.extent(1); ++j) {
        const auto g = d.global_index({i, j});
        EXPECT_EQ(lv(i, j), data[static_cast<std::size_t>(g[0] * 7 + g[1])]);
      }
    std::vector<bool> bits(63);
    for (std::size_t i = 0; i < 63; ++i) bits[i] = i % 3 == 0;
    EXPECT_EQ(dist::allgather(dist::scatter(bits, d)), bits);
    std::vector<std::complex<float>> zs(63);
    for (std::size_t i = 0; i < 63; ++i) zs[i] = {float(i), -float(i)};
    EXPECT_EQ(dist::allgather(dist::scatter(zs, d, world.size() - 1)), zs);
  }
  // root's data of the wrong size: shape_error on every rank
  const dist::distribution<1> d({10}, world);
  EXPECT_THROW((void)dist::scatter(std::vector<int>(world.rank() == 0 ? 9 : 10), d), dist::shape_error);
  EXPECT_THROW((void)dist::gather(dist::zeros<int>(d), world.size()), dist::error);
}

TEST(array, three_d_and_empty_ranks) {
  const dist::distribution<3> d({2, 3, 5}, {dist::block{}, dist::cyclic{}, dist::block_cyclic{2}}, world);
  auto a = dist::fromfunction<long>(d, [](index_t i, index_t j, index_t k) { return long(i * 15 + j * 5 + k); });
  std::vector<long> ref(30);
  std::iota(ref.begin(), ref.end(), 0L);
  EXPECT_EQ(dist::allgather(a), ref);
  // n < p: some ranks hold nothing
  auto t = dist::arange<int>(0, 1, 1);
  EXPECT_EQ(dist::allgather(t), std::vector<int>{0});
  EXPECT_EQ(t.local_size() == 0 ? 1 : 0, world.rank() == 0 ? 0 : 1);
}

TEST(array, copies_and_assignment) {
  const dist::distribution<1> d({11}, {dist::cyclic{}}, world);
  auto a = dist::arange<int>(0, 11, 1, d);
  auto b = a;  // deep copy
  b.set({3}, 100);
  EXPECT_EQ(a.get({3}), 3);
  auto c = dist::zeros<int>(d);
  c = b;
  EXPECT_EQ(c.get({3}), 100);
  auto wrong = dist::zeros<int>({12}, world);
  EXPECT_THROW(wrong = a, dist::shape_error);
}

TEST(random, philox_matches_random123) {
#ifdef DIST_HAVE_RANDOM123
  r123::Philox4x32 gen;
  for (std::uint32_t k : {0u, 1u, 0xdeadbeefu})
    for (std::uint32_t c : {0u, 7u, 0xffffffffu}) {
      r123::Philox4x32::ctr_type ctr = {{c, c ^ 0x1234u, 3u, 0u}};
      r123::Philox4x32::key_type key = {{k, ~k}};
      const auto ref = gen(ctr, key);
      const auto got = dist::random::philox({c, c ^ 0x1234u, 3u, 0u}, {k, ~k});
      for (int i = 0; i < 4; ++i) EXPECT_EQ(got[static_cast<std::size_t>(i)], ref.v[i]);
    }
#else
  GTEST_SKIP() << "Random123 not installed; the known-answer test needs it";
#endif
}

TEST(random, same_global_array_for_every_layout) {
  const index_t n = 9, m = 7;
  // serial reference: element (i, j) depends only on seed and flat index
  std::vector<double> ref(static_cast<std::size_t>(n * m));
  for (index_t f = 0; f < n * m; ++f) ref[static_cast<std::size_t>(f)] = dist::random::detail::uniform_value<double>(42, f, -1.0, 3.0);
  for (const auto& d : layouts_2d(n, m)) {
    EXPECT_EQ(dist::allgather(dist::random::uniform<double>(d, 42, -1.0, 3.0)), ref);
    const auto nr = dist::allgather(dist::random::normal<double>(d, 7, 1.0, 2.0));
    EXPECT_EQ(nr, dist::allgather(dist::random::normal<double>(dist::distribution<2>({n, m}, world), 7, 1.0, 2.0)));
  }
  for (double v : ref) {
    EXPECT_GE(v, -1.0);
    EXPECT_LT(v, 3.0);
  }
  // different seeds differ
  EXPECT_NE(dist::allgather(dist::random::uniform<double>({50}, world, 1)),
            dist::allgather(dist::random::uniform<double>({50}, world, 2)));
}

TEST(random, moments_are_right) {
  const index_t n = 200000;
  const auto u = dist::allgather(dist::random::uniform<double>({n}, world, 3));
  const auto z = dist::allgather(dist::random::normal<double>({n}, world, 4, 0.0, 1.0));
  const auto k = dist::allgather(dist::random::uniform<int>({n}, world, 5, 0, 6));
  double su = 0, sz = 0, sz2 = 0;
  std::array<index_t, 6> counts{};
  for (index_t i = 0; i < n; ++i) {
    su += u[static_cast<std::size_t>(i)];
    sz += z[static_cast<std::size_t>(i)];
    sz2 += z[static_cast<std::size_t>(i)] * z[static_cast<std::size_t>(i)];
    const int v = k[static_cast<std::size_t>(i)];
    ASSERT_GE(v, 0);
    ASSERT_LT(v, 6);
    ++counts[static_cast<std::size_t>(v)];
  }
  EXPECT_NEAR(su / double(n), 0.5, 0.005);
  EXPECT_NEAR(sz / double(n), 0.0, 0.01);
  EXPECT_NEAR(sz2 / double(n), 1.0, 0.01);
  for (index_t c : counts) EXPECT_NEAR(double(c) / double(n), 1.0 / 6.0, 0.005);
}

TEST(print, numpy_style_text_on_rank_zero) {
  auto text = [](const auto& a) {
    std::ostringstream os;
    dist::print(a, os);
    return os.str();
  };
  const dist::distribution<2> d({2, 3}, {dist::cyclic{}, dist::block{}}, world);
  const auto a = dist::fromfunction<double>(d, [](index_t i, index_t j) { return double(3 * i + j); });
  const auto b = dist::fromfunction<double>(d, [](index_t i, index_t j) { return 0.25 * double(3 * i + j) - 0.5; });
  const auto big = dist::arange<int>(0, 2000, 1, dist::distribution<1>({2000}, {dist::cyclic{}}, world));
  const auto big2 = dist::fromfunction<int>({40, 50}, {dist::cyclic{}, dist::block{}}, world, [](index_t i, index_t j) { return int(i * 50 + j); });
  const auto flags = dist::fromfunction<bool>({3}, world, [](index_t i) { return i != 1; });
  const auto cx = dist::full<std::complex<double>>({2}, world, std::complex<double>(1.5, -2));
  const std::vector<std::pair<std::string, std::string>> expect = {
      {text(a), "[[0. 1. 2.]\n [3. 4. 5.]]\n"},
      {text(b), "[[-0.5  -0.25  0.  ]\n [ 0.25  0.5   0.75]]\n"},
      {text(big), "[   0    1    2 ... 1997 1998 1999]\n"},
      {text(big2), "[[   0    1    2 ...   47   48   49]\n [  50   51   52 ...   97   98   99]\n"
                   " [ 100  101  102 ...  147  148  149]\n ...\n [1850 1851 1852 ... 1897 1898 1899]\n"
                   " [1900 1901 1902 ... 1947 1948 1949]\n [1950 1951 1952 ... 1997 1998 1999]]\n"},
      {text(flags), "[ True False  True]\n"},
      {text(cx), "[1.5-2.j 1.5-2.j]\n"},
  };
  for (const auto& [got, want] : expect) {
    if (world.rank() == 0) EXPECT_EQ(got, want);
    else EXPECT_EQ(got, "");
  }
}
