#include "dataplane/packet_parser.hpp"

#include "dataplane/byte_order.hpp"

namespace rv::dataplane {
namespace {

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86DD;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinQ = 0x88A8;
constexpr uint16_t kEtherQinQOld = 0x9100;
constexpr std::size_t kMaxIpv6ExtHeaders = 8;

bool is_vlan_tpid(uint16_t t) noexcept {
  return t == kEtherVlan || t == kEtherQinQ || t == kEtherQinQOld;
}

// Ethernet with up to two VLAN tags. Sets `l3_offset` and the ethertype of the payload.
ParseStatus parse_ethernet(std::span<const uint8_t> f, ParsedPacket& out, uint16_t& l3_offset,
                           uint16_t& ether_type) noexcept {
  if (f.size() < 14) return ParseStatus::kTruncatedL2;
  ether_type = load_be16(&f[12]);
  std::size_t off = 14;
  while (is_vlan_tpid(ether_type)) {
    if (out.vlan_count == out.vlan_ids.size()) return ParseStatus::kTooManyVlanTags;
    if (f.size() < off + 4) return ParseStatus::kTruncatedVlan;
    out.vlan_ids[out.vlan_count++] = load_be16(&f[off]) & 0x0FFF;
    ether_type = load_be16(&f[off + 2]);
    off += 4;
  }
  l3_offset = static_cast<uint16_t>(off);
  return ParseStatus::kOk;
}

// Linux cooked capture v1 (16 bytes, protocol at 14) and v2 (20 bytes, protocol at 0).
ParseStatus parse_sll(std::span<const uint8_t> f, LinkType link, uint16_t& l3_offset,
                      uint16_t& ether_type) noexcept {
  if (link == LinkType::kLinuxSll) {
    if (f.size() < 16) return ParseStatus::kTruncatedL2;
    ether_type = load_be16(&f[14]);
    l3_offset = 16;
  } else {
    if (f.size() < 20) return ParseStatus::kTruncatedL2;
    ether_type = load_be16(&f[0]);
    l3_offset = 20;
  }
  return ParseStatus::kOk;
}

ParseStatus parse_l4(std::span<const uint8_t> f, std::size_t l4, std::size_t end,
                     ParsedPacket& out) noexcept {
  out.l4_offset = static_cast<uint16_t>(l4);
  const std::size_t avail = end - l4;
  if (out.ip_proto == kIpProtoUdp) {
    if (avail < 8) return ParseStatus::kTruncatedUdp;
    const uint16_t udp_len = load_be16(&f[l4 + 4]);
    if (udp_len < 8 || udp_len > avail) return ParseStatus::kBadUdpLength;
    out.src_port = load_be16(&f[l4]);
    out.dst_port = load_be16(&f[l4 + 2]);
    out.payload = f.data() + l4 + 8;
    out.payload_len = udp_len - 8u;
    return ParseStatus::kOk;
  }
  if (out.ip_proto == kIpProtoTcp) {
    if (avail < 20) return ParseStatus::kTruncatedTcp;
    const std::size_t hl = static_cast<std::size_t>(f[l4 + 12] >> 4) * 4;
    if (hl < 20 || hl > avail) return ParseStatus::kBadTcpHeaderLength;
    out.src_port = load_be16(&f[l4]);
    out.dst_port = load_be16(&f[l4 + 2]);
    out.tcp_seq = load_be32(&f[l4 + 4]);
    out.tcp_flags = f[l4 + 13];
    out.payload = f.data() + l4 + hl;
    out.payload_len = static_cast<uint32_t>(avail - hl);
    return ParseStatus::kOk;
  }
  return ParseStatus::kOtherL4;
}

ParseStatus parse_ipv4(std::span<const uint8_t> f, std::size_t off, ParsedPacket& out) noexcept {
  if (f.size() < off + 20) return ParseStatus::kTruncatedIpv4;
  const uint8_t* ip = &f[off];
  if ((ip[0] >> 4) != 4) return ParseStatus::kBadIpv4Version;
  const std::size_t ihl = static_cast<std::size_t>(ip[0] & 0x0F) * 4;
  if (ihl < 20) return ParseStatus::kBadIpv4HeaderLength;
  const std::size_t total = load_be16(ip + 2);
  if (total < ihl) return ParseStatus::kBadIpv4TotalLength;
  if (f.size() < off + total) {
    // Header options cut by the frame end are truncation, a short frame a length lie.
    return f.size() < off + ihl ? ParseStatus::kTruncatedIpv4 : ParseStatus::kBadIpv4TotalLength;
  }
  out.l3 = L3Proto::kIpv4;
  out.ip_proto = ip[9];
  out.src = IpAddress::v4(ip + 12);
  out.dst = IpAddress::v4(ip + 16);
  const uint16_t frag = load_be16(ip + 6);
  if ((frag & 0x3FFF) != 0) return ParseStatus::kIpFragment;  // MF set or offset != 0
  return parse_l4(f, off + ihl, off + total, out);
}

bool is_ipv6_ext_header(uint8_t nh) noexcept {
  // Hop-by-hop, routing, AH, destination options, mobility, HIP, shim6. Fragment handled apart.
  return nh == 0 || nh == 43 || nh == 51 || nh == 60 || nh == 135 || nh == 139 || nh == 140;
}

ParseStatus parse_ipv6(std::span<const uint8_t> f, std::size_t off, ParsedPacket& out) noexcept {
  if (f.size() < off + 40) return ParseStatus::kTruncatedIpv6;
  const uint8_t* ip = &f[off];
  if ((ip[0] >> 4) != 6) return ParseStatus::kBadIpv6Version;
  const std::size_t payload_len = load_be16(ip + 4);
  const std::size_t end = off + 40 + payload_len;
  if (payload_len == 0 || f.size() < end) return ParseStatus::kBadIpv6PayloadLength;
  out.l3 = L3Proto::kIpv6;
  out.src = IpAddress::v6(ip + 8);
  out.dst = IpAddress::v6(ip + 24);
  uint8_t nh = ip[6];
  std::size_t pos = off + 40;
  for (std::size_t n = 0;; ++n) {
    if (nh == 44) {  // fragment header: 8 bytes
      if (end < pos + 8) return ParseStatus::kTruncatedIpv6ExtHeader;
      out.ip_proto = f[pos];
      out.frag_offset = static_cast<uint16_t>(pos);
      return ParseStatus::kIpFragment;
    }
    if (!is_ipv6_ext_header(nh)) break;
    if (n == kMaxIpv6ExtHeaders) return ParseStatus::kTooManyIpv6ExtHeaders;
    if (end < pos + 8) return ParseStatus::kTruncatedIpv6ExtHeader;
    const std::size_t len = nh == 51 ? (std::size_t{f[pos + 1]} + 2) * 4
                                     : (std::size_t{f[pos + 1]} + 1) * 8;
    if (end < pos + len) return ParseStatus::kTruncatedIpv6ExtHeader;
    nh = f[pos];
    pos += len;
  }
  out.ip_proto = nh;
  return parse_l4(f, pos, end, out);
}

}  // namespace

ParseStatus parse_ip(std::span<const uint8_t> frame, uint16_t l3_offset,
                     ParsedPacket& out) noexcept {
  out.l3_offset = l3_offset;
  if (frame.size() <= l3_offset) return ParseStatus::kTruncatedIpv4;
  const uint8_t version = frame[l3_offset] >> 4;
  if (version == 6) return parse_ipv6(frame, l3_offset, out);
  return parse_ipv4(frame, l3_offset, out);
}

ParseStatus parse_frame(std::span<const uint8_t> frame, LinkType link,
                        ParsedPacket& out) noexcept {
  out = ParsedPacket{};
  uint16_t l3 = 0;
  uint16_t ether_type = 0;
  ParseStatus st = ParseStatus::kOk;
  switch (link) {
    case LinkType::kEthernet:
      st = parse_ethernet(frame, out, l3, ether_type);
      break;
    case LinkType::kLinuxSll:
    case LinkType::kLinuxSll2:
      st = parse_sll(frame, link, l3, ether_type);
      break;
    case LinkType::kRaw:
      return parse_ip(frame, 0, out);
    case LinkType::kNull: {
      if (frame.size() < 4) return ParseStatus::kTruncatedL2;
      // Host byte order of the capturing machine: AF_INET is 2, AF_INET6 24, 28 or 30.
      const uint8_t fam = frame[0] != 0 ? frame[0] : frame[3];
      out.l3_offset = 4;
      if (fam == 2) return parse_ipv4(frame, 4, out);
      if (fam == 24 || fam == 28 || fam == 30) return parse_ipv6(frame, 4, out);
      return ParseStatus::kNotIp;
    }
    default:
      return ParseStatus::kUnsupportedLinkType;
  }
  if (st != ParseStatus::kOk) return st;
  out.l3_offset = l3;
  if (ether_type == kEtherIpv4) return parse_ipv4(frame, l3, out);
  if (ether_type == kEtherIpv6) return parse_ipv6(frame, l3, out);
  return ParseStatus::kNotIp;
}

}  // namespace rv::dataplane
