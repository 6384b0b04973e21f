#pragma once
// EventSystem<Registry>: the event fabric (DESIGN.md §3) and its builder.
//
//   using AppEvents = EventRegistry<SipMessageEvent, CallStateEvent, RtpStatsEvent>;
//   auto sys = EventSystemBuilder<AppEvents>{}
//                  .implementation(Implementation::kStaticFastPath)
//                  .channel_capacity(1024).batch_size(32).build();   // Result<EventSystem>
//   sys->start();
//   auto sub = sys->subscribe<SipMessageEvent>({.id = "signaling", .consumer_lcore = 1});
//   auto pub = sys->create_publisher<SipMessageEvent>(ProducerId::lcore(0));
//   pub->publish(msg);                         // on lcore 0
//   sub->poll(32, [](const SipMessageEvent& m) { ... });   // on lcore 1
//
// Thread safety: start/shutdown/create_publisher/subscribe/metrics are control-path calls
// (serialised internally, may allocate). Publishers and subscribers are single-thread handles.
// shutdown() refuses new publishes, waits up to drain_timeout for consumers to empty the
// rings, then stops consumers and drains and counts the rest (dropped{shutdown}).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "events/delivery.hpp"
#include "events/detail/channel.hpp"
#include "events/event_registry.hpp"
#include "events/metrics.hpp"
#include "events/options.hpp"
#include "events/publisher.hpp"
#include "events/subscriber.hpp"

namespace rv::events {

template <typename Registry>
class EventSystem {
 public:
  EventSystem(EventSystem&&) noexcept = default;
  EventSystem& operator=(EventSystem&&) noexcept = default;
  ~EventSystem() {
    if (impl_) (void)shutdown();
  }

  Result<void> start() {
    std::lock_guard lock(impl_->mu);
    const auto s = impl_->shared.state.load();
    if (s == detail::State::kRunning) {
      return make_error(ErrorCode::kState, "start() called twice: the event system is running");
    }
    if (s != detail::State::kBuilt) {
      return make_error(ErrorCode::kState,
                        "start() after shutdown(): build a new EventSystem to restart");
    }
    impl_->shared.state.store(detail::State::kRunning);
    return {};
  }

  // Idempotent. See the header comment for the drain sequence.
  Result<void> shutdown() {
    std::lock_guard lock(impl_->mu);
    return impl_->shutdown();
  }

  bool running() const noexcept { return impl_->shared.accepting(); }
  // Switches lossless delivery (FabricOptions::lossless) on or off; any thread, any time.
  void set_lossless(bool on) noexcept {
    impl_->shared.lossless.store(on, std::memory_order_relaxed);
  }
  const FabricOptions& options() const noexcept { return impl_->shared.opts; }

  // A publisher bound to `producer` (default: the calling thread's lcore, or control).
  template <Event E>
  Result<Publisher<E>> create_publisher(ProducerId producer = ProducerId::current()) {
    static_assert(Registry::template contains<E>,
                  "event type is not in this EventSystem's EventRegistry: add it there");
    std::lock_guard lock(impl_->mu);
    auto core = impl_->template add_publisher<E>(producer);
    if (!core) return std::unexpected(std::move(core.error()));
    return Publisher<E>(*core, &impl_->shared);
  }

  template <Event E>
  Result<Subscriber<E>> subscribe(SubscriptionOptions<E> opts = {}) {
    static_assert(Registry::template contains<E>,
                  "event type is not in this EventSystem's EventRegistry: add it there");
    std::lock_guard lock(impl_->mu);
    auto core = impl_->template add_subscriber<E>(std::move(opts));
    if (!core) return std::unexpected(std::move(core.error()));
    return Subscriber<E>(*core, &impl_->shared);
  }

  // Convenience: subscribe with a predicate (evaluated before enqueue).
  template <Event E, typename F>
    requires std::is_invocable_r_v<bool, F&, const E&>
  Result<Subscriber<E>> subscribe(F&& filter) {
    SubscriptionOptions<E> opts;
    opts.filter = std::forward<F>(filter);
    return subscribe<E>(std::move(opts));
  }

  // Snapshot of every counter (control path; sums the single-writer counters).
  FabricMetrics metrics() const {
    std::lock_guard lock(impl_->mu);
    return impl_->metrics();
  }
  template <Event E>
  EventTypeMetrics metrics_of() const {
    static_assert(Registry::template contains<E>);
    std::lock_guard lock(impl_->mu);
    return impl_->template type_metrics<E>();
  }

 private:
  template <typename R>
  friend class EventSystemBuilder;
  explicit EventSystem(std::unique_ptr<detail::SystemImpl<Registry>> impl)
      : impl_(std::move(impl)) {}

  std::unique_ptr<detail::SystemImpl<Registry>> impl_;
};

template <typename Registry>
class EventSystemBuilder {
 public:
  EventSystemBuilder& implementation(Implementation i) { return set(o_.implementation, i); }
  EventSystemBuilder& channel_capacity(std::size_t n) { return set(o_.channel_capacity, clamp(n)); }
  EventSystemBuilder& enable_priority(bool b) { return set(o_.enable_priority, b); }
  EventSystemBuilder& batch_size(std::size_t n) { return set(o_.batch_size, clamp(n)); }
  EventSystemBuilder& shard_count(std::size_t n) { return set(o_.shard_count, clamp(n)); }
  EventSystemBuilder& enable_metrics(bool b) { return set(o_.enable_metrics, b); }
  EventSystemBuilder& latency_sample_every(std::size_t n) {
    return set(o_.latency_sample_every, clamp(n));
  }
  EventSystemBuilder& overflow_capacity(std::size_t n) {
    return set(o_.overflow_capacity, clamp(n));
  }
  EventSystemBuilder& pool_size(std::size_t n) { return set(o_.pool_size, clamp(n)); }
  EventSystemBuilder& control_wait(std::chrono::microseconds d) { return set(o_.control_wait, d); }
  EventSystemBuilder& drain_timeout(std::chrono::milliseconds d) {
    return set(o_.drain_timeout, d);
  }
  EventSystemBuilder& socket_id(int s) { return set(o_.socket_id, s); }
  EventSystemBuilder& lossless(bool b) { return set(o_.lossless, b); }
  EventSystemBuilder& options(const FabricOptions& o) { return set(o_, o); }

  // Validates the options (EAL must be initialised). A zero-copy type gets its mempool with its
  // first subscriber.
  Result<EventSystem<Registry>> build() const {
    if (auto ok = o_.validate(); !ok) {
      return std::unexpected(std::move(ok.error()).with_context("EventSystemBuilder::build"));
    }
    auto impl = std::make_unique<detail::SystemImpl<Registry>>(o_);
    if (auto ok = impl->init(); !ok) {
      return std::unexpected(std::move(ok.error()).with_context("EventSystemBuilder::build"));
    }
    return EventSystem<Registry>(std::move(impl));
  }

 private:
  template <typename T, typename V>
  EventSystemBuilder& set(T& field, V v) {
    field = v;
    return *this;
  }
  // Out-of-range sizes become 0, which validate() rejects with a message.
  static uint32_t clamp(std::size_t n) { return n > 0xffffffffu ? 0 : static_cast<uint32_t>(n); }

  FabricOptions o_;
};

}  // namespace rv::events
