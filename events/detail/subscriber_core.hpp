#pragma once
// SubscriberCore<E>: one subscription's rings and consumer state, owned by the EventSystem.
// Producer side (publishers) reads the configuration block; the consumer thread alone touches
// the consumer block; the control thread appends sources. See DESIGN.md §3.
//
// Drain order: classes Critical, High, Normal, Low, each with a credit (8:4:2:1 x batch_size)
// refilled when no class with credit has work, so Critical goes first and Low still gets at
// least 1/15 of a saturated consumer. Each source is (main ring, overflow ring): the overflow
// is drained only once the main ring is empty, which keeps a producer's events in order.
// Slots are in one of three formats (see Format in slot.hpp), fixed per type at build.

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
  std::array<std::unique_ptr<SampleMailbox>, kPriorityCount> samples;  // plain format, SPSC
};

struct Source {
  rte_ring* main = nullptr;
  rte_ring* spill = nullptr;            // may be null (no overflow for this class)
  SampleMailbox* samples = nullptr;     // may be null (no latency samples on this ring)
};

template <Event E>
class SubscriberCore {
 public:
  using Filter = std::move_only_function<bool(const E&) const noexcept>;
  using Handler = std::move_only_function<void(const E&) noexcept>;
  template <Format F>
  using ElemT = std::conditional_t<F == Format::kPool, PoolObject<E>*,
                                   std::conditional_t<F == Format::kStamped, Slot<E>, E>>;
  static constexpr std::size_t kElemMax =
      sizeof(Slot<E>) > sizeof(void*) ? sizeof(Slot<E>) : sizeof(void*);

  SubscriberCore(const SystemShared& sys, Format format) : sys_(sys), format_(format) {}

  // ---- configuration: cp: wo before the first route exists, dp: ro
  std::string id;
  uint32_t consumer_lcore = 0;
  int32_t shard = -1;  // -1: every shard
  Filter filter;
  Handler inline_handler;
  RingSet control;  // shared by every control producer (MP RTS), created on first use
  std::atomic<bool> attached{true};  // consumer/cp: wo, producers: ro

  Format format() const noexcept { return format_; }
  uint32_t esize() const noexcept {
    switch (format_) {
      case Format::kPlain: return static_cast<uint32_t>(sizeof(E));
      case Format::kStamped: return kSlotSize<E>;
      case Format::kPool: break;
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
    cache_prio_ = std::make_unique<Priority[]>(batch_);
    for (std::size_t c = 0; c < kPriorityCount; ++c) credit_[c] = kClassWeight[c] * batch_;
  }

  ConsumerCounters& counters() noexcept { return counters_; }
  const ConsumerCounters& counters() const noexcept { return counters_; }

  // ---- consumer thread
  // Delivers up to max events to handler(const E&) [or handler(const E&, Priority)].
  template <typename H>
  std::size_t poll(std::size_t max, H& handler) noexcept {
    if constexpr (StaticEvent<E>) {
      if (format_ == Format::kPlain) return poll_impl<Format::kPlain>(max, handler);
      if (format_ == Format::kStamped) return poll_impl<Format::kStamped>(max, handler);
    }
    return poll_impl<Format::kPool>(max, handler);
  }

  // Moves the next event into out (cache refilled by one scheduled burst). Returns false when
  // nothing is queued or the system is stopped.
  bool pop(Delivery<E>& out) noexcept {
    if constexpr (StaticEvent<E>) {
      if (format_ == Format::kPlain) return pop_impl<Format::kPlain>(out);
      if (format_ == Format::kStamped) return pop_impl<Format::kStamped>(out);
    }
    return pop_impl<Format::kPool>(out);
  }

  // ---- drains (consumer thread on detach, or shutdown() once consumers are stopped)
  // Empties every ring and the cache, releasing pool objects; returns how many copies.
  uint64_t drain_all(DropReason why) noexcept {
    if constexpr (StaticEvent<E>) {
      if (format_ == Format::kPlain) return drain_all_impl<Format::kPlain>(why);
      if (format_ == Format::kStamped) return drain_all_impl<Format::kStamped>(why);
    }
    return drain_all_impl<Format::kPool>(why);
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
  template <Format F>
  ElemT<F>* elems() noexcept {
    // Raw bytes: elements are trivially copyable and created by the ring's memcpy.
    auto addr = reinterpret_cast<uintptr_t>(buf_.get());
    addr = (addr + 63) & ~uintptr_t{63};
    return reinterpret_cast<ElemT<F>*>(addr);
  }

  template <Format F>
  static const E& event_of(const ElemT<F>& e) noexcept {
    if constexpr (F == Format::kPool) {
      return *e->get();
    } else if constexpr (F == Format::kStamped) {
      return e.event;
    } else {
      return e;
    }
  }

  // The element's priority: from its stamp, or from the class ring it came out of (plain).
  template <Format F>
  static Priority priority_of(const ElemT<F>& e, Priority ring_class) noexcept {
    if constexpr (F == Format::kPool) {
      return stamp_priority(e->hdr.stamp);
    } else if constexpr (F == Format::kStamped) {
      return stamp_priority(e.stamp);
    } else {
      (void)e;
      return ring_class;
    }
  }

  template <Format F>
  void sample_elem(const ElemT<F>& e) noexcept {
    if constexpr (F == Format::kPool) {
      sample(e->hdr.stamp);
    } else if constexpr (F == Format::kStamped) {
      sample(e.stamp);
    } else {
      (void)e;  // plain slots are sampled through the ring's SampleMailbox
    }
  }

  template <Format F>
  static void discard(ElemT<F>& e) noexcept {
    if constexpr (F == Format::kPool) release(e);
  }
  // A copy drained without delivery: tell the type (if it asks), then discard.
  template <Format F>
  static void drop(ElemT<F>& e) noexcept {
    if constexpr (DiscardHookEvent<E>) EventTraits<E>::on_discard(event_of<F>(e));
    discard<F>(e);
  }

  // Read-only look at the rings: lets an idle poll return without the shutdown handshake (a
  // full fence). Safe at any time: it only reads ring indexes.
  bool has_work() const noexcept {
    if (cache_pos_ < cache_len_) return true;
    for (std::size_t c = 0; c < kPriorityCount; ++c) {
      const uint32_t count = source_count_[c].load(std::memory_order_acquire);
      for (uint32_t i = 0; i < count; ++i) {
        const Source& src = sources_[c][i];
        if (!rte_ring_empty(src.main)) return true;
        if (src.spill != nullptr && !rte_ring_empty(src.spill)) return true;
      }
    }
    return false;
  }

  template <Format F, typename H>
  std::size_t poll_impl(std::size_t max, H& handler) noexcept {
    if (!has_work() || !enter()) return 0;
    std::size_t handled = 0;
    while (cache_pos_ < cache_len_ && handled < max) {
      const uint32_t i = cache_pos_++;
      deliver<F>(elems<F>()[i], cache_prio_[i], handler);
      ++handled;
    }
    if (handled != 0) counters_.delivered.add(handled);
    set_pending();
    if (handled < max) {
      auto sink = [&](ElemT<F>* e, uint32_t n, Priority cls) noexcept {
        for (uint32_t i = 0; i < n; ++i) deliver<F>(e[i], cls, handler);
        counters_.delivered.add(n);
        return uint32_t{0};  // the next burst reuses the buffer from the start
      };
      handled += schedule<F>(static_cast<uint32_t>(max - handled), sink);
    }
    leave();
    return handled;
  }

  template <Format F>
  bool pop_impl(Delivery<E>& out) noexcept {
    if (!has_work() || !enter()) return false;
    if (cache_pos_ == cache_len_) {
      cache_pos_ = cache_len_ = 0;
      auto sink = [&](ElemT<F>*, uint32_t n, Priority cls) noexcept {
        for (uint32_t i = 0; i < n; ++i) cache_prio_[cache_len_ + i] = cls;
        cache_len_ += n;
        return cache_len_;
      };
      schedule<F>(batch_, sink);
    }
    const bool got = cache_pos_ < cache_len_;
    if (got) {
      const uint32_t i = cache_pos_++;
      ElemT<F>& e = elems<F>()[i];
      out.reset();
      if constexpr (F == Format::kPool) {
        out.obj_ = e;  // the ring's reference moves to the Delivery
      } else {
        std::memcpy(out.value_, &event_of<F>(e), sizeof(E));
      }
      out.prio_ = priority_of<F>(e, cache_prio_[i]);
      counters_.delivered.add();
      sample_elem<F>(e);
    }
    set_pending();
    leave();
    return got;
  }

  template <Format F>
  uint64_t drain_all_impl(DropReason why) noexcept {
    uint64_t n = 0;
    for (uint32_t i = cache_pos_; i < cache_len_; ++i) drop<F>(elems<F>()[i]);
    n += cache_len_ - cache_pos_;
    cache_pos_ = cache_len_ = 0;
    set_pending();
    for (std::size_t c = 0; c < kPriorityCount; ++c) {
      const uint32_t count = source_count_[c].load(std::memory_order_acquire);
      for (uint32_t s = 0; s < count; ++s) {
        n += drain_ring<F>(sources_[c][s].main);
        n += drain_ring<F>(sources_[c][s].spill);
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
      record(stamp);
    }
  }
  void record(uint64_t stamp) noexcept {
    const uint64_t ns = sys_.cycles_to_ns(stamp_age_cycles(stamp, rte_rdtsc()));
    counters_.latency[index_of(stamp_priority(stamp))].record(ns);
  }

  // Plain format: the burst [pos0, pos0 + n) of a main ring came out; take its sample if any.
  void check_mailbox(SampleMailbox* mb, uint32_t pos0, uint32_t n) noexcept {
    if (mb == nullptr) return;
    const uint64_t stamp = mb->stamp.load(std::memory_order_acquire);
    if (stamp == 0) return;
    const auto d = static_cast<int32_t>(mb->pos.load(std::memory_order_relaxed) - pos0);
    if (d >= static_cast<int32_t>(n)) return;  // not dequeued yet
    if (d >= 0) record(stamp);                 // d < 0: an older position, missed; drop it
    mb->stamp.store(0, std::memory_order_release);
  }

  template <Format F, typename H>
  void deliver(ElemT<F>& e, Priority cls, H& handler) noexcept {
    invoke(handler, event_of<F>(e), priority_of<F>(e, cls));
    sample_elem<F>(e);
    discard<F>(e);
  }

  template <typename H>
  static void invoke(H& handler, const E& ev, Priority p) noexcept {
    if constexpr (std::is_invocable_v<H&, const E&, Priority>) {
      handler(ev, p);
    } else {
      handler(ev);
    }
  }

  template <Format F>
  uint64_t drain_ring(rte_ring* r) noexcept {
    if (r == nullptr) return 0;
    uint64_t n = 0;
    for (;;) {
      const unsigned got =
          rte_ring_sc_dequeue_burst_elem(r, elems<F>(), sizeof(ElemT<F>), batch_, nullptr);
      if (got == 0) return n;
      for (unsigned i = 0; i < got; ++i) drop<F>(elems<F>()[i]);
      n += got;
    }
  }

  // Dequeues from r until it is empty (true) or got_total reaches max (false).
  template <Format F, typename Sink>
  bool drain_ring_into(rte_ring* r, SampleMailbox* mb, Priority cls, uint32_t max,
                       uint32_t& got_total, Sink& sink, uint32_t& offset) noexcept {
    while (got_total < max) {
      const uint32_t want = std::min(max - got_total, batch_ - offset);
      const uint32_t pos0 = r->cons.head;  // single consumer: our own index
      const unsigned got = rte_ring_sc_dequeue_burst_elem(r, elems<F>() + offset,
                                                          sizeof(ElemT<F>), want, nullptr);
      if (got != 0) {
        got_total += got;
        offset = sink(elems<F>() + offset, got, cls);
        if constexpr (F == Format::kPlain) check_mailbox(mb, pos0, got);
      }
      if (got < want) return true;
    }
    return false;
  }

  // Dequeues up to `max` from the sources of class `cls`, rotating the start source. The sink
  // consumes each burst and returns the buffer offset for the next one.
  template <Format F, typename Sink>
  uint32_t drain_class(std::size_t cls, uint32_t max, Sink& sink, uint32_t& offset) noexcept {
    const uint32_t count = source_count_[cls].load(std::memory_order_acquire);
    if (count == 0) return 0;
    const auto prio = static_cast<Priority>(cls);
    uint32_t got_total = 0;
    const uint32_t start = rr_[cls] < count ? rr_[cls] : 0;
    for (uint32_t k = 0; k < count && got_total < max; ++k) {
      const Source& s = sources_[cls][(start + k) % count];
      for (;;) {
        if (!drain_ring_into<F>(s.main, s.samples, prio, max, got_total, sink, offset)) break;
        // The main ring looked empty. The overflow is read only if, after seeing it non-empty,
        // the main ring is still empty: the producer fills the overflow only while the main
        // ring is full or the overflow non-empty, so everything older was consumed.
        if (s.spill == nullptr || rte_ring_count(s.spill) == 0) break;
        std::atomic_thread_fence(std::memory_order_acquire);
        if (!rte_ring_empty(s.main)) continue;  // older events arrived in the main ring first
        drain_ring_into<F>(s.spill, nullptr, prio, max, got_total, sink, offset);
        break;
      }
    }
    rr_[cls] = (start + 1) % count;
    return got_total;
  }

  template <Format F, typename Sink>
  uint32_t schedule(uint32_t max, Sink& sink) noexcept {
    uint32_t offset = 0;
    if (!sys_.priority) {
      return drain_class<F>(index_of(Priority::kNormal), max, sink, offset);
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
        const uint32_t got = drain_class<F>(c, ask, sink, offset);
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
  const Format format_;

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
  std::unique_ptr<Priority[]> cache_prio_;  // ring class of each cached element
  ConsumerCounters counters_;
};

}  // namespace rv::events::detail
