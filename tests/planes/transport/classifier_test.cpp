#include "planes/transport/classifier.hpp"

#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <iterator>
#include <string>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "dataplane/packet_parser.hpp"
#include "planes/media/media_plane.hpp"
#include "planes/signaling/sip_parser.hpp"
#include "tests/support/pcap_file.hpp"

namespace rv::planes::transport {
namespace {

using Bytes = std::vector<uint8_t>;
using dataplane::kIpProtoTcp;
using dataplane::kIpProtoUdp;
using dataplane::ParsedPacket;

Bytes text(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

// A parsed UDP/TCP packet carrying `payload` (which must outlive the result).
ParsedPacket packet(uint16_t sport, uint16_t dport, const Bytes& payload,
                    uint8_t proto = kIpProtoUdp) {
  ParsedPacket p;
  p.l3 = dataplane::L3Proto::kIpv4;
  p.ip_proto = proto;
  p.src_port = sport;
  p.dst_port = dport;
  p.payload = payload.data();
  p.payload_len = static_cast<uint32_t>(payload.size());
  return p;
}

Bytes file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

ClassifierConfig default_config() {
  return ClassifierConfig::from(config::DataplaneConfig{});
}

// RTP: version 2, optional CSRCs / extension / padding, `body` bytes of payload.
struct Rtp {
  uint8_t pt = 0;
  bool marker = false;
  uint8_t csrc = 0;
  bool extension = false;
  uint8_t padding = 0;  // pad bytes including the count byte; 0 = none
  std::size_t body = 160;
};

Bytes rtp(const Rtp& r) {
  Bytes b(12, 0);
  b[0] = static_cast<uint8_t>(0x80 | (r.padding ? 0x20 : 0) | (r.extension ? 0x10 : 0) | r.csrc);
  b[1] = static_cast<uint8_t>((r.marker ? 0x80 : 0) | r.pt);
  b[2] = 0x12;
  b[3] = 0x34;
  b[8] = 0xCA;
  b[11] = 0xFE;
  for (uint8_t i = 0; i < r.csrc; ++i) b.insert(b.end(), {0, 0, 0, static_cast<uint8_t>(i + 1)});
  if (r.extension) b.insert(b.end(), {0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0x00, 0x00});
  for (std::size_t i = 0; i < r.body; ++i) b.push_back(static_cast<uint8_t>(0xD5 ^ i));
  if (r.padding) {
    b.insert(b.end(), r.padding - 1u, 0);
    b.push_back(r.padding);
  }
  return b;
}

// RTCP sender report without report blocks (28 bytes, length 6 words).
Bytes rtcp_sr() {
  return {0x80, 200,  0x00, 0x06,                          // SR, RC 0
          0xCA, 0x00, 0x00, 0xFE,                          // sender SSRC
          0xE8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // NTP timestamp
          0x00, 0x00, 0x10, 0x00,                          // RTP timestamp
          0x00, 0x00, 0x00, 0x32,                          // packet count
          0x00, 0x00, 0x1F, 0x40};                         // octet count
}

// RTCP SDES with one CNAME chunk (16 bytes, length 3 words).
Bytes rtcp_sdes() {
  return {0x81, 202,  0x00, 0x03,       // SDES, SC 1
          0xCA, 0x00, 0x00, 0xFE,       // chunk SSRC
          0x01, 0x03, 'a',  '@',  'b',  // CNAME "a@b"
          0x00, 0x00, 0x00};            // end of items + pad to 32 bits
}

Bytes rtcp_sr_sdes() {
  Bytes b = rtcp_sr();
  const Bytes s = rtcp_sdes();
  b.insert(b.end(), s.begin(), s.end());
  return b;
}

Bytes rtcp_rr_one_block() {
  Bytes b = {0x81, 201, 0x00, 0x07, 0xCA, 0x00, 0x00, 0xFE};
  b.resize(8 + 24, 0);  // one report block
  return b;
}

const Bytes kInvite = text(
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Content-Length: 0\r\n\r\n");
const Bytes kOk = text("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n");
const Bytes kOptions = text("OPTIONS sips:carol@chicago.example.com SIP/2.0\r\n\r\n");

// ---- SIP ---------------------------------------------------------------------------------------

TEST(Classifier, SipRequestAndStatusLine_AreSipOnAnyUdpPort) {
  const auto cfg = default_config();
  for (uint16_t port : {5060, 5061, 5080, 15060, 40000, 53}) {
    SCOPED_TRACE(port);
    EXPECT_EQ(classify(packet(40001, port, kInvite), cfg), PacketClass::kSip);
    EXPECT_EQ(classify(packet(port, 40001, kOk), cfg), PacketClass::kSip);
    EXPECT_EQ(classify(packet(port, port, kOptions), cfg), PacketClass::kSip);
  }
}

TEST(Classifier, SipOverTcp_IsSip) {
  const auto cfg = default_config();
  EXPECT_EQ(classify(packet(5060, 41000, kInvite, kIpProtoTcp), cfg), PacketClass::kSip);
  EXPECT_EQ(classify(packet(41000, 5080, kOk, kIpProtoTcp), cfg), PacketClass::kSip);
}

TEST(Classifier, HttpOnSipPort_IsNotSip) {
  const auto cfg = default_config();
  for (const char* m : {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n",
                        "POST /sip:bob@x HTTP/1.1\r\n\r\n"}) {
    SCOPED_TRACE(m);
    const Bytes b = text(m);
    EXPECT_EQ(classify(packet(40000, 5060, b), cfg), PacketClass::kOther);
    EXPECT_EQ(classify(packet(40000, 5060, b, kIpProtoTcp), cfg), PacketClass::kOther);
  }
}

// Off SIP ports these are not SIP. On a SIP port the ones whose first line names a SIP version
// are SIP that breaks the grammar (issue 12: malformed SIP by reason, never other).
TEST(Classifier, AlmostSipStartLines_AreNotSipOffSipPorts) {
  const auto cfg = default_config();
  for (const char* m : {"INVITE sip:bob@x SIP/2.0\n\n",      // LF only
                        "INVITE sip:bob@x SIP/3.0\r\n\r\n",  // version
                        "INVITE bob SIP/2.0\r\n\r\n",        // no scheme
                        "SIP/2.0 20 OK\r\n\r\n",             // two-digit code
                        "INVITE sip:bob@x SIP/2.0",          // no CRLF
                        "\r\n\r\n"}) {                       // keep-alive
    SCOPED_TRACE(m);
    const Bytes b = text(m);
    EXPECT_EQ(classify(packet(40000, 40002, b), cfg), PacketClass::kOther);
    const std::string_view sv(m);
    const bool names_a_version = sv.find('\n') != std::string_view::npos && sv != "\r\n\r\n";
    EXPECT_EQ(classify(packet(40000, 5060, b), cfg),
              names_a_version ? PacketClass::kSip : PacketClass::kOther);
  }
}

TEST(Classifier, EmptyPayloadAndOtherProtocols_AreOther) {
  const auto cfg = default_config();
  const Bytes empty;
  EXPECT_EQ(classify(packet(40000, 40002, empty), cfg), PacketClass::kOther);
  ParsedPacket icmp = packet(0, 0, kInvite);
  icmp.ip_proto = 1;
  EXPECT_EQ(classify(icmp, cfg), PacketClass::kOther);
}

// ---- RTP heuristic -----------------------------------------------------------------------------

TEST(Classifier, RtpStaticAndDynamicPayloadTypes_AreRtp) {
  const auto cfg = default_config();
  for (uint8_t pt : {0, 8, 9, 18, 34, 96, 101, 127}) {
    SCOPED_TRACE(static_cast<int>(pt));
    const Bytes b = rtp({.pt = pt});
    EXPECT_EQ(classify(packet(40000, 40002, b), cfg), PacketClass::kRtp);
    const Bytes m = rtp({.pt = pt, .marker = true});
    EXPECT_EQ(classify(packet(40000, 40002, m), cfg), PacketClass::kRtp);
  }
}

TEST(Classifier, RtpWithCsrcExtensionAndPadding_IsRtp) {
  const auto cfg = default_config();
  const Bytes csrc = rtp({.pt = 0, .csrc = 3});
  const Bytes ext = rtp({.pt = 111, .extension = true});
  const Bytes pad = rtp({.pt = 0, .padding = 4});
  const Bytes all = rtp({.pt = 96, .csrc = 15, .extension = true, .padding = 3});
  for (const Bytes* b : {&csrc, &ext, &pad, &all}) {
    EXPECT_EQ(classify(packet(30000, 30002, *b), cfg), PacketClass::kRtp);
  }
}

TEST(Classifier, RtpWithBrokenCsrcOrPadding_IsNotRtp) {
  const auto cfg = default_config();
  Bytes csrc_overrun = rtp({.pt = 0, .body = 0});
  csrc_overrun[0] |= 0x0F;  // 15 CSRCs claimed, none present
  Bytes pad_too_long = rtp({.pt = 0, .padding = 2, .body = 4});
  pad_too_long.back() = 200;
  const Bytes pad_eats_payload = rtp({.pt = 0, .padding = 4, .body = 0});
  const Bytes header_only = rtp({.pt = 0, .body = 0});
  const Bytes version1 = [] {
    Bytes b = rtp({.pt = 0});
    b[0] = 0x40;
    return b;
  }();
  for (const Bytes* b : std::initializer_list<const Bytes*>{
           &csrc_overrun, &pad_too_long, &pad_eats_payload, &header_only, &version1}) {
    EXPECT_EQ(classify(packet(30000, 30002, *b), cfg), PacketClass::kOther);
  }
}

TEST(Classifier, RtpPayloadTypes72To76_AreNeverRtp) {
  const auto cfg = default_config();
  for (uint8_t pt = 72; pt <= 76; ++pt) {
    SCOPED_TRACE(static_cast<int>(pt));
    const Bytes b = rtp({.pt = pt});
    EXPECT_EQ(classify(packet(30000, 30002, b), cfg), PacketClass::kOther);
  }
}

TEST(Classifier, RtpUnassignedPayloadTypes35To95_AreNotRtp) {
  const auto cfg = default_config();
  for (uint8_t pt = 35; pt <= 95; ++pt) {
    SCOPED_TRACE(static_cast<int>(pt));
    const Bytes b = rtp({.pt = pt});
    EXPECT_EQ(classify(packet(30000, 30002, b), cfg), PacketClass::kOther);
  }
}

TEST(Classifier, RtpHeuristicOnWellKnownPorts_NeverMatches) {
  const auto cfg = default_config();
  const Bytes b = rtp({.pt = 0});
  const Bytes r = rtcp_sr_sdes();
  for (uint16_t port : {1, 53, 123, 161, 500, 1023}) {
    SCOPED_TRACE(port);
    EXPECT_EQ(classify(packet(port, 30000, b), cfg), PacketClass::kOther);
    EXPECT_EQ(classify(packet(30000, port, b), cfg), PacketClass::kOther);
    EXPECT_EQ(classify(packet(30000, port, r), cfg), PacketClass::kOther);
  }
  EXPECT_EQ(classify(packet(1024, 30000, b), cfg), PacketClass::kRtp);
}

TEST(Classifier, RtpLookalikeOnSipPorts_IsNeverMedia) {
  const auto cfg = default_config();
  const Bytes b = rtp({.pt = 0});
  const Bytes r = rtcp_sr_sdes();
  for (uint16_t port : {5060, 5061}) {
    EXPECT_EQ(classify(packet(port, 30000, b), cfg), PacketClass::kOther);
    EXPECT_EQ(classify(packet(30000, port, b), cfg), PacketClass::kOther);
    EXPECT_EQ(classify(packet(30000, port, r), cfg), PacketClass::kOther);
  }
  // A configured SIP port is a SIP port for this check too.
  config::DataplaneConfig dc;
  dc.sip_ports = {"5080"};
  const auto custom = ClassifierConfig::from(dc);
  EXPECT_EQ(classify(packet(5080, 30000, b), custom), PacketClass::kOther);
  EXPECT_EQ(classify(packet(5060, 30000, b), custom), PacketClass::kRtp);
}

TEST(Classifier, RtpOverTcp_IsOther) {
  const Bytes b = rtp({.pt = 0});
  EXPECT_EQ(classify(packet(30000, 30002, b, kIpProtoTcp), default_config()), PacketClass::kOther);
}

// ---- RTCP --------------------------------------------------------------------------------------

TEST(Classifier, RtcpCompoundSrSdes_IsRtcp) {
  const auto cfg = default_config();
  const Bytes b = rtcp_sr_sdes();
  EXPECT_EQ(classify(packet(30001, 30003, b), cfg), PacketClass::kRtcp);
  const Bytes rr = rtcp_rr_one_block();
  EXPECT_EQ(classify(packet(30001, 30003, rr), cfg), PacketClass::kRtcp);
}

TEST(Classifier, RtcpWithLengthsNotAddingUpOrBadFirstType_IsNotRtcpNorRtp) {
  const auto cfg = default_config();
  Bytes longer = rtcp_sr_sdes();
  longer[3] = 0x07;  // SR claims one word more: the SDES no longer starts where it should
  Bytes trailing = rtcp_sr_sdes();
  trailing.push_back(0);  // a stray byte after the compound
  Bytes report_count = rtcp_sr_sdes();
  report_count[0] = 0x81;  // SR says one report block; its length has none
  Bytes sdes_first = rtcp_sdes();
  const Bytes sr = rtcp_sr();
  sdes_first.insert(sdes_first.end(), sr.begin(), sr.end());
  for (const Bytes* b : std::initializer_list<const Bytes*>{&longer, &trailing, &report_count}) {
    EXPECT_EQ(classify(packet(30001, 30003, *b), cfg), PacketClass::kOther);
  }
  // Stray zero bytes after a whole compound: not by the heuristic (tshark's wants 4-byte words),
  // but RTCP on an endpoint SDP announced, as tshark shows its RTCP conversations.
  EXPECT_EQ(classify(packet(30001, 30003, trailing), cfg), PacketClass::kOther);
  EXPECT_EQ(classify_learned_media(packet(30001, 30003, trailing)), PacketClass::kRtcp);
  trailing.back() = 0x41;  // stray non-zero bytes: not RTCP
  EXPECT_EQ(classify_learned_media(packet(30001, 30003, trailing)), PacketClass::kOther);
  // Reduced-size RTCP (RFC 5506) may start with any of the types 200-207...
  EXPECT_EQ(classify(packet(30001, 30003, sdes_first), cfg), PacketClass::kRtcp);
  // ...but not with a type outside them (192-199: FIR/NACK-era and reserved).
  sdes_first[1] = 195;
  EXPECT_EQ(classify(packet(30001, 30003, sdes_first), cfg), PacketClass::kOther);
}

// ---- Configured port range and the heuristic switch --------------------------------------------

TEST(Classifier, ConfiguredRtpPortRange_ClassifiesWithTheHeuristicOff) {
  config::DataplaneConfig dc;
  dc.rtp_port_min = 10000;
  dc.rtp_port_max = 20000;
  dc.rtp_heuristic = false;
  const auto cfg = ClassifierConfig::from(dc);
  EXPECT_FALSE(cfg.rtp_heuristic);
  const Bytes b = rtp({.pt = 8});
  const Bytes r = rtcp_sr_sdes();
  EXPECT_EQ(classify(packet(10000, 40000, b), cfg), PacketClass::kRtp);
  EXPECT_EQ(classify(packet(40000, 20000, b), cfg), PacketClass::kRtp);
  EXPECT_EQ(classify(packet(15001, 40000, r), cfg), PacketClass::kRtcp);
  EXPECT_EQ(classify(packet(9999, 40000, b), cfg), PacketClass::kOther);
  EXPECT_EQ(classify(packet(40000, 20001, b), cfg), PacketClass::kOther);
  // In range the header must still be RTP.
  const Bytes junk = text("hello world, not a media packet");
  EXPECT_EQ(classify(packet(12000, 12002, junk), cfg), PacketClass::kOther);
  // SIP stays SIP inside the media range.
  EXPECT_EQ(classify(packet(12000, 12002, kInvite), cfg), PacketClass::kSip);
}

TEST(Classifier, ConfiguredRangeCoveringLowPorts_OverridesTheWellKnownPortRule) {
  config::DataplaneConfig dc;
  dc.rtp_port_min = 1000;
  dc.rtp_port_max = 1010;
  const auto cfg = ClassifierConfig::from(dc);
  const Bytes b = rtp({.pt = 0});
  EXPECT_EQ(classify(packet(1000, 1001, b), cfg), PacketClass::kRtp);
  EXPECT_EQ(classify(packet(999, 30000, b), cfg), PacketClass::kOther);
}

TEST(Classifier, HeuristicOff_RtpAndRtcpOutsideTheRangeAreOther) {
  config::DataplaneConfig dc;
  dc.rtp_heuristic = false;
  const auto cfg = ClassifierConfig::from(dc);
  const Bytes b = rtp({.pt = 0});
  const Bytes r = rtcp_sr_sdes();
  EXPECT_EQ(classify(packet(30000, 30002, b), cfg), PacketClass::kOther);
  EXPECT_EQ(classify(packet(30001, 30003, r), cfg), PacketClass::kOther);
  EXPECT_EQ(classify(packet(30000, 5060, kInvite), cfg), PacketClass::kSip);
}

TEST(Classifier, ConfigFrom_IgnoresUnparsableSipPorts) {
  config::DataplaneConfig dc;
  dc.sip_ports = {"5060", "junk", "70000", "5070"};
  const auto cfg = ClassifierConfig::from(dc);
  EXPECT_TRUE(cfg.sip_ports.test(5060));
  EXPECT_TRUE(cfg.sip_ports.test(5070));
  EXPECT_EQ(cfg.sip_ports.count(), 2u);
}

// ---- The sample capture -----------------------------------------------------------------------

TEST(Classifier, SampleCapture_CountsPerClassMatchTheReference) {
  // 14 SIP, 2884 RTP and 24 RTCP frames (tshark -d udp.port==...,rtp on the capture; the same
  // figures rvoipd_replay_test checks end to end); frames that do not parse count as other.
  const auto file = test::read_pcap(test::shared_pcap("heplify_rtp_rtcp_sip_ipv4_udp.pcap"));
  ASSERT_EQ(file.frames.size(), 4269u);
  const auto cfg = default_config();
  std::array<std::size_t, kPacketClassCount> counts{};
  for (const auto& f : file.frames) {
    ParsedPacket p;
    const auto st = dataplane::parse_frame(f.bytes, file.link, p);
    const PacketClass c =
        st == dataplane::ParseStatus::kOk ? classify(p, cfg) : PacketClass::kOther;
    ++counts[static_cast<std::size_t>(c)];
  }
  EXPECT_EQ(counts[static_cast<std::size_t>(PacketClass::kSip)], 14u);
  EXPECT_EQ(counts[static_cast<std::size_t>(PacketClass::kRtp)], 2884u);
  EXPECT_EQ(counts[static_cast<std::size_t>(PacketClass::kRtcp)], 24u);
  EXPECT_EQ(counts[static_cast<std::size_t>(PacketClass::kOther)], 4269u - 14u - 2884u - 24u);
}

TEST(Classifier, ClassNames_AreStable) {
  EXPECT_EQ(to_string(PacketClass::kSip), "sip");
  EXPECT_EQ(to_string(PacketClass::kRtp), "rtp");
  EXPECT_EQ(to_string(PacketClass::kRtcp), "rtcp");
  EXPECT_EQ(to_string(PacketClass::kOther), "other");
  EXPECT_EQ(to_string(PacketClass::kCount), "unknown");
}

}  // namespace
}  // namespace rv::planes::transport

namespace rv::planes::transport {
namespace {

// An endpoint learned from SDP makes UDP on any port (even below 1024 or with the heuristic off)
// a candidate for the strict RTP/RTCP header check; everything else follows the heuristic rules.
TEST(ClassifierLearned, LearnedEndpoint_ClassifiesRtpWithoutTheHeuristic) {
  std::vector<uint8_t> rtp(172, 0);
  rtp[0] = 0x80;  // V=2
  rtp[1] = 8;     // PCMA
  dataplane::ParsedPacket p;
  p.l3 = dataplane::L3Proto::kIpv4;
  p.ip_proto = dataplane::kIpProtoUdp;
  p.src_port = 700;  // below 1024: the heuristic never looks here
  p.dst_port = 40000;
  p.payload = rtp.data();
  p.payload_len = static_cast<uint32_t>(rtp.size());
  ClassifierConfig cfg;
  cfg.rtp_heuristic = false;
  auto learned = [](const dataplane::ParsedPacket&) noexcept { return true; };
  auto unknown = [](const dataplane::ParsedPacket&) noexcept { return false; };
  EXPECT_EQ(classify(p, cfg, learned), PacketClass::kRtp);
  EXPECT_EQ(classify(p, cfg, unknown), PacketClass::kOther);
  rtp[0] = 0x40;  // version 1: not RTP even on a learned endpoint
  EXPECT_EQ(classify(p, cfg, learned), PacketClass::kOther);
}

// Issue 14 item 5: malformed RTP on an SDP-announced endpoint was "other" with no reason. It is
// RTP now, so the media plane counts it by reason.
// Other protocols that share media ports by RFC 7983 (STUN, ZRTP, DTLS, TURN) stay other.
TEST(ClassifierLearned, MalformedMediaOnALearnedEndpoint_GoesToTheMediaPlaneWithItsReason) {
  ClassifierConfig cfg;
  cfg.rtp_heuristic = false;
  auto learned = [](const dataplane::ParsedPacket&) noexcept { return true; };
  auto unknown = [](const dataplane::ParsedPacket&) noexcept { return false; };
  media::MediaPlane plane(media::MediaPlaneConfig{});
  const auto classes_as = [&](const std::vector<uint8_t>& payload) {
    dataplane::ParsedPacket p;
    p.l3 = dataplane::L3Proto::kIpv4;
    p.ip_proto = dataplane::kIpProtoUdp;
    p.src_port = 40000;
    p.dst_port = 40002;
    p.payload = payload.data();
    p.payload_len = static_cast<uint32_t>(payload.size());
    EXPECT_EQ(classify(p, cfg, unknown), PacketClass::kOther);
    return classify(p, cfg, learned);
  };
  const dataplane::FlowKey flow{};
  const auto check = [&](const std::vector<uint8_t>& payload, PacketClass want,
                         media::RtpParseStatus rtp_reason) {
    ASSERT_EQ(classes_as(payload), want) << int(payload[0]) << " " << int(payload[1]);
    if (want == PacketClass::kRtp) {
      EXPECT_EQ(plane.on_rtp(payload, flow, 0), rtp_reason);
    }
  };
  using media::RtpParseStatus;
  std::vector<uint8_t> csrc_overrun(20, 0);
  csrc_overrun[0] = 0x8F;  // V=2, 15 CSRCs in 20 bytes
  check(csrc_overrun, PacketClass::kRtp, RtpParseStatus::kCsrcOverrun);
  std::vector<uint8_t> bad_padding(40, 0);
  bad_padding[0] = 0xA0;  // V=2, P=1, pad count 0
  check(bad_padding, PacketClass::kRtp, RtpParseStatus::kBadPadding);
  check({0x80, 0x08, 0x00, 0x01}, PacketClass::kRtp, RtpParseStatus::kTooShort);
  std::vector<uint8_t> version3(40, 0);
  version3[0] = 0xC0;
  check(version3, PacketClass::kRtp, RtpParseStatus::kBadVersion);
  // RTCP RR whose length runs past the datagram: RTCP that fails the strict check stays other.
  check({0x81, 201, 0x00, 0x20, 0, 0, 0, 1}, PacketClass::kOther, RtpParseStatus::kOk);
  // Valid RTP with an unassigned payload type or no payload: media on this endpoint.
  std::vector<uint8_t> pt50(172, 0);
  pt50[0] = 0x80;
  pt50[1] = 50;
  check(pt50, PacketClass::kRtp, RtpParseStatus::kOk);
  EXPECT_EQ(plane.counters().rtp_invalid[std::size_t(RtpParseStatus::kCsrcOverrun)].load(), 1u);
  EXPECT_EQ(plane.counters().rtp_invalid[std::size_t(RtpParseStatus::kBadPadding)].load(), 1u);
  EXPECT_EQ(plane.counters().rtp_invalid[std::size_t(RtpParseStatus::kTooShort)].load(), 1u);
  EXPECT_EQ(plane.counters().rtp_invalid[std::size_t(RtpParseStatus::kBadVersion)].load(), 1u);
  // STUN binding request, ZRTP, DTLS handshake, TURN channel: not media.
  for (const uint8_t b0 : {0x00, 0x01, 0x10, 0x16, 0x17, 0x40, 0x4F}) {
    check({b0, 0x01, 0x00, 0x08, 0x21, 0x12, 0xA4, 0x42}, PacketClass::kOther,
          RtpParseStatus::kOk);
  }
}

// RFC 4475 messages that break the start-line grammar: on a SIP port they are SIP (the signaling
// plane counts the reason), elsewhere they stay other; keep-alives and binary junk stay other.
TEST(Classifier, BrokenSipStartLineOnSipPort_IsSipElsewhereOther) {
  const auto cfg = default_config();
  for (const char* name : {"ltgtruri.dat", "lwsstart.dat", "badvers.dat", "bigcode.dat"}) {
    SCOPED_TRACE(name);
    const auto bytes = file_bytes(test::test_data(std::string("rfc4475/") + name));
    EXPECT_FALSE(signaling::looks_like_sip_start_line(bytes));
    EXPECT_EQ(classify(packet(5060, 5060, bytes), cfg), PacketClass::kSip);
    EXPECT_EQ(classify(packet(40000, 5061, bytes), cfg), PacketClass::kSip);
    EXPECT_EQ(classify(packet(40000, 40002, bytes), cfg), PacketClass::kOther);
  }
  for (std::string_view junk : {"\r\n\r\n", "SIP/2.0", "hello SIP world\r\n", "HTTP/1.1 200 OK\r\n\r\n",
                                "SIP/x.0 200 OK\r\n", "GET / HTTP/1.1\r\n\r\n"}) {
    SCOPED_TRACE(junk);
    EXPECT_EQ(classify(packet(5060, 5060, text(junk)), cfg), PacketClass::kOther);
  }
  EXPECT_EQ(classify(packet(5060, 5060, text("SIP/7.0 200 OK\r\nCall-ID: a\r\n\r\n")), cfg),
            PacketClass::kSip);
  EXPECT_EQ(classify(packet(5060, 5060, text("OPTIONS sip:a@b  SIP/2.0\r\n\r\n")), cfg),
            PacketClass::kSip);
}

}  // namespace
}  // namespace rv::planes::transport
