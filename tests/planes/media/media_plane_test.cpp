// MediaPlane behaviour: stream identity, timeouts, eviction, SDP association, RTCP, events.

#include "planes/media/media_plane.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "dataplane/packet_parser.hpp"
#include "planes/media/mos.hpp"
#include "tests/planes/media/packet_builder.hpp"
#include "tests/support/pcap_file.hpp"

namespace rv::planes::media {
namespace {

using test::flow;
using test::rtp;

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kSec = 1'000'000'000;

struct RecordingSink : MediaEventSink {
  std::vector<StreamStarted> started;
  std::vector<StreamEnded> ended;
  void on_stream_started(const StreamStarted& e) noexcept override { started.push_back(e); }
  void on_stream_ended(const StreamEnded& e) noexcept override { ended.push_back(e); }
};

MediaPlaneConfig small_config(uint32_t max_streams = 16) {
  MediaPlaneConfig c;
  c.max_streams = max_streams;
  c.media_timeout_ns = 2 * kSec;
  return c;
}

// `n` packets of one stream, 20 ms apart from `t0`.
void send(MediaPlane& m, const dataplane::FlowKey& f, uint32_t ssrc, int n, uint64_t t0,
          uint8_t pt = 8, uint16_t seq0 = 1) {
  for (int i = 0; i < n; ++i) {
    const auto p = rtp({.pt = pt,
                        .seq = static_cast<uint16_t>(seq0 + i),
                        .ts = static_cast<uint32_t>(i * 160),
                        .ssrc = ssrc});
    ASSERT_EQ(m.on_rtp(p, f, t0 + static_cast<uint64_t>(i) * 20 * kMs), RtpParseStatus::kOk);
  }
}

TEST(MediaPlane, SameSsrcOnDifferentFiveTuplesAreSeparateStreams) {
  MediaPlane m(small_config());
  send(m, flow(1, 4000, 2, 5000), 0x1234, 5, 0);
  send(m, flow(3, 4000, 2, 5002), 0x1234, 7, 0);
  EXPECT_EQ(m.active_streams(), 2u);
  std::vector<StreamReport> r;
  m.snapshot(r);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].packets + r[1].packets, 12u);
}

TEST(MediaPlane, SsrcChangeOnSameFlowStartsNewStream) {
  RecordingSink sink;
  MediaPlane m(small_config(), &sink);
  const auto f = flow(1, 4000, 2, 5000);
  send(m, f, 0xaaaa, 5, 0);
  send(m, f, 0xbbbb, 5, 100 * kMs, 8, 30000);
  EXPECT_EQ(m.active_streams(), 2u);
  ASSERT_EQ(sink.started.size(), 2u);
  EXPECT_EQ(sink.started[1].ssrc, 0xbbbbu);
  std::vector<StreamReport> r;
  m.snapshot(r);
  for (const auto& s : r) EXPECT_EQ(s.lost, 0) << s.ssrc;
}

TEST(MediaPlane, MediaTimeoutEndsStreamWithFinalNumbers) {
  RecordingSink sink;
  MediaPlane m(small_config(), &sink);
  const auto f = flow(1, 4000, 2, 5000);
  send(m, f, 0x77, 10, 0);  // last packet at 180 ms
  EXPECT_EQ(m.expire(1 * kSec), 0u);
  EXPECT_EQ(m.expire(2 * kSec), 0u);  // 1.82 s idle: not yet
  EXPECT_EQ(m.expire(3 * kSec), 1u);
  ASSERT_EQ(sink.ended.size(), 1u);
  const StreamEnded& e = sink.ended[0];
  EXPECT_EQ(e.reason, EndReason::kTimeout);
  EXPECT_EQ(e.packets, 10u);
  EXPECT_EQ(e.lost, 0);
  EXPECT_EQ(e.flow, f);
  EXPECT_EQ(e.codec, static_cast<uint8_t>(Codec::kPcma));
  EXPECT_GE(e.mos_x10, 40);
  EXPECT_EQ(m.active_streams(), 0u);
  EXPECT_EQ(m.counters().streams_timed_out.load(), 1u);
  EXPECT_EQ(m.counters().streams_active.load(), 0u);
  EXPECT_EQ(m.histograms().mos.count.load(), 1u);
  EXPECT_EQ(m.histograms().jitter_seconds.count.load(), 1u);
}

TEST(MediaPlane, ActiveStreamIsNotExpiredWhileItKeepsSending) {
  MediaPlane m(small_config());
  const auto f = flow(1, 4000, 2, 5000);
  for (int s = 0; s < 10; ++s) {
    send(m, f, 0x77, 50, static_cast<uint64_t>(s) * kSec, 8, static_cast<uint16_t>(1 + s * 50));
    EXPECT_EQ(m.expire(static_cast<uint64_t>(s) * kSec + 999 * kMs), 0u);
  }
  EXPECT_EQ(m.active_streams(), 1u);
  EXPECT_EQ(m.expire(20 * kSec), 1u);
}

TEST(MediaPlane, TableFullEvictsTheStreamNearestItsTimeout) {
  RecordingSink sink;
  MediaPlane m(small_config(2), &sink);
  send(m, flow(1, 4000, 2, 5000), 1, 2, 0);
  send(m, flow(1, 4002, 2, 5002), 2, 2, 500 * kMs);
  send(m, flow(1, 4004, 2, 5004), 3, 2, 1000 * kMs);
  EXPECT_EQ(m.active_streams(), 2u);
  EXPECT_EQ(m.counters().streams_evicted.load(), 1u);
  ASSERT_EQ(sink.ended.size(), 1u);
  EXPECT_EQ(sink.ended[0].ssrc, 1u);
  EXPECT_EQ(sink.ended[0].reason, EndReason::kEvicted);
}

TEST(MediaPlane, TableFullWithoutEvictionCountsUntrackedPackets) {
  auto cfg = small_config(1);
  cfg.evict_when_full = false;
  MediaPlane m(cfg);
  send(m, flow(1, 4000, 2, 5000), 1, 2, 0);
  send(m, flow(1, 4002, 2, 5002), 2, 3, 0);
  EXPECT_EQ(m.active_streams(), 1u);
  EXPECT_EQ(m.counters().rtp_untracked.load(), 3u);
}

TEST(MediaPlane, SdpAssociationGivesCallIdAndDynamicClockRate) {
  MediaPlane m(small_config());
  const auto f = flow(1, 4000, 2, 5000);
  const PayloadMapping opus[] = {{111, Codec::kOpus, 48000}, {101, Codec::kTelephoneEvent, 8000}};
  ASSERT_TRUE(m.learn_endpoint(f.dst, "call-1@example.com", opus, 0));
  // 20 ms of opus = 960 units; the third packet 5 ms late.
  const uint64_t at[] = {0, 20 * kMs, 45 * kMs, 60 * kMs};
  for (int i = 0; i < 4; ++i) {
    const auto p = rtp({.pt = 111,
                        .seq = static_cast<uint16_t>(i),
                        .ts = static_cast<uint32_t>(i * 960),
                        .ssrc = 9});
    m.on_rtp(p, f, at[i]);
  }
  std::vector<StreamReport> r;
  m.snapshot(r);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].codec, "opus");
  ASSERT_TRUE(r[0].call_id.has_value());
  EXPECT_EQ(*r[0].call_id, "call-1@example.com");
  EXPECT_GT(r[0].jitter_max_ms, 0.0);
  EXPECT_EQ(m.counters().streams_associated.load(), 1u);
}

TEST(MediaPlane, DynamicTypeWithoutSdpHasNoCallAndNoJitter) {
  MediaPlane m(small_config());
  const auto f = flow(1, 4000, 2, 5000);
  const uint64_t at[] = {0, 20 * kMs, 45 * kMs, 60 * kMs};
  for (int i = 0; i < 4; ++i) {
    m.on_rtp(
        rtp({.pt = 111, .seq = static_cast<uint16_t>(i), .ts = static_cast<uint32_t>(i * 960)}), f,
        at[i]);
  }
  std::vector<StreamReport> r;
  m.snapshot(r);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(r[0].call_id.has_value());
  EXPECT_EQ(r[0].jitter_max_ms, 0.0);
  EXPECT_EQ(r[0].codec, "unknown");
}

TEST(MediaPlane, SdpLearnedAfterFirstPacketsStillAssociates) {
  MediaPlane m(small_config());
  const auto f = flow(1, 4000, 2, 5000);
  send(m, f, 5, 3, 0);
  const PayloadMapping pcma[] = {{8, Codec::kPcma, 8000}};
  m.learn_endpoint(f.src, "late-call", pcma, 100 * kMs);  // symmetric RTP: the sender's endpoint
  send(m, f, 5, 3, 200 * kMs, 8, 4);
  std::vector<StreamReport> r;
  m.snapshot(r);
  ASSERT_EQ(r.size(), 1u);
  ASSERT_TRUE(r[0].call_id.has_value());
  EXPECT_EQ(*r[0].call_id, "late-call");
}

TEST(MediaPlane, RtcpReportsApplyToTheirStreamWithRoundTrip) {
  RecordingSink sink;
  MediaPlane m(small_config(), &sink);
  const auto media = flow(1, 4000, 2, 5000);   // A -> B RTP
  const auto a_rtcp = flow(1, 4001, 2, 5001);  // A -> B RTCP
  send(m, media, 0xA, 5, 0);
  // A's SR: NTP 0x00001234'56780000 -> middle 32 bits 0x12345678.
  std::vector<uint8_t> sr = {0x80, 200, 0, 6};
  for (uint32_t w : {0xAu, 0x1234u, 0x56780000u, 800u, 5u, 800u}) test::put32(sr, w);
  ASSERT_EQ(m.on_rtcp(sr, a_rtcp, 1 * kSec), RtcpParseStatus::kOk);
  // B's RR about A 600 ms later, having held the SR 500 ms (DLSR 0x8000): RTT 100 ms.
  std::vector<uint8_t> rr = {0x81, 201, 0, 7};
  for (uint32_t w : {0xBu, 0xAu, (26u << 24) | 3u, 5u, 16u, 0x12345678u, 0x8000u})
    test::put32(rr, w);
  ASSERT_EQ(m.on_rtcp(rr, a_rtcp.reversed(), 1 * kSec + 600 * kMs), RtcpParseStatus::kOk);
  EXPECT_EQ(m.counters().rtcp_packets[size_t(RtcpType::kSr)].load(), 1u);
  EXPECT_EQ(m.counters().rtcp_packets[size_t(RtcpType::kRr)].load(), 1u);
  EXPECT_EQ(m.counters().rtcp_blocks_unmatched.load(), 0u);
  m.end_all();
  ASSERT_EQ(sink.ended.size(), 1u);
  EXPECT_NEAR(sink.ended[0].rtt_ms, 100.0, 0.01);
  EXPECT_EQ(sink.ended[0].reason, EndReason::kFlushed);
}

TEST(MediaPlane, ByeIsTheEndReasonAtTimeout) {
  RecordingSink sink;
  MediaPlane m(small_config(), &sink);
  send(m, flow(1, 4000, 2, 5000), 0xA, 3, 0);
  const auto bye =
      test::concat({test::rtcp_packet(201, 0, {0xA}), test::rtcp_packet(203, 1, {0xA})});
  m.on_rtcp(bye, flow(1, 4001, 2, 5001), 100 * kMs);
  m.expire(5 * kSec);
  ASSERT_EQ(sink.ended.size(), 1u);
  EXPECT_EQ(sink.ended[0].reason, EndReason::kBye);
  EXPECT_EQ(m.counters().streams_bye.load(), 1u);
}

TEST(MediaPlane, MalformedRtcpIsCountedByReason) {
  MediaPlane m(small_config());
  auto bad = test::rtcp_packet(201, 0, {1});
  bad.push_back(0x41);  // a stray non-zero byte: the lengths do not add up
  EXPECT_NE(m.on_rtcp(bad, flow(1, 1, 2, 2), 0), RtcpParseStatus::kOk);
  uint64_t invalid = 0;
  for (const auto& c : m.counters().rtcp_invalid) invalid += c.load();
  EXPECT_EQ(invalid, 1u);
  // Zero padding after the compound is accepted as Wireshark does, and counted.
  bad.back() = 0;
  EXPECT_EQ(m.on_rtcp(bad, flow(1, 1, 2, 2), 0), RtcpParseStatus::kOk);
  EXPECT_EQ(m.counters().rtcp_trailing_bytes.load(), 1u);
}

TEST(MediaPlane, TelephoneEventEndPacketsCountOneEvent) {
  MediaPlane m(small_config());
  const auto f = flow(1, 4000, 2, 5000);
  auto ev = [&](uint16_t seq, uint32_t ts, bool end) {
    auto p = rtp({.pt = 101, .seq = seq, .ts = ts, .payload_len = 4});
    p[12] = 5;  // digit 5
    p[13] = end ? 0x8a : 0x0a;
    m.on_rtp(p, f, seq * 20 * kMs);
  };
  ev(1, 800, false);
  ev(2, 800, false);
  ev(3, 800, true);
  ev(4, 800, true);
  ev(5, 800, true);
  ev(6, 2400, true);
  EXPECT_EQ(m.counters().dtmf_events.load(), 2u);
}

TEST(MediaPlane, LostCounterIsMonotonicDespiteDuplicates) {
  MediaPlane m(small_config());
  const auto f = flow(1, 4000, 2, 5000);
  for (uint16_t s : {1, 2, 5, 5, 5, 5}) m.on_rtp(rtp({.seq = s, .ts = s * 160u}), f, s * 20 * kMs);
  EXPECT_EQ(m.counters().rtp_lost.load(), 2u);  // reached 2 after seq 5, then went down to -1
  EXPECT_EQ(m.counters().rtp_packets.load(), 6u);
}

TEST(MediaPlane, MemoryPerStreamIsBoundedAndReported) {
  MediaPlane m(small_config(1 << 14));
  EXPECT_LE(m.bytes_per_stream(), 512u);
  EXPECT_GE(m.memory_bytes(), (1u << 14) * sizeof(StreamRecord));
}

TEST(MediaPlane, BurstPathGivesTheSameStreamsAsPerPacketPath) {
  const auto cap = rv::test::read_pcap(rv::test::test_data("generated/g711_impaired.pcap"));
  MediaPlane one(small_config(64));
  MediaPlane burst(small_config(64));
  std::vector<dataplane::FlowKey> keys;
  std::vector<RtpInput> inputs;
  keys.reserve(cap.frames.size());
  for (const auto& f : cap.frames) {
    dataplane::ParsedPacket p;
    if (dataplane::parse_frame(f.bytes, cap.link, p) != dataplane::ParseStatus::kOk) continue;
    const std::span<const uint8_t> payload(p.payload, p.payload_len);
    if (p.ip_proto != dataplane::kIpProtoUdp || !looks_like_rtp(payload)) continue;
    keys.push_back(dataplane::FlowKey::from(p));
    one.on_rtp(payload, keys.back(), f.timestamp_ns);
    inputs.push_back({payload, &keys.back(), f.timestamp_ns});
  }
  for (std::size_t i = 0; i < inputs.size(); i += 32) {
    const std::size_t n = std::min<std::size_t>(32, inputs.size() - i);
    EXPECT_EQ(burst.on_rtp_burst(std::span(inputs).subspan(i, n)), n);
  }
  std::vector<StreamReport> a;
  std::vector<StreamReport> b;
  one.snapshot(a);
  burst.snapshot(b);
  ASSERT_EQ(a.size(), 6u);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].ssrc, b[i].ssrc);
    EXPECT_EQ(a[i].packets, b[i].packets);
    EXPECT_EQ(a[i].lost, b[i].lost);
    EXPECT_EQ(a[i].jitter_mean_ms, b[i].jitter_mean_ms);
  }
}

TEST(MediaPlane, BurstThatEvictsKeepsCountsRight) {
  // Two slots, three streams interleaved in one burst: every packet lands on the right stream
  // or creates it, even when a slot looked up earlier in the burst was evicted meanwhile.
  RecordingSink sink;
  MediaPlane m(small_config(2), &sink);
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<dataplane::FlowKey> keys;
  for (int i = 0; i < 12; ++i) {
    keys.push_back(flow(1, static_cast<uint16_t>(4000 + 2 * (i % 3)), 2, 5000));
    bytes.push_back(
        rtp({.seq = static_cast<uint16_t>(i / 3), .ts = (i / 3) * 160u, .ssrc = uint32_t(i % 3)}));
  }
  std::vector<RtpInput> in;
  for (int i = 0; i < 12; ++i) in.push_back({bytes[i], &keys[i], uint64_t(i) * kMs});
  EXPECT_EQ(m.on_rtp_burst(in), 12u);
  uint64_t total = 0;
  for (const auto& e : sink.ended) total += e.packets;
  std::vector<StreamReport> live;
  m.snapshot(live);
  for (const auto& r : live) total += r.packets;
  EXPECT_EQ(total, 12u);
  EXPECT_EQ(m.active_streams(), 2u);
  EXPECT_EQ(m.counters().streams_evicted.load(), sink.ended.size());
}

// Issue 14 item 6 through the plane: one packet stamped before the first one must not turn a
// clean stream into jitter 2.2e12 ms and MOS 1.0.
TEST(MediaPlane, PacketStampedBeforeTheFirst_KeepsJitterAndMosSane) {
  RecordingSink sink;
  MediaPlane m(small_config(), &sink);
  const auto f = flow(1, 4000, 2, 5000);
  const uint64_t t0 = 10 * kSec;
  ASSERT_EQ(m.on_rtp(rtp({.pt = 8, .seq = 1, .ts = 0, .ssrc = 0x55}), f, t0), RtpParseStatus::kOk);
  ASSERT_EQ(m.on_rtp(rtp({.pt = 8, .seq = 2, .ts = 160, .ssrc = 0x55}), f, t0 - 5 * kMs),
            RtpParseStatus::kOk);
  for (uint16_t i = 3; i <= 100; ++i) {
    const auto p = rtp({.pt = 8, .seq = i, .ts = uint32_t((i - 1) * 160), .ssrc = 0x55});
    ASSERT_EQ(m.on_rtp(p, f, t0 + uint64_t(i - 1) * 20 * kMs), RtpParseStatus::kOk);
  }
  m.end_all();
  ASSERT_EQ(sink.ended.size(), 1u);
  EXPECT_LT(sink.ended[0].jitter_max_ms, 10.0f);
  EXPECT_LT(sink.ended[0].jitter_mean_ms, 10.0f);
  EXPECT_GE(sink.ended[0].mos_x10, 40);
}

TEST(Mos, DecreasesMonotonicallyWithLoss) {
  double prev = 5;
  for (double loss = 0; loss <= 50; loss += 1) {
    const double mos = estimate_mos({Codec::kPcma, loss, 2.0, -1});
    EXPECT_LT(mos, prev) << loss;
    prev = mos;
  }
  EXPECT_GT(estimate_mos({Codec::kPcma, 0, 0, -1}), 4.3);
  EXPECT_LT(estimate_mos({Codec::kG729, 0, 0, -1}), estimate_mos({Codec::kPcma, 0, 0, -1}));
  EXPECT_GE(estimate_mos({Codec::kPcma, 100, 500, 2000}), 1.0);
}

TEST(Mos, DelayBeyondG107KneeCostsMore) {
  const double near = estimate_mos({Codec::kPcma, 0, 0, 100});
  const double far = estimate_mos({Codec::kPcma, 0, 0, 600});
  EXPECT_LT(far, near - 0.2);
}

// --- media gaps -----------------------------------------------------------------------------

struct IntervalSink : RecordingSink {
  std::vector<StreamInterval> intervals;
  void on_stream_interval(const StreamInterval& e) noexcept override { intervals.push_back(e); }
};

// 10 s of PCMA every 20 ms, then the sender falls silent for 5.8 s (sequence numbers stay
// contiguous, RTP timestamps follow the wall clock: no loss, no jitter), then 10 s more.
// Returns the time of the last packet.
uint64_t send_with_gap(MediaPlane& m, const dataplane::FlowKey& f, uint64_t gap_ns) {
  uint64_t t = 0;
  uint32_t ts = 0;
  for (int i = 0; i < 1000; ++i) {
    if (i == 500) {
      t += gap_ns - 20 * kMs;
      ts += static_cast<uint32_t>((gap_ns - 20 * kMs) / 125'000);  // 8 kHz
    }
    const auto p = rtp({.pt = 8, .seq = static_cast<uint16_t>(1 + i), .ts = ts, .ssrc = 0x5858});
    EXPECT_EQ(m.on_rtp(p, f, t), RtpParseStatus::kOk);
    t += 20 * kMs;
    ts += 160;
  }
  return t - 20 * kMs;
}

TEST(MediaPlane, FiveSecondGap_IsCountedAndLowersTheMos) {
  RecordingSink gap_sink, clean_sink;
  MediaPlane gappy(small_config(), &gap_sink), clean(small_config(), &clean_sink);
  const auto f = flow(1, 4000, 2, 5000);
  const uint64_t last = send_with_gap(gappy, f, 5800 * kMs);
  send_with_gap(clean, f, 20 * kMs);  // the same stream without its gap
  gappy.end_all();
  clean.end_all();
  ASSERT_EQ(gap_sink.ended.size(), 1u);
  ASSERT_EQ(clean_sink.ended.size(), 1u);
  const StreamEnded& g = gap_sink.ended[0];
  EXPECT_EQ(g.lost, 0);
  EXPECT_EQ(g.packets, 1000u);
  EXPECT_NEAR(g.max_delta_ms, 5800.0, 0.01);
  EXPECT_EQ(g.gaps, 1u);
  EXPECT_NEAR(g.gap_ms, 5780.0, 0.01);  // beyond the 20 ms spacing
  EXPECT_EQ(g.last_ns, last);
  // Loss seen by the E-model: 5.78 s of 25.76 s = 22.4 % -> G.711 R 47.9 -> MOS 2.5.
  EXPECT_EQ(g.mos_x10, 25);
  EXPECT_EQ(clean_sink.ended[0].mos_x10, 44);
  EXPECT_EQ(clean_sink.ended[0].gaps, 0u);
  EXPECT_EQ(gappy.counters().rtp_gaps.load(), 1u);
  EXPECT_EQ(gappy.histograms().gap_seconds.count.load(), 1u);
  EXPECT_NEAR(gappy.histograms().gap_seconds.sum(), 5.8, 1e-6);
  EXPECT_EQ(gappy.histograms().max_delta_seconds.count.load(), 1u);
  EXPECT_NEAR(gappy.histograms().max_delta_seconds.sum(), 5.8, 1e-6);
  EXPECT_EQ(clean.counters().rtp_gaps.load(), 0u);
}

TEST(MediaPlane, DeltaBelowGapThreshold_IsNoGap) {
  RecordingSink sink;
  auto cfg = small_config();
  cfg.gap_ns = 300 * kMs;
  MediaPlane m(cfg, &sink);
  send_with_gap(m, flow(1, 4000, 2, 5000), 299 * kMs);
  m.end_all();
  ASSERT_EQ(sink.ended.size(), 1u);
  EXPECT_EQ(sink.ended[0].gaps, 0u);
  EXPECT_NEAR(sink.ended[0].max_delta_ms, 299.0, 0.01);
  EXPECT_EQ(sink.ended[0].mos_x10, 44);
}

TEST(MediaPlane, GapDetectionOff_KeepsTheSequenceOnlyMos) {
  RecordingSink sink;
  auto cfg = small_config();
  cfg.gap_ns = 0;
  MediaPlane m(cfg, &sink);
  send_with_gap(m, flow(1, 4000, 2, 5000), 5800 * kMs);
  m.end_all();
  ASSERT_EQ(sink.ended.size(), 1u);
  EXPECT_EQ(sink.ended[0].gaps, 0u);
  EXPECT_EQ(sink.ended[0].mos_x10, 44);
}

TEST(MediaPlane, IntervalReport_CarriesTheGapWhileTheStreamRuns) {
  IntervalSink sink;
  auto cfg = small_config();
  cfg.media_timeout_ns = 30 * kSec;
  cfg.interval_ns = 20 * kSec;
  MediaPlane m(cfg, &sink);
  const uint64_t last = send_with_gap(m, flow(1, 4000, 2, 5000), 5800 * kMs);
  m.expire(last);  // 25.76 s after the first packet: one interval due
  ASSERT_EQ(sink.intervals.size(), 1u);
  const StreamInterval& iv = sink.intervals[0];
  EXPECT_EQ(iv.gaps, 1u);
  EXPECT_NEAR(iv.gap_ms, 5780.0, 0.01);
  EXPECT_NEAR(iv.max_delta_ms, 5800.0, 0.01);
  EXPECT_EQ(iv.mos_x10, 25);
  EXPECT_TRUE(sink.ended.empty());
}

TEST(MediaPlane, RtcpReceiverReports_AreCountedAndObserved) {
  MediaPlane m(small_config());
  const auto media = flow(1, 4000, 2, 5000);
  const auto a_rtcp = flow(1, 4001, 2, 5001);
  send(m, media, 0xA, 5, 0);
  std::vector<uint8_t> sr = {0x80, 200, 0, 6};
  for (uint32_t w : {0xAu, 0x1234u, 0x56780000u, 800u, 5u, 800u}) test::put32(sr, w);
  ASSERT_EQ(m.on_rtcp(sr, a_rtcp, 1 * kSec), RtcpParseStatus::kOk);
  // Two RRs about A: cumulative lost 3 then 5 (fraction 26/256, then 0), jitter 16 then 80
  // timestamp units (2 ms, then 10 ms at 8 kHz); the first echoes the SR: RTT 100 ms.
  const auto rr = [](uint32_t fraction_cumulative, uint32_t jitter, uint32_t lsr, uint32_t dlsr) {
    std::vector<uint8_t> p = {0x81, 201, 0, 7};
    for (uint32_t w : {0xBu, 0xAu, fraction_cumulative, 5u, jitter, lsr, dlsr}) test::put32(p, w);
    return p;
  };
  ASSERT_EQ(m.on_rtcp(rr((26u << 24) | 3u, 16, 0x12345678u, 0x8000u), a_rtcp.reversed(),
                      1 * kSec + 600 * kMs),
            RtcpParseStatus::kOk);
  ASSERT_EQ(m.on_rtcp(rr(5u, 80, 0, 0), a_rtcp.reversed(), 2 * kSec), RtcpParseStatus::kOk);
  EXPECT_EQ(m.counters().rtcp_reported_lost.load(), 5u);
  const MediaHistograms& h = m.histograms();
  EXPECT_EQ(h.rtcp_fraction_lost.count.load(), 2u);
  EXPECT_NEAR(h.rtcp_fraction_lost.sum(), 26.0 / 256, 1e-5);
  EXPECT_EQ(h.rtcp_fraction_lost.buckets[0].load(), 1u);  // le=0: the second report
  EXPECT_EQ(h.rtcp_jitter_seconds.count.load(), 2u);
  EXPECT_NEAR(h.rtcp_jitter_seconds.sum(), 0.012, 1e-6);
  EXPECT_EQ(h.rtcp_rtt_seconds.count.load(), 1u);
  EXPECT_NEAR(h.rtcp_rtt_seconds.sum(), 0.1, 1e-5);
}

}  // namespace
}  // namespace rv::planes::media
