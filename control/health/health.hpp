#pragma once
// Health evaluation (DESIGN.md §6): lcore heartbeats (a stalled lcore fails), event-ring usage,
// consumers that stop draining (events waiting and none delivered, or copies dropped, in the
// window: degraded), lost Critical events (failed) and packet drop rate (over a threshold:
// degraded). evaluate_health() is pure: the monitor
// (control/health_monitor.hpp) samples the appliance and feeds it. Control-plane only.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "control/lifecycle/lifecycle.hpp"

namespace rv::control {

struct HealthThresholds {
  double ring_usage = 0.8;                        // control.health_ring_usage
  double drop_rate = 0.05;                        // control.health_drop_rate
  std::chrono::milliseconds heartbeat_timeout{1000};  // control.heartbeat_timeout_ms
  uint64_t min_window_packets = 100;              // fewer received: no drop-rate verdict
};

struct LcoreHeartbeat {
  unsigned lcore_id = 0;
  std::chrono::milliseconds silent{0};  // since its last heartbeat
};

struct RingFill {
  std::string name;  // subscription id
  uint64_t used = 0;
  uint64_t capacity = 0;
  // Since the previous evaluation: events handed to the consumer, and copies lost because its
  // rings were full (the consumer is not keeping up; lcores drop and count, never wait).
  uint64_t delivered = 0;
  uint64_t dropped = 0;
};

// Counter increases since the previous evaluation.
struct TrafficWindow {
  uint64_t received = 0;  // frames the ports delivered or dropped
  uint64_t dropped = 0;   // malformed + oversize + port drops + TX drops
  std::chrono::milliseconds length{0};
};

struct HealthInputs {
  std::vector<LcoreHeartbeat> lcores;
  std::vector<RingFill> rings;
  TrafficWindow traffic;
  uint64_t critical_lost = 0;  // Critical events lost since start (overflow exhausted): failed
};

struct HealthCheck {
  std::string name;  // "lcore 2", "ring shard1", "drop rate"
  HealthLevel level = HealthLevel::kOk;
  std::string reason;  // with the numbers
};

struct HealthEvaluation {
  HealthLevel status = HealthLevel::kOk;  // the worst check
  std::vector<HealthCheck> checks;        // every check made, ok ones included
  // The reasons of the checks that are not ok, joined with "; ".
  std::string summary() const;
};

HealthEvaluation evaluate_health(const HealthInputs& in, const HealthThresholds& t);

}  // namespace rv::control
