// The OSS-Fuzz seed corpora of PJSIP (tests/data/fuzz/pjproject, from ../shared/data/fuzz) run
// through our parsers and planes, whole, cut at every length, and with every byte flipped: a
// small deterministic fuzz pass that must never crash or read out of bounds. scripts/test.sh
// also runs it under AddressSanitizer + UBSan.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "planes/media/media_plane.hpp"
#include "planes/media/rtcp_packet.hpp"
#include "planes/media/rtp_packet.hpp"
#include "planes/signaling/sdp_parser.hpp"
#include "planes/signaling/signaling_plane.hpp"
#include "planes/signaling/sip_parser.hpp"
#include "rv_build_config.hpp"

namespace rv::planes {
namespace {

std::vector<std::vector<uint8_t>> corpus(const std::string& kind) {
  const auto dir = std::filesystem::path(RV_SOURCE_DIR) / "tests/data/fuzz/pjproject" / kind;
  std::vector<std::vector<uint8_t>> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

// Calls `f` on the input, every prefix, and every single-byte flip (0xFF xor) of it. Each
// variant lives in its own exact-size heap buffer, so an over-read is an ASan error.
template <typename F>
std::size_t mutate(const std::vector<uint8_t>& seed, F&& f) {
  std::size_t runs = 0;
  for (std::size_t len = 0; len <= seed.size(); ++len) {
    std::vector<uint8_t> cut(seed.begin(), seed.begin() + static_cast<std::ptrdiff_t>(len));
    f(std::span<const uint8_t>(cut));
    ++runs;
  }
  for (std::size_t i = 0; i < seed.size(); ++i) {
    std::vector<uint8_t> flipped = seed;
    flipped[i] ^= 0xFF;
    f(std::span<const uint8_t>(flipped));
    ++runs;
  }
  return runs;
}

dataplane::FlowKey flow() {
  const uint8_t a[4] = {10, 0, 0, 1};
  const uint8_t b[4] = {10, 0, 0, 2};
  return {{dataplane::IpAddress::v4(a), 40000}, {dataplane::IpAddress::v4(b), 5060},
          dataplane::kIpProtoUdp};
}

TEST(SeedCorpus, SipMessages_ParseAndTrackWithoutCrashing) {
  signaling::SignalingPlaneConfig cfg;
  cfg.max_calls = 256;
  cfg.max_tcp_streams = 16;
  signaling::SignalingPlane plane(cfg);
  signaling::SipMessage msg;
  std::size_t parsed_whole = 0;
  std::size_t seeds = 0;
  for (const char* kind : {"fuzz-sip", "fuzz-sip-dialog"}) {
    for (const auto& seed : corpus(kind)) {
      ++seeds;
      if (signaling::parse_sip_message(seed, signaling::SipTransport::kUdp, msg) ==
          signaling::SipParseStatus::kOk) {
        ++parsed_whole;
      }
      uint64_t ts = 1'000'000'000;
      mutate(seed, [&](std::span<const uint8_t> v) {
        (void)signaling::looks_like_sip_start_line(v);
        (void)signaling::parse_sip_message(v, signaling::SipTransport::kUdp, msg);
        (void)signaling::parse_sip_message(v, signaling::SipTransport::kTcp, msg);
        ts += 1000;
        plane.on_payload(v, flow(), false, 0, 0, ts);
        plane.on_payload(v, flow(), true, static_cast<uint32_t>(ts), 0x18, ts);
      });
    }
  }
  EXPECT_GE(seeds, 18u);
  // Most PJSIP seeds end lines with a bare LF or CR (PJSIP is lenient); RFC 3261 wants CRLF and
  // so does our parser, which rejects them with a counted reason. The CRLF seeds parse whole.
  EXPECT_GE(parsed_whole, 3u);
  plane.expire(UINT64_MAX / 2);
  EXPECT_LE(plane.counters().calls_in_table.load(), 256u);
}

TEST(SeedCorpus, SdpBodies_ParseWithoutCrashing) {
  const auto seeds = corpus("fuzz-sdp");
  for (const auto& seed : seeds) {
    signaling::SdpSession s;
    const std::string_view whole(reinterpret_cast<const char*>(seed.data()), seed.size());
    // The seeds name hosts in c= ("IN IP4 host.anywhere.com") and mix line endings: a passive
    // probe cannot resolve names, so such bodies are refused with a reason; none may crash.
    (void)signaling::parse_sdp(whole, s);
    mutate(seed, [&](std::span<const uint8_t> v) {
      signaling::SdpSession out;
      (void)signaling::parse_sdp(std::string_view(reinterpret_cast<const char*>(v.data()), v.size()), out);
    });
  }
  EXPECT_EQ(seeds.size(), 6u);
}

TEST(SeedCorpus, RtpAndRtcp_ParseAndUpdateStreamsWithoutCrashing) {
  media::MediaPlaneConfig cfg;
  cfg.max_streams = 64;
  media::MediaPlane plane(cfg);
  uint64_t ts = 1'000'000'000;
  std::size_t runs = 0;
  for (const char* kind : {"fuzz-rtp", "fuzz-rtcp"}) {
    for (const auto& seed : corpus(kind)) {
      runs += mutate(seed, [&](std::span<const uint8_t> v) {
        media::RtpHeader h;
        media::RtcpCompound c;
        (void)media::parse_rtp(v, h);
        (void)media::parse_rtcp(v, c);
        (void)media::looks_like_rtp(v);
        (void)media::looks_like_rtcp(v);
        plane.on_rtp(v, flow(), ts += 20'000'000);
        plane.on_rtcp(v, flow(), ts += 1'000'000);
      });
    }
  }
  EXPECT_GT(runs, 1000u);
  plane.expire(UINT64_MAX / 2);
  EXPECT_EQ(plane.active_streams(), 0u);
}

}  // namespace
}  // namespace rv::planes
