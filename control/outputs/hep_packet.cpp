#include "control/outputs/hep_packet.hpp"

namespace rv::control::hep {
namespace {

void u8(std::string& o, uint8_t v) { o.push_back(static_cast<char>(v)); }
void u16(std::string& o, uint16_t v) {
  o.push_back(static_cast<char>(v >> 8));
  o.push_back(static_cast<char>(v));
}
void u32(std::string& o, uint32_t v) {
  u16(o, static_cast<uint16_t>(v >> 16));
  u16(o, static_cast<uint16_t>(v));
}
void chunk(std::string& o, uint16_t type, uint16_t len) {
  u16(o, 0);  // vendor: generic
  u16(o, type);
  u16(o, static_cast<uint16_t>(len + 6));
}
void bytes(std::string& o, uint16_t type, std::string_view v) {
  chunk(o, type, static_cast<uint16_t>(v.size()));
  o.append(v);
}

}  // namespace

bool encode(const HepMeta& m, std::string_view payload, std::string& out) {
  const bool v6 = m.flow.src.addr.family == dataplane::L3Proto::kIpv6;
  const std::size_t addr = v6 ? 16 : 4;
  const std::size_t size = 6 + (6 + 1) * 2 + (6 + addr) * 2 + (6 + 2) * 2 + (6 + 4) * 3 +
                           (6 + 1) + (m.auth_key.empty() ? 0 : 6 + m.auth_key.size()) +
                           (m.correlation_id.empty() ? 0 : 6 + m.correlation_id.size()) +
                           6 + payload.size();
  if (size > 65535) return false;
  out.reserve(out.size() + size);
  out.append("HEP3");
  u16(out, static_cast<uint16_t>(size));
  chunk(out, 0x0001, 1);
  u8(out, v6 ? 10 : 2);  // AF_INET6 / AF_INET
  chunk(out, 0x0002, 1);
  u8(out, m.flow.ip_proto);
  const auto* src = reinterpret_cast<const char*>(m.flow.src.addr.bytes.data());
  const auto* dst = reinterpret_cast<const char*>(m.flow.dst.addr.bytes.data());
  bytes(out, v6 ? 0x0005 : 0x0003, std::string_view(src, addr));
  bytes(out, v6 ? 0x0006 : 0x0004, std::string_view(dst, addr));
  chunk(out, 0x0007, 2);
  u16(out, m.flow.src.port);
  chunk(out, 0x0008, 2);
  u16(out, m.flow.dst.port);
  chunk(out, 0x0009, 4);
  u32(out, static_cast<uint32_t>(m.timestamp_ns / 1'000'000'000ull));
  chunk(out, 0x000a, 4);
  u32(out, static_cast<uint32_t>(m.timestamp_ns % 1'000'000'000ull / 1000));
  chunk(out, 0x000b, 1);
  u8(out, static_cast<uint8_t>(m.proto));
  chunk(out, 0x000c, 4);
  u32(out, m.node_id);
  if (!m.auth_key.empty()) bytes(out, 0x000e, m.auth_key);
  if (!m.correlation_id.empty()) bytes(out, 0x0011, m.correlation_id);
  bytes(out, 0x000f, payload);
  return true;
}

}  // namespace rv::control::hep
