// Overload (issue 14): the real rvoipd, live, reads a capture of SIP calls with RTP in a loop
// (net_pcap infinite_rx=1) as fast as it can, with 2 workers on this 2-CPU machine, for 60 s.
// The shards cannot keep up with each other: steering rings fill and packets are dropped. The
// appliance must say so (/health degraded with the drop rate, steering drops counted in
// /metrics), lose no Critical event (signaling.call), and keep its memory flat.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/pcap_file.hpp"
#include "tests/support/process.hpp"

namespace rv::test {
namespace {

using namespace std::chrono_literals;

// Sum of every sample of the family `name` whose labels contain `label` ("" = all).
double metric_sum(const std::string& body, const std::string& name, const std::string& label) {
  std::istringstream in(body);
  double sum = 0;
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(name + "{") && !line.starts_with(name + " ")) continue;
    const auto value_at = line.rfind(' ');
    if (label.empty() || line.substr(0, value_at).find(label) != std::string::npos) {
      sum += std::stod(line.substr(value_at + 1));
    }
  }
  return sum;
}

// Resident set size of `pid` in KiB (VmRSS), or 0.
uint64_t rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("VmRSS:")) return std::stoull(line.substr(6));
  }
  return 0;
}

TEST(RvoipdOverload, InfiniteRxTwoWorkers_DegradesCountsDropsKeepsCriticalEventsAndMemoryFlat) {
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer keeps freed blocks in a quarantine (256 MiB by default) rather than reusing
  // them, so RSS would grow with every free until it is full: reuse them at once in this run.
  const char* asan = std::getenv("ASAN_OPTIONS");
  setenv("ASAN_OPTIONS", (std::string(asan != nullptr ? asan : "") + ":quarantine_size_mb=0").c_str(), 1);
#endif
  const uint16_t port = pick_port();
  Child rvoipd({rvoipd_path(), "--set", "control.metrics_listen=127.0.0.1:" + std::to_string(port),
                "--set", "dataplane.workers=2", "--set", "control.progress=off",
                // Small steering rings: two workers and the control threads time-share the two
                // CPUs, so a descheduled worker lets its ring overflow whatever the per-packet
                // speed (without it a fast build keeps up and nothing is overloaded).
                "--set", "events.channel_capacity=64", "--",
                "--vdev=net_pcap0,rx_pcap=" + shared_pcap("heplify_rtp_rtcp_sip_ipv4_udp.pcap") +
                    ",infinite_rx=1"});
  ASSERT_EQ(http_get_when_up(port, "/metrics").status, 200) << rvoipd.err();

  constexpr int kSeconds = 60;
  std::vector<uint64_t> rss;
  bool degraded_by_drops = false;
  std::string worst;
  for (int s = 0; s < kSeconds; ++s) {
    std::this_thread::sleep_for(1s);
    rss.push_back(rss_kib(rvoipd.pid()));
    const auto h = http_get(port, "/health");
    ASSERT_EQ(h.status, 200) << "health failed (or not live) under overload: " << h.body;
    const auto j = nlohmann::json::parse(h.body);
    if (j["status"] == "degraded" && h.body.find("drop rate") != std::string::npos) {
      degraded_by_drops = true;
      worst = h.body;
    }
  }
  const std::string m = http_get(port, "/metrics").body;
  rvoipd.signal(SIGTERM);
  ASSERT_EQ(rvoipd.wait_for(10s), std::optional<int>(0)) << rvoipd.err();

  EXPECT_TRUE(degraded_by_drops) << "never degraded by the drop rate under overload";
  EXPECT_GT(metric_sum(m, "rvoip_steer_dropped_total", ""), 0) << "no steering drop counted";
  EXPECT_GT(metric_sum(m, "rvoip_packets_received_total", ""), 1'000'000);
  // Critical events: published, none dropped for any reason.
  EXPECT_GT(metric_sum(m, "rvoip_events_published_total", R"(type="signaling.call")"), 0);
  EXPECT_EQ(metric_sum(m, "rvoip_events_dropped_total", R"(type="signaling.call")"), 0) << m;
  // Memory flat: the largest RSS of the last third within 5 % (at least 16 MiB) of the first's.
  const auto third = rss.size() / 3;
  const uint64_t first = *std::max_element(rss.begin(), rss.begin() + third);
  const uint64_t last = *std::max_element(rss.end() - third, rss.end());
  EXPECT_LE(last, first + std::max<uint64_t>(first / 20, 16 * 1024))
      << "RSS grew from " << first << " KiB to " << last << " KiB";
  RecordProperty("rss_first_third_max_kib", std::to_string(first));
  RecordProperty("rss_last_third_max_kib", std::to_string(last));
  std::printf("rss first third max %lu KiB, last third max %lu KiB; steer dropped %.0f, rx %.0f\n",
              static_cast<unsigned long>(first), static_cast<unsigned long>(last),
              metric_sum(m, "rvoip_steer_dropped_total", ""),
              metric_sum(m, "rvoip_packets_received_total", ""));
  (void)worst;
}

}  // namespace
}  // namespace rv::test
