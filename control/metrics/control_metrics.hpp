#pragma once
// The control plane's own metrics: config reloads, lifecycle state, component and overall
// health, health alerts, control tasks, lcore log records. Read on each scrape.

namespace rv::control {

struct Runtime;

// Registers the collectors on rt.registry; `rt` outlives every scrape.
void register_control_metrics(Runtime& rt);

}  // namespace rv::control
