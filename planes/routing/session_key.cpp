#include "planes/routing/session_key.hpp"

#include <string_view>

#include "dataplane/flow_key.hpp"
#include "dataplane/sctp_chunks.hpp"
#include "planes/signaling/call_record.hpp"
#include "planes/signaling/sip_parser.hpp"

namespace rv::planes::routing {
uint64_t sip_call_id_key(std::span<const uint8_t> msg) noexcept {
  const std::string_view value = signaling::find_sip_call_id(msg);
  return value.empty() ? 0 : signaling::hash_call_id(value);
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
    // Streams (TCP, WebSocket) and SCTP associations are reassembled by the shard owning the
    // conversation.
    if (p.ip_proto == dataplane::kIpProtoTcp || p.ip_proto == dataplane::kIpProtoSctp) {
      return conversation_key(p, false);
    }
    const uint64_t k = sip_call_id_key({p.payload, p.payload_len});
    return k != 0 ? k : conversation_key(p, false);
  }
  return conversation_key(p, true);
}

}  // namespace rv::planes::routing
