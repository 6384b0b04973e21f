#pragma once
// SubscriberCore<E>: one subscription's rings and consumer state, owned by the EventSystem.
// Producer side (publishers) reads the configuration block; the consumer thread alone touches
// the consumer block; the control thread appends sources. See DESIGN.md §3.
//
// Drain order: classes Critical, High, Normal, Low, each with a credit (8:4:2:1 x batch_size)
// refilled when no class with credit has work, so Critical goes first and Low still gets at
// least 1/15 of a saturated consumer. Each source is (main ring, overflow ring): the overflow
// is drained only once the main ring is empty, which keeps a producer's events in order.

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <cstring>
#include <type_traits>

#include "events/detail/ring.hpp"
#include "events/detail/shared.hpp"
#include "events/delivery.hpp"
#include "events/detail/slot.hpp"
#include "events/event_traits.hpp"
#include "events/metrics.hpp"

namespace rv::events::detail {

inline constexpr uint32_t kMaxSources = 64;  // producers feeding one subscriber, per class
inline constexpr std::array<uint32_t, kPriorityCount> kClassWeight{8, 4, 2, 1};

// The rings of one (producer, subscriber) link: a main ring per class (only Normal when
// priority is off) and an overflow per class that may spill.
struct RingSet {
  std::array<RingPtr, kPriorityCount> rings;
  std::array<RingPtr, kPriorityCount> spills;
};

struct Source {
  rte_ring* main = nullptr;
  rte_ring* spill = nullptr;  // may be null (no overflow for this class)
};

template <Event E>
class SubscriberCore {
 public:
  using Filter = std::move_only_function<bool(const E&) const noexcept>;
  using Handler = std::move_only_function<void(const E&) noexcept>;
  template <bool kPool>
  using ElemT = std::conditional_t<kPool, PoolObject<E>*, Slot<E>>;
  static constexpr std::size_t kElemMax =
      sizeof(Slot<E>) > sizeof(void*) ? sizeof(Slot<E>) : sizeof(void*);

  SubscriberCore(const SystemShared& sys, bool zero_copy) : sys_(sys), zero_copy_(zero_copy) {}

  // ---- configuration: cp: wo before the first route exists, dp: ro
  std::string id;
  uint32_t consumer_lcore = 0;
  int32_t shard = -1;  // -1: every shard
  Filter filter;
  Handler inline_handler;
  RingSet control;  // shared by every control producer (MP RTS), created on first use
  std::atomic<bool> attached{true};  // consumer/cp: wo, producers: ro

  bool zero_copy() const noexcept { return zero_copy_; }
  uint32_t esize() const noexcept {
    if constexpr (StaticEvent<E>) {
      if (!zero_copy_) return kSlotSize<E>;
    }
    return static_cast<uint32_t>(sizeof(void*));
  }

  // cp: publishes a new source to the consumer (release), never removed before destruction.
  bool add_source(std::size_t cls, Source s) noexcept {
    const uint32_t n = source_count_[cls].load(std::memory_order_relaxed);
    if (n == kMaxSources) return false;
    sources_[cls][n] = s;
    source_count_[cls].store(n + 1, std::memory_order_release);
    return true;
  }

  void init_consumer() {
    batch_ = sys_.opts.batch_size;
    buf_ = std::make_unique<std::byte[]>(static_cast<std::size_t>(batch_) * kElemMax + 64);
    for (std::size_t c = 0; c < kPriorityCount; ++c) credit_[c] = kClassWeight[c] * batch_;
  }

  ConsumerCounters& counters() noexcept { return counters_; }
  const ConsumerCounters& counters() const noexcept { return counters_; }

  // ---- consumer thread
  // Delivers up to max events to handler(const E&) [or handler(const E&, Priority)].
  template <typename H>
  std::size_t poll(std::size_t max, H& handler) noexcept {
    if constexpr (StaticEvent<E>) {
      if (!zero_copy_) return poll_impl<false>(max, handler);
    }
    return poll_impl<true>(max, handler);
  }

  // Moves the next event into out (cache refilled by one scheduled burst). Returns false when
  // nothing is queued or the system is stopped.
  bool pop(Delivery<E>& out) noexcept {
    if constexpr (StaticEvent<E>) {
      if (!zero_copy_) return pop_impl<false>(out);
    }
    return pop_impl<true>(out);
  }

  // ---- drains (consumer thread on detach, or shutdown() once consumers are stopped)
  // Empties every ring and the cache, releasing pool objects; returns how many copies.
  uint64_t drain_all(DropReason why) noexcept {
    if constexpr (StaticEvent<E>) {
      if (!zero_copy_) return drain_all_impl<false>(why);
    }
    return drain_all_impl<true>(why);
  }

  // Handshake with shutdown(): true while the consumer is inside poll/pop.
  bool busy() const noexcept { return busy_.load(std::memory_order_seq_cst); }
  bool enter_for_detach() noexcept { return enter(); }
  void leave_after_detach() noexcept { leave(); }

  // ---- any thread (metrics): copies waiting in rings and in the burst cache.
  uint64_t queued() const noexcept {
    uint64_t n = pending_.load(std::memory_order_relaxed);
    for (std::size_t c = 0; c < kPriorityCount; ++c) {
      const uint32_t count = source_count_[c].load(std::memory_order_acquire);
      for (uint32_t s = 0; s < count; ++s) {
        n += rte_ring_count(sources_[c][s].main);
        if (sources_[c][s].spill != nullptr) n += rte_ring_count(sources_[c][s].spill);
      }
    }
    return n;
  }
  uint64_t cached() const noexcept { return pending_.load(std::memory_order_relaxed); }
  uint64_t capacity() const noexcept {
    uint64_t n = 0;
    for (std::size_t c = 0; c < kPriorityCount; ++c) {
      const uint32_t count = source_count_[c].load(std::memory_order_acquire);
      for (uint32_t s = 0; s < count; ++s) n += rte_ring_get_capacity(sources_[c][s].main);
    }
    return n;
  }

 private:
  template <bool kPool>
  ElemT<kPool>* elems() noexcept {
    // Raw bytes: elements are trivially copyable and created by the ring's memcpy.
    auto addr = reinterpret_cast<uintptr_t>(buf_.get());
    addr = (addr + 63) & ~uintptr_t{63};
    return reinterpret_cast<ElemT<kPool>*>(addr);
  }

  template <bool kPool>
  static uint64_t stamp_of(const ElemT<kPool>& e) noexcept {
    if constexpr (kPool) {
      return e->hdr.stamp;
    } else {
      return e.stamp;
    }
  }

  template <bool kPool>
  static void discard(ElemT<kPool>& e) noexcept {
    if constexpr (kPool) release(e);
  }

  template <bool kPool, typename H>
  std::size_t poll_impl(std::size_t max, H& handler) noexcept {
    if (!enter()) return 0;
    std::size_t handled = 0;
    while (cache_pos_ < cache_len_ && handled < max) {
      deliver<kPool>(elems<kPool>()[cache_pos_++], handler);
      ++handled;
    }
    if (handled != 0) counters_.delivered.add(handled);
    set_pending();
    if (handled < max) {
      auto sink = [&](ElemT<kPool>* e, uint32_t n) noexcept {
        for (uint32_t i = 0; i < n; ++i) deliver<kPool>(e[i], handler);
        counters_.delivered.add(n);
        return uint32_t{0};  // the next burst reuses the buffer from the start
      };
      handled += schedule<kPool>(static_cast<uint32_t>(max - handled), sink);
    }
    leave();
    return handled;
  }

  template <bool kPool>
  bool pop_impl(Delivery<E>& out) noexcept {
    if (!enter()) return false;
    if (cache_pos_ == cache_len_) {
      cache_pos_ = cache_len_ = 0;
      auto sink = [&](ElemT<kPool>*, uint32_t n) noexcept {
        cache_len_ += n;
        return cache_len_;
      };
      schedule<kPool>(batch_, sink);
    }
    const bool got = cache_pos_ < cache_len_;
    if (got) {
      ElemT<kPool>& e = elems<kPool>()[cache_pos_++];
      out.reset();
      if constexpr (kPool) {
        out.obj_ = e;  // the ring's reference moves to the Delivery
      } else {
        std::memcpy(out.value_, &e.event, sizeof(E));
      }
      const uint64_t stamp = stamp_of<kPool>(e);
      out.prio_ = stamp_priority(stamp);
      counters_.delivered.add();
      sample(stamp);
    }
    set_pending();
    leave();
    return got;
  }

  template <bool kPool>
  uint64_t drain_all_impl(DropReason why) noexcept {
    uint64_t n = 0;
    for (uint32_t i = cache_pos_; i < cache_len_; ++i) discard<kPool>(elems<kPool>()[i]);
    n += cache_len_ - cache_pos_;
    cache_pos_ = cache_len_ = 0;
    set_pending();
    for (std::size_t c = 0; c < kPriorityCount; ++c) {
      const uint32_t count = source_count_[c].load(std::memory_order_acquire);
      for (uint32_t s = 0; s < count; ++s) {
        n += drain_ring<kPool>(sources_[c][s].main);
        n += drain_ring<kPool>(sources_[c][s].spill);
      }
    }
    counters_.dropped[static_cast<std::size_t>(why)].add(n);
    return n;
  }

  bool enter() noexcept {
    // Dekker with shutdown(): it stores kStopped then waits for busy_ == false.
    busy_.store(true, std::memory_order_seq_cst);
    if (sys_.state.load(std::memory_order_seq_cst) == State::kStopped) [[unlikely]] {
      busy_.store(false, std::memory_order_release);
      return false;
    }
    return true;
  }
  void leave() noexcept { busy_.store(false, std::memory_order_release); }
  void set_pending() noexcept {
    pending_.store(cache_len_ - cache_pos_, std::memory_order_relaxed);
  }

  void sample(uint64_t stamp) noexcept {
    if (stamp_sampled(stamp)) [[unlikely]] {
      const uint64_t ns = sys_.cycles_to_ns(stamp_age_cycles(stamp, rte_rdtsc()));
      counters_.latency[index_of(stamp_priority(stamp))].record(ns);
    }
  }

  template <bool kPool, typename H>
  void deliver(ElemT<kPool>& e, H& handler) noexcept {
    const uint64_t stamp = stamp_of<kPool>(e);
    if constexpr (kPool) {
      invoke(handler, *e->get(), stamp_priority(stamp));
    } else {
      invoke(handler, e.event, stamp_priority(stamp));
    }
    sample(stamp);
    discard<kPool>(e);
  }

  template <typename H>
  static void invoke(H& handler, const E& ev, Priority p) noexcept {
    if constexpr (std::is_invocable_v<H&, const E&, Priority>) {
      handler(ev, p);
    } else {
      handler(ev);
    }
  }

  template <bool kPool>
  uint64_t drain_ring(rte_ring* r) noexcept {
    if (r == nullptr) return 0;
    uint64_t n = 0;
    for (;;) {
      const unsigned got = rte_ring_sc_dequeue_burst_elem(r, elems<kPool>(),
                                                          sizeof(ElemT<kPool>), batch_, nullptr);
      if (got == 0) return n;
      for (unsigned i = 0; i < got; ++i) discard<kPool>(elems<kPool>()[i]);
      n += got;
    }
  }

  // Dequeues from r until it is empty (true) or got_total reaches max (false).
  template <bool kPool, typename Sink>
  bool drain_ring_into(rte_ring* r, uint32_t max, uint32_t& got_total, Sink& sink,
                       uint32_t& offset) noexcept {
    while (got_total < max) {
      const uint32_t want = std::min(max - got_total, batch_ - offset);
      const unsigned got = rte_ring_sc_dequeue_burst_elem(r, elems<kPool>() + offset,
                                                          sizeof(ElemT<kPool>), want, nullptr);
      if (got != 0) {
        got_total += got;
        offset = sink(elems<kPool>() + offset, got);
      }
      if (got < want) return true;
    }
    return false;
  }

  // Dequeues up to `max` from the sources of class `cls`, rotating the start source. The sink
  // consumes each burst and returns the buffer offset for the next one.
  template <bool kPool, typename Sink>
  uint32_t drain_class(std::size_t cls, uint32_t max, Sink& sink, uint32_t& offset) noexcept {
    const uint32_t count = source_count_[cls].load(std::memory_order_acquire);
    if (count == 0) return 0;
    uint32_t got_total = 0;
    const uint32_t start = rr_[cls] < count ? rr_[cls] : 0;
    for (uint32_t k = 0; k < count && got_total < max; ++k) {
      const Source& s = sources_[cls][(start + k) % count];
      for (;;) {
        if (!drain_ring_into<kPool>(s.main, max, got_total, sink, offset)) break;  // budget
        // The main ring looked empty. The overflow is read only if, after seeing it non-empty,
        // the main ring is still empty: the producer fills the overflow only while the main
        // ring is full or the overflow non-empty, so everything older was consumed.
        if (s.spill == nullptr || rte_ring_count(s.spill) == 0) break;
        std::atomic_thread_fence(std::memory_order_acquire);
        if (!rte_ring_empty(s.main)) continue;  // older events arrived in the main ring first
        drain_ring_into<kPool>(s.spill, max, got_total, sink, offset);
        break;
      }
    }
    rr_[cls] = (start + 1) % count;
    return got_total;
  }

  template <bool kPool, typename Sink>
  uint32_t schedule(uint32_t max, Sink& sink) noexcept {
    uint32_t offset = 0;
    if (!sys_.priority) {
      return drain_class<kPool>(index_of(Priority::kNormal), max, sink, offset);
    }
    uint32_t handled = 0;
    bool refilled = false;
    while (handled < max) {
      bool capped = false;   // a class used its whole ask: more may be waiting
      bool starved = false;  // a class had no credit left: it was not looked at
      const uint32_t before = handled;
      for (std::size_t c = 0; c < kPriorityCount && handled < max; ++c) {
        if (credit_[c] == 0) {
          starved = true;
          continue;
        }
        const uint32_t ask = std::min(credit_[c], max - handled);
        const uint32_t got = drain_class<kPool>(c, ask, sink, offset);
        credit_[c] -= got;
        handled += got;
        capped |= got == ask;
      }
      if (handled != before) refilled = false;
      if (handled >= max || capped) continue;
      // Every class that was looked at is empty. Classes out of credit get a new round, unless
      // the last refill already found nothing.
      if (!starved || refilled) break;
      for (std::size_t c = 0; c < kPriorityCount; ++c) credit_[c] = kClassWeight[c] * batch_;
      refilled = true;
    }
    return handled;
  }

  const SystemShared& sys_;
  const bool zero_copy_;

  // ---- source table: cp: append, consumer/metrics: ro
  std::array<std::array<Source, kMaxSources>, kPriorityCount> sources_{};
  std::array<std::atomic<uint32_t>, kPriorityCount> source_count_{};

  // ---- consumer block: consumer thread only (pending_ readable by metrics)
  alignas(64) std::atomic<bool> busy_{false};
  std::array<uint32_t, kPriorityCount> credit_{};
  std::array<uint32_t, kPriorityCount> rr_{};
  uint32_t batch_ = 32;
  uint32_t cache_pos_ = 0;
  uint32_t cache_len_ = 0;
  std::atomic<uint32_t> pending_{0};
  std::unique_ptr<std::byte[]> buf_;
  ConsumerCounters counters_;
};

}  // namespace rv::events::detail
