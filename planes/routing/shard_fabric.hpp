#pragma once
// ShardFabric: one shard's handles on the event fabric, created by the PlaneRouter on the
// control thread and then used only on the shard's lcore. Publishers for every event the
// shard's planes produce; subscriptions for the events shards consume (packets steered to this
// shard, media endpoints broadcast to every shard).

#include <optional>

#include "events/publisher.hpp"
#include "events/subscriber.hpp"
#include "planes/routing/plane_events.hpp"

namespace rv::planes::routing {

struct ShardFabric {
  events::Publisher<SteeredPacket> packets_out;
  events::Publisher<signaling::MediaEndpointEvent> endpoints_out;
  events::Publisher<signaling::CallEvent> calls_out;
  events::Publisher<signaling::SipMessageEvent> messages_out;
  events::Publisher<signaling::RegistrationEvent> registrations_out;
  events::Publisher<media::StreamStarted> started_out;
  events::Publisher<media::StreamInterval> intervals_out;
  events::Publisher<media::StreamEnded> ended_out;
  events::Publisher<dataplane::DataplaneNotice> notices_out;
  events::Subscriber<SteeredPacket> packets_in;
  events::Subscriber<signaling::MediaEndpointEvent> endpoints_in;
  // Analyzer only: SIP summaries from remote probes whose Call-ID this shard owns.
  std::optional<events::Subscriber<signaling::SipMessageEvent>> messages_in;
};

}  // namespace rv::planes::routing
