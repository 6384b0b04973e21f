#pragma once
// Coordinator: what one process knows of the deployment (DESIGN.md §5): its mode, its local
// planes and, in an analyzer, every probe that announced itself or sent a heartbeat: last
// seen, lag (now minus the probe's send time), events/s, up or down. A probe silent past the
// timeout is marked down once (counted; the caller logs the alert) and up again when it
// speaks. global_coordinator() is the process-wide instance (created on first use); tests make
// their own. Thread-safe (one mutex; control-plane only, never on an lcore).

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rv::planes::routing {

struct ProbeStatus {
  std::string probe_id;
  double last_seen_s = 0;        // seconds since it was last heard of
  double lag_s = 0;              // receive time minus the probe's send time, last batch
  double events_per_s = 0;       // over the last seconds
  uint64_t events = 0;           // handled from it
  uint64_t clock_ns = 0;         // the newest capture time it reported
  uint64_t dropped = 0;          // events it reported it could not send
  bool up = true;
  bool replay_done = false;
  uint64_t down_transitions = 0; // times it was marked down
};

class Coordinator {
 public:
  using Clock = std::chrono::steady_clock;

  void set_mode(std::string mode);
  std::string mode() const;
  void add_local_plane(std::string name);
  std::vector<std::string> local_planes() const;

  // A batch of `events` from `probe`, sent at `sent_unix_ns` (probe's clock), handled `now`.
  void on_probe_events(std::string_view probe, uint64_t events, uint64_t sent_unix_ns,
                       Clock::time_point now = Clock::now());
  // A heartbeat, announce or end-of-replay marker.
  void on_probe_health(std::string_view probe, uint64_t sent_unix_ns, uint64_t clock_ns,
                       uint64_t dropped, bool end_of_replay, Clock::time_point now = Clock::now());
  // Marks probes silent for longer than `timeout` down; returns the ids newly marked down.
  std::vector<std::string> check_timeouts(std::chrono::seconds timeout,
                                          Clock::time_point now = Clock::now());
  std::vector<ProbeStatus> probes(Clock::time_point now = Clock::now()) const;
  uint64_t probes_marked_down() const;

 private:
  struct Probe {
    ProbeStatus status;
    Clock::time_point last_seen;
    Clock::time_point window_start;
    uint64_t window_events = 0;
  };
  Probe& probe_locked(std::string_view id, Clock::time_point now);

  mutable std::mutex mu_;
  std::string mode_ = "monolithic";
  std::vector<std::string> local_planes_;
  std::unordered_map<std::string, Probe> probes_;
  uint64_t marked_down_ = 0;
};

// The process-wide coordinator (created on first use, thread-safe).
Coordinator& global_coordinator();

}  // namespace rv::planes::routing
