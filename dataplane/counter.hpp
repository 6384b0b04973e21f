#pragma once
// Counter: a single-writer 64-bit counter that another thread may read at any time — the event
// fabric's counter (events/metrics.hpp), shared by the dataplane and the planes. The writer (one
// lcore) increments with a relaxed load + store: a plain `add` on x86, no lock prefix. Readers
// (the control plane, on scrape) load relaxed.

#include "events/metrics.hpp"

namespace rv::dataplane {

using Counter = events::Counter;

}  // namespace rv::dataplane
