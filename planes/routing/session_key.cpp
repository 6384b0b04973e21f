#include "planes/routing/session_key.hpp"

#include <algorithm>
#include <string_view>

#include "dataplane/flow_key.hpp"
#include "planes/signaling/call_record.hpp"

namespace rv::planes::routing {
namespace {

constexpr std::size_t kMaxHeaderScan = 8192;

bool header_name_is(std::string_view line, std::string_view name) noexcept {
  if (line.size() <= name.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char a = line[i] >= 'A' && line[i] <= 'Z' ? char(line[i] + 32) : line[i];
    if (a != name[i]) return false;
  }
  // Name, optional whitespace, colon.
  std::size_t i = name.size();
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  return i < line.size() && line[i] == ':';
}

std::string_view trim(std::string_view v) noexcept {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.remove_suffix(1);
  return v;
}

}  // namespace

uint64_t sip_call_id_key(std::span<const uint8_t> msg) noexcept {
  const std::string_view text(reinterpret_cast<const char*>(msg.data()),
                              std::min(msg.size(), kMaxHeaderScan));
  std::size_t pos = text.find('\n');  // skip the start line
  while (pos != std::string_view::npos && pos + 1 < text.size()) {
    const std::size_t start = pos + 1;
    const std::size_t end = text.find('\n', start);
    const std::string_view line = text.substr(start, end == std::string_view::npos ? text.npos : end - start);
    if (line.empty() || line == "\r") break;  // end of headers
    if (header_name_is(line, "call-id") || header_name_is(line, "i")) {
      const std::string_view value = trim(line.substr(line.find(':') + 1));
      return value.empty() ? 0 : signaling::hash_call_id(value);
    }
    pos = end;
  }
  return 0;
}

uint64_t conversation_key(const dataplane::ParsedPacket& p, bool pair_ports) noexcept {
  auto k = dataplane::FlowKey::from(p);
  if (pair_ports) {
    k.src.port &= 0xFFFE;
    k.dst.port &= 0xFFFE;
  }
  return dataplane::hash_flow(k.canonical());
}

uint64_t session_key(transport::PacketClass c, const dataplane::ParsedPacket& p) noexcept {
  if (c == transport::PacketClass::kSip) {
    if (p.ip_proto == dataplane::kIpProtoTcp) return conversation_key(p, false);
    const uint64_t k = sip_call_id_key({p.payload, p.payload_len});
    return k != 0 ? k : conversation_key(p, false);
  }
  return conversation_key(p, true);
}

}  // namespace rv::planes::routing
