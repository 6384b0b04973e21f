#pragma once
// Outcome of parsing one frame: ok, a benign "not for us" outcome, or a malformed reason.
// Every value has a stable name used in metrics (`reason` label) and the report.

#include <array>
#include <cstdint>
#include <string_view>

namespace rv::dataplane {

enum class ParseStatus : uint8_t {
  kOk = 0,
  // Benign: the frame is well formed but carries nothing the planes parse.
  kNotIp,        // ARP, LLC/STP, LLDP, ...
  kOtherL4,      // ICMP, ESP, ... over IP
  kIpFragment,   // needs reassembly before L4 can be read
  // Malformed: counted as malformed{reason} and dropped.
  kTruncatedL2,
  kTruncatedVlan,
  kTooManyVlanTags,
  kTruncatedIpv4,
  kBadIpv4Version,
  kBadIpv4HeaderLength,
  kBadIpv4TotalLength,
  kTruncatedIpv6,
  kBadIpv6Version,
  kBadIpv6PayloadLength,
  kTruncatedIpv6ExtHeader,
  kTooManyIpv6ExtHeaders,
  kTruncatedUdp,
  kBadUdpLength,
  kTruncatedTcp,
  kBadTcpHeaderLength,
  kUnsupportedLinkType,
  // Tunnels (dataplane/decap.hpp): an outer header cut short or inconsistent, nesting too deep.
  kTruncatedMpls,
  kTooManyMplsLabels,
  kTruncatedPppoe,
  kBadPppoeHeader,
  kTruncatedGre,
  kBadGreHeader,      // unknown version, or the obsolete routing bit
  kGreKeyMismatch,    // a key other than the configured ones (dataplane.decap_gre_keys)
  kTruncatedErspan,
  kBadErspanVersion,
  kTruncatedVxlan,
  kTruncatedGeneve,
  kBadGeneveHeader,   // version not 0, or options past the end
  kTooDeepEncapsulation,  // more tunnel layers than dataplane.decap_max_depth
  // Benign again (listed last to keep the values above stable): a tunnel whose payload is no
  // Ethernet or IP (PPP control, MPLS PW associated channel, ERSPAN III non-Ethernet frames,
  // GRE carrying another protocol).
  kTunnelNotIp,
  // SCTP (dataplane/sctp_chunks.hpp), malformed: a common header cut short, chunk lengths that
  // do not fit the packet.
  kTruncatedSctp,
  kTruncatedSctpChunk,
  kBadSctpChunkLength,
  kBadSctpDataChunkLength,
  kCount,
};

inline constexpr std::size_t kParseStatusCount = static_cast<std::size_t>(ParseStatus::kCount);
inline constexpr ParseStatus kFirstMalformed = ParseStatus::kTruncatedL2;

constexpr bool is_malformed(ParseStatus s) noexcept {
  return (s >= kFirstMalformed && s < ParseStatus::kTunnelNotIp) ||
         (s >= ParseStatus::kTruncatedSctp && s < ParseStatus::kCount);
}

constexpr std::string_view to_string(ParseStatus s) noexcept {
  constexpr std::array<std::string_view, kParseStatusCount> kNames = {
      "ok",
      "not_ip",
      "other_l4",
      "ip_fragment",
      "truncated_l2",
      "truncated_vlan",
      "too_many_vlan_tags",
      "truncated_ipv4",
      "bad_ipv4_version",
      "bad_ipv4_header_length",
      "bad_ipv4_total_length",
      "truncated_ipv6",
      "bad_ipv6_version",
      "bad_ipv6_payload_length",
      "truncated_ipv6_ext_header",
      "too_many_ipv6_ext_headers",
      "truncated_udp",
      "bad_udp_length",
      "truncated_tcp",
      "bad_tcp_header_length",
      "unsupported_link_type",
      "truncated_mpls",
      "too_many_mpls_labels",
      "truncated_pppoe",
      "bad_pppoe_header",
      "truncated_gre",
      "bad_gre_header",
      "gre_key_mismatch",
      "truncated_erspan",
      "bad_erspan_version",
      "truncated_vxlan",
      "truncated_geneve",
      "bad_geneve_header",
      "too_deep_encapsulation",
      "tunnel_not_ip",
      "truncated_sctp",
      "truncated_sctp_chunk",
      "bad_sctp_chunk_length",
      "bad_sctp_data_chunk_length",
  };
  const auto i = static_cast<std::size_t>(s);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

}  // namespace rv::dataplane
