#include "dataplane/packet_parser.hpp"

#include <gtest/gtest.h>

#include "tests/support/pcap_file.hpp"

namespace rv::dataplane {
namespace {

TEST(PacketParser, SampleCapture_ParsesEveryUdpFrame) {
  const auto file = test::read_pcap(test::shared_pcap("heplify_rtp_rtcp_sip_ipv4_udp.pcap"));
  ASSERT_EQ(file.frames.size(), 4269u);
  std::size_t udp = 0;
  for (const auto& f : file.frames) {
    ParsedPacket p;
    if (parse_frame(f.bytes, file.link, p) == ParseStatus::kOk && p.ip_proto == kIpProtoUdp) ++udp;
  }
  EXPECT_GT(udp, 3000u);
}

}  // namespace
}  // namespace rv::dataplane
