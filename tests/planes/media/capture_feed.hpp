#pragma once
// Test helper: replays a capture into a MediaPlane the way the transport classifier would
// (UDP only; RTCP by the strict compound check, then RTP by the strict header check; SIP and
// other text never passes either since ASCII letters give RTP version 1).

#include <cstdint>
#include <string>

#include "dataplane/packet_parser.hpp"
#include "planes/media/media_plane.hpp"
#include "tests/support/pcap_file.hpp"

namespace rv::planes::media {

struct FeedStats {
  uint64_t rtp = 0;
  uint64_t rtcp = 0;
  uint64_t last_ns = 0;
};

inline FeedStats feed_capture(MediaPlane& plane, const std::string& path) {
  FeedStats fs;
  const test::PcapFile cap = test::read_pcap(path);
  for (const test::PcapFrame& f : cap.frames) {
    dataplane::ParsedPacket p;
    if (dataplane::parse_frame(f.bytes, cap.link, p) != dataplane::ParseStatus::kOk) continue;
    if (p.ip_proto != dataplane::kIpProtoUdp) continue;
    const std::span<const uint8_t> payload(p.payload, p.payload_len);
    const dataplane::FlowKey key = dataplane::FlowKey::from(p);
    if (looks_like_rtcp(payload)) {
      plane.on_rtcp(payload, key, f.timestamp_ns);
      ++fs.rtcp;
    } else if (looks_like_rtp(payload)) {
      plane.on_rtp(payload, key, f.timestamp_ns);
      ++fs.rtp;
    }
    fs.last_ns = f.timestamp_ns;
  }
  return fs;
}

}  // namespace rv::planes::media
