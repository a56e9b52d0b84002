// Separate compilation: include this header in exactly one translation unit
// of a program whose translation units define DIST_SEPARATE_COMPILATION
// (CMake: link the dist::separate target, which does both). It compiles the
// instantiations listed in <dist/instantiations.hpp> (distributions, plans,
// exchanges, arrays of double, float, int, int64_t and complex<double> of
// rank 1-4) once; the other translation units only declare them and compile
// faster (benchmarks/compile/measure.sh). Behaviour is the same either way.
#pragma once

#define DIST_SEPARATE_SOURCE 1  // compile the non-template functions here (core/linkage.hpp)
#if !defined(DIST_SEPARATE_COMPILATION)
#define DIST_SEPARATE_COMPILATION 1
#endif
#include "dist.hpp"

DIST_INSTANTIATIONS(template)
