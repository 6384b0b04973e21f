// Logging as an operator relies on it (issue 13 items 4 and 7): JSON logs hold only JSON lines,
// DPDK's own lines included; SIGHUP reopens the log file (logrotate); instances side by side get
// their own EAL file prefix and telemetry socket.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/pcap_file.hpp"
#include "tests/support/process.hpp"

namespace rv::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

std::string temp_path(const std::string& name) {
  return "/tmp/rv_log_" + std::to_string(getpid()) + "_" + name;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// Every line parses as a JSON object with the log's keys; the parsed lines.
std::vector<nlohmann::json> expect_only_json(const std::string& text) {
  std::vector<nlohmann::json> out;
  for (const auto& line : lines_of(text)) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    EXPECT_TRUE(!j.is_discarded() && j.is_object()) << "not JSON: " << line;
    if (j.is_discarded() || !j.is_object()) continue;
    EXPECT_TRUE(j.contains("ts") && j.contains("level") && j.contains("logger") &&
                j.contains("msg")) << line;
    out.push_back(j);
  }
  return out;
}

bool has_line(const std::vector<nlohmann::json>& lines, const std::string& logger,
              const std::string& msg_prefix) {
  for (const auto& j : lines) {
    if (j.value("logger", "") == logger && j.value("msg", "").starts_with(msg_prefix)) return true;
  }
  return false;
}

// DPDK's INFO lines (-- --log-level=info) reach spdlog at debug: with logging.level=debug the
// EAL's own lines are in the log, as JSON.
TEST(RvoipdJsonLog, Stderr_EveryLineIsJson_EalLinesIncluded) {
  const auto r = run_process({rvoipd_path(), "--pcap", shared_pcap("sipp_g711a.pcap"), "--set",
                              "control.metrics_enabled=false", "--set", "logging.format=json",
                              "--set", "logging.level=debug", "--", "--log-level=info"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = expect_only_json(r.err);
  EXPECT_TRUE(has_line(lines, "dpdk", "EAL: ")) << r.err;
  EXPECT_TRUE(has_line(lines, "dpdk", "TELEMETRY: No legacy callbacks")) << r.err;
  EXPECT_TRUE(has_line(lines, "eal", "EAL file prefix 'rvoipd-")) << r.err;
}

// At the default level the telemetry legacy-socket warning of every start is gone; the file
// written by logging.output holds JSON only.
TEST(RvoipdJsonLog, File_EveryLineIsJson_NoTelemetryNoise) {
  const std::string log = temp_path("replay.log");
  const auto r = run_process({rvoipd_path(), "--pcap", shared_pcap("sipp_g711a.pcap"), "--set",
                              "control.metrics_enabled=false", "--set", "logging.format=json",
                              "--set", "logging.output=" + log});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");  // nothing bypasses the log
  const std::string text = read_file(log);
  const auto lines = expect_only_json(text);
  EXPECT_TRUE(has_line(lines, "eal", "EAL file prefix 'rvoipd-")) << text;
  EXPECT_THAT(text, Not(HasSubstr("TELEMETRY")));
  std::filesystem::remove(log);
}

std::vector<std::string> live_args(uint16_t port, const std::vector<std::string>& extra) {
  std::vector<std::string> a = {rvoipd_path(), "--set",
                                "control.metrics_listen=127.0.0.1:" + std::to_string(port)};
  a.insert(a.end(), extra.begin(), extra.end());
  a.insert(a.end(), {"--", "--vdev=net_pcap0,rx_pcap=" + shared_pcap("sipp_g711a.pcap")});
  return a;
}

// logrotate: rename the file, SIGHUP; the lines after land in a new file at the configured path,
// the renamed one keeps what came before.
TEST(RvoipdLogFile, Sighup_ReopensTheFileAtTheConfiguredPath) {
  const std::string log = temp_path("live.log");
  const std::string rotated = log + ".1";
  const uint16_t port = pick_port();
  Child rvoipd(live_args(port, {"--set", "logging.format=json", "--set", "logging.output=" + log}));
  ASSERT_EQ(http_get_when_up(port, "/ready").status, 200) << rvoipd.err();
  std::filesystem::rename(log, rotated);
  rvoipd.signal(SIGHUP);
  std::string fresh;
  for (int i = 0; i < 200 && fresh.find("reload (SIGHUP)") == std::string::npos; ++i) {
    std::this_thread::sleep_for(25ms);
    if (std::filesystem::exists(log)) fresh = read_file(log);
  }
  EXPECT_THAT(fresh, HasSubstr("reload (SIGHUP)"));
  EXPECT_THAT(read_file(rotated), HasSubstr("EAL file prefix"));
  EXPECT_THAT(read_file(rotated), Not(HasSubstr("reload (SIGHUP)")));
  rvoipd.signal(SIGTERM);
  EXPECT_EQ(rvoipd.wait_for(10s), std::optional<int>(0));
  expect_only_json(read_file(log));
  std::filesystem::remove(log);
  std::filesystem::remove(rotated);
}

// Two instances at once: each names its own prefix (from its admin port) and telemetry socket,
// and both sockets exist side by side.
TEST(RvoipdInstances, TwoAtOnce_EachHasItsOwnPrefixAndTelemetrySocket) {
  const uint16_t a_port = pick_port();
  uint16_t b_port = pick_port();
  while (b_port == a_port) b_port = pick_port();
  Child a(live_args(a_port, {}));
  Child b(live_args(b_port, {}));
  ASSERT_EQ(http_get_when_up(a_port, "/ready").status, 200) << a.err();
  ASSERT_EQ(http_get_when_up(b_port, "/ready").status, 200) << b.err();
  const std::string a_prefix = "rvoipd-" + std::to_string(a_port);
  const std::string b_prefix = "rvoipd-" + std::to_string(b_port);
  EXPECT_THAT(a.err(), HasSubstr("EAL file prefix '" + a_prefix + "'"));
  EXPECT_THAT(b.err(), HasSubstr("EAL file prefix '" + b_prefix + "'"));
  for (const auto& prefix : {a_prefix, b_prefix}) {
    const auto out = run_process({"/bin/sh", "-c",
                                  "printf '/eal/params\\n' | dpdk-telemetry.py -f " + prefix});
    EXPECT_THAT(out.out, HasSubstr("--file-prefix=" + prefix)) << out.err;
  }
  a.signal(SIGTERM);
  b.signal(SIGTERM);
  EXPECT_EQ(a.wait_for(10s), std::optional<int>(0));
  EXPECT_EQ(b.wait_for(10s), std::optional<int>(0));
  // The runtime directories go with their instances.
  EXPECT_FALSE(std::filesystem::exists("/var/run/dpdk/" + a_prefix + "/dpdk_telemetry.v2"));
}

}  // namespace
}  // namespace rv::test
