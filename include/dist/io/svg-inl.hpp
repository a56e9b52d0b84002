// The definitions of <dist/io/svg.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

// (the streams only these definitions use)
#include <fstream>
#include <sstream>

#include "svg.hpp"

namespace dist::detail {

template <class V>
std::string streamed(const V& v) {
  std::ostringstream s;
  s << v;
  return s.str();
}
DIST_INLINE std::string stream_text(long long v) { return streamed(v); }
DIST_INLINE std::string stream_text(unsigned long long v) { return streamed(v); }
DIST_INLINE std::string stream_text(char v) { return streamed(v); }
DIST_INLINE std::string stream_text(double v) { return streamed(v); }
DIST_INLINE std::string stream_text(long double v) { return streamed(v); }
DIST_INLINE std::string stream_text(const std::complex<double>& v) { return streamed(v); }
DIST_INLINE std::string stream_text(const std::complex<long double>& v) { return streamed(v); }

DIST_INLINE std::string rank_colour(int r) {
  static const char* base[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
                               "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d4a6c8"};
  if (r < 0) return "#cccccc";
  if (r < 12) return base[r];
  char buf[32];
  std::snprintf(buf, sizeof buf, "hsl(%d,55%%,60%%)", static_cast<int>(std::fmod(r * 137.508, 360.0)));
  return buf;
}

DIST_INLINE std::string heat_colour(double t) {
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

DIST_INLINE std::string xml_escape(const std::string& s) {
  std::string r;
  for (char ch : s) {
    if (ch == '<') r += "&lt;";
    else if (ch == '>') r += "&gt;";
    else if (ch == '&') r += "&amp;";
    else r += ch;
  }
  return r;
}

DIST_INLINE std::string svg_document(const svg_grid& g, const std::vector<std::string>& fill, const std::vector<std::string>* text,
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

DIST_INLINE void write_on_rank0(const communicator& c, const std::string& path, const std::string& text, const char* op) {
  agree_on_errors(c, [&] {
    if (c.rank() != 0) return;
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (f) f << text;
    if (!f || !f.flush()) throw io_error(std::string(op) + ": cannot write '" + path + "'");
  });
}

DIST_INLINE std::vector<std::pair<std::string, std::string>> rank_legend(const std::vector<int>& owners, int nprocs) {
  std::vector<std::pair<std::string, std::string>> legend;
  if (!owners.empty() && owners.front() < 0) return {{rank_colour(-1), "every rank (replicated)"}};
  std::vector<char> seen(static_cast<std::size_t>(nprocs), 0);
  for (int r : owners) seen[static_cast<std::size_t>(r)] = 1;
  for (int r = 0; r < nprocs; ++r)
    legend.push_back({rank_colour(r), "rank " + std::to_string(r) + (seen[static_cast<std::size_t>(r)] ? "" : " (no cell)")});
  return legend;
}

}  // namespace dist::detail
