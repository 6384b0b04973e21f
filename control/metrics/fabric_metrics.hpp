#pragma once
// The event fabric's accounting as metrics: per type published, delivered, filtered,
// dropped{reason}, in flight, ring high-water, and sampled publish->deliver latency per priority.

#include "control/appliance/appliance.hpp"
#include "control/metrics/metrics_registry.hpp"

namespace rv::control {

void register_fabric_metrics(MetricsRegistry& registry, const Appliance& app);

}  // namespace rv::control
