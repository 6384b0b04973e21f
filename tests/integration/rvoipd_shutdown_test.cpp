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

#include "tests/support/process.hpp"

namespace rv::test {
namespace {

using namespace std::chrono_literals;

constexpr uint32_t kCalls = 100'000;

template <typename T>
void put(std::ofstream& out, T v) {
  out.write(reinterpret_cast<const char*>(&v), sizeof(v));
}

uint16_t ipv4_checksum(const uint8_t* h) {
  uint32_t sum = 0;
  for (int i = 0; i < 20; i += 2) sum += uint32_t(h[i] << 8 | h[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// Ethernet/IPv4/UDP frames, one INVITE each with its own Call-ID, 10 us apart.
void write_invites(const std::string& path, uint32_t calls) {
  std::ofstream out(path, std::ios::binary);
  put<uint32_t>(out, 0xa1b2c3d4);  // pcap, microseconds
  put<uint16_t>(out, 2);
  put<uint16_t>(out, 4);
  put<int32_t>(out, 0);
  put<uint32_t>(out, 0);
  put<uint32_t>(out, 65535);
  put<uint32_t>(out, 1);  // DLT_EN10MB
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
    std::vector<uint8_t> f(14 + 20 + 8 + sip.size(), 0);
    const uint8_t eth[14] = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00};
    std::copy(std::begin(eth), std::end(eth), f.begin());
    uint8_t* ip = f.data() + 14;
    const uint16_t ip_len = static_cast<uint16_t>(20 + 8 + sip.size());
    ip[0] = 0x45;
    ip[2] = uint8_t(ip_len >> 8);
    ip[3] = uint8_t(ip_len);
    ip[8] = 64;
    ip[9] = 17;
    const uint8_t src[4] = {10, 0, uint8_t(i >> 16), uint8_t(1 + (i & 0xfe))};
    const uint8_t dst[4] = {10, 1, 0, 1};
    std::copy(src, src + 4, ip + 12);
    std::copy(dst, dst + 4, ip + 16);
    const uint16_t sum = ipv4_checksum(ip);
    ip[10] = uint8_t(sum >> 8);
    ip[11] = uint8_t(sum);
    uint8_t* udp = ip + 20;
    const uint16_t udp_len = static_cast<uint16_t>(8 + sip.size());
    udp[0] = 0x13, udp[1] = 0xc4;  // 5060
    udp[2] = 0x13, udp[3] = 0xc4;
    udp[4] = uint8_t(udp_len >> 8);
    udp[5] = uint8_t(udp_len);
    std::copy(sip.begin(), sip.end(), udp + 8);
    const uint64_t us = uint64_t(i) * 10;
    put<uint32_t>(out, uint32_t(1'700'000'000 + us / 1'000'000));
    put<uint32_t>(out, uint32_t(us % 1'000'000));
    put<uint32_t>(out, uint32_t(f.size()));
    put<uint32_t>(out, uint32_t(f.size()));
    out.write(reinterpret_cast<const char*>(f.data()), static_cast<std::streamsize>(f.size()));
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
