#pragma once
// Tunnel decapsulation (DESIGN.md §4): the encapsulations parse_frame() walks through to reach
// the packet inside, and the configuration that says which UDP ports carry tunnels and how deep
// the parser may go. Plain data: the config is an immutable snapshot read by lcores.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rv::dataplane {

// One layer a frame was carried in, outer first. VLAN tags are listed too (one per tag) but do
// not count toward the nesting depth; every other kind is one level of depth.
enum class Encap : uint8_t {
  kVlan = 0,   // 802.1Q tag (TPID 0x8100)
  kQinq,       // 802.1ad service tag (TPID 0x88A8, or the legacy 0x9100)
  kMpls,       // a label stack (one layer, however many labels), PW control word included
  kPppoe,      // PPPoE session stage (ethertype 0x8864)
  kGre,        // GRE (RFC 2784/2890) carrying IP, MPLS or Ethernet without a key
  kNvgre,      // GRE carrying Ethernet with a key (RFC 7637: VSID + FlowID)
  kErspanI,    // GRE 0x88BE without a sequence number: bare mirrored Ethernet
  kErspanII,   // GRE 0x88BE with a sequence number: 8-byte ERSPAN header
  kErspanIII,  // GRE 0x22EB: 12-byte header (+ 8-byte platform subheader)
  kVxlan,      // RFC 7348 on a configured UDP port (4789)
  kGeneve,     // RFC 8926 on a configured UDP port (6081)
  kIpip,       // IPv4 in IPv4 (protocol 4)
  kIp6in4,     // IPv6 in IPv4 (protocol 41)
  kIp4in6,     // IPv4 in IPv6 (next header 4)
  kIp6in6,     // IPv6 in IPv6 (next header 41)
  kCount,
};

inline constexpr std::size_t kEncapCount = static_cast<std::size_t>(Encap::kCount);

// Stable names (metrics label `encap`, report keys).
constexpr std::string_view to_string(Encap e) noexcept {
  constexpr std::array<std::string_view, kEncapCount> kNames = {
      "vlan",  "qinq",   "mpls",   "pppoe",  "gre",    "nvgre",  "erspan_i", "erspan_ii",
      "erspan_iii", "vxlan", "geneve", "ipip", "ip6in4", "ip4in6", "ip6in6",
  };
  const auto i = static_cast<std::size_t>(e);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

// Hard limits behind the configurable ones (ParsedPacket sizes its arrays by them).
inline constexpr uint8_t kMaxDecapDepth = 8;     // tunnel layers (VLAN tags aside)
inline constexpr uint8_t kMaxVlanTags = 4;       // tags in one Ethernet header (QinQ bound)
inline constexpr uint8_t kMaxMplsLabels = 8;     // labels in one stack
inline constexpr std::size_t kMaxTunnelPorts = 8;
inline constexpr std::size_t kMaxGreKeys = 8;

// Which tunnels are opened. Immutable once published; read by lcores.
struct DecapConfig {
  // Tunnel layers the parser opens; a frame nested deeper is malformed (too_deep_encapsulation).
  // 0 disables decapsulation: tunnel packets are then seen as their outer UDP/GRE/IP packet.
  uint8_t max_depth = 4;
  uint8_t vxlan_port_count = 1;
  uint8_t geneve_port_count = 1;
  uint8_t gre_key_count = 0;  // 0: any key (or none); else the GRE key must be one of these
  std::array<uint16_t, kMaxTunnelPorts> vxlan_ports{4789};
  std::array<uint16_t, kMaxTunnelPorts> geneve_ports{6081};
  std::array<uint32_t, kMaxGreKeys> gre_keys{};

  bool is_vxlan_port(uint16_t port) const noexcept { return holds(vxlan_ports, vxlan_port_count, port); }
  bool is_geneve_port(uint16_t port) const noexcept {
    return holds(geneve_ports, geneve_port_count, port);
  }
  bool accepts_gre_key(bool present, uint32_t key) const noexcept {
    return gre_key_count == 0 || (present && holds(gre_keys, gre_key_count, key));
  }

 private:
  template <typename T, std::size_t N>
  static bool holds(const std::array<T, N>& a, uint8_t n, T v) noexcept {
    for (uint8_t i = 0; i < n && i < N; ++i) {
      if (a[i] == v) return true;
    }
    return false;
  }
};

}  // namespace rv::dataplane
