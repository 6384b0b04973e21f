// Call tracking on real captures: the shared ones (tests/data/pcaps/README.md gives tshark's
// counts) and the SIPp captures of tests/data/sipp (EXPECTED.md lists every call's outcome).
#include <gtest/gtest.h>

#include "tests/planes/signaling/replay.hpp"

namespace rv::planes::signaling {
namespace {

using test_support::CallSnapshot;
using test_support::find_call;
using test_support::RecordingSink;
using test_support::replay;
using test_support::small_config;

constexpr uint64_t kSecond = 1'000'000'000ull;

std::string sipp(const std::string& name) { return test::test_data("sipp/" + name); }

TEST(PcapCalls, HeplifyUdp_TwoInvitesOneAnsweredOneRinging) {
  RecordingSink sink;
  SignalingPlane plane(small_config(), &sink);
  const auto st = replay(test::shared_pcap("heplify_rtp_rtcp_sip_ipv4_udp.pcap"), plane);
  const auto& c = plane.counters();
  EXPECT_EQ(st.messages, 14u);  // tshark: 14 SIP messages
  EXPECT_EQ(c.messages.load(), 14u);
  EXPECT_EQ(c.request_count(SipMethod::kInvite), 2u);
  EXPECT_EQ(c.request_count(SipMethod::kAck), 1u);
  EXPECT_EQ(c.request_count(SipMethod::kRegister), 3u);
  EXPECT_EQ(c.response_count(200), 4u);
  EXPECT_EQ(c.response_count(180), 2u);
  EXPECT_EQ(c.response_count(100), 2u);
  EXPECT_EQ(c.retransmissions.load(), 0u);
  EXPECT_EQ(c.call_count(CallResult::kAnswered), 1u);
  EXPECT_EQ(c.calls_active.load(), 2u);  // the answered call never sees a BYE

  const auto calls = sink.snapshot_calls();
  ASSERT_EQ(calls.size(), 2u);
  const CallSnapshot* a = find_call(calls, "12013223@200.57.7.195");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->state, "active");
  EXPECT_EQ(a->result, "answered");
  EXPECT_EQ(a->final_code, 200);
  EXPECT_EQ(a->from, "sip:200.57.7.195:55061;user=phone");
  EXPECT_EQ(a->to, "sip:francisco@bestel.com:55060");
  ASSERT_TRUE(a->setup_ms.has_value());
  EXPECT_NEAR(*a->setup_ms, 8477.925, 0.01);  // INVITE 0.000000 -> 200 Ok 8.477925
  ASSERT_TRUE(a->post_dial_delay_ms.has_value());
  EXPECT_NEAR(*a->post_dial_delay_ms, 47.524, 0.01);
  ASSERT_EQ(a->media.size(), 2u);
  EXPECT_EQ(a->media[0].endpoint, "200.57.7.196:40376");
  EXPECT_EQ(a->media[0].side, "caller");
  EXPECT_EQ(a->media[0].codec, "PCMA");
  EXPECT_EQ(a->media[0].clock_rate, 8000u);
  EXPECT_EQ(a->media[1].endpoint, "200.57.7.204:8000");
  EXPECT_EQ(a->media[1].side, "callee");

  const CallSnapshot* r = find_call(calls, "12015624@200.57.7.195");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->state, "ringing");
  EXPECT_EQ(r->result, "in_progress");
  EXPECT_FALSE(r->setup_ms.has_value());
  ASSERT_TRUE(r->post_dial_delay_ms.has_value());
  EXPECT_NEAR(*r->post_dial_delay_ms, 26.799, 0.01);  // 24.665953 -> 24.692752

  // Media endpoints reach the media plane as High events with codec clock rates.
  ASSERT_EQ(sink.media.size(), 3u);  // offer + answer of call 1, offer of call 2
  const MediaEndpointEvent& offer = sink.media[0];
  EXPECT_EQ(offer.priority, EventPriority::kHigh);
  EXPECT_EQ(offer.port, 40376);
  EXPECT_EQ(offer.from_offer, 1);
  ASSERT_EQ(offer.payload_type_count, 4);  // RTP/AVP 8 18 4 0
  EXPECT_EQ(offer.payload_types[0], 8);
  EXPECT_EQ(offer.rtpmaps[0].clock_rate, 8000u);
  EXPECT_STREQ(offer.rtpmaps[0].codec.data(), "PCMA");
  EXPECT_EQ(sink.media[1].port, 8000);
  EXPECT_EQ(sink.media[1].payload_type_count, 6);  // 8 0 3 98 97 101
  // Setup events are Critical: started x2, ringing x2, answered x1.
  ASSERT_EQ(sink.calls.size(), 5u);
  for (const auto& e : sink.calls) EXPECT_EQ(e.priority, EventPriority::kCritical);
  EXPECT_EQ(sink.calls[2].kind, CallEventKind::kAnswered);

  // Nothing more happens within the timeouts; past the setup timeout the ringing call times out.
  plane.expire(st.last_ns + 10 * kSecond);
  EXPECT_EQ(plane.counters().call_count(CallResult::kTimedOut), 0u);
  plane.expire(st.last_ns + 200 * kSecond);
  EXPECT_EQ(plane.counters().call_count(CallResult::kTimedOut), 1u);
  EXPECT_EQ(find_call(sink.snapshot_calls(), "12015624@200.57.7.195")->result, "timed_out");
}

TEST(PcapCalls, HeplifyTcp_FullCallOverTcp) {
  RecordingSink sink;
  SignalingPlane plane(small_config(), &sink);
  const auto st = replay(test::shared_pcap("heplify_sip_ipv4_tcp.pcap"), plane);
  const auto& c = plane.counters();
  EXPECT_EQ(st.messages, 7u);
  EXPECT_EQ(c.request_count(SipMethod::kInvite), 1u);
  EXPECT_EQ(c.request_count(SipMethod::kAck), 1u);
  EXPECT_EQ(c.request_count(SipMethod::kBye), 1u);
  EXPECT_EQ(c.response_count(200), 2u);
  EXPECT_EQ(c.response_count(180), 1u);
  EXPECT_EQ(c.response_count(100), 1u);
  EXPECT_EQ(c.tcp_gaps.load(), 0u);
  EXPECT_EQ(c.call_count(CallResult::kAnswered), 1u);
  EXPECT_EQ(c.calls_active.load(), 0u);
  EXPECT_EQ(c.duration.count.load(), 1u);
  EXPECT_EQ(c.setup.count.load(), 1u);

  const auto calls = sink.snapshot_calls();
  ASSERT_EQ(calls.size(), 1u);
  const CallSnapshot& call = calls[0];
  EXPECT_EQ(call.call_id, "158936656982201062716@10.33.6.100");
  EXPECT_EQ(call.state, "terminated");
  EXPECT_EQ(call.result, "answered");
  EXPECT_EQ(call.end_reason, "bye");
  EXPECT_NEAR(*call.setup_ms, 4343.540, 0.01);   // 0.005921 -> 4.349461
  EXPECT_NEAR(*call.duration_s, 2.151516, 1e-5);  // 4.349461 -> 6.500977
  ASSERT_EQ(call.media.size(), 2u);
  EXPECT_EQ(call.media[0].endpoint, "10.33.6.100:6000");
  EXPECT_EQ(call.media[1].endpoint, "10.33.6.101:6050");
  ASSERT_FALSE(sink.calls.empty());
  EXPECT_EQ(sink.calls.back().kind, CallEventKind::kEnded);
  EXPECT_EQ(sink.calls.back().priority, EventPriority::kCritical);
  EXPECT_EQ(sink.calls.back().duration_ns, 2'151'516'000u);
}

TEST(PcapCalls, HeplifyIpv6_AnsweredAndEnded) {
  RecordingSink sink;
  SignalingPlane plane(small_config(), &sink);
  const auto st = replay(test::shared_pcap("heplify_sip_ipv6_udp.pcap"), plane);
  EXPECT_EQ(st.messages, 6u);
  const auto& c = plane.counters();
  EXPECT_EQ(c.request_count(SipMethod::kInvite), 1u);
  EXPECT_EQ(c.request_count(SipMethod::kBye), 1u);
  EXPECT_EQ(c.response_count(200), 2u);
  EXPECT_EQ(c.response_count(100), 1u);
  const auto calls = sink.snapshot_calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].result, "answered");
  EXPECT_EQ(calls[0].end_reason, "bye");
  ASSERT_EQ(calls[0].media.size(), 2u);
  EXPECT_EQ(calls[0].media[0].endpoint, "[fe80::21a:a0ff:fe07:32e0]:5008");
  EXPECT_EQ(calls[0].media[1].endpoint, "[fec0::216:d3ff:fe0d:22c]:5008");
  EXPECT_EQ(calls[0].media[1].codec, "pcmu");
}

TEST(PcapCalls, HeplifyTcpRetrans_RegisterOverTcpAndUdpWithTcpRetransmission) {
  RecordingSink sink;
  SignalingPlane plane(small_config(), &sink);
  const auto st = replay(test::shared_pcap("heplify_sip_ipv4_tcp_retrans.pcap"), plane);
  const auto& c = plane.counters();
  EXPECT_EQ(st.messages, 8u);  // tshark: 8 SIP messages
  EXPECT_EQ(c.request_count(SipMethod::kRegister), 4u);
  EXPECT_EQ(c.response_count(401), 2u);
  EXPECT_EQ(c.response_count(200), 2u);
  EXPECT_EQ(c.tcp_retransmitted_segments.load(), 1u);  // frame 38 repeats the 200 OK
  EXPECT_EQ(c.retransmissions.load(), 0u);             // dropped below SIP
  EXPECT_EQ(c.tcp_gaps.load(), 0u);
  EXPECT_TRUE(sink.snapshot_calls().empty());  // REGISTER is counted, not a call
}

TEST(PcapCalls, HttpOnSipPort_IsNotSip) {
  RecordingSink sink;
  SignalingPlane plane(small_config(), &sink);
  const auto file = test::read_pcap(test::shared_pcap("ndpi_http_on_sip_port.pcap"));
  uint64_t fed = 0;
  for (const auto& f : file.frames) {
    dataplane::ParsedPacket p;
    if (dataplane::parse_frame(f.bytes, file.link, p) != dataplane::ParseStatus::kOk) continue;
    const std::span<const uint8_t> payload(p.payload, p.payload_len);
    if (payload.empty()) continue;
    EXPECT_FALSE(looks_like_sip_start_line(payload));
    // Even forced into the plane (as the port would suggest), it yields no SIP message.
    plane.on_payload(payload, dataplane::FlowKey::from(p), p.ip_proto == dataplane::kIpProtoTcp,
                     p.tcp_seq, p.tcp_flags, f.timestamp_ns);
    ++fed;
  }
  EXPECT_GT(fed, 0u);
  EXPECT_EQ(plane.counters().messages.load(), 0u);
  EXPECT_TRUE(sink.snapshot_calls().empty());
}

TEST(PcapCalls, SippBasicUdp_ThreeAnsweredCalls) {
  RecordingSink sink;
  SignalingPlane plane(small_config(), &sink);
  replay(sipp("sipp_basic_udp.pcap"), plane);
  const auto& c = plane.counters();
  EXPECT_EQ(c.messages.load(), 18u);
  EXPECT_EQ(c.call_count(CallResult::kAnswered), 3u);
  EXPECT_EQ(c.calls_active.load(), 0u);
  EXPECT_EQ(c.duration.count.load(), 3u);
  const auto calls = sink.snapshot_calls();
  ASSERT_EQ(calls.size(), 3u);
  for (const auto& call : calls) {
    EXPECT_EQ(call.result, "answered") << call.call_id;
    EXPECT_EQ(call.end_reason, "bye") << call.call_id;
    EXPECT_LT(*call.setup_ms, 50.0) << call.call_id;
    EXPECT_NEAR(*call.duration_s, 1.0, 0.1) << call.call_id;  // sipp -d 1000
    ASSERT_EQ(call.media.size(), 2u);
    EXPECT_EQ(call.media[0].endpoint.rfind("127.0.0.1:", 0), 0u);
    EXPECT_EQ(call.media[0].codec, "PCMU");
  }
}

TEST(PcapCalls, SippBasicTcp_ThreeAnsweredCallsOverOneConnection) {
  RecordingSink sink;
  SignalingPlane plane(small_config(), &sink);
  replay(sipp("sipp_basic_tcp.pcap"), plane);
  const auto& c = plane.counters();
  EXPECT_EQ(c.messages.load(), 18u);
  EXPECT_EQ(c.request_count(SipMethod::kInvite), 3u);
  EXPECT_EQ(c.request_count(SipMethod::kBye), 3u);
  EXPECT_EQ(c.call_count(CallResult::kAnswered), 3u);
  EXPECT_EQ(c.tcp_gaps.load(), 0u);
  EXPECT_EQ(c.malformed_count(SipParseStatus::kIncomplete), 0u);
  for (const auto& call : sink.snapshot_calls()) {
    EXPECT_EQ(call.result, "answered");
    EXPECT_EQ(call.end_reason, "bye");
    EXPECT_NEAR(*call.duration_s, 0.5, 0.1);  // sipp -d 500
  }
}

TEST(PcapCalls, SippOutcomes_EveryCallHasItsOutcome) {
  RecordingSink sink;
  SignalingPlane plane(small_config(), &sink);
  const auto st = replay(sipp("sipp_outcomes_udp.pcap"), plane);
  const auto& c = plane.counters();
  EXPECT_EQ(c.messages.load(), 47u);  // tshark: 47 SIP messages
  EXPECT_EQ(c.retransmissions.load(), 0u);
  EXPECT_EQ(c.response_count(486), 2u);
  EXPECT_EQ(c.response_count(487), 2u);
  EXPECT_EQ(c.request_count(SipMethod::kCancel), 2u);

  auto calls = sink.snapshot_calls();
  ASSERT_EQ(calls.size(), 8u);
  // In capture order (record.sh): 2 x 486, 503, 603, 2 x CANCEL, 407 then answered, no answer.
  const char* kResults[] = {"failed",    "failed",   "failed",   "failed",
                            "cancelled", "cancelled", "answered", "in_progress"};
  const uint16_t kCodes[] = {486, 486, 503, 603, 487, 487, 200, 0};
  for (std::size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].result, kResults[i]) << i << " " << calls[i].call_id;
    EXPECT_EQ(calls[i].final_code, kCodes[i]) << i << " " << calls[i].call_id;
  }
  EXPECT_EQ(calls[6].end_reason, "bye");  // the 407-challenged call, retried with CSeq 2
  EXPECT_TRUE(calls[6].setup_ms.has_value());
  EXPECT_EQ(calls[7].state, "ringing");
  EXPECT_EQ(c.call_count(CallResult::kFailed), 4u);
  EXPECT_EQ(c.call_final_count(486), 2u);
  EXPECT_EQ(c.call_final_count(503), 1u);
  EXPECT_EQ(c.call_final_count(603), 1u);
  EXPECT_EQ(c.call_final_count(487), 2u);
  EXPECT_EQ(c.call_final_count(200), 1u);
  EXPECT_EQ(c.call_final_count(407), 0u);  // the challenge was retried
  EXPECT_EQ(c.call_count(CallResult::kCancelled), 2u);
  EXPECT_EQ(c.call_count(CallResult::kAnswered), 1u);

  plane.expire(st.last_ns + 181 * kSecond);
  EXPECT_EQ(c.call_count(CallResult::kTimedOut), 1u);
  EXPECT_EQ(c.calls_active.load(), 0u);
  calls = sink.snapshot_calls();
  ASSERT_EQ(calls.size(), 8u);
  EXPECT_EQ(calls[7].result, "timed_out");
  EXPECT_EQ(calls[7].end_reason, "setup_timeout");
  // Every call ended with exactly one Critical kEnded event.
  std::size_t ended = 0;
  for (const auto& e : sink.calls) ended += e.kind == CallEventKind::kEnded ? 1 : 0;
  EXPECT_EQ(ended, 8u);
}

TEST(PcapCalls, SippRetrans_RetransmittedInviteAnd200AreCountedOnce) {
  RecordingSink sink;
  SignalingPlane plane(small_config(), &sink);
  replay(sipp("sipp_retrans_udp.pcap"), plane);
  const auto& c = plane.counters();
  EXPECT_EQ(c.request_count(SipMethod::kInvite), 2u);  // on the wire
  EXPECT_EQ(c.response_count(200), 3u);                 // 2 x 200 INVITE + 200 BYE
  EXPECT_EQ(c.retransmissions.load(), 2u);              // one INVITE, one 200 OK
  EXPECT_EQ(c.call_count(CallResult::kAnswered), 1u);
  EXPECT_EQ(c.setup.count.load(), 1u);
  const auto calls = sink.snapshot_calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_NEAR(*calls[0].setup_ms, 1407.627, 0.01);  // from the first INVITE
}

}  // namespace
}  // namespace rv::planes::signaling
