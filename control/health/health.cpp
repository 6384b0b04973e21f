#include "control/health/health.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace rv::control {

std::string HealthEvaluation::summary() const {
  std::vector<std::string> reasons;
  for (const auto& c : checks) {
    if (c.level != HealthLevel::kOk) reasons.push_back(c.reason);
  }
  return fmt::format("{}", fmt::join(reasons, "; "));
}

HealthEvaluation evaluate_health(const HealthInputs& in, const HealthThresholds& t) {
  HealthEvaluation e;
  auto add = [&e](std::string name, HealthLevel level, std::string reason) {
    e.status = std::max(e.status, level);
    e.checks.push_back({std::move(name), level, std::move(reason)});
  };
  for (const auto& l : in.lcores) {
    const bool stalled = l.silent > t.heartbeat_timeout;
    add(fmt::format("lcore {}", l.lcore_id), stalled ? HealthLevel::kFailed : HealthLevel::kOk,
        stalled ? fmt::format("lcore {} stalled: no heartbeat for {} ms (limit {} ms)", l.lcore_id,
                              l.silent.count(), t.heartbeat_timeout.count())
                : std::string());
  }
  for (const auto& r : in.rings) {
    const double usage = r.capacity == 0 ? 0.0 : double(r.used) / double(r.capacity);
    const bool full = usage > t.ring_usage;
    add(fmt::format("ring {}", r.name), full ? HealthLevel::kDegraded : HealthLevel::kOk,
        full ? fmt::format("ring {} {:.1f} % full ({} of {} slots; limit {:.1f} %)", r.name,
                           usage * 100, r.used, r.capacity, t.ring_usage * 100)
             : std::string());
    const bool stuck = r.used > 0 && r.delivered == 0;
    if (r.dropped != 0 || stuck) {
      add(fmt::format("consumer {}", r.name), HealthLevel::kDegraded,
          r.dropped != 0
              ? fmt::format("consumer {} not keeping up: {} events dropped, {} delivered, {} waiting "
                            "in {} ms", r.name, r.dropped, r.delivered, r.used, in.traffic.length.count())
              : fmt::format("consumer {} not draining: {} events waiting, none delivered in {} ms",
                            r.name, r.used, in.traffic.length.count()));
    }
  }
  if (in.critical_lost != 0) {
    add("critical events", HealthLevel::kFailed,
        fmt::format("{} Critical events lost (overflow exhausted)", in.critical_lost));
  }
  const auto& w = in.traffic;
  if (w.received >= t.min_window_packets) {
    // Counters are read one after the other: drops of packets counted received in the next
    // window may show up in this one. A rate never exceeds 100 %.
    const uint64_t dropped = std::min(w.dropped, w.received);
    const double rate = double(dropped) / double(w.received);
    const bool high = rate > t.drop_rate;
    add("drop rate", high ? HealthLevel::kDegraded : HealthLevel::kOk,
        high ? fmt::format("drop rate {:.2f} % ({} of {} packets in {} ms; limit {:.2f} %)",
                           rate * 100, dropped, w.received, w.length.count(), t.drop_rate * 100)
             : std::string());
  }
  return e;
}

}  // namespace rv::control
