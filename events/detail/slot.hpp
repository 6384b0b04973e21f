#pragma once
// What rings carry. Static fast path: Slot<E> (the event by value plus an 8-byte stamp).
// Zero copy: a pointer to PoolObject<E>, a mempool object with an intrusive refcount.

#include <rte_mempool.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>

#include "events/event_traits.hpp"
#include "events/priority.hpp"

namespace rv::events::detail {

// Stamp: bits 0-1 priority, bit 2 "latency sample", bits 3-63 the publish TSC (<< 3).
inline constexpr uint64_t kStampSampled = 4;
constexpr uint64_t make_stamp(Priority p) noexcept { return static_cast<uint64_t>(p); }
constexpr uint64_t make_stamp(Priority p, uint64_t tsc) noexcept {
  return (tsc << 3) | kStampSampled | static_cast<uint64_t>(p);
}
constexpr Priority stamp_priority(uint64_t s) noexcept { return static_cast<Priority>(s & 3); }
constexpr bool stamp_sampled(uint64_t s) noexcept { return (s & kStampSampled) != 0; }
// Cycles from the stamp's TSC to `now_tsc`, modulo 2^61.
constexpr uint64_t stamp_age_cycles(uint64_t s, uint64_t now_tsc) noexcept {
  return ((now_tsc << 3) - (s & ~uint64_t{7})) >> 3;
}

// How a type travels in one EventSystem (fixed at build):
//   kPlain   static path with priorities: the ring slot is the event itself (sizeof(E), cache
//            aligned for 64-byte events); the priority is the ring's class and sampled latency
//            goes through a per-ring SampleMailbox.
//   kStamped static path without priorities (or sizeof(E) % 4 != 0): Slot<E> = event + stamp.
//   kPool    zero copy: the slot is a pointer to a PoolObject<E> (stamp in its header).
enum class Format : uint8_t { kPlain, kStamped, kPool };

template <typename E>
inline constexpr bool kPlainEligible = StaticEvent<E> && (sizeof(E) % 4 == 0);

// One latency sample in flight per (producer, subscriber, class) ring on the plain format: the
// producer posts the ring position and stamp of a sampled event when the box is empty, the
// consumer records the latency when it dequeues that position, then empties the box.
struct alignas(64) SampleMailbox {
  std::atomic<uint64_t> stamp{0};  // 0: empty. producer: wo when empty, consumer: clears
  std::atomic<uint32_t> pos{0};    // ring position (prod head) of the sampled event
};

template <typename E>
struct Slot {
  E event;
  uint64_t stamp;
};

template <typename E>
inline constexpr uint32_t kSlotSize = static_cast<uint32_t>(sizeof(Slot<E>));

struct alignas(64) PoolHeader {
  std::atomic<uint32_t> refs;  // one per ring slot / subscriber / EventRef holding it
  uint64_t stamp;
  rte_mempool* pool;
};

template <typename E>
struct PoolObject {
  static_assert(alignof(E) <= 64, "zero-copy events must be at most 64-byte aligned");
  PoolHeader hdr;
  alignas(E) std::byte storage[sizeof(E)];

  E* get() noexcept { return std::launder(reinterpret_cast<E*>(storage)); }
  const E* get() const noexcept { return std::launder(reinterpret_cast<const E*>(storage)); }
};

// Drops n references; the last one destroys the event and returns the object to its pool.
template <typename E>
inline void release(PoolObject<E>* o, uint32_t n = 1) noexcept {
  if (n == 0) return;
  if (o->hdr.refs.fetch_sub(n, std::memory_order_acq_rel) == n) {
    o->get()->~E();
    rte_mempool_put(o->hdr.pool, o);
  }
}

// Takes an object and copy-constructs the event in it with `refs` references; nullptr when the
// pool is exhausted.
template <typename E>
inline PoolObject<E>* acquire(rte_mempool* pool, const E& e, uint64_t stamp,
                              uint32_t refs) noexcept {
  void* raw = nullptr;
  if (rte_mempool_get(pool, &raw) != 0) [[unlikely]] {
    return nullptr;
  }
  auto* o = static_cast<PoolObject<E>*>(raw);
  ::new (static_cast<void*>(&o->hdr)) PoolHeader;
  o->hdr.refs.store(refs, std::memory_order_relaxed);
  o->hdr.stamp = stamp;
  o->hdr.pool = pool;
  ::new (static_cast<void*>(o->storage)) E(e);
  return o;
}

}  // namespace rv::events::detail
