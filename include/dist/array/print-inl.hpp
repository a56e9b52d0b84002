// The definitions of <dist/array/print.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

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

}  // namespace dist::detail
