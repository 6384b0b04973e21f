#pragma once
// The run report (DESIGN.md §8): JSON, "version": 1, written at the end of a run, plus the
// human-readable summary printed beside it. Control-plane only.

#include <string>

#include "control/appliance.hpp"
#include "events/error.hpp"

namespace rv::control {

struct RunInfo {
  std::string mode;          // "replay" or "live"
  double wall_seconds = 0;   // start to stop
  std::vector<CaptureInfo> captures;
};

// Builds the report of `app` (lcores stopped or running: counters are read relaxed).
std::string build_report_json(const Appliance& app, const RunInfo& run);

Result<void> write_report(const std::string& path, const std::string& json);

// A few lines for a person: packets by class, drops, rates, calls, streams.
std::string human_summary(const Appliance& app, const RunInfo& run);

}  // namespace rv::control
