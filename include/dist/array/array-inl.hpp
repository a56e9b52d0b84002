// The definitions of <dist/array/array.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "array.hpp"

namespace dist::detail {

DIST_INLINE double_buffer& double_buffering() noexcept {
  static double_buffer mode = [] {
    const char* e = std::getenv("DIST_DOUBLE_BUFFER");
    if (e && e[0] == '0') return double_buffer::never;
    if (e && e[0] == '1') return double_buffer::always;
    return double_buffer::by_page_size;
  }();
  return mode;
}

}  // namespace dist::detail
