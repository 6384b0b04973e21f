#pragma once
// The event fabric's accounting as metrics and report section: per type published, delivered,
// filtered, dropped{reason}, in flight, ring high-water, and sampled publish->deliver latency
// per priority. With a single shard there is no fabric (everything is dispatched in-line): the
// families are still exported, at zero, so dashboards and alerts keep working.

#include <nlohmann/json.hpp>

#include "control/appliance.hpp"
#include "control/metrics_registry.hpp"

namespace rv::control {

void register_fabric_metrics(MetricsRegistry& registry, const Appliance& app);

// The report's `events` object: type name -> counters, plus per-shard steering counters.
nlohmann::json fabric_report(const Appliance& app);

}  // namespace rv::control
