#pragma once
// The run-to-completion loop of one worker lcore (DESIGN.md §4).
//
// Order of steps in one iteration:
//   1. every source poller (rx+parse+steer), then every drain poller (fabric drains, timers),
//      in the order given: each returns the work it did;
//   2. busy or idle cycles are accounted for the iteration (busy when any poller did work);
//   3. every `housekeeping_interval` iterations: the heartbeat is stamped and every
//      housekeeping poller runs (config snapshot pickup, counter publication, timeouts).
// When stop is requested the sources are no longer polled (a live NIC never runs dry); the loop
// reports that through `quiesced` and keeps running the drains and housekeeping. Once every loop
// of the group has stopped its sources (nothing new can reach its rings) and a full pass did no
// work, the finish pollers run once (what is still tracked leaves as final events) and the loop
// reports that through `finished`. It returns once every loop has finished and a full pass after
// that did no work; then every poller's on_stop() runs once (sources, drains, housekeeping, in
// that order). The loop never blocks, allocates, locks or logs.

#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

#include "dataplane/counter.hpp"
#include "dataplane/poller.hpp"

namespace rv::dataplane {

// Written by the lcore, read by the control plane (health, rvoip_lcore_busy_ratio).
struct alignas(64) LcoreStats {
  Counter iterations;     // dp: wo, cp: ro
  Counter busy_cycles;    // dp: wo, cp: ro
  Counter idle_cycles;    // dp: wo, cp: ro
  Counter heartbeat_tsc;  // dp: wo, cp: ro — TSC of the last housekeeping tick
  Counter work_items;     // dp: wo, cp: ro — sum of what pollers reported
};

class LcoreLoop {
 public:
  LcoreLoop(unsigned lcore_id, std::vector<Poller*> sources, std::vector<Poller*> drains,
            std::vector<Poller*> housekeeping, uint32_t housekeeping_interval,
            std::vector<Poller*> finishers = {});

  // Stop protocol shared by the loops of one group (one per appliance).
  struct StopGroup {
    std::atomic<bool> stop{false};      // cp: wo, dp: ro
    std::atomic<unsigned> quiesced{0};  // dp: each loop adds 1 once its sources stopped
    std::atomic<unsigned> finished{0};  // dp: each loop adds 1 once its finishers ran
    std::atomic<unsigned> members{1};   // cp: wo, dp: ro — loops launched in the group
  };

  // Runs until the group stops (see the class comment). Call on the lcore itself.
  void run(StopGroup& group) noexcept;

  // rte_eal_remote_launch entry: `arg` is a LaunchArgs*.
  struct LaunchArgs {
    LcoreLoop* loop;
    StopGroup* group;
  };
  static int launch_entry(void* arg) noexcept;

  unsigned lcore_id() const noexcept { return lcore_id_; }
  const LcoreStats& stats() const noexcept { return stats_; }

 private:
  uint32_t run_pollers(std::span<Poller* const> pollers, uint64_t now) noexcept;

  unsigned lcore_id_;
  std::vector<Poller*> sources_;       // fixed after construction
  std::vector<Poller*> drains_;        // fixed after construction
  std::vector<Poller*> housekeeping_;  // fixed after construction
  std::vector<Poller*> finishers_;     // fixed after construction
  uint32_t housekeeping_interval_;
  LcoreStats stats_;
};

}  // namespace rv::dataplane
