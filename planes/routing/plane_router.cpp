#include "planes/routing/plane_router.hpp"

#include <fmt/format.h>

namespace rv::planes::routing {
namespace {

// Objects per zero-copy type: room for every ring of a shard towards the control group.
constexpr uint32_t kMinPoolObjects = 8191;

template <events::Event E>
Result<events::Publisher<E>> publisher(PlaneRouter::Fabric& f, uint32_t lcore) {
  auto p = f.create_publisher<E>(events::ProducerId::lcore(lcore));
  if (!p) return std::unexpected(Error(p.error()).with_context(fmt::format(
                   "creating the {} publisher of lcore {}", events::EventTraits<E>::kName, lcore)));
  return p;
}

}  // namespace

Result<std::unique_ptr<PlaneRouter>> PlaneRouter::create(const config::EventsConfig& cfg,
                                                         std::vector<uint32_t> shard_lcores,
                                                         bool lossless) {
  const std::size_t shards = std::max<std::size_t>(1, shard_lcores.size());
  auto sys = events::EventSystemBuilder<PlaneEvents>{}
                 .implementation(cfg.implementation == "zerocopy"
                                     ? events::Implementation::kZeroCopy
                                     : events::Implementation::kStaticFastPath)
                 .channel_capacity(cfg.channel_capacity)
                 .enable_priority(cfg.enable_priority)
                 .batch_size(cfg.batch_size)
                 .shard_count(shards)
                 .enable_metrics(cfg.enable_metrics)
                 .latency_sample_every(cfg.latency_sample_every)
                 .pool_size(std::max<uint32_t>(kMinPoolObjects, cfg.channel_capacity * 2 - 1))
                 .lossless(lossless)
                 .build();
  if (!sys) return std::unexpected(std::move(sys.error()).with_context("building the event fabric"));
  return std::unique_ptr<PlaneRouter>(new PlaneRouter(std::move(*sys), std::move(shard_lcores)));
}

Result<ShardFabric> PlaneRouter::attach_shard(
    uint32_t index, std::function<void(const signaling::MediaEndpointEvent&)> learn,
    bool remote_messages) {
  const uint32_t lcore = shard_lcores_.at(index);
  ShardFabric f;
  auto ctx = [&](const Error& e) {
    return std::unexpected(Error(e).with_context(fmt::format("wiring shard {}", index)));
  };
#define RV_PUBLISHER(field, type)                              \
  if (auto p = publisher<type>(fabric_, lcore); p) {           \
    f.field = std::move(*p);                                   \
  } else {                                                     \
    return ctx(p.error());                                     \
  }
  RV_PUBLISHER(packets_out, SteeredPacket)
  RV_PUBLISHER(endpoints_out, signaling::MediaEndpointEvent)
  RV_PUBLISHER(calls_out, signaling::CallEvent)
  RV_PUBLISHER(messages_out, signaling::SipMessageEvent)
  RV_PUBLISHER(registrations_out, signaling::RegistrationEvent)
  RV_PUBLISHER(started_out, media::StreamStarted)
  RV_PUBLISHER(intervals_out, media::StreamInterval)
  RV_PUBLISHER(ended_out, media::StreamEnded)
  RV_PUBLISHER(notices_out, dataplane::DataplaneNotice)
#undef RV_PUBLISHER
  // SessionBound: the keys this shard owns. Its own packets never take this route (the shard
  // delivers them in-line before publishing), so no in-line handler.
  static_assert(events::EventTraits<SteeredPacket>::kAffinity == events::Affinity::kSessionBound);
  events::SubscriptionOptions<SteeredPacket> po;
  po.id = fmt::format("shard{}", index);
  po.consumer_lcore = lcore;
  po.shard = index;
  auto packets_in = fabric_.subscribe<SteeredPacket>(std::move(po));
  if (!packets_in) return ctx(packets_in.error());
  f.packets_in = std::move(*packets_in);
  // GlobalBroadcast: every shard, in-line on the publishing shard.
  static_assert(events::EventTraits<signaling::MediaEndpointEvent>::kAffinity ==
                events::Affinity::kGlobalBroadcast);
  events::SubscriptionOptions<signaling::MediaEndpointEvent> eo;
  eo.id = fmt::format("media{}", index);
  eo.consumer_lcore = lcore;
  eo.handler = std::move(learn);
  auto endpoints_in = fabric_.subscribe<signaling::MediaEndpointEvent>(std::move(eo));
  if (!endpoints_in) return ctx(endpoints_in.error());
  f.endpoints_in = std::move(*endpoints_in);
  if (remote_messages) {
    // Remote (analyzer): summaries keyed by Call-ID, each to the shard owning it.
    events::SubscriptionOptions<signaling::SipMessageEvent> mo;
    mo.id = fmt::format("signaling{}", index);
    mo.consumer_lcore = lcore;
    mo.shard = index;
    auto messages_in = fabric_.subscribe<signaling::SipMessageEvent>(std::move(mo));
    if (!messages_in) return ctx(messages_in.error());
    f.messages_in.emplace(std::move(*messages_in));
  }
  return f;
}

}  // namespace rv::planes::routing
