// The definitions of <dist/expr/bind.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include "bind.hpp"

namespace dist::detail {

DIST_INLINE void throw_not_broadcastable_to(const char* op, std::span<const index_t> s, std::span<const index_t> to) {
  throw shape_error(std::string(op) + ": an operand of shape " + to_string(s) + " cannot be broadcast to shape " + to_string(to));
}

DIST_INLINE void throw_operand_shape(std::span<const index_t> s, const char* why) {
  throw shape_error("dist: an operand of shape " + to_string(s) + " " + why);
}

}  // namespace dist::detail
