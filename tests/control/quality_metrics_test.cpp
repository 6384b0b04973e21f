// QualityMetrics and PeerMap: per-peer call and stream series from call and stream events,
// live interval quality, bounded labels.

#include "control/metrics/quality_metrics.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <string>
#include <vector>

#include "planes/media/codec.hpp"

namespace rv::control {
namespace {

using planes::signaling::CallEvent;
using planes::signaling::CallEventKind;
using planes::signaling::CallRecord;
using planes::signaling::CallResult;

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kSec = 1'000'000'000;

dataplane::IpAddress ip(const char* text) {
  dataplane::IpAddress a;
  const bool v6 = std::string(text).find(':') != std::string::npos;
  EXPECT_EQ(inet_pton(v6 ? AF_INET6 : AF_INET, text, a.bytes.data()), 1) << text;
  a.family = v6 ? dataplane::L3Proto::kIpv6 : dataplane::L3Proto::kIpv4;
  return a;
}

dataplane::FlowKey flow(const char* src, uint16_t sport, const char* dst, uint16_t dport) {
  return {{ip(src), sport}, {ip(dst), dport}, 17};
}

PeerMap peers(std::vector<std::string> entries) {
  auto m = PeerMap::create(entries);
  EXPECT_TRUE(m.has_value()) << m.error().message();
  return std::move(*m);
}

CallRecord call(uint64_t hash, const char* src, const char* dst, std::string_view to = "sip:b@x",
                std::string_view from = "sip:a@y") {
  CallRecord r;
  r.key_hash = hash;
  r.flow = flow(src, 5060, dst, 5060);
  r.to.assign(to);
  r.from.assign(from);
  r.invite_ns = 1 * kSec;
  return r;
}

CallEvent event(const CallRecord& r, CallEventKind kind) {
  CallEvent e;
  e.kind = kind;
  e.record = r;
  e.result = r.result;
  e.final_code = r.final_code;
  return e;
}

// Started, answered after `setup`, ended by BYE, retired.
void answered_call(QualityMetrics& q, CallRecord r, uint64_t setup) {
  q.on_call(event(r, CallEventKind::kStarted));
  r.answer_ns = r.invite_ns + setup;
  r.final_code = 200;
  r.result = CallResult::kAnswered;
  r.flags |= CallRecord::kCounted;
  q.on_call(event(r, CallEventKind::kAnswered));
  r.state = planes::signaling::CallState::kTerminated;
  q.on_call(event(r, CallEventKind::kEnded));
  q.on_call(event(r, CallEventKind::kRetired));
}

void failed_call(QualityMetrics& q, CallRecord r, uint16_t code) {
  q.on_call(event(r, CallEventKind::kStarted));
  r.final_code = code;
  r.result = CallResult::kFailed;
  r.flags |= CallRecord::kCounted;
  r.state = planes::signaling::CallState::kTerminated;
  q.on_call(event(r, CallEventKind::kEnded));
  q.on_call(event(r, CallEventKind::kRetired));
}

std::string scrape(const QualityMetrics& q) {
  MetricsRegistry registry;
  registry.add([&q](MetricsWriter& w) { q.collect(w); });
  return registry.serialize();
}

// The value of the sample line starting with `series` (name and labels), or -1.
double value_of(const std::string& text, const std::string& series) {
  const std::string line = "\n" + series + " ";
  const std::size_t at = text.find(line);
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + line.size()));
}

TEST(PeerMap, PrefixAndHostEntries_MatchInOrder_RestIsOther) {
  const PeerMap m = peers({"carrier-a=192.0.2.0/24", "sbc1=sbc1.example.net",
                           "carrier-b=*.carrier-b.example", "carrier-a=2001:db8::/32"});
  ASSERT_EQ(m.names(), (std::vector<std::string>{"carrier-a", "sbc1", "carrier-b", "other"}));
  EXPECT_EQ(m.peer_of_call(call(1, "192.0.2.77", "10.0.0.1")), 0u);
  EXPECT_EQ(m.peer_of_call(call(1, "10.0.0.1", "192.0.2.1")), 0u);  // destination
  EXPECT_EQ(m.peer_of_call(call(1, "2001:db8:5::1", "10.0.0.1")), 0u);
  EXPECT_EQ(m.peer_of_call(call(1, "10.0.0.1", "10.0.0.2", "sip:+331@SBC1.example.net:5060")),
            1u);
  EXPECT_EQ(m.peer_of_call(call(1, "10.0.0.1", "10.0.0.2", "sip:b@x", "<sip:a@gw3.carrier-b.example>")),
            2u);
  EXPECT_EQ(m.peer_of_call(call(1, "10.0.0.1", "10.0.0.2", "sip:b@carrier-b.example")), 3u);
  EXPECT_EQ(m.peer_of_call(call(1, "192.0.3.1", "10.0.0.2")), m.other());
  // The first entry that matches wins.
  EXPECT_EQ(m.peer_of_call(call(1, "192.0.2.1", "10.0.0.2", "sip:x@sbc1.example.net")), 0u);
  EXPECT_EQ(m.peer_of_flow(flow("10.9.9.9", 4000, "192.0.2.200", 5000)), 0u);
  EXPECT_EQ(m.peer_of_flow(flow("10.9.9.9", 4000, "10.0.0.2", 5000)), m.other());
}

TEST(PeerMap, UriHost_IsLowerCaseWithoutUserPortOrParameters) {
  EXPECT_EQ(PeerMap::uri_host("sip:alice@Example.COM:5061;transport=tls"), "example.com");
  EXPECT_EQ(PeerMap::uri_host("sips:gw.example.net"), "gw.example.net");
  EXPECT_EQ(PeerMap::uri_host("sip:[2001:db8::1]:5060"), "[2001:db8::1]");
  EXPECT_EQ(PeerMap::uri_host("nothing"), "");
}

TEST(QualityMetrics, NoPeersConfigured_EverySeriesExistsAsOtherAtZero) {
  QualityMetrics q(peers({}));
  const std::string text = scrape(q);
  EXPECT_EQ(value_of(text, "rvoip_peer_calls_total{peer=\"other\",result=\"answered\"}"), 0);
  EXPECT_EQ(value_of(text, "rvoip_peer_call_final_responses_total{peer=\"other\",code=\"486\"}"),
            0);
  EXPECT_EQ(value_of(text, "rvoip_peer_call_setup_seconds_count{peer=\"other\"}"), 0);
  EXPECT_EQ(value_of(text, "rvoip_peer_rtp_lost_packets_total{peer=\"other\"}"), 0);
  EXPECT_EQ(value_of(text, "rvoip_peer_rtp_interval_mos_count{peer=\"other\"}"), 0);
  EXPECT_EQ(value_of(text, "rvoip_rtp_interval_mos_count"), 0);
  EXPECT_EQ(value_of(text, "rvoip_rtp_interval_reports_total"), 0);
}

TEST(QualityMetrics, CallsAreCountedOncePerPeerWithResultCodeAndSetup) {
  QualityMetrics q(peers({"carrier-a=192.0.2.0/24"}));
  answered_call(q, call(1, "192.0.2.5", "10.0.0.1"), 1500 * kMs);
  answered_call(q, call(2, "10.0.0.1", "198.51.100.9"), 200 * kMs);
  failed_call(q, call(3, "192.0.2.5", "10.0.0.1"), 486);
  failed_call(q, call(4, "192.0.2.5", "10.0.0.1"), 503);
  const std::string t = scrape(q);
  EXPECT_EQ(value_of(t, "rvoip_peer_calls_total{peer=\"carrier-a\",result=\"answered\"}"), 1);
  EXPECT_EQ(value_of(t, "rvoip_peer_calls_total{peer=\"carrier-a\",result=\"failed\"}"), 2);
  EXPECT_EQ(value_of(t, "rvoip_peer_calls_total{peer=\"other\",result=\"answered\"}"), 1);
  EXPECT_EQ(value_of(t, "rvoip_peer_calls_total{peer=\"other\",result=\"failed\"}"), 0);
  EXPECT_EQ(value_of(t, "rvoip_peer_call_final_responses_total{peer=\"carrier-a\",code=\"200\"}"), 1);
  EXPECT_EQ(value_of(t, "rvoip_peer_call_final_responses_total{peer=\"carrier-a\",code=\"486\"}"), 1);
  EXPECT_EQ(value_of(t, "rvoip_peer_call_final_responses_total{peer=\"carrier-a\",code=\"503\"}"), 1);
  EXPECT_EQ(value_of(t, "rvoip_peer_call_final_responses_total{peer=\"other\",code=\"503\"}"), -1);
  EXPECT_EQ(value_of(t, "rvoip_peer_call_setup_seconds_count{peer=\"carrier-a\"}"), 1);
  EXPECT_DOUBLE_EQ(value_of(t, "rvoip_peer_call_setup_seconds_sum{peer=\"carrier-a\"}"), 1.5);
  EXPECT_EQ(value_of(t, "rvoip_peer_call_setup_seconds_bucket{peer=\"carrier-a\",le=\"1\"}"), 0);
  EXPECT_EQ(value_of(t, "rvoip_peer_call_setup_seconds_bucket{peer=\"carrier-a\",le=\"2\"}"), 1);
  EXPECT_DOUBLE_EQ(value_of(t, "rvoip_peer_call_setup_seconds_sum{peer=\"other\"}"), 0.2);
}

planes::media::StreamInterval interval(const dataplane::FlowKey& f, uint64_t call_hash,
                                       uint64_t ts, int64_t expected, int64_t lost,
                                       uint32_t gaps = 0, float gap_ms = 0) {
  planes::media::StreamInterval e;
  e.flow = f;
  e.ssrc = 7;
  e.call_hash = call_hash;
  e.codec = static_cast<uint8_t>(planes::media::Codec::kPcma);
  e.timestamp_ns = ts;
  e.expected = expected;
  e.lost = lost;
  e.packets = static_cast<uint32_t>(expected - lost);
  e.jitter_ms = 2;
  e.gaps = gaps;
  e.gap_ms = gap_ms;
  e.mos_x10 = 44;
  return e;
}

TEST(QualityMetrics, IntervalReports_GiveLiveLossAndMosPerIntervalAndPerPeer) {
  QualityMetrics q(peers({"sbc1=sbc1.example.net"}));
  CallRecord r = call(42, "10.0.0.1", "10.0.0.2", "sip:bob@sbc1.example.net");
  q.on_call(event(r, CallEventKind::kStarted));
  const auto media = flow("10.0.0.3", 4000, "10.0.0.4", 5000);
  q.on_stream_started({media, 7, 8, uint8_t(planes::media::Codec::kPcma), 42, 0});
  // 10 s clean (500 packets), then 10 s losing 50 of 500 packets, then 10 s with a 5.8 s gap.
  q.on_stream_interval(interval(media, 42, 10 * kSec, 500, 0));
  q.on_stream_interval(interval(media, 42, 20 * kSec, 1000, 50));
  q.on_stream_interval(interval(media, 42, 30 * kSec, 1210, 50, 1, 5780));
  const std::string t = scrape(q);
  EXPECT_EQ(value_of(t, "rvoip_rtp_interval_reports_total"), 3);
  EXPECT_EQ(value_of(t, "rvoip_rtp_interval_loss_ratio_count"), 3);
  EXPECT_EQ(value_of(t, "rvoip_rtp_interval_loss_ratio_bucket{le=\"0\"}"), 2);
  EXPECT_DOUBLE_EQ(value_of(t, "rvoip_rtp_interval_loss_ratio_sum"), 0.1);
  EXPECT_EQ(value_of(t, "rvoip_rtp_interval_jitter_seconds_count"), 3);
  EXPECT_EQ(value_of(t, "rvoip_peer_rtp_expected_packets_total{peer=\"sbc1\"}"), 1210);
  EXPECT_EQ(value_of(t, "rvoip_peer_rtp_lost_packets_total{peer=\"sbc1\"}"), 50);
  EXPECT_EQ(value_of(t, "rvoip_peer_rtp_gaps_total{peer=\"sbc1\"}"), 1);
  // Interval MOS: clean 4.4 (le 4.5), 10 % loss (G.711: R 65.6 -> 3.38, le 3.5), the gap
  // interval 57.8 % of its time lost (R 26.4 -> 1.47, le 1.5).
  EXPECT_EQ(value_of(t, "rvoip_peer_rtp_interval_mos_count{peer=\"sbc1\"}"), 3);
  EXPECT_EQ(value_of(t, "rvoip_peer_rtp_interval_mos_bucket{peer=\"sbc1\",le=\"1.5\"}"), 1);
  EXPECT_EQ(value_of(t, "rvoip_peer_rtp_interval_mos_bucket{peer=\"sbc1\",le=\"3.5\"}"), 2);
  EXPECT_EQ(value_of(t, "rvoip_peer_rtp_interval_mos_bucket{peer=\"sbc1\",le=\"4\"}"), 2);
  EXPECT_EQ(value_of(t, "rvoip_rtp_interval_mos_count"), 3);
  EXPECT_EQ(value_of(t, "rvoip_peer_rtp_interval_mos_count{peer=\"other\"}"), 0);
}

TEST(QualityMetrics, StreamEnd_AddsTheRestAndObservesItsMosOnce) {
  QualityMetrics q(peers({"carrier-a=192.0.2.0/24"}));
  const auto media = flow("192.0.2.10", 4000, "10.0.0.4", 5000);  // no call: by address
  q.on_stream_started({media, 7, 8, uint8_t(planes::media::Codec::kPcma), 0, 0});
  q.on_stream_interval(interval(media, 0, 10 * kSec, 500, 5));
  planes::media::StreamEnded end;
  end.flow = media;
  end.ssrc = 7;
  end.expected = 700;
  end.lost = 9;
  end.gaps = 2;
  end.mos_x10 = 31;
  q.on_stream_ended(end);
  const std::string t = scrape(q);
  EXPECT_EQ(value_of(t, "rvoip_peer_rtp_expected_packets_total{peer=\"carrier-a\"}"), 700);
  EXPECT_EQ(value_of(t, "rvoip_peer_rtp_lost_packets_total{peer=\"carrier-a\"}"), 9);
  EXPECT_EQ(value_of(t, "rvoip_peer_rtp_gaps_total{peer=\"carrier-a\"}"), 2);
  EXPECT_EQ(value_of(t, "rvoip_peer_rtp_mos_count{peer=\"carrier-a\"}"), 1);
  EXPECT_DOUBLE_EQ(value_of(t, "rvoip_peer_rtp_mos_sum{peer=\"carrier-a\"}"), 3.1);
  EXPECT_EQ(value_of(t, "rvoip_peer_rtp_mos_count{peer=\"other\"}"), 0);
}

TEST(PeerMap, InvalidEntry_IsAnError) {
  EXPECT_FALSE(PeerMap::create(std::vector<std::string>{"other=10.0.0.0/8"}).has_value());
  EXPECT_FALSE(PeerMap::create(std::vector<std::string>{"a=10.0.0.0/33"}).has_value());
}

}  // namespace
}  // namespace rv::control
