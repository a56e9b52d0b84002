// The definitions of <dist/io/npy.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "npy.hpp"

namespace dist::detail {

DIST_INLINE std::string npy_header(const std::string& descr, const std::vector<index_t>& s) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (";
  for (std::size_t d = 0; d < s.size(); ++d) dict += std::to_string(s[d]) + (s.size() == 1 || d + 1 < s.size() ? "," : "") + (d + 1 < s.size() ? " " : "");
  dict += "), }";
  const bool v2 = dict.size() + 1 + 10 > 65535;
  const std::size_t pre = v2 ? 12 : 10;
  std::size_t total = pre + dict.size() + 1;
  total = (total + 63) / 64 * 64;  // the data starts 64-byte aligned, as NumPy writes it
  dict.append(total - pre - dict.size() - 1, ' ');
  dict += '\n';
  std::string h = "\x93NUMPY";
  h += static_cast<char>(v2 ? 2 : 1);
  h += '\0';
  const std::uint32_t len = static_cast<std::uint32_t>(dict.size());
  for (std::size_t b = 0; b < (v2 ? 4u : 2u); ++b) h += static_cast<char>((len >> (8 * b)) & 0xff);
  return h + dict;
}

DIST_INLINE npy_info parse_npy_header(const std::string& head, const std::string& path) {
  const auto bad = [&](const std::string& why) { return io_error("dist::load_npy: " + where(path) + ": " + why); };
  if (head.size() < 10 || head.compare(0, 6, "\x93NUMPY") != 0) throw bad("not a .npy file (no magic string)");
  const int major = static_cast<unsigned char>(head[6]);
  if (major < 1 || major > 3) throw bad("unsupported .npy version " + std::to_string(major));
  const std::size_t pre = major == 1 ? 10 : 12;
  if (head.size() < pre) throw bad("truncated header");
  std::size_t len = 0;
  for (std::size_t b = 0; b < pre - 8; ++b) len |= static_cast<std::size_t>(static_cast<unsigned char>(head[8 + b])) << (8 * b);
  if (head.size() < pre + len) throw bad("truncated header (" + std::to_string(head.size()) + " bytes, the header says " + std::to_string(pre + len) + ")");
  const std::string dict = head.substr(pre, len);
  auto value_of = [&](const std::string& key) {
    const auto k = dict.find("'" + key + "'");
    if (k == std::string::npos) throw bad("the header has no '" + key + "'");
    auto c = dict.find(':', k);
    if (c == std::string::npos) throw bad("corrupt header");
    ++c;
    while (c < dict.size() && dict[c] == ' ') ++c;
    return c;
  };
  npy_info info;
  auto c = value_of("descr");
  if (c >= dict.size() || (dict[c] != '\'' && dict[c] != '"')) throw bad("corrupt descr");
  const auto e = dict.find(dict[c], c + 1);
  if (e == std::string::npos) throw bad("corrupt descr");
  info.descr = dict.substr(c + 1, e - c - 1);
  c = value_of("fortran_order");
  if (dict.compare(c, 5, "False") != 0) throw bad("Fortran-order arrays are not supported");
  c = value_of("shape");
  if (c >= dict.size() || dict[c] != '(') throw bad("corrupt shape");
  const auto close = dict.find(')', c);
  if (close == std::string::npos) throw bad("corrupt shape");
  std::string num;
  for (std::size_t i = c + 1; i <= close; ++i) {
    const char ch = dict[i];
    if (ch >= '0' && ch <= '9') num += ch;
    else if (ch == ',' || ch == ')') {
      if (!num.empty()) info.shape.push_back(std::stoll(num));
      num.clear();
    } else if (ch != ' ' && ch != 'L') {
      throw bad("corrupt shape");
    }
  }
  info.data_offset = static_cast<index_t>(pre + len);
  return info;
}

}  // namespace dist::detail
