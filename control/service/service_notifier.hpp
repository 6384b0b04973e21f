#pragma once
// ServiceNotifier: rvoipd as a systemd `Type=notify` service (sd_notify(3), libsystemd).
//   READY=1     once the appliance is Live (every component started)
//   STOPPING=1  when the graceful stop begins
//   STATUS=...  a line systemctl status shows: Live with ports/workers, health changes, stopping
//   WATCHDOG=1  from a control task, every half of $WATCHDOG_USEC, while the appliance's health is
//               not failed: a stalled lcore or a failed component stops the pings, and systemd's
//               WatchdogSec= restarts the service.
// Without $NOTIFY_SOCKET (not started by systemd) every call is a no-op.
//
// Thread-safety: every member may be called from any thread (sd_notify sends one datagram per
// call). Control-plane only.

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "control/lifecycle/task_manager.hpp"
#include "events/error.hpp"

namespace rv::control {

class ServiceNotifier {
 public:
  // The reason health is failed, or nullopt while it is not (ok or degraded); and a line for
  // STATUS= that describes the current state.
  struct Probe {
    std::function<std::optional<std::string>()> failure;
    std::function<std::string()> status;
  };

  // Reads $NOTIFY_SOCKET and $WATCHDOG_USEC (sd_watchdog_enabled(3)).
  ServiceNotifier();

  bool notifying() const noexcept { return notifying_; }
  // The watchdog interval systemd asked for, when it asked.
  std::optional<std::chrono::microseconds> watchdog_interval() const noexcept { return watchdog_; }

  void ready(std::string_view status) const;
  void stopping(std::string_view status) const;
  void status(std::string_view status) const;

  // Spawns the "watchdog" task when systemd asked for a watchdog (otherwise does nothing).
  Result<void> start_watchdog(TaskManager& tasks, Probe probe);
  // Stops the task; false when it did not end within `timeout`.
  bool stop_watchdog(TaskManager& tasks, std::chrono::milliseconds timeout);

  uint64_t watchdog_pings() const noexcept { return pings_.load(std::memory_order_relaxed); }

 private:
  void watch(std::stop_token token, const Probe& probe);
  void send(const std::string& state) const;

  bool notifying_ = false;
  std::optional<std::chrono::microseconds> watchdog_;
  std::optional<TaskId> task_;
  std::atomic<uint64_t> pings_{0};  // watchdog task: wo; metrics, tests: ro
};

}  // namespace rv::control
