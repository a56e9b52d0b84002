// DIST_CHECK_COLLECTIVES: every collective, the hot ones too, checks that all
// ranks entered it with the same global arguments (core/agree.hpp holds the
// mechanism: detail::collective_entry and detail::agree).
#pragma once

#include "agree.hpp"
