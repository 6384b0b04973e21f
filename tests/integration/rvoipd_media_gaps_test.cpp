// Media gaps end to end: a capture whose RTP stream falls silent for 5.8 s is replayed; the
// report's stream shows the gap in max_delta_ms and a MOS that accounts for it, and
// planes.media.gap_ms reaches the media plane (0 turns the gap accounting off).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/rvoipd_replay.hpp"

namespace rv::test {
namespace {

template <typename T>
void put(std::ofstream& out, T v) {
  out.write(reinterpret_cast<const char*>(&v), sizeof(v));
}

void be16(std::vector<uint8_t>& f, std::size_t at, uint16_t v) {
  f[at] = uint8_t(v >> 8);
  f[at + 1] = uint8_t(v);
}

void be32(std::vector<uint8_t>& f, std::size_t at, uint32_t v) {
  be16(f, at, uint16_t(v >> 16));
  be16(f, at + 2, uint16_t(v));
}

// One PCMA packet (160 bytes) 10.0.0.1:10000 -> 10.1.0.1:20000 in Ethernet/IPv4/UDP.
std::vector<uint8_t> rtp_frame(uint16_t seq, uint32_t ts) {
  constexpr std::size_t kPayload = 12 + 160;
  std::vector<uint8_t> f(14 + 20 + 8 + kPayload, 0);
  const uint8_t eth[14] = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00};
  std::copy(std::begin(eth), std::end(eth), f.begin());
  const std::size_t ip = 14;
  f[ip] = 0x45;
  be16(f, ip + 2, uint16_t(20 + 8 + kPayload));
  f[ip + 8] = 64;
  f[ip + 9] = 17;
  const uint8_t src[4] = {10, 0, 0, 1}, dst[4] = {10, 1, 0, 1};
  std::copy(src, src + 4, f.begin() + ip + 12);
  std::copy(dst, dst + 4, f.begin() + ip + 16);
  uint32_t sum = 0;
  for (std::size_t i = 0; i < 20; i += 2) sum += uint32_t(f[ip + i] << 8 | f[ip + i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  be16(f, ip + 10, uint16_t(~sum));
  const std::size_t udp = ip + 20;
  be16(f, udp, 10000);
  be16(f, udp + 2, 20000);
  be16(f, udp + 4, uint16_t(8 + kPayload));
  const std::size_t rtp = udp + 8;
  f[rtp] = 0x80;
  f[rtp + 1] = 8;  // PCMA
  be16(f, rtp + 2, seq);
  be32(f, rtp + 4, ts);
  be32(f, rtp + 8, 0x5858);
  return f;
}

// 10 s of packets every 20 ms, a 5.8 s silence (sequence contiguous, RTP time following the
// wall clock), 10 s more.
std::string write_gap_capture() {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("rv_gap_" + std::to_string(getpid()) + ".pcap"))
          .string();
  std::ofstream out(path, std::ios::binary);
  put<uint32_t>(out, 0xa1b2c3d4);
  put<uint16_t>(out, 2);
  put<uint16_t>(out, 4);
  put<uint32_t>(out, 0);
  put<uint32_t>(out, 0);
  put<uint32_t>(out, 65535);
  put<uint32_t>(out, 1);
  uint64_t us = 0;
  uint32_t ts = 0;
  for (int i = 0; i < 1000; ++i) {
    if (i == 500) {
      us += 5'780'000;
      ts += 5780 * 8;
    }
    const auto f = rtp_frame(uint16_t(1 + i), ts);
    put<uint32_t>(out, uint32_t(1'700'000'000 + us / 1'000'000));
    put<uint32_t>(out, uint32_t(us % 1'000'000));
    put<uint32_t>(out, uint32_t(f.size()));
    put<uint32_t>(out, uint32_t(f.size()));
    out.write(reinterpret_cast<const char*>(f.data()), std::streamsize(f.size()));
    us += 20'000;
    ts += 160;
  }
  return path;
}

const std::vector<std::string> kRtpPorts = {"--set", "dataplane.rtp_port_min=10000", "--set",
                                            "dataplane.rtp_port_max=20000"};

TEST(RvoipdMediaGaps, FiveSecondGap_ShowsInMaxDeltaAndLowersTheMos) {
  const std::string pcap = write_gap_capture();
  const auto r = replay(pcap, kRtpPorts);
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  ASSERT_EQ(r.report["streams"].size(), 1u) << r.report.dump();
  const auto& s = r.report["streams"][0];
  EXPECT_EQ(s["packets"], 1000);
  EXPECT_EQ(s["lost"], 0);
  EXPECT_NEAR(s["max_delta_ms"].get<double>(), 5800.0, 0.01);
  EXPECT_EQ(s["gaps"], 1);
  EXPECT_NEAR(s["gap_ms"].get<double>(), 5780.0, 0.01);
  EXPECT_DOUBLE_EQ(s["mos"].get<double>(), 2.5);  // 5.78 s of 25.76 s lost: not 4.4

  auto args = kRtpPorts;
  args.insert(args.end(), {"--set", "planes.media.gap_ms=0"});
  const auto off = replay(pcap, args);
  ASSERT_EQ(off.run.exit_code, 0) << off.run.err;
  ASSERT_EQ(off.report["streams"].size(), 1u);
  EXPECT_DOUBLE_EQ(off.report["streams"][0]["mos"].get<double>(), 4.4);
  EXPECT_EQ(off.report["streams"][0]["gaps"], 0);
  std::filesystem::remove(pcap);
}

}  // namespace
}  // namespace rv::test
