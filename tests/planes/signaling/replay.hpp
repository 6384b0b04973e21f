#pragma once
// Test helper: feeds a capture to a SignalingPlane the way the lcore loop does (L2-L4 parse,
// SIP classification: UDP by the strict start-line check, TCP by port), and records events.

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dataplane/flow_key.hpp"
#include "dataplane/packet_parser.hpp"
#include "planes/media/stream_report.hpp"
#include "planes/signaling/sdp_parser.hpp"
#include "planes/signaling/signaling_plane.hpp"
#include "planes/signaling/sip_parser.hpp"
#include "tests/support/pcap_file.hpp"

namespace rv::planes::signaling::test_support {

struct CallMediaSnapshot {
  std::string endpoint;  // "ip:port" ("[v6]:port")
  std::string media;     // audio | video | other
  std::string side;      // caller | callee
  uint8_t payload_type = 0;
  std::string codec;
  uint32_t clock_rate = 0;
};

// One call as its events describe it (the latest record of the call instance).
struct CallSnapshot {
  std::string call_id;
  uint64_t call_id_hash = 0;
  std::string from;
  std::string to;
  std::string state;
  std::string result;
  std::string end_reason;
  uint16_t final_code = 0;
  uint64_t start_ns = 0;
  std::optional<double> setup_ms;
  std::optional<double> post_dial_delay_ms;
  std::optional<double> duration_s;
  std::vector<CallMediaSnapshot> media;
};

inline CallSnapshot snapshot_of(const CallRecord& c) {
  CallSnapshot s;
  s.call_id = std::string(c.call_id.view());
  s.call_id_hash = c.key_hash;
  s.from = std::string(c.from.view());
  s.to = std::string(c.to.view());
  s.state = std::string(to_string(c.state));
  s.result = std::string(to_string(c.result));
  s.end_reason = std::string(to_string(c.end_reason));
  s.final_code = c.final_code;
  s.start_ns = c.invite_ns;
  if (c.answer_ns) s.setup_ms = double(c.answer_ns - c.invite_ns) / 1e6;
  if (c.first_provisional_ns) s.post_dial_delay_ms = double(c.first_provisional_ns - c.invite_ns) / 1e6;
  if (c.answer_ns) {
    const uint64_t end = c.state == CallState::kTerminated ? c.end_ns : c.last_ns;
    s.duration_s = end > c.answer_ns ? double(end - c.answer_ns) / 1e9 : 0.0;
  }
  for (uint8_t i = 0; i < c.media_count; ++i) {
    const CallMedia& m = c.media[i];
    CallMediaSnapshot ms;
    ms.endpoint = media::format_endpoint(dataplane::Endpoint{m.addr, m.port});
    const auto kind = static_cast<SdpMediaKind>(m.kind);
    ms.media = kind == SdpMediaKind::kAudio ? "audio" : kind == SdpMediaKind::kVideo ? "video" : "other";
    ms.side = m.from_caller ? "caller" : "callee";
    ms.payload_type = m.payload_type;
    ms.codec = std::string(m.codec.data(), strnlen(m.codec.data(), m.codec.size()));
    ms.clock_rate = m.clock_rate;
    s.media.push_back(std::move(ms));
  }
  return s;
}

class RecordingSink final : public SignalingEventSink {
 public:
  void on_call_event(const CallEvent& e) noexcept override {
    calls.push_back(e);
    latest[{e.record.invite_ns, e.record.key_hash}] = e.record;
  }
  void on_media_endpoint(const MediaEndpointEvent& e) noexcept override { media.push_back(e); }
  void on_registration(const RegistrationEvent& e) noexcept override { registrations.push_back(e); }
  // Every call instance seen, in start order, as its latest event describes it.
  std::vector<CallSnapshot> snapshot_calls() const {
    std::vector<CallSnapshot> out;
    for (const auto& [k, r] : latest) out.push_back(snapshot_of(r));
    return out;
  }
  std::vector<CallEvent> calls;
  std::vector<MediaEndpointEvent> media;
  std::vector<RegistrationEvent> registrations;
  std::map<std::pair<uint64_t, uint64_t>, CallRecord> latest;
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
  return c;
}

}  // namespace rv::planes::signaling::test_support
