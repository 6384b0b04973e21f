#pragma once
// Delivery<E>: what receive()/try_receive() hand out. Read-only access to the event, the same
// type for both implementations: on the static path it holds a copy, on the zero-copy path a
// reference to the pool object (released when the Delivery goes away; move-only).

#include <cstddef>
#include <cstring>
#include <new>
#include <utility>

#include "events/detail/slot.hpp"
#include "events/event_traits.hpp"

namespace rv::events {

namespace detail {
template <Event E>
class SubscriberCore;
}

template <Event E>
class Delivery {
 public:
  Delivery() noexcept = default;
  Delivery(Delivery&& o) noexcept : obj_(std::exchange(o.obj_, nullptr)), prio_(o.prio_) {
    if constexpr (StaticEvent<E>) std::memcpy(value_, o.value_, sizeof(value_));
  }
  Delivery& operator=(Delivery&& o) noexcept {
    if (this != &o) {
      reset();
      obj_ = std::exchange(o.obj_, nullptr);
      prio_ = o.prio_;
      if constexpr (StaticEvent<E>) std::memcpy(value_, o.value_, sizeof(value_));
    }
    return *this;
  }
  Delivery(const Delivery&) = delete;
  Delivery& operator=(const Delivery&) = delete;
  ~Delivery() { reset(); }

  const E& operator*() const noexcept { return *get(); }
  const E* operator->() const noexcept { return get(); }
  const E* get() const noexcept {
    if (obj_ != nullptr) return obj_->get();
    if constexpr (StaticEvent<E>) {
      return std::launder(reinterpret_cast<const E*>(value_));
    } else {
      return nullptr;
    }
  }
  Priority priority() const noexcept { return prio_; }
  // True when the event is shared through its type's mempool (zero-copy path).
  bool shared() const noexcept { return obj_ != nullptr; }

 private:
  friend class detail::SubscriberCore<E>;
  void reset() noexcept {
    if (obj_ != nullptr) detail::release(std::exchange(obj_, nullptr));
  }

  detail::PoolObject<E>* obj_ = nullptr;
  Priority prio_ = Priority::kNormal;
  alignas(E) std::byte value_[StaticEvent<E> ? sizeof(E) : 1]{};
};

}  // namespace rv::events
