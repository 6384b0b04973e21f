#pragma once
// The events the planes exchange over the fabric between shards (DESIGN.md §3, §5 routing):
//  - SteeredPacket: a classified packet whose session another shard owns (SessionBound, by the
//    session key: Call-ID hash for SIP over UDP, the conversation for RTP/RTCP and SIP over TCP).
//    The mbuf travels by pointer with a reference of its own; the consumer re-parses the frame
//    and releases the reference.
//  - signaling::MediaEndpointEvent: an SDP-learned media endpoint, broadcast to every shard's
//    media plane (RTP is steered by conversation, which SDP alone cannot name), High priority.

#include <cstdint>

#include "dataplane/packet.hpp"
#include "events/event_registry.hpp"
#include "events/event_traits.hpp"
#include "planes/signaling/signaling_events.hpp"
#include "planes/transport/packet_class.hpp"

#include <rte_mbuf.h>

namespace rv::planes::routing {

struct SteeredPacket {
  rte_mbuf* mbuf = nullptr;   // one reference owned by the event
  uint64_t rx_ns = 0;
  uint64_t session_key = 0;   // the steering key (shard_of(session_key, shards))
  transport::PacketClass cls = transport::PacketClass::kOther;
  dataplane::LinkType link = dataplane::LinkType::kEthernet;
};

}  // namespace rv::planes::routing

template <>
struct rv::events::EventTraits<rv::planes::routing::SteeredPacket> {
  static constexpr std::string_view kName = "transport.packet";
  static constexpr uint16_t kId = 1;
  static constexpr Priority kDefaultPriority = Priority::kNormal;
  static constexpr Affinity kAffinity = Affinity::kSessionBound;
  static constexpr Backpressure kBackpressure = Backpressure::kDropNewest;
  static constexpr bool kFastPath = true;
  static uint64_t shard_key(const rv::planes::routing::SteeredPacket& e) noexcept {
    return e.session_key;
  }
  // A copy the fabric throws away (shutdown, unsubscribe) releases its mbuf reference.
  static void on_discard(const rv::planes::routing::SteeredPacket& e) noexcept {
    rte_pktmbuf_free(e.mbuf);
  }
};

template <>
struct rv::events::EventTraits<rv::planes::signaling::MediaEndpointEvent> {
  static constexpr std::string_view kName = "signaling.media_endpoint";
  static constexpr uint16_t kId = 2;
  static constexpr Priority kDefaultPriority = Priority::kHigh;
  static constexpr Affinity kAffinity = Affinity::kGlobalBroadcast;
  static constexpr Backpressure kBackpressure = Backpressure::kDropNewest;
  static constexpr bool kFastPath = true;
};

namespace rv::planes::routing {

using PlaneEvents = events::EventRegistry<SteeredPacket, signaling::MediaEndpointEvent>;

}  // namespace rv::planes::routing
