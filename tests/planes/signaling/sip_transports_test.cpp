// SIP over SCTP (RFC 4168) and over WebSocket (RFC 7118) through the signaling plane: bundled and
// fragmented SCTP user messages, WebSocket upgrades, masked/unmasked and fragmented frames, and
// every bad input counted by reason without a crash or a loop.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dataplane/sctp_chunks.hpp"
#include "planes/signaling/signaling_plane.hpp"
#include "tests/planes/signaling/sip_messages.hpp"
#include "tests/support/frame_bytes.hpp"

namespace rv::planes::signaling {
namespace {

using test::Bytes;
using test::cat;

Bytes data_chunk(const std::string& text, uint8_t flags = 3, uint32_t tsn = 1, uint16_t stream = 0) {
  return test::sctp_data_chunk(text, flags, tsn, stream);
}

using test_support::bytes;
using test_support::Msg;

dataplane::FlowKey flow(uint8_t proto, uint16_t src_port = 5060, uint16_t dst_port = 5060) {
  const uint8_t a[4] = {10, 0, 0, 1};
  const uint8_t b[4] = {10, 0, 1, 1};
  return {{dataplane::IpAddress::v4(a), src_port}, {dataplane::IpAddress::v4(b), dst_port}, proto};
}

SignalingPlaneConfig config(uint32_t buffer = 4096, uint32_t sctp_messages = 8) {
  SignalingPlaneConfig c;
  c.max_calls = 64;
  c.max_tcp_streams = 16;
  c.tcp_buffer_bytes = buffer;
  c.max_sctp_messages = sctp_messages;
  c.retransmission_slots = 256;
  return c;
}

// ------------------------------------------------------------------------------------ SCTP

std::string invite(const std::string& call = "sctp-1@test") {
  Msg m;
  m.call_id = call;
  m.body = test_support::sdp("192.0.2.1", 4000);
  return m.request("INVITE");
}

uint64_t drops(const SignalingPlane& p, SctpDropReason r) {
  return p.counters().sctp_dropped[static_cast<std::size_t>(r)].load();
}

TEST(SipOverSctp, ThreeBundledDataChunks_AreThreeMessages) {
  SignalingPlane plane(config());
  Msg m;
  const Bytes pkt = cat({data_chunk(m.request("OPTIONS"), 3, 1), data_chunk(m.response(200, "OK", "OPTIONS"), 3, 2),
                         data_chunk(invite(), 3, 3)});
  EXPECT_EQ(plane.on_payload(pkt, flow(dataplane::kIpProtoSctp), false, 0, 0, 0), 3u);
  EXPECT_EQ(plane.counters().messages.load(), 3u);
  EXPECT_EQ(plane.counters().sctp_data_chunks.load(), 3u);
}

TEST(SipOverSctp, FragmentedMessage_DeliveredOnceWhenTheLastFragmentArrives) {
  SignalingPlane plane(config());
  const std::string inv = invite();
  const std::size_t third = inv.size() / 3;
  const auto f = flow(dataplane::kIpProtoSctp);
  EXPECT_EQ(plane.on_payload(data_chunk(inv.substr(0, third), 2, 100), f, false, 0, 0, 0), 0u);
  EXPECT_EQ(plane.on_payload(data_chunk(inv.substr(third, third), 0, 101), f, false, 0, 0, 0), 0u);
  EXPECT_EQ(plane.on_payload(data_chunk(inv.substr(2 * third), 1, 102), f, false, 0, 0, 0), 1u);
  EXPECT_EQ(plane.counters().messages.load(), 1u);
  EXPECT_EQ(plane.counters().sctp_reassembled.load(), 1u);
  EXPECT_EQ(plane.counters().request_count(SipMethod::kInvite), 1u);
}

TEST(SipOverSctp, FragmentsOfTwoStreamsInterleaved_BothComplete) {
  SignalingPlane plane(config());
  const std::string a = invite("a@test"), b = invite("b@test");
  const auto f = flow(dataplane::kIpProtoSctp);
  plane.on_payload(cat({data_chunk(a.substr(0, 50), 2, 1, 0), data_chunk(b.substr(0, 60), 2, 10, 1)}), f,
                   false, 0, 0, 0);
  const uint32_t n = plane.on_payload(
      cat({data_chunk(a.substr(50), 1, 2, 0), data_chunk(b.substr(60), 1, 11, 1)}), f, false, 0, 0, 0);
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(plane.counters().messages.load(), 2u);
}

TEST(SipOverSctp, MissingFirstFragmentOrTsnGap_CountedNotDelivered) {
  SignalingPlane plane(config());
  const std::string inv = invite();
  const auto f = flow(dataplane::kIpProtoSctp);
  EXPECT_EQ(plane.on_payload(data_chunk(inv.substr(100), 1, 7), f, false, 0, 0, 0), 0u);
  EXPECT_EQ(drops(plane, SctpDropReason::kNoFirstFragment), 1u);
  plane.on_payload(data_chunk(inv.substr(0, 100), 2, 20), f, false, 0, 0, 0);
  EXPECT_EQ(plane.on_payload(data_chunk(inv.substr(100), 1, 22), f, false, 0, 0, 0), 0u);  // 21 lost
  EXPECT_EQ(drops(plane, SctpDropReason::kTsnGap), 1u);
  EXPECT_EQ(plane.counters().messages.load(), 0u);
}

TEST(SipOverSctp, RetransmittedFragment_IsIgnored) {
  SignalingPlane plane(config());
  const std::string inv = invite();
  const auto f = flow(dataplane::kIpProtoSctp);
  plane.on_payload(data_chunk(inv.substr(0, 100), 2, 30), f, false, 0, 0, 0);
  plane.on_payload(data_chunk(inv.substr(0, 100), 2, 30), f, false, 0, 0, 0);
  plane.on_payload(data_chunk(inv.substr(100, 100), 0, 31), f, false, 0, 0, 0);
  plane.on_payload(data_chunk(inv.substr(100, 100), 0, 31), f, false, 0, 0, 0);
  EXPECT_EQ(plane.on_payload(data_chunk(inv.substr(200), 1, 32), f, false, 0, 0, 0), 1u);
  EXPECT_EQ(drops(plane, SctpDropReason::kDuplicate), 2u);
}

TEST(SipOverSctp, MessageLargerThanTheBuffer_CountedTooLarge) {
  SignalingPlane plane(config(256));
  const std::string big(200, 'x');
  const auto f = flow(dataplane::kIpProtoSctp);
  plane.on_payload(data_chunk(big, 2, 1), f, false, 0, 0, 0);
  plane.on_payload(data_chunk(big, 0, 2), f, false, 0, 0, 0);
  EXPECT_EQ(drops(plane, SctpDropReason::kTooLarge), 1u);
  EXPECT_EQ(plane.on_payload(data_chunk(big, 1, 3), f, false, 0, 0, 0), 0u);
  EXPECT_EQ(drops(plane, SctpDropReason::kNoFirstFragment), 1u);
}

TEST(SipOverSctp, TableFull_NewFragmentedMessagesCountedUntilSlotsFree) {
  SignalingPlane plane(config(4096, 8));
  for (uint16_t s = 0; s < 64; ++s) {
    plane.on_payload(data_chunk("INVITE sip:x", 2, s * 10u, s), flow(dataplane::kIpProtoSctp), false, 0, 0, 0);
  }
  EXPECT_GT(drops(plane, SctpDropReason::kTableFull), 0u);
  // Unfinished messages time out and free their slots.
  EXPECT_EQ(plane.expire(3'600'000'000'000ull) >= 8u, true);
  EXPECT_GE(drops(plane, SctpDropReason::kTimedOut), 1u);
}

TEST(SipOverSctp, BadChunkLengths_StopTheWalkWithoutDelivery) {
  SignalingPlane plane(config());
  Bytes bad = data_chunk(invite(), 3, 1);
  bad[2] = 0xFF;  // past the end
  EXPECT_EQ(plane.on_payload(bad, flow(dataplane::kIpProtoSctp), false, 0, 0, 0), 0u);
  bad[2] = 0;
  bad[3] = 0;  // zero length: would loop if not rejected
  EXPECT_EQ(plane.on_payload(bad, flow(dataplane::kIpProtoSctp), false, 0, 0, 0), 0u);
}

// ------------------------------------------------------------------------------- WebSocket
const std::string kUpgrade =
    "GET /sip HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: sip\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";
const std::string k101 =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Protocol: sip\r\n\r\n";

std::string ws_frame(const std::string& payload, uint8_t opcode = 1, bool fin = true,
                     bool mask = false) {
  std::string f;
  f.push_back(static_cast<char>((fin ? 0x80 : 0) | opcode));
  const uint8_t m = mask ? 0x80 : 0;
  if (payload.size() < 126) {
    f.push_back(static_cast<char>(m | payload.size()));
  } else {
    f.push_back(static_cast<char>(m | 126));
    f.push_back(static_cast<char>(payload.size() >> 8));
    f.push_back(static_cast<char>(payload.size() & 0xFF));
  }
  if (!mask) return f + payload;
  const char key[4] = {0x11, 0x22, 0x33, 0x44};
  f.append(key, 4);
  for (std::size_t i = 0; i < payload.size(); ++i) f.push_back(static_cast<char>(payload[i] ^ key[i & 3]));
  return f;
}

class WsStream {
 public:
  WsStream(SignalingPlane& p, dataplane::FlowKey k) : plane_(p), key_(k) {}
  uint32_t send(const std::string& data) {
    const uint32_t n = plane_.on_payload(bytes(data), key_, true, seq_, 0x18, 0);
    seq_ += static_cast<uint32_t>(data.size());
    return n;
  }
  uint32_t fin() { return plane_.on_payload({}, key_, true, seq_, dataplane::kTcpFin, 0); }

 private:
  SignalingPlane& plane_;
  dataplane::FlowKey key_;
  uint32_t seq_ = 1000;
};

uint64_t ws_errors(const SignalingPlane& p, WsError e) {
  return p.counters().ws_errors[static_cast<std::size_t>(e)].load();
}

TEST(SipOverWebSocket, MaskedClientAndUnmaskedServerFrames_AreMessages) {
  SignalingPlane plane(config());
  WsStream client(plane, flow(dataplane::kIpProtoTcp, 41000, 80));
  WsStream server(plane, flow(dataplane::kIpProtoTcp, 80, 41000));
  EXPECT_EQ(client.send(kUpgrade), 0u);
  EXPECT_EQ(server.send(k101), 0u);
  Msg m;
  m.body = test_support::sdp("192.0.2.1", 4000);
  EXPECT_EQ(client.send(ws_frame(m.request("INVITE"), 1, true, true)), 1u);
  EXPECT_EQ(server.send(ws_frame(m.response(100, "Trying"), 2)), 1u);  // binary
  EXPECT_EQ(plane.counters().ws_upgrades.load(), 2u);
  EXPECT_EQ(plane.counters().ws_messages.load(), 2u);
  EXPECT_EQ(plane.counters().messages.load(), 2u);
  EXPECT_EQ(ws_errors(plane, WsError::kUnmaskedClientFrame), 0u);
}

TEST(SipOverWebSocket, FragmentedMessageWithPingBetween_IsOneMessage) {
  SignalingPlane plane(config());
  WsStream server(plane, flow(dataplane::kIpProtoTcp, 80, 41000));
  server.send(k101);
  Msg m;
  m.body = test_support::sdp("192.0.2.2", 5000);
  const std::string ok = m.response(200, "OK");
  // Split inside a segment and across segments.
  const std::string wire = ws_frame(ok.substr(0, 40), 1, false) + ws_frame("ping", 9) +
                           ws_frame(ok.substr(40, 100), 0, false) + ws_frame(ok.substr(140), 0, true);
  uint32_t n = 0;
  for (std::size_t i = 0; i < wire.size(); i += 7) n += server.send(wire.substr(i, 7));
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(plane.counters().ws_frames.load(), 4u);
  EXPECT_EQ(plane.counters().response_count(200), 1u);
}

TEST(SipOverWebSocket, WithoutContentLength_IsStillOneMessage) {
  SignalingPlane plane(config());
  WsStream server(plane, flow(dataplane::kIpProtoTcp, 80, 41000));
  server.send(k101);
  const std::string options =
      "OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK1\r\n"
      "From: <sip:a@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: ws-no-cl\r\n"
      "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n\r\n";
  EXPECT_EQ(server.send(ws_frame(options)), 1u);
  EXPECT_EQ(plane.counters().messages.load(), 1u);
}

TEST(SipOverWebSocket, UnmaskedClientFrame_DecodedAndCounted) {
  SignalingPlane plane(config());
  WsStream client(plane, flow(dataplane::kIpProtoTcp, 41000, 80));
  client.send(kUpgrade);
  Msg m;
  EXPECT_EQ(client.send(ws_frame(m.request("OPTIONS"))), 1u);
  EXPECT_EQ(ws_errors(plane, WsError::kUnmaskedClientFrame), 1u);
  WsStream server(plane, flow(dataplane::kIpProtoTcp, 80, 41000));
  server.send(k101);
  EXPECT_EQ(server.send(ws_frame(m.response(200, "OK", "OPTIONS"), 1, true, true)), 1u);
  EXPECT_EQ(ws_errors(plane, WsError::kMaskedServerFrame), 1u);
}

TEST(SipOverWebSocket, LengthPastTheEnd_CountedTruncatedWhenTheConnectionEnds) {
  SignalingPlane plane(config());
  WsStream server(plane, flow(dataplane::kIpProtoTcp, 80, 41000));
  server.send(k101);
  std::string f = ws_frame(std::string(60, 'x'));
  f[1] = 125;  // claims 125 bytes, 60 follow
  EXPECT_EQ(server.send(f), 0u);
  server.fin();
  EXPECT_EQ(ws_errors(plane, WsError::kTruncatedFrame), 1u);
  EXPECT_EQ(plane.counters().messages.load(), 0u);
}

TEST(SipOverWebSocket, FrameLargerThanTheBuffer_SkippedAndTheNextOneRead) {
  SignalingPlane plane(config(1024));
  WsStream server(plane, flow(dataplane::kIpProtoTcp, 80, 41000));
  server.send(k101);
  Msg m;
  const std::string big = ws_frame(std::string(3000, 'y'), 2);
  const std::string wire = big + ws_frame(m.response(200, "OK", "OPTIONS"));
  uint32_t n = 0;
  for (std::size_t i = 0; i < wire.size(); i += 500) n += server.send(wire.substr(i, 500));
  EXPECT_EQ(ws_errors(plane, WsError::kFrameTooLarge), 1u);
  EXPECT_EQ(n, 1u);
}

TEST(SipOverWebSocket, BadFrames_CountedByReason) {
  SignalingPlane plane(config());
  WsStream server(plane, flow(dataplane::kIpProtoTcp, 80, 41000));
  server.send(k101);
  Msg m;
  server.send(ws_frame("orphan", 0));                             // continuation, no start
  server.send(ws_frame(std::string(10, 'z'), 1, false));          // a message begun...
  EXPECT_EQ(server.send(ws_frame(m.response(180, "Ringing"))), 1u);  // ...interrupted
  std::string compressed = ws_frame("deflated");
  compressed[0] = static_cast<char>(compressed[0] | 0x40);
  server.send(compressed);
  server.send(ws_frame(std::string(130, 'p'), 9));  // a ping longer than 125
  EXPECT_EQ(ws_errors(plane, WsError::kContinuationWithoutStart), 1u);
  EXPECT_EQ(ws_errors(plane, WsError::kInterruptedMessage), 1u);
  EXPECT_EQ(ws_errors(plane, WsError::kCompressedFrame), 1u);
  EXPECT_EQ(ws_errors(plane, WsError::kBadControlFrame), 1u);
  // A reserved opcode loses the frame boundaries: the rest of the direction is skipped.
  EXPECT_EQ(server.send(ws_frame("?", 3) + ws_frame(m.response(200, "OK"))), 0u);
  EXPECT_EQ(ws_errors(plane, WsError::kBadOpcode), 1u);
  EXPECT_EQ(server.send(ws_frame(m.response(200, "OK"))), 0u);
  EXPECT_EQ(plane.counters().messages.load(), 1u);
}

// Found by fuzz/websocket_fuzzer.cpp (regressions/websocket/interrupted_message_unmasked_twice):
// the interrupting frame was unmasked before the interruption was noticed, then again when it
// was read at its new offset, and went to the SIP parser still masked.
TEST(SipOverWebSocket, MaskedFrameInterruptingAMessage_IsUnmaskedOnce) {
  SignalingPlane plane(config());
  WsStream client(plane, flow(dataplane::kIpProtoTcp, 41000, 80));
  client.send(kUpgrade);
  Msg m;
  client.send(ws_frame(std::string(10, 'z'), 1, false, true));  // a message begun...
  EXPECT_EQ(client.send(ws_frame(m.request("OPTIONS"), 1, true, true)), 1u);  // ...interrupted
  EXPECT_EQ(ws_errors(plane, WsError::kInterruptedMessage), 1u);
  EXPECT_EQ(plane.counters().ws_frames.load(), 2u);  // the interrupting frame counted once
  EXPECT_EQ(plane.counters().messages.load(), 1u);
}

TEST(SipOverWebSocket, SixtyFourBitLengthWithTopBit_IsBadLength) {
  SignalingPlane plane(config());
  WsStream server(plane, flow(dataplane::kIpProtoTcp, 80, 41000));
  server.send(k101);
  std::string f = {static_cast<char>(0x81), 127};
  f += std::string("\x80\0\0\0\0\0\0\x05", 8) + "hello";
  EXPECT_EQ(server.send(f), 0u);
  EXPECT_EQ(ws_errors(plane, WsError::kBadLength), 1u);
}

TEST(SipOverWebSocket, EveryPrefixOfAFrameStream_NeverDeliversMoreThanItHolds) {
  Msg m;
  const std::string wire = ws_frame(m.request("OPTIONS"), 1, true, true) +
                           ws_frame(m.request("INFO"), 1, false, true) + ws_frame("", 0, true, true);
  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    SignalingPlane plane(config());
    WsStream client(plane, flow(dataplane::kIpProtoTcp, 41000, 80));
    client.send(kUpgrade);
    client.send(wire.substr(0, cut));
    client.fin();
    EXPECT_LE(plane.counters().ws_messages.load(), 2u);
  }
}

}  // namespace
}  // namespace rv::planes::signaling
