#pragma once
// PublisherCore<E>: one publisher's routes (one per subscriber) and its counters, owned by the
// EventSystem and driven by exactly one producer thread at a time.
//
// publish path per event: state check, route table snapshot (acquire), shard and filter per
// route, then either in-line dispatch (the producer lcore owns the subscription), or enqueue
// into the (producer, subscriber, class) ring; on a full ring the type's backpressure policy:
// drop-newest (counted), spill to the route's overflow (Critical always), or bounded wait
// (control producers only). No allocation, no locks, no logging.

#include <rte_cycles.h>
#include <rte_pause.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <sched.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <type_traits>

#include "events/detail/ring.hpp"
#include "events/detail/shared.hpp"
#include "events/detail/slot.hpp"
#include "events/detail/subscriber_core.hpp"
#include "events/event_traits.hpp"
#include "events/metrics.hpp"

namespace rv::events::detail {

inline constexpr uint32_t kMaxSubscribers = 64;  // per type; routes are a 64-bit mask

template <Event E>
struct Route {
  std::array<rte_ring*, kPriorityCount> rings{};   // same ring in every class when priority off
  std::array<rte_ring*, kPriorityCount> spills{};  // overflow per class that may spill, or null
  std::array<SampleMailbox*, kPriorityCount> samples{};  // plain format on SPSC rings, or null
  SubscriberCore<E>* sub = nullptr;
  uint32_t capacity = 0;
  bool mp = false;               // control producer: shared MP RTS rings
  bool inline_dispatch = false;  // producer lcore == consumer lcore and a handler is set
  Counter dropped_ring_full;     // producer: wo; per subscription lag reporting
  Counter dropped_overflow;
};

template <Event E>
class PublisherCore {
 public:
  static constexpr Backpressure kPolicy = backpressure_of<E>();

  PublisherCore(const SystemShared& sys, ProducerId producer, Format format, rte_mempool* pool)
      : sys_(sys), producer_(producer), format_(format), pool_(pool) {
    const std::size_t b = sys.opts.batch_size;
    staging_ = std::make_unique<std::byte[]>(b * std::max(sizeof(Slot<E>), sizeof(void*)) + 64);
    objs_ = std::make_unique<PoolObject<E>*[]>(b);
    masks_ = std::make_unique<uint64_t[]>(b);
  }

  ProducerId producer() const noexcept { return producer_; }
  ProducerCounters& counters() noexcept { return counters_; }
  const ProducerCounters& counters() const noexcept { return counters_; }

  // cp: the type's mempool, created with its first subscriber; set before the first route.
  void set_pool(rte_mempool* pool) noexcept { pool_ = pool; }

  // cp: the subscriber's sources must already be published. Returns false when full.
  bool add_route(const Route<E>& r) noexcept {
    const uint32_t n = route_count_.load(std::memory_order_relaxed);
    if (n == kMaxSubscribers) return false;
    Route<E>& dst = routes_[n];
    dst.rings = r.rings;
    dst.spills = r.spills;
    dst.samples = r.samples;
    dst.sub = r.sub;
    dst.capacity = r.capacity;
    dst.mp = r.mp;
    dst.inline_dispatch = r.inline_dispatch;
    route_count_.store(n + 1, std::memory_order_release);
    return true;
  }
  uint32_t route_count() const noexcept { return route_count_.load(std::memory_order_acquire); }
  const Route<E>& route(uint32_t i) const noexcept { return routes_[i]; }

  // ---- producer thread. Returns the number of subscribers that received the event.
  uint32_t publish(const E& e, Priority p) noexcept {
    if constexpr (StaticEvent<E>) {
      if (format_ == Format::kPlain) return publish_one<Format::kPlain>(e, p);
      if (format_ == Format::kStamped) return publish_one<Format::kStamped>(e, p);
    }
    return publish_one<Format::kPool>(e, p);
  }

  // Returns the number of copies accepted (enqueued or dispatched in-line).
  std::size_t publish_batch(std::span<const E> events, Priority p) noexcept {
    std::size_t accepted = 0;
    const std::size_t b = sys_.opts.batch_size;
    for (std::size_t off = 0; off < events.size(); off += b) {
      const auto chunk = events.subspan(off, std::min(b, events.size() - off));
      if constexpr (StaticEvent<E>) {
        if (format_ != Format::kPool) {
          accepted += format_ == Format::kPlain ? publish_chunk_static<Format::kPlain>(chunk, p)
                                                : publish_chunk_static<Format::kStamped>(chunk, p);
          continue;
        }
      }
      accepted += publish_chunk_pool(chunk, p);
    }
    return accepted;
  }

 private:
  uint64_t next_stamp(Priority p) noexcept {
    // Counted per class so that periodic priority patterns cannot alias the sampling away.
    if (sys_.metrics && (++sample_seq_[index_of(p)] & sys_.sample_mask) == 0) {
      return make_stamp(p, rte_rdtsc());
    }
    return make_stamp(p);
  }

  static uint32_t shard_key_of(const E& e, uint32_t shards) noexcept {
    if constexpr (ShardedEvent<E>) {
      return shard_of(EventTraits<E>::shard_key(e), shards);
    } else {
      (void)e;
      (void)shards;
      return 0;
    }
  }

  // Which routes want e; counts copies and filtered copies.
  uint64_t route_mask(const E& e, uint32_t n, uint32_t& considered) noexcept {
    uint64_t mask = 0;
    considered = 0;
    [[maybe_unused]] const uint32_t shard = shard_key_of(e, sys_.opts.shard_count);
    for (uint32_t i = 0; i < n; ++i) {
      const Route<E>& r = routes_[i];
      const SubscriberCore<E>& s = *r.sub;
      if (!s.attached.load(std::memory_order_relaxed)) continue;
      ++considered;
      if constexpr (ShardedEvent<E>) {
        if (s.shard >= 0 && static_cast<uint32_t>(s.shard) != shard) continue;
      }
      if (s.filter && !s.filter(e)) continue;
      mask |= uint64_t{1} << i;
    }
    return mask;
  }

  void count_copies(uint32_t considered, uint64_t mask) noexcept {
    const uint32_t wanted = static_cast<uint32_t>(std::popcount(mask));
    // An event nobody subscribes to is one filtered copy (accounting invariant).
    counters_.copies.add(considered == 0 ? 1 : considered);
    const uint32_t filtered = considered == 0 ? 1 : considered - wanted;
    if (filtered != 0) counters_.filtered.add(filtered);
  }

  std::size_t cls(Priority p) const noexcept {
    return sys_.priority ? index_of(p) : index_of(Priority::kNormal);
  }

  static bool spills(Priority p) noexcept {
    return p == Priority::kCritical || kPolicy == Backpressure::kSpill;
  }

  // Inlined so that the element size is a constant and DPDK's copy loop is specialised.
  [[gnu::always_inline]] static unsigned enqueue(rte_ring* r, bool mp, const void* objs,
                                                 uint32_t esize, uint32_t n,
                                                 unsigned* free_space) noexcept {
    // SPSC rings use the single-producer path directly; control rings dispatch on their sync
    // mode (RTS).
    if (mp) [[unlikely]] {
      return rte_ring_enqueue_burst_elem(r, objs, esize, n, free_space);
    }
    return rte_ring_sp_enqueue_burst_elem(r, objs, esize, n, free_space);
  }

  void note_fill(const Route<E>& r, unsigned free_space) noexcept {
    if (sys_.metrics) counters_.ring_high_water.raise_to(r.capacity - free_space);
  }

  // Enqueues n elements on a route; what does not fit goes to send_full(). Returns how many
  // the subscriber will receive.
  [[gnu::always_inline]] uint32_t send(Route<E>& r, Priority p, const void* objs,
                                       uint32_t esize, uint32_t n) noexcept {
    const std::size_t c = cls(p);
    rte_ring* overflow = r.spills[c];
    // Behind an earlier spill, new spill-class events queue in the overflow too (order).
    if (spills(p) && overflow != nullptr && rte_ring_count(overflow) != 0) [[unlikely]] {
      return send_full(r, p, objs, esize, n, 0, true);
    }
    unsigned free_space = 0;
    const uint32_t done = enqueue(r.rings[c], r.mp, objs, esize, n, &free_space);
    note_fill(r, free_space);
    if (done == n) [[likely]] {
      return n;
    }
    return send_full(r, p, objs, esize, n, done, false);
  }

  // Backpressure: bounded wait (control producers), spill, or drop-newest, all counted.
  [[gnu::noinline]] uint32_t send_full(Route<E>& r, Priority p, const void* objs, uint32_t esize,
                                       uint32_t n, uint32_t done, bool behind_spill) noexcept {
    const std::size_t c = cls(p);
    rte_ring* overflow = r.spills[c];
    const bool spill = spills(p) && overflow != nullptr;
    const auto* bytes = static_cast<const std::byte*>(objs);
    if (sys_.waits_when_full()) {
      // Lossless: wait for the consumer (behind a spill, in the overflow, to keep the order).
      rte_ring* target = behind_spill ? overflow : r.rings[c];
      done += wait_lossless(target, r.mp, bytes + std::size_t{done} * esize, esize, n - done);
      if (done == n) return n;
      const uint32_t late = n - done;
      counters_.dropped[static_cast<std::size_t>(DropReason::kWaitTimeout)].add(late);
      r.dropped_ring_full.add(late);
      return done;
    }
    if (!behind_spill && r.mp && (spill || kPolicy == Backpressure::kBoundedWait)) {
      done += wait_enqueue(r.rings[c], bytes + std::size_t{done} * esize, esize, n - done);
      if (done == n) return n;
    }
    const uint32_t rest = n - done;
    if (spill) {
      unsigned free_space = 0;
      const uint32_t s =
          enqueue(overflow, r.mp, bytes + std::size_t{done} * esize, esize, rest, &free_space);
      if (s < rest) {
        counters_.dropped[static_cast<std::size_t>(DropReason::kOverflowExhausted)].add(rest - s);
        r.dropped_overflow.add(rest - s);
      }
      return done + s;
    }
    const auto why = (r.mp && kPolicy == Backpressure::kBoundedWait) ? DropReason::kWaitTimeout
                                                                      : DropReason::kRingFull;
    counters_.dropped[static_cast<std::size_t>(why)].add(rest);
    r.dropped_ring_full.add(rest);
    return done;
  }

  // Spins (control producers only) until the ring takes the elements or the bound expires.
  uint32_t wait_enqueue(rte_ring* ring, const std::byte* objs, uint32_t esize,
                        uint32_t n) noexcept {
    uint32_t done = 0;
    const uint64_t deadline = rte_rdtsc() + sys_.wait_cycles;
    while (done < n && rte_rdtsc() < deadline) {
      unsigned free_space = 0;
      done += enqueue(ring, true, objs + std::size_t{done} * esize, esize, n - done, &free_space);
      if (done < n) rte_pause();
    }
    return done;
  }

  // Lossless mode: spins, then yields the CPU (a consumer may share it), until the ring takes
  // the elements, the system stops accepting, or lossless_wait expires.
  uint32_t wait_lossless(rte_ring* ring, bool mp, const std::byte* objs, uint32_t esize,
                         uint32_t n) noexcept {
    uint32_t done = 0;
    const uint64_t deadline = rte_rdtsc() + sys_.lossless_cycles;
    for (uint32_t spins = 0; done < n; ++spins) {
      unsigned free_space = 0;
      done += enqueue(ring, mp, objs + std::size_t{done} * esize, esize, n - done, &free_space);
      if (done == n || !sys_.accepting() || rte_rdtsc() >= deadline) break;
      pause_or_yield(spins);
    }
    return done;
  }

  static void pause_or_yield(uint32_t spins) noexcept {
    if ((spins & 63) == 63) {
      sched_yield();
    } else {
      rte_pause();
    }
  }

  // A pool object for e; in lossless mode waits for one to be returned (bounded).
  PoolObject<E>* acquire_object(const E& e, uint64_t stamp, uint32_t refs) noexcept {
    PoolObject<E>* o = acquire(pool_, e, stamp, refs);
    if (o != nullptr || !sys_.waits_when_full()) [[likely]] {
      return o;
    }
    const uint64_t deadline = rte_rdtsc() + sys_.lossless_cycles;
    for (uint32_t spins = 0; o == nullptr; ++spins) {
      if (!sys_.accepting() || rte_rdtsc() >= deadline) break;
      pause_or_yield(spins);
      o = acquire(pool_, e, stamp, refs);
    }
    return o;
  }

  void dispatch_inline(Route<E>& r, const E& e) noexcept {
    r.sub->inline_handler(e);
    r.sub->counters().delivered.add();  // same lcore as the consumer: single writer holds
    counters_.delivered_inline.add();
  }

  // Plain format: enqueues straight from the caller's memory, then posts the sampled event's
  // ring position (if it landed in the main ring and the mailbox is free).
  uint32_t send_plain(Route<E>& r, Priority p, const E* evs, uint32_t n, uint32_t sample_idx,
                      uint64_t sample_stamp) noexcept {
    const std::size_t c = cls(p);
    SampleMailbox* mb = r.samples[c];
    const bool post = sample_stamp != 0 && mb != nullptr &&
                      mb->stamp.load(std::memory_order_relaxed) == 0;
    const uint32_t head = post ? r.rings[c]->prod.head : 0;  // SPSC ring: our own index
    const uint32_t ok = send(r, p, evs, static_cast<uint32_t>(sizeof(E)), n);
    if (post && sample_idx < r.rings[c]->prod.head - head) {
      mb->pos.store(head + sample_idx, std::memory_order_relaxed);
      mb->stamp.store(sample_stamp, std::memory_order_release);
    }
    return ok;
  }

  template <Format F>
  uint32_t publish_one(const E& e, Priority p) noexcept {
    counters_.published.add();
    const uint32_t n = route_count_.load(std::memory_order_acquire);
    uint32_t considered = 0;
    const uint64_t mask = n == 0 ? 0 : route_mask(e, n, considered);
    count_copies(considered, mask);
    if (mask == 0) return 0;
    const uint64_t stamp = next_stamp(p);
    uint32_t ok = 0;
    if constexpr (F == Format::kPlain) {
      const uint64_t sample = stamp_sampled(stamp) ? stamp : 0;
      for (uint64_t m = mask; m != 0; m &= m - 1) {
        Route<E>& r = routes_[std::countr_zero(m)];
        if (r.inline_dispatch) {
          dispatch_inline(r, e);
          ++ok;
        } else {
          ok += send_plain(r, p, &e, 1, 0, sample);
        }
      }
    } else if constexpr (F == Format::kStamped) {
      Slot<E>* slot = staging<Slot<E>>();
      std::memcpy(static_cast<void*>(&slot->event), &e, sizeof(E));
      slot->stamp = stamp;
      for (uint64_t m = mask; m != 0; m &= m - 1) {
        Route<E>& r = routes_[std::countr_zero(m)];
        if (r.inline_dispatch) {
          dispatch_inline(r, e);
          ++ok;
        } else {
          ok += send(r, p, slot, kSlotSize<E>, 1);
        }
      }
    } else {
      const auto wanted = static_cast<uint32_t>(std::popcount(mask));
      PoolObject<E>* o = acquire_object(e, stamp, wanted);
      if (o == nullptr) [[unlikely]] {
        counters_.dropped[static_cast<std::size_t>(DropReason::kPoolExhausted)].add(wanted);
        return 0;
      }
      uint32_t unused = 0;  // references not handed to a ring
      for (uint64_t m = mask; m != 0; m &= m - 1) {
        Route<E>& r = routes_[std::countr_zero(m)];
        if (r.inline_dispatch) {
          dispatch_inline(r, *o->get());
          ++ok;
          ++unused;
        } else {
          const uint32_t sent = send(r, p, &o, sizeof(o), 1);
          ok += sent;
          unused += 1 - sent;
        }
      }
      release(o, unused);
    }
    return ok;
  }

  template <Format F>
  std::size_t publish_chunk_static(std::span<const E> chunk, Priority p) noexcept
    requires StaticEvent<E>
  {
    const auto k = static_cast<uint32_t>(chunk.size());
    counters_.published.add(k);
    const uint32_t n = route_count_.load(std::memory_order_acquire);
    if (n == 0) {
      counters_.copies.add(k);
      counters_.filtered.add(k);
      return 0;
    }
    uint64_t all = ~uint64_t{0};
    for (uint32_t j = 0; j < k; ++j) {
      uint32_t considered = 0;
      masks_[j] = route_mask(chunk[j], n, considered);
      count_copies(considered, masks_[j]);
      all &= masks_[j];
    }
    // Stamps: plain slots carry none (one sampled event per chunk goes to the mailbox).
    uint64_t sample = 0;
    uint32_t sample_j = 0;
    if constexpr (F == Format::kPlain) {
      for (uint32_t j = 0; j < k; ++j) {
        const uint64_t st = next_stamp(p);
        if (sample == 0 && stamp_sampled(st)) {
          sample = st;
          sample_j = j;
        }
      }
    }
    std::size_t accepted = 0;
    for (uint32_t i = 0; i < n; ++i) {
      Route<E>& r = routes_[i];
      const uint64_t bit = uint64_t{1} << i;
      if constexpr (F == Format::kPlain) {
        if ((all & bit) != 0 && !r.inline_dispatch) {  // every event wanted: no staging copy
          accepted += send_plain(r, p, chunk.data(), k, sample_j, sample);
          continue;
        }
      }
      uint32_t m = 0;
      uint32_t sample_m = k;
      for (uint32_t j = 0; j < k; ++j) {
        if ((masks_[j] & bit) == 0) continue;
        if (r.inline_dispatch) {
          dispatch_inline(r, chunk[j]);
          ++accepted;
          continue;
        }
        if constexpr (F == Format::kPlain) {
          if (j == sample_j) sample_m = m;
          std::memcpy(static_cast<void*>(&staging<E>()[m]), &chunk[j], sizeof(E));
        } else {
          Slot<E>* slots = staging<Slot<E>>();
          std::memcpy(static_cast<void*>(&slots[m].event), &chunk[j], sizeof(E));
          slots[m].stamp = next_stamp(p);
        }
        ++m;
      }
      if (m == 0) continue;
      if constexpr (F == Format::kPlain) {
        accepted += send_plain(r, p, staging<E>(), m, sample_m, sample_m < m ? sample : 0);
      } else {
        accepted += send(r, p, staging<Slot<E>>(), kSlotSize<E>, m);
      }
    }
    return accepted;
  }

  std::size_t publish_chunk_pool(std::span<const E> chunk, Priority p) noexcept {
    const auto k = static_cast<uint32_t>(chunk.size());
    counters_.published.add(k);
    const uint32_t n = route_count_.load(std::memory_order_acquire);
    if (n == 0) {
      counters_.copies.add(k);
      counters_.filtered.add(k);
      return 0;
    }
    for (uint32_t j = 0; j < k; ++j) {
      uint32_t considered = 0;
      masks_[j] = route_mask(chunk[j], n, considered);
      count_copies(considered, masks_[j]);
      objs_[j] = nullptr;
      if (masks_[j] == 0) continue;
      const auto wanted = static_cast<uint32_t>(std::popcount(masks_[j]));
      objs_[j] = acquire_object(chunk[j], next_stamp(p), wanted);
      if (objs_[j] == nullptr) {
        counters_.dropped[static_cast<std::size_t>(DropReason::kPoolExhausted)].add(wanted);
        masks_[j] = 0;
      }
    }
    auto** ptrs = staging<PoolObject<E>*>();
    std::size_t accepted = 0;
    for (uint32_t i = 0; i < n; ++i) {
      Route<E>& r = routes_[i];
      const uint64_t bit = uint64_t{1} << i;
      uint32_t m = 0;
      for (uint32_t j = 0; j < k; ++j) {
        if ((masks_[j] & bit) == 0) continue;
        if (r.inline_dispatch) {
          dispatch_inline(r, *objs_[j]->get());
          release(objs_[j]);
          ++accepted;
          continue;
        }
        ptrs[m++] = objs_[j];
      }
      if (m == 0) continue;
      const uint32_t sent = send(r, p, ptrs, sizeof(void*), m);
      accepted += sent;
      for (uint32_t j = sent; j < m; ++j) release(ptrs[j]);  // not enqueued: drop its ref
    }
    return accepted;
  }

  template <typename T>
  T* staging() noexcept {
    auto addr = reinterpret_cast<uintptr_t>(staging_.get());
    return reinterpret_cast<T*>((addr + 63) & ~uintptr_t{63});
  }

  const SystemShared& sys_;
  const ProducerId producer_;
  const Format format_;
  rte_mempool* pool_;  // null until the type has a subscriber (route_count_ publishes it)

  // ---- route table: cp: append (release), producer: ro
  std::array<Route<E>, kMaxSubscribers> routes_{};
  std::atomic<uint32_t> route_count_{0};

  // ---- producer block: producer thread only
  alignas(64) std::array<uint64_t, kPriorityCount> sample_seq_{};
  std::unique_ptr<std::byte[]> staging_;
  std::unique_ptr<PoolObject<E>*[]> objs_;
  std::unique_ptr<uint64_t[]> masks_;
  ProducerCounters counters_;
};

}  // namespace rv::events::detail
