// The exact sum of doubles, rounded once: the accumulator behind the
// reproducible reductions (dist::reproducible). MPI-free and local.
//
// A double is an integer mantissa times a power of two between 2^-1074 and
// 2^971, so every finite sum of doubles is an integer multiple of 2^-1074.
// exact_accumulator holds that integer exactly, in 69 chunks of 32 bits
// stored in int64 words (chunk k weighs 2^(32k - 1075)), with headroom
// so that 2046 additions need no carry handling; normalize() then moves
// carries up. Adding two accumulators is word-wise integer addition, so
// the result does not depend on the order of additions: MPI_SUM over the
// words combines ranks exactly (see words()).
//
// The bulk kernel (add(const double*, n)) takes blocks of up to 512 values
// per vector lane: it finds the block's largest magnitude 2^E, then splits every value
// exactly into two parts on fixed grids (multiples of 2^(E-41) and
// 2^(E-83)) by adding it to 1.5 * 2^(E+11) and 1.5 * 2^(E-31): the
// running sums of those parts stay exact in doubles (Rump, Ogita and
// Oishi's error-free extraction, as in ReproBLAS's binned sums). When a
// value has bits below 2^(E-83), or the block holds inf or NaN, the block
// is summed one value at a time instead. Both paths give the same exact
// integer. The kernel uses the compiler's vector extensions (16 bytes, or
// 32 where AVX2 is compiled in or, on x86-64, found at run time) and falls
// back to the scalar path under -ffast-math, which would reassociate the
// splitting.
// Users' reference: docs/reproducible.md.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "types.hpp"

namespace dist::detail {

/// The bulk kernel's vector width in bytes: -1 the widest available (the
/// default), 16 the narrow one, 0 none (one value at a time). A variable so
/// that tests can check every path on any machine.
inline int exact_kernel_bytes = -1;

class exact_accumulator {
 public:
  static constexpr int chunks = 69;  // 2^(32*69 - 1075) is past any sum of 2^63 doubles
  static constexpr int words = chunks + 4;
  static constexpr int block = 4096;  // values per bulk block

  /// Adds one double exactly (inf and NaN are counted apart). Local.
  void add(double x) noexcept {
    deposit(x);
    if (++w_[pending_] >= max_pending) normalize();
  }

  /// Adds n doubles exactly. Local.
  void add(const double* x, index_t n) noexcept {
    for (index_t b = 0; b < n; b += block) add_block(x + b, std::min<index_t>(block, n - b));
  }

  /// Adds another accumulator (exact, order-independent). Local.
  void merge(const exact_accumulator& o) noexcept {
    exact_accumulator t = o;
    t.normalize();
    normalize();
    for (int k = 0; k < pending_; ++k) w_[k] += t.w_[k];
    w_[pending_] = 1;
  }

  /// Carries moved up: every chunk but the top one in [0, 2^32). Local.
  void normalize() noexcept {
    for (int k = 0; k + 1 < chunks; ++k) {
      const std::int64_t carry = w_[k] >> 32;  // floor division by 2^32
      w_[k] -= static_cast<std::int64_t>(static_cast<std::uint64_t>(carry) << 32);
      w_[k + 1] += carry;
    }
    w_[pending_] = 0;
  }

  /// The words (normalized first) for MPI_SUM across ranks: sums of up to
  /// 2^31 normalized accumulators cannot overflow. Local.
  std::int64_t* words_for_sum() noexcept {
    normalize();
    return w_;
  }

  /// The exact sum rounded to nearest (ties to even) in R (float or
  /// double). NaN if any NaN or both infinities were added; otherwise
  /// +-inf if one was, or if the exact sum rounds past R's range. An exact
  /// zero is +0. Local.
  template <class R>
  R rounded() const noexcept {
    static_assert(std::is_same_v<R, double> || std::is_same_v<R, float>);
    if (w_[nan_] > 0 || (w_[pos_inf_] > 0 && w_[neg_inf_] > 0)) return std::numeric_limits<R>::quiet_NaN();
    if (w_[pos_inf_] > 0) return std::numeric_limits<R>::infinity();
    if (w_[neg_inf_] > 0) return -std::numeric_limits<R>::infinity();
    exact_accumulator a = *this;
    a.normalize();
    const bool negative = a.w_[chunks - 1] < 0;
    if (negative) {
      for (int k = 0; k < chunks; ++k) a.w_[k] = -a.w_[k];
      a.normalize();
    }
    int h = chunks - 1;
    while (h >= 0 && a.w_[h] == 0) --h;
    if (h < 0) return R(0);
    const auto top = static_cast<std::uint64_t>(a.w_[h]);
    const std::int64_t lead = 32 * std::int64_t{h} + 63 - std::countl_zero(top);  // highest set bit
    constexpr int digits = std::numeric_limits<R>::digits;
    constexpr std::int64_t lowest = std::numeric_limits<R>::min_exponent - digits + 1075;  // bit of the smallest subnormal
    const std::int64_t low = std::max(lead - digits + 1, lowest);
    std::uint64_t m = 0;
    for (std::int64_t b = lead; b >= low; --b) m = (m << 1) | a.bit(b);
    if (low > 0 && a.bit(low - 1) && (m & 1 || a.any_below(low - 1))) ++m;
    const R r = std::ldexp(static_cast<R>(m), static_cast<int>(low - 1075));
    return negative ? -r : r;
  }

 private:
  static constexpr int nan_ = chunks, pos_inf_ = chunks + 1, neg_inf_ = chunks + 2, pending_ = chunks + 3;
  static constexpr std::int64_t max_pending = 2046;  // each addition adds < 2^52 + 2^32 to a word
  std::int64_t w_[words] = {};

  /// Adds x's integer multiple of 2^-1075 into two chunks, without carries.
  void deposit(double x) noexcept {
    const auto u = std::bit_cast<std::uint64_t>(x);
    const auto e = static_cast<unsigned>(u >> 52) & 0x7ffu;
    if (e == 0x7ffu) [[unlikely]] {
      ++w_[(u & ((std::uint64_t{1} << 52) - 1)) != 0 ? nan_ : (u >> 63) != 0 ? neg_inf_ : pos_inf_];
      return;
    }
    const std::uint64_t m = (u & ((std::uint64_t{1} << 52) - 1)) | (static_cast<std::uint64_t>(e != 0) << 52);
    const unsigned p = e + (e == 0);  // subnormals share the exponent of the smallest normals
    const unsigned k = p >> 5, s = p & 31u;
    const auto lo = static_cast<std::int64_t>((m << s) & 0xffffffffu);
    const auto hi = static_cast<std::int64_t>(m >> (32 - s));
    const std::int64_t neg = static_cast<std::int64_t>(u) >> 63;  // 0 or -1
    w_[k] += (lo ^ neg) - neg;
    w_[k + 1] += (hi ^ neg) - neg;
  }

  std::uint64_t bit(std::int64_t b) const noexcept {
    const std::int64_t k = std::min<std::int64_t>(b >> 5, chunks - 1), j = b - 32 * k;
    return j < 64 ? (static_cast<std::uint64_t>(w_[k]) >> j) & 1u : 0u;
  }
  bool any_below(std::int64_t b) const noexcept {  // any set bit under bit b (normalized words)
    const std::int64_t k = b >> 5;
    for (std::int64_t i = 0; i < k; ++i)
      if (w_[i] != 0) return true;
    return (static_cast<std::uint64_t>(w_[k]) & ((std::uint64_t{1} << (b - 32 * k)) - 1)) != 0;
  }

  void add_scalar(const double* x, index_t n) noexcept {
    for (index_t i = 0; i < n; ++i) add(x[i]);
  }

  /// The block's values split exactly onto two grids: each lane's two
  /// running sums minus their offsets, or false when the block must be
  /// summed one value at a time. Vector width VB bytes.
  struct split_sums {
    double part[64];  // 4 per lane and sub-block: at most 4 * 8 * (block / (512 * 2 * 2))
    int count = 0;
    index_t done = 0;  // values covered (the rest, under one vector step, go one by one)
  };
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__FAST_MATH__)
#define DIST_EXACT_VECTOR_KERNEL 1
  typedef double vd16 __attribute__((vector_size(16)));
  typedef long long vl16 __attribute__((vector_size(16)));
  typedef double vd32 __attribute__((vector_size(32)));
  typedef long long vl32 __attribute__((vector_size(32)));
  template <int VB>
  struct vec {  // GCC ignores a dependent vector_size: one pair of types per width
    using d = std::conditional_t<VB == 16, vd16, vd32>;
    using l = std::conditional_t<VB == 16, vl16, vl32>;
  };
  static double pow2_times_1_5(int e) noexcept {  // 1.5 * 2^e for a normal result
    return std::bit_cast<double>((static_cast<std::uint64_t>(e + 1023) << 52) | (std::uint64_t{1} << 51));
  }
  template <int VB>
  [[gnu::always_inline]] static inline bool split_block(const double* x, index_t n, split_sums& out) noexcept {
    constexpr int lanes = VB / 8;
    using vd = typename vec<VB>::d;
    using vl = typename vec<VB>::l;
#define DIST_EXACT_LOAD(v, p) std::memcpy(&(v), (p), sizeof(v))
    constexpr index_t step = 2 * lanes;
    constexpr index_t sub = 512 * step;  // at most 512 values per lane and sum
    vl mag_mask;
    for (int j = 0; j < lanes; ++j) mag_mask[j] = 0x7fffffffffffffffLL;
    out.done = 0;
    for (index_t b = 0; n - b >= step; b += sub) {
      const double* p = x + b;
      const index_t nv = std::min(sub, (n - b) / step * step);
      vl m0 = {}, m1 = {};  // largest magnitude's bits (NaN is caught below)
      for (index_t i = 0; i < nv; i += step) {
        vl y0, y1;
        DIST_EXACT_LOAD(y0, p + i);
        DIST_EXACT_LOAD(y1, p + i + lanes);
        const vd a0 = reinterpret_cast<vd>(y0 & mag_mask), a1 = reinterpret_cast<vd>(y1 & mag_mask);
        m0 = reinterpret_cast<vl>(a0 > reinterpret_cast<vd>(m0) ? a0 : reinterpret_cast<vd>(m0));
        m1 = reinterpret_cast<vl>(a1 > reinterpret_cast<vd>(m1) ? a1 : reinterpret_cast<vd>(m1));
      }
      long long big = 0;  // as bits: magnitudes order like their bit patterns
      for (int j = 0; j < lanes; ++j) big = std::max(big, std::max(m0[j], m1[j]));
      // every |x| < 2^e; an all-zero (or all-NaN) block may take any e
      const int e = big == 0 ? 0 : static_cast<int>(big >> 52) - 1022;
      if (e > 1000 || e < -960) return false;  // inf, NaN-sized, or too close to the ends of the range
      // Two splitting levels; each lane's running sums stay in one binade
      // (|partial| <= 512 * 2^e < 2^(e+10)), so every step is exact.
      const double c1 = pow2_times_1_5(e + 11), c2 = pow2_times_1_5(e - 31);
      vd s10, s20;
      for (int j = 0; j < lanes; ++j) {
        s10[j] = c1;
        s20[j] = c2;
      }
      vd s11 = s10, s21 = s20;
      vl lost = {};
      // the next values stream in while these are split (a prefetch never faults)
      const auto ahead = reinterpret_cast<std::uintptr_t>(p + nv);
      for (index_t i = 0; i < nv; i += step) {
        __builtin_prefetch(reinterpret_cast<const void*>(ahead + static_cast<std::uintptr_t>(i) * sizeof(double)));
        vd y0, y1;
        DIST_EXACT_LOAD(y0, p + i);
        DIST_EXACT_LOAD(y1, p + i + lanes);
        const vd t0 = s10 + y0, t1 = s11 + y1;
        const vd r0 = (s10 - t0) + y0, r1 = (s11 - t1) + y1;  // exact: y - (t - s)
        s10 = t0;
        s11 = t1;
        const vd u0 = s20 + r0, u1 = s21 + r1;
        const vd f0 = (s20 - u0) + r0, f1 = (s21 - u1) + r1;  // what the second level missed
        s20 = u0;
        s21 = u1;
        lost |= reinterpret_cast<vl>(f0) | reinterpret_cast<vl>(f1);
      }
      long long any_lost = 0;
      for (int j = 0; j < lanes; ++j) any_lost |= lost[j] & 0x7fffffffffffffffLL;
      if (any_lost != 0) return false;  // bits below 2^(e-83), or NaN
      for (int j = 0; j < lanes; ++j) {
        out.part[out.count++] = s10[j] - c1;
        out.part[out.count++] = s11[j] - c1;
        out.part[out.count++] = s20[j] - c2;
        out.part[out.count++] = s21[j] - c2;
      }
      out.done = b + nv;
    }
    return out.done > 0;
#undef DIST_EXACT_LOAD
  }
#if defined(__x86_64__) && !defined(__AVX2__)
  [[gnu::target("avx2")]] static bool split_block_avx2(const double* x, index_t n, split_sums& out) noexcept {
    return split_block<32>(x, n, out);
  }
#endif
  static bool split(const double* x, index_t n, split_sums& out) noexcept {
    if (exact_kernel_bytes == 16) return split_block<16>(x, n, out);
    if (exact_kernel_bytes == 0) return false;
#if defined(__AVX2__)
    return split_block<32>(x, n, out);
#elif defined(__x86_64__)
    static const bool avx2 = __builtin_cpu_supports("avx2");
    return avx2 ? split_block_avx2(x, n, out) : split_block<16>(x, n, out);
#else
    return split_block<16>(x, n, out);
#endif
  }
#else
  static bool split(const double*, index_t, split_sums&) noexcept { return false; }  // -ffast-math would reassociate it
#endif

  void add_block(const double* x, index_t n) noexcept {
    split_sums s;
    if (!split(x, n, s)) return add_scalar(x, n);
    if (w_[pending_] + s.count >= max_pending) normalize();
    for (int k = 0; k < s.count; ++k) deposit(s.part[k]);
    w_[pending_] += s.count;
    add_scalar(x + s.done, n - s.done);
  }
};

}  // namespace dist::detail
