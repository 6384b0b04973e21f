#pragma once
// Session keys for steering (DESIGN.md §5 routing): the same session always maps to the same
// key, so events::shard_of(key, shards) always picks the same shard.
//  - SIP over UDP: the Call-ID (every message of a call, from any address, meets on one shard);
//  - SIP over TCP: the connection (reassembly is per connection);
//  - RTP/RTCP: the conversation, both directions, with ports rounded down to even so a stream
//    and its RTCP (port + 1) meet on the same shard as the reverse stream.
// Pure and noexcept; runs on lcores.

#include <cstdint>
#include <span>

#include "dataplane/packet.hpp"
#include "planes/transport/packet_class.hpp"

namespace rv::planes::routing {

// Hash of the Call-ID header value (full or compact form "i:"), 0 when there is none.
uint64_t sip_call_id_key(std::span<const uint8_t> sip_message) noexcept;

// The conversation key of `p` (symmetric in direction); `pair_ports` rounds ports down to even.
uint64_t conversation_key(const dataplane::ParsedPacket& p, bool pair_ports) noexcept;

// The steering key of a classified packet.
uint64_t session_key(transport::PacketClass c, const dataplane::ParsedPacket& p) noexcept;

}  // namespace rv::planes::routing
