// Media gaps end to end: a capture whose RTP stream falls silent for 5.8 s is replayed; the
// report's stream shows the gap in max_delta_ms and a MOS that accounts for it, and
// planes.media.gap_ms reaches the media plane (0 turns the gap accounting off).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/frame_bytes.hpp"
#include "tests/support/pcap_file.hpp"
#include "tests/support/process.hpp"
#include "tests/support/rvoipd_replay.hpp"

namespace rv::test {
namespace {

// One PCMA packet (160 bytes) 10.0.0.1:10000 -> 10.1.0.1:20000 in Ethernet/IPv4/UDP.
Bytes rtp_frame(uint16_t seq, uint32_t ts) {
  Bytes rtp(12 + 160, 0);
  rtp[0] = 0x80;
  rtp[1] = 8;  // PCMA
  put16(rtp, 2, seq);
  put32(rtp, 4, ts);
  put32(rtp, 8, 0x5858);
  return ethernet(ipv4_udp(0x0a000001, 0x0a010001, 10000, 20000, rtp));
}

// 10 s of packets every 20 ms, a 5.8 s silence (sequence contiguous, RTP time following the
// wall clock), 10 s more.
std::string write_gap_capture() {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("rv_gap_" + std::to_string(getpid()) + ".pcap"))
          .string();
  test::PcapWriter out(path);
  uint64_t us = 0;
  uint32_t ts = 0;
  for (int i = 0; i < 1000; ++i) {
    if (i == 500) {
      us += 5'780'000;
      ts += 5780 * 8;
    }
    const auto f = rtp_frame(uint16_t(1 + i), ts);
    out.write(1'700'000'000'000'000'000ull + us * 1000, f);
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
