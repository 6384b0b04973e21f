#pragma once
// The system's events (DESIGN.md §3 table) and their traits: name, id, priority, affinity,
// backpressure. Names are the contract (metrics labels, the report's `events`, the federation).
//
//  transport.packet          Normal    SessionBound  rx lcore -> owning shard (steering)
//  signaling.sip_message     High      SessionBound  shard -> signaling consumers (Call-ID key)
//  signaling.call            Critical  InterPlane    signaling plane -> report, metrics, outputs
//  signaling.media_endpoint  High      Broadcast     signaling plane -> every shard's media plane
//  signaling.registration    Normal    InterPlane    signaling plane -> control consumers
//  media.stream_started      Low       InterPlane    media plane -> control consumers
//  media.stream_interval     Low       InterPlane    media plane -> control consumers
//  media.stream_ended        Low       InterPlane    media plane -> report, metrics, outputs
//  dataplane.notice          High      InterPlane    lcores -> health, log

#include <cstdint>

#include <rte_mbuf.h>

#include "dataplane/notice.hpp"
#include "dataplane/packet.hpp"
#include "events/event_registry.hpp"
#include "events/event_traits.hpp"
#include "planes/media/media_events.hpp"
#include "planes/signaling/signaling_events.hpp"
#include "planes/transport/packet_class.hpp"

namespace rv::planes::routing {

// A classified packet whose session another shard owns. The mbuf travels by pointer with a
// reference of its own on every segment; the consumer re-parses the frame and releases it.
struct SteeredPacket {
  rte_mbuf* mbuf = nullptr;
  uint64_t rx_ns = 0;
  uint64_t session_key = 0;   // the steering key (shard_of(session_key, shards))
  transport::PacketClass cls = transport::PacketClass::kOther;
  dataplane::LinkType link = dataplane::LinkType::kEthernet;
  uint8_t sync = 0;           // replay: the sender waits until this packet was handled
  uint8_t from_shard = 0;     // the sending shard
  uint16_t l3_offset = 0;     // the innermost IP header (past any tunnel), where the owner parses
  uint8_t hep = 0;            // 1: the UDP payload there is HEP, decoded again by the owner
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
  static constexpr Backpressure kBackpressure = Backpressure::kSpill;
  static constexpr bool kFastPath = true;
};

template <>
struct rv::events::EventTraits<rv::planes::signaling::CallEvent> {
  static constexpr std::string_view kName = "signaling.call";
  static constexpr uint16_t kId = 3;
  static constexpr Priority kDefaultPriority = Priority::kCritical;
  static constexpr Affinity kAffinity = Affinity::kInterPlane;
  static constexpr Backpressure kBackpressure = Backpressure::kSpill;
};

template <>
struct rv::events::EventTraits<rv::planes::signaling::SipMessageEvent> {
  static constexpr std::string_view kName = "signaling.sip_message";
  static constexpr uint16_t kId = 4;
  static constexpr Priority kDefaultPriority = Priority::kHigh;
  static constexpr Affinity kAffinity = Affinity::kSessionBound;
  static constexpr Backpressure kBackpressure = Backpressure::kDropNewest;
  static uint64_t shard_key(const rv::planes::signaling::SipMessageEvent& e) noexcept {
    return e.call_id_hash;
  }
};

template <>
struct rv::events::EventTraits<rv::planes::signaling::RegistrationEvent> {
  static constexpr std::string_view kName = "signaling.registration";
  static constexpr uint16_t kId = 5;
  static constexpr Priority kDefaultPriority = Priority::kNormal;
  static constexpr Affinity kAffinity = Affinity::kInterPlane;
  static constexpr Backpressure kBackpressure = Backpressure::kDropNewest;
};

template <>
struct rv::events::EventTraits<rv::planes::media::StreamStarted> {
  static constexpr std::string_view kName = "media.stream_started";
  static constexpr uint16_t kId = 6;
  static constexpr Priority kDefaultPriority = Priority::kLow;
  static constexpr Affinity kAffinity = Affinity::kInterPlane;
  static constexpr Backpressure kBackpressure = Backpressure::kDropNewest;
};

template <>
struct rv::events::EventTraits<rv::planes::media::StreamInterval> {
  static constexpr std::string_view kName = "media.stream_interval";
  static constexpr uint16_t kId = 7;
  static constexpr Priority kDefaultPriority = Priority::kLow;
  static constexpr Affinity kAffinity = Affinity::kInterPlane;
  static constexpr Backpressure kBackpressure = Backpressure::kDropNewest;
};

template <>
struct rv::events::EventTraits<rv::planes::media::StreamEnded> {
  static constexpr std::string_view kName = "media.stream_ended";
  static constexpr uint16_t kId = 8;
  static constexpr Priority kDefaultPriority = Priority::kLow;
  static constexpr Affinity kAffinity = Affinity::kInterPlane;
  static constexpr Backpressure kBackpressure = Backpressure::kDropNewest;
};

template <>
struct rv::events::EventTraits<rv::dataplane::DataplaneNotice> {
  static constexpr std::string_view kName = "dataplane.notice";
  static constexpr uint16_t kId = 9;
  static constexpr Priority kDefaultPriority = Priority::kHigh;
  static constexpr Affinity kAffinity = Affinity::kInterPlane;
  static constexpr Backpressure kBackpressure = Backpressure::kDropNewest;
};

namespace rv::planes::routing {

using PlaneEvents =
    events::EventRegistry<SteeredPacket, signaling::MediaEndpointEvent, signaling::CallEvent,
                          signaling::SipMessageEvent, signaling::RegistrationEvent,
                          media::StreamStarted, media::StreamInterval, media::StreamEnded,
                          dataplane::DataplaneNotice>;

}  // namespace rv::planes::routing
