#pragma once
// HealthMonitor: samples the running appliance — lcore heartbeats, event-ring fill, packet and
// drop counters — every control.health_interval_ms on a TaskManager task, evaluates them against
// the thresholds of the running config (reloadable) and logs an alert, with the numbers, for
// every check that turns bad (and a notice when it recovers). /health reads the last evaluation.
// Control-plane only.

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "control/appliance/appliance.hpp"
#include "control/health/health.hpp"
#include "control/lifecycle/running_config.hpp"
#include "control/lifecycle/task_manager.hpp"

namespace rv::control {

class HealthMonitor {
 public:
  HealthMonitor(const Appliance& app, const RunningConfig& config);

  // Samples, evaluates and alerts. Called by the task; callable directly (one caller at a time).
  HealthEvaluation tick();
  // The last evaluation (ok with no checks before the first tick). Thread-safe.
  HealthEvaluation last() const;
  // Checks that turned bad since start-up. Thread-safe.
  uint64_t alerts() const noexcept { return alerts_.load(std::memory_order_relaxed); }

  Result<void> start(TaskManager& tasks);
  bool stop(TaskManager& tasks, std::chrono::milliseconds timeout);

 private:
  HealthInputs sample();
  void alert_on_changes(const HealthEvaluation& e);

  const Appliance& app_;
  const RunningConfig& config_;
  uint64_t last_received_ = 0;  // tick() caller only
  uint64_t last_dropped_ = 0;
  uint64_t first_tsc_ = 0;
  std::chrono::steady_clock::time_point last_sample_;
  std::map<std::string, HealthLevel> previous_;  // tick() caller only
  struct SubscriptionSeen {
    uint64_t delivered = 0;
    uint64_t dropped = 0;
  };
  std::map<std::string, SubscriptionSeen> subscriptions_;  // tick() caller only
  mutable std::mutex mu_;
  HealthEvaluation last_;  // guarded by mu_
  std::atomic<uint64_t> alerts_{0};
  std::optional<TaskId> task_;
};

}  // namespace rv::control
