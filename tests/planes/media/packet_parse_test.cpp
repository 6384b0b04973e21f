// RTP header validation and RTCP compound parsing.

#include <gtest/gtest.h>

#include "planes/media/rtcp_packet.hpp"
#include "planes/media/rtp_packet.hpp"
#include "tests/planes/media/packet_builder.hpp"

namespace rv::planes::media {
namespace {

using test::concat;
using test::rtcp_packet;
using test::rtp;
using test::RtpSpec;

TEST(RtpParse, FixedHeaderFields) {
  const auto p =
      rtp({.pt = 8, .seq = 0xabcd, .ts = 0x01020304, .ssrc = 0xdeadbeef, .marker = true});
  RtpHeader h;
  ASSERT_EQ(parse_rtp(p, h), RtpParseStatus::kOk);
  EXPECT_EQ(h.payload_type, 8);
  EXPECT_TRUE(h.marker);
  EXPECT_EQ(h.seq, 0xabcd);
  EXPECT_EQ(h.timestamp, 0x01020304u);
  EXPECT_EQ(h.ssrc, 0xdeadbeefu);
  EXPECT_EQ(h.header_len, 12);
  EXPECT_EQ(h.payload_len, 160u);
  EXPECT_TRUE(looks_like_rtp(p));
}

TEST(RtpParse, CsrcExtensionAndPaddingAreSkipped) {
  const auto p = rtp({.pt = 0,
                      .csrc_count = 2,
                      .extension = true,
                      .ext_words = 3,
                      .padding = 4,
                      .payload_len = 20});
  RtpHeader h;
  ASSERT_EQ(parse_rtp(p, h), RtpParseStatus::kOk);
  EXPECT_EQ(h.header_len, 12 + 8 + 4 + 12);
  EXPECT_EQ(h.padding_len, 4);
  EXPECT_EQ(h.payload_len, 20u);
  EXPECT_EQ(h.ext_profile, 0xbede);
}

TEST(RtpParse, RejectsWhatIsNotRtp) {
  RtpHeader h;
  auto p = rtp({});
  EXPECT_EQ(parse_rtp(std::span(p).first(11), h), RtpParseStatus::kTooShort);
  p[0] = 0x40;  // version 1
  EXPECT_EQ(parse_rtp(p, h), RtpParseStatus::kBadVersion);
  auto csrc = rtp({.payload_len = 8});
  csrc[0] |= 0x0f;  // 15 CSRCs announced, 8 bytes follow
  EXPECT_EQ(parse_rtp(csrc, h), RtpParseStatus::kCsrcOverrun);
  auto ext = rtp({.extension = true, .ext_words = 0, .payload_len = 0});
  ext[15] = 10;  // extension length 10 words, nothing follows
  EXPECT_EQ(parse_rtp(ext, h), RtpParseStatus::kExtOverrun);
  auto pad = rtp({.payload_len = 4});
  pad[0] |= 0x20;
  pad.back() = 200;  // padding longer than the payload
  EXPECT_EQ(parse_rtp(pad, h), RtpParseStatus::kBadPadding);
  pad.back() = 0;
  EXPECT_EQ(parse_rtp(pad, h), RtpParseStatus::kBadPadding);
  // An RTCP SR (200) read as RTP is marker + payload type 72.
  const auto sr = rtcp_packet(200, 0, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(parse_rtp(sr, h), RtpParseStatus::kRtcpPayloadType);
  EXPECT_FALSE(looks_like_rtp(sr));
}

TEST(RtpParse, HeuristicRefusesUnassignedTypesAndEmptyPayloads) {
  EXPECT_FALSE(looks_like_rtp(rtp({.pt = 50})));
  EXPECT_FALSE(looks_like_rtp(rtp({.pt = 8, .payload_len = 0})));
  EXPECT_TRUE(looks_like_rtp(rtp({.pt = 101, .payload_len = 4})));
  const std::string sip = "INVITE sip:bob@example.com SIP/2.0\r\n";
  EXPECT_FALSE(looks_like_rtp(std::span(reinterpret_cast<const uint8_t*>(sip.data()), sip.size())));
}

std::vector<uint8_t> report_block(uint32_t ssrc, uint8_t fraction, int32_t cum, uint32_t lsr,
                                  uint32_t dlsr) {
  std::vector<uint8_t> v;
  test::put32(v, ssrc);
  test::put32(v, (uint32_t{fraction} << 24) | (static_cast<uint32_t>(cum) & 0xffffff));
  test::put32(v, 70000);
  test::put32(v, 42);
  test::put32(v, lsr);
  test::put32(v, dlsr);
  return v;
}

std::vector<uint8_t> rr_with_block(uint32_t reporter, const std::vector<uint8_t>& block) {
  std::vector<uint8_t> v = {0x81, 201, 0, 7};
  test::put32(v, reporter);
  v.insert(v.end(), block.begin(), block.end());
  return v;
}

TEST(RtcpParse, CompoundSrSdesByeWithReportBlock) {
  std::vector<uint8_t> sr = {0x81, 200, 0, 12};
  test::put32(sr, 0xaaaa0001);
  for (uint32_t w : {0x11111111u, 0x22222222u, 1000u, 50u, 8000u}) test::put32(sr, w);
  const auto block = report_block(0xbbbb0002, 64, -3, 0x11112222, 0x8000);
  sr.insert(sr.end(), block.begin(), block.end());
  const auto d = concat({sr, rtcp_packet(202, 1, {0xaaaa0001, 0x01046a6f, 0x65000000}),
                         rtcp_packet(203, 1, {0xaaaa0001})});
  RtcpCompound c;
  ASSERT_EQ(parse_rtcp(d, c), RtcpParseStatus::kOk);
  EXPECT_EQ(c.packet_count, 3);
  EXPECT_EQ(c.by_type[size_t(RtcpType::kSr)], 1);
  EXPECT_EQ(c.by_type[size_t(RtcpType::kSdes)], 1);
  EXPECT_EQ(c.by_type[size_t(RtcpType::kBye)], 1);
  ASSERT_TRUE(c.has_sr);
  EXPECT_EQ(c.sr_ssrc, 0xaaaa0001u);
  EXPECT_EQ(c.sr.ntp, 0x1111111122222222ull);
  EXPECT_EQ(c.sr.packet_count, 50u);
  ASSERT_EQ(c.block_count, 1);
  EXPECT_EQ(c.blocks[0].ssrc, 0xbbbb0002u);
  EXPECT_EQ(c.blocks[0].fraction_lost, 64);
  EXPECT_EQ(c.blocks[0].cumulative_lost, -3);
  EXPECT_EQ(c.blocks[0].lsr, 0x11112222u);
  EXPECT_EQ(c.block_reporter[0], 0xaaaa0001u);
  EXPECT_TRUE(c.has_bye);
  EXPECT_EQ(c.bye_ssrc, 0xaaaa0001u);
  EXPECT_TRUE(looks_like_rtcp(d));
}

TEST(RtcpParse, XrAppAndFeedbackAreCounted) {
  const auto d = concat({rr_with_block(1, report_block(2, 0, 0, 0, 0)),
                         rtcp_packet(207, 0, {1, 0x04000002, 0, 0}),
                         rtcp_packet(204, 0, {1, 0x41424344}), rtcp_packet(206, 1, {1, 2})});
  RtcpCompound c;
  ASSERT_EQ(parse_rtcp(d, c), RtcpParseStatus::kOk);
  EXPECT_EQ(c.by_type[size_t(RtcpType::kRr)], 1);
  EXPECT_EQ(c.by_type[size_t(RtcpType::kXr)], 1);
  EXPECT_EQ(c.by_type[size_t(RtcpType::kApp)], 1);
  EXPECT_EQ(c.by_type[size_t(RtcpType::kPsfb)], 1);
}

TEST(RtcpParse, LengthsMustAddUp_StrayNonRtcpBytesAfterTheCompoundAreTolerated) {
  auto d = concat({rr_with_block(1, report_block(2, 0, 0, 0, 0)), rtcp_packet(202, 0, {})});
  RtcpCompound c;
  ASSERT_EQ(parse_rtcp(d, c), RtcpParseStatus::kOk);
  EXPECT_EQ(c.trailing_bytes, 0);
  // Two stray zero bytes (heplify_rtp_rtcp_sip_ipv4_udp.pcap frames 529, 2644): tshark shows
  // the compound as RTCP.
  auto longer = d;
  longer.push_back(0);
  longer.push_back(0);
  ASSERT_EQ(parse_rtcp(longer, c), RtcpParseStatus::kOk);
  EXPECT_EQ(c.trailing_bytes, 2);
  EXPECT_EQ(c.packet_count, 2);
  EXPECT_TRUE(looks_like_rtcp(longer, true));  // on an SDP-announced endpoint
  EXPECT_FALSE(looks_like_rtcp(longer));       // the heuristic wants exact lengths
  // Stray bytes alone are no compound.
  EXPECT_NE(parse_rtcp(std::vector<uint8_t>{0, 0, 0, 0}, c), RtcpParseStatus::kOk);
  auto cut = d;
  cut.resize(cut.size() - 2);  // half a header left over
  EXPECT_EQ(parse_rtcp(cut, c), RtcpParseStatus::kTooShort);
  auto overstated = d;
  overstated[3] = 20;  // RR claims 21 words: runs past the datagram
  EXPECT_EQ(parse_rtcp(overstated, c), RtcpParseStatus::kLengthMismatch);
  auto understated = d;
  understated[3] = 6;  // RR one word short: the next "packet" starts inside its report block
  EXPECT_NE(parse_rtcp(understated, c), RtcpParseStatus::kOk);
}

TEST(RtcpParse, RejectsBadTypesCountsAndPadding) {
  RtcpCompound c;
  EXPECT_EQ(parse_rtcp(rtcp_packet(202, 0, {}), c), RtcpParseStatus::kOk);  // SDES first: allowed
  EXPECT_EQ(parse_rtcp(rtcp_packet(195, 0, {}), c), RtcpParseStatus::kBadFirstType);
  EXPECT_EQ(parse_rtcp(concat({rtcp_packet(201, 0, {1}), rtcp_packet(100, 0, {})}), c),
            RtcpParseStatus::kBadType);
  EXPECT_EQ(parse_rtcp(rtcp_packet(201, 2, {1, 2, 3}), c), RtcpParseStatus::kBadReportCount);
  auto padded_first = concat({rtcp_packet(201, 0, {1}), rtcp_packet(202, 0, {})});
  padded_first[0] |= 0x20;
  EXPECT_EQ(parse_rtcp(padded_first, c), RtcpParseStatus::kBadPadding);
  auto v1 = rtcp_packet(201, 0, {1});
  v1[0] = 0x40;
  EXPECT_EQ(parse_rtcp(v1, c), RtcpParseStatus::kBadVersion);
  EXPECT_EQ(parse_rtcp(std::span<const uint8_t>(), c), RtcpParseStatus::kTooShort);
}

}  // namespace
}  // namespace rv::planes::media
