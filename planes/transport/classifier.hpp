#pragma once
// Classification of parsed UDP/TCP packets into SIP / RTP / RTCP / other (DESIGN.md §4).
//  - SIP on any port, by a strict start-line check (configured SIP ports only order the checks).
//  - RTP/RTCP: configured port range, then (when enabled) a strict header heuristic.
// Pure and noexcept: runs on lcores. The configuration is an immutable snapshot.

#include <bitset>
#include <cstdint>

#include "config/config.hpp"
#include "dataplane/decap.hpp"
#include "dataplane/hep.hpp"
#include "dataplane/packet.hpp"
#include "dataplane/sctp_chunks.hpp"
#include "planes/transport/packet_class.hpp"

namespace rv::planes::transport {

struct ClassifierConfig {
  std::bitset<65536> sip_ports;
  uint16_t rtp_port_min = 0;
  uint16_t rtp_port_max = 0;
  bool rtp_heuristic = true;
  dataplane::DecapConfig decap;  // tunnels the parser opens (dataplane.decap_*)
  dataplane::HepPorts hep;       // UDP ports decoded as HEP (dataplane.hep_ports)

  static ClassifierConfig from(const config::DataplaneConfig& cfg);
};

// SIP by signaling::looks_like_sip_start_line (strict request/status line), RTP and RTCP by
// media::looks_like_rtp / looks_like_rtcp (strict headers; RTCP lengths must add up). On an
// endpoint SDP announced, a datagram that fails those checks is still RTP when RFC 7983 says it
// is media (first byte 128-191, or unassigned) and its second byte is no RTCP packet type: it
// goes to the media plane, which counts it as invalid by reason. STUN, ZRTP, DTLS and TURN
// channel data, and RTCP that fails the strict check, stay "other".

// The steps, in order (exposed for the template below).
PacketClass classify_signaling(const dataplane::ParsedPacket& p) noexcept;      // UDP/TCP: SIP?
PacketClass classify_learned_media(const dataplane::ParsedPacket& p) noexcept;  // SDP endpoint
PacketClass classify_unknown_media(const dataplane::ParsedPacket& p,
                                   const ClassifierConfig& cfg) noexcept;  // range, heuristic
// SCTP (RFC 4168): SIP when either port is a SIP port and the packet carries a DATA chunk (its
// chunk lengths were checked by the parser). SACKs, INIT, HEARTBEAT and DATA on other ports
// (Diameter, SIGTRAN) are other.
PacketClass classify_sctp(const dataplane::ParsedPacket& p, const ClassifierConfig& cfg) noexcept;

// Order: SIP start line (any port); then, for UDP, endpoints the signaling plane learned from
// SDP (`learned(p)` true: the packet is checked as RTP/RTCP on any port, heuristic or not); then
// the configured port range; then the strict heuristic (when enabled; never on SIP ports or
// ports below 1024).
template <typename LearnedFn>
PacketClass classify(const dataplane::ParsedPacket& p, const ClassifierConfig& cfg,
                     LearnedFn&& learned) noexcept {
  if (p.ip_proto == dataplane::kIpProtoSctp) return classify_sctp(p, cfg);
  const PacketClass c = classify_signaling(p);
  if (c != PacketClass::kOther || p.ip_proto != dataplane::kIpProtoUdp || p.payload_len == 0) {
    return c;
  }
  if (learned(p)) return classify_learned_media(p);
  return classify_unknown_media(p, cfg);
}

// Without SDP-learned endpoints.
PacketClass classify(const dataplane::ParsedPacket& p, const ClassifierConfig& cfg) noexcept;

}  // namespace rv::planes::transport
