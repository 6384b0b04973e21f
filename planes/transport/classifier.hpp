#pragma once
// Classification of parsed UDP/TCP packets into SIP / RTP / RTCP / other (DESIGN.md §4).
//  - SIP on any port, by a strict start-line check (configured SIP ports only order the checks).
//  - RTP/RTCP: configured port range, then (when enabled) a strict header heuristic.
// Pure and noexcept: runs on lcores. The configuration is an immutable snapshot.

#include <bitset>
#include <cstdint>
#include <span>

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

// True when `payload` starts with a SIP request line (METHOD SP URI SP SIP/2.0 CRLF) or status
// line (SIP/2.0 SP 3DIGIT SP reason CRLF). HTTP and other text protocols fail.
bool is_sip_start_line(std::span<const uint8_t> payload) noexcept;

// Strict RTP header check: version 2, CSRC list, extension and padding inside the datagram,
// payload type static (0-34) or dynamic (96-127), never an RTCP type with the marker bit.
bool is_rtp_header(std::span<const uint8_t> payload) noexcept;

// Strict RTCP check: version 2, every packet of the compound typed 192-223 (first one 200-207)
// and their lengths summing exactly to the datagram.
bool is_rtcp_compound(std::span<const uint8_t> payload) noexcept;

PacketClass classify(const dataplane::ParsedPacket& p, const ClassifierConfig& cfg) noexcept;

}  // namespace rv::planes::transport
