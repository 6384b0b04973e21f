#pragma once
// L2-L4 parsing of one contiguous frame. Pure, noexcept, allocation-free: safe on lcores.
// Never reads outside [data, data + len). Ethernet padding past the IP length is ignored.

#include <cstdint>
#include <span>

#include "dataplane/packet.hpp"
#include "dataplane/parse_status.hpp"

namespace rv::dataplane {

// Parses `frame` of link type `link` into `out`. On kOk, `out` has L3, ports and payload.
// On kIpFragment, `out` has L3 addresses and ip_proto; L4 is not read.
ParseStatus parse_frame(std::span<const uint8_t> frame, LinkType link, ParsedPacket& out) noexcept;

// Parses from the IP header on (used after reassembly and for LinkType::kRaw).
ParseStatus parse_ip(std::span<const uint8_t> frame, uint16_t l3_offset, ParsedPacket& out) noexcept;

}  // namespace rv::dataplane
