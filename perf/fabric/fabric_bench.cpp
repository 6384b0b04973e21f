// perf/fabric_bench: the event fabric against raw rte_ring_elem and peer queues, same run.
// Producer on the main lcore, consumer(s) on the worker lcore, 64-byte events.
// items_per_second counts events taken out by the consumer side (deliveries for fan-out;
// publishes_per_second is reported beside it so the fan-out factor is never hidden), divided
// by the wall-clock time of the run, drain included (two threads run in parallel, so CPU time
// of one of them is not the right denominator). Benchmark names carry no /real_time suffix so
// that runs compare over time. Every producer retries a refused enqueue in a tight loop (no
// pause), the same for the raw ring, the peers and the fabric.

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/lockfree/spsc_queue.hpp>
#include <concurrentqueue/concurrentqueue.h>
#include <tbb/concurrent_queue.h>

#include "events/events.hpp"

namespace bench {

struct Event64 {
  uint64_t seq;
  uint64_t tsc;  // publish time, read by the latency benchmark
  std::array<uint8_t, 48> pad;
};
static_assert(sizeof(Event64) == 64);

}  // namespace bench

template <>
struct rv::events::EventTraits<bench::Event64> {
  static constexpr std::string_view kName = "bench.event64";
  static constexpr uint16_t kId = 1;
  static constexpr Priority kDefaultPriority = Priority::kNormal;
  static constexpr Affinity kAffinity = Affinity::kInterPlane;
  static constexpr bool kFastPath = true;
};

namespace bench {

using rv::events::EventRegistry;
using rv::events::EventSystemBuilder;
using rv::events::Implementation;
using rv::events::Priority;
using rv::events::ProducerId;
using rv::events::SubscriptionOptions;
using Registry = EventRegistry<Event64>;

constexpr uint32_t kCapacity = 1024;
constexpr uint32_t kConsumerBurst = 32;

unsigned worker() { return rte_get_next_lcore(-1, 1, 0); }

// Runs `body(stop)` on the worker lcore for the duration of a benchmark run.
class Consumer {
 public:
  explicit Consumer(std::function<void(const std::atomic<bool>&)> body) : body_(std::move(body)) {
    rte_eal_remote_launch(&Consumer::run, this, worker());
  }
  ~Consumer() { stop(); }
  void stop() {
    if (stopped_) return;
    stop_.store(true, std::memory_order_release);
    rte_eal_wait_lcore(worker());
    stopped_ = true;
  }

 private:
  static int run(void* self) {
    auto* c = static_cast<Consumer*>(self);
    c->body_(c->stop_);
    return 0;
  }
  std::function<void(const std::atomic<bool>&)> body_;
  std::atomic<bool> stop_{false};
  bool stopped_ = false;
};

// Wall-clock rate over one benchmark run (from construction to report()).
class WallRate {
 public:
  explicit WallRate(benchmark::State& state)
      : state_(state), start_(std::chrono::steady_clock::now()) {}
  void report(const char* name, uint64_t count) {
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    state_.counters[name] = benchmark::Counter(s > 0 ? static_cast<double>(count) / s : 0.0);
  }

 private:
  benchmark::State& state_;
  std::chrono::steady_clock::time_point start_;
};

Event64 make_event(uint64_t seq) {
  Event64 e{};
  e.seq = seq;
  return e;
}

// ---------------------------------------------------------------- baselines

void BM_Baseline_RteRingElem(benchmark::State& state) {
  const auto burst = static_cast<uint32_t>(state.range(0));
  rte_ring* r = rte_ring_create_elem("bench_raw", sizeof(Event64), kCapacity, SOCKET_ID_ANY,
                                     RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
  if (r == nullptr) {
    state.SkipWithError("rte_ring_create_elem failed");
    return;
  }
  uint64_t consumed = 0;
  WallRate rate(state);
  {
    Consumer c([&](const std::atomic<bool>& stop) {
      std::array<Event64, kConsumerBurst> buf;
      uint64_t sum = 0;
      for (;;) {
        const unsigned n =
            rte_ring_sc_dequeue_burst_elem(r, buf.data(), sizeof(Event64), kConsumerBurst, nullptr);
        for (unsigned i = 0; i < n; ++i) sum += buf[i].seq;
        consumed += n;
        if (n == 0 && stop.load(std::memory_order_acquire) && rte_ring_empty(r)) break;
      }
      benchmark::DoNotOptimize(sum);
    });
    std::vector<Event64> batch(burst);
    uint64_t seq = 0;
    for (auto _ : state) {
      for (auto& e : batch) e.seq = seq++;
      uint32_t done = 0;
      while (done < burst) {
        done += rte_ring_sp_enqueue_burst_elem(r, batch.data() + done, sizeof(Event64),
                                               burst - done, nullptr);
      }
    }
    c.stop();
  }
  rate.report("items_per_second", consumed);
  rte_ring_free(r);
}
BENCHMARK(BM_Baseline_RteRingElem)->ArgName("burst")->Arg(1)->Arg(32);

void BM_Baseline_TbbBoundedQueue(benchmark::State& state) {
  tbb::concurrent_bounded_queue<Event64> q;
  q.set_capacity(kCapacity);
  uint64_t consumed = 0;
  WallRate rate(state);
  {
    Consumer c([&](const std::atomic<bool>& stop) {
      Event64 e{};
      uint64_t sum = 0;
      for (;;) {
        if (q.try_pop(e)) {
          sum += e.seq;
          ++consumed;
        } else if (stop.load(std::memory_order_acquire)) {
          break;
        }
      }
      benchmark::DoNotOptimize(sum);
    });
    uint64_t seq = 0;
    for (auto _ : state) q.push(make_event(seq++));  // blocks when full
    c.stop();
  }
  rate.report("items_per_second", consumed);
}
BENCHMARK(BM_Baseline_TbbBoundedQueue);

void BM_Baseline_MoodycamelQueue(benchmark::State& state) {
  moodycamel::ConcurrentQueue<Event64> q(kCapacity);
  uint64_t consumed = 0;
  WallRate rate(state);
  {
    Consumer c([&](const std::atomic<bool>& stop) {
      moodycamel::ConsumerToken tok(q);
      std::array<Event64, kConsumerBurst> buf;
      uint64_t sum = 0;
      for (;;) {
        const size_t n = q.try_dequeue_bulk(tok, buf.data(), kConsumerBurst);
        for (size_t i = 0; i < n; ++i) sum += buf[i].seq;
        consumed += n;
        if (n == 0 && stop.load(std::memory_order_acquire) && q.size_approx() == 0) break;
      }
      benchmark::DoNotOptimize(sum);
    });
    moodycamel::ProducerToken tok(q);
    uint64_t seq = 0;
    // try_enqueue never allocates: the preallocated capacity bounds it like the other queues.
    for (auto _ : state) {
      const Event64 e = make_event(seq++);
      while (!q.try_enqueue(tok, e)) {
      }
    }
    c.stop();
  }
  rate.report("items_per_second", consumed);
}
BENCHMARK(BM_Baseline_MoodycamelQueue);

void BM_Baseline_BoostSpscQueue(benchmark::State& state) {
  auto q = std::make_unique<boost::lockfree::spsc_queue<Event64, boost::lockfree::capacity<kCapacity>>>();
  uint64_t consumed = 0;
  WallRate rate(state);
  {
    Consumer c([&](const std::atomic<bool>& stop) {
      std::array<Event64, kConsumerBurst> buf;
      uint64_t sum = 0;
      for (;;) {
        const size_t n = q->pop(buf.data(), kConsumerBurst);
        for (size_t i = 0; i < n; ++i) sum += buf[i].seq;
        consumed += n;
        if (n == 0 && stop.load(std::memory_order_acquire) && q->read_available() == 0) break;
      }
      benchmark::DoNotOptimize(sum);
    });
    uint64_t seq = 0;
    for (auto _ : state) {
      const Event64 e = make_event(seq++);
      while (!q->push(e)) {
      }
    }
    c.stop();
  }
  rate.report("items_per_second", consumed);
}
BENCHMARK(BM_Baseline_BoostSpscQueue);

// ---------------------------------------------------------------- the fabric

auto build(Implementation impl, bool priority = true) {
  auto sys = EventSystemBuilder<Registry>{}
                 .implementation(impl)
                 .channel_capacity(kCapacity)
                 .batch_size(kConsumerBurst)
                 .enable_priority(priority)
                 .enable_metrics(true)
                 .pool_size(16383)
                 .build();
  if (!sys || !sys->start()) {
    std::fprintf(stderr, "fabric build failed: %s\n",
                 sys ? "start" : sys.error().to_string().c_str());
    std::abort();
  }
  return std::move(*sys);
}

// One publisher on the main lcore, one subscriber polled on the worker lcore. A publish that
// the full ring refused is retried (the raw baselines spin the same way).
void BM_Fabric_StaticPath(benchmark::State& state) {
  const auto burst = static_cast<std::size_t>(state.range(0));
  auto sys = build(Implementation::kStaticFastPath);
  auto sub = sys.subscribe<Event64>(SubscriptionOptions<Event64>{.consumer_lcore = worker()});
  auto pub = sys.create_publisher<Event64>(ProducerId::lcore(rte_lcore_id()));
  uint64_t consumed = 0;
  WallRate rate(state);
  {
    Consumer c([&](const std::atomic<bool>& stop) {
      uint64_t sum = 0;
      auto h = [&](const Event64& e) { sum += e.seq; };
      for (;;) {
        const std::size_t n = sub->poll(kConsumerBurst, h);
        consumed += n;
        if (n == 0 && stop.load(std::memory_order_acquire)) {
          while (const std::size_t m = sub->poll(kConsumerBurst, h)) consumed += m;
          break;
        }
      }
      benchmark::DoNotOptimize(sum);
    });
    std::vector<Event64> batch(burst);
    uint64_t seq = 0;
    for (auto _ : state) {
      if (burst == 1) {
        const Event64 e = make_event(seq++);
        while (pub->publish(e).value_or(0) == 0) {
        }  // spin like the raw ring loop
      } else {
        for (auto& e : batch) e.seq = seq++;
        std::span<const Event64> rest(batch);
        while (!rest.empty()) rest = rest.subspan(pub->publish_batch(rest).value_or(0));
      }
    }
    c.stop();
  }
  rate.report("items_per_second", consumed);
}
BENCHMARK(BM_Fabric_StaticPath)->ArgName("burst")->Arg(1)->Arg(32);

// Zero copy: each event lives once in the type's mempool and reaches N subscribers by
// reference. Credit-based flow control (window below ring capacity) so that nothing is
// dropped; the consumer lcore polls the N subscriptions in turn.
void BM_Fabric_ZeroCopyFanout(benchmark::State& state) {
  const auto subs_n = static_cast<std::size_t>(state.range(0));
  auto sys = build(Implementation::kZeroCopy);
  std::vector<rv::events::Subscriber<Event64>> subs;
  for (std::size_t i = 0; i < subs_n; ++i) {
    subs.push_back(std::move(
        *sys.subscribe<Event64>(SubscriptionOptions<Event64>{.consumer_lcore = worker()})));
  }
  auto pub = sys.create_publisher<Event64>(ProducerId::lcore(rte_lcore_id()));
  std::atomic<uint64_t> progress{0};  // events every subscriber has received (consumer: wo)
  uint64_t delivered = 0;
  uint64_t published = 0;
  WallRate rate(state);
  {
    Consumer c([&](const std::atomic<bool>& stop) {
      std::vector<uint64_t> per_sub(subs_n, 0);
      uint64_t sum = 0;
      auto h = [&](const Event64& e) { sum += e.seq; };
      for (;;) {
        std::size_t round = 0;
        for (std::size_t i = 0; i < subs_n; ++i) {
          const std::size_t n = subs[i].poll(kConsumerBurst, h);
          per_sub[i] += n;
          round += n;
        }
        delivered += round;
        progress.store(*std::min_element(per_sub.begin(), per_sub.end()),
                       std::memory_order_release);
        if (round == 0 && stop.load(std::memory_order_acquire)) break;
      }
      benchmark::DoNotOptimize(sum);
    });
    std::array<Event64, kConsumerBurst> batch{};
    constexpr uint64_t kWindow = kCapacity - kConsumerBurst;
    for (auto _ : state) {
      while (published + kConsumerBurst - progress.load(std::memory_order_acquire) > kWindow) {
        rte_pause();
      }
      for (auto& e : batch) e.seq = published++;
      benchmark::DoNotOptimize(pub->publish_batch(batch));
    }
    c.stop();
  }
  const auto m = sys.metrics_of<Event64>();
  rate.report("items_per_second", delivered);
  rate.report("publishes_per_second", published);
  state.counters["dropped"] = static_cast<double>(m.dropped_total());
}
BENCHMARK(BM_Fabric_ZeroCopyFanout)->ArgName("subscribers")->Arg(1)->Arg(4);

// Normal traffic saturates the ring (the producer publishes bursts as fast as it can, the
// consumer spends ~30 ns per Normal event, the excess is dropped and counted) while one
// Critical event per 16 bursts carries its publish TSC; the consumer records publish->handler
// latency of every Critical event. Host preemption is reported beside it (consumer_stalls).
void critical_latency(benchmark::State& state, bool priority) {
  auto sys = build(Implementation::kStaticFastPath, priority);
  auto sub = sys.subscribe<Event64>(SubscriptionOptions<Event64>{.consumer_lcore = worker()});
  auto pub = sys.create_publisher<Event64>(ProducerId::lcore(rte_lcore_id()));
  std::vector<uint64_t> lat_cycles;
  lat_cycles.reserve(1 << 22);
  uint64_t consumed = 0;
  uint64_t stalls = 0;
  uint64_t stalled_cycles = 0;
  const uint64_t t_start = rte_rdtsc();
  WallRate rate(state);
  {
    Consumer c([&](const std::atomic<bool>& stop) {
      auto h = [&](const Event64& e, Priority p) {
        if (p == Priority::kCritical) {
          if (lat_cycles.size() < lat_cycles.capacity()) lat_cycles.push_back(rte_rdtsc() - e.tsc);
          return;
        }
        // ~30 ns of work per Normal event (a plane handling it) so that the producer outruns
        // the consumer and the Normal ring stays full: the saturated case.
        uint64_t x = e.seq | 1;
        for (int i = 0; i < 24; ++i) x = x * 0x9E3779B97F4A7C15ULL + (x >> 29);
        benchmark::DoNotOptimize(x);
      };
      // Gaps between polls longer than 10 us are the consumer being off the CPU (preempted):
      // counted so that a latency tail caused by the host is visible as such.
      const uint64_t stall = rte_get_tsc_hz() / 100000;
      uint64_t last = rte_rdtsc();
      for (;;) {
        const std::size_t n = sub->poll(kConsumerBurst, h);
        consumed += n;
        const uint64_t now = rte_rdtsc();
        if (now - last > stall) {
          ++stalls;
          stalled_cycles += now - last;
        }
        last = now;
        if (n == 0 && stop.load(std::memory_order_acquire)) break;
      }
    });
    std::array<Event64, kConsumerBurst> batch{};
    uint64_t seq = 0;
    uint64_t it = 0;
    for (auto _ : state) {
      for (auto& e : batch) e.seq = seq++;
      benchmark::DoNotOptimize(pub->publish_batch(batch, Priority::kNormal));
      if ((++it & 15) == 0) {
        Event64 crit = make_event(seq++);
        crit.tsc = rte_rdtsc();
        benchmark::DoNotOptimize(pub->publish(crit, Priority::kCritical));
      }
    }
    c.stop();
  }
  const uint64_t t_total = rte_rdtsc() - t_start;
  std::sort(lat_cycles.begin(), lat_cycles.end());
  const uint64_t over_10us = static_cast<uint64_t>(
      lat_cycles.end() - std::upper_bound(lat_cycles.begin(), lat_cycles.end(),
                                          rte_get_tsc_hz() / 100000));
  const double ns_per_cycle = 1e9 / static_cast<double>(rte_get_tsc_hz());
  auto pct = [&](double q) {
    if (lat_cycles.empty()) return 0.0;
    const auto i = static_cast<std::size_t>(q * static_cast<double>(lat_cycles.size() - 1));
    return static_cast<double>(lat_cycles[i]) * ns_per_cycle;
  };
  const auto m = sys.metrics_of<Event64>();
  rate.report("items_per_second", consumed);
  state.counters["p50_ns"] = pct(0.50);
  state.counters["p99_ns"] = pct(0.99);
  state.counters["p999_ns"] = pct(0.999);
  state.counters["critical_n"] = static_cast<double>(lat_cycles.size());
  state.counters["critical_over_10us_pct"] =
      lat_cycles.empty() ? 0.0 : 100.0 * static_cast<double>(over_10us) /
                                      static_cast<double>(lat_cycles.size());
  state.counters["consumer_stalls"] = static_cast<double>(stalls);
  state.counters["consumer_offcpu_pct"] =
      100.0 * static_cast<double>(stalled_cycles) / static_cast<double>(t_total);
  state.counters["critical_dropped"] =
      static_cast<double>(m.dropped_by(rv::events::DropReason::kOverflowExhausted));
  state.counters["normal_dropped"] =
      static_cast<double>(m.dropped_by(rv::events::DropReason::kRingFull));
}

void BM_Fabric_CriticalLatency(benchmark::State& state) { critical_latency(state, true); }
BENCHMARK(BM_Fabric_CriticalLatency);

// Same load with enable_priority(false): Critical queues behind Normal (for contrast).
void BM_Fabric_CriticalLatencyNoPriority(benchmark::State& state) {
  critical_latency(state, false);
}
BENCHMARK(BM_Fabric_CriticalLatencyNoPriority);

}  // namespace bench

int main(int argc, char** argv) {
  std::vector<std::string> eal{"fabric_bench", "--no-huge", "--no-shconf", "--no-pci", "-m",
                               "512",          "-l",        "0-1",         "--log-level=warning"};
  std::vector<char*> eal_argv;
  for (auto& a : eal) eal_argv.push_back(a.data());
  if (rte_eal_init(static_cast<int>(eal_argv.size()), eal_argv.data()) < 0) {
    std::fprintf(stderr, "rte_eal_init failed: need 2 lcores (-l 0-1)\n");
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  rte_eal_cleanup();
  return 0;
}
