#pragma once
// planes.peers: "name=match" entries naming the peers (trunks, SBCs) that the per-peer metrics
// label calls and streams with. A match is an IP prefix (192.0.2.0/24, 2001:db8::/32, or one
// address) or a SIP host (sip.carrier.example, or *.carrier.example for any host under it).
// Parsing is pure and shared by the validator (config/validate.cpp) and the control side
// (control/metrics/peer_map.hpp). Control-plane only.

#include <array>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace rv::config {

// Peers not configured are counted under this name, so the label set stays bounded.
inline constexpr std::string_view kOtherPeer = "other";
// Distinct peer names at most (each adds one value of the `peer` label to a few series).
inline constexpr std::size_t kMaxPeerNames = 64;
// Entries at most.
inline constexpr std::size_t kMaxPeerEntries = 4096;

struct PeerEntry {
  enum class Kind : uint8_t { kPrefix, kHost };
  std::string name;
  Kind kind = Kind::kPrefix;
  // kPrefix: the network address (IPv4 in the first 4 bytes) and its length in bits.
  std::array<uint8_t, 16> addr{};
  bool ipv6 = false;
  uint8_t prefix_len = 0;
  // kHost: lower case; `wildcard` for "*.suffix" (host stores ".suffix").
  std::string host;
  bool wildcard = false;
};

// Dot-separated labels (1..63 characters) of letters, digits and '-', none starting or ending
// with '-', at most 253 characters: a DNS name (SIP hosts may start with a digit).
bool is_dns_name(std::string_view h);

// Parses one entry; the error says what was expected.
std::expected<PeerEntry, std::string> parse_peer_entry(std::string_view entry);

}  // namespace rv::config
