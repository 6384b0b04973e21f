#include "planes/transport/classifier.hpp"

#include <algorithm>
#include <charconv>

#include "config/validate.hpp"

#include "planes/media/rtcp_packet.hpp"
#include "planes/media/rtp_packet.hpp"
#include "planes/signaling/sip_parser.hpp"

namespace rv::planes::transport {

namespace {

// Validated ports into `out`; returns how many were kept (at most out.size()).
uint8_t port_list(const std::vector<std::string>& in,
                  std::array<uint16_t, dataplane::kMaxTunnelPorts>& out) {
  uint8_t n = 0;
  for (const auto& p : in) {
    unsigned v = 0;
    if (n < out.size() && std::from_chars(p.data(), p.data() + p.size(), v).ec == std::errc{} &&
        v > 0 && v < 65536) {
      out[n++] = static_cast<uint16_t>(v);
    }
  }
  return n;
}

dataplane::DecapConfig decap_config(const config::DataplaneConfig& cfg) {
  dataplane::DecapConfig d;
  d.max_depth = static_cast<uint8_t>(std::min<uint32_t>(cfg.decap_max_depth, dataplane::kMaxDecapDepth));
  d.vxlan_port_count = port_list(cfg.decap_vxlan_ports, d.vxlan_ports);
  d.geneve_port_count = port_list(cfg.decap_geneve_ports, d.geneve_ports);
  d.gre_key_count = 0;
  for (const auto& k : cfg.decap_gre_keys) {
    const auto key = config::parse_gre_key(k);
    if (key && d.gre_key_count < d.gre_keys.size()) d.gre_keys[d.gre_key_count++] = *key;
  }
  return d;
}

}  // namespace

ClassifierConfig ClassifierConfig::from(const config::DataplaneConfig& cfg) {
  ClassifierConfig c;
  for (const auto& p : cfg.sip_ports) {
    unsigned v = 0;
    if (std::from_chars(p.data(), p.data() + p.size(), v).ec == std::errc{} && v < 65536) {
      c.sip_ports.set(v);
    }
  }
  c.rtp_port_min = static_cast<uint16_t>(cfg.rtp_port_min);
  c.rtp_port_max = static_cast<uint16_t>(cfg.rtp_port_max);
  c.rtp_heuristic = cfg.rtp_heuristic;
  c.decap = decap_config(cfg);
  c.hep.count = port_list(cfg.hep_ports, c.hep.ports);
  return c;
}

PacketClass classify_signaling(const dataplane::ParsedPacket& p) noexcept {
  if (p.ip_proto != dataplane::kIpProtoUdp && p.ip_proto != dataplane::kIpProtoTcp) {
    return PacketClass::kOther;
  }
  const std::span<const uint8_t> payload(p.payload, p.payload_len);
  // SIP is checked first on every port: a strict start line cannot be RTP (version bits).
  if (!payload.empty() && signaling::looks_like_sip_start_line(payload)) return PacketClass::kSip;
  return PacketClass::kOther;
}

PacketClass classify_sctp(const dataplane::ParsedPacket& p, const ClassifierConfig& cfg) noexcept {
  if (!cfg.sip_ports.test(p.src_port) && !cfg.sip_ports.test(p.dst_port)) return PacketClass::kOther;
  const auto s = dataplane::check_sctp_chunks({p.payload, p.payload_len});
  return s.status == dataplane::SctpChunkStatus::kOk && s.data_chunks != 0 ? PacketClass::kSip
                                                                           : PacketClass::kOther;
}

namespace {

// The strict header checks: what unknown ports must pass to be media.
PacketClass strict_media(std::span<const uint8_t> payload) noexcept {
  if (media::looks_like_rtcp(payload)) return PacketClass::kRtcp;
  if (media::looks_like_rtp(payload)) return PacketClass::kRtp;
  return PacketClass::kOther;
}

}  // namespace

PacketClass classify_learned_media(const dataplane::ParsedPacket& p) noexcept {
  const std::span<const uint8_t> payload(p.payload, p.payload_len);
  if (const PacketClass c = strict_media(payload); c != PacketClass::kOther) return c;
  // A compound followed by zero padding: RTCP on a conversation SDP announced, as in Wireshark.
  if (media::looks_like_rtcp(payload, true)) return PacketClass::kRtcp;
  // RFC 7983 demultiplexing by the first byte. 0-3 STUN, 16-19 ZRTP, 20-63 DTLS, 64-79 TURN
  // channels: other protocols sharing the media port.
  const uint8_t b0 = payload.empty() ? 0 : payload[0];
  if (b0 <= 3 || (b0 >= 16 && b0 <= 79)) return PacketClass::kOther;
  // A second byte in 192-223 is an RTCP packet type (RFC 5761 §4): RTCP that failed the strict
  // check stays other, as before. (Whether a datagram is on a learned endpoint depends, with
  // several workers, on when the SDP broadcast reached this one; keeping this case out keeps
  // RTCP compounds with trailing bytes, which Wireshark accepts, counted the same way with one
  // worker or several.)
  if (payload.size() >= 2 && payload[1] >= 192 && payload[1] <= 223) return PacketClass::kOther;
  // Everything else on this endpoint is RTP that failed the header checks (or valid RTP with an
  // unassigned payload type or no payload): the media plane parses it again and counts a
  // failure by reason (rvoip_rtp_invalid_total) instead of it vanishing into "other".
  return PacketClass::kRtp;
}

PacketClass classify_unknown_media(const dataplane::ParsedPacket& p,
                                   const ClassifierConfig& cfg) noexcept {
  const std::span<const uint8_t> payload(p.payload, p.payload_len);
  const bool in_range = cfg.rtp_port_max != 0 &&
                        ((p.src_port >= cfg.rtp_port_min && p.src_port <= cfg.rtp_port_max) ||
                         (p.dst_port >= cfg.rtp_port_min && p.dst_port <= cfg.rtp_port_max));
  if (cfg.sip_ports.test(p.src_port) || cfg.sip_ports.test(p.dst_port)) {
    // Keep-alives and junk on SIP ports are not media; a text datagram naming a SIP version
    // is SIP that breaks the grammar, counted malformed by reason in the signaling plane.
    return signaling::looks_like_sip_attempt(payload) ? PacketClass::kSip : PacketClass::kOther;
  }
  if (!in_range && !cfg.rtp_heuristic) return PacketClass::kOther;
  // The heuristic leaves well-known ports alone: DNS ids and the like pass a header check.
  if (!in_range && (p.src_port < 1024 || p.dst_port < 1024)) return PacketClass::kOther;
  return strict_media(payload);
}

PacketClass classify(const dataplane::ParsedPacket& p, const ClassifierConfig& cfg) noexcept {
  return classify(p, cfg, [](const dataplane::ParsedPacket&) noexcept { return false; });
}

}  // namespace rv::planes::transport
