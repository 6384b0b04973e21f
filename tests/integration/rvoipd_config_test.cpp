// Config reading and hot reload of the real rvoipd against hostile or careless input: a config
// path that becomes a directory, an empty file, a FIFO or a device; oversized files; addresses
// the admin endpoint cannot bind; and every key --print-default-config marks reloadable really
// applied live.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/process.hpp"

namespace rv::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

const std::string kSuccess = R"(rvoip_config_reloads_total{result="success"})";
const std::string kFailed = R"(rvoip_config_reloads_total{result="failed"})";

class RvoipdConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rv_cfg_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    config_ = (dir_ / "rvoipd.yaml").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes then renames, as editors do.
  void write_config(const std::string& text) const {
    const std::string tmp = config_ + ".tmp";
    std::ofstream(tmp) << text;
    std::filesystem::rename(tmp, config_);
  }

  std::vector<std::string> live_args(uint16_t port) const {
    return {rvoipd_path(),
            "--config",
            config_,
            "--set",
            "control.config_watch=false",
            "--set",
            "control.metrics_listen=127.0.0.1:" + std::to_string(port),
            "--",
            "--vdev=net_null0"};
  }

  std::filesystem::path dir_;
  std::string config_;
};

// The value of the sample line `series`, or -1.
double metric(uint16_t port, const std::string& series) {
  std::istringstream in(http_get(port, "/metrics").body);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

double await_metric(uint16_t port, const std::string& series, double want) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  double v = -1;
  while (std::chrono::steady_clock::now() < deadline) {
    if ((v = metric(port, series)) == want) return v;
    std::this_thread::sleep_for(50ms);
  }
  return v;
}

bool await_ready(uint16_t port) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (http_get(port, "/ready").status == 200) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

// SIGTERM, then exit 0 within the appliance's 2 s shutdown budget.
void stop_within_two_seconds(Child& rvoipd) {
  const auto t0 = std::chrono::steady_clock::now();
  rvoipd.signal(SIGTERM);
  const auto code = rvoipd.wait_for(10s);
  ASSERT_TRUE(code.has_value()) << "still running 10 s after SIGTERM";
  EXPECT_EQ(*code, 0) << rvoipd.err();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

// Starts rvoipd on a good config, lets `break_config` damage the file, sends SIGHUP and expects
// a failed reload that keeps the appliance running, then a prompt stop. The log must contain
// `why`.
void expect_failed_reload(RvoipdConfig& t, Child& rvoipd, uint16_t port,
                          const std::function<void()>& break_config, const std::string& why) {
  ASSERT_TRUE(await_ready(port)) << rvoipd.err();
  break_config();
  rvoipd.signal(SIGHUP);
  EXPECT_EQ(await_metric(port, kFailed, 1), 1) << rvoipd.err();
  EXPECT_EQ(metric(port, kSuccess), 0);
  EXPECT_EQ(http_get(port, "/ready").status, 200);
  stop_within_two_seconds(rvoipd);
  EXPECT_THAT(rvoipd.err(), HasSubstr("still running the previous config"));
  EXPECT_THAT(rvoipd.err(), HasSubstr(why));
  (void)t;
}

TEST_F(RvoipdConfig, ConfigReplacedByADirectory_FailsTheReload) {
  write_config("logging:\n  level: info\n");
  const uint16_t port = pick_port();
  Child rvoipd(live_args(port));
  expect_failed_reload(
      *this, rvoipd, port,
      [&] {
        std::filesystem::remove(config_);
        std::filesystem::create_directory(config_);
      },
      "it is a directory, not a regular file");
}

TEST_F(RvoipdConfig, ConfigEmptied_FailsTheReload) {
  write_config("logging:\n  level: info\n");
  const uint16_t port = pick_port();
  Child rvoipd(live_args(port));
  expect_failed_reload(
      *this, rvoipd, port, [&] { std::ofstream(config_, std::ios::trunc); },
      "config file is empty");
}

TEST_F(RvoipdConfig, ConfigReplacedByAFifo_FailsTheReloadAndSigtermStillStops) {
  write_config("logging:\n  level: info\n");
  const uint16_t port = pick_port();
  Child rvoipd(live_args(port));
  expect_failed_reload(
      *this, rvoipd, port,
      [&] {
        std::filesystem::remove(config_);
        ASSERT_EQ(mkfifo(config_.c_str(), 0600), 0);
      },
      "it is a FIFO, not a regular file");
}

// `args` with a 1 GiB data limit: a reader of /dev/zero fails here, not on the machine. Not under
// AddressSanitizer, whose shadow memory alone is a larger mapping than that.
std::vector<std::string> with_bounded_heap(const std::vector<std::string>& args) {
#if defined(__SANITIZE_ADDRESS__)
  return args;
#else
  std::vector<std::string> bounded = {"/usr/bin/prlimit", "--data=1073741824"};
  bounded.insert(bounded.end(), args.begin(), args.end());
  return bounded;
#endif
}

TEST_F(RvoipdConfig, ConfigReplacedByDevZero_FailsTheReloadAndSigtermStillStops) {
  write_config("logging:\n  level: info\n");
  const uint16_t port = pick_port();
  Child rvoipd(with_bounded_heap(live_args(port)));
  expect_failed_reload(
      *this, rvoipd, port,
      [&] {
        std::filesystem::remove(config_);
        std::filesystem::create_symlink("/dev/zero", config_);
      },
      "it is a character device, not a regular file");
}

TEST_F(RvoipdConfig, DevZeroAtStart_IsRefusedWithExitTwo) {
  const auto r =
      run_process(with_bounded_heap({rvoipd_path(), "--config", "/dev/zero", "--check-config"}), 30s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("/dev/zero: cannot read config file: it is a character device"));
}

TEST_F(RvoipdConfig, FiftyMegabyteFileOfUnknownKeys_IsRefusedInOneLine) {
  {
    std::ofstream out(config_);
    out << "dataplane:\n";
    for (std::size_t i = 0, n = 0; n < (50u << 20); ++i) {
      const std::string line = "  unknown_key_" + std::to_string(i) + ": 1\n";
      out << line;
      n += line.size();
    }
  }
  const auto r = run_process({rvoipd_path(), "--config", config_, "--check-config"}, 60s);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("more than control.config_max_bytes (4194304)"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err.substr(0, 2000);
}

TEST_F(RvoipdConfig, MetricsListenWithAComma_FailsCheckConfig) {
  const auto r =
      run_process({rvoipd_path(), "--set", "control.metrics_listen=127.0.0.1:9464,127.0.0.1:9465",
                   "--check-config"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.err, HasSubstr("control.metrics_listen: expected one host:port"));
}

TEST_F(RvoipdConfig, TypeErrorAndCrossKeyError_BothReported) {
  write_config("dataplane:\n  burst_size: lots\nevents:\n  channel_capacity: 1000\n");
  const auto r = run_process({rvoipd_path(), "--config", config_, "--check-config"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("dataplane.burst_size: expected an integer"));
  EXPECT_THAT(r.err, HasSubstr("events.channel_capacity: 1000 is not a power of two"));
}

// Every key `--print-default-config` marks "(reload)", as a dotted path.
std::set<std::string> reloadable_keys() {
  const auto r = run_process({rvoipd_path(), "--print-default-config"});
  std::istringstream in(r.out);
  std::set<std::string> keys;
  std::vector<std::string> sections;
  bool reload = false;
  for (std::string line; std::getline(in, line);) {
    const auto indent = line.find_first_not_of(' ');
    if (indent == std::string::npos) continue;
    if (line[indent] == '#') {
      reload = line.find(" (reload) (") != std::string::npos;
      continue;
    }
    const auto colon = line.find(':');
    const std::string name = line.substr(indent, colon - indent);
    sections.resize(indent / 2);
    if (colon + 1 == line.size()) {
      sections.push_back(name);
      continue;
    }
    std::string path;
    for (const auto& s : sections) path += s + ".";
    if (reload) keys.insert(path + name);
  }
  return keys;
}

TEST_F(RvoipdConfig, EveryKeyMarkedReloadable_IsAppliedLive) {
  // A new value for each reloadable key (valid together).
  const std::map<std::string, std::string> changed = {
      {"control.config_max_bytes", "2097152"},
      {"control.health_drop_rate", "0.2"},
      {"control.health_interval_ms", "100"},
      {"control.health_ring_usage", "0.9"},
      {"control.heartbeat_timeout_ms", "2000"},
      {"control.progress", "on"},
      {"control.shutdown_timeout_ms", "1400"},
      {"dataplane.decap_geneve_ports", "[\"6081\", \"6082\"]"},
      {"dataplane.decap_gre_keys", "[\"7\"]"},
      {"dataplane.decap_max_depth", "3"},
      {"dataplane.decap_vxlan_ports", "[\"4789\", \"8472\"]"},
      {"dataplane.hep_ports", "[\"9060\"]"},
      {"dataplane.rtp_heuristic", "false"},
      {"dataplane.rtp_port_max", "20000"},
      {"dataplane.rtp_port_min", "10000"},
      {"dataplane.sip_ports", "[\"5060\", \"5080\"]"},
      {"logging.level", "debug"},
  };
  std::set<std::string> keys;
  for (const auto& [k, v] : changed) keys.insert(k);
  ASSERT_EQ(reloadable_keys(), keys) << "the keys marked (reload) changed: update this test";

  write_config("control:\n  progress: \"off\"\n");
  const uint16_t port = pick_port();
  Child rvoipd(live_args(port));
  ASSERT_TRUE(await_ready(port)) << rvoipd.err();
  std::map<std::string, std::string> by_section;  // "dataplane" -> "  key: value\n..."
  for (const auto& [k, v] : changed) {
    const auto dot = k.find('.');
    by_section[k.substr(0, dot)] += "  " + k.substr(dot + 1) + ": " + v + "\n";
  }
  std::string text;
  for (const auto& [section, body] : by_section) text += section + ":\n" + body;
  write_config(text);
  rvoipd.signal(SIGHUP);
  EXPECT_EQ(await_metric(port, kSuccess, 1), 1) << rvoipd.err();
  std::this_thread::sleep_for(300ms);  // a progress tick or more
  stop_within_two_seconds(rvoipd);
  const std::string err = rvoipd.err();
  for (const auto& k : keys)
    EXPECT_THAT(err, HasSubstr("reload (SIGHUP): applied " + k + ": ")) << k;
  EXPECT_THAT(err, Not(HasSubstr("needs a restart")));
  EXPECT_THAT(err, HasSubstr(" packets | ")) << "control.progress: on did not show progress";
}

TEST_F(RvoipdConfig, KeysReadOnlyAtStart_AreReportedAsNeedingARestart) {
  write_config("planes:\n  media:\n    media_timeout_s: 30\n");
  const uint16_t port = pick_port();
  Child rvoipd(live_args(port));
  ASSERT_TRUE(await_ready(port)) << rvoipd.err();
  write_config(
      "dataplane:\n  housekeeping_interval: 512\nevents:\n  latency_sample_every: 128\n"
      "planes:\n  signaling:\n    setup_timeout_s: 60\n    call_timeout_s: 600\n"
      "    linger_s: 5\n  media:\n    media_timeout_s: 10\n");
  rvoipd.signal(SIGHUP);
  EXPECT_EQ(await_metric(port, kSuccess, 1), 1) << rvoipd.err();
  stop_within_two_seconds(rvoipd);
  for (const char* k : {"dataplane.housekeeping_interval", "events.latency_sample_every",
                        "planes.signaling.setup_timeout_s", "planes.signaling.call_timeout_s",
                        "planes.signaling.linger_s", "planes.media.media_timeout_s"}) {
    EXPECT_THAT(rvoipd.err(), HasSubstr(std::string(k) + ": ")) << k;
    EXPECT_THAT(rvoipd.err(), Not(HasSubstr(std::string("applied ") + k))) << k;
  }
  EXPECT_THAT(rvoipd.err(), HasSubstr("needs a restart"));
}

}  // namespace
}  // namespace rv::test
