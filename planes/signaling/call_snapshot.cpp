// SignalingPlane::snapshot_calls(): control-thread code (allocates), kept apart from the hot path.
#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "planes/signaling/sdp_parser.hpp"
#include "planes/signaling/signaling_plane.hpp"

namespace rv::planes::signaling {

namespace {

std::string endpoint_text(const dataplane::IpAddress& a, uint16_t port) {
  char buf[INET6_ADDRSTRLEN] = {};
  const bool v6 = a.family == dataplane::L3Proto::kIpv6;
  inet_ntop(v6 ? AF_INET6 : AF_INET, a.bytes.data(), buf, sizeof(buf));
  char out[INET6_ADDRSTRLEN + 16] = {};
  std::snprintf(out, sizeof(out), v6 ? "[%s]:%u" : "%s:%u", buf, unsigned(port));
  return std::string(out);
}

std::string_view media_kind_name(uint8_t k) {
  switch (static_cast<SdpMediaKind>(k)) {
    case SdpMediaKind::kAudio: return "audio";
    case SdpMediaKind::kVideo: return "video";
    default: return "other";
  }
}

CallSnapshot snapshot(const CallRecord& c) {
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
    ms.endpoint = endpoint_text(m.addr, m.port);
    ms.media = std::string(media_kind_name(m.kind));
    ms.side = m.from_caller ? "caller" : "callee";
    ms.payload_type = m.payload_type;
    ms.codec = std::string(m.codec.data(), strnlen(m.codec.data(), m.codec.size()));
    ms.clock_rate = m.clock_rate;
    s.media.push_back(std::move(ms));
  }
  return s;
}

}  // namespace

std::vector<CallSnapshot> SignalingPlane::snapshot_calls() const {
  std::vector<CallSnapshot> out;
  const CallTable& t = tracker_.table();
  out.reserve(t.size() + tracker_.completed_size());
  for (std::size_t i = 0; i < tracker_.completed_size(); ++i) out.push_back(snapshot(tracker_.completed(i)));
  for (std::size_t i = 0; i < t.capacity(); ++i) {
    if (!t.at(i).empty()) out.push_back(snapshot(t.at(i)));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const CallSnapshot& a, const CallSnapshot& b) { return a.start_ns < b.start_ns; });
  return out;
}

}  // namespace rv::planes::signaling
