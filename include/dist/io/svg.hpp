// Pictures of who owns what: dist::save_svg writes a plain SVG file (no
// dependency) of a 1-D or 2-D layout, cells coloured by owning rank, with a
// legend and the layout's description. One cell per element up to 64 per
// side; beyond that each cell stands for a block of elements and takes the
// colour of its first element's owner. Arrays of at most 16 x 16 elements
// show their values in the cells. save_svg(a, path, svg_colors::values)
// draws a heat map of the values instead (cell means), for solutions.
// Users' reference: docs/api.md (Arrays), docs/distributions.md.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdio>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "../core/linkage.hpp"
#include "../array/array.hpp"
#include "../array/gather.hpp"
#include "../core/agree.hpp"
#include "../core/error.hpp"
#include "../core/types.hpp"
#include "../distribution/distribution.hpp"

namespace dist {

/// What save_svg colours cells by: the owning rank, or the values (a heat map).
enum class svg_colors { owner, values };

namespace detail {

/// v as `std::ostream << v` writes it (a small picture's cell texts), for
/// each kind of element (the streams are included by the definitions only).
DIST_INLINE std::string stream_text(long long v);
DIST_INLINE std::string stream_text(unsigned long long v);
DIST_INLINE std::string stream_text(char v);
DIST_INLINE std::string stream_text(double v);
DIST_INLINE std::string stream_text(long double v);
DIST_INLINE std::string stream_text(const std::complex<double>& v);
DIST_INLINE std::string stream_text(const std::complex<long double>& v);
template <class T>
std::string stream_text_of(const T& v) {
  if constexpr (is_complex<T>::value) {
    using R = std::conditional_t<std::is_same_v<typename T::value_type, long double>, long double, double>;
    return stream_text(std::complex<R>(v));
  } else if constexpr (std::is_same_v<T, char> || std::is_same_v<T, signed char> || std::is_same_v<T, unsigned char>) {
    return stream_text(static_cast<char>(v));  // streamed as a character
  } else {
    return stream_text(static_cast<number_text_t<T>>(v));
  }
}

/// A picture's cells: rows x cols, cell (i, j) covering global rows
/// [row_lo(i), row_lo(i+1)) and columns [col_lo(j), col_lo(j+1)) of a 2-D
/// view of the layout (a 1-D layout is one row).
struct svg_grid {
  static constexpr index_t max_cells = 64;
  index_t n0 = 1, n1 = 1, rows = 1, cols = 1;
  template <std::size_t N>
  explicit svg_grid(const shape<N>& s) {
    static_assert(N == 1 || N == 2, "dist::save_svg draws 1-D and 2-D layouts");
    if constexpr (N == 2) n0 = s[0];
    n1 = s[N - 1];
    rows = std::min(n0, max_cells);
    cols = std::min(n1, max_cells);
  }
  index_t row_lo(index_t i) const { return i * n0 / std::max<index_t>(rows, 1); }
  index_t col_lo(index_t j) const { return j * n1 / std::max<index_t>(cols, 1); }
  /// The flat cell of global index g (of a 1-D or 2-D layout).
  template <std::size_t N>
  std::size_t cell_of(const index<N>& g) const {
    const index_t i = N == 2 ? std::min(rows - 1, g[0] * rows / std::max<index_t>(n0, 1)) : 0;
    const index_t j = std::min(cols - 1, g[N - 1] * cols / std::max<index_t>(n1, 1));
    return static_cast<std::size_t>(i * cols + j);
  }
};

/// The owner of each cell's first element, row-major (-1: every rank, a
/// replicated layout). Collective (unstructured dims ask the directory).
template <std::size_t N>
std::vector<int> svg_owners(const distribution<N>& d, const svg_grid& g) {
  if (d.replicated() && d.comm().size() > 1) return std::vector<int>(static_cast<std::size_t>(g.rows * g.cols), -1);
  std::vector<index_t> first_row, first_col;
  for (index_t i = 0; i < g.rows; ++i) first_row.push_back(g.row_lo(i));
  for (index_t j = 0; j < g.cols; ++j) first_col.push_back(g.col_lo(j));
  std::vector<location> lr, lc = d.lookup(N - 1, first_col);
  if constexpr (N == 2) lr = d.lookup(0, first_row);
  std::vector<int> owners;
  for (index_t i = 0; i < g.rows; ++i)
    for (index_t j = 0; j < g.cols; ++j) {
      std::array<int, N> c;
      if constexpr (N == 2) c[0] = lr[static_cast<std::size_t>(i)].coord;
      c[N - 1] = lc[static_cast<std::size_t>(j)].coord;
      owners.push_back(d.grid_rank(c));
    }
  return owners;
}

/// A colour per rank: 12 distinct ones, then hues spread by the golden angle.
DIST_INLINE std::string rank_colour(int r);
/// A heat-map colour for t in [0, 1]: dark blue through teal and green to yellow.
DIST_INLINE std::string heat_colour(double t);
DIST_INLINE std::string xml_escape(const std::string& s);
template <class T>
double as_magnitude(const T& v) {
  if constexpr (is_complex_v<T>) return std::abs(v);
  else return static_cast<double>(v);
}

/// The SVG text: cells with fills, optional texts, a title and a legend
/// (rank colours, or the value range of a heat map). Local.
DIST_INLINE std::string svg_document(const svg_grid& g, const std::vector<std::string>& fill, const std::vector<std::string>* text,
                                const std::string& title, const std::vector<std::pair<std::string, std::string>>& legend);

/// Writes `text` to `path` on rank 0; io_error on every rank when that
/// fails. Collective.
DIST_INLINE void write_on_rank0(const communicator& c, const std::string& path, const std::string& text, const char* op);

DIST_INLINE std::vector<std::pair<std::string, std::string>> rank_legend(const std::vector<int>& owners, int nprocs);

/// Fills and legend of an owner picture of d. Collective (svg_owners).
template <std::size_t N>
void owner_picture(const distribution<N>& d, const svg_grid& g, std::vector<std::string>& fill,
                   std::vector<std::pair<std::string, std::string>>& legend) {
  const auto owners = svg_owners(d, g);
  for (int r : owners) fill.push_back(rank_colour(r));
  legend = rank_legend(owners, d.comm().size());
}

template <std::size_t N>
void svg_check(const distribution<N>& d, const std::string& path, const char* op) {
  agree(d.comm(), op, [&] {
    if (path.empty()) throw io_error(std::string(op) + ": empty path");
  }, arg("paths", path), arg("distributions", d));
}

}  // namespace detail

/// Writes (on rank 0) an SVG picture of who owns what in `d`, a 1-D or 2-D
/// distribution: cells coloured by owning rank, a legend, the layout's
/// description. io_error on every rank when the file cannot be written;
/// mpi_error when the ranks pass different paths. Collective.
template <std::size_t N>
void save_svg(const distribution<N>& d, const std::string& path) {
  const char* op = "dist::save_svg";
  detail::svg_check(d, path, op);  // collective: agree (path, layout)
  const detail::svg_grid g(d.shape());
  std::vector<std::string> fill;
  std::vector<std::pair<std::string, std::string>> legend;
  detail::owner_picture(d, g, fill, legend);
  const std::string text = d.comm().rank() == 0 ? detail::svg_document(g, fill, nullptr, d.describe(), legend) : std::string();
  detail::write_on_rank0(d.comm(), path, text, op);
}

/// The same for an array: with svg_colors::owner (default) the owners, and
/// for arrays of at most 16 x 16 elements their values in the cells; with
/// svg_colors::values a heat map of the values (each cell the mean of the
/// elements it covers; complex: magnitudes), the value range in the legend.
/// Collective.
template <class T, std::size_t N>
void save_svg(const array<T, N>& a, const std::string& path, svg_colors colors = svg_colors::owner) {
  const char* op = "dist::save_svg";
  const auto& d = a.distribution();
  detail::svg_check(d, path, op);  // collective: agree (path, layout)
  const detail::svg_grid g(d.shape());
  const communicator& c = d.comm();
  std::vector<std::string> fill, text;
  std::vector<std::pair<std::string, std::string>> legend;
  const bool small = g.rows == g.n0 && g.cols == g.n1 && g.n0 <= 16 && g.n1 <= 16;
  if (colors == svg_colors::owner) {
    detail::owner_picture(d, g, fill, legend);
    if (small) {
      const auto all = gather(a);  // row-major on rank 0
      for (const T& v : all) text.push_back(detail::stream_text_of(v));
    }
  } else {  // cell sums and counts of my elements, summed on rank 0
    const std::size_t cells = static_cast<std::size_t>(g.rows * g.cols);
    std::vector<double> acc(2 * cells, 0.0);
    if (!d.replicated() || c.rank() == 0) {
      const auto lv = a.local();
      detail::for_each_global(detail::local_layout(d), [&](const index<N>& gi, index_t) {
        const std::size_t k = g.cell_of(gi);
        acc[k] += detail::as_magnitude(lv[d.local_index(gi)]);
        acc[cells + k] += 1;
      });
    }
    detail::check_mpi(MPI_Reduce(c.rank() == 0 ? MPI_IN_PLACE : acc.data(), acc.data(), detail::mpi_count(static_cast<index_t>(acc.size()), op),
                                 MPI_DOUBLE, MPI_SUM, 0, c),
                      "MPI_Reduce");
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (std::size_t k = 0; k < cells; ++k)
      if (acc[cells + k] > 0) {
        acc[k] /= acc[cells + k];
        lo = std::min(lo, acc[k]);
        hi = std::max(hi, acc[k]);
      }
    for (std::size_t k = 0; k < cells; ++k) fill.push_back(detail::heat_colour(hi > lo ? (acc[k] - lo) / (hi - lo) : 0.5));
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4g", lo);
    legend.push_back({detail::heat_colour(0), std::string("min ") + buf});
    std::snprintf(buf, sizeof buf, "%.4g", hi);
    legend.push_back({detail::heat_colour(1), std::string("max ") + buf});
  }
  const std::string doc = c.rank() == 0 ? detail::svg_document(g, fill, text.empty() ? nullptr : &text, d.describe(), legend)
                                        : std::string();
  detail::write_on_rank0(c, path, doc, op);
}

}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "svg-inl.hpp"
#endif
