// Runs the real rvoipd binary live on a DPDK virtual device and through its config path.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/pcap_file.hpp"
#include "tests/support/process.hpp"

namespace rv::test {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

std::vector<std::string> live_args(uint16_t port) {
  return {rvoipd_path(), "--set", "control.metrics_listen=127.0.0.1:" + std::to_string(port),
          "--", "--vdev=net_null0"};
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = "/tmp/rv_" + std::to_string(getpid()) + "_" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(RvoipdLive, NetNull_ServesMetricsAndStopsOnSigtermWithinTwoSeconds) {
  const uint16_t port = pick_port();
  Child rvoipd(live_args(port));
  ASSERT_EQ(http_get_when_up(port, "/ready").status, 200) << rvoipd.err();
  const auto metrics = http_get(port, "/metrics");
  ASSERT_EQ(metrics.status, 200) << rvoipd.err();
  EXPECT_THAT(metrics.body, HasSubstr("rvoip_build_info{"));
  EXPECT_THAT(metrics.body, HasSubstr("rvoip_port_rx_packets_total{port=\"net_null0\"}"));
  EXPECT_THAT(metrics.body, HasSubstr("rvoip_packets_total{class=\"sip\"}"));
  EXPECT_THAT(metrics.body, HasSubstr("rvoip_packets_malformed_total{reason=\"truncated_udp\"}"));
  EXPECT_EQ(http_get(port, "/ready").status, 200);
  const auto t0 = std::chrono::steady_clock::now();
  rvoipd.signal(SIGTERM);
  const auto code = rvoipd.wait_for(5s);
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(code.has_value()) << "rvoipd still running 5 s after SIGTERM";
  EXPECT_EQ(*code, 0) << rvoipd.err();
  EXPECT_LT(took, 2s);
  EXPECT_THAT(rvoipd.out(), HasSubstr("summary (live)"));
}

TEST(RvoipdLive, MetricsOutput_PassesPromtool) {
  const uint16_t port = pick_port();
  Child rvoipd(live_args(port));
  const auto metrics = http_get_when_up(port, "/metrics");
  ASSERT_EQ(metrics.status, 200) << rvoipd.err();
  const std::string path = write_temp("metrics.txt", metrics.body);
  const auto check = run_process({"/bin/sh", "-c", "promtool check metrics < " + path});
  std::filesystem::remove(path);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  rvoipd.signal(SIGINT);
  EXPECT_EQ(rvoipd.wait_for(5s), std::optional<int>(0));
}

TEST(RvoipdLive, MetricsPortTaken_ExitsOneWithClearMessage) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const auto r = run_process(live_args(ntohs(addr.sin_port)), 10s);
  close(fd);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot serve metrics on 127.0.0.1:" + std::to_string(ntohs(addr.sin_port))));
}

TEST(RvoipdConfig, UnknownKey_ExitsTwoWithPathAndLine) {
  const auto cfg = write_temp("unknown.yaml", "dataplane:\n  burst_sise: 64\n");
  const auto r = run_process({rvoipd_path(), "--config", cfg, "--check-config"});
  std::filesystem::remove(cfg);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("dataplane.burst_sise: unknown key (line 2, column 3)"));
}

TEST(RvoipdConfig, WrongTypeAndUnknownKey_BothReported) {
  const auto cfg = write_temp("two.yaml", "dataplane:\n  burst_size: many\ncontrol:\n  colour: red\n");
  const auto r = run_process({rvoipd_path(), "--config", cfg});
  std::filesystem::remove(cfg);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("dataplane.burst_size: expected an integer in [1, 512], got 'many' (line 2, column 15)"));
  EXPECT_THAT(r.err, HasSubstr("control.colour: unknown key (line 4, column 3)"));
}

TEST(RvoipdConfig, CheckConfig_ExitCodes) {
  const auto good = write_temp("good.yaml", "dataplane:\n  burst_size: 64\n");
  EXPECT_EQ(run_process({rvoipd_path(), "--config", good, "--check-config"}).exit_code, 0);
  std::filesystem::remove(good);
  EXPECT_EQ(run_process({rvoipd_path(), "--check-config", "--set", "logging.level=loud"}).exit_code, 2);
  EXPECT_EQ(run_process({rvoipd_path(), "--no-such-flag"}).exit_code, 2);
}

TEST(RvoipdConfig, EnvironmentOverride_IsValidatedToo) {
  setenv("RVOIP__DATAPLANE__BURST_SIZE", "0", 1);
  const auto r = run_process({rvoipd_path(), "--check-config"});
  unsetenv("RVOIP__DATAPLANE__BURST_SIZE");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("dataplane.burst_size: value 0 out of range"));
  EXPECT_THAT(r.err, HasSubstr("RVOIP__DATAPLANE__BURST_SIZE"));
}

TEST(RvoipdConfig, PrintDefaultConfig_IsAcceptedByCheckConfig) {
  const auto printed = run_process({rvoipd_path(), "--print-default-config"});
  ASSERT_EQ(printed.exit_code, 0);
  const auto cfg = write_temp("default.yaml", printed.out);
  EXPECT_EQ(run_process({rvoipd_path(), "--config", cfg, "--check-config"}).exit_code, 0);
  std::filesystem::remove(cfg);
}

}  // namespace
}  // namespace rv::test

namespace rv::test {
namespace {

// Issue 4: forward mode is a bump in the wire. Port 0 reads the sample capture and every frame
// goes out on port 1 after inspection; net_pcap writes what port 1 transmitted, and the frames
// must equal the input byte for byte (timestamps are the transmit times, so only frames count).
TEST(RvoipdForward, PairedNetPcapPorts_OutputFramesEqualInput) {
  const std::string dir = "/tmp/rv_fwd_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  // An empty capture: port 1 receives nothing, so port 0 transmits nothing back.
  { PcapWriter empty(dir + "/empty.pcap"); }
  const std::string input = shared_pcap("heplify_rtp_rtcp_sip_ipv4_udp.pcap");
  const uint16_t port = pick_port();
  Child rvoipd({rvoipd_path(), "--set", "dataplane.mode=forward", "--set",
                "control.metrics_listen=127.0.0.1:" + std::to_string(port), "--",
                "--vdev=net_pcap0,rx_pcap=" + input + ",tx_pcap=" + dir + "/back.pcap",
                "--vdev=net_pcap1,rx_pcap=" + dir + "/empty.pcap,tx_pcap=" + dir + "/out.pcap"});
  const auto in = read_pcap(input);
  const std::string want = "rvoip_packets_forwarded_total " + std::to_string(in.frames.size());
  bool done = false;
  for (int i = 0; i < 500 && !done; ++i) {
    done = http_get(port, "/metrics").body.find(want) != std::string::npos;
    if (!done) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(done) << rvoipd.err();
  rvoipd.signal(SIGTERM);
  ASSERT_EQ(rvoipd.wait_for(5s), std::optional<int>(0)) << rvoipd.err();
  const auto out = read_pcap(dir + "/out.pcap");  // closed (flushed) when rvoipd stopped
  ASSERT_EQ(out.frames.size(), in.frames.size());
  for (std::size_t i = 0; i < in.frames.size(); ++i) {
    ASSERT_EQ(out.frames[i].bytes, in.frames[i].bytes) << "frame " << i + 1;
  }
  EXPECT_TRUE(read_pcap(dir + "/back.pcap").frames.empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rv::test

namespace rv::test {
namespace {

// Issue 7: DPDK's telemetry socket stays usable with dpdk-telemetry.py, and rvoipd adds its own
// commands there. A file prefix of its own keeps this instance's socket apart from other tests'.
TEST(RvoipdTelemetry, DpdkTelemetryPy_SeesEthdevAndRvoipCommands) {
  const std::string prefix = "rvtel" + std::to_string(getpid());
  const uint16_t port = pick_port();
  Child rvoipd({rvoipd_path(), "--set", "control.metrics_listen=127.0.0.1:" + std::to_string(port),
                "--", "--vdev=net_pcap0,rx_pcap=" + shared_pcap("heplify_rtp_rtcp_sip_ipv4_udp.pcap"),
                "--file-prefix=" + prefix});
  ASSERT_EQ(http_get_when_up(port, "/metrics").status, 200) << rvoipd.err();
  std::string out;
  for (int i = 0; i < 100; ++i) {  // until the whole capture went through
    out = run_process({"/bin/sh", "-c", "printf '/ethdev/list\\n/rvoip/packets\\n' | dpdk-telemetry.py -f " + prefix}).out;
    if (out.find("\"rx\": 4269") != std::string::npos) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_THAT(out, HasSubstr("{\"/ethdev/list\": [0]}"));
  EXPECT_THAT(out, HasSubstr("\"/rvoip/packets\": {\"rx\": 4269, \"sip\": 14, \"rtp\": 2884, \"rtcp\": 26"));
  rvoipd.signal(SIGTERM);
  EXPECT_EQ(rvoipd.wait_for(5s), std::optional<int>(0));
}

}  // namespace
}  // namespace rv::test
