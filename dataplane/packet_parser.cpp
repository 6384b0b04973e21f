#include "dataplane/packet_parser.hpp"

#include "dataplane/byte_order.hpp"
#include "dataplane/sctp_chunks.hpp"

namespace rv::dataplane {
namespace {

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86DD;
constexpr uint16_t kEtherArp = 0x0806;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinQ = 0x88A8;
constexpr uint16_t kEtherQinQOld = 0x9100;
constexpr uint16_t kEtherMpls = 0x8847;
constexpr uint16_t kEtherMplsMulticast = 0x8848;
constexpr uint16_t kEtherPppoeSession = 0x8864;
constexpr uint16_t kEtherTeb = 0x6558;      // transparent Ethernet bridging (NVGRE, Geneve)
constexpr uint16_t kEtherErspan2 = 0x88BE;  // ERSPAN types I and II
constexpr uint16_t kEtherErspan3 = 0x22EB;
constexpr uint16_t kPppIpv4 = 0x0021;
constexpr uint16_t kPppIpv6 = 0x0057;
constexpr uint8_t kIpProtoIpip = 4;
constexpr uint8_t kIpProtoIpv6 = 41;
constexpr uint8_t kIpProtoGre = 47;
constexpr std::size_t kMaxIpv6ExtHeaders = 8;

bool is_vlan_tpid(uint16_t t) noexcept {
  return t == kEtherVlan || t == kEtherQinQ || t == kEtherQinQOld;
}

// The walk through one frame: configuration and how deep it went. Lives on the stack.
struct Walk {
  const DecapConfig& cfg;
};

void note(ParsedPacket& out, Encap e) noexcept {
  if (out.encap_count < out.encaps.size()) out.encaps[out.encap_count++] = e;
}

// Entering a tunnel layer: false when that would exceed the configured depth.
bool enter(ParsedPacket& out, const Walk& w, Encap e) noexcept {
  if (out.encap_depth >= w.cfg.max_depth) return false;
  ++out.encap_depth;
  note(out, e);
  return true;
}

ParseStatus parse_ipv4(std::span<const uint8_t> f, std::size_t off, ParsedPacket& out,
                       const Walk& w) noexcept;
ParseStatus parse_ipv6(std::span<const uint8_t> f, std::size_t off, ParsedPacket& out,
                       const Walk& w) noexcept;
ParseStatus parse_ether_payload(std::span<const uint8_t> f, std::size_t off, uint16_t ether_type,
                                ParsedPacket& out, const Walk& w) noexcept;

// Ethernet header at `off`, then its payload.
ParseStatus parse_ethernet_at(std::span<const uint8_t> f, std::size_t off, ParsedPacket& out,
                              const Walk& w) noexcept {
  if (f.size() < off + 14) return ParseStatus::kTruncatedL2;
  return parse_ether_payload(f, off + 14, load_be16(&f[off + 12]), out, w);
}

// Does an Ethernet header sit at `off`? Wireshark's PW heuristic: a known ethertype at 12,
// after any VLAN tags.
bool looks_like_ethernet(std::span<const uint8_t> f, std::size_t off) noexcept {
  std::size_t at = off + 12;
  for (int tags = 0; f.size() >= at + 2 && tags <= kMaxVlanTags; ++tags, at += 4) {
    const uint16_t t = load_be16(&f[at]);
    if (!is_vlan_tpid(t)) {
      return t == kEtherIpv4 || t == kEtherIpv6 || t == kEtherArp || t == kEtherMpls ||
             t == kEtherPppoeSession;
    }
  }
  return false;
}

// MPLS label stack, then its payload guessed as Wireshark does: first nibble 4 IPv4, 6 IPv6,
// 1 a PW associated channel (not inspected); otherwise Ethernet, after a 4-byte PW control
// word when the first nibble is 0 and the bytes are not plainly Ethernet already.
ParseStatus parse_mpls(std::span<const uint8_t> f, std::size_t off, ParsedPacket& out,
                       const Walk& w) noexcept {
  if (!enter(out, w, Encap::kMpls)) return ParseStatus::kTooDeepEncapsulation;
  for (uint8_t n = 0;; ++n) {
    if (n == kMaxMplsLabels) return ParseStatus::kTooManyMplsLabels;
    if (f.size() < off + 4) return ParseStatus::kTruncatedMpls;
    const bool bottom = (f[off + 2] & 0x01) != 0;
    off += 4;
    if (bottom) break;
  }
  if (f.size() <= off) return ParseStatus::kTruncatedMpls;
  const uint8_t nibble = f[off] >> 4;
  if (nibble == 4) return parse_ipv4(f, off, out, w);
  if (nibble == 6) return parse_ipv6(f, off, out, w);
  if (nibble == 1) return ParseStatus::kTunnelNotIp;
  if (nibble == 0 && !looks_like_ethernet(f, off)) {
    if (f.size() < off + 4) return ParseStatus::kTruncatedMpls;
    off += 4;  // PW control word
  }
  return parse_ethernet_at(f, off, out, w);
}

// PPPoE session: 6-byte header (ver/type 0x11, code 0), then a PPP protocol field of two bytes,
// or one when compressed (RFC 1661 PFC: an odd first byte).
ParseStatus parse_pppoe(std::span<const uint8_t> f, std::size_t off, ParsedPacket& out,
                        const Walk& w) noexcept {
  if (!enter(out, w, Encap::kPppoe)) return ParseStatus::kTooDeepEncapsulation;
  if (f.size() < off + 8) return ParseStatus::kTruncatedPppoe;
  const std::size_t len = load_be16(&f[off + 4]);
  if (f[off] != 0x11 || f[off + 1] != 0 || len < 2) return ParseStatus::kBadPppoeHeader;
  if (f.size() < off + 6 + len) return ParseStatus::kTruncatedPppoe;
  const bool compressed = (f[off + 6] & 0x01) != 0;
  const uint16_t proto = compressed ? f[off + 6] : load_be16(&f[off + 6]);
  const std::size_t l3 = off + (compressed ? 7 : 8);
  const auto inner = f.first(off + 6 + len);
  if (proto == kPppIpv4) return parse_ipv4(inner, l3, out, w);
  if (proto == kPppIpv6) return parse_ipv6(inner, l3, out, w);
  return ParseStatus::kTunnelNotIp;
}

// What follows an Ethernet type field (or a Linux cooked header's protocol) at `off`.
ParseStatus parse_ether_payload(std::span<const uint8_t> f, std::size_t off, uint16_t ether_type,
                                ParsedPacket& out, const Walk& w) noexcept {
  for (uint8_t tags = 0; is_vlan_tpid(ether_type); ++tags) {
    if (tags == kMaxVlanTags) return ParseStatus::kTooManyVlanTags;
    if (f.size() < off + 4) return ParseStatus::kTruncatedVlan;
    if (out.vlan_count < out.vlan_ids.size()) {
      out.vlan_ids[out.vlan_count++] = load_be16(&f[off]) & 0x0FFF;
    }
    note(out, ether_type == kEtherVlan ? Encap::kVlan : Encap::kQinq);
    ether_type = load_be16(&f[off + 2]);
    off += 4;
  }
  switch (ether_type) {
    case kEtherIpv4:
      return parse_ipv4(f, off, out, w);
    case kEtherIpv6:
      return parse_ipv6(f, off, out, w);
    case kEtherMpls:
    case kEtherMplsMulticast:
      if (w.cfg.max_depth == 0) return ParseStatus::kNotIp;
      return parse_mpls(f, off, out, w);
    case kEtherPppoeSession:
      if (w.cfg.max_depth == 0) return ParseStatus::kNotIp;
      return parse_pppoe(f, off, out, w);
    default:
      out.l3_offset = static_cast<uint16_t>(off);
      return ParseStatus::kNotIp;
  }
}

// ERSPAN after a GRE header whose protocol is 0x88BE or 0x22EB.
ParseStatus parse_erspan(std::span<const uint8_t> f, std::size_t off, uint16_t proto,
                         bool gre_seq, ParsedPacket& out, const Walk& w) noexcept {
  if (proto == kEtherErspan2 && !gre_seq) {  // type I: no header of its own (Wireshark's rule)
    if (!enter(out, w, Encap::kErspanI)) return ParseStatus::kTooDeepEncapsulation;
    return parse_ethernet_at(f, off, out, w);
  }
  if (proto == kEtherErspan2) {
    if (!enter(out, w, Encap::kErspanII)) return ParseStatus::kTooDeepEncapsulation;
    if (f.size() < off + 8) return ParseStatus::kTruncatedErspan;
    if ((f[off] >> 4) != 1) return ParseStatus::kBadErspanVersion;
    return parse_ethernet_at(f, off + 8, out, w);
  }
  if (!enter(out, w, Encap::kErspanIII)) return ParseStatus::kTooDeepEncapsulation;
  if (f.size() < off + 12) return ParseStatus::kTruncatedErspan;
  if ((f[off] >> 4) != 2) return ParseStatus::kBadErspanVersion;
  const uint8_t frame_type = (f[off + 10] >> 2) & 0x1F;
  const bool platform_subheader = (f[off + 11] & 0x01) != 0;
  const std::size_t hl = platform_subheader ? 20 : 12;
  if (f.size() < off + hl) return ParseStatus::kTruncatedErspan;
  if (frame_type != 0) return ParseStatus::kTunnelNotIp;  // 0 = Ethernet
  return parse_ethernet_at(f, off + hl, out, w);
}

// GRE (RFC 2784, key and sequence of RFC 2890): checksum, key and sequence words as flagged.
ParseStatus parse_gre(std::span<const uint8_t> f, std::size_t off, ParsedPacket& out,
                      const Walk& w) noexcept {
  if (f.size() < off + 4) return ParseStatus::kTruncatedGre;
  const uint16_t flags = load_be16(&f[off]);
  const uint16_t proto = load_be16(&f[off + 2]);
  if ((flags & 0x0007) != 0 || (flags & 0x4000) != 0) return ParseStatus::kBadGreHeader;
  const bool csum = (flags & 0x8000) != 0;
  const bool has_key = (flags & 0x2000) != 0;
  const bool seq = (flags & 0x1000) != 0;
  const std::size_t hl = 4 + (csum ? 4 : 0) + (has_key ? 4 : 0) + (seq ? 4 : 0);
  if (f.size() < off + hl) return ParseStatus::kTruncatedGre;
  const uint32_t key = has_key ? load_be32(&f[off + 4 + (csum ? 4 : 0)]) : 0;
  if (!w.cfg.accepts_gre_key(has_key, key)) return ParseStatus::kGreKeyMismatch;
  off += hl;
  if (proto == kEtherErspan2 || proto == kEtherErspan3) {
    return parse_erspan(f, off, proto, seq, out, w);
  }
  const Encap kind = proto == kEtherTeb && has_key ? Encap::kNvgre : Encap::kGre;
  if (!enter(out, w, kind)) return ParseStatus::kTooDeepEncapsulation;
  switch (proto) {
    case kEtherIpv4:
      return parse_ipv4(f, off, out, w);
    case kEtherIpv6:
      return parse_ipv6(f, off, out, w);
    case kEtherTeb:
      return parse_ethernet_at(f, off, out, w);
    case kEtherMpls:
    case kEtherMplsMulticast:
      return parse_mpls(f, off, out, w);
    default:
      return ParseStatus::kTunnelNotIp;
  }
}

// VXLAN (8 bytes, then Ethernet) or Geneve (8 bytes + options, then what its protocol says),
// found by the UDP destination port. `f` ends with the UDP payload.
ParseStatus parse_udp_tunnel(std::span<const uint8_t> f, std::size_t off, bool vxlan,
                             ParsedPacket& out, const Walk& w) noexcept {
  if (vxlan) {
    if (!enter(out, w, Encap::kVxlan)) return ParseStatus::kTooDeepEncapsulation;
    if (f.size() < off + 8) return ParseStatus::kTruncatedVxlan;
    return parse_ethernet_at(f, off + 8, out, w);
  }
  if (!enter(out, w, Encap::kGeneve)) return ParseStatus::kTooDeepEncapsulation;
  if (f.size() < off + 8) return ParseStatus::kTruncatedGeneve;
  const std::size_t hl = 8 + std::size_t{f[off] & 0x3Fu} * 4;
  if ((f[off] >> 6) != 0 || f.size() < off + hl) return ParseStatus::kBadGeneveHeader;
  const uint16_t proto = load_be16(&f[off + 2]);
  if (proto == kEtherTeb) return parse_ethernet_at(f, off + hl, out, w);
  if (proto == kEtherIpv4) return parse_ipv4(f, off + hl, out, w);
  if (proto == kEtherIpv6) return parse_ipv6(f, off + hl, out, w);
  return ParseStatus::kTunnelNotIp;
}

// SCTP: ports from the common header; the payload is the chunks, every length checked here so
// that the planes walk them without counting anything again.
ParseStatus parse_sctp(std::span<const uint8_t> f, std::size_t l4, std::size_t avail,
                       ParsedPacket& out) noexcept {
  if (avail < kSctpCommonHeaderBytes) return ParseStatus::kTruncatedSctp;
  out.src_port = load_be16(&f[l4]);
  out.dst_port = load_be16(&f[l4 + 2]);
  out.payload = f.data() + l4 + kSctpCommonHeaderBytes;
  out.payload_len = static_cast<uint32_t>(avail - kSctpCommonHeaderBytes);
  switch (check_sctp_chunks({out.payload, out.payload_len}).status) {
    case SctpChunkStatus::kOk:
      return ParseStatus::kOk;
    case SctpChunkStatus::kTruncatedChunk:
      return ParseStatus::kTruncatedSctpChunk;
    case SctpChunkStatus::kBadChunkLength:
      return ParseStatus::kBadSctpChunkLength;
    case SctpChunkStatus::kBadDataChunkLength:
      return ParseStatus::kBadSctpDataChunkLength;
  }
  return ParseStatus::kBadSctpChunkLength;
}

ParseStatus parse_l4(std::span<const uint8_t> f, std::size_t l4, std::size_t end,
                     ParsedPacket& out, const Walk& w) noexcept {
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
    if (w.cfg.max_depth != 0) {
      const bool vxlan = w.cfg.is_vxlan_port(out.dst_port);
      if (vxlan || w.cfg.is_geneve_port(out.dst_port)) {
        return parse_udp_tunnel(f.first(l4 + udp_len), l4 + 8, vxlan, out, w);
      }
    }
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
  if (out.ip_proto == kIpProtoSctp) return parse_sctp(f, l4, avail, out);
  return ParseStatus::kOtherL4;
}

// The IP payload at [l4, end): a tunnel (IP in IP, GRE) when decapsulation is on, else L4.
ParseStatus parse_ip_payload(std::span<const uint8_t> f, std::size_t l4, std::size_t end,
                             ParsedPacket& out, const Walk& w) noexcept {
  if (w.cfg.max_depth != 0) {
    const bool outer6 = out.l3 == L3Proto::kIpv6;
    switch (out.ip_proto) {
      case kIpProtoIpip:
        if (!enter(out, w, outer6 ? Encap::kIp4in6 : Encap::kIpip)) {
          return ParseStatus::kTooDeepEncapsulation;
        }
        return parse_ipv4(f.first(end), l4, out, w);
      case kIpProtoIpv6:
        if (!enter(out, w, outer6 ? Encap::kIp6in6 : Encap::kIp6in4)) {
          return ParseStatus::kTooDeepEncapsulation;
        }
        return parse_ipv6(f.first(end), l4, out, w);
      case kIpProtoGre:
        return parse_gre(f.first(end), l4, out, w);
      default:
        break;
    }
  }
  return parse_l4(f, l4, end, out, w);
}

ParseStatus parse_ipv4(std::span<const uint8_t> f, std::size_t off, ParsedPacket& out,
                       const Walk& w) noexcept {
  out.l3_offset = static_cast<uint16_t>(off);
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
  return parse_ip_payload(f, off + ihl, off + total, out, w);
}

bool is_ipv6_ext_header(uint8_t nh) noexcept {
  // Hop-by-hop, routing, AH, destination options, mobility, HIP, shim6. Fragment handled apart.
  return nh == 0 || nh == 43 || nh == 51 || nh == 60 || nh == 135 || nh == 139 || nh == 140;
}

ParseStatus parse_ipv6(std::span<const uint8_t> f, std::size_t off, ParsedPacket& out,
                       const Walk& w) noexcept {
  out.l3_offset = static_cast<uint16_t>(off);
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
  return parse_ip_payload(f, pos, end, out, w);
}

// Linux cooked capture v1 (16 bytes, protocol at 14) and v2 (20 bytes, protocol at 0). The
// protocol is an ethertype (VLAN, MPLS and PPPoE included); values below 0x0600 are not IP.
ParseStatus parse_sll(std::span<const uint8_t> f, LinkType link, ParsedPacket& out,
                      const Walk& w) noexcept {
  const std::size_t hl = link == LinkType::kLinuxSll ? 16 : 20;
  if (f.size() < hl) return ParseStatus::kTruncatedL2;
  const uint16_t proto = load_be16(&f[link == LinkType::kLinuxSll ? 14 : 0]);
  return parse_ether_payload(f, hl, proto, out, w);
}

const DecapConfig kDefaultDecap{};

}  // namespace

ParseStatus parse_ip(std::span<const uint8_t> frame, uint16_t l3_offset, ParsedPacket& out,
                     const DecapConfig& decap) noexcept {
  const Walk w{decap};
  out.l3_offset = l3_offset;
  if (frame.size() <= l3_offset) return ParseStatus::kTruncatedIpv4;
  const uint8_t version = frame[l3_offset] >> 4;
  if (version == 6) return parse_ipv6(frame, l3_offset, out, w);
  return parse_ipv4(frame, l3_offset, out, w);
}

ParseStatus parse_ip(std::span<const uint8_t> frame, uint16_t l3_offset,
                     ParsedPacket& out) noexcept {
  return parse_ip(frame, l3_offset, out, kDefaultDecap);
}

ParseStatus parse_frame(std::span<const uint8_t> frame, LinkType link, ParsedPacket& out,
                        const DecapConfig& decap) noexcept {
  out = ParsedPacket{};
  const Walk w{decap};
  switch (link) {
    case LinkType::kEthernet:
      return parse_ethernet_at(frame, 0, out, w);
    case LinkType::kLinuxSll:
    case LinkType::kLinuxSll2:
      return parse_sll(frame, link, out, w);
    case LinkType::kRaw:
      return parse_ip(frame, 0, out, decap);
    case LinkType::kNull: {
      if (frame.size() < 4) return ParseStatus::kTruncatedL2;
      // Host byte order of the capturing machine: AF_INET is 2, AF_INET6 24, 28 or 30.
      const uint8_t fam = frame[0] != 0 ? frame[0] : frame[3];
      out.l3_offset = 4;
      if (fam == 2) return parse_ipv4(frame, 4, out, w);
      if (fam == 24 || fam == 28 || fam == 30) return parse_ipv6(frame, 4, out, w);
      return ParseStatus::kNotIp;
    }
    default:
      return ParseStatus::kUnsupportedLinkType;
  }
}

ParseStatus parse_frame(std::span<const uint8_t> frame, LinkType link,
                        ParsedPacket& out) noexcept {
  return parse_frame(frame, link, out, kDefaultDecap);
}

}  // namespace rv::dataplane
