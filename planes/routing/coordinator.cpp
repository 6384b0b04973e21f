#include "planes/routing/coordinator.hpp"

#include <algorithm>

namespace rv::planes::routing {
namespace {

double unix_now_ns() {
  return double(std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count());
}

double seconds(Coordinator::Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

Coordinator& global_coordinator() {
  static Coordinator instance;  // thread-safe initialisation (C++11 magic statics)
  return instance;
}

void Coordinator::set_mode(std::string mode) {
  std::lock_guard lock(mu_);
  mode_ = std::move(mode);
}

std::string Coordinator::mode() const {
  std::lock_guard lock(mu_);
  return mode_;
}

void Coordinator::add_local_plane(std::string name) {
  std::lock_guard lock(mu_);
  if (std::find(local_planes_.begin(), local_planes_.end(), name) == local_planes_.end()) {
    local_planes_.push_back(std::move(name));
  }
}

std::vector<std::string> Coordinator::local_planes() const {
  std::lock_guard lock(mu_);
  return local_planes_;
}

Coordinator::Probe& Coordinator::probe_locked(std::string_view id, Clock::time_point now) {
  auto [it, fresh] = probes_.try_emplace(std::string(id));
  Probe& p = it->second;
  if (fresh) {
    p.status.probe_id = std::string(id);
    p.window_start = now;
  }
  p.last_seen = now;
  p.status.up = true;
  return p;
}

void Coordinator::on_probe_events(std::string_view probe, uint64_t events, uint64_t sent_unix_ns,
                                  Clock::time_point now) {
  std::lock_guard lock(mu_);
  Probe& p = probe_locked(probe, now);
  p.status.events += events;
  p.window_events += events;
  if (sent_unix_ns != 0) p.status.lag_s = std::max(0.0, (unix_now_ns() - double(sent_unix_ns)) / 1e9);
  const double span = seconds(now - p.window_start);
  if (span >= 1.0) {
    p.status.events_per_s = double(p.window_events) / span;
    p.window_events = 0;
    p.window_start = now;
  }
}

void Coordinator::on_probe_health(std::string_view probe, uint64_t sent_unix_ns, uint64_t clock_ns,
                                  uint64_t dropped, bool end_of_replay, Clock::time_point now) {
  std::lock_guard lock(mu_);
  Probe& p = probe_locked(probe, now);
  if (sent_unix_ns != 0) p.status.lag_s = std::max(0.0, (unix_now_ns() - double(sent_unix_ns)) / 1e9);
  p.status.clock_ns = std::max(p.status.clock_ns, clock_ns);
  p.status.dropped = dropped;
  p.status.replay_done = p.status.replay_done || end_of_replay;
}

std::vector<std::string> Coordinator::check_timeouts(std::chrono::seconds timeout,
                                                     Clock::time_point now) {
  std::lock_guard lock(mu_);
  std::vector<std::string> down;
  for (auto& [id, p] : probes_) {
    // A probe that finished its replay is done, not down.
    if (!p.status.up || p.status.replay_done || now - p.last_seen <= timeout) continue;
    p.status.up = false;
    ++p.status.down_transitions;
    ++marked_down_;
    down.push_back(id);
  }
  return down;
}

std::vector<ProbeStatus> Coordinator::probes(Clock::time_point now) const {
  std::lock_guard lock(mu_);
  std::vector<ProbeStatus> out;
  for (const auto& [id, p] : probes_) {
    out.push_back(p.status);
    out.back().last_seen_s = seconds(now - p.last_seen);
  }
  std::sort(out.begin(), out.end(),
            [](const ProbeStatus& a, const ProbeStatus& b) { return a.probe_id < b.probe_id; });
  return out;
}

uint64_t Coordinator::probes_marked_down() const {
  std::lock_guard lock(mu_);
  return marked_down_;
}

}  // namespace rv::planes::routing
