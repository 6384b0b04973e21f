// Passive call tracking on synthetic dialogs: outcomes, timing, forking, retransmissions,
// re-INVITE, auth retry, timeouts, linger, events, and the bounded call table under a flood.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "tests/planes/signaling/replay.hpp"
#include "tests/planes/signaling/sip_messages.hpp"

namespace rv::planes::signaling {
namespace {

using test_support::bytes;
using test_support::CallSnapshot;
using test_support::find_call;
using test_support::Msg;
using test_support::RecordingSink;

constexpr uint64_t kMs = 1'000'000ull;
constexpr uint64_t kSecond = 1000 * kMs;

class CallTrackerTest : public ::testing::Test {
 protected:
  CallTrackerTest() : plane_(test_support::small_config(), &sink_) {}
  void feed(const std::string& msg, uint64_t ts) {
    ASSERT_EQ(plane_.on_payload(bytes(msg), {}, false, 0, 0, ts), 1u) << msg;
  }
  const SignalingCounters& c() const { return plane_.counters(); }
  CallSnapshot call(const std::string& id) {
    const auto calls = sink_.snapshot_calls();
    const CallSnapshot* s = find_call(calls, id);
    EXPECT_NE(s, nullptr) << id;
    return s != nullptr ? *s : CallSnapshot{};
  }
  // INVITE (with SDP) from the caller; responses carry the callee's tag.
  void invite(Msg& m, uint64_t ts) {
    m.body = test_support::sdp("192.0.2.1", 4000);
    feed(m.request("INVITE"), ts);
    m.body.clear();
  }

  RecordingSink sink_;
  SignalingPlane plane_;
};

TEST_F(CallTrackerTest, AnsweredCall_SetupPddDurationAndEvents) {
  Msg m;
  invite(m, 0);
  feed(m.response(100, "Trying"), 10 * kMs);
  m.to_tag = "callee";
  feed(m.response(180, "Ringing"), 300 * kMs);
  m.body = test_support::sdp("192.0.2.2", 5000, "8");
  feed(m.response(200, "OK"), 2 * kSecond);
  m.body.clear();
  feed(m.request("ACK"), 2 * kSecond + 5 * kMs);
  EXPECT_EQ(c().calls_active.load(), 1u);
  m.cseq = 2;
  m.branch = "z9hG4bK-bye";
  feed(m.request("BYE"), 62 * kSecond);
  feed(m.response(200, "OK", "BYE"), 62 * kSecond + kMs);

  const CallSnapshot s = call("call-1@test");
  EXPECT_EQ(s.state, "terminated");
  EXPECT_EQ(s.result, "answered");
  EXPECT_EQ(s.final_code, 200);
  EXPECT_EQ(s.from, "sip:alice@example.com");
  EXPECT_EQ(s.to, "sip:bob@example.com");
  EXPECT_DOUBLE_EQ(*s.setup_ms, 2000.0);
  EXPECT_DOUBLE_EQ(*s.post_dial_delay_ms, 300.0);
  EXPECT_DOUBLE_EQ(*s.duration_s, 60.0);
  ASSERT_EQ(s.media.size(), 2u);
  EXPECT_EQ(s.media[0].endpoint, "192.0.2.1:4000");
  EXPECT_EQ(s.media[1].endpoint, "192.0.2.2:5000");
  EXPECT_EQ(s.media[1].codec, "PCMA");

  EXPECT_EQ(c().call_count(CallResult::kAnswered), 1u);
  EXPECT_EQ(c().calls_active.load(), 0u);
  EXPECT_EQ(c().setup.count.load(), 1u);
  EXPECT_EQ(c().setup.sum_units.load(), 2 * kSecond);
  EXPECT_EQ(c().setup.buckets[5].load(), 1u);  // (1 s, 2 s]
  EXPECT_EQ(c().duration.buckets[4].load(), 1u);  // (30 s, 60 s]
  EXPECT_EQ(c().post_dial_delay.count.load(), 1u);

  ASSERT_EQ(sink_.calls.size(), 4u);
  EXPECT_EQ(sink_.calls[0].kind, CallEventKind::kStarted);
  EXPECT_EQ(sink_.calls[1].kind, CallEventKind::kRinging);
  EXPECT_EQ(sink_.calls[2].kind, CallEventKind::kAnswered);
  EXPECT_EQ(sink_.calls[2].setup_ns, 2 * kSecond);
  EXPECT_EQ(sink_.calls[3].kind, CallEventKind::kEnded);
  EXPECT_EQ(sink_.calls[3].duration_ns, 60 * kSecond);
  EXPECT_EQ(sink_.calls[3].ended_by, uint8_t(CallEndReason::kBye));
  for (const auto& e : sink_.calls) {
    EXPECT_EQ(e.priority, EventPriority::kCritical);
    EXPECT_EQ(e.call_id_hash, hash_call_id("call-1@test"));
  }
  ASSERT_EQ(sink_.media.size(), 2u);
  EXPECT_EQ(sink_.media[0].from_caller, 1);
  EXPECT_EQ(sink_.media[0].from_offer, 1);
  EXPECT_EQ(sink_.media[1].from_caller, 0);
  EXPECT_EQ(sink_.media[1].from_offer, 0);
  EXPECT_EQ(sink_.media[1].rtpmaps[0].payload_type, 8);
}

TEST_F(CallTrackerTest, BusyAndOtherFinalFailures_AreFailedWithTheirCode) {
  const std::pair<int, const char*> kFinals[] = {{486, "Busy Here"}, {404, "Not Found"},
                                                 {302, "Moved"}, {503, "Unavailable"}, {603, "Decline"}};
  uint64_t t = 0;
  for (const auto& [code, reason] : kFinals) {
    Msg m;
    m.call_id = "fail-" + std::to_string(code);
    invite(m, t);
    m.to_tag = "x";
    feed(m.response(code, reason), t + 100 * kMs);
    feed(m.request("ACK"), t + 101 * kMs);
    const CallSnapshot s = call(m.call_id);
    EXPECT_EQ(s.result, "failed");
    EXPECT_EQ(s.final_code, code);
    EXPECT_EQ(s.end_reason, "final_failure");
    EXPECT_FALSE(s.setup_ms.has_value());
    t += kSecond;
  }
  EXPECT_EQ(c().call_count(CallResult::kFailed), 5u);
  EXPECT_EQ(c().calls_active.load(), 0u);
}

TEST_F(CallTrackerTest, Cancel_AndEarlyBye_AreCancelled) {
  Msg m;
  invite(m, 0);
  m.to_tag = "t";
  feed(m.response(180, "Ringing"), 100 * kMs);
  Msg cancel = m;
  cancel.to_tag.clear();
  feed(cancel.request("CANCEL"), 5 * kSecond);
  feed(cancel.response(200, "OK", "CANCEL"), 5 * kSecond + kMs);
  feed(m.response(487, "Request Terminated"), 5 * kSecond + 2 * kMs);
  EXPECT_EQ(call("call-1@test").result, "cancelled");
  EXPECT_EQ(call("call-1@test").final_code, 487);

  Msg b;
  b.call_id = "early-bye";
  invite(b, 0);
  b.cseq = 2;
  feed(b.request("BYE"), kSecond);
  EXPECT_EQ(call("early-bye").result, "cancelled");
  EXPECT_EQ(c().call_count(CallResult::kCancelled), 2u);
}

TEST_F(CallTrackerTest, Retransmissions_AreCountedAndDoNotChangeState) {
  Msg m;
  invite(m, 0);
  invite(m, 500 * kMs);   // Timer A
  invite(m, 1500 * kMs);
  m.to_tag = "t";
  feed(m.response(200, "OK"), 2 * kSecond);
  feed(m.response(200, "OK"), 2500 * kMs);  // 2xx retransmitted until ACK
  feed(m.request("ACK"), 2600 * kMs);
  EXPECT_EQ(c().request_count(SipMethod::kInvite), 3u);
  EXPECT_EQ(c().response_count(200), 2u);
  EXPECT_EQ(c().retransmissions.load(), 3u);
  EXPECT_EQ(c().setup.count.load(), 1u);
  EXPECT_DOUBLE_EQ(*call("call-1@test").setup_ms, 2000.0);
  // The same message long after the window is not a retransmission.
  Msg o;
  o.call_id = "opt";
  feed(o.request("OPTIONS"), 0);
  feed(o.request("OPTIONS"), 40 * kSecond);
  EXPECT_EQ(c().retransmissions.load(), 3u);
}

TEST_F(CallTrackerTest, ForkedProvisionals_AreCountedFirstAnswerWins) {
  Msg m;
  invite(m, 0);
  m.to_tag = "fork-a";
  feed(m.response(180, "Ringing"), 100 * kMs);
  m.to_tag = "fork-b";
  feed(m.response(180, "Ringing"), 120 * kMs);
  feed(m.response(200, "OK"), kSecond);
  m.to_tag = "fork-a";
  feed(m.response(200, "OK"), 1100 * kMs);  // a second fork answers too
  EXPECT_EQ(c().forked_responses.load(), 2u);
  EXPECT_EQ(c().call_count(CallResult::kAnswered), 1u);
  EXPECT_DOUBLE_EQ(*call("call-1@test").setup_ms, 1000.0);
}

TEST_F(CallTrackerTest, Reinvite_IsAMidCallHighEventAndUpdatesMedia) {
  Msg m;
  invite(m, 0);
  m.to_tag = "t";
  m.body = test_support::sdp("192.0.2.2", 5000);
  feed(m.response(200, "OK"), kSecond);
  m.body.clear();
  feed(m.request("ACK"), kSecond);
  sink_.calls.clear();
  m.cseq = 2;
  m.branch = "z9hG4bK-re";
  m.body = test_support::sdp("192.0.2.1", 4100);  // caller moves its media
  feed(m.request("INVITE"), 10 * kSecond);
  m.body = test_support::sdp("192.0.2.2", 5000);  // callee keeps its own
  feed(m.response(200, "OK"), 10 * kSecond + kMs);
  EXPECT_EQ(c().reinvites.load(), 1u);
  EXPECT_EQ(c().call_count(CallResult::kAnswered), 1u);
  ASSERT_EQ(sink_.calls.size(), 2u);
  EXPECT_EQ(sink_.calls[0].kind, CallEventKind::kReinvite);
  EXPECT_EQ(sink_.calls[0].priority, EventPriority::kHigh);
  EXPECT_EQ(sink_.calls[1].kind, CallEventKind::kMediaChanged);
  EXPECT_EQ(sink_.calls[1].priority, EventPriority::kHigh);
  const CallSnapshot s = call("call-1@test");
  EXPECT_EQ(s.state, "active");
  EXPECT_EQ(s.media[0].endpoint, "192.0.2.1:4100");
}

TEST_F(CallTrackerTest, ChallengedInvite_RetriedIsOneAnsweredCall) {
  Msg m;
  invite(m, 0);
  m.to_tag = "auth";
  feed(m.response(407, "Proxy Authentication Required"), 10 * kMs);
  feed(m.request("ACK"), 11 * kMs);
  Msg retry;
  retry.cseq = 2;
  retry.branch = "z9hG4bK-2";
  invite(retry, 20 * kMs);
  retry.to_tag = "callee";
  feed(retry.response(200, "OK"), kSecond);
  EXPECT_EQ(c().call_count(CallResult::kAnswered), 1u);
  EXPECT_EQ(c().call_count(CallResult::kFailed), 0u);
  EXPECT_DOUBLE_EQ(*call("call-1@test").setup_ms, 1000.0);  // from the first INVITE

  // Challenged and never retried: failed with the challenge code once the setup timeout passes.
  Msg lone;
  lone.call_id = "never-retried";
  invite(lone, 0);
  lone.to_tag = "a";
  feed(lone.response(401, "Unauthorized"), 10 * kMs);
  plane_.expire(200 * kSecond);
  EXPECT_EQ(call("never-retried").result, "failed");
  EXPECT_EQ(call("never-retried").final_code, 401);
}

TEST_F(CallTrackerTest, Timeouts_SetupAndCall_ThenLingerRetiresToTheCompletedRing) {
  Msg ring;
  ring.call_id = "ringing";
  invite(ring, 0);
  ring.to_tag = "t";
  feed(ring.response(180, "Ringing"), kSecond);
  Msg up;
  up.call_id = "no-bye";
  invite(up, 0);
  up.to_tag = "t";
  feed(up.response(200, "OK"), kSecond);
  plane_.expire(100 * kSecond);
  EXPECT_EQ(c().calls_active.load(), 2u);
  plane_.expire(181 * kSecond);  // setup timeout 180 s
  EXPECT_EQ(call("ringing").result, "timed_out");
  EXPECT_EQ(call("no-bye").state, "active");
  plane_.expire(kSecond + 14'401 * kSecond);  // call timeout 4 h after the last message
  const CallSnapshot s = call("no-bye");
  EXPECT_EQ(s.result, "answered");
  EXPECT_EQ(s.end_reason, "call_timeout");
  EXPECT_DOUBLE_EQ(*s.duration_s, 0.0);  // no message after the answer
  EXPECT_EQ(c().calls_active.load(), 0u);
  EXPECT_EQ(c().calls_in_table.load(), 1u);  // "ringing" ended long ago: already retired
  auto retired = [&] {
    std::size_t n = 0;
    for (const auto& e : sink_.calls) n += e.kind == CallEventKind::kRetired ? 1 : 0;
    return n;
  };
  EXPECT_EQ(retired(), 1u);
  plane_.expire(20'000 * kSecond);  // linger over: retired from the table, its final record out
  EXPECT_EQ(c().calls_in_table.load(), 0u);
  EXPECT_EQ(retired(), 2u);
  EXPECT_EQ(sink_.snapshot_calls().size(), 2u);
  EXPECT_EQ(c().call_count(CallResult::kTimedOut), 1u);
  EXPECT_EQ(c().call_count(CallResult::kAnswered), 1u);
}

TEST_F(CallTrackerTest, OrphanMessages_AreCountedNotTracked) {
  Msg m;
  m.to_tag = "t";
  feed(m.request("BYE"), 0);
  feed(m.response(200, "OK"), 0);
  Msg r;
  r.call_id = "reg";
  feed(r.request("REGISTER"), 0);
  EXPECT_EQ(c().orphan_messages.load(), 2u);
  EXPECT_EQ(c().request_count(SipMethod::kRegister), 1u);
  EXPECT_TRUE(sink_.snapshot_calls().empty());
}

TEST(CallTableBound, CallIdFlood_EvictsAndNeverGrows) {
  SignalingPlaneConfig cfg = test_support::small_config();
  cfg.max_calls = 1000;
  RecordingSink sink;
  SignalingPlane plane(cfg, &sink);
  const std::size_t memory = plane.memory_bytes();
  for (int i = 0; i < 20'000; ++i) {
    Msg m;
    m.call_id = "flood-" + std::to_string(i);
    ASSERT_EQ(plane.on_payload(bytes(m.request("INVITE")), {}, false, 0, 0, uint64_t(i) * kMs), 1u);
    ASSERT_LE(plane.tracker().table().size(), 1000u);
  }
  const auto& c = plane.counters();
  EXPECT_EQ(plane.tracker().table().size(), 1000u);
  EXPECT_EQ(c.calls_in_table.load(), 1000u);
  EXPECT_EQ(c.calls_evicted.load(), 19'000u);
  EXPECT_EQ(c.calls_active.load(), 1000u);
  // Every call left as events: the 19 000 evicted ones with their final record, counted as
  // timed out (not left in progress), the 1 000 still tracked as in progress.
  std::size_t retired = 0;
  for (const auto& e : sink.calls) retired += e.kind == CallEventKind::kRetired ? 1 : 0;
  EXPECT_EQ(retired, 19'000u);
  EXPECT_EQ(c.calls[std::size_t(CallResult::kTimedOut)].load(), 19'000u);
  EXPECT_EQ(plane.memory_bytes(), memory);
  // The newest calls are the ones kept (victims are the oldest of their probe window).
  std::size_t recent = 0;
  for (const auto& s : sink.snapshot_calls()) {
    recent += (s.state != "terminated" && s.start_ns >= 15'000 * kMs) ? 1 : 0;
  }
  EXPECT_GT(recent, 900u);
  std::size_t evicted_events = 0;
  for (const auto& e : sink.calls) {
    evicted_events += (e.kind == CallEventKind::kEnded && e.ended_by == uint8_t(CallEndReason::kEvicted));
  }
  EXPECT_EQ(evicted_events, 19'000u);
}

// 100 000 concurrent calls fit; prints the memory per call (reported in the issue).
TEST(CallTableBound, HundredThousandConcurrentCalls_Fit) {
  SignalingPlaneConfig cfg;
  cfg.max_calls = 100'000;
  cfg.max_tcp_streams = 16;
  cfg.tcp_buffer_bytes = 1024;
  SignalingPlane plane(cfg);
  for (int i = 0; i < 100'000; ++i) {
    Msg m;
    m.call_id = std::to_string(i) + "-a84b4c76e66710@pc33.atlanta.example.com";
    m.body = test_support::sdp("192.0.2.1", uint16_t(4000 + 2 * (i % 20000)));
    plane.on_payload(bytes(m.request("INVITE")), {}, false, 0, 0, uint64_t(i) * kMs);
  }
  EXPECT_EQ(plane.counters().calls_active.load(), 100'000u);
  EXPECT_EQ(plane.counters().calls_evicted.load(), 0u);
  const CallTable& t = plane.tracker().table();
  std::printf("[ memory   ] CallRecord %zu B, table %zu slots = %.1f MiB, %.0f B per call at 100k "
              "(plane total incl. caches %.1f MiB)\n",
              sizeof(CallRecord), t.capacity(), double(t.memory_bytes()) / (1 << 20),
              double(t.memory_bytes()) / 100'000.0, double(plane.memory_bytes()) / (1 << 20));
  EXPECT_EQ(t.capacity(), 100000u);  // record slots (the index has 131 072 entries)
  // The record keeps what a CDR needs (tags, User-Agent, the INVITE's addresses): ~600 B.
  EXPECT_LE(double(t.memory_bytes()) / 100'000.0, 800.0);
}

}  // namespace
}  // namespace rv::planes::signaling
