// The umbrella header of dist: includes the public headers, nothing else.
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
#include "comm/redistribution.hpp"
