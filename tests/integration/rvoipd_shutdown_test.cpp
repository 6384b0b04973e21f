// Shutdown of the real rvoipd with 100 000 live calls: a capture of 100 000 INVITEs (no answer,
// no BYE) is read live through net_pcap; once every call is tracked, SIGTERM must end the
// process with exit 0 in under 2 s (DESIGN.md §6).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "tests/support/frame_bytes.hpp"
#include "tests/support/pcap_file.hpp"
#include "tests/support/process.hpp"

namespace rv::test {
namespace {

using namespace std::chrono_literals;

constexpr uint32_t kCalls = 100'000;

// Ethernet/IPv4/UDP frames, one INVITE each with its own Call-ID, 10 us apart.
void write_invites(const std::string& path, uint32_t calls) {
  PcapWriter out(path);
  for (uint32_t i = 0; i < calls; ++i) {
    const std::string sip = fmt::format(
        "INVITE sip:bob{0}@example.com SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK{0}\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:alice{0}@example.com>;tag=a{0}\r\n"
        "To: <sip:bob{0}@example.com>\r\n"
        "Call-ID: shutdown-{0}@rvoip.test\r\n"
        "CSeq: 1 INVITE\r\n"
        "Contact: <sip:alice{0}@10.0.0.1:5060>\r\n"
        "Content-Length: 0\r\n\r\n",
        i);
    // Each caller its own address: 10.0.<i / 65536>.<1 + (i & 0xfe)>.
    const uint32_t caller = 0x0a000000 | (i >> 16 & 0xff) << 8 | (1 + (i & 0xfe));
    out.write(1'700'000'000'000'000'000ull + uint64_t(i) * 10'000,
              ethernet(ipv4_udp(caller, 0x0a010001, 5060, 5060, text(sip))));
  }
}

double metric(uint16_t port, const std::string& series) {
  const auto r = http_get(port, "/metrics");
  std::istringstream in(r.body);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

TEST(RvoipdShutdown, HundredThousandLiveCalls_SigtermExitsZeroWithinTwoSeconds) {
  const std::string pcap = "/tmp/rv_shutdown_" + std::to_string(getpid()) + ".pcap";
  write_invites(pcap, kCalls);
  const uint16_t port = pick_port();
  Child rvoipd({rvoipd_path(), "--set", "control.metrics_listen=127.0.0.1:" + std::to_string(port),
                "--set", "planes.signaling.max_calls=131072", "--", "--vdev=net_pcap0,rx_pcap=" + pcap});
  ASSERT_NE(http_get_when_up(port, "/ready", 30s).status, 0) << rvoipd.err();
  double active = 0;
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < deadline &&
         (active = metric(port, "rvoip_calls_active")) < kCalls) {
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(active, kCalls) << rvoipd.err();
  const auto t0 = std::chrono::steady_clock::now();
  rvoipd.signal(SIGTERM);
  const auto code = rvoipd.wait_for(30s);
  const auto took = std::chrono::steady_clock::now() - t0;
  std::filesystem::remove(pcap);
  ASSERT_TRUE(code.has_value()) << "still running 30 s after SIGTERM";
  EXPECT_EQ(*code, 0) << rvoipd.err();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
  std::printf("shutdown with %u live calls took %lld ms\n", kCalls, static_cast<long long>(ms));
  EXPECT_LT(took, 2s);
}

}  // namespace
}  // namespace rv::test
