// dist::print: NumPy-style text of an array on rank 0, summarised with "..."
// beyond 1000 elements (only the printed edges are gathered).
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "../core/linkage.hpp"
#include "gather.hpp"

namespace dist {
namespace detail {

inline constexpr index_t print_threshold = 1000;
inline constexpr index_t print_edgeitems = 3;

// Text of a floating-point value in NumPy's default style: up to 8 decimals,
// trailing zeros dropped but the point kept ("1.", "0.25"), or scientific.
DIST_INLINE std::string format_float(double v, bool sci);

template <class T>
std::vector<std::string> format_all(const std::vector<T>& v) {
  std::vector<std::string> out(v.size());
  if constexpr (std::is_same_v<T, bool>) {
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = v[i] ? "True" : "False";
  } else if constexpr (std::is_floating_point_v<T>) {
    double mx = 0, mn = INFINITY;
    for (T x : v)
      if (std::isfinite(double(x)) && x != 0) mx = std::max(mx, std::abs(double(x))), mn = std::min(mn, std::abs(double(x)));
    const bool sci = mx >= 1e16 || (mn < 1e-4 && mn > 0);
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = format_float(double(v[i]), sci);
    // align the decimal points: pad the fraction on the right
    std::size_t frac = 0;
    for (const auto& s : out)
      if (auto p = s.find('.'); p != std::string::npos && s.find('e') == std::string::npos) frac = std::max(frac, s.size() - p - 1);
    for (auto& s : out)
      if (auto p = s.find('.'); p != std::string::npos && s.find('e') == std::string::npos) s.append(frac - (s.size() - p - 1), ' ');
  } else if constexpr (is_complex<T>::value) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      const double im = double(v[i].imag());
      out[i] = format_float(double(v[i].real()), false) + (im < 0 || std::signbit(im) ? "-" : "+") +
               format_float(std::abs(im), false) + "j";
    }
  } else {
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = std::to_string(+v[i]);
  }
  return out;
}

// Writes the nested brackets of the selected elements (shape `ss`, items
// right-aligned) and a newline to `os`; `cut[d]` marks dims where "..."
// stands between the leading and trailing edge items. Local.
DIST_INLINE void write_printed(std::ostream& os, const std::vector<std::string>& items, std::span<const index_t> ss,
                               std::span<const bool> cut);

/// std::cout (print's default stream; declared here so that only the
/// definitions include <iostream>).
DIST_INLINE std::ostream& standard_output();

}  // namespace detail

/// Prints `a` NumPy-style on rank 0 of its communicator (other ranks print
/// nothing); arrays of more than 1000 elements show 3 edge items per dim
/// around "...". Collective.
template <class T, std::size_t N>
void print(const array<T, N>& a, std::ostream& os) {
  const auto& d = a.distribution();
  const communicator& c = d.comm();
  detail::collective_entry(c, "dist::print", d);
  const bool summarise = a.size() > detail::print_threshold;
  // the selected global indices per dim, and this rank's local positions in them
  shape<N> ss{};
  std::array<bool, N> cut{};
  std::array<std::vector<index_t>, N> sel_local, sel_pos;  // local position -> position in selection
  for (std::size_t k = 0; k < N; ++k) {
    const index_t n = d.shape()[k];
    cut[k] = summarise && n > 2 * detail::print_edgeitems;
    ss[k] = cut[k] ? 2 * detail::print_edgeitems : n;
    const auto g = d.global_indices(k);
    for (std::size_t l = 0; l < g.size(); ++l) {
      index_t pos = -1;
      if (!cut[k]) pos = g[l];
      else if (g[l] < detail::print_edgeitems) pos = g[l];
      else if (g[l] >= n - detail::print_edgeitems) pos = g[l] - n + 2 * detail::print_edgeitems;
      if (pos >= 0) sel_local[k].push_back(static_cast<index_t>(l)), sel_pos[k].push_back(pos);
    }
  }
  // this rank's selected elements as (flat position in selection, value)
  std::vector<index_t> pos;
  std::vector<T> val;
  const bool mine = !d.replicated() || c.rank() == 0;
  shape<N> cnt{};
  for (std::size_t k = 0; k < N; ++k) cnt[k] = mine ? static_cast<index_t>(sel_local[k].size()) : 0;
  const auto lv = a.local();
  const index_t total = detail::product(cnt);
  index<N> o{};
  for (index_t t = 0; t < total; ++t) {
    index<N> li, si;
    for (std::size_t k = 0; k < N; ++k) li[k] = sel_local[k][static_cast<std::size_t>(o[k])], si[k] = sel_pos[k][static_cast<std::size_t>(o[k])];
    pos.push_back(detail::flat_offset(si, ss));
    val.push_back(lv[li]);
    (void)detail::next_index(o, [&](std::size_t k) { return cnt[k]; });
  }
  const int P = c.size();
  std::vector<int> counts(static_cast<std::size_t>(P));
  const int n = static_cast<int>(pos.size());
  detail::check_mpi(MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, c), "MPI_Gather");
  const auto displs = c.rank() == 0 ? detail::displacements(counts, "dist::print") : std::vector<int>(static_cast<std::size_t>(P));
  const std::size_t all_n = c.rank() == 0 ? static_cast<std::size_t>(displs.back() + counts.back()) : 0;
  std::vector<index_t> all_pos(all_n);
  detail::buffer<T> all_val(all_n);
  detail::buffer<T> my_val(val.size());
  std::copy(val.begin(), val.end(), my_val.data());
  detail::check_mpi(MPI_Gatherv(pos.data(), n, MPI_INT64_T, all_pos.data(), counts.data(), displs.data(), MPI_INT64_T, 0, c), "MPI_Gatherv");
  detail::check_mpi(MPI_Gatherv(my_val.data(), n, detail::mpi_type<T>(), all_val.data(), counts.data(), displs.data(),
                                detail::mpi_type<T>(), 0, c),
                    "MPI_Gatherv");
  if (c.rank() != 0) return;
  std::vector<T> sel(static_cast<std::size_t>(detail::product(ss)));
  for (std::size_t i = 0; i < all_n; ++i) sel[static_cast<std::size_t>(all_pos[i])] = all_val.data()[i];
  detail::write_printed(os, detail::format_all(sel), ss, cut);
}
/// print(a) on std::cout. Collective.
template <class T, std::size_t N>
void print(const array<T, N>& a) {  // collective: print
  print(a, detail::standard_output());
}

}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "print-inl.hpp"
#endif
