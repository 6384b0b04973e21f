#pragma once
// Test helper: feeds a capture to a SignalingPlane the way the lcore loop does (L2-L4 parse,
// SIP classification: UDP by the strict start-line check, TCP by port), and records events.

#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

#include "dataplane/flow_key.hpp"
#include "dataplane/packet_parser.hpp"
#include "planes/signaling/signaling_plane.hpp"
#include "planes/signaling/sip_parser.hpp"
#include "tests/support/pcap_file.hpp"

namespace rv::planes::signaling::test_support {

class RecordingSink final : public SignalingEventSink {
 public:
  void on_call_event(const CallEvent& e) noexcept override { calls.push_back(e); }
  void on_media_endpoint(const MediaEndpointEvent& e) noexcept override { media.push_back(e); }
  std::vector<CallEvent> calls;
  std::vector<MediaEndpointEvent> media;
};

struct ReplayStats {
  uint64_t frames = 0;
  uint64_t sip_payloads = 0;   // payloads handed to the plane
  uint64_t messages = 0;       // what on_payload returned
  uint64_t first_ns = 0;
  uint64_t last_ns = 0;
};

inline ReplayStats replay(const std::string& path, SignalingPlane& plane,
                          std::initializer_list<uint16_t> tcp_sip_ports = {5060, 5061, 5180}) {
  const test::PcapFile file = test::read_pcap(path);
  ReplayStats st;
  for (const auto& f : file.frames) {
    ++st.frames;
    dataplane::ParsedPacket p;
    if (dataplane::parse_frame(f.bytes, file.link, p) != dataplane::ParseStatus::kOk) continue;
    const std::span<const uint8_t> payload(p.payload, p.payload_len);
    const auto flow = dataplane::FlowKey::from(p);
    if (st.first_ns == 0) st.first_ns = f.timestamp_ns;
    st.last_ns = f.timestamp_ns;
    if (p.ip_proto == dataplane::kIpProtoTcp) {
      const bool sip_port = std::find(tcp_sip_ports.begin(), tcp_sip_ports.end(), p.src_port) !=
                                tcp_sip_ports.end() ||
                            std::find(tcp_sip_ports.begin(), tcp_sip_ports.end(), p.dst_port) !=
                                tcp_sip_ports.end();
      if (!sip_port) continue;
      ++st.sip_payloads;
      st.messages += plane.on_payload(payload, flow, true, p.tcp_seq, p.tcp_flags, f.timestamp_ns);
    } else if (p.ip_proto == dataplane::kIpProtoUdp && looks_like_sip_start_line(payload)) {
      ++st.sip_payloads;
      st.messages += plane.on_payload(payload, flow, false, 0, 0, f.timestamp_ns);
    }
  }
  return st;
}

inline const CallSnapshot* find_call(const std::vector<CallSnapshot>& calls, const std::string& id) {
  for (const auto& c : calls) {
    if (c.call_id == id) return &c;
  }
  return nullptr;
}

inline SignalingPlaneConfig small_config() {
  SignalingPlaneConfig c;
  c.max_calls = 1024;
  c.max_tcp_streams = 64;
  c.tcp_buffer_bytes = 16384;
  c.retransmission_slots = 4096;
  c.completed_calls_kept = 256;
  return c;
}

}  // namespace rv::planes::signaling::test_support
