#pragma once
// The live progress line on stderr (one line, refreshed): packets, percentage in replay, rate,
// classes. Control-plane only.

#include <chrono>
#include <cstdint>

#include "control/appliance.hpp"

namespace rv::control {

class Progress {
 public:
  explicit Progress(const RunPlan& plan);
  // Redraws at most every 200 ms.
  void tick(const Appliance& app);
  // Draws the final state and ends the line.
  void finish(const Appliance& app);

 private:
  void draw(const Appliance& app);

  uint64_t expected_ = 0;  // 0 in live mode
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  uint64_t last_frames_ = 0;
  std::chrono::steady_clock::time_point last_rate_time_;
  double rate_pps_ = 0;
};

}  // namespace rv::control
