// The control plane of the real rvoipd: /health and /ready, hot reload on SIGHUP and on file
// change, restart-only keys, config errors, graceful stop (also with 100 000 live calls).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <cstdlib>
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
  return "/tmp/rv_ctl_" + std::to_string(getpid()) + "_" + name;
}

void write_file(const std::string& path, const std::string& text) {
  // Write then rename, as editors do: the reloader must never see a half-written file.
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp) << text;
  std::filesystem::rename(tmp, path);
}

std::vector<std::string> live_args(uint16_t port, const std::string& config,
                                   std::vector<std::string> extra = {}) {
  std::vector<std::string> a = {rvoipd_path(), "--config", config, "--set",
                                "control.metrics_listen=127.0.0.1:" + std::to_string(port)};
  a.insert(a.end(), extra.begin(), extra.end());
  a.insert(a.end(), {"--", "--vdev=net_null0"});
  return a;
}

// The value of the first sample line starting with `series` (e.g. `name{label="x"}`), or -1.
double metric(uint16_t port, const std::string& series) {
  const auto r = http_get(port, "/metrics");
  std::istringstream in(r.body);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

// Polls until metric(series) == want or `limit` passes; the last value seen.
double await_metric(uint16_t port, const std::string& series, double want,
                    std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  double v = -1;
  while (std::chrono::steady_clock::now() < deadline) {
    if ((v = metric(port, series)) == want) return v;
    std::this_thread::sleep_for(50ms);
  }
  return v;
}

// printf s3cret | sha256sum
constexpr const char* kS3cretSha256 = "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0";

// Polls /ready until it answers 200 (true) or 10 s pass.
bool await_ready(uint16_t port) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (http_get(port, "/ready").status == 200) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

const std::string kSuccess = R"(rvoip_config_reloads_total{result="success"})";
const std::string kFailed = R"(rvoip_config_reloads_total{result="failed"})";

// Stops rvoipd with SIGTERM and expects exit 0 within 2 s.
void stop_within_two_seconds(Child& rvoipd) {
  const auto t0 = std::chrono::steady_clock::now();
  rvoipd.signal(SIGTERM);
  const auto code = rvoipd.wait_for(10s);
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(code.has_value()) << "still running 10 s after SIGTERM";
  EXPECT_EQ(*code, 0) << rvoipd.err();
  EXPECT_LT(took, 2s);
}

TEST(RvoipdControl, NetNull_HealthJsonAndReadyWhenLive) {
  const uint16_t port = pick_port();
  const auto cfg = temp_path("health.yaml");
  write_file(cfg, "logging:\n  level: info\n");
  Child rvoipd(live_args(port, cfg));
  ASSERT_TRUE(await_ready(port)) << rvoipd.err();
  const auto health = http_get(port, "/health");
  EXPECT_EQ(health.status, 200);
  const auto j = nlohmann::json::parse(health.body);
  EXPECT_EQ(j["status"], "ok") << health.body;
  EXPECT_EQ(j["lifecycle"], "live");
  for (const char* c : {"dataplane", "admin", "lcores", "reloader", "health", "tasks"}) {
    EXPECT_EQ(j["components"][c]["state"], "live") << c << ": " << health.body;
    EXPECT_EQ(j["components"][c]["health"], "ok") << c << ": " << health.body;
  }
  EXPECT_EQ(metric(port, R"(rvoip_lifecycle_state{state="live"})"), 1);
  stop_within_two_seconds(rvoipd);
  std::filesystem::remove(cfg);
}

TEST(RvoipdControl, Sighup_AppliesNewLogLevelAndCountsSuccess) {
  const uint16_t port = pick_port();
  const auto cfg = temp_path("hup.yaml");
  write_file(cfg, "logging:\n  level: info\n");
  Child rvoipd(live_args(port, cfg, {"--set", "control.config_watch=false"}));
  ASSERT_TRUE(await_ready(port)) << rvoipd.err();
  write_file(cfg, "logging:\n  level: debug\n");
  rvoipd.signal(SIGHUP);
  EXPECT_EQ(await_metric(port, kSuccess, 1), 1) << rvoipd.err();
  EXPECT_EQ(metric(port, kFailed), 0);
  stop_within_two_seconds(rvoipd);
  EXPECT_THAT(rvoipd.err(), HasSubstr(R"(reload (SIGHUP): applied logging.level: "info" -> "debug")"));
  // The new level is live: debug records (the lifecycle's stop steps) now appear.
  EXPECT_THAT(rvoipd.err(), HasSubstr("debug [lifecycle] lcores: stop ok"));
  std::filesystem::remove(cfg);
}

TEST(RvoipdControl, SighupWithBrokenFile_KeepsRunningOnOldConfigAndCountsFailure) {
  const uint16_t port = pick_port();
  const auto cfg = temp_path("broken.yaml");
  write_file(cfg, "logging:\n  level: info\n");
  Child rvoipd(live_args(port, cfg, {"--set", "control.config_watch=false"}));
  ASSERT_TRUE(await_ready(port)) << rvoipd.err();
  write_file(cfg, "logging:\n  level: loud\n  colour: red\n");
  rvoipd.signal(SIGHUP);
  EXPECT_EQ(await_metric(port, kFailed, 1), 1) << rvoipd.err();
  EXPECT_EQ(metric(port, kSuccess), 0);
  EXPECT_EQ(http_get(port, "/ready").status, 200);
  stop_within_two_seconds(rvoipd);
  EXPECT_THAT(rvoipd.err(), HasSubstr("still running the previous config"));
  EXPECT_THAT(rvoipd.err(), HasSubstr("logging.level: expected one of"));
  EXPECT_THAT(rvoipd.err(), HasSubstr("logging.colour: unknown key (line 3, column 3)"));
  EXPECT_THAT(rvoipd.err(), Not(HasSubstr("debug [lifecycle]")));  // still at info
  std::filesystem::remove(cfg);
}

TEST(RvoipdControl, FileChangeWithoutSighup_IsReloaded) {
  const uint16_t port = pick_port();
  const auto cfg = temp_path("watch.yaml");
  write_file(cfg, "control:\n  health_drop_rate: 0.05\n");
  Child rvoipd(live_args(port, cfg));
  ASSERT_TRUE(await_ready(port)) << rvoipd.err();
  write_file(cfg, "control:\n  health_drop_rate: 0.2\n");
  EXPECT_EQ(await_metric(port, kSuccess, 1), 1) << rvoipd.err();
  stop_within_two_seconds(rvoipd);
  EXPECT_THAT(rvoipd.err(), HasSubstr("reload (file change): applied control.health_drop_rate: 0.05 -> 0.2"));
  std::filesystem::remove(cfg);
}

TEST(RvoipdControl, RestartOnlyKeyChanged_IsReportedNotApplied) {
  const uint16_t port = pick_port();
  const auto cfg = temp_path("restart.yaml");
  write_file(cfg, "dataplane:\n  burst_size: 32\n");
  Child rvoipd(live_args(port, cfg, {"--set", "control.config_watch=false"}));
  ASSERT_TRUE(await_ready(port)) << rvoipd.err();
  write_file(cfg, "dataplane:\n  burst_size: 64\n  sip_ports: [5060, 5080]\n");
  rvoipd.signal(SIGHUP);
  EXPECT_EQ(await_metric(port, kSuccess, 1), 1) << rvoipd.err();
  stop_within_two_seconds(rvoipd);
  EXPECT_THAT(rvoipd.err(), HasSubstr("dataplane.burst_size: 32 -> 64 changed but needs a restart; not applied"));
  EXPECT_THAT(rvoipd.err(), HasSubstr(R"(applied dataplane.sip_ports: ["5060", "5061"] -> ["5060", "5080"])"));
  std::filesystem::remove(cfg);
}

TEST(RvoipdControl, SetOnCommandLine_StillWinsAfterReload) {
  const uint16_t port = pick_port();
  const auto cfg = temp_path("precedence.yaml");
  write_file(cfg, "logging:\n  level: info\n");
  Child rvoipd(live_args(port, cfg, {"--set", "control.config_watch=false", "--set",
                                     "logging.level=warn"}));
  ASSERT_TRUE(await_ready(port)) << rvoipd.err();
  write_file(cfg, "logging:\n  level: debug\n");
  rvoipd.signal(SIGHUP);
  EXPECT_EQ(await_metric(port, kSuccess, 1), 1) << rvoipd.err();
  stop_within_two_seconds(rvoipd);
  EXPECT_THAT(rvoipd.err(), Not(HasSubstr("applied logging.level")));
  std::filesystem::remove(cfg);
}

// A capture of `n` IPv4 frames whose UDP header is cut short (malformed: truncated_udp).
void write_truncated_udp(const std::string& path, int n) {
  test::PcapWriter out(path);
  for (int i = 0; i < n; ++i) {
    const uint8_t frame[38] = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00,
                               0x45, 0, 0, 24, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
                               0x13, 0xc4, 0x13, 0xc4};
    out.write(1'700'000'000'000'000'000ull + uint64_t(i) * 1000, frame);
  }
}

TEST(RvoipdControl, DropRateOverThreshold_DegradesHealthAndLogsAlert) {
  const std::string pcap = temp_path("malformed.pcap");
  write_truncated_udp(pcap, 64);
  const uint16_t port = pick_port();
  Child rvoipd({rvoipd_path(), "--set", "control.metrics_listen=127.0.0.1:" + std::to_string(port),
                "--", "--vdev=net_pcap0,rx_pcap=" + pcap + ",infinite_rx=1"});
  ASSERT_TRUE(await_ready(port)) << rvoipd.err();
  EXPECT_EQ(await_metric(port, "rvoip_health_status", 1), 1) << rvoipd.err();
  const auto health = http_get(port, "/health");
  EXPECT_EQ(health.status, 200) << "degraded still serves";
  const auto j = nlohmann::json::parse(health.body);
  EXPECT_EQ(j["status"], "degraded") << health.body;
  EXPECT_EQ(j["components"]["health"]["health"], "degraded");
  // Nearly every packet dropped (a few may be in flight between the port and the count).
  EXPECT_THAT(j["components"]["health"]["reason"].get<std::string>(),
              ::testing::ContainsRegex("drop rate (99\\.[0-9][0-9]|100\\.00) % \\("));
  EXPECT_THAT(j["components"]["health"]["reason"].get<std::string>(), HasSubstr("limit 5.00 %)"));
  EXPECT_EQ(http_get(port, "/ready").status, 200);
  stop_within_two_seconds(rvoipd);
  EXPECT_THAT(rvoipd.err(), ::testing::ContainsRegex("health alert \\(degraded\\): drop rate (99\\.[0-9][0-9]|100\\.00) %"));
  std::filesystem::remove(pcap);
}

TEST(RvoipdControl, BasicAuth_RequiresTheConfiguredPassword) {
  const uint16_t port = pick_port();
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  Child rvoipd({rvoipd_path(), "--set", "control.metrics_listen=127.0.0.1:" + std::to_string(port),
                "--set", "control.auth_user=admin", "--set",
                "control.auth_password_sha256=" + std::string(kS3cretSha256), "--",
                "--vdev=net_null0"});
  ASSERT_EQ(http_get_when_up(port, "/ready").status, 401) << rvoipd.err();
  auto code = [&](std::vector<std::string> extra, const std::string& path) {
    std::vector<std::string> a = {"/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}"};
    a.insert(a.end(), extra.begin(), extra.end());
    a.push_back(url + path);
    return run_process(a).out;
  };
  EXPECT_EQ(code({"-u", "admin:s3cret"}, "/ready"), "200");
  EXPECT_EQ(code({"-u", "admin:s3cret"}, "/metrics"), "200");
  EXPECT_EQ(code({"-u", "admin:wrong"}, "/metrics"), "401");
  EXPECT_EQ(code({"-u", "root:s3cret"}, "/health"), "401");
  EXPECT_EQ(code({}, "/metrics"), "401");
  const auto headers = run_process({"/usr/bin/curl", "-s", "-D", "-", "-o", "/dev/null", url + "/metrics"});
  EXPECT_THAT(headers.out, HasSubstr("WWW-Authenticate: Basic realm=\"rvoipd\""));
  stop_within_two_seconds(rvoipd);
}

TEST(RvoipdControl, AuthUserWithoutHash_IsAConfigError) {
  const auto r = run_process({rvoipd_path(), "--set", "control.auth_user=admin", "--check-config"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("control.auth_password_sha256: expected 64 hex digits"));
}

TEST(RvoipdControl, EveryExampleConfig_PassesCheckConfig) {
  const std::filesystem::path dir = std::filesystem::path(std::getenv("RV_SOURCE_ROOT")) / "config/examples";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    const auto r = run_process({rvoipd_path(), "--config", entry.path().string(), "--check-config"});
    EXPECT_EQ(r.exit_code, 0) << entry.path() << ": " << r.err;
    ++checked;
  }
  EXPECT_GE(checked, 2);
}

TEST(RvoipdControl, JsonLogFormat_EveryRecordIsOneJsonObject) {
  const uint16_t port = pick_port();
  const auto cfg = temp_path("json.yaml");
  write_file(cfg, "logging:\n  format: json\n  level: debug\n");
  Child rvoipd(live_args(port, cfg));
  ASSERT_TRUE(await_ready(port)) << rvoipd.err();
  stop_within_two_seconds(rvoipd);
  std::istringstream in(rvoipd.err());
  int records = 0;
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("{")) continue;  // the EAL's own lines
    const auto j = nlohmann::json::parse(line);
    EXPECT_TRUE(j.contains("ts") && j.contains("level") && j.contains("logger") && j.contains("msg")) << line;
    ++records;
  }
  EXPECT_GE(records, 5);
  EXPECT_THAT(rvoipd.err(), HasSubstr(R"("logger":"lifecycle","msg":"admin: stop ok")"));
  std::filesystem::remove(cfg);
}

TEST(RvoipdControl, TwoBadKeys_ExitTwoListingBothWithLines) {
  const auto cfg = temp_path("bad.yaml");
  write_file(cfg, "control:\n  health_drop_rate: 2\nlogging:\n  levle: info\n");
  const auto r = run_process({rvoipd_path(), "--config", cfg});
  std::filesystem::remove(cfg);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("control.health_drop_rate: value 2 out of range"));
  EXPECT_THAT(r.err, HasSubstr("(line 2, column 21)"));
  EXPECT_THAT(r.err, HasSubstr("logging.levle: unknown key (line 4, column 3)"));
}

}  // namespace
}  // namespace rv::test
