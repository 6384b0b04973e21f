// Sequence, loss and jitter accounting of one stream (RtpStats).

#include "planes/media/rtp_stats.hpp"

#include <gtest/gtest.h>

#include <initializer_list>

namespace rv::planes::media {
namespace {

constexpr uint64_t kMs = 1'000'000;

// Feeds packets 20 ms apart (160 timestamp units at 8 kHz) with the given sequence numbers;
// the timestamp follows the sequence number, arrival follows the position.
RtpStats feed(std::initializer_list<int> seqs, uint32_t ts0 = 1000) {
  RtpStats st;
  bool first = true;
  uint64_t t = 5 * kMs;
  const int base = *seqs.begin();
  for (int s : seqs) {
    RtpSample p;
    p.seq = static_cast<uint16_t>(s);
    p.timestamp = ts0 + static_cast<uint32_t>(((s - base) & 0xffff) * 160);
    p.arrival_ns = t;
    p.clock_rate = 8000;
    if (first) {
      st.start(p);
    } else {
      st.update(p);
    }
    first = false;
    t += 20 * kMs;
  }
  return st;
}

TEST(RtpStats, InOrderStreamHasNoLossAndNoJitter) {
  const RtpStats st = feed({10, 11, 12, 13, 14});
  EXPECT_EQ(st.packets(), 5u);
  EXPECT_EQ(st.expected(), 5);
  EXPECT_EQ(st.lost(), 0);
  EXPECT_EQ(st.duplicates(), 0u);
  EXPECT_EQ(st.reordered(), 0u);
  EXPECT_DOUBLE_EQ(st.jitter_max_ms(), 0.0);
  EXPECT_TRUE(st.validated());
}

TEST(RtpStats, GapCountsAsLost) {
  const RtpStats st = feed({1, 2, 3, 7, 8});
  EXPECT_EQ(st.expected(), 8);
  EXPECT_EQ(st.lost(), 3);
}

TEST(RtpStats, DuplicatesMakeLossNegativeAndAreCounted) {
  const RtpStats st = feed({1, 2, 3, 3, 3});
  EXPECT_EQ(st.packets(), 5u);
  EXPECT_EQ(st.expected(), 3);
  EXPECT_EQ(st.lost(), -2);
  EXPECT_EQ(st.duplicates(), 2u);
}

TEST(RtpStats, LatePacketIsReorderedNotDuplicate) {
  const RtpStats st = feed({1, 2, 4, 3, 5, 6});
  EXPECT_EQ(st.reordered(), 1u);
  EXPECT_EQ(st.duplicates(), 0u);
  EXPECT_EQ(st.lost(), 0);
}

TEST(RtpStats, SequenceWrapIsOneCycle) {
  const RtpStats st = feed({65533, 65534, 65535, 0, 1, 2});
  EXPECT_EQ(st.expected(), 6);
  EXPECT_EQ(st.lost(), 0);
  EXPECT_EQ(st.ext_highest_seq(), 65536u + 2);
}

TEST(RtpStats, SequenceWrapWithLossAcrossIt) {
  const RtpStats st = feed({65534, 65535, 2, 3});
  EXPECT_EQ(st.expected(), 6);
  EXPECT_EQ(st.lost(), 2);
}

TEST(RtpStats, TimestampWrapKeepsJitterAtZero) {
  // 160-unit steps crossing 2^32: unwrapped, the nominal spacing stays 20 ms.
  const RtpStats st = feed({1, 2, 3, 4, 5, 6}, 0xffffffffu - 400);
  EXPECT_EQ(st.lost(), 0);
  EXPECT_NEAR(st.jitter_max_ms(), 0.0, 1e-9);
}

TEST(RtpStats, ProbationNeedsTwoSequentialPackets) {
  RtpStats st;
  RtpSample p;
  p.seq = 100;
  p.clock_rate = 8000;
  st.start(p);
  EXPECT_FALSE(st.validated());
  p.seq = 300;  // not sequential: probation restarts
  st.update(p);
  EXPECT_FALSE(st.validated());
  p.seq = 301;
  st.update(p);
  EXPECT_TRUE(st.validated());
}

TEST(RtpStats, TwoLargeJumpsInARowResetTheSequence) {
  RtpStats st = feed({1, 2, 3});
  RtpSample p;
  p.clock_rate = 8000;
  p.seq = 40000;
  st.update(p);
  EXPECT_EQ(st.seq_resets(), 0u);
  p.seq = 40001;
  st.update(p);
  EXPECT_EQ(st.seq_resets(), 1u);
}

TEST(RtpStats, JitterFollowsRfc3550Estimator) {
  // Second packet 4 ms late: D = 4, J = 4/16 = 0.25 ms; third on time relative to the second
  // (D = 4 - 4 ... arrival 40 ms vs expected 24 + 20 = 44 -> D = 4): J = (15*0.25 + 4)/16.
  RtpStats st;
  RtpSample p;
  p.clock_rate = 8000;
  p.seq = 1;
  p.timestamp = 0;
  p.arrival_ns = 0;
  st.start(p);
  p.seq = 2;
  p.timestamp = 160;
  p.arrival_ns = 24 * kMs;
  st.update(p);
  EXPECT_NEAR(st.jitter_ms(), 0.25, 1e-9);
  p.seq = 3;
  p.timestamp = 320;
  p.arrival_ns = 40 * kMs;
  st.update(p);
  EXPECT_NEAR(st.jitter_ms(), (15 * 0.25 + 4) / 16, 1e-9);
  EXPECT_NEAR(st.jitter_max_ms(), (15 * 0.25 + 4) / 16, 1e-9);
  // Wireshark's mean: packets 2 and 3 regular, divisor = packets before each (1, 2).
  const double m2 = 0.25;
  const double m3 = (m2 * 1 + (15 * 0.25 + 4) / 16) / 2;
  EXPECT_NEAR(st.jitter_mean_ms(), m3, 1e-9);
}

TEST(RtpStats, UnknownClockRateGivesNoJitter) {
  RtpStats st;
  RtpSample p;
  p.clock_rate = 0;
  p.seq = 1;
  st.start(p);
  p.seq = 2;
  p.arrival_ns = 37 * kMs;
  p.timestamp = 5;
  st.update(p);
  EXPECT_EQ(st.jitter_mean_ms(), 0.0);
  EXPECT_EQ(st.jitter_max_ms(), 0.0);
}

TEST(RtpStats, MarkerAndComfortNoisePacketsStayOutOfMaxJitter) {
  RtpStats st;
  RtpSample p;
  p.clock_rate = 8000;
  p.seq = 1;
  st.start(p);
  p.seq = 2;
  p.timestamp = 160;
  p.arrival_ns = 60 * kMs;  // 40 ms late, but marked (talkspurt start)
  p.marker = true;
  st.update(p);
  EXPECT_GT(st.jitter_ms(), 2.0);
  EXPECT_EQ(st.jitter_max_ms(), 0.0);
}

// Issue 14 item 6: a packet stamped before the stream's first packet (a capture clock that
// steps back, merged captures) underflowed the unsigned arrival delta: jitter 2.2e12 ms, MOS 1.
// Times are signed as in RFC 3550 A.8 and Wireshark: it is 10 ms of jitter like any other.
TEST(RtpStats, ArrivalBeforeTheFirstPacket_IsSignedNotAnUnderflow) {
  RtpStats st;
  RtpSample p;
  p.clock_rate = 8000;
  p.seq = 1;
  p.timestamp = 1000;
  p.arrival_ns = 1000 * kMs;
  st.start(p);
  p.seq = 2;
  p.timestamp = 1160;           // 20 ms of media later...
  p.arrival_ns = 990 * kMs;     // ...stamped 10 ms before the first packet
  st.update(p);
  // D = |-10 - (0 + 20 - 0)| = 30 ms; J = 30 / 16.
  EXPECT_DOUBLE_EQ(st.jitter_ms(), 30.0 / 16);
  EXPECT_DOUBLE_EQ(st.jitter_max_ms(), 30.0 / 16);
  for (uint16_t i = 3; i <= 50; ++i) {
    p.seq = i;
    p.timestamp = 1000 + (i - 1) * 160u;
    p.arrival_ns = (1000 + (i - 1) * 20) * kMs;
    st.update(p);
  }
  EXPECT_LT(st.jitter_max_ms(), 10.0);
  EXPECT_LT(st.jitter_mean_ms(), 10.0);
  EXPECT_EQ(st.lost(), 0);
}

}  // namespace
}  // namespace rv::planes::media
