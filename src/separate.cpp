// The one translation unit of dist's separate compilation (the dist::separate
// CMake target adds it to each target that links it; see <dist/separate.hpp>).
#include <dist/separate.hpp>
