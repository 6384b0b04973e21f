#pragma once
// The signaling plane counts with the project's single-writer counter (dataplane/counter.hpp).

#include "dataplane/counter.hpp"

namespace rv::planes::signaling {

using RelaxedCounter = dataplane::Counter;

}  // namespace rv::planes::signaling
