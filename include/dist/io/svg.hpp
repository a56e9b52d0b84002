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
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "../array/array.hpp"
#include "../array/gather.hpp"
#include "../core/agree.hpp"
#include "../core/error.hpp"
#include "../distribution/distribution.hpp"

namespace dist {

/// What save_svg colours cells by: the owning rank, or the values (a heat map).
enum class svg_colors { owner, values };

namespace detail {

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
inline std::string rank_colour(int r) {
  static const char* base[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
                               "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d4a6c8"};
  if (r < 0) return "#cccccc";
  if (r < 12) return base[r];
  char buf[32];
  std::snprintf(buf, sizeof buf, "hsl(%d,55%%,60%%)", static_cast<int>(std::fmod(r * 137.508, 360.0)));
  return buf;
}
/// A heat-map colour for t in [0, 1]: dark blue through teal and green to yellow.
inline std::string heat_colour(double t) {
  static const double stops[5][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
  if (!(t >= 0)) t = 0;  // NaN too
  t = std::min(t, 1.0) * 4;
  const int k = std::min(3, static_cast<int>(t));
  const double f = t - k;
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<int>(stops[k][0] + f * (stops[k + 1][0] - stops[k][0])),
                static_cast<int>(stops[k][1] + f * (stops[k + 1][1] - stops[k][1])),
                static_cast<int>(stops[k][2] + f * (stops[k + 1][2] - stops[k][2])));
  return buf;
}
inline std::string xml_escape(const std::string& s) {
  std::string r;
  for (char ch : s) {
    if (ch == '<') r += "&lt;";
    else if (ch == '>') r += "&gt;";
    else if (ch == '&') r += "&amp;";
    else r += ch;
  }
  return r;
}
template <class T>
double as_magnitude(const T& v) {
  if constexpr (is_complex_v<T>) return std::abs(v);
  else return static_cast<double>(v);
}

/// The SVG text: cells with fills, optional texts, a title and a legend
/// (rank colours, or the value range of a heat map). Local.
inline std::string svg_document(const svg_grid& g, const std::vector<std::string>& fill, const std::vector<std::string>* text,
                                const std::string& title, const std::vector<std::pair<std::string, std::string>>& legend) {
  const int cs = text ? 40 : std::max(6, 640 / static_cast<int>(std::max(g.rows, g.cols)));
  const int m = 10, top = 30;
  const int w = static_cast<int>(g.cols) * cs, h = static_cast<int>(g.rows) * cs;
  const int legend_h = 20 * static_cast<int>((legend.size() + 3) / 4);
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << std::max(w, 4 * 150) + 2 * m << "\" height=\""
    << top + h + 10 + legend_h + m << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  o << "<text x=\"" << m << "\" y=\"20\">" << xml_escape(title) << "</text>\n";
  for (index_t i = 0; i < g.rows; ++i)
    for (index_t j = 0; j < g.cols; ++j) {
      const auto k = static_cast<std::size_t>(i * g.cols + j);
      const int x = m + static_cast<int>(j) * cs, y = top + static_cast<int>(i) * cs;
      o << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << cs << "\" height=\"" << cs << "\" fill=\"" << fill[k]
        << "\" stroke=\"white\" stroke-width=\"" << (cs >= 12 ? 1 : 0) << "\"/>\n";
      if (text)
        o << "<text x=\"" << x + cs / 2 << "\" y=\"" << y + cs / 2 + 4 << "\" text-anchor=\"middle\" font-size=\"10\">"
          << xml_escape((*text)[k]) << "</text>\n";
    }
  for (std::size_t e = 0; e < legend.size(); ++e) {
    const int x = m + static_cast<int>(e % 4) * 150, y = top + h + 10 + 20 * static_cast<int>(e / 4);
    o << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"14\" height=\"14\" fill=\"" << legend[e].first << "\"/>"
      << "<text x=\"" << x + 20 << "\" y=\"" << y + 12 << "\">" << xml_escape(legend[e].second) << "</text>\n";
  }
  o << "</svg>\n";
  return o.str();
}

/// Writes `text` to `path` on rank 0; io_error on every rank when that
/// fails. Collective.
inline void write_on_rank0(const communicator& c, const std::string& path, const std::string& text, const char* op) {
  agree_on_errors(c, [&] {
    if (c.rank() != 0) return;
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (f) f << text;
    if (!f || !f.flush()) throw io_error(std::string(op) + ": cannot write '" + path + "'");
  });
}

inline std::vector<std::pair<std::string, std::string>> rank_legend(const std::vector<int>& owners, int nprocs) {
  std::vector<std::pair<std::string, std::string>> legend;
  if (!owners.empty() && owners.front() < 0) return {{rank_colour(-1), "every rank (replicated)"}};
  std::vector<char> seen(static_cast<std::size_t>(nprocs), 0);
  for (int r : owners) seen[static_cast<std::size_t>(r)] = 1;
  for (int r = 0; r < nprocs; ++r)
    legend.push_back({rank_colour(r), "rank " + std::to_string(r) + (seen[static_cast<std::size_t>(r)] ? "" : " (no cell)")});
  return legend;
}

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
      for (const T& v : all) {
        std::ostringstream s;
        s << v;
        text.push_back(s.str());
      }
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
