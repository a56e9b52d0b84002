// dist::random: arrays of random numbers that depend only on the seed and
// each element's global index, so every rank count and distribution gives the
// same global array. Counter-based: Philox4x32-10 (Salmon et al., SC'11),
// counter = global flat index, key = seed.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <type_traits>

#include "../core/agree.hpp"
#include "../core/types.hpp"
#include "creation.hpp"

namespace dist::random {

/// Philox4x32 with 10 rounds: 128 random bits from a 128-bit counter and a 64-bit key.
inline std::array<std::uint32_t, 4> philox(std::array<std::uint32_t, 4> ctr, std::array<std::uint32_t, 2> key) noexcept {
  constexpr std::uint64_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u;
  constexpr std::uint32_t w0 = 0x9E3779B9u, w1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    if (round) key = {key[0] + w0, key[1] + w1};
    const std::uint64_t p0 = m0 * ctr[0], p1 = m1 * ctr[2];
    ctr = {static_cast<std::uint32_t>(p1 >> 32) ^ ctr[1] ^ key[0], static_cast<std::uint32_t>(p1),
           static_cast<std::uint32_t>(p0 >> 32) ^ ctr[3] ^ key[1], static_cast<std::uint32_t>(p0)};
  }
  return ctr;
}

namespace detail {

// Two 64-bit words for element g of stream `seed`.
inline std::array<std::uint64_t, 2> bits(std::uint64_t seed, index_t g) noexcept {
  const auto u = static_cast<std::uint64_t>(g);
  const auto r = philox({static_cast<std::uint32_t>(u), static_cast<std::uint32_t>(u >> 32), 0, 0},
                            {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)});
  return {(std::uint64_t(r[0]) << 32) | r[1], (std::uint64_t(r[2]) << 32) | r[3]};
}
// Uniform in [0, 1) with 53 random bits.
inline double unit(std::uint64_t b) noexcept { return double(b >> 11) * 0x1.0p-53; }

template <class T>
T uniform_value(std::uint64_t seed, index_t g, T lo, T hi) noexcept {
  const auto b = bits(seed, g);
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(lo + (hi - lo) * unit(b[0]));
  } else if constexpr (std::is_same_v<T, bool>) {
    return (b[0] >> 63) != 0;
  } else {
    // integers in [lo, hi): multiply-shift of 64 random bits onto the range
    const auto range = static_cast<std::uint64_t>(static_cast<long long>(hi) - static_cast<long long>(lo));
    __extension__ using u128 = unsigned __int128;
    const auto off = static_cast<std::uint64_t>((u128(b[0]) * range) >> 64);
    return static_cast<T>(static_cast<long long>(lo) + static_cast<long long>(off));
  }
}

struct make_uniform {
  template <class T, std::size_t N>
  array<T, N> operator()(const distribution<N>& d, std::uint64_t seed, T lo = T(0), T hi = T(1)) const {
    static_assert(std::is_arithmetic_v<T>, "dist::random::uniform needs an arithmetic element type");
    dist::detail::agree(d.comm(), "dist::random::uniform", [&] {
      if (!(lo < hi) && !std::is_same_v<T, bool>)
        dist::detail::throw_bad_range("dist::random::uniform", dist::detail::number_text(lo), dist::detail::number_text(hi));
    }, dist::detail::arg("distributions", d), dist::detail::arg("seeds", seed), dist::detail::arg("lo", lo), dist::detail::arg("hi", hi));
    array<T, N> a(d, uninitialized);
    dist::detail::fill_indexed(a, [&](const index<N>& i) {
      return uniform_value<T>(seed, dist::detail::flat_offset(i, d.shape()), lo, hi);
    });
    return a;
  }
};

struct make_normal {
  template <class T, std::size_t N>
  array<T, N> operator()(const distribution<N>& d, std::uint64_t seed, T mean = T(0), T sd = T(1)) const {
    static_assert(std::is_floating_point_v<T>, "dist::random::normal needs a floating-point element type");
    dist::detail::agree(d.comm(), "dist::random::normal", [] {}, dist::detail::arg("distributions", d),
                        dist::detail::arg("seeds", seed), dist::detail::arg("means", mean), dist::detail::arg("deviations", sd));
    array<T, N> a(d, uninitialized);
    dist::detail::fill_indexed(a, [&](const index<N>& i) {
      const auto b = bits(seed, dist::detail::flat_offset(i, d.shape()));
      const double u1 = 1.0 - unit(b[0]);  // (0, 1]
      const double u2 = unit(b[1]);
      return static_cast<T>(mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2));
    });
    return a;
  }
};

}  // namespace detail

/// Uniform in [lo, hi) (integers: lo..hi-1): `dist::random::uniform<double>(D, seed, lo, hi)`.
/// The same global array for a seed whatever the distribution and rank count. Collective.
template <class T> inline constexpr dist::detail::creator<T, detail::make_uniform> uniform{};
/// Normal(mean, sd) by Box-Muller, one Philox draw per element. Collective.
template <class T> inline constexpr dist::detail::creator<T, detail::make_normal> normal{};

}  // namespace dist::random
