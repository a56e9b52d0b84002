// The umbrella header of dist: includes the public headers, nothing else.
// The optional parts come in when their CMake target is linked (it defines
// DIST_HAVE_HDF5, DIST_HAVE_SCALAPACK, DIST_HAVE_PETSC): dist::hdf5,
// dist::scalapack, dist::petsc.
#pragma once

#include "core/communicator.hpp"
#include "core/environment.hpp"
#include "core/error.hpp"
#include "core/types.hpp"
#include "distribution/dim_map.hpp"
#include "distribution/distribution.hpp"
#include "distribution/grid.hpp"
#include "distribution/specs.hpp"
#include "array/array.hpp"
#include "array/creation.hpp"
#include "array/gather.hpp"
#include "array/print.hpp"
#include "array/random.hpp"
#include "array/slice.hpp"
#include "array/view.hpp"
#include "comm/halo.hpp"
#include "comm/redistribution.hpp"
#include "comm/flat.hpp"
#include "comm/rma.hpp"
#include "comm/stream.hpp"
#include "expr/assign.hpp"
#include "expr/functions.hpp"
#include "expr/operators.hpp"
#include "algorithm/compare.hpp"
#include "algorithm/dot.hpp"
#include "algorithm/matmul.hpp"
#include "algorithm/reductions.hpp"
#include "algorithm/scan.hpp"
#include "algorithm/select.hpp"
#include "algorithm/sort.hpp"
#include "algorithm/shape.hpp"
#include "io/npy.hpp"
#include "io/svg.hpp"
#if defined(DIST_HAVE_HDF5)
#include "io/hdf5.hpp"
#endif
#if defined(DIST_HAVE_SCALAPACK)
#include "interop/scalapack.hpp"
#endif
#if defined(DIST_HAVE_PETSC)
#include "interop/petsc.hpp"
#endif

// Separate compilation (optional): the usual instantiations are compiled once,
// in the translation unit that includes <dist/separate.hpp> (CMake: link
// dist::separate), and only declared here.
#if defined(DIST_SEPARATE_COMPILATION)
#include "instantiations.hpp"
DIST_INSTANTIATIONS(extern template)
#endif
