#pragma once
// ParsedPacket: the L2-L4 view of one frame produced by parse_frame(). Pointers refer into the
// frame's buffer (no copy); the view is valid while the frame is.

#include <array>
#include <cstdint>
#include <cstring>

#include "dataplane/decap.hpp"

namespace rv::dataplane {

// Link layer of the frames a port delivers (pcap LINKTYPE values).
enum class LinkType : uint16_t {
  kEthernet = 1,
  kRaw = 101,        // bare IPv4/IPv6
  kLinuxSll = 113,   // Linux "cooked" capture v1
  kLinuxSll2 = 276,  // Linux "cooked" capture v2
  kNull = 0,         // BSD loopback
};

enum class L3Proto : uint8_t { kNone = 0, kIpv4 = 4, kIpv6 = 6 };

inline constexpr uint8_t kIpProtoTcp = 6;
inline constexpr uint8_t kIpProtoUdp = 17;

// An IPv4 or IPv6 address; IPv4 lives in the first four bytes, the rest are zero.
struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  L3Proto family = L3Proto::kNone;

  static IpAddress v4(const uint8_t* p) noexcept {
    IpAddress a;
    std::memcpy(a.bytes.data(), p, 4);
    a.family = L3Proto::kIpv4;
    return a;
  }
  static IpAddress v6(const uint8_t* p) noexcept {
    IpAddress a;
    std::memcpy(a.bytes.data(), p, 16);
    a.family = L3Proto::kIpv6;
    return a;
  }
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

inline constexpr uint8_t kTcpFin = 0x01;
inline constexpr uint8_t kTcpSyn = 0x02;
inline constexpr uint8_t kTcpRst = 0x04;

struct ParsedPacket {
  uint8_t vlan_count = 0;
  std::array<uint16_t, kMaxVlanTags> vlan_ids{};  // outer first (the first kMaxVlanTags seen)
  // The layers the packet was carried in, outer first (VLAN tags included); the fields below
  // describe the innermost packet. encap_depth counts the tunnel layers (VLAN tags aside).
  uint8_t encap_count = 0;
  uint8_t encap_depth = 0;
  std::array<Encap, kMaxDecapDepth + 2 * kMaxVlanTags> encaps{};
  L3Proto l3 = L3Proto::kNone;
  uint8_t ip_proto = 0;  // final next-header after IPv6 extension headers
  IpAddress src;
  IpAddress dst;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint32_t tcp_seq = 0;
  uint8_t tcp_flags = 0;
  uint16_t l3_offset = 0;        // from frame start (the innermost IP header)
  uint16_t l4_offset = 0;        // from frame start
  uint16_t frag_offset = 0;      // IPv6 fragment extension header, from frame start (0: none)
  const uint8_t* payload = nullptr;  // L4 payload
  uint32_t payload_len = 0;
  bool from_hep = false;  // L3/L4 and payload come from a HEP packet (dataplane/hep.hpp)
};

}  // namespace rv::dataplane
