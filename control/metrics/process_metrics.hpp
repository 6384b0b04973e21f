#pragma once
// Process metrics in the names Prometheus client libraries use (process_start_time_seconds,
// process_resident_memory_bytes, process_open_fds, ...), read from /proc/self on each scrape.
// Control-plane only.

#include "control/metrics/metrics_registry.hpp"

namespace rv::control {

// Registers the process collector; values that cannot be read are left out of the scrape.
void register_process_metrics(MetricsRegistry& registry);

}  // namespace rv::control
