#pragma once
// HEP (Homer Encapsulation Protocol) input: versions 1, 2 (binary header) and 3 (chunks), as
// heplify and captagent send them. decode_hep() reads the addresses, ports, capture time and
// payload the agent captured, so the planes handle the payload as if it had been captured
// here. Pure, noexcept, allocation-free: runs on lcores. Never reads outside `data`.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "dataplane/decap.hpp"
#include "dataplane/packet.hpp"

namespace rv::dataplane {

enum class HepStatus : uint8_t {
  kOk = 0,
  kTruncated,          // shorter than its fixed header or its own total length
  kBadVersion,         // not "HEP3" and not version 1/2
  kBadLength,          // HEPv3 total length other than the datagram's
  kBadChunkLength,     // a chunk shorter than its 6-byte header or running past the end
  kBadFamily,          // address family neither IPv4 nor IPv6, or addresses of the wrong size
  kMissingChunk,       // no payload, addresses or ports
  kCompressed,         // compressed payload (chunk 0x10): not inspected
  kCount,
};
inline constexpr std::size_t kHepStatusCount = static_cast<std::size_t>(HepStatus::kCount);

constexpr std::string_view to_string(HepStatus s) noexcept {
  constexpr std::array<std::string_view, kHepStatusCount> kNames = {
      "ok",         "truncated",  "bad_version",  "bad_length",
      "bad_chunk_length", "bad_family", "missing_chunk", "compressed",
  };
  const auto i = static_cast<std::size_t>(s);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

// What a HEP packet says about the packet it carries.
struct HepPacket {
  uint8_t version = 0;
  L3Proto l3 = L3Proto::kNone;
  uint8_t ip_proto = 0;  // 17 UDP, 6 TCP
  IpAddress src;
  IpAddress dst;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint64_t capture_ns = 0;  // capture time, Unix epoch (0: the HEP packet carries none)
  uint8_t proto_type = 0;   // HEPv3 chunk 11: 1 SIP, 5 RTCP, ... (0: not given)
  const uint8_t* payload = nullptr;
  uint32_t payload_len = 0;
};

// Decodes one HEP datagram (the UDP payload).
HepStatus decode_hep(std::span<const uint8_t> data, HepPacket& out) noexcept;

// Replaces the L3/L4 view of `p` with what `h` says: the planes then see the captured packet
// (as UDP: agents send whole SIP messages, also for SIP over TCP). Sets p.from_hep.
void apply_hep(const HepPacket& h, ParsedPacket& p) noexcept;

// HEP listening ports (dataplane.hep_ports): UDP datagrams to these are decoded as HEP.
inline constexpr std::size_t kMaxHepPorts = kMaxTunnelPorts;
struct HepPorts {
  uint8_t count = 0;
  std::array<uint16_t, kMaxHepPorts> ports{};
  bool holds(uint16_t port) const noexcept {
    for (uint8_t i = 0; i < count && i < kMaxHepPorts; ++i) {
      if (ports[i] == port) return true;
    }
    return false;
  }
};

}  // namespace rv::dataplane
