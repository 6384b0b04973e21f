#pragma once
// Control-path internals of EventSystem: per-type Channel<E> (pool, publisher and subscriber
// cores, the rings between them) and SystemImpl<Registry> (topology wiring, shutdown, metrics).

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "events/detail/errors.hpp"
#include "events/detail/publisher_core.hpp"
#include "events/detail/ring.hpp"
#include "events/detail/shared.hpp"
#include "events/detail/subscriber_core.hpp"
#include "events/event_registry.hpp"
#include "events/metrics.hpp"
#include "events/subscriber.hpp"

namespace rv::events::detail {

template <Event E>
struct Channel {
  // Declared first so it is destroyed last, after every ring and core that points into it.
  MempoolPtr pool;
  bool zero_copy = false;
  Format format = Format::kPool;
  std::vector<RingPtr> rings;  // (lcore producer, subscriber, class) rings and overflows
  std::vector<std::unique_ptr<SampleMailbox>> mailboxes;  // plain-format latency samples
  std::vector<std::unique_ptr<SubscriberCore<E>>> subscribers;
  std::vector<std::unique_ptr<PublisherCore<E>>> publishers;
  uint32_t next_sub_seq = 0;
};

template <typename R>
struct ChannelTuple;
template <Event... Es>
struct ChannelTuple<EventRegistry<Es...>> {
  using type = std::tuple<Channel<Es>...>;
};

template <typename Registry>
class SystemImpl {
 public:
  explicit SystemImpl(const FabricOptions& o) { shared.opts = o; }
  ~SystemImpl() = default;

  SystemShared shared;
  mutable std::mutex mu;  // control path only

  Result<void> init() {
    shared.init_clock();
    Result<void> out;
    Registry::for_each([&]<typename E>() {
      if (!out) return;
      auto& ch = channel<E>();
      ch.zero_copy = shared.opts.implementation == Implementation::kZeroCopy ||
                     !uses_fast_path<E>();
      if constexpr (StaticEvent<E>) {
        if (!ch.zero_copy) {
          ch.format = shared.priority && kPlainEligible<E> ? Format::kPlain : Format::kStamped;
          return;
        }
      }
      // The mempool comes with the type's first subscriber (ensure_pool): a type nobody
      // consumes costs no memory, and a mempool is populated (every object written) up front.
      ch.format = Format::kPool;
    });
    return out;
  }

  template <Event E>
  Channel<E>& channel() noexcept {
    return std::get<Channel<E>>(channels_);
  }
  template <Event E>
  const Channel<E>& channel() const noexcept {
    return std::get<Channel<E>>(channels_);
  }

  template <Event E>
  Result<PublisherCore<E>*> add_publisher(ProducerId producer) {
    if (auto ok = check_open("create_publisher", EventTraits<E>::kName); !ok) {
      return std::unexpected(std::move(ok.error()));
    }
    auto& ch = channel<E>();
    auto core = std::make_unique<PublisherCore<E>>(shared, producer, ch.format, ch.pool.get());
    for (auto& sub : ch.subscribers) {
      if (!sub->attached.load()) continue;
      if (auto ok = connect(ch, *core, *sub); !ok) return std::unexpected(std::move(ok.error()));
    }
    ch.publishers.push_back(std::move(core));
    return ch.publishers.back().get();
  }

  template <Event E>
  Result<SubscriberCore<E>*> add_subscriber(SubscriptionOptions<E> opts) {
    const std::string_view name = EventTraits<E>::kName;
    if (auto ok = check_open("subscribe", name); !ok) return std::unexpected(std::move(ok.error()));
    auto& ch = channel<E>();
    if (opts.id.empty()) opts.id = default_id(name, ch.next_sub_seq);
    ++ch.next_sub_seq;
    std::size_t attached = 0;
    for (const auto& s : ch.subscribers) {
      if (!s->attached.load()) continue;
      ++attached;
      if (s->id == opts.id) {
        return std::unexpected(duplicate_subscription_error(opts.id, name));
      }
    }
    if (attached >= kMaxSubscribers) {
      return std::unexpected(too_many_subscribers_error(name));
    }
    if (opts.shard) {
      if constexpr (!ShardedEvent<E>) {
        return std::unexpected(no_shard_key_error(name));
      }
      if (*opts.shard >= shared.opts.shard_count) {
        return std::unexpected(shard_out_of_range_error(*opts.shard, shared.opts.shard_count));
      }
    }
    auto core = std::make_unique<SubscriberCore<E>>(shared, ch.format);
    core->id = std::move(opts.id);
    const unsigned self = rte_lcore_id();
    core->consumer_lcore =
        opts.consumer_lcore.value_or(self == LCORE_ID_ANY ? rte_get_main_lcore() : self);
    core->shard = opts.shard ? static_cast<int32_t>(*opts.shard) : -1;
    if (opts.filter) {
      core->filter = [f = std::move(opts.filter)](const E& e) noexcept { return f(e); };
    }
    if (opts.handler) {
      core->inline_handler = [h = std::move(opts.handler)](const E& e) noexcept { h(e); };
    }
    core->init_consumer();
    if (auto ok = ensure_pool(ch); !ok) return std::unexpected(std::move(ok.error()));
    for (auto& pub : ch.publishers) {
      if (auto ok = connect(ch, *pub, *core); !ok) return std::unexpected(std::move(ok.error()));
    }
    ch.subscribers.push_back(std::move(core));
    return ch.subscribers.back().get();
  }

  Result<void> shutdown() {
    const State s = shared.state.load();
    if (s == State::kStopped) return {};
    shared.state.store(State::kStopping, std::memory_order_seq_cst);
    // Consumers keep running: give them drain_timeout to empty what is queued.
    const auto deadline = std::chrono::steady_clock::now() + shared.opts.drain_timeout;
    while (s == State::kRunning && queued_total() != 0 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    shared.state.store(State::kStopped, std::memory_order_seq_cst);
    for_each_channel([&]<typename E>(Channel<E>& ch) {
      for (auto& sub : ch.subscribers) {
        while (sub->busy()) rte_pause();  // a consumer still inside poll()/pop()
        sub->drain_all(DropReason::kShutdown);
      }
    });
    return {};
  }

  FabricMetrics metrics() const {
    FabricMetrics out;
    for_each_channel([&]<typename E>(const Channel<E>& ch) {
      out.types.push_back(type_metrics<E>());
      out.overflow_exhausted_total +=
          out.types.back().dropped_by(DropReason::kOverflowExhausted);
      for (const auto& sub : ch.subscribers) out.subscriptions.push_back(sub_metrics(ch, *sub));
    });
    return out;
  }

  template <Event E>
  EventTypeMetrics type_metrics() const {
    const auto& ch = channel<E>();
    EventTypeMetrics m;
    m.name = EventTraits<E>::kName;
    m.id = EventTraits<E>::kId;
    m.zero_copy = ch.zero_copy;
    m.ring_capacity = shared.opts.channel_capacity;
    for (const auto& p : ch.publishers) {
      const ProducerCounters& c = p->counters();
      m.published += c.published.get();
      m.copies += c.copies.get();
      m.filtered += c.filtered.get();
      m.delivered_inline += c.delivered_inline.get();
      m.ring_high_water = std::max(m.ring_high_water, c.ring_high_water.get());
      for (std::size_t r = 0; r < kDropReasonCount; ++r) m.dropped[r] += c.dropped[r].get();
    }
    for (const auto& s : ch.subscribers) {
      const ConsumerCounters& c = s->counters();
      m.delivered += c.delivered.get();
      for (std::size_t r = 0; r < kDropReasonCount; ++r) m.dropped[r] += c.dropped[r].get();
      for (std::size_t p = 0; p < kPriorityCount; ++p) add_latency(m.latency[p], c.latency[p]);
      m.in_flight += s->queued();
    }
    m.pool_in_use = pool_in_use(ch.pool.get());
    return m;
  }

 private:
  template <typename F>
  void for_each_channel(F&& f) {
    std::apply([&](auto&... ch) { (f(ch), ...); }, channels_);
  }
  template <typename F>
  void for_each_channel(F&& f) const {
    std::apply([&](const auto&... ch) { (f(ch), ...); }, channels_);
  }

  static std::string default_id(std::string_view name, uint32_t seq) {
    std::string id(name);
    id += '#';
    id += std::to_string(seq);
    return id;
  }

  Result<void> check_open(std::string_view what, std::string_view type) const {
    const State s = shared.state.load();
    if (s == State::kStopping || s == State::kStopped) {
      return std::unexpected(after_shutdown_error(what, type));
    }
    return {};
  }

  uint64_t queued_total() const {
    uint64_t n = 0;
    for_each_channel([&]<typename E>(const Channel<E>& ch) {
      for (const auto& s : ch.subscribers) {
        if (s->attached.load()) n += s->queued();
      }
    });
    return n;
  }

  // cp: creates a pool-format type's mempool and hands it to the publishers, before any of them
  // has a route (a publisher only touches its pool for an event some route wants).
  template <Event E>
  Result<void> ensure_pool(Channel<E>& ch) {
    if (ch.format != Format::kPool || ch.pool) return {};
    auto pool = make_pool(shared.opts.pool_size, sizeof(PoolObject<E>), shared.opts.socket_id);
    if (!pool) return std::unexpected(pool_error_context(std::move(pool.error()), EventTraits<E>::kName));
    ch.pool = std::move(*pool);
    for (auto& pub : ch.publishers) pub->set_pool(ch.pool.get());
    return {};
  }

  // Wires publisher -> subscriber: in-line, through the subscriber's shared control rings, or
  // through new SPSC rings per class plus an overflow.
  template <Event E>
  Result<void> connect(Channel<E>& ch, PublisherCore<E>& pub, SubscriberCore<E>& sub) {
    Route<E> r;
    r.sub = &sub;
    r.capacity = shared.opts.channel_capacity;
    const ProducerId p = pub.producer();
    if (!p.is_control() && p.lcore_id() == sub.consumer_lcore && sub.inline_handler) {
      r.inline_dispatch = true;
    } else if (p.is_control()) {
      if (!sub.control.rings[index_of(Priority::kNormal)]) {
        if (auto ok = make_rings(sub, RingSync::kMpRtsSc, sub.control); !ok) return ok;
      }
      r.mp = true;
      fill_route(r, sub.control);
    } else {
      RingSet set;
      if (auto ok = make_rings(sub, RingSync::kSpsc, set); !ok) return ok;
      fill_route(r, set);
      for (auto* group : {&set.rings, &set.spills}) {
        for (auto& ring : *group) {
          if (ring) ch.rings.push_back(std::move(ring));
        }
      }
      for (auto& mb : set.samples) {
        if (mb) ch.mailboxes.push_back(std::move(mb));
      }
    }
    if (!pub.add_route(r)) {
      return std::unexpected(route_table_full_error(EventTraits<E>::kName));
    }
    return {};
  }

  template <Event E>
  void fill_route(Route<E>& r, const RingSet& set) const {
    for (std::size_t c = 0; c < kPriorityCount; ++c) {
      const std::size_t k = shared.priority ? c : index_of(Priority::kNormal);
      r.rings[c] = set.rings[k].get();
      r.spills[c] = set.spills[k].get();
      r.samples[c] = set.samples[k].get();
    }
  }

  // Creates the class rings (one when priority is off) and the overflows (Critical, or every
  // class for Backpressure::kSpill types), and publishes them as sources of `sub`.
  template <Event E>
  Result<void> make_rings(SubscriberCore<E>& sub, RingSync sync, RingSet& set) {
    const auto& o = shared.opts;
    for (std::size_t c = 0; c < kPriorityCount; ++c) {
      if (!shared.priority && c != index_of(Priority::kNormal)) continue;
      auto ring = make_ring(o.channel_capacity, sub.esize(), sync, o.socket_id);
      if (!ring) return std::unexpected(std::move(ring.error()));
      set.rings[c] = std::move(*ring);
      if (sub.format() == Format::kPlain && sync == RingSync::kSpsc && o.enable_metrics) {
        set.samples[c] = std::make_unique<SampleMailbox>();
      }
      const bool spills = backpressure_of<E>() == Backpressure::kSpill || !shared.priority ||
                          c == index_of(Priority::kCritical);
      if (!spills) continue;
      auto ovf = make_ring(o.overflow_capacity, sub.esize(), sync, o.socket_id);
      if (!ovf) return std::unexpected(std::move(ovf.error()));
      set.spills[c] = std::move(*ovf);
    }
    for (std::size_t c = 0; c < kPriorityCount; ++c) {
      if (!set.rings[c]) continue;
      if (!sub.add_source(c, Source{set.rings[c].get(), set.spills[c].get(),
                                    set.samples[c].get()})) {
        return std::unexpected(source_table_full_error(sub.id));
      }
    }
    return {};
  }

  template <Event E>
  SubscriptionMetrics sub_metrics(const Channel<E>& ch, const SubscriberCore<E>& sub) const {
    SubscriptionMetrics m;
    m.id = sub.id;
    m.type = EventTraits<E>::kName;
    m.consumer_lcore = sub.consumer_lcore;
    m.shard = sub.shard;
    m.delivered = sub.counters().delivered.get();
    for (const auto& p : ch.publishers) {
      for (uint32_t i = 0; i < p->route_count(); ++i) {
        const Route<E>& r = p->route(i);
        if (r.sub != &sub) continue;
        m.dropped_ring_full += r.dropped_ring_full.get();
        m.dropped_overflow += r.dropped_overflow.get();
      }
    }
    m.queued = sub.queued();
    m.cached = sub.cached();
    m.capacity = sub.capacity();
    m.lagging = (m.capacity != 0 && m.queued * 5 >= m.capacity * 4) || m.dropped_ring_full != 0 ||
                m.dropped_overflow != 0;
    return m;
  }

  static void add_latency(LatencySnapshot& s, const LatencyCounters& c) {
    s.count += c.count.get();
    s.sum_ns += c.sum_ns.get();
    s.max_ns = std::max(s.max_ns, c.max_ns.get());
    for (std::size_t b = 0; b < kLatencyBuckets; ++b) s.buckets[b] += c.buckets[b].get();
  }

  typename ChannelTuple<Registry>::type channels_;
};

}  // namespace rv::events::detail
