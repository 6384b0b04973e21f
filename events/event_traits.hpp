#pragma once
// EventTraits<E>: the compile-time description of an event type (DESIGN.md §3 "Typed events").
//
//   struct SipMessageEvent { ... };               // plain struct
//   template <> struct rv::events::EventTraits<SipMessageEvent> {
//     static constexpr std::string_view kName = "sip.message";     // stable, exported in metrics
//     static constexpr uint16_t kId = 10;                           // stable, unique per registry
//     static constexpr Priority kDefaultPriority = Priority::kNormal;
//     static constexpr Affinity kAffinity = Affinity::kSessionBound;
//     // optional:
//     static constexpr Backpressure kBackpressure = Backpressure::kDropNewest;
//     static constexpr bool kFastPath = true;  // static_assert'ed: trivially copyable, <= 128 B
//     static uint64_t shard_key(const SipMessageEvent& e) noexcept { return e.call_id_hash; }
//     // called for each queued copy the fabric discards (shutdown or unsubscribe drains), so
//     // that events owning a resource (an mbuf reference) can give it back:
//     static void on_discard(const SipMessageEvent& e) noexcept;
//   };
//
// A type is used by listing it in an EventRegistry (event_registry.hpp); publishing or
// subscribing to a type that is not in the system's registry does not compile.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "events/priority.hpp"

namespace rv::events {

// Specialise for each event type. The primary template is deliberately undefined.
template <typename E>
struct EventTraits;

// Largest event copied into ring slots on the static fast path (two cache lines).
inline constexpr std::size_t kMaxStaticEventSize = 128;

template <typename E>
concept Event = requires {
  { EventTraits<E>::kName } -> std::convertible_to<std::string_view>;
  { EventTraits<E>::kId } -> std::convertible_to<uint16_t>;
  { EventTraits<E>::kDefaultPriority } -> std::convertible_to<Priority>;
  { EventTraits<E>::kAffinity } -> std::convertible_to<Affinity>;
} && std::is_nothrow_destructible_v<E> && std::is_nothrow_copy_constructible_v<E>;

// Eligible for the static fast path: copied by value into rte_ring_elem slots.
template <typename E>
concept StaticEvent = Event<E> && std::is_trivially_copyable_v<E> &&
                      (sizeof(E) <= kMaxStaticEventSize) && (alignof(E) <= 64);

// Types whose trait provides shard_key() are routed to the subscriber owning the key's shard.
template <typename E>
concept ShardedEvent = Event<E> && requires(const E& e) {
  { EventTraits<E>::shard_key(e) } noexcept -> std::convertible_to<uint64_t>;
};

// Types whose trait provides on_discard() are told about every queued copy the fabric drains
// without delivering it (shutdown, unsubscribe). Publish-time drops are reported to the
// publisher by publish()'s return value instead.
template <typename E>
concept DiscardHookEvent = Event<E> && requires(const E& e) {
  { EventTraits<E>::on_discard(e) } noexcept;
};

template <Event E>
constexpr Backpressure backpressure_of() noexcept {
  if constexpr (requires { EventTraits<E>::kBackpressure; }) {
    return EventTraits<E>::kBackpressure;
  } else {
    return Backpressure::kDropNewest;
  }
}

// Whether the type travels by value under Implementation::kStaticFastPath. Defaults to
// eligibility; a trait that asks for it explicitly (kFastPath = true) gets a static_assert.
template <Event E>
constexpr bool uses_fast_path() noexcept {
  if constexpr (requires { EventTraits<E>::kFastPath; }) {
    static_assert(!EventTraits<E>::kFastPath || StaticEvent<E>,
                  "kFastPath event types must be trivially copyable, at most 128 bytes and "
                  "at most 64-byte aligned");
    return EventTraits<E>::kFastPath;
  } else {
    return StaticEvent<E>;
  }
}

// Deterministic key -> shard mapping shared with planes/routing (session affinity).
constexpr uint32_t shard_of(uint64_t key, uint32_t shard_count) noexcept {
  // splitmix64 finaliser: sequential keys (RTP ports, counters) spread evenly.
  key ^= key >> 30;
  key *= 0xbf58476d1ce4e5b9ULL;
  key ^= key >> 27;
  key *= 0x94d049bb133111ebULL;
  key ^= key >> 31;
  return shard_count == 0 ? 0 : static_cast<uint32_t>(key % shard_count);
}

}  // namespace rv::events
