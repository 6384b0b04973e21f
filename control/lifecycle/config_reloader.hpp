#pragma once
// ConfigReloader: hot reload (DESIGN.md §7). A reload re-reads the configuration with the
// original precedence (defaults < file < environment < --set of the command line), validates
// it, diffs it against the running config (config/reload.hpp) and applies the reloadable keys
// that have a live consumer (`Apply`); restart-only keys — and reloadable keys nothing consumes
// live — are logged as "changed but needs a restart" and not applied. An invalid config keeps
// the running one, and so does a config path that is no longer a readable regular file with
// content (removed, emptied, replaced by a directory, FIFO or device, or grown past
// control.config_max_bytes): the loader refuses those without blocking or reading without
// bound, so the reloader's thread always gets back to its stop check. Counted in
// rvoip_config_reloads_total{result="success"|"failed"}.
//
// Triggers: SIGHUP (control/signals.hpp) and, when watching, a change of the config file seen by
// inotify on its directory (so editors that write a temporary file and rename it are seen),
// debounced. Both are served by one task of the TaskManager. Control-plane only.

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/loader.hpp"
#include "config/reload.hpp"
#include "control/lifecycle/running_config.hpp"
#include "control/lifecycle/task_manager.hpp"

namespace rv::control {

struct ReloadOutcome {
  bool ok = false;
  std::vector<std::string> errors;          // why the new config was rejected
  std::vector<std::string> applied;         // "path: before -> after"
  std::vector<std::string> needs_restart;   // changed, not applied
};

class ConfigReloader {
 public:
  // Applies the live changes: `next` is the config to run with (running + applied changes).
  // Called on the reloader's thread, before `next` becomes the running config.
  using Apply = std::function<void(const config::Config& next, const config::ConfigDiff& applied)>;
  // True when a change of the reloadable key `path` can be applied live.
  using CanApply = std::function<bool(std::string_view path)>;

  ConfigReloader(config::LoadRequest request, RunningConfig& running, CanApply can_apply,
                 Apply apply);

  // The whole reload path. Thread-safe (serialized).
  ReloadOutcome reload(std::string_view trigger);

  // Spawns the reloader task: polls for SIGHUP and, with `watch_file` and a config file, for
  // changes of that file.
  Result<void> start(TaskManager& tasks, bool watch_file);
  // Stops the task; false when it did not end within `timeout`.
  bool stop(TaskManager& tasks, std::chrono::milliseconds timeout);

  uint64_t successes() const noexcept { return successes_.load(std::memory_order_relaxed); }
  uint64_t failures() const noexcept { return failures_.load(std::memory_order_relaxed); }

 private:
  void run(std::stop_token token, int inotify_fd);

  config::LoadRequest request_;
  RunningConfig& running_;
  CanApply can_apply_;
  Apply apply_;
  std::mutex mu_;  // serializes reload()
  std::optional<TaskId> task_;
  std::atomic<uint64_t> successes_{0};
  std::atomic<uint64_t> failures_{0};
};

}  // namespace rv::control
