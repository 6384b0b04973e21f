// Per-stream equivalence with tshark 4.0 `-z rtp,streams` on the shared captures
// (tests/data/pcaps/README.md): packets and lost exactly, mean/max jitter within 1 % or 0.01 ms.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "planes/media/media_plane.hpp"
#include "tests/planes/media/capture_feed.hpp"

namespace rv::planes::media {
namespace {

struct Expected {
  const char* src;
  const char* dst;
  const char* ssrc;
  uint64_t packets;
  int64_t lost;
  double mean_ms;
  double max_ms;
};

struct Case {
  const char* file;
  std::vector<Expected> streams;
};

void expect_close(double got, double want, const char* what, const std::string& id) {
  const double tol = std::max(0.01, want * 0.01);
  EXPECT_NEAR(got, want, tol) << what << " of " << id;
}

void check(const Case& c) {
  SCOPED_TRACE(c.file);
  MediaPlaneConfig cfg;
  cfg.max_streams = 1024;
  MediaPlane plane(cfg);
  const FeedStats fs = feed_capture(plane, test::shared_pcap(c.file));
  std::vector<StreamReport> got;
  plane.snapshot(got);
  EXPECT_EQ(got.size(), c.streams.size()) << "streams found (rtp datagrams " << fs.rtp << ")";
  for (const Expected& e : c.streams) {
    const std::string id = std::string(e.src) + " -> " + e.dst + " " + e.ssrc;
    const StreamReport* r = nullptr;
    for (const StreamReport& g : got) {
      if (g.src == e.src && g.dst == e.dst && g.ssrc == e.ssrc) r = &g;
    }
    ASSERT_NE(r, nullptr) << "missing stream " << id;
    EXPECT_EQ(r->packets, e.packets) << id;
    EXPECT_EQ(r->lost, e.lost) << id;
    expect_close(r->jitter_mean_ms, e.mean_ms, "mean jitter", id);
    expect_close(r->jitter_max_ms, e.max_ms, "max jitter", id);
  }
}

TEST(WiresharkParity, HeplifyG711CallThroughMediaProxy) {
  check({"heplify_rtp_rtcp_sip_ipv4_udp.pcap",
         {{"200.57.7.202:30000", "200.57.7.196:40362", "0x00002E3D", 6, 0, 0.257, 0.639},
          {"200.57.7.196:40376", "200.57.7.204:8000", "0x58F33DEA", 891, 0, 0.099, 0.251},
          {"200.57.7.199:4800", "200.57.7.196:40378", "0x58F33DEA", 891, 0, 0.030, 0.078},
          {"200.57.7.196:40378", "200.57.7.199:4800", "0xD2BD4E3E", 548, 0, 2.548, 7.400},
          {"200.57.7.204:8000", "200.57.7.196:40376", "0xD2BD4E3E", 548, 0, 2.517173, 7.406751}}});
}

TEST(WiresharkParity, PeafowlLossAndDynamicTypesWithoutClock) {
  check({"peafowl_rtp.pcap",
         {{"192.168.178.136:8000", "45.77.69.46:28596", "0x50DF6D39", 5, 0, 1.907, 2.822},
          {"192.168.0.54:8000", "172.93.49.177:17968", "0x8A3426FD", 6, 4, 0, 0},
          {"192.168.105.172:4376", "192.168.105.110:4376", "0x5711BF84", 4, 0, 0, 0}}});
}

TEST(WiresharkParity, SippG711a) {
  check({"sipp_g711a.pcap",
         {{"10.1.3.143:5000", "10.1.6.18:2006", "0xDEE0EE8F", 236, 0, 0.350, 0.829}}});
}

TEST(WiresharkParity, Rfc4733RepeatedEndPacketsGiveNegativeLoss) {
  check({"sipp_dtmf_2833_1.pcap",
         {{"192.168.0.3:49176", "192.168.0.1:10000", "0x0E05384E", 10, -2, 0, 0}}});
}

TEST(WiresharkParity, HeplifyTcpCallWithComfortNoise) {
  check({"heplify_sip_ipv4_tcp.pcap",
         {{"10.33.6.100:6000", "10.33.6.101:6050", "0x5A3361B3", 24, 0, 0.039, 0.069},
          {"10.33.6.101:6050", "10.33.6.100:6000", "0x42F433D4", 42, 0, 2.304, 3.063}}});
}

TEST(WiresharkParity, NdpiDynamicTypesEventsAndVideo) {
  check({"ndpi_rtp.pcapng",
         {{"10.140.67.167:55402", "148.153.85.97:6008", "0xB80974D8", 29, 0, 0, 0},
          {"192.113.193.227:50003", "150.219.118.19:54234", "0x001A757D", 6, 0, 0, 0},
          {"192.113.193.227:50003", "150.219.118.19:54234", "0x001A759F", 12, 0, 0, 0},
          {"150.219.118.19:54234", "192.113.193.227:50003", "0x001A7E73", 7, 0, 0, 0},
          {"10.204.220.71:6000", "10.204.220.171:6000", "0x00001646", 15, 0, 0.692, 1.431}}});
}

}  // namespace
}  // namespace rv::planes::media
