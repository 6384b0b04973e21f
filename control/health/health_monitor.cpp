#include "control/health/health_monitor.hpp"

#include <rte_cycles.h>

#include <condition_variable>

#include <spdlog/spdlog.h>

#include "control/logging/logging.hpp"
#include "dataplane/parse_status.hpp"

namespace rv::control {
namespace {

using Clock = std::chrono::steady_clock;

// Frames received (delivered to an lcore or dropped by the port) and dropped, since start-up.
std::pair<uint64_t, uint64_t> traffic_counts(const Appliance& app) {
  const auto t = app.totals();
  uint64_t received = t.rx_frames;
  uint64_t dropped = t.oversize_frames + t.tx_dropped;
  for (std::size_t i = 0; i < t.by_status.size(); ++i) {
    if (dataplane::is_malformed(static_cast<dataplane::ParseStatus>(i))) dropped += t.by_status[i];
  }
  for (const auto& p : app.ports()) {
    const auto s = dataplane::read_port_stats(p.port_id);
    received += s.imissed + s.rx_nombuf;
    dropped += s.imissed + s.rx_nombuf;
  }
  return {received, dropped};
}

}  // namespace

HealthMonitor::HealthMonitor(const Appliance& app, const RunningConfig& config)
    : app_(app), config_(config), first_tsc_(rte_rdtsc()), last_sample_(Clock::now()) {
  const auto [received, dropped] = traffic_counts(app_);
  last_received_ = received;
  last_dropped_ = dropped;
}

HealthInputs HealthMonitor::sample() {
  HealthInputs in;
  const uint64_t now_tsc = rte_rdtsc();
  const double ms_per_tick = 1000.0 / double(rte_get_tsc_hz());
  for (const auto& l : app_.lcore_loads()) {
    // Before its first heartbeat an lcore counts as silent since the monitor started.
    const uint64_t beat = l.heartbeat_tsc != 0 ? l.heartbeat_tsc : first_tsc_;
    const uint64_t ticks = now_tsc > beat ? now_tsc - beat : 0;
    in.lcores.push_back({l.lcore_id, std::chrono::milliseconds(uint64_t(double(ticks) * ms_per_tick))});
  }
  if (const auto* fabric = app_.fabric()) {
    const auto m = fabric->metrics();
    for (const auto& s : m.subscriptions) {
      auto& seen = subscriptions_[s.id];
      const uint64_t dropped = s.dropped_ring_full + s.dropped_overflow;
      in.rings.push_back({s.id, s.queued, s.capacity, s.delivered - seen.delivered, dropped - seen.dropped});
      seen = {s.delivered, dropped};
    }
    in.critical_lost = m.overflow_exhausted_total;
  }
  const auto now = Clock::now();
  const auto [received, dropped] = traffic_counts(app_);
  in.traffic = {received - last_received_, dropped - last_dropped_,
                std::chrono::duration_cast<std::chrono::milliseconds>(now - last_sample_)};
  last_received_ = received;
  last_dropped_ = dropped;
  last_sample_ = now;
  return in;
}

void HealthMonitor::alert_on_changes(const HealthEvaluation& e) {
  auto log = component_logger("health");
  for (const auto& c : e.checks) {
    const auto before = previous_.contains(c.name) ? previous_[c.name] : HealthLevel::kOk;
    if (c.level != HealthLevel::kOk && before == HealthLevel::kOk) {
      alerts_.fetch_add(1, std::memory_order_relaxed);
      log->warn("health alert ({}): {}", to_string(c.level), c.reason);
    } else if (c.level == HealthLevel::kOk && before != HealthLevel::kOk) {
      log->info("health recovered: {}", c.name);
    }
    previous_[c.name] = c.level;
  }
}

HealthEvaluation HealthMonitor::tick() {
  const auto cfg = config_.get();
  HealthThresholds t;
  t.ring_usage = cfg->control.health_ring_usage;
  t.drop_rate = cfg->control.health_drop_rate;
  t.heartbeat_timeout = std::chrono::milliseconds(cfg->control.heartbeat_timeout_ms);
  auto e = evaluate_health(sample(), t);
  alert_on_changes(e);
  std::lock_guard lock(mu_);
  last_ = e;
  return e;
}

HealthEvaluation HealthMonitor::last() const {
  std::lock_guard lock(mu_);
  return last_;
}

Result<void> HealthMonitor::start(TaskManager& tasks) {
  auto id = tasks.spawn("health", [this](std::stop_token token) {
    std::mutex mu;
    std::condition_variable_any cv;
    while (!token.stop_requested()) {
      (void)tick();
      const auto period = std::chrono::milliseconds(config_.get()->control.health_interval_ms);
      std::unique_lock lock(mu);
      cv.wait_for(lock, token, period, [] { return false; });
    }
  });
  if (!id) return std::unexpected(std::move(id.error()));
  task_ = *id;
  return {};
}

bool HealthMonitor::stop(TaskManager& tasks, std::chrono::milliseconds timeout) {
  if (!task_) return true;
  const bool stopped = tasks.stop(*task_, timeout);
  task_.reset();
  return stopped;
}

}  // namespace rv::control
