#pragma once
// The appliance's metric collectors: build info, packets by class, malformed by reason, port
// statistics and lcore load, read from the lcores' counters on each scrape.

#include "control/appliance/appliance.hpp"
#include "control/metrics/metrics_registry.hpp"

namespace rv::control {

// Registers collectors reading `app`; `app` must outlive the registry's use.
void register_appliance_metrics(MetricsRegistry& registry, const Appliance& app);

}  // namespace rv::control
