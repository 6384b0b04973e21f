// SIP over TCP: split messages, several per segment, out-of-order, retransmitted segments,
// gaps, mid-stream joins, oversized messages, and the bound on streams (half-open flood).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "planes/signaling/signaling_plane.hpp"
#include "tests/planes/signaling/sip_messages.hpp"

namespace rv::planes::signaling {
namespace {

using test_support::bytes;
using test_support::Msg;

constexpr uint64_t kMs = 1'000'000ull;

dataplane::FlowKey flow(uint16_t src_port, uint8_t host = 1) {
  const uint8_t a[4] = {10, 0, 0, host};
  const uint8_t b[4] = {10, 0, 1, 1};
  return {{dataplane::IpAddress::v4(a), src_port}, {dataplane::IpAddress::v4(b), 5060},
          dataplane::kIpProtoTcp};
}

SignalingPlaneConfig config(uint32_t streams = 16, uint32_t buffer = 4096) {
  SignalingPlaneConfig c;
  c.max_calls = 64;
  c.max_tcp_streams = streams;
  c.tcp_buffer_bytes = buffer;
  c.retransmission_slots = 256;
  return c;
}

class TcpStream {
 public:
  TcpStream(SignalingPlane& p, dataplane::FlowKey k, uint32_t isn = 1000) : plane_(p), key_(k), isn_(isn) {}
  uint32_t syn(uint64_t ts = 0) { return plane_.on_payload({}, key_, true, isn_, dataplane::kTcpSyn, ts); }
  // Sends data[offset, offset+len) as one segment.
  uint32_t send(const std::string& data, std::size_t offset, std::size_t len, uint64_t ts = 0) {
    return plane_.on_payload(bytes(data).subspan(offset, len), key_, true,
                             isn_ + 1 + uint32_t(offset), 0x18, ts);
  }

 private:
  SignalingPlane& plane_;
  dataplane::FlowKey key_;
  uint32_t isn_;
};

std::string two_messages() {
  Msg m;
  m.body = test_support::sdp("192.0.2.1", 4000);
  const std::string invite = m.request("INVITE");
  Msg o;
  o.call_id = "options-1";
  return invite + o.request("OPTIONS");
}

TEST(TcpReassembly, MessageSplitAcrossSegments_IsDeliveredOnceComplete) {
  SignalingPlane plane(config());
  TcpStream s(plane, flow(40000));
  s.syn();
  const std::string data = two_messages();
  const std::size_t first = data.find("OPTIONS sip:");
  EXPECT_EQ(s.send(data, 0, 100), 0u);
  EXPECT_EQ(s.send(data, 100, first - 150), 0u);
  EXPECT_EQ(s.send(data, first - 50, 50), 1u);  // completes the INVITE (body included)
  EXPECT_EQ(s.send(data, first, data.size() - first), 1u);
  EXPECT_EQ(plane.counters().request_count(SipMethod::kInvite), 1u);
  EXPECT_EQ(plane.counters().request_count(SipMethod::kOptions), 1u);
  EXPECT_EQ(plane.counters().media_endpoints.load(), 1u);
}

TEST(TcpReassembly, SeveralMessagesInOneSegment_AreAllDelivered) {
  SignalingPlane plane(config());
  TcpStream s(plane, flow(40001));
  s.syn();
  const std::string data = "\r\n\r\n" + two_messages() + two_messages().substr(0, 40);
  EXPECT_EQ(s.send(data, 0, data.size()), 2u);
  EXPECT_EQ(plane.counters().messages.load(), 2u);
  EXPECT_EQ(plane.counters().tcp_resync_skipped_bytes.load(), 0u);
}

TEST(TcpReassembly, OutOfOrderSegments_AreHeldAndReordered) {
  SignalingPlane plane(config());
  TcpStream s(plane, flow(40002));
  s.syn();
  const std::string data = two_messages();
  const std::size_t third = data.size() / 3;
  EXPECT_EQ(s.send(data, 2 * third, data.size() - 2 * third), 0u);  // last third first
  EXPECT_EQ(s.send(data, third, third), 0u);                         // then the middle
  EXPECT_EQ(s.send(data, 0, third), 2u);                             // the hole fills
  EXPECT_EQ(plane.counters().tcp_out_of_order_segments.load(), 2u);
  EXPECT_EQ(plane.counters().messages.load(), 2u);
  EXPECT_EQ(plane.counters().tcp_gaps.load(), 0u);
}

TEST(TcpReassembly, RetransmittedSegments_AreDroppedAndCounted) {
  SignalingPlane plane(config());
  TcpStream s(plane, flow(40003));
  s.syn();
  const std::string data = two_messages();
  const std::size_t half = data.size() / 2;
  s.send(data, 0, half);
  s.send(data, 0, half);               // exact retransmission
  s.send(data, half - 20, data.size() - half + 20);  // overlaps the end of the first half
  s.send(data, 0, data.size());        // everything again
  EXPECT_EQ(plane.counters().messages.load(), 2u);
  EXPECT_EQ(plane.counters().tcp_retransmitted_segments.load(), 3u);
  EXPECT_EQ(plane.counters().retransmissions.load(), 0u);
}

TEST(TcpReassembly, LostSegment_IsAGapAndTheStreamResyncs) {
  SignalingPlane plane(config());
  TcpStream s(plane, flow(40004));
  s.syn();
  const std::string first = two_messages();
  Msg bye;
  bye.call_id = "after-gap";
  const std::string data = first + bye.request("BYE");
  // Segment [100, 300) is never seen; the rest arrives.
  s.send(data, 0, 100, 0);
  s.send(data, 300, first.size() - 300, 1 * kMs);
  EXPECT_EQ(plane.counters().messages.load(), 0u);
  // Past the gap timeout, the next segment gives the hole up and parsing restarts at a start line.
  s.send(data, first.size(), data.size() - first.size(), 3000 * kMs);
  EXPECT_EQ(plane.counters().tcp_gaps.load(), 1u);
  EXPECT_EQ(plane.counters().request_count(SipMethod::kInvite), 0u);  // lost with the hole
  EXPECT_EQ(plane.counters().request_count(SipMethod::kOptions), 1u);  // found by resync
  EXPECT_EQ(plane.counters().request_count(SipMethod::kBye), 1u);
  EXPECT_GT(plane.counters().tcp_resync_skipped_bytes.load(), 0u);
}

TEST(TcpReassembly, HoleWiderThanTheBuffer_IsGivenUpAtOnce) {
  SignalingPlane plane(config(16, 1024));
  TcpStream s(plane, flow(40005));
  s.syn();
  Msg m;
  const std::string msg = m.request("OPTIONS");
  s.send(msg, 0, 10);
  std::string later(5000, 'x');
  later += msg;
  // Arrives 5000 bytes past the hole: cannot be held in 1 KiB.
  plane.on_payload(bytes(later).subspan(5000), flow(40005), true, 1000 + 1 + 10 + 5000, 0x18, 0);
  EXPECT_EQ(plane.counters().tcp_gaps.load(), 1u);
  EXPECT_EQ(plane.counters().request_count(SipMethod::kOptions), 1u);
}

TEST(TcpReassembly, MidStreamJoin_SkipsToTheFirstStartLine) {
  SignalingPlane plane(config());
  const std::string data = two_messages();
  // No SYN seen: the capture starts inside the INVITE's body.
  const std::size_t start = data.find("m=audio");
  plane.on_payload(bytes(data).subspan(start), flow(40006), true, 777, 0x18, 0);
  EXPECT_EQ(plane.counters().request_count(SipMethod::kOptions), 1u);
  EXPECT_EQ(plane.counters().request_count(SipMethod::kInvite), 0u);
  EXPECT_EQ(plane.counters().tcp_resync_skipped_bytes.load(), data.find("OPTIONS sip:") - start);
}

TEST(TcpReassembly, MessageLargerThanTheBuffer_IsDroppedAndCounted) {
  SignalingPlane plane(config(16, 512));
  TcpStream s(plane, flow(40007));
  s.syn();
  Msg big;
  big.body = std::string(2000, 'a');
  Msg small;
  small.call_id = "small";
  const std::string data = big.request("MESSAGE") + small.request("OPTIONS");
  for (std::size_t off = 0; off < data.size(); off += 300) {
    s.send(data, off, std::min<std::size_t>(300, data.size() - off));
  }
  EXPECT_GE(plane.counters().tcp_buffer_overflows.load(), 1u);
  EXPECT_EQ(plane.counters().malformed_count(SipParseStatus::kTooLarge), 1u);
  EXPECT_EQ(plane.counters().request_count(SipMethod::kMessage), 0u);
  EXPECT_EQ(plane.counters().request_count(SipMethod::kOptions), 1u);  // recovered after it
}

TEST(TcpReassembly, FinAndRst_ReleaseTheStream) {
  SignalingPlane plane(config());
  TcpStream s(plane, flow(40008));
  s.syn();
  s.send(two_messages(), 0, 50);
  EXPECT_EQ(plane.counters().tcp_streams_active.load(), 1u);
  plane.on_payload({}, flow(40008), true, 5000, dataplane::kTcpFin, 0);
  EXPECT_EQ(plane.counters().tcp_streams_active.load(), 0u);
  TcpStream r(plane, flow(40009));
  r.syn();
  EXPECT_EQ(plane.counters().tcp_streams_active.load(), 1u);
  plane.on_payload({}, flow(40009), true, 0, dataplane::kTcpRst, 0);
  EXPECT_EQ(plane.counters().tcp_streams_active.load(), 0u);
}

TEST(TcpReassembly, HalfOpenFlood_CannotGrowPastTheBound) {
  constexpr uint32_t kStreams = 32;
  SignalingPlane plane(config(kStreams, 2048));
  const std::size_t memory = plane.memory_bytes();
  const std::string partial = two_messages().substr(0, 200);  // never completed
  for (uint16_t i = 0; i < 5000; ++i) {
    const auto k = flow(uint16_t(1024 + i), uint8_t(1 + i % 200));
    plane.on_payload({}, k, true, 1, dataplane::kTcpSyn, i * kMs);
    plane.on_payload(bytes(partial), k, true, 2, 0x18, i * kMs);
    ASSERT_LE(plane.counters().tcp_streams_active.load(), kStreams);
  }
  EXPECT_EQ(plane.counters().tcp_streams_active.load(), kStreams);
  EXPECT_EQ(plane.counters().tcp_streams_evicted.load(), 5000u - kStreams);
  EXPECT_EQ(plane.memory_bytes(), memory);
  // Idle streams are released by the timer.
  plane.expire(5000 * kMs + 301'000 * kMs);
  EXPECT_EQ(plane.counters().tcp_streams_active.load(), 0u);
  EXPECT_EQ(plane.counters().tcp_streams_expired.load(), kStreams);
}

// Issue 14 item 5: a message over tcp_buffer_bytes is a SIP message lost: counted by reason
// with the other rejected messages, once, whatever the segmentation.
TEST(TcpReassembly, MessageOverTheBuffer_CountsAsTooLargeOnce) {
  for (const std::size_t segment : {100u, 536u, 1460u, 9000u}) {
    SignalingPlane plane(config(16, 4096));
    TcpStream s(plane, flow(40011));
    s.syn();
    Msg big;
    big.body = std::string(20000, 'b');
    Msg after;
    after.call_id = "after";
    const std::string data = big.request("MESSAGE") + after.request("OPTIONS");
    for (std::size_t off = 0; off < data.size(); off += segment) {
      s.send(data, off, std::min(segment, data.size() - off));
    }
    EXPECT_EQ(plane.counters().malformed_count(SipParseStatus::kTooLarge), 1u) << segment;
    EXPECT_EQ(plane.counters().tcp_buffer_overflows.load(), 1u) << segment;
    EXPECT_EQ(plane.counters().request_count(SipMethod::kOptions), 1u) << segment;
  }
}

// A message cut off by the end of its stream is lost too: counted as incomplete. CRLF
// keep-alives left in the buffer are not a message.
TEST(TcpReassembly, MessageCutOffByFinRstOrEviction_CountsAsIncomplete) {
  SignalingPlane plane(config(2));
  const std::string data = two_messages();
  TcpStream a(plane, flow(40012));
  a.syn();
  a.send(data, 0, 100);
  plane.on_payload({}, flow(40012), true, 5000, dataplane::kTcpFin, 0);
  EXPECT_EQ(plane.counters().malformed_count(SipParseStatus::kIncomplete), 1u);
  TcpStream b(plane, flow(40013));
  b.syn();
  b.send(data, 0, 100);
  plane.on_payload({}, flow(40013), true, 0, dataplane::kTcpRst, 0);
  EXPECT_EQ(plane.counters().malformed_count(SipParseStatus::kIncomplete), 2u);
  TcpStream c(plane, flow(40014));
  c.syn(1);
  c.send(data, 0, 100, 1);
  TcpStream d(plane, flow(40015));
  d.syn(2);
  TcpStream e(plane, flow(40016));  // the table holds 2: c, the oldest, is evicted
  e.syn(3);
  EXPECT_EQ(plane.counters().tcp_streams_evicted.load(), 1u);
  EXPECT_EQ(plane.counters().malformed_count(SipParseStatus::kIncomplete), 3u);
  const std::string keepalive = "\r\n\r\n";
  TcpStream k(plane, flow(40017));
  k.syn();
  k.send(keepalive, 0, keepalive.size());
  plane.on_payload({}, flow(40017), true, 5000, dataplane::kTcpFin, 0);
  EXPECT_EQ(plane.counters().malformed_count(SipParseStatus::kIncomplete), 3u);
}

// Issue 14 item 8: two sequence numbers 2^31 apart made the reassembler negate INT32_MIN
// (UBSan: negation of -2147483648 cannot be represented). Such a segment is as far behind as
// ahead; it is taken as old data and the stream carries on.
TEST(TcpReassembly, SequenceNumbers2To31Apart_AreOldDataNotUndefined) {
  SignalingPlane plane(config());
  const auto k = flow(40018);
  TcpStream s(plane, k, 1000);
  s.syn();  // the next byte is 1001
  const std::string data = two_messages();
  plane.on_payload(bytes(data), k, true, 1001u + 0x80000000u, 0x18, 0);
  EXPECT_EQ(plane.counters().tcp_retransmitted_segments.load(), 1u);
  EXPECT_EQ(plane.counters().request_count(SipMethod::kInvite), 0u);
  s.send(data, 0, data.size());
  EXPECT_EQ(plane.counters().request_count(SipMethod::kInvite), 1u);
  EXPECT_EQ(plane.counters().request_count(SipMethod::kOptions), 1u);
}

}  // namespace
}  // namespace rv::planes::signaling
