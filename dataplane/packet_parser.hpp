#pragma once
// L2-L4 parsing of one contiguous frame. Pure, noexcept, allocation-free: safe on lcores.
// Never reads outside [data, data + len). Ethernet padding past the IP length is ignored.
//
// Tunnels are opened as `decap` says (dataplane/decap.hpp): VLAN/QinQ tags, MPLS label stacks
// (payload guessed as Wireshark does, PW control word), PPPoE sessions, GRE (key, sequence,
// NVGRE), ERSPAN I/II/III, VXLAN and Geneve on their configured UDP ports, IPv4/IPv6 in
// IPv4/IPv6. ParsedPacket then describes the innermost packet and lists the layers; an inner
// IP fragment is reported as kIpFragment with l3_offset at the inner header, and after
// reassembly parse_ip() from that offset goes on where the walk stopped.

#include <cstdint>
#include <span>

#include "dataplane/decap.hpp"
#include "dataplane/packet.hpp"
#include "dataplane/parse_status.hpp"

namespace rv::dataplane {

// Parses `frame` of link type `link` into `out`. On kOk, `out` has L3, ports and payload.
// On kIpFragment, `out` has L3 addresses and ip_proto; L4 is not read.
ParseStatus parse_frame(std::span<const uint8_t> frame, LinkType link, ParsedPacket& out,
                        const DecapConfig& decap) noexcept;
// With the default DecapConfig (VXLAN 4789, Geneve 6081, depth 4, any GRE key).
ParseStatus parse_frame(std::span<const uint8_t> frame, LinkType link, ParsedPacket& out) noexcept;

// Parses from the IP header at `l3_offset` on (after reassembly, and for LinkType::kRaw). `out`
// is not reset: layers already listed in it stay, and count toward the depth.
ParseStatus parse_ip(std::span<const uint8_t> frame, uint16_t l3_offset, ParsedPacket& out,
                     const DecapConfig& decap) noexcept;
ParseStatus parse_ip(std::span<const uint8_t> frame, uint16_t l3_offset, ParsedPacket& out) noexcept;

}  // namespace rv::dataplane
