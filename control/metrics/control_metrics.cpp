#include "control/metrics/control_metrics.hpp"

#include "control/lifecycle/app_components.hpp"

namespace rv::control {
namespace {

// Health as a gauge: 2 ok, 1 degraded, 0 failed (higher is better, alerts on < 2).
double health_value(HealthLevel l) {
  switch (l) {
    case HealthLevel::kOk: return 2;
    case HealthLevel::kDegraded: return 1;
    case HealthLevel::kFailed: return 0;
  }
  return 0;
}

void collect(const Runtime& rt, MetricsWriter& w) {
  const uint64_t ok = rt.reloader ? rt.reloader->successes() : 0;
  const uint64_t failed = rt.reloader ? rt.reloader->failures() : 0;
  w.counter("rvoip_config_reloads_total", "Configuration reloads by result", {{"result", "success"}},
            double(ok));
  w.counter("rvoip_config_reloads_total", "Configuration reloads by result", {{"result", "failed"}},
            double(failed));
  const auto state = rt.lifecycle.state();
  for (auto s : kLifecycleStates) {
    w.gauge("rvoip_lifecycle_state", "1 for the appliance's current lifecycle state",
            {{"state", std::string(to_string(s))}}, s == state ? 1 : 0);
  }
  HealthLevel worst = HealthLevel::kOk;
  for (const auto& c : rt.lifecycle.snapshot()) {
    worst = std::max(worst, c.health.level);
    w.gauge("rvoip_component_health", "Component health: 2 ok, 1 degraded, 0 failed or not running",
            {{"component", c.name}}, health_value(c.health.level));
  }
  w.gauge("rvoip_health_status", "Overall health: 2 ok, 1 degraded, 0 failed", {},
          health_value(worst));
  w.counter("rvoip_health_alerts_total", "Health checks that turned bad", {},
            double(rt.health ? rt.health->alerts() : 0));
  w.gauge("rvoip_control_tasks", "Control-plane tasks running", {}, double(rt.tasks.running()));
  w.counter("rvoip_dataplane_notices_total", "dataplane.notice events (lcore drop reports) received", {},
            double(rt.notice_log ? rt.notice_log->notices() : 0));
  uint64_t truncated = 0;
  for (const auto& c : rt.plan.captures) truncated += c.truncated ? 1 : 0;
  w.counter("rvoip_replay_truncated_captures_total",
            "Replayed captures cut short or damaged: their complete frames were replayed", {},
            double(truncated));
  w.counter("rvoip_control_output_events_total", "Plane events the control output handed to its consumers", {},
            double(rt.output ? rt.output->handled() : 0));
}

}  // namespace

void register_control_metrics(Runtime& rt) {
  rt.registry.add([&rt](MetricsWriter& w) { collect(rt, w); });
}

}  // namespace rv::control
