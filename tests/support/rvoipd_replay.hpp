#pragma once
// Runs rvoipd in replay mode on a capture and parses its JSON report (integration tests).

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace rv::test {

struct Replay {
  ProcessResult run;
  nlohmann::json report;
};

inline Replay replay(const std::string& capture, std::vector<std::string> extra = {},
                     std::chrono::milliseconds limit = std::chrono::seconds(120)) {
  static int seq = 0;
  const std::string report = "/tmp/rv_report_" + std::to_string(getpid()) + "_" +
                             std::to_string(seq++) + "_" +
                             std::filesystem::path(capture).stem().string() + ".json";
  std::vector<std::string> args = {rvoipd_path(), "--pcap", capture, "--report", report,
                                   "--set", "control.metrics_enabled=false"};
  args.insert(args.end(), extra.begin(), extra.end());
  Replay r{run_process(args, limit), {}};
  if (r.run.exit_code == 0) r.report = nlohmann::json::parse(read_file(report));
  std::filesystem::remove(report);
  return r;
}

}  // namespace rv::test
