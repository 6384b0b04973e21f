#include "planes/routing/session_key.hpp"
#include "planes/signaling/sip_parser.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <string>

#include "events/event_traits.hpp"
#include "planes/signaling/call_record.hpp"

namespace rv::planes::routing {
namespace {

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

dataplane::ParsedPacket udp(const char* src, uint16_t sport, const char* dst, uint16_t dport,
                            const std::string& payload) {
  dataplane::ParsedPacket p;
  p.l3 = dataplane::L3Proto::kIpv4;
  p.ip_proto = dataplane::kIpProtoUdp;
  uint8_t a[4];
  std::sscanf(src, "%hhu.%hhu.%hhu.%hhu", &a[0], &a[1], &a[2], &a[3]);
  p.src = dataplane::IpAddress::v4(a);
  std::sscanf(dst, "%hhu.%hhu.%hhu.%hhu", &a[0], &a[1], &a[2], &a[3]);
  p.dst = dataplane::IpAddress::v4(a);
  p.src_port = sport;
  p.dst_port = dport;
  p.payload = reinterpret_cast<const uint8_t*>(payload.data());
  p.payload_len = static_cast<uint32_t>(payload.size());
  return p;
}

TEST(SessionKey, CallId_FullAndCompactForm_GiveTheSignalingHash) {
  const std::string full = "INVITE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nCall-ID:  abc@host \r\n\r\n";
  const std::string compact = "SIP/2.0 200 OK\r\nv: SIP/2.0/UDP h\r\ni:abc@host\r\n\r\n";
  EXPECT_EQ(sip_call_id_key(bytes(full)), signaling::hash_call_id("abc@host"));
  EXPECT_EQ(sip_call_id_key(bytes(compact)), signaling::hash_call_id("abc@host"));
}

// Steering and the parser read headers with the same reader: a folded Call-ID (value on a
// continuation line) steers by the value the signaling plane will track.
TEST(SessionKey, FoldedCallId_SteersByTheValueTheParserReads) {
  const std::string msg =
      "OPTIONS sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\n"
      "To: <sip:b@x>\r\nCall-ID:\r\n  folded@host\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  signaling::SipMessage m;
  const auto* data = reinterpret_cast<const uint8_t*>(msg.data());
  ASSERT_EQ(signaling::parse_sip_message({data, msg.size()}, signaling::SipTransport::kUdp, m),
            signaling::SipParseStatus::kOk);
  EXPECT_EQ(m.call_id, "folded@host");
  EXPECT_EQ(sip_call_id_key(bytes(msg)), signaling::hash_call_id(m.call_id));
}

TEST(SessionKey, CallIdInBodyOnly_IsNotTaken) {
  const std::string msg = "MESSAGE sip:b@x SIP/2.0\r\nVia: x\r\n\r\nCall-ID: body\r\n";
  EXPECT_EQ(sip_call_id_key(bytes(msg)), 0u);
}

TEST(SessionKey, SipMessagesOfOneCall_FromDifferentHosts_MeetOnOneShard) {
  const std::string invite = "INVITE sip:b@x SIP/2.0\r\nCall-ID: call-1\r\n\r\n";
  const std::string ok = "SIP/2.0 200 OK\r\nCall-ID: call-1\r\n\r\n";
  const auto a = udp("10.0.0.1", 5060, "10.0.0.2", 5060, invite);
  const auto b = udp("10.0.0.9", 5080, "10.0.0.1", 5060, ok);
  const auto ka = session_key(transport::PacketClass::kSip, a);
  EXPECT_EQ(ka, session_key(transport::PacketClass::kSip, b));
  for (uint32_t shards = 1; shards <= 8; ++shards) {
    EXPECT_EQ(events::shard_of(ka, shards), events::shard_of(session_key(transport::PacketClass::kSip, b), shards));
  }
}

TEST(SessionKey, RtpBothWaysAndItsRtcp_ShareOneKey) {
  const auto fwd = udp("10.0.0.1", 40000, "10.0.0.2", 30000, "x");
  const auto rev = udp("10.0.0.2", 30000, "10.0.0.1", 40000, "x");
  const auto rtcp = udp("10.0.0.2", 30001, "10.0.0.1", 40001, "x");
  const auto k = session_key(transport::PacketClass::kRtp, fwd);
  EXPECT_EQ(k, session_key(transport::PacketClass::kRtp, rev));
  EXPECT_EQ(k, session_key(transport::PacketClass::kRtcp, rtcp));
  const auto other = udp("10.0.0.1", 40002, "10.0.0.2", 30000, "x");
  EXPECT_NE(k, session_key(transport::PacketClass::kRtp, other));
}

TEST(SessionKey, ManyConversations_SpreadOverShards) {
  std::array<int, 4> per_shard{};
  for (uint16_t port = 10000; port < 12000; port += 2) {
    const auto p = udp("10.0.0.1", port, "10.0.0.2", 20000, "x");
    ++per_shard[events::shard_of(session_key(transport::PacketClass::kRtp, p), 4)];
  }
  for (int n : per_shard) EXPECT_GT(n, 150);  // 1000 conversations, ~250 each
}

}  // namespace
}  // namespace rv::planes::routing
