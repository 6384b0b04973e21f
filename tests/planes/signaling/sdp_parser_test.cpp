// SDP: session/media c=, every m= with port and payload types, rtpmap clock rates, bounds.
#include "planes/signaling/sdp_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rv::planes::signaling {
namespace {

TEST(SdpParser, SessionAddress_IsInheritedAndMediaLevelOverrides) {
  const std::string body =
      "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
      "m=audio 49170 RTP/AVP 0 8 97 101\r\n"
      "a=rtpmap:97 opus/48000/2\r\n"
      "a=rtpmap:101 telephone-event/8000\r\n"
      "a=sendonly\r\n"
      "m=video 51372 RTP/AVP 96\r\n"
      "c=IN IP6 2001:db8::7\r\n"
      "a=rtpmap:96 H264/90000\r\n";
  SdpSession s;
  ASSERT_EQ(parse_sdp(body, s), SdpStatus::kOk);
  ASSERT_EQ(s.media_count, 2);
  const SdpMedia& a = s.media[0];
  EXPECT_EQ(a.kind, SdpMediaKind::kAudio);
  EXPECT_EQ(a.port, 49170);
  EXPECT_EQ(a.proto, "RTP/AVP");
  ASSERT_EQ(a.format_count, 4);
  EXPECT_EQ(a.formats[2], 97);
  EXPECT_EQ(a.addr.family, dataplane::L3Proto::kIpv4);
  EXPECT_EQ(a.addr.bytes[3], 10);
  EXPECT_EQ(a.direction, SdpDirection::kSendOnly);
  ASSERT_NE(a.rtpmap(97), nullptr);
  EXPECT_EQ(a.rtpmap(97)->encoding, "opus");
  EXPECT_EQ(a.rtpmap(97)->clock_rate, 48000u);
  EXPECT_EQ(a.rtpmap(97)->channels, 2);
  EXPECT_EQ(a.rtpmap(101)->clock_rate, 8000u);
  EXPECT_EQ(a.rtpmap(0), nullptr);  // static: see static_payload_type
  EXPECT_EQ(static_payload_type(0).clock_rate, 8000u);
  EXPECT_EQ(static_payload_type(8).encoding, "PCMA");
  EXPECT_EQ(static_payload_type(9).encoding, "G722");
  const SdpMedia& v = s.media[1];
  EXPECT_EQ(v.kind, SdpMediaKind::kVideo);
  EXPECT_EQ(v.addr.family, dataplane::L3Proto::kIpv6);
  EXPECT_EQ(v.addr.bytes[0], 0x20);
  EXPECT_EQ(v.addr.bytes[15], 7);
  EXPECT_EQ(v.rtpmap(96)->clock_rate, 90000u);
}

TEST(SdpParser, LfOnlyLinesPortZeroAndNonRtpFormats) {
  SdpSession s;
  ASSERT_EQ(parse_sdp("v=0\nc=IN IP4 10.0.0.1/127\nm=audio 0 RTP/AVP 0\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\n", s),
            SdpStatus::kOk);
  ASSERT_EQ(s.media_count, 2);
  EXPECT_EQ(s.media[0].port, 0);  // rejected stream
  EXPECT_EQ(s.media[0].addr.bytes[0], 10);
  EXPECT_EQ(s.media[1].kind, SdpMediaKind::kOther);
  EXPECT_EQ(s.media[1].format_count, 0);
}

TEST(SdpParser, Bounds_ExtraMediaFormatsAndRtpmapsAreCounted) {
  std::string body = "v=0\r\nc=IN IP4 192.0.2.1\r\n";
  for (int i = 0; i < 6; ++i) {
    body += "m=audio ";
    body += std::to_string(4000 + 2 * i);
    body += " RTP/AVP 0\r\n";
  }
  body += "m=audio 5000 RTP/AVP";
  for (int pt = 96; pt < 116; ++pt) {
    body += ' ';
    body += std::to_string(pt);
  }
  body += "\r\n";
  SdpSession s;
  ASSERT_EQ(parse_sdp(body, s), SdpStatus::kOk);
  EXPECT_EQ(s.media_count, SdpSession::kMaxMedia);
  EXPECT_EQ(s.truncated, 3u);  // 2 extra m= lines + the one with 20 formats is dropped whole
  std::string many = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 5000 RTP/AVP";
  for (int pt = 96; pt < 116; ++pt) {
    many += ' ';
    many += std::to_string(pt);
  }
  many += "\r\n";
  for (int pt = 96; pt < 106; ++pt) {
    many += "a=rtpmap:";
    many += std::to_string(pt);
    many += " X/8000\r\n";
  }
  ASSERT_EQ(parse_sdp(many, s), SdpStatus::kOk);
  EXPECT_EQ(s.media[0].format_count, SdpMedia::kMaxFormats);
  EXPECT_EQ(s.media[0].rtpmap_count, SdpMedia::kMaxRtpMaps);
  EXPECT_EQ(s.truncated, 4u + 2u);
}

TEST(SdpParser, BadInput_IsRejected) {
  SdpSession s;
  EXPECT_EQ(parse_sdp("", s), SdpStatus::kNotSdp);
  EXPECT_EQ(parse_sdp("<xml/>", s), SdpStatus::kNotSdp);
  EXPECT_EQ(parse_sdp("v=0\r\nc=IN IP4 999.1.1.1\r\n", s), SdpStatus::kBadConnection);
  EXPECT_EQ(parse_sdp("v=0\r\nc=IN IP4\r\n", s), SdpStatus::kBadConnection);
  EXPECT_EQ(parse_sdp("v=0\r\nm=audio 70000 RTP/AVP 0\r\n", s), SdpStatus::kBadMedia);
  EXPECT_EQ(parse_sdp("v=0\r\nm=audio x RTP/AVP 0\r\n", s), SdpStatus::kBadMedia);
  // Every prefix of a real body is handled without reading past it.
  const std::string body = "v=0\r\nc=IN IP6 2001:db8::1\r\nm=audio 49170 RTP/AVP 0 97\r\na=rtpmap:97 opus/48000/2\r\n";
  for (std::size_t n = 0; n <= body.size(); ++n) {
    const std::string cut = body.substr(0, n);
    (void)parse_sdp(cut, s);
  }
}

}  // namespace
}  // namespace rv::planes::signaling
