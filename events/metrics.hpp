#pragma once
// Fabric counters (single writer each) and the plain snapshot structs the control plane reads
// and exports (rvoip_events_published_total{type} ...). No Prometheus here: control/ pulls.
//
// Accounting (checked by tests): counters other than `published` count *copies*, i.e. one per
// (event, candidate subscriber) pair, an event nobody subscribes to counting one filtered copy:
//   copies = delivered + dropped_total + filtered + in_flight
// and with one subscriber per type, copies == published, i.e.
//   published = delivered + dropped + filtered + in_flight.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/priority.hpp"

namespace rv::events {

enum class DropReason : uint8_t {
  kRingFull = 0,          // destination ring full, drop-newest (subscriber behind)
  kOverflowExhausted,     // Critical/spill overflow full: a health failure
  kWaitTimeout,           // bounded wait of a control producer expired
  kPoolExhausted,         // zero-copy: the type's mempool had no free object
  kShutdown,              // still queued when the system shut down (drained and counted)
  kUnsubscribed,          // still queued when its subscriber went away
};
inline constexpr std::size_t kDropReasonCount = 6;
std::string_view to_string(DropReason r) noexcept;

// Relaxed counter with exactly one writer thread; readers on other threads see a recent value.
// The project's one single-writer counter: dataplane::Counter and the planes' counters are this
// type. The writer's add() is a plain load + store (no lock prefix, no contention).
class Counter {
 public:
  // Writer side: only the owning thread.
  void add(uint64_t n = 1) noexcept {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void set(uint64_t n) noexcept { v_.store(n, std::memory_order_relaxed); }
  void raise_to(uint64_t n) noexcept {
    if (n > v_.load(std::memory_order_relaxed)) v_.store(n, std::memory_order_relaxed);
  }
  // Reader side: any thread.
  uint64_t get() const noexcept { return v_.load(std::memory_order_relaxed); }
  uint64_t load() const noexcept { return get(); }

 private:
  std::atomic<uint64_t> v_{0};
};

// log2 buckets of nanoseconds: bucket i counts samples with bit_width(ns) == i, i.e.
// ns in [2^(i-1), 2^i); the last bucket takes everything above.
inline constexpr std::size_t kLatencyBuckets = 40;

struct LatencyCounters {
  std::array<Counter, kLatencyBuckets> buckets;
  Counter count;
  Counter sum_ns;
  Counter max_ns;
  void record(uint64_t ns) noexcept;
};

// Written by one publisher (its producer thread). alignas keeps it off the consumer's lines.
struct alignas(64) ProducerCounters {
  Counter published;  // events accepted by publish()/publish_batch()
  Counter copies;     // (event, candidate subscriber) pairs, see header comment
  Counter filtered;   // copies rejected by a filter or shard, or with no subscriber at all
  Counter delivered_inline;  // copies dispatched in-line (producer owns the shard)
  std::array<Counter, kDropReasonCount> dropped;
  Counter ring_high_water;   // max ring occupancy seen after an enqueue (metrics on)
};

// Written by one subscriber (its consumer thread), or by shutdown() after it stopped.
struct alignas(64) ConsumerCounters {
  Counter delivered;  // copies handed to the subscriber (handler call or receive)
  std::array<Counter, kDropReasonCount> dropped;  // kShutdown / kUnsubscribed drains
  std::array<LatencyCounters, kPriorityCount> latency;
};

struct LatencySnapshot {
  uint64_t count = 0;
  uint64_t sum_ns = 0;
  uint64_t max_ns = 0;
  std::array<uint64_t, kLatencyBuckets> buckets{};  // see kLatencyBuckets
  // Upper bound (ns) of the bucket holding quantile q in [0,1]; 0 when empty.
  uint64_t quantile_upper_ns(double q) const noexcept;
  static constexpr uint64_t bucket_upper_ns(std::size_t i) noexcept {
    return i >= 63 ? ~0ULL : (1ULL << i);
  }
};

struct EventTypeMetrics {
  std::string_view name;
  uint16_t id = 0;
  bool zero_copy = false;  // travels through the type's mempool
  uint64_t published = 0;
  uint64_t copies = 0;
  uint64_t delivered = 0;  // including in-line dispatch
  uint64_t delivered_inline = 0;
  uint64_t filtered = 0;
  std::array<uint64_t, kDropReasonCount> dropped{};
  uint64_t in_flight = 0;  // queued in rings, overflows or subscriber burst caches
  uint64_t ring_high_water = 0;
  uint32_t ring_capacity = 0;
  uint64_t pool_in_use = 0;  // zero-copy objects held (rings, subscribers, user references)
  std::array<LatencySnapshot, kPriorityCount> latency{};  // publish->deliver, sampled

  uint64_t dropped_total() const noexcept;
  uint64_t dropped_by(DropReason r) const noexcept {
    return dropped[static_cast<std::size_t>(r)];
  }
};

struct SubscriptionMetrics {
  std::string id;
  std::string_view type;
  uint32_t consumer_lcore = 0;
  int32_t shard = -1;  // -1: all shards
  uint64_t delivered = 0;
  uint64_t dropped_ring_full = 0;  // copies lost because this subscriber was behind
  uint64_t dropped_overflow = 0;   // Critical overflow exhausted towards this subscriber
  uint64_t queued = 0;             // currently waiting in its rings and burst cache
  uint64_t cached = 0;             // of which dequeued into its burst cache (<= batch_size)
  uint64_t capacity = 0;           // sum of its ring capacities
  bool lagging = false;            // behind: queue >= 80 % of capacity or drops seen
};

struct FabricMetrics {
  std::vector<EventTypeMetrics> types;
  std::vector<SubscriptionMetrics> subscriptions;
  uint64_t overflow_exhausted_total = 0;  // > 0: health failure (Critical events were lost)
  bool healthy() const noexcept;
  // One line per problem, for /health and logs: lost Critical events, lagging subscriptions.
  std::vector<std::string> problems() const;
  const EventTypeMetrics* find(std::string_view type_name) const noexcept;
};

}  // namespace rv::events
