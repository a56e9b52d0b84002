// Shape manipulation and scans against hand-written MPI doing the same work
// in the same run (issue 16):
//   reshape (4096 x 4096, block x block) -> (2^24) 1-D block, vs pack +
//     MPI_Alltoallv + unpack;
//   cumsum of 2^25 block-distributed doubles, vs local scan + MPI_Exscan + add
//     (dist::cumsum(a), a new array per call, and cumsum(a, 0, out));
//   concatenate of two 4096 x 4096 arrays along axis 0, vs MPI_Alltoallv
//     straight from and into the arrays (rows are contiguous: no packing).
// Every timed loop includes its first iteration (plans, the output's
// allocation, on both sides): the best of `reps` is reported, and the cold
// first iteration on a ":first_iteration" line of its own.
//   mpiexec -n 2 ./bench_shape [--quick]
#include <dist/dist.hpp>
#include <numeric>

#include "bench.hpp"

using dist::index_t;

namespace {

index_t block_start(index_t n, int P, int c) { return c * (n / P) + std::min<index_t>(c, n % P); }

// reshape: block x block (R x C on a pr x pc grid) -> 1-D block of R*C, by hand.
struct reshape_hw {
  index_t R, C, n, r0, r1, c0, c1, t0, t1;
  int P;
  std::vector<int> sc, sd, rc, rd;
  std::vector<std::array<index_t, 4>> src_box;  // per rank: r0, r1, c0, c1
  std::vector<double> sbuf, rbuf;
  reshape_hw(const dist::distribution<2>& from) : R(from.shape()[0]), C(from.shape()[1]), n(R * C) {
    const MPI_Comm comm = from.comm();
    int me = 0;
    MPI_Comm_size(comm, &P);
    MPI_Comm_rank(comm, &me);
    for (int q = 0; q < P; ++q) {
      const auto gc = from.grid_coords(q);
      src_box.push_back({block_start(R, from.grid()[0], gc[0]), block_start(R, from.grid()[0], gc[0] + 1),
                         block_start(C, from.grid()[1], gc[1]), block_start(C, from.grid()[1], gc[1] + 1)});
    }
    r0 = src_box[static_cast<std::size_t>(me)][0], r1 = src_box[static_cast<std::size_t>(me)][1];
    c0 = src_box[static_cast<std::size_t>(me)][2], c1 = src_box[static_cast<std::size_t>(me)][3];
    t0 = block_start(n, P, me), t1 = block_start(n, P, me + 1);
    sc.assign(static_cast<std::size_t>(P), 0);
    rc.assign(static_cast<std::size_t>(P), 0);
    for (index_t i = r0; i < r1; ++i)
      for (int q = 0; q < P; ++q) {  // my row segment against q's flat range
        const index_t lo = std::max(i * C + c0, block_start(n, P, q)), hi = std::min(i * C + c1, block_start(n, P, q + 1));
        if (hi > lo) sc[static_cast<std::size_t>(q)] += static_cast<int>(hi - lo);
      }
    for (int q = 0; q < P; ++q) {
      const auto& b = src_box[static_cast<std::size_t>(q)];
      for (index_t i = b[0]; i < b[1]; ++i) {
        const index_t lo = std::max(i * C + b[2], t0), hi = std::min(i * C + b[3], t1);
        if (hi > lo) rc[static_cast<std::size_t>(q)] += static_cast<int>(hi - lo);
      }
    }
    sd = dist::detail::displacements(sc, "bench");
    rd = dist::detail::displacements(rc, "bench");
    sbuf.resize(static_cast<std::size_t>(sd.back() + sc.back()));
    rbuf.resize(static_cast<std::size_t>(rd.back() + rc.back()));
  }
  void run(const double* a, double* out, MPI_Comm comm) {
    const index_t w = c1 - c0;
    std::vector<int> pos(sd);
    for (index_t i = r0; i < r1; ++i)
      for (int q = 0; q < P; ++q) {
        const index_t lo = std::max(i * C + c0, block_start(n, P, q)), hi = std::min(i * C + c1, block_start(n, P, q + 1));
        if (hi <= lo) continue;
        std::copy_n(a + (i - r0) * w + (lo - i * C - c0), hi - lo, sbuf.data() + pos[static_cast<std::size_t>(q)]);
        pos[static_cast<std::size_t>(q)] += static_cast<int>(hi - lo);
      }
    MPI_Alltoallv(sbuf.data(), sc.data(), sd.data(), MPI_DOUBLE, rbuf.data(), rc.data(), rd.data(), MPI_DOUBLE, comm);
    for (int q = 0; q < P; ++q) {
      const auto& b = src_box[static_cast<std::size_t>(q)];
      const double* in = rbuf.data() + rd[static_cast<std::size_t>(q)];
      for (index_t i = b[0]; i < b[1]; ++i) {
        const index_t lo = std::max(i * C + b[2], t0), hi = std::min(i * C + b[3], t1);
        if (hi <= lo) continue;
        std::copy_n(in, hi - lo, out + (lo - t0));
        in += hi - lo;
      }
    }
  }
};

// concatenate along axis 0 of two row-block arrays into a row-block result, by hand:
// rows are contiguous, so MPI_Alltoallv reads and writes the arrays in place.
struct concat_hw {
  std::vector<int> sca, sda, scb, sdb, rca, rda, rcb, rdb;
  concat_hw(index_t Ra, index_t Rb, index_t C, MPI_Comm comm) {
    int P = 0, me = 0;
    MPI_Comm_size(comm, &P);
    MPI_Comm_rank(comm, &me);
    const index_t R = Ra + Rb;
    auto overlap = [](index_t a0, index_t a1, index_t b0, index_t b1) { return std::max<index_t>(0, std::min(a1, b1) - std::max(a0, b0)); };
    for (int q = 0; q < P; ++q) {
      const index_t o0 = block_start(R, P, q), o1 = block_start(R, P, q + 1);     // q's result rows
      const index_t m0 = block_start(R, P, me), m1 = block_start(R, P, me + 1);  // mine
      const index_t a0 = block_start(Ra, P, me), a1 = block_start(Ra, P, me + 1);
      const index_t b0 = Ra + block_start(Rb, P, me), b1 = Ra + block_start(Rb, P, me + 1);
      const index_t qa0 = block_start(Ra, P, q), qa1 = block_start(Ra, P, q + 1);
      const index_t qb0 = Ra + block_start(Rb, P, q), qb1 = Ra + block_start(Rb, P, q + 1);
      sca.push_back(static_cast<int>(overlap(a0, a1, o0, o1) * C));
      sda.push_back(static_cast<int>((std::max(a0, o0) - a0) * C));
      scb.push_back(static_cast<int>(overlap(b0, b1, o0, o1) * C));
      sdb.push_back(static_cast<int>((std::max(b0, o0) - b0) * C));
      rca.push_back(static_cast<int>(overlap(qa0, qa1, m0, m1) * C));
      rda.push_back(static_cast<int>((std::max(qa0, m0) - m0) * C));
      rcb.push_back(static_cast<int>(overlap(qb0, qb1, m0, m1) * C));
      rdb.push_back(static_cast<int>((std::max(qb0, m0) - m0) * C));
      for (auto* v : {&sda, &sdb, &rda, &rdb})
        if (v->back() < 0) v->back() = 0;
    }
  }
  void run(const double* a, const double* b, double* out, MPI_Comm comm) {
    MPI_Alltoallv(a, sca.data(), sda.data(), MPI_DOUBLE, out, rca.data(), rda.data(), MPI_DOUBLE, comm);
    MPI_Alltoallv(b, scb.data(), sdb.data(), MPI_DOUBLE, out, rcb.data(), rdb.data(), MPI_DOUBLE, comm);
  }
};

}  // namespace

int main(int argc, char** argv) {
  bench::session session(argc, argv);
  const dist::communicator& world = session.world;
  const MPI_Comm comm = world;
  const bool quick = session.quick;
  const int reps = quick ? 2 : 8;
  {  // reshape 4096^2 block x block -> 2^24 1-D block
    const index_t N = quick ? 301 : 4096;
    const dist::distribution<2> from({N, N}, {dist::block{}, dist::block{}}, world);
    const auto a = dist::random::uniform<double>(from, 1);
    dist::array<double, 1> b = dist::zeros<double>(dist::distribution<1>({N * N}, world));
    const auto t = bench::best_and_first(comm, reps, [&] { b = dist::reshape(a, {N * N}); });
    std::unique_ptr<reshape_hw> hw;
    std::vector<double> ref;
    const auto tb = bench::best_and_first(comm, reps, [&] {
      if (!hw) hw = std::make_unique<reshape_hw>(from), ref.assign(static_cast<std::size_t>(b.local_size()), 0.0);
      hw->run(a.local_data().data(), ref.data(), comm);
    });
    bench::require(comm, std::equal(ref.begin(), ref.end(), b.local_data().begin()), "reshape");
    bench::report2(comm, "reshape_block2_to_1d", {N, N}, t, tb);
  }
  {  // cumsum of 2^25 block-distributed doubles
    const index_t n = quick ? (1 << 12) + 7 : index_t(1) << 25;
    const dist::distribution<1> d({n}, world);
    const auto a = dist::random::uniform<double>(d, 2);
    dist::array<double, 1> c(d, 0.0), c2(d, 0.0);
    const auto t2 = bench::best_and_first(comm, reps, [&] { dist::cumsum(a, 0, c2); });
    const auto t = bench::best_and_first(comm, reps, [&] { c = dist::cumsum(a); });
    std::vector<double> ref;
    const auto tb = bench::best_and_first(comm, reps, [&] {
      if (ref.empty()) ref.assign(static_cast<std::size_t>(a.local_size()), 0.0);
      const double* x = a.local_data().data();
      double acc = 0;
      const std::size_t m = ref.size();
      for (std::size_t i = 0; i < m; ++i) ref[i] = acc += x[i];
      double carry = 0;
      MPI_Exscan(&acc, &carry, 1, MPI_DOUBLE, MPI_SUM, comm);
      if (world.rank() == 0) carry = 0;
      for (std::size_t i = 0; i < m; ++i) ref[i] += carry;
    });
    bench::require(comm, bench::same(c.local_data(), ref, 1e-9) && bench::same(c2.local_data(), ref, 1e-9), "cumsum");
    bench::report2(comm, "cumsum_1d", {n}, t, tb);
    bench::report2(comm, "cumsum_1d_out", {n}, t2, tb);
  }
  {  // concatenate two 4096^2 arrays along axis 0
    const index_t N = quick ? 257 : 4096;
    const dist::distribution<2> d({N, N}, world);
    const auto a = dist::random::uniform<double>(d, 3), b = dist::random::uniform<double>(d, 4);
    dist::array<double, 2> c = dist::zeros<double>(dist::distribution<2>({2 * N, N}, world));
    const auto t = bench::best_and_first(comm, reps, [&] { c = dist::concatenate({std::cref(a), std::cref(b)}); });
    const auto t_copy = bench::best_and_first(comm, reps, [&] { c = dist::concatenate({a, b}); });
    std::unique_ptr<concat_hw> hw;
    std::vector<double> ref;
    const auto tb = bench::best_and_first(comm, reps, [&] {
      if (!hw) hw = std::make_unique<concat_hw>(N, N, N, comm), ref.assign(static_cast<std::size_t>(c.local_size()), 0.0);
      hw->run(a.local_data().data(), b.local_data().data(), ref.data(), comm);
    });
    bench::require(comm, std::equal(ref.begin(), ref.end(), c.local_data().begin()), "concatenate");
    bench::report2(comm, "concatenate_axis0", {N, N}, t, tb);
    bench::report2(comm, "concatenate_axis0_braced_copy", {N, N}, t_copy, tb);
  }
  return 0;
}
