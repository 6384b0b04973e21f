#pragma once
// The live progress line on stderr (one line, refreshed): packets, percentage in replay, rate,
// classes. Shown while control.progress says so (on; auto = when stderr is a terminal), read
// from the running config at each tick, so a hot reload turns it on or off. Control-plane only:
// one thread calls tick() and finish().

#include <chrono>
#include <cstdint>

#include "control/appliance/appliance.hpp"
#include "control/lifecycle/running_config.hpp"

namespace rv::control {

class Progress {
 public:
  // `config` outlives this object.
  Progress(const RunPlan& plan, const RunningConfig& config);
  // Redraws at most every 200 ms while enabled; ends the line when it was just turned off.
  void tick(const Appliance& app);
  // Draws the final state and ends the line (when enabled).
  void finish(const Appliance& app);

  // control.progress as it applies here: "on", or "auto" with a terminal on stderr.
  static bool enabled(const config::ControlConfig& cfg, bool stderr_is_tty) noexcept;

 private:
  bool enabled_now() const;
  void draw(const Appliance& app);
  void end_line();

  const RunningConfig& config_;
  bool tty_ = false;
  bool line_open_ = false;  // a line was drawn and not yet ended
  uint64_t expected_ = 0;  // 0 in live mode
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  uint64_t last_frames_ = 0;
  std::chrono::steady_clock::time_point last_rate_time_;
  double rate_pps_ = 0;
};

}  // namespace rv::control
