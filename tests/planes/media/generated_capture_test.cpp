// Captures from scripts/gen_traffic.py (tests/data/generated): SIP calls with SDP and RTP both
// ways with loss, reordering, duplication and jitter. Per stream, compared with the generator's
// ground truth and with tshark's numbers recorded beside it (packets and lost exactly, jitter
// within 1 % or 0.01 ms). Endpoints are learned from the truth's SDP, as the signaling plane would.

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "planes/media/media_plane.hpp"
#include "tests/planes/media/capture_feed.hpp"

namespace rv::planes::media {
namespace {

using nlohmann::json;

json load_truth(const std::string& name) {
  std::ifstream in(rv::test::test_data("generated/" + name + ".json"));
  EXPECT_TRUE(in.good()) << name;
  return json::parse(in);
}

dataplane::Endpoint endpoint(const std::string& addr, uint16_t port) {
  uint8_t b[4];
  EXPECT_EQ(inet_pton(AF_INET, addr.c_str(), b), 1) << addr;
  return {dataplane::IpAddress::v4(b), port};
}

void learn_calls(MediaPlane& plane, const json& truth) {
  for (const json& call : truth["calls"]) {
    const std::string call_id = call["call_id"];
    for (const json& ep : call["endpoints"]) {
      std::vector<PayloadMapping> maps;
      for (const json& m : ep["payload_types"]) {
        const std::string enc = m["encoding"];
        maps.push_back({m["payload_type"].get<uint8_t>(), codec_from_name(enc),
                        m["clock_rate"].get<uint32_t>()});
      }
      ASSERT_TRUE(plane.learn_endpoint(endpoint(ep["addr"], ep["port"]), call_id, maps, 0));
    }
  }
}

void check(const std::string& name) {
  SCOPED_TRACE(name);
  const json truth = load_truth(name);
  MediaPlaneConfig cfg;
  cfg.max_streams = 256;
  MediaPlane plane(cfg);
  learn_calls(plane, truth);
  feed_capture(plane, rv::test::test_data("generated/" + name + ".pcap"));
  std::vector<StreamReport> got;
  plane.snapshot(got);
  ASSERT_EQ(got.size(), truth["streams"].size());
  for (const json& t : truth["streams"]) {
    const std::string id = t["src"].get<std::string>() + " -> " + t["dst"].get<std::string>() +
                           " " + t["ssrc"].get<std::string>();
    const StreamReport* r = nullptr;
    for (const StreamReport& g : got) {
      if (g.src == t["src"] && g.dst == t["dst"] && g.ssrc == t["ssrc"]) r = &g;
    }
    ASSERT_NE(r, nullptr) << "missing " << id;
    // Ground truth.
    EXPECT_EQ(r->packets, t["packets"].get<uint64_t>()) << id;
    EXPECT_EQ(r->duplicates, t["duplicated"].get<uint32_t>()) << id;
    if (t["edges_in_order"].get<bool>()) {
      EXPECT_EQ(r->lost, t["visible_dropped"].get<int64_t>() - t["duplicated"].get<int64_t>())
          << id;
    }
    EXPECT_GE(r->reordered + 2, t["reordered"].get<uint32_t>()) << id;
    ASSERT_TRUE(r->call_id.has_value()) << id;
    EXPECT_EQ(*r->call_id, t["call_id"].get<std::string>()) << id;
    EXPECT_EQ(r->payload_type, t["payload_type"].get<uint8_t>()) << id;
    EXPECT_EQ(r->codec, t["codec"].get<std::string>()) << id;
    // tshark.
    const json& ts = t["tshark"];
    ASSERT_TRUE(ts.is_object()) << id << ": tshark did not list the stream";
    EXPECT_EQ(r->packets, ts["packets"].get<uint64_t>()) << id;
    EXPECT_EQ(r->lost, ts["lost"].get<int64_t>()) << id;
    const double mean = ts["mean_jitter_ms"];
    const double max = ts["max_jitter_ms"];
    EXPECT_NEAR(r->jitter_mean_ms, mean, std::max(0.01, mean * 0.01)) << id;
    EXPECT_NEAR(r->jitter_max_ms, max, std::max(0.01, max * 0.01)) << id;
  }
}

TEST(GeneratedCaptures, G711WithLossReorderDuplicationAndJitter) {
  check("g711_impaired");
}
TEST(GeneratedCaptures, OpusClockFromSdpWithDtmfInTheStream) {
  check("opus_dtmf_sdp");
}
TEST(GeneratedCaptures, SequenceAndTimestampWrapUnderHeavyImpairment) {
  check("wrap_heavy");
}

}  // namespace
}  // namespace rv::planes::media
