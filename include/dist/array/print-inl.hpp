// The definitions of <dist/array/print.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

// (the streams only these definitions use)
#include <iomanip>
#include <iostream>
#include <sstream>

#include "print.hpp"

namespace dist::detail {

DIST_INLINE std::string format_float(double v, bool sci) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream os;
  if (sci) {
    os << std::scientific << std::setprecision(8) << v;
    std::string s = os.str();
    const auto e = s.find('e');
    std::string mant = s.substr(0, e), ex = s.substr(e);
    while (mant.size() > 1 && mant.back() == '0') mant.pop_back();
    return mant + ex;
  }
  os << std::fixed << std::setprecision(8) << v;
  std::string s = os.str();
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (s == "-0.") s = "-0.";
  return s;
}

// The brackets of dim d on (write_printed). (Not inlined: g++ inlining the
// recursion into print<T, N> warns of reading cut[d] past N, which d never reaches.)
[[gnu::noinline]] DIST_INLINE void write_nested(std::ostream& os, const std::vector<std::string>& items, std::span<const index_t> ss,
                              std::span<const bool> cut, std::size_t width, std::size_t d, index_t off, std::size_t indent) {
  const std::size_t N = ss.size();
  index_t st = 1;  // the stride of dim d in the selection
  for (std::size_t k = d + 1; k < N; ++k) st *= ss[k];
  os << '[';
  for (index_t i = 0; i < ss[d]; ++i) {
    if (i > 0) {
      if (d + 1 == N) os << ' ';
      else os << std::string(N - d - 1, '\n') << std::string(indent + 1, ' ');
    }
    if (cut[d] && i == print_edgeitems) {
      os << "...";
      if (d + 1 == N) os << ' ';
      else os << std::string(N - d - 1, '\n') << std::string(indent + 1, ' ');
    }
    if (d + 1 == N) {
      const auto& s = items[static_cast<std::size_t>(off + i)];
      os << std::string(width - std::min(width, s.size()), ' ') << s;
    } else {
      write_nested(os, items, ss, cut, width, d + 1, off + i * st, indent + 1);
    }
  }
  os << ']';
}

DIST_INLINE void write_printed(std::ostream& os, const std::vector<std::string>& items, std::span<const index_t> ss,
                               std::span<const bool> cut) {
  std::size_t width = 0;
  for (const auto& s : items) width = std::max(width, s.size());
  index_t total = 1;
  for (const index_t n : ss) total *= n;
  std::ostringstream out;
  if (total == 0 && ss.size() == 1) out << "[]";
  else write_nested(out, items, ss, cut, width, 0, 0, 0);
  os << out.str() << '\n';
}

DIST_INLINE std::ostream& standard_output() { return std::cout; }

}  // namespace dist::detail
