// Separate compilation: include this header in exactly one translation unit
// of a program whose translation units define DIST_SEPARATE_COMPILATION
// (CMake: link the dist::separate target, which does both). It compiles the
// instantiations listed in <dist/instantiations.hpp> (distributions, plans,
// exchanges, arrays of double, float, int, int64_t and complex<double> of
// rank 1-4) and dist's non-template functions once; the other translation
// units only declare them and compile faster (benchmarks/compile/measure.sh).
// Behaviour is the same either way.
#pragma once

#define DIST_SEPARATE_SOURCE 1  // compile the non-template functions here (core/linkage.hpp)
#if !defined(DIST_SEPARATE_COMPILATION)
#define DIST_SEPARATE_COMPILATION 1
#endif
#include "dist.hpp"

// The definitions of the non-template functions: the headers included them
// already, unless dist.hpp came before this file (a precompiled header, as
// CMake's target_precompile_headers makes) and only declared them; then
// here, weak as in core/linkage.hpp. (lint_inline_bodies checks the list.)
#if !DIST_INLINE_DEFINITIONS
#undef DIST_INLINE
#define DIST_INLINE [[gnu::weak]]
#endif
#include "algorithm/matmul-inl.hpp"
#include "algorithm/reductions-inl.hpp"
#include "algorithm/sort-inl.hpp"
#include "array/array-inl.hpp"
#include "array/buffer-inl.hpp"
#include "array/creation-inl.hpp"
#include "array/gather-inl.hpp"
#include "array/print-inl.hpp"
#include "array/slice-inl.hpp"
#include "array/window-inl.hpp"
#include "comm/flat-inl.hpp"
#include "comm/halo-inl.hpp"
#include "comm/plan-inl.hpp"
#include "comm/rma-inl.hpp"
#include "comm/stream-inl.hpp"
#include "core/agree-inl.hpp"
#include "core/comm_state-inl.hpp"
#include "core/communicator-inl.hpp"
#include "core/finalize-inl.hpp"
#include "core/large_count-inl.hpp"
#include "core/types-inl.hpp"
#include "distribution/dim_map-inl.hpp"
#include "distribution/directory-inl.hpp"
#include "distribution/distribution-inl.hpp"
#include "distribution/grid-inl.hpp"
#include "expr/bind-inl.hpp"
#include "expr/loops-inl.hpp"
#include "expr/node-inl.hpp"
#include "io/file-inl.hpp"
#include "io/npy-inl.hpp"
#include "io/svg-inl.hpp"

DIST_INSTANTIATIONS(template)
