#pragma once
// Subscriber<E>: a typed, consumer-bound handle (create with EventSystem::subscribe<E>).
// Thread safety: its consumer thread only (rings are single-consumer). Destroying it
// unsubscribes: what is still queued is drained and counted as dropped{unsubscribed}.
// The EventSystem must outlive it.

#include <rte_pause.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "events/delivery.hpp"
#include "events/detail/shared.hpp"
#include "events/detail/subscriber_core.hpp"
#include "events/error.hpp"
#include "events/event_traits.hpp"

namespace rv::events {

template <Event E>
struct SubscriptionOptions {
  std::string id;  // unique per type; empty: "<type name>#<n>"
  // Lcore whose loop consumes this subscription. Default: the calling thread's lcore, or the
  // main lcore when called from a non-EAL thread.
  std::optional<uint32_t> consumer_lcore;
  // ShardedEvent types only: receive just the events whose key maps to this shard.
  std::optional<uint32_t> shard;
  // Evaluated by the producer before enqueue; events it rejects are counted as filtered.
  std::function<bool(const E&)> filter;
  // Optional handler: called in-line by a publisher running on consumer_lcore (no ring hop),
  // and by poll(max) for events that crossed cores.
  std::function<void(const E&)> handler;
};

template <Event E>
class Subscriber {
 public:
  Subscriber() = default;
  Subscriber(Subscriber&& o) noexcept
      : core_(std::exchange(o.core_, nullptr)), sys_(std::exchange(o.sys_, nullptr)) {}
  Subscriber& operator=(Subscriber&& o) noexcept {
    if (this != &o) {
      detach();
      core_ = std::exchange(o.core_, nullptr);
      sys_ = std::exchange(o.sys_, nullptr);
    }
    return *this;
  }
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;
  ~Subscriber() { detach(); }

  // Delivers up to max queued events, Critical first, to handler(const E&) or
  // handler(const E&, Priority). Returns how many it handled. Never blocks.
  template <typename H>
  std::size_t poll(std::size_t max, H&& handler) noexcept {
    return core_->poll(max, handler);
  }
  // Same, with the handler given in SubscriptionOptions.
  // Returns 0 when no handler was given.
  std::size_t poll(std::size_t max) noexcept {
    if (!core_->inline_handler) return 0;
    return core_->poll(max, core_->inline_handler);
  }

  // The next event if one is queued. Never blocks.
  std::optional<Delivery<E>> try_receive() noexcept {
    Delivery<E> d;
    if (core_->pop(d)) return std::optional<Delivery<E>>(std::move(d));
    return std::nullopt;
  }

  // Waits for the next event (spins, then yields). For control threads and tests: an lcore
  // loop uses poll(). Error kState when the system shuts down while waiting.
  Result<Delivery<E>> receive() { return wait_until(std::chrono::steady_clock::time_point::max()); }
  // Error kTimeout when nothing arrives within d.
  Result<Delivery<E>> receive_timeout(std::chrono::nanoseconds d) {
    return wait_until(std::chrono::steady_clock::now() + d);
  }

  const std::string& id() const noexcept { return core_->id; }
  bool valid() const noexcept { return core_ != nullptr; }

 private:
  template <typename R>
  friend class EventSystem;
  Subscriber(detail::SubscriberCore<E>* core, const detail::SystemShared* sys)
      : core_(core), sys_(sys) {}

  Result<Delivery<E>> wait_until(std::chrono::steady_clock::time_point deadline) {
    Delivery<E> d;
    for (uint32_t spins = 0;; ++spins) {
      if (core_->pop(d)) return d;
      if (sys_->state.load(std::memory_order_acquire) == detail::State::kStopped) {
        return make_error(ErrorCode::kState, "event system shut down while waiting in receive() "
                                             "on '" + core_->id + "'");
      }
      if ((spins & 63) == 63) {
        if (std::chrono::steady_clock::now() >= deadline) {
          return make_error(ErrorCode::kTimeout, "no event for subscription '" + core_->id +
                                                     "' within the receive_timeout");
        }
        std::this_thread::yield();
      } else {
        rte_pause();
      }
    }
  }

  void detach() noexcept {
    if (core_ == nullptr) return;
    core_->attached.store(false, std::memory_order_release);
    if (core_->enter_for_detach()) {
      core_->drain_all(DropReason::kUnsubscribed);
      core_->leave_after_detach();
    }
    core_ = nullptr;
  }

  detail::SubscriberCore<E>* core_ = nullptr;
  const detail::SystemShared* sys_ = nullptr;
};

}  // namespace rv::events
