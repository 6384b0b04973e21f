#pragma once
// PlaneRouter: owns the event fabric of the appliance and decides where each event type goes
// from its affinity (DESIGN.md §5 routing), for one shard as for many:
//   SessionBound     a subscription per shard that takes the keys it owns (shard_of(key)); the
//                    producer owning the key delivers in-line, without a ring;
//   GlobalBroadcast  a subscription per shard, fed by every shard; in-line on the producer's own;
//   InterPlane       the control group's consumers (subscribe_control), fed by every shard;
//   Remote           the federation (deployment.mode): in a probe, the NATS bridge is a control
//                    consumer (subscribe_control) of the events it ships; in an analyzer, the
//                    NATS consumer publishes what probes sent from the control group
//                    (control_publisher): SIP summaries to the shard owning their Call-ID
//                    (attach_shard with remote_messages), stream reports to the control group.
// Control-plane object: build, attach every shard, subscribe the control consumers, start;
// shutdown() after the lcores stopped and the consumers drained.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "events/error.hpp"
#include "events/event_system.hpp"
#include "planes/routing/plane_events.hpp"
#include "planes/routing/shard_fabric.hpp"

namespace rv::planes::routing {

class PlaneRouter {
 public:
  using Fabric = events::EventSystem<PlaneEvents>;

  // Builds the fabric for shards on `shard_lcores` (one per shard, in shard order). `lossless`:
  // replay (producers wait for room instead of dropping).
  static Result<std::unique_ptr<PlaneRouter>> create(const config::EventsConfig& cfg,
                                                     std::vector<uint32_t> shard_lcores,
                                                     bool lossless);

  // Handles of shard `index`; `learn` receives the media endpoints broadcast to it (in-line for
  // the shard's own). Once per shard, before start().
  // `remote_messages` (analyzer): the shard also takes the signaling.sip_message summaries
  // whose Call-ID it owns (published by the NATS consumer).
  Result<ShardFabric> attach_shard(uint32_t index,
                                   std::function<void(const signaling::MediaEndpointEvent&)> learn,
                                   bool remote_messages = false);

  // A publisher for a control thread (the analyzer's NATS consumer). Before start().
  template <events::Event E>
  Result<events::Publisher<E>> control_publisher() {
    return fabric_.template create_publisher<E>(events::ProducerId::control());
  }

  // A control-group consumer of E (InterPlane, or an observer of any other type), polled by one
  // control thread. Before start(), so that no event is published before it listens.
  template <events::Event E>
  Result<events::Subscriber<E>> subscribe_control(std::string id) {
    events::SubscriptionOptions<E> o;
    o.id = std::move(id);
    o.consumer_lcore = kControlConsumer;
    return fabric_.template subscribe<E>(std::move(o));
  }

  Result<void> start() { return fabric_.start(); }
  // Refuses new events, gives consumers the drain timeout, counts the rest. Idempotent.
  Result<void> shutdown() { return fabric_.shutdown(); }
  // Replay and end-of-run drains are lossless; live traffic drops and counts. Any thread.
  void set_lossless(bool on) noexcept { fabric_.set_lossless(on); }

  const Fabric& fabric() const noexcept { return fabric_; }
  uint32_t shard_count() const noexcept { return static_cast<uint32_t>(shard_lcores_.size()); }

  // The consumer "lcore" of control subscriptions: no producer lcore has it, so control
  // consumers are always fed through rings.
  static constexpr uint32_t kControlConsumer = 0xfffffff0u;

 private:
  PlaneRouter(Fabric fabric, std::vector<uint32_t> shard_lcores)
      : fabric_(std::move(fabric)), shard_lcores_(std::move(shard_lcores)) {}

  Fabric fabric_;
  std::vector<uint32_t> shard_lcores_;
};

}  // namespace rv::planes::routing
