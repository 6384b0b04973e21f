// --speed realtime on captures whose timestamps jump: a far-future frame, or a long silence,
// must not make the replay wait (each wait is capped; the pace restarts after the jump), while
// short gaps are still replayed at the capture's pace.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/frame_bytes.hpp"
#include "tests/support/pcap_file.hpp"
#include "tests/support/process.hpp"

namespace rv::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

struct Stamp {
  uint32_t sec;
  uint32_t usec;
};

// A pcap of one small UDP frame per stamp.
std::string write_capture(const std::string& name, const std::vector<Stamp>& stamps) {
  const std::string path = "/tmp/rv_pacing_" + std::to_string(getpid()) + "_" + name + ".pcap";
  {
    PcapWriter out(path);
    const uint8_t frame[42] = {0,    1, 2,  3,  4, 5, 0,    1,    2,    3,    4, 6, 0x08, 0x00,
                               0x45, 0, 0,  28, 0, 0, 0,    0,    64,   17,   0, 0, 10,   0,
                               0,    1, 10, 0,  0, 2, 0x30, 0x39, 0x30, 0x3a, 0, 8, 0,    0};
    for (const auto& s : stamps) out.write(uint64_t(s.sec) * 1'000'000'000 + s.usec * 1000ull, frame);
  }
  return path;
}

struct Run {
  ProcessResult process;
  json report;
};

// Replays at capture speed; a run that has not ended after 60 s is killed (exit_code -1).
Run replay_realtime(const std::string& capture) {
  const std::string report = capture + ".json";
  Run r{run_process({rvoipd_path(), "--pcap", capture, "--speed", "realtime", "--report", report,
                     "--set", "control.metrics_enabled=false"},
                    60s),
        {}};
  if (r.process.exit_code == 0) r.report = json::parse(read_file(report));
  std::filesystem::remove(report);
  std::filesystem::remove(capture);
  return r;
}

constexpr uint32_t kT0 = 1'700'000'000;

TEST(RvoipdPacing, FarFutureTimestamp_IsNotWaitedFor) {
  // The third frame claims the year 2096; the fourth is back in 2023.
  const auto r = replay_realtime(
      write_capture("future", {{kT0, 0}, {kT0, 100'000}, {4'000'000'000u, 0}, {kT0, 200'000}}));
  ASSERT_EQ(r.process.exit_code, 0) << "the replay waited for a far-future frame\n"
                                    << r.process.err;
  EXPECT_EQ(r.report["packets"]["rx"], 4);
  // Two jumps: forward to 2096, then back to 2023.
  EXPECT_EQ(r.report["packets"]["pace_gaps_skipped"], 2);
}

TEST(RvoipdPacing, LongSilence_IsSkippedAndShortGapsStillPaced) {
  // 0.3 s of paced frames, ten minutes of silence, 0.3 s more.
  const auto r = replay_realtime(
      write_capture("silence", {{kT0, 0}, {kT0, 300'000}, {kT0 + 600, 0}, {kT0 + 600, 300'000}}));
  ASSERT_EQ(r.process.exit_code, 0) << r.process.err;
  EXPECT_EQ(r.report["packets"]["rx"], 4);
  EXPECT_GE(r.report["wall_seconds"].get<double>(), 0.6) << "short gaps were not paced";
  EXPECT_EQ(r.report["packets"]["pace_gaps_skipped"], 1);
}

}  // namespace
}  // namespace rv::test
