#pragma once
// Publisher<E>: a typed, producer-bound handle (create with EventSystem::create_publisher<E>).
// Thread safety: one thread at a time. An lcore publisher must only be used on its lcore (it
// owns SPSC rings); control publishers may live on any non-lcore thread, one per thread.
// The EventSystem must outlive it.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "events/detail/errors.hpp"
#include "events/detail/publisher_core.hpp"
#include "events/detail/shared.hpp"
#include "events/error.hpp"
#include "events/event_traits.hpp"

namespace rv::events {


template <Event E>
class Publisher {
 public:
  Publisher() = default;

  // Publishes at the type's default priority. Returns how many subscribers received it (0 when
  // filtered or dropped, both counted); an Error only when the system is not running.
  Result<uint32_t> publish(const E& e) noexcept {
    return publish(e, EventTraits<E>::kDefaultPriority);
  }
  Result<uint32_t> publish(const E& e, Priority p) noexcept {
    if (!sys_->accepting()) [[unlikely]] {
      return std::unexpected(detail::not_accepting_error(sys_->state.load(), kName));
    }
    return core_->publish(e, p);
  }
  // Burst enqueue (batch_size per burst). Returns the number of copies accepted.
  Result<std::size_t> publish_batch(std::span<const E> events) noexcept {
    return publish_batch(events, EventTraits<E>::kDefaultPriority);
  }
  Result<std::size_t> publish_batch(std::span<const E> events, Priority p) noexcept {
    if (!sys_->accepting()) [[unlikely]] {
      return std::unexpected(detail::not_accepting_error(sys_->state.load(), kName));
    }
    return core_->publish_batch(events, p);
  }

  // Cheap check for lcore loops: false before start() and from shutdown() on, when publish()
  // would return an Error (which allocates its message).
  bool accepting() const noexcept { return sys_->accepting(); }
  // Whether any subscriber can receive this type (lets a producer skip building an event
  // nobody wants). Producer thread.
  bool has_subscribers() const noexcept { return core_->route_count() != 0; }
  ProducerId producer() const noexcept { return core_->producer(); }
  bool valid() const noexcept { return core_ != nullptr; }

 private:
  template <typename R>
  friend class EventSystem;
  static constexpr std::string_view kName = EventTraits<E>::kName;
  Publisher(detail::PublisherCore<E>* core, const detail::SystemShared* sys)
      : core_(core), sys_(sys) {}

  detail::PublisherCore<E>* core_ = nullptr;
  const detail::SystemShared* sys_ = nullptr;
};

}  // namespace rv::events
