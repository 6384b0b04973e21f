#include "dataplane/hep.hpp"

#include "dataplane/byte_order.hpp"

namespace rv::dataplane {
namespace {

constexpr uint8_t kAfInet = 2;
constexpr uint8_t kAfInet6 = 10;

inline uint32_t le32(const uint8_t* p) noexcept {
  return (uint32_t{p[3]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[1]} << 8) | p[0];
}

// HEPv1/v2 (captagent's binary header): version, header length, family, protocol, ports,
// addresses, then (v2) seconds, microseconds, capture id (2) and 2 bytes of padding.
HepStatus decode_v1_v2(std::span<const uint8_t> d, HepPacket& out) noexcept {
  if (d.size() < 8) return HepStatus::kTruncated;
  out.version = d[0];
  const uint8_t family = d[2];
  const std::size_t addr = family == kAfInet ? 4 : family == kAfInet6 ? 16 : 0;
  if (addr == 0) return HepStatus::kBadFamily;
  const std::size_t header = 8 + 2 * addr + (out.version == 2 ? 12 : 0);
  if (d.size() < header) return HepStatus::kTruncated;
  if (d[1] != 0 && d[1] > header) return HepStatus::kBadLength;  // hp_l: the header's length
  out.l3 = family == kAfInet ? L3Proto::kIpv4 : L3Proto::kIpv6;
  out.ip_proto = d[3];
  out.src_port = load_be16(&d[4]);
  out.dst_port = load_be16(&d[6]);
  out.src = addr == 4 ? IpAddress::v4(&d[8]) : IpAddress::v6(&d[8]);
  out.dst = addr == 4 ? IpAddress::v4(&d[8 + addr]) : IpAddress::v6(&d[8 + addr]);
  if (out.version == 2) {
    // captagent and Kamailio's siptrace write the time in host order (little-endian on x86).
    const uint8_t* t = &d[8 + 2 * addr];
    out.capture_ns = uint64_t{le32(t)} * 1'000'000'000ull + uint64_t{le32(t + 4)} * 1000ull;
  }
  out.payload = d.data() + header;
  out.payload_len = static_cast<uint32_t>(d.size() - header);
  return out.payload_len == 0 ? HepStatus::kMissingChunk : HepStatus::kOk;
}

// One HEPv3 chunk of the generic vendor (0).
HepStatus take_chunk(uint16_t type, const uint8_t* v, std::size_t len, HepPacket& out,
                     uint32_t& have) noexcept {
  const auto need = [&](std::size_t n) { return len == n; };
  switch (type) {
    case 1:  // IP family
      if (!need(1)) return HepStatus::kBadChunkLength;
      if (v[0] != kAfInet && v[0] != kAfInet6) return HepStatus::kBadFamily;
      out.l3 = v[0] == kAfInet ? L3Proto::kIpv4 : L3Proto::kIpv6;
      break;
    case 2:
      if (!need(1)) return HepStatus::kBadChunkLength;
      out.ip_proto = v[0];
      break;
    case 3:
    case 4:
    case 5:
    case 6: {
      const bool v6 = type >= 5;
      if (!need(v6 ? 16 : 4)) return HepStatus::kBadFamily;
      const IpAddress a = v6 ? IpAddress::v6(v) : IpAddress::v4(v);
      ((type & 1) != 0 ? out.src : out.dst) = a;
      have |= (type & 1) != 0 ? 1u : 2u;
      break;
    }
    case 7:
    case 8:
      if (!need(2)) return HepStatus::kBadChunkLength;
      (type == 7 ? out.src_port : out.dst_port) = load_be16(v);
      have |= type == 7 ? 4u : 8u;
      break;
    case 9:
      if (!need(4)) return HepStatus::kBadChunkLength;
      out.capture_ns += uint64_t{load_be32(v)} * 1'000'000'000ull;
      break;
    case 10:
      if (!need(4)) return HepStatus::kBadChunkLength;
      out.capture_ns += uint64_t{load_be32(v)} * 1000ull;
      break;
    case 11: out.proto_type = len >= 1 ? v[0] : 0; break;
    case 15:
      out.payload = v;
      out.payload_len = static_cast<uint32_t>(len);
      have |= 16u;
      break;
    case 16:
      return HepStatus::kCompressed;
    default:
      break;  // capture id, auth key, correlation id, ...: not needed
  }
  return HepStatus::kOk;
}

HepStatus decode_v3(std::span<const uint8_t> d, HepPacket& out) noexcept {
  if (d.size() < 6) return HepStatus::kTruncated;
  out.version = 3;
  const std::size_t total = load_be16(&d[4]);
  if (total > d.size()) return HepStatus::kTruncated;
  if (total < d.size() || total < 6) return HepStatus::kBadLength;
  uint32_t have = 0;
  for (std::size_t pos = 6; pos < total;) {
    if (total - pos < 6) return HepStatus::kBadChunkLength;
    const uint16_t vendor = load_be16(&d[pos]);
    const uint16_t type = load_be16(&d[pos + 2]);
    const std::size_t len = load_be16(&d[pos + 4]);
    if (len < 6 || len > total - pos) return HepStatus::kBadChunkLength;
    if (vendor == 0) {
      const HepStatus s = take_chunk(type, &d[pos + 6], len - 6, out, have);
      if (s != HepStatus::kOk) return s;
    }
    pos += len;
  }
  if ((have & 0x1F) != 0x1F || out.payload_len == 0) return HepStatus::kMissingChunk;
  if (out.l3 == L3Proto::kNone) out.l3 = out.src.family;
  if (out.src.family != out.l3 || out.dst.family != out.l3) return HepStatus::kBadFamily;
  return HepStatus::kOk;
}

}  // namespace

HepStatus decode_hep(std::span<const uint8_t> data, HepPacket& out) noexcept {
  out = HepPacket{};
  if (data.size() >= 4 && data[0] == 'H' && data[1] == 'E' && data[2] == 'P' && data[3] == '3') {
    return decode_v3(data, out);
  }
  if (!data.empty() && (data[0] == 1 || data[0] == 2)) return decode_v1_v2(data, out);
  return data.size() < 4 ? HepStatus::kTruncated : HepStatus::kBadVersion;
}

void apply_hep(const HepPacket& h, ParsedPacket& p) noexcept {
  p.l3 = h.l3;
  // An agent sends whole messages, TCP ones included: the planes read each as a datagram.
  p.ip_proto = kIpProtoUdp;
  p.from_hep = true;
  p.src = h.src;
  p.dst = h.dst;
  p.src_port = h.src_port;
  p.dst_port = h.dst_port;
  p.tcp_seq = 0;
  p.tcp_flags = 0;
  p.payload = h.payload;
  p.payload_len = h.payload_len;
}

}  // namespace rv::dataplane
