#pragma once
// Classification of parsed UDP/TCP packets into SIP / RTP / RTCP / other (DESIGN.md §4).
//  - SIP on any port, by a strict start-line check (configured SIP ports only order the checks).
//  - RTP/RTCP: configured port range, then (when enabled) a strict header heuristic.
// Pure and noexcept: runs on lcores. The configuration is an immutable snapshot.

#include <bitset>
#include <cstdint>

#include "config/config.hpp"
#include "dataplane/packet.hpp"
#include "planes/transport/packet_class.hpp"

namespace rv::planes::transport {

struct ClassifierConfig {
  std::bitset<65536> sip_ports;
  uint16_t rtp_port_min = 0;
  uint16_t rtp_port_max = 0;
  bool rtp_heuristic = true;

  static ClassifierConfig from(const config::DataplaneConfig& cfg);
};

// SIP by signaling::looks_like_sip_start_line (strict request/status line), RTP and RTCP by
// media::looks_like_rtp / looks_like_rtcp (strict headers; RTCP lengths must add up).
PacketClass classify(const dataplane::ParsedPacket& p, const ClassifierConfig& cfg) noexcept;

}  // namespace rv::planes::transport
