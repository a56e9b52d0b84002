// Selection by value (SPEC 13): boolean masks read and assigned, nonzero,
// flatnonzero, argwhere, take, put, add_at, a(idx), histogram, bincount,
// against serial references computed here on every rank, over every layout
// kind with uneven extents, empty selections and all data on one rank; the
// stream exchange beneath them (sparse notification, placement, sides).
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>
#include <cmath>
#include <dist/dist.hpp>
#include <thread>
#include <vector>

#include "test_util.hpp"

using dist::index_t;

namespace {
dist::communicator world;

// ties, negatives, zeros
double val(index_t f) { return static_cast<double>((f * 37 + 11) % 17 % 9) - 4.0; }

std::vector<dist::dim_spec> kinds(index_t n, unsigned seed) {
  auto k = test_util::all_kinds(n, world, seed);
  std::vector<index_t> one(static_cast<std::size_t>(world.size()) + 1, n);  // everything on rank 0
  one[0] = 0;
  k.push_back(dist::block{one});
  return k;
}

std::vector<dist::distribution<2>> layouts2(index_t r, index_t c, unsigned seed) {
  std::vector<dist::distribution<2>> out;
  for (const auto& a : kinds(r, seed)) out.emplace_back(dist::shape<2>{r, c}, std::array<dist::dim_spec, 2>{a, dist::undistributed{}}, world);
  for (const auto& b : kinds(c, seed + 1))
    if (!std::holds_alternative<dist::unstructured>(b))
      out.emplace_back(dist::shape<2>{r, c}, std::array<dist::dim_spec, 2>{dist::undistributed{}, b}, world);
  if (world.size() == 4)
    out.emplace_back(dist::shape<2>{r, c}, std::array<dist::dim_spec, 2>{dist::cyclic{}, dist::block_cyclic{2}}, world, dist::grid{2, 2});
  return out;
}

template <class T = double, std::size_t N>
dist::array<T, N> iota_on(const dist::distribution<N>& d) {
  const auto st = dist::detail::row_major_strides(d.shape());
  return dist::fromfunction<T>(d, [&](const dist::index<N>& ix) {
    index_t f = 0;
    for (std::size_t k = 0; k < N; ++k) f += ix[k] * st[k];
    return static_cast<T>(val(f));
  });
}

template <class T = double>
std::vector<T> ref(index_t n) {
  std::vector<T> v(static_cast<std::size_t>(n));
  for (index_t f = 0; f < n; ++f) v[static_cast<std::size_t>(f)] = static_cast<T>(val(f));
  return v;
}

/// Random indices in [-n, n) with repeats, the same on every rank.
std::vector<index_t> random_indices(index_t count, index_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::vector<index_t> v(static_cast<std::size_t>(count));
  for (auto& x : v) x = static_cast<index_t>(rng() % static_cast<std::uint64_t>(2 * n)) - n;
  return v;
}

dist::array<index_t, 1> index_array(const std::vector<index_t>& v, const dist::dim_spec& spec) {
  const dist::distribution<1> d({static_cast<index_t>(v.size())}, {spec}, world);
  return dist::fromfunction<index_t>(d, [&](const dist::index<1>& i) { return v[static_cast<std::size_t>(i[0])]; });
}
}  // namespace

TEST(select, mask_reads_in_c_order_on_every_layout) {
  const index_t r = 7, c = 5, n = r * c;
  const auto want = ref(n);
  for (const auto& d : layouts2(r, c, 3)) {
    const auto a = iota_on(d);
    std::vector<double> pos, none;
    for (double v : want)
      if (v > 0) pos.push_back(v);
    dist::array<double, 1> got = a(a > 0.0);
    EXPECT_EQ(got.shape(), (dist::shape<1>{static_cast<index_t>(pos.size())}));
    EXPECT_EQ(dist::allgather(got), pos) << d.describe();
    EXPECT_EQ(dist::allgather(dist::eval(a(a > 100.0))), none) << d.describe();
    EXPECT_EQ(dist::allgather(dist::eval(a(a == a))), want) << d.describe();
    // a mask array on another layout is moved onto a's
    const dist::array<bool, 2> m = dist::eval(a < 0.0, dist::distribution<2>({r, c}, {dist::cyclic{}, dist::undistributed{}}, world));
    std::vector<double> neg;
    for (double v : want)
      if (v < 0) neg.push_back(v);
    EXPECT_EQ(dist::allgather(dist::eval(a(m))), neg) << d.describe();
    EXPECT_EQ(a(m).count(), static_cast<index_t>(neg.size()));
  }
}

TEST(select, mask_assignments) {
  const index_t r = 6, c = 7, n = r * c;
  for (const auto& d : layouts2(r, c, 5)) {
    auto want = ref(n);
    auto a = iota_on(d);
    a(a < 0.0) = -a;  // element-wise
    for (auto& v : want) v = v < 0 ? -v : v;
    EXPECT_EQ(dist::allgather(a), want) << d.describe();
    a(a > 2.0) = 7.5;  // a scalar
    for (auto& v : want) v = v > 2 ? 7.5 : v;
    EXPECT_EQ(dist::allgather(a), want) << d.describe();
    a(a == 0.0) += 1.0;
    for (auto& v : want) v = v == 0 ? v + 1 : v;
    EXPECT_EQ(dist::allgather(a), want) << d.describe();
    // 1-D values in C order: count_nonzero(mask) of them, on any layout
    const index_t k = dist::count_nonzero(a < 2.0);
    const auto vals = dist::arange<double>(100.0, 100.0 + static_cast<double>(k), 1.0, world);
    a(a < 2.0) = dist::redistribute(vals, dist::distribution<1>({k}, {dist::cyclic{}}, world));
    double next = 100;
    for (auto& v : want) v = v < 2 ? next++ : v;
    EXPECT_EQ(dist::allgather(a), want) << d.describe();
    EXPECT_THROW(a(a > 0.0) = dist::zeros<double>(dist::shape<1>{n + 1}, world), dist::shape_error);
  }
  // 1-D: a full-shape rhs is element-wise, another length is values
  const dist::distribution<1> d1({11}, {dist::block_cyclic{2}}, world);
  auto a = iota_on(d1);
  const auto b = a * 10.0;
  a(a > 0.0) = b;
  auto want = ref(11);
  for (auto& v : want) v = v > 0 ? v * 10 : v;
  EXPECT_EQ(dist::allgather(a), want);
  EXPECT_THROW((void)dist::eval(a(dist::zeros<bool>(dist::shape<1>{10}, world))), dist::index_error);
}

TEST(select, integer_and_bool_masks) {
  const dist::distribution<1> d({29}, {dist::cyclic{}}, world);
  auto a = iota_on<int>(d);
  const auto want = ref<int>(29);
  std::vector<int> odd;
  for (int v : want)
    if (v % 2 != 0) odd.push_back(v);
  EXPECT_EQ(dist::allgather(dist::eval(a(a % 2 != 0))), odd);
  const dist::array<bool, 1> m = a > 0;
  auto bm = m.copy();
  bm(m) = false;
  EXPECT_EQ(dist::count_nonzero(bm), 0);
}

TEST(select, nonzero_flatnonzero_argwhere) {
  const index_t r = 5, c = 8, n = r * c;
  const auto want = ref(n);
  std::vector<index_t> f, rows, cols, pairs;
  for (index_t i = 0; i < n; ++i)
    if (want[static_cast<std::size_t>(i)] != 0) {
      f.push_back(i);
      rows.push_back(i / c);
      cols.push_back(i % c);
      pairs.push_back(i / c);
      pairs.push_back(i % c);
    }
  for (const auto& d : layouts2(r, c, 11)) {
    const auto a = iota_on(d);
    EXPECT_EQ(dist::allgather(dist::flatnonzero(a)), f) << d.describe();
    const auto nz = dist::nonzero(a);
    EXPECT_EQ(dist::allgather(nz[0]), rows) << d.describe();
    EXPECT_EQ(dist::allgather(nz[1]), cols) << d.describe();
    const auto aw = dist::argwhere(a);
    EXPECT_EQ(aw.shape(), (dist::shape<2>{static_cast<index_t>(f.size()), 2}));
    EXPECT_EQ(dist::allgather(aw), pairs) << d.describe();
    EXPECT_EQ(dist::flatnonzero(a * 0.0).size(), 0);
  }
}

TEST(select, take_flat_and_along_an_axis) {
  const index_t r = 6, c = 5, n = r * c;
  const auto want = ref(n);
  const auto iv = random_indices(23, n, 7);
  std::vector<double> flat;
  for (index_t i : iv) flat.push_back(want[static_cast<std::size_t>(i < 0 ? i + n : i)]);
  const auto ik = kinds(23, 9), jk = kinds(9, 19);
  std::size_t t = 0;
  for (const auto& d : layouts2(r, c, 13)) {
    const auto a = iota_on(d);
    const auto& spec = ik[t++ % ik.size()];
    const auto idx = index_array(iv, spec);
    const auto got = dist::take(a, idx);
    EXPECT_TRUE(got.distribution() == idx.distribution());
    EXPECT_EQ(dist::allgather(got), flat) << d.describe();
    // along each axis, indices within that extent
    for (int axis : {0, 1, -1}) {
      const index_t ext = axis == 0 ? r : c;
      std::vector<index_t> jv;
      for (index_t j = 0; j < 9; ++j) jv.push_back((j * 5 + 3) % (2 * ext) - ext);
      const auto tj = dist::take(a, index_array(jv, jk[t % jk.size()]), axis);
      std::vector<double> w;
      if (axis == 0) {
        for (index_t j : jv)
          for (index_t y = 0; y < c; ++y) w.push_back(want[static_cast<std::size_t>((j < 0 ? j + r : j) * c + y)]);
      } else {
        for (index_t x = 0; x < r; ++x)
          for (index_t j : jv) w.push_back(want[static_cast<std::size_t>(x * c + (j < 0 ? j + c : j))]);
      }
      EXPECT_EQ(dist::allgather(tj), w) << d.describe() << " axis " << axis;
    }
  }
  // out of range on one rank only: index_error on every rank
  const auto a = iota_on(dist::distribution<1>({10}, world));
  auto idx = dist::zeros<index_t>(dist::shape<1>{static_cast<index_t>(world.size())}, world);
  if (world.rank() == world.size() - 1) idx.local_data()[0] = 10;
  EXPECT_THROW((void)dist::take(a, idx), dist::index_error);
  EXPECT_THROW((void)dist::take(a, idx, 1), dist::index_error);
}

TEST(select, put_and_add_at_with_repeated_indices) {
  const index_t n = 19;
  const auto iv = random_indices(31, n, 21);
  for (const auto& spec : kinds(n, 4)) {
    for (const auto& ispec : {dist::dim_spec{dist::block{}}, dist::dim_spec{dist::cyclic{}}}) {
      const dist::distribution<1> d({n}, {spec}, world);
      const auto idx = index_array(iv, ispec);
      const auto vals = dist::fromfunction<double>(idx.distribution(), [](const dist::index<1>& i) { return 1.0 + static_cast<double>(i[0]); });
      auto a = iota_on(d);
      dist::put(a, idx, vals);
      auto want = ref(n);
      for (std::size_t k = 0; k < iv.size(); ++k) want[static_cast<std::size_t>(iv[k] < 0 ? iv[k] + n : iv[k])] = 1.0 + static_cast<double>(k);
      EXPECT_EQ(dist::allgather(a), want) << d.describe();  // the last of repeated indices wins
      auto b = iota_on(d);
      dist::add_at(b, idx, vals);
      auto w2 = ref(n);
      for (std::size_t k = 0; k < iv.size(); ++k) w2[static_cast<std::size_t>(iv[k] < 0 ? iv[k] + n : iv[k])] += 1.0 + static_cast<double>(k);
      EXPECT_EQ(dist::allgather(b), w2) << d.describe();
      // a(idx): read, assign, the buffered +=
      auto c = iota_on(d);
      const dist::array<double, 1> read = c(idx);
      std::vector<double> wr;
      for (index_t i : iv) wr.push_back(ref(n)[static_cast<std::size_t>(i < 0 ? i + n : i)]);
      EXPECT_EQ(dist::allgather(read), wr);
      c(idx) += 1.0;  // NumPy: repeated indices incremented once
      auto w3 = ref(n);
      for (index_t i : iv) w3[static_cast<std::size_t>(i < 0 ? i + n : i)] = ref(n)[static_cast<std::size_t>(i < 0 ? i + n : i)] + 1.0;
      EXPECT_EQ(dist::allgather(c), w3) << d.describe();
      c(idx) = 0.0;
      for (index_t i : iv) w3[static_cast<std::size_t>(i < 0 ? i + n : i)] = 0;
      EXPECT_EQ(dist::allgather(c), w3) << d.describe();
    }
  }
  // replicated targets see every update
  const dist::distribution<1> rep({n}, {dist::undistributed{}}, world);
  auto r = dist::zeros<int>(rep);
  dist::add_at(r, index_array(iv, dist::block{}), 1);
  std::vector<int> w(static_cast<std::size_t>(n), 0);
  for (index_t i : iv) ++w[static_cast<std::size_t>(i < 0 ? i + n : i)];
  EXPECT_EQ(std::vector<int>(r.local_data().begin(), r.local_data().end()), w);
  auto bad = index_array({0, n}, dist::block{});
  EXPECT_THROW(dist::put(r, bad, 1), dist::index_error);
}

TEST(select, histogram_and_bincount) {
  const index_t n = 53;
  auto want = ref(n);
  want[7] = std::nan("");
  want[9] = 4.0;  // the closed last edge
  for (const auto& spec : kinds(n, 8)) {
    const dist::distribution<1> d({n}, {spec}, world);
    const auto a = dist::fromfunction<double>(d, [&](const dist::index<1>& i) { return want[static_cast<std::size_t>(i[0])]; });
    const auto h = dist::histogram(a, 5, -2.0, 4.0);
    ASSERT_EQ(h.edges.size(), 6u);
    std::vector<index_t> wc(5, 0);
    for (double v : want) {
      if (!(v >= -2 && v <= 4)) continue;
      auto b = static_cast<std::size_t>((v + 2) / 1.2);
      if (b == 5) b = 4;
      ++wc[b];
    }
    EXPECT_EQ(h.counts, wc) << d.describe();
    EXPECT_DOUBLE_EQ(h.edges[0], -2.0);
    EXPECT_DOUBLE_EQ(h.edges[5], 4.0);
    const auto ia = dist::fromfunction<int>(d, [&](const dist::index<1>& i) { return static_cast<int>((i[0] * 7) % 12); });
    std::vector<index_t> wb(15, 0);
    for (index_t i = 0; i < n; ++i) ++wb[static_cast<std::size_t>((i * 7) % 12)];
    EXPECT_EQ(dist::allgather(dist::bincount(ia, 15)), wb) << d.describe();
    wb.resize(12);
    EXPECT_EQ(dist::allgather(dist::bincount(ia)), wb) << d.describe();
  }
  const auto neg = dist::arange<int>(-1, 5, 1, world);
  EXPECT_THROW((void)dist::bincount(neg), dist::index_error);
  EXPECT_THROW((void)dist::histogram(neg, 0, 0.0, 1.0), dist::shape_error);
}

TEST(select, index_plan_reused) {
  const index_t r = 5, c = 7, n = r * c;
  const auto iv = random_indices(40, n, 33);
  const auto ik = kinds(40, 12);
  std::size_t t = 0;
  for (const auto& d : layouts2(r, c, 17)) {
    const auto& spec = ik[t++ % ik.size()];
    const auto idx = index_array(iv, spec);
    const dist::index_plan<2, 1> plan(d, idx);
    auto a = iota_on(d);
    for (int round = 0; round < 2; ++round) {  // the same plan, twice
      const auto got = plan.take(a);
      EXPECT_TRUE(got.distribution() == idx.distribution());
      EXPECT_EQ(dist::allgather(got), dist::allgather(dist::take(a, idx))) << d.describe();
    }
    auto b = iota_on(d), b2 = iota_on(d);
    const auto vals = dist::fromfunction<double>(idx.distribution(), [](const dist::index<1>& i) { return 100.0 + static_cast<double>(i[0]); });
    plan.put(b, vals);
    dist::put(b2, idx, vals);
    EXPECT_EQ(dist::allgather(b), dist::allgather(b2)) << d.describe();  // the last of repeats wins, as put
    plan.add_at(b, 0.5);
    dist::add_at(b2, idx, 0.5);
    EXPECT_EQ(dist::allgather(b), dist::allgather(b2)) << d.describe();
    EXPECT_EQ(plan.sent(), idx.local_size());
  }
  const dist::distribution<2> d({r, c}, world);
  const dist::index_plan<2, 1> plan(d, index_array(iv, dist::cyclic{}));
  const auto other = dist::zeros<double>(dist::distribution<2>({r, c}, {dist::undistributed{}, dist::cyclic{}}, world));  // (never d's layout on > 1 rank)
  if (world.size() > 1) {
    EXPECT_THROW((void)plan.take(other), dist::distribution_error);
  }
}

namespace {
// every position of a run list, in order
std::vector<index_t> positions_of(const dist::detail::run_list& rl) {
  std::vector<index_t> out;
  for (const auto& g : rl)
    for (index_t k = 0; k < g.count; ++k)
      for (index_t j = 0; j < g.len; ++j) out.push_back(g.start + k * g.stride + j);
  return out;
}
}  // namespace

TEST(stream, notify_delivers_every_message_round_after_round) {
  // Sparse notification: rounds of random targets (the same draw on every
  // rank), some ranks late by turns so others run a round ahead; every rank
  // receives exactly what was addressed to it, by source.
  const int P = world.size(), me = world.rank();
  std::mt19937 rng(7);
  for (index_t round = 0; round < 40; ++round) {
    std::vector<std::vector<int>> targets(static_cast<std::size_t>(P));
    for (auto& t : targets)
      for (int q = 0; q < P; ++q)
        if (rng() % 3 == 0) t.push_back(q);
    if (round % P == me && round % 2) std::this_thread::sleep_for(std::chrono::milliseconds(3));
    dist::detail::notes<2> out;  // to rank q: (round, 1000 * me + q)
    for (int q : targets[static_cast<std::size_t>(me)]) out.push_back({q, {round, 1000 * me + q}});
    const auto got = dist::detail::notify(world, out);
    dist::detail::notes<2> want;
    for (int r = 0; r < P; ++r) {
      const auto& t = targets[static_cast<std::size_t>(r)];
      if (std::find(t.begin(), t.end(), me) != t.end()) want.push_back({r, {round, 1000 * r + me}});
    }
    EXPECT_EQ(got, want) << "round " << round;
  }
}

TEST(stream, requests_grouped_by_owner_either_way) {
  // group_requests (routes' grouping) by counting and by sorting, for P up
  // to 70 000 and request counts around P/8 (where routes switch): both
  // give the serial reference's counts (ranks with requests only, rising)
  // and places (rank by rank, request order within a rank).
  std::mt19937 rng(7 + static_cast<unsigned>(world.rank()));
  for (int P : {1, 3, 8, 9, 64, 4097, 70000}) {
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, static_cast<std::size_t>(P) / 8, static_cast<std::size_t>(P) / 8 + 1, std::size_t{300}}) {
      std::vector<int> owner(n);
      const int span = 1 + static_cast<int>(rng() % static_cast<unsigned>(P));  // crowd some owners
      for (auto& o : owner) o = static_cast<int>(rng() % static_cast<unsigned>(span)) * (P / span);
      // reference: a request's place is the number of requests to lower
      // ranks plus the number of earlier requests to its own rank
      std::map<int, index_t> per_rank, below, seen;
      for (int o : owner) ++per_rank[o];
      std::vector<std::pair<int, index_t>> want(per_rank.begin(), per_rank.end());
      index_t at = 0;
      for (const auto& [r, k] : per_rank) below[r] = at, at += k;
      std::vector<index_t> want_slot(n);
      for (std::size_t i = 0; i < n; ++i) want_slot[i] = below[owner[i]] + seen[owner[i]]++;
      for (bool counting : {true, false}) {
        std::vector<index_t> slot(n, -1);
        const auto got = dist::detail::group_requests(owner, P, counting, slot.data());
        EXPECT_EQ(got, want) << "P " << P << " n " << n << (counting ? " counting" : " sorting");
        EXPECT_EQ(slot, want_slot) << "P " << P << " n " << n << (counting ? " counting" : " sorting");
      }
    }
  }
}

TEST(stream, routes_with_few_requests_among_many_ranks) {
  // take with indices on a block layout where odd ranks hold none and the
  // others one to three (fewer than ranks / 8 on some ranks at 8+ ranks:
  // routes group them by sorting there, by counting elsewhere), into an
  // array of 5 and of 61 elements: the values of every index, checked
  // against the serial reference on every rank.
  const int P = world.size();
  std::vector<index_t> bounds{0};
  for (int r = 0; r < P; ++r) bounds.push_back(bounds.back() + (r % 2 ? 0 : 1 + r % 3));
  const index_t m = bounds.back();
  for (index_t n : {index_t{5}, index_t{61}}) {
    std::vector<index_t> iv(static_cast<std::size_t>(m));
    for (index_t k = 0; k < m; ++k) iv[static_cast<std::size_t>(k)] = (k * 7 + 3) % n;
    const auto idx = index_array(iv, dist::block{bounds});
    dist::distribution<1> d({n}, {dist::cyclic{}}, world);
    const auto a = dist::fromfunction<double>(d, [](index_t i) { return val(i); });
    const auto got = dist::allgather(dist::take(a, idx));
    ASSERT_EQ(got.size(), iv.size());
    for (std::size_t k = 0; k < iv.size(); ++k) EXPECT_EQ(got[k], val(iv[k])) << "n " << n << " k " << k;
  }
}

TEST(stream, sides_for_simulated_ranks) {
  // The stream exchange planned for every simulated rank of P up to 64 (no
  // MPI): stretches of random lengths (empty ones too) onto 2-D layouts.
  // What rank q sends to rank r is, element by element, what r receives
  // from q, each stream position landing on the local place of the same
  // C-order flat index; every rank receives its whole block; each rank's
  // receive side needs only the stretches that name it as a target.
  using namespace dist::detail;
  std::mt19937_64 rng(11);
  for (int P : {1, 2, 3, 5, 8, 13, 64}) {
    for (int kind = 0; kind < 3; ++kind) {
      const index_t R = 7 + static_cast<index_t>(rng() % 20), C = 3 + static_cast<index_t>(rng() % 11), total = R * C;
      const int g0 = P % 2 == 0 ? 2 : 1, g1 = P / g0;
      const auto side = [&](int r) {
        const int c0 = r / g1, c1 = r % g1;
        std::array<dist::dim_map, 2> maps{dist::dim_map::block(R, g0, c0), dist::dim_map::block(C, g1, c1)};
        if (kind == 1) maps = {dist::dim_map::cyclic(R, g0, c0), dist::dim_map::block_cyclic(C, 2, g1, c1)};
        if (kind == 2) maps = {dist::dim_map::block(R, P, r), dist::dim_map::undistributed(C)};
        const std::array<int, 2> grid = kind == 2 ? std::array<int, 2>{P, 1} : std::array<int, 2>{g0, g1};
        return flat_side<2>{plan_side_input<2>{maps, grid, false, r, P}, {R, C}, flat_walk::whole(total)};
      };
      std::vector<index_t> cut{0, total};
      for (int q = 1; q < P; ++q) cut.push_back(static_cast<index_t>(rng() % static_cast<std::uint64_t>(total + 1)));
      std::sort(cut.begin(), cut.end());
      std::vector<stretch> st(static_cast<std::size_t>(P));
      for (int q = 0; q < P; ++q) st[static_cast<std::size_t>(q)] = {cut[static_cast<std::size_t>(q)], cut[static_cast<std::size_t>(q) + 1] - cut[static_cast<std::size_t>(q)], q};
      std::vector<side_plan<1>> send(static_cast<std::size_t>(P)), recv(static_cast<std::size_t>(P));
      std::vector<std::vector<int>> targets(static_cast<std::size_t>(P));
      for (int q = 0; q < P; ++q) stream_send_side(side(q), st[static_cast<std::size_t>(q)], send[static_cast<std::size_t>(q)], targets[static_cast<std::size_t>(q)]);
      for (int r = 0; r < P; ++r) {
        std::vector<stretch> near;  // what notify delivers: the stretches naming r
        for (int q = 0; q < P; ++q) {
          const auto& t = targets[static_cast<std::size_t>(q)];
          if (std::find(t.begin(), t.end(), r) != t.end()) near.push_back(st[static_cast<std::size_t>(q)]);
        }
        stream_recv_side(side(r), near, recv[static_cast<std::size_t>(r)]);
      }
      for (int r = 0; r < P; ++r) {
        const auto s = side(r);
        const auto& m = s.in.maps;
        index_t got = 0;
        for (int q = 0; q < P; ++q) {
          const auto out = positions_of(send[static_cast<std::size_t>(q)].dims[0].at(r));
          const auto in = positions_of(recv[static_cast<std::size_t>(r)].dims[0].at(q));
          ASSERT_EQ(out.size(), in.size()) << "P " << P << " kind " << kind << " " << q << " -> " << r;
          for (std::size_t k = 0; k < in.size(); ++k) {
            const index_t l = in[k], lc = m[1].local_size();
            const index_t flat = m[0].global_index(l / lc) * C + m[1].global_index(l % lc);
            ASSERT_EQ(st[static_cast<std::size_t>(q)].start + out[k], flat) << "P " << P << " kind " << kind << " " << q << " -> " << r;
          }
          got += static_cast<index_t>(in.size());
        }
        EXPECT_EQ(got, m[0].local_size() * m[1].local_size());
      }
    }
  }
}

TEST(stream, placement_with_keys_out_of_rank_order) {
  // Stretches ordered by keys that fall with the rank (every stretch is
  // gathered then): rank r's elements land after those of higher ranks.
  const int P = world.size(), me = world.rank();
  const index_t n = 2 + me % 3;  // rank r holds n values 100 r + j
  std::vector<double> mine(static_cast<std::size_t>(n));
  for (index_t j = 0; j < n; ++j) mine[static_cast<std::size_t>(j)] = 100.0 * me + static_cast<double>(j);
  for (const bool falling : {false, true}) {
    const auto st = dist::detail::place_by_scan(world, falling ? P - me : me, n);
    std::vector<double> want;
    for (int k = 0; k < P; ++k) {
      const int r = falling ? P - 1 - k : k;
      for (index_t j = 0; j < 2 + r % 3; ++j) want.push_back(100.0 * r + static_cast<double>(j));
    }
    ASSERT_EQ(st.total, static_cast<index_t>(want.size()));
    EXPECT_EQ(st.known.empty(), !falling || P == 1);
    for (const dist::dim_spec& spec : {dist::dim_spec{dist::block{}}, dist::dim_spec{dist::cyclic{}}}) {
      dist::array<double, 1> out(dist::distribution<1>({st.total}, {spec}, world));
      dist::detail::place(st, mine.data(), out, "test");
      EXPECT_EQ(dist::allgather(out), want);
      std::vector<double> back(static_cast<std::size_t>(n));
      dist::detail::fetch_stretches(st, out, back.data(), "test");
      EXPECT_EQ(back, mine);
    }
  }
}
