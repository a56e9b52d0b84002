// Redistribution against hand-written pack + MPI_Alltoallv + unpack of the
// same data: block -> cyclic (1-D, 2^24 doubles) and block x block ->
// block_cyclic{64} x block_cyclic{64} (4096 x 4096). Plan construction is
// reported on its own lines ("plan:" names; baseline = the hand-written
// code's setup), and the planner alone for a simulated rank with n = 10^9.
//   mpiexec -n 2 ./bench_redistribution [--quick]
#include <algorithm>
#include <array>
#include <chrono>
#include <set>
#include <dist/dist.hpp>

#include "bench.hpp"

using dist::index_t;

namespace {

// The hand-written side: per dim, for every local index, the other side's
// coordinate and (receive side) where it lands; then per peer the rows and
// column runs, packed in global row-major order. Built once, like a plan.
struct handwritten {
  struct peer {
    std::vector<index_t> rows;                        // local rows
    std::vector<std::pair<index_t, index_t>> cols;    // local column runs (start, len)
    index_t count = 0;
  };
  std::vector<peer> send, recv;  // by rank
  std::vector<int> sc, sd, rc, rd;
  std::vector<double> sbuf, rbuf;

  // For my local indices along one dim: the coordinate owning each on the other side.
  static std::vector<int> coords(const dist::dim_map& mine, const dist::dim_map& other) {
    std::vector<int> c(static_cast<std::size_t>(mine.local_size()));
    for (index_t l = 0; l < mine.local_size(); ++l) c[static_cast<std::size_t>(l)] = other.owner(mine.global_index(l));
    return c;
  }
  static peer make(const std::vector<int>& rc_, int pr, const std::vector<int>& cc_, int pc) {
    peer p;
    for (std::size_t i = 0; i < rc_.size(); ++i)
      if (rc_[i] == pr) p.rows.push_back(static_cast<index_t>(i));
    for (std::size_t j = 0; j < cc_.size(); ++j)
      if (cc_[j] == pc) {
        if (!p.cols.empty() && p.cols.back().first + p.cols.back().second == static_cast<index_t>(j)) ++p.cols.back().second;
        else p.cols.emplace_back(static_cast<index_t>(j), 1);
      }
    index_t w = 0;
    for (auto& c : p.cols) w += c.second;
    p.count = static_cast<index_t>(p.rows.size()) * w;
    return p;
  }

  handwritten(const dist::distribution<2>& from, const dist::distribution<2>& to) {
    const int P = from.comm().size();
    const auto sr = coords(from.map(0), to.map(0)), scc = coords(from.map(1), to.map(1));
    const auto rr = coords(to.map(0), from.map(0)), rcc = coords(to.map(1), from.map(1));
    for (int r = 0; r < P; ++r) {
      send.push_back(make(sr, to.grid_coords(r)[0], scc, to.grid_coords(r)[1]));
      recv.push_back(make(rr, from.grid_coords(r)[0], rcc, from.grid_coords(r)[1]));
      sc.push_back(static_cast<int>(send.back().count));
      rc.push_back(static_cast<int>(recv.back().count));
    }
    sd = dist::detail::displacements(sc, "bench");
    rd = dist::detail::displacements(rc, "bench");
    sbuf.resize(static_cast<std::size_t>(sd.back() + sc.back()));
    rbuf.resize(static_cast<std::size_t>(rd.back() + rc.back()));
  }

  void run(const double* a, index_t a_cols, double* b, index_t b_cols, MPI_Comm comm) {
    double* out = sbuf.data();
    for (const auto& p : send)
      for (index_t i : p.rows)
        for (const auto& [j, len] : p.cols) {
          std::copy_n(a + i * a_cols + j, len, out);
          out += len;
        }
    MPI_Alltoallv(sbuf.data(), sc.data(), sd.data(), MPI_DOUBLE, rbuf.data(), rc.data(), rd.data(), MPI_DOUBLE, comm);
    const double* in = rbuf.data();
    for (const auto& p : recv)
      for (index_t i : p.rows)
        for (const auto& [j, len] : p.cols) {
          std::copy_n(in, len, b + i * b_cols + j);
          in += len;
        }
  }
};

// 1-D block -> cyclic as a person writes it for exactly this case: a strided
// pack per destination, one contiguous copy per source on the receive side.
struct block_to_cyclic_hw {
  index_t n, start, len;
  int P, me;
  std::vector<int> sc, sd, rc, rd;
  std::vector<double> sbuf, rbuf;
  std::vector<index_t> first_local;  // per source: my local index of its first element
  block_to_cyclic_hw(index_t n_, MPI_Comm comm) : n(n_) {
    MPI_Comm_size(comm, &P);
    MPI_Comm_rank(comm, &me);
    auto bstart = [&](int c) { return c * (n / P) + std::min<index_t>(c, n % P); };
    start = bstart(me);
    len = bstart(me + 1) - start;
    auto in_range = [&](index_t s, index_t e, int r) {  // count of g in [s, e) with g % P == r
      const index_t f = s + ((r - s) % P + P) % P;
      return f < e ? (e - 1 - f) / P + 1 : 0;
    };
    for (int r = 0; r < P; ++r) {
      sc.push_back(static_cast<int>(in_range(start, start + len, r)));
      const index_t s = bstart(r), e = bstart(r + 1);
      rc.push_back(static_cast<int>(in_range(s, e, me)));
      first_local.push_back((s + ((me - s) % P + P) % P) / P);
    }
    sd = dist::detail::displacements(sc, "bench");
    rd = dist::detail::displacements(rc, "bench");
    sbuf.resize(static_cast<std::size_t>(len));
    rbuf.resize(static_cast<std::size_t>(rd.back() + rc.back()));
  }
  void run(const double* a, double* b, MPI_Comm comm) {
    for (int r = 0; r < P; ++r) {
      double* out = sbuf.data() + sd[static_cast<std::size_t>(r)];
      for (index_t l = ((r - start) % P + P) % P; l < len; l += P) *out++ = a[l];
    }
    MPI_Alltoallv(sbuf.data(), sc.data(), sd.data(), MPI_DOUBLE, rbuf.data(), rc.data(), rd.data(), MPI_DOUBLE, comm);
    for (int q = 0; q < P; ++q)
      std::copy_n(rbuf.data() + rd[static_cast<std::size_t>(q)], rc[static_cast<std::size_t>(q)], b + first_local[static_cast<std::size_t>(q)]);
  }
};

template <class F>
double seconds_of(MPI_Comm comm, F&& f) {
  return bench::time(comm, 1, std::forward<F>(f));
}

// Times plan construction against the baseline's setup (`make`), then
// execute() against the baseline's run(a, ref), checks both agree, reports.
template <class Make, class Run>
void compare(const std::string& name, const dist::distribution<2>& from, const dist::distribution<2>& to, int reps,
             std::vector<long long> sizes, Make&& make, Run&& run) {
  const MPI_Comm comm = from.comm();
  const auto a = dist::random::uniform<double>(from, 1);
  auto b = dist::empty<double>(to);
  std::unique_ptr<dist::redistribution_plan<2>> plan;
  decltype(make()) hw;
  const double tplan = seconds_of(comm, [&] { plan = std::make_unique<dist::redistribution_plan<2>>(from, to); });
  const double tsetup = seconds_of(comm, [&] { hw = make(); });
  bench::report(comm, "plan:" + name, sizes, tplan, tsetup);
  const double t = bench::time(comm, reps, [&] { plan->execute(a, b); });
  std::vector<double> ref(static_cast<std::size_t>(to.local_size()));
  const double tb = bench::time(comm, reps, [&] { run(*hw, a.local_data().data(), ref.data()); });
  bench::require(comm, std::equal(ref.begin(), ref.end(), b.local_data().begin()), name);
  bench::report(comm, name, sizes, t, tb);
}

// compare() against the generic hand-written code.
void compare_generic(const std::string& name, const dist::distribution<2>& from, const dist::distribution<2>& to,
                     int reps, std::vector<long long> sizes) {
  compare(name, from, to, reps, std::move(sizes), [&] { return std::make_unique<handwritten>(from, to); },
          [&](handwritten& hw, const double* a, double* ref) {
            hw.run(a, from.local_shape()[1], ref, to.local_shape()[1], from.comm());
          });
}

}  // namespace

int main(int argc, char** argv) {
  bench::session session(argc, argv);
  const dist::communicator& world = session.world;
  const bool quick = session.quick;
  const int reps = quick ? 2 : 10;
  {  // 1-D block -> cyclic, as a (1, n) array so one baseline serves both
    const index_t n = quick ? (1 << 12) + 5 : index_t(1) << 24;
    const dist::distribution<2> from({1, n}, {dist::undistributed{}, dist::block{}}, world);
    const dist::distribution<2> to({1, n}, {dist::undistributed{}, dist::cyclic{}}, world);
    compare_generic("block_to_cyclic_1d_vs_generic_handwritten", from, to, reps, {n});
    // against the tightest hand-written code for this case
    compare("block_to_cyclic_1d", from, to, reps, {n}, [&] { return std::make_unique<block_to_cyclic_hw>(n, world); },
            [&](block_to_cyclic_hw& hw, const double* a, double* ref) { hw.run(a, ref, world); });
  }
  {  // 2-D block x block -> block_cyclic{64} x block_cyclic{64}
    const index_t n = quick ? 300 : 4096;
    const dist::distribution<2> from({n, n}, {dist::block{}, dist::block{}}, world);
    const dist::distribution<2> to({n, n}, {dist::block_cyclic{64}, dist::block_cyclic{64}}, world);
    compare_generic("block2_to_block_cyclic64_2d", from, to, reps, {n, n});
  }
  // The planners alone, for one simulated rank of P = 64, 4096, 65536: time, peers and the
  // plan's run groups (its memory), for n = 10^9 elements. Kinds: redistribution block -> cyclic
  // (every rank a peer: inherent), block -> block with other bounds (few peers), a 2-D
  // block x block -> block_cyclic{64} x block_cyclic{64}, an alignment plan with a fan-out
  // (a vector broadcast along the rows of a 2-D array), and a flat plan (reshape of a
  // (P*1000, 10^6/P) row-block array to 1-D block).
  if (world.rank() == 0) {
    const index_t n = quick ? 1'000'000 : 1'000'000'000;
    using input1 = dist::detail::plan_side_input<1>;
    using input2 = dist::detail::plan_side_input<2>;
    const auto groups = [](const auto& side) {
      std::size_t g = 0;
      for (const auto& d : side.dims)
        for (const auto& [c, rl] : d) g += rl.size();
      return g;
    };
    const auto line = [](const char* kind, int P, index_t size, double t, std::size_t sp, std::size_t rp, std::size_t g) {
      std::printf("{\"name\": \"plan_simulated:%s P=%d\", \"np\": 1, \"sizes\": [%lld], \"seconds\": %.6g, "
                  "\"send_peers\": %zu, \"recv_peers\": %zu, \"run_groups\": %zu}\n",
                  kind, P, static_cast<long long>(size), t, sp, rp, g);
    };
    for (int P : {64, 4096, 65536}) {
      const int r = P / 3;
      {
        const auto t0 = std::chrono::steady_clock::now();
        const auto plan = dist::detail::build_plan<1>(input1{{dist::dim_map::block(n, P, r)}, {P}, false, r, P},
                                                      input1{{dist::dim_map::cyclic(n, P, r)}, {P}, false, r, P}, {0}, {}, {});
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        line("block_to_cyclic", P, n, t, plan.first.peers.size(), plan.second.peers.size(), groups(plan.first) + groups(plan.second));
      }
      {  // cyclic -> block_cyclic{64}: my elements go to 64 coordinates, periodically (closed form)
        const auto t0 = std::chrono::steady_clock::now();
        const auto plan = dist::detail::build_plan<1>(input1{{dist::dim_map::cyclic(n, P, r)}, {P}, false, r, P},
                                                      input1{{dist::dim_map::block_cyclic(n, 64, P, r)}, {P}, false, r, P}, {0}, {}, {});
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        line("cyclic_to_block_cyclic64", P, n, t, plan.first.peers.size(), plan.second.peers.size(), groups(plan.first) + groups(plan.second));
      }
      {  // other bounds: each block shifted by a third of a block
        std::vector<index_t> b(static_cast<std::size_t>(P) + 1);
        for (int c = 0; c <= P; ++c) b[static_cast<std::size_t>(c)] = std::min(n, c == 0 ? 0 : c * (n / P) + (n / P) / 3);
        b.back() = n;
        const auto t0 = std::chrono::steady_clock::now();
        const auto plan = dist::detail::build_plan<1>(input1{{dist::dim_map::block(n, P, r)}, {P}, false, r, P},
                                                      input1{{dist::dim_map::block(b, r)}, {P}, false, r, P}, {0}, {}, {});
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        line("block_to_block", P, n, t, plan.first.peers.size(), plan.second.peers.size(), groups(plan.first) + groups(plan.second));
      }
      {  // 2-D on a square-ish grid
        int g0 = 1;
        while (g0 * g0 < P) g0 *= 2;
        const int g1 = P / g0;
        const index_t m0 = 100'000, m1 = n / m0;
        const int c0 = r / g1, c1 = r % g1;
        const auto t0 = std::chrono::steady_clock::now();
        const auto plan = dist::detail::build_plan<2>(
            input2{{dist::dim_map::block(m0, g0, c0), dist::dim_map::block(m1, g1, c1)}, {g0, g1}, false, r, P},
            input2{{dist::dim_map::block_cyclic(m0, 64, g0, c0), dist::dim_map::block_cyclic(m1, 64, g1, c1)}, {g0, g1}, false, r, P},
            {0, 1}, {}, {});
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        line("block2_to_block_cyclic64_2d", P, n, t, plan.first.peers.size(), plan.second.peers.size(), groups(plan.first) + groups(plan.second));
      }
      {  // alignment with a fan-out: a 1-D block vector of length m1 broadcast along the rows of an (m0, m1) block x block array
        int g0 = 1;
        while (g0 * g0 < P) g0 *= 2;
        const int g1 = P / g0;
        const index_t m0 = 1000, m1 = n / m0;
        const int c1 = r % g1;
        dist::detail::fan_out fan;
        fan.grid = {g0, g1};
        fan.dim_of = {1};
        fan.spread.resize(2);
        for (int c = 0; c < g0; ++c) fan.spread[0].push_back(c);  // the destination's row coordinates (all hold rows)
        const auto t0 = std::chrono::steady_clock::now();
        const auto plan = dist::detail::build_plan<1>(input1{{dist::dim_map::block(m1, P, r)}, {P}, false, r, P},
                                                      input1{{dist::dim_map::block(m1, g1, c1)}, {g1}, false, r, P}, {0}, {}, {}, &fan);
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        line("broadcast_vector_along_rows_2d", P, m0 * m1, t, plan.first.peers.size(), plan.second.peers.size(),
             groups(plan.first) + groups(plan.second));
      }
      {  // flat: (P*1000, n/(P*1000)) row blocks -> 1-D block
        const index_t rows = index_t(P) * 1000, cols = n / rows;
        const auto w = dist::detail::flat_walk::whole(rows * cols);
        const auto t0 = std::chrono::steady_clock::now();
        const auto plan = dist::detail::build_flat_plan<2, 1>(
            dist::detail::flat_side<2>{input2{{dist::dim_map::block(rows, P, r), dist::dim_map::undistributed(cols)}, {P, 1}, false, r, P},
                                       {rows, cols}, w},
            dist::detail::flat_side<1>{input1{{dist::dim_map::block(rows * cols, P, r)}, {P}, false, r, P}, {rows * cols}, w}, P);
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        line("flat_reshape_rows_to_1d", P, rows * cols, t, plan.first.peers.size(), plan.second.peers.size(), groups(plan.first) + groups(plan.second));
      }
      {  // halo exchange of a 1000^3 block x block x block array, one layer each side, periodic: every
         // message of the 26 directions (halo_exchange::post's own list); peers and messages
        const std::vector<int> g = dist::detail::default_grid({1000, 1000, 1000}, P);
        std::array<dist::dim_map, 3> maps{dist::dim_map::undistributed(1), dist::dim_map::undistributed(1), dist::dim_map::undistributed(1)};
        for (int d = 2, q = r; d >= 0; --d) {
          maps[static_cast<std::size_t>(d)] = dist::dim_map::block(1000, g[static_cast<std::size_t>(d)], q % g[static_cast<std::size_t>(d)]);
          q /= g[static_cast<std::size_t>(d)];
        }
        const auto t0 = std::chrono::steady_clock::now();
        std::set<int> peers[2];
        std::size_t messages = 0;
        dist::detail::ghost_request<3> req;
        req.lo.fill(1);
        req.hi.fill(1);
        dist::detail::halo_messages<3>({&maps[0], &maps[1], &maps[2]}, {1, 1, 1}, {true, true, true}, req,
                                       [&](bool recv, const std::array<int, 3>& c, const dist::detail::ghost_box<3>&, int) {
                                         const int peer = (c[0] * g[1] + c[1]) * g[2] + c[2];
                                         if (peer == r) return;  // (a grid of one coordinate along a dim wraps onto itself: no message)
                                         peers[recv].insert(peer);
                                         ++messages;
                                       });
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        line("halo_3d_block_cubed_periodic", P, index_t{1'000'000'000}, t, peers[0].size(), peers[1].size(), messages);
      }
      {  // stream placement (a mask's selection, a sort's chunks) onto a 1-D block array of 10^9: each
         // rank's stretch of uneven length; the stretches meeting my block are what notify delivers
        const index_t n = 1'000'000'000;
        std::vector<index_t> cut(static_cast<std::size_t>(P) + 1, 0);  // (set-up: the simulation's, not a rank's)
        for (int q = 0; q < P; ++q) cut[static_cast<std::size_t>(q) + 1] = n / P * (q + 1) + (q + 1 < P ? (q * 7919 % 1000) * (n / P / 2000) : n % P);
        const auto stretch_of = [&](int q) {
          return dist::detail::stretch{cut[static_cast<std::size_t>(q)], cut[static_cast<std::size_t>(q) + 1] - cut[static_cast<std::size_t>(q)], q};
        };
        const dist::detail::flat_side<1> dst{input1{{dist::dim_map::block(n, P, r)}, {P}, false, r, P}, {n}, dist::detail::flat_walk::whole(n)};
        std::vector<dist::detail::stretch> near;
        const index_t b0 = dst.in.maps[0].global_index(0), b1 = b0 + dst.in.maps[0].local_size();
        for (int q = static_cast<int>(std::upper_bound(cut.begin(), cut.end(), b0) - cut.begin()) - 1; q < P && cut[static_cast<std::size_t>(q)] < b1; ++q)
          near.push_back(stretch_of(q));
        const auto t0 = std::chrono::steady_clock::now();
        dist::detail::side_plan<1> send, recv;
        std::vector<int> targets;
        dist::detail::stream_send_side(dst, stretch_of(r), send, targets);
        dist::detail::stream_recv_side(dst, near, recv);
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        line("stream_placement_1d_block", P, n, t, targets.size(), recv.dims[0].size(), groups(send) + groups(recv));
      }
      {  // matmul (SUMMA) panels for a 10^5 x 10^5 product on a square-ish grid of P: the panel list
         // every rank builds (O(inner runs / 256 + owner pairs)); peers: its grid row and column
        int g0 = 1;
        while (g0 * g0 < P) g0 *= 2;
        const int g1 = P / g0;
        const index_t k = 100'000;
        const auto t0 = std::chrono::steady_clock::now();
        const auto panels = dist::detail::summa_panels(dist::dim_map::block(k, g1, r % g1), dist::dim_map::block(k, g0, r / g1), 256);
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::size_t runs = 0;
        for (const auto& x : panels) runs += x.runs.size();
        line("summa_panels_1e5_square_grid", P, k * k, t, static_cast<std::size_t>(g1 - 1), static_cast<std::size_t>(g0 - 1), runs);
      }
    }
  }
  return 0;
}
