// Evaluation (xtensor's "assigner"): bind an expression to a distribution
// (bind.hpp), then run one fused loop over this rank's block (loops.hpp).
#pragma once

#include "bind.hpp"
#include "loops.hpp"
