// The event fabric under EAL (2 lcores): accounting across lcores, shutdown and leaks, bad
// input, in-line dispatch, control producers, every builder option, per-type behaviour.

#include <rte_lcore.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/events/fabric_fixture.hpp"

namespace rv::events::test {
namespace {

template <typename T>
class FabricLifecycleTest : public FabricTest<T> {};
TYPED_TEST_SUITE(FabricLifecycleTest, Impls, ImplNames);

TYPED_TEST(FabricLifecycleTest, CrossLcore_AccountingInvariantHolds) {
  auto sys = this->make(this->builder().channel_capacity(256).latency_sample_every(16));
  auto sub = sys.template subscribe<SmallEvent>(SubscriptionOptions<SmallEvent>{.consumer_lcore = kMain});
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  constexpr uint64_t kEvents = 200000;
  std::atomic<bool> done{false};
  std::atomic<uint64_t> accepted{0};
  OnWorker producer([&] {
    for (uint64_t i = 0; i < kEvents; ++i) {
      const auto p = static_cast<Priority>(i % kPriorityCount);
      accepted.fetch_add(pub->publish(small(i), p).value(), std::memory_order_relaxed);
    }
    done.store(true);
  });
  uint64_t received = 0;
  std::array<uint64_t, kPriorityCount> last{};
  bool ordered = true;
  auto h = [&](const SmallEvent& e, Priority p) {
    // Per class, one producer's events arrive in publish order.
    ordered &= last[index_of(p)] == 0 || e.seq > last[index_of(p)];
    last[index_of(p)] = e.seq;
    ++received;
  };
  // Stop consuming a little early on purpose so that some events are still in flight.
  while (!done.load() || received < accepted.load() / 2) {
    if (sub->poll(32, h) == 0 && done.load()) break;
  }
  producer.join();
  EXPECT_TRUE(ordered);
  auto m = sys.template metrics_of<SmallEvent>();
  EXPECT_EQ(m.published, kEvents);
  EXPECT_EQ(m.delivered, received);
  this->expect_invariant(m);
  EXPECT_EQ(m.published, m.delivered + m.dropped_total() + m.filtered + m.in_flight);
  for (const auto& l : m.latency) EXPECT_GT(l.count, 0u);  // every class sampled
  // Shutdown drains the rest and counts it.
  ASSERT_TRUE(sys.shutdown());
  m = sys.template metrics_of<SmallEvent>();
  EXPECT_EQ(m.in_flight, 0u);
  EXPECT_EQ(m.published, m.delivered + m.dropped_total() + m.filtered);
  EXPECT_EQ(m.pool_in_use, 0u);
}

TYPED_TEST(FabricLifecycleTest, Shutdown_DrainsCountsAndLeaksNoPoolObject) {
  auto sys = this->make(this->builder());
  auto sub = sys.template subscribe<SmallEvent>();
  auto sub_big = sys.template subscribe<BigEvent>();
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  auto pub_big = sys.template create_publisher<BigEvent>(kProducer);
  for (uint64_t i = 0; i < 20; ++i) {
    ASSERT_TRUE(pub->publish(small(i)));
    ASSERT_TRUE(pub_big->publish(BigEvent{i, {}}));
  }
  auto held = sub_big->try_receive();  // one burst moved into the subscriber's cache
  ASSERT_TRUE(held.has_value());
  ASSERT_TRUE(sys.shutdown());
  for (const auto& m : sys.metrics().types) {
    EXPECT_EQ(m.in_flight, 0u) << m.name;
    this->expect_invariant(m);
  }
  EXPECT_EQ(sys.template metrics_of<SmallEvent>().dropped_by(DropReason::kShutdown), 20u);
  EXPECT_EQ(sys.template metrics_of<BigEvent>().dropped_by(DropReason::kShutdown), 19u);
  EXPECT_EQ(sys.template metrics_of<BigEvent>().pool_in_use, 1u);  // `held`, still referenced
  held.reset();
  EXPECT_EQ(sys.template metrics_of<BigEvent>().pool_in_use, 0u);
  EXPECT_FALSE(sub->try_receive().has_value());
  auto r = sub->receive();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kState);
}

TYPED_TEST(FabricLifecycleTest, DiscardHook_CalledForEveryCopyDrainedWithoutDelivery) {
  OwningEvent::discarded.store(0);
  auto sys = this->make(this->builder());
  auto a = sys.template subscribe<OwningEvent>();
  auto pub = sys.template create_publisher<OwningEvent>(kProducer);
  {
    auto b = sys.template subscribe<OwningEvent>();
    for (uint64_t i = 1; i <= 4; ++i) ASSERT_EQ(pub->publish(OwningEvent{i}).value(), 2u);
  }  // b unsubscribes: its 4 copies are drained
  EXPECT_EQ(OwningEvent::discarded.load(), 1u + 2 + 3 + 4);
  ASSERT_TRUE(a->try_receive().has_value());  // handle 1 delivered, not discarded
  ASSERT_TRUE(sys.shutdown());                 // a's remaining 3 (cache + ring) drained
  EXPECT_EQ(OwningEvent::discarded.load(), 10u + 2 + 3 + 4);
}

TYPED_TEST(FabricLifecycleTest, PublishAfterShutdown_ReturnsErrorSayingWhatToDo) {
  auto sys = this->make(this->builder());
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  EXPECT_TRUE(pub->accepting());
  ASSERT_TRUE(sys.shutdown());
  EXPECT_FALSE(pub->accepting());
  auto r = pub->publish(small(1));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kState);
  EXPECT_NE(r.error().message().find("after shutdown()"), std::string::npos);
  auto s = sys.template subscribe<SmallEvent>();
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message().find("build a new EventSystem"), std::string::npos);
  EXPECT_FALSE(sys.start().has_value());
}

TYPED_TEST(FabricLifecycleTest, SubscribeTwiceWithSameId_ReturnsError) {
  auto sys = this->make(this->builder());
  auto a = sys.template subscribe<SmallEvent>(SubscriptionOptions<SmallEvent>{.id = "media"});
  ASSERT_TRUE(a);
  auto b = sys.template subscribe<SmallEvent>(SubscriptionOptions<SmallEvent>{.id = "media"});
  ASSERT_FALSE(b.has_value());
  EXPECT_EQ(b.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(b.error().message().find("'media' already exists"), std::string::npos);
  // Another type may reuse the id.
  EXPECT_TRUE(sys.template subscribe<BigEvent>(SubscriptionOptions<BigEvent>{.id = "media"}));
}

TYPED_TEST(FabricLifecycleTest, ProducerOwnsShard_DispatchesInlineWithoutRing) {
  auto sys = this->make(this->builder());
  uint64_t inline_seen = 0;
  SubscriptionOptions<SmallEvent> o;
  o.consumer_lcore = 1;
  o.handler = [&](const SmallEvent&) { ++inline_seen; };
  auto sub = sys.template subscribe<SmallEvent>(std::move(o));
  auto pub = sys.template create_publisher<SmallEvent>(ProducerId::lcore(1));
  OnWorker w([&] {
    for (uint64_t i = 0; i < 10; ++i) (void)pub->publish(small(i));
  });
  w.join();
  EXPECT_EQ(inline_seen, 10u);
  const auto m = sys.template metrics_of<SmallEvent>();
  EXPECT_EQ(m.delivered_inline, 10u);
  EXPECT_EQ(m.delivered, 10u);
  EXPECT_EQ(m.in_flight, 0u);
  EXPECT_EQ(m.pool_in_use, 0u);
  this->expect_invariant(m);
}

TYPED_TEST(FabricLifecycleTest, ControlThreads_ShareMpRingWithoutLoss) {
  auto sys = this->make(this->builder().channel_capacity(4096));
  auto sub = sys.template subscribe<SmallEvent>();
  constexpr uint64_t kPerThread = 1000;
  std::vector<std::thread> threads;
  for (uint32_t t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      auto pub = sys.template create_publisher<SmallEvent>();  // non-EAL thread: control
      EXPECT_TRUE(pub->producer().is_control());
      for (uint64_t i = 0; i < kPerThread; ++i) {
        auto e = small(i);
        e.producer = t;
        (void)pub->publish(e);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::array<uint64_t, 3> next{};
  uint64_t n = sub->poll(100000, [&](const SmallEvent& e) {
    EXPECT_EQ(e.seq, next[e.producer]++);  // per producer order kept through the MP ring
  });
  EXPECT_EQ(n, 3 * kPerThread);
  this->expect_invariant(sys.template metrics_of<SmallEvent>());
}

TYPED_TEST(FabricLifecycleTest, BoundedWait_ControlProducerWaitsLcoreProducerDrops) {
  auto sys = this->make(this->builder().channel_capacity(8).control_wait(std::chrono::seconds(2)));
  auto sub = sys.template subscribe<WaitEvent>(SubscriptionOptions<WaitEvent>{.consumer_lcore = 1});
  std::atomic<bool> stop{false};
  uint64_t got = 0;
  OnWorker consumer([&] {
    while (!stop.load()) got += sub->poll(4, [](const WaitEvent&) {});
    while (sub->poll(64, [](const WaitEvent&) {}) != 0) {
    }
  });
  auto control = sys.template create_publisher<WaitEvent>(ProducerId::control());
  uint64_t accepted = 0;
  for (uint64_t i = 0; i < 2000; ++i) accepted += control->publish(WaitEvent{i}).value();
  stop.store(true);
  consumer.join();
  EXPECT_EQ(accepted, 2000u);  // the control producer waited instead of dropping
  EXPECT_EQ(sys.template metrics_of<WaitEvent>().dropped_total(), 0u);
  // An lcore producer never waits: with nobody consuming it drops, counted.
  auto lcore_pub = sys.template create_publisher<WaitEvent>(kProducer);
  for (uint64_t i = 0; i < 20; ++i) (void)lcore_pub->publish(WaitEvent{i});
  const auto m = sys.template metrics_of<WaitEvent>();
  EXPECT_EQ(m.dropped_by(DropReason::kRingFull), 12u);
  EXPECT_EQ(m.dropped_by(DropReason::kWaitTimeout), 0u);
}

TYPED_TEST(FabricLifecycleTest, EnablePriorityFalse_DeliversInArrivalOrder) {
  auto sys = this->make(this->builder().enable_priority(false));
  auto sub = sys.template subscribe<SmallEvent>();
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  const Priority ps[] = {Priority::kLow, Priority::kCritical, Priority::kNormal, Priority::kHigh};
  for (uint64_t i = 0; i < 4; ++i) ASSERT_TRUE(pub->publish(small(i), ps[i]));
  std::vector<uint64_t> seqs;
  std::vector<Priority> prios;
  sub->poll(10, [&](const SmallEvent& e, Priority p) {
    seqs.push_back(e.seq);
    prios.push_back(p);
  });
  EXPECT_EQ(seqs, (std::vector<uint64_t>{0, 1, 2, 3}));
  EXPECT_EQ(prios, (std::vector<Priority>(std::begin(ps), std::end(ps))));  // still carried
}

TYPED_TEST(FabricLifecycleTest, BatchSize_SetsTheDequeueBurst) {
  for (uint32_t batch : {4u, 8u}) {
    auto sys = this->make(this->builder().batch_size(batch));
    auto sub = sys.template subscribe<SmallEvent>();
    auto pub = sys.template create_publisher<SmallEvent>(kProducer);
    for (uint64_t i = 0; i < 20; ++i) ASSERT_TRUE(pub->publish(small(i)));
    ASSERT_TRUE(sub->try_receive().has_value());
    const auto metrics = sys.metrics();
    ASSERT_EQ(metrics.subscriptions.size(), 1u);
    // One burst of `batch` left the ring; batch-1 wait in the subscriber's cache.
    EXPECT_EQ(metrics.subscriptions[0].cached, batch - 1);
    EXPECT_EQ(metrics.subscriptions[0].queued, 19u);
    EXPECT_EQ(metrics.find("test.small")->in_flight, 19u);
  }
}

TYPED_TEST(FabricLifecycleTest, EnableMetrics_ControlsLatencySamplingAndHighWater) {
  for (bool on : {true, false}) {
    auto sys = this->make(this->builder().enable_metrics(on).latency_sample_every(1));
    auto sub = sys.template subscribe<SmallEvent>();
    auto pub = sys.template create_publisher<SmallEvent>(kProducer);
    // One at a time: the plain static format keeps one sample in flight per ring.
    for (uint64_t i = 0; i < 10; ++i) {
      ASSERT_TRUE(pub->publish(small(i), Priority::kHigh));
      sub->poll(100, [](const SmallEvent&) {});
    }
    for (uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(pub->publish(small(i), Priority::kLow));
    const auto m = sys.template metrics_of<SmallEvent>();
    EXPECT_EQ(m.latency[index_of(Priority::kHigh)].count, on ? 10u : 0u);
    EXPECT_EQ(m.ring_high_water, on ? 3u : 0u);
    EXPECT_EQ(m.delivered, 10u);  // basic counters are always on
    if (on) {
      EXPECT_GT(m.latency[index_of(Priority::kHigh)].quantile_upper_ns(0.5), 0u);
    }
  }
}

TYPED_TEST(FabricLifecycleTest, Unsubscribe_DrainsCountsAndStopsRouting) {
  auto sys = this->make(this->builder());
  auto keep = sys.template subscribe<SmallEvent>();
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  {
    auto gone = sys.template subscribe<SmallEvent>();
    for (uint64_t i = 0; i < 5; ++i) ASSERT_EQ(pub->publish(small(i)).value(), 2u);
  }
  EXPECT_EQ(pub->publish(small(5)).value(), 1u);
  const auto m = sys.template metrics_of<SmallEvent>();
  EXPECT_EQ(m.dropped_by(DropReason::kUnsubscribed), 5u);
  EXPECT_EQ(m.pool_in_use, 6u * (this->kImpl == Implementation::kZeroCopy));
  this->expect_invariant(m);
  EXPECT_EQ(keep->poll(100, [](const SmallEvent&) {}), 6u);
}

TYPED_TEST(FabricLifecycleTest, SubscriberAddedWhileRunning_ReceivesFromExistingPublisher) {
  auto sys = this->make(this->builder());
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  (void)pub->publish(small(0));
  auto sub = sys.template subscribe<SmallEvent>();
  ASSERT_EQ(pub->publish(small(1)).value(), 1u);
  auto d = sub->receive();
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ((*d)->seq, 1u);
}

// ---- not typed: per-type behaviour that does not depend on the implementation choice

TEST(FabricTypes, LargeAndNonTrivialTypes_UseTheirPoolEvenOnStaticFastPath) {
  auto sys = TestBuilder{}.implementation(Implementation::kStaticFastPath).build();
  ASSERT_TRUE(sys);
  ASSERT_TRUE(sys->start());
  EXPECT_FALSE(sys->metrics_of<SmallEvent>().zero_copy);
  EXPECT_TRUE(sys->metrics_of<BigEvent>().zero_copy);
  EXPECT_TRUE(sys->metrics_of<StringEvent>().zero_copy);
  const int64_t live_before = StringEvent::live.load();
  {
    auto a = sys->subscribe<StringEvent>();
    auto b = sys->subscribe<StringEvent>();
    auto pub = sys->create_publisher<StringEvent>(kProducer);
    ASSERT_EQ(pub->publish(StringEvent("INVITE sip:bob@example.com SIP/2.0")).value(), 2u);
    EXPECT_EQ(StringEvent::live.load(), live_before + 1);  // one shared copy for two readers
    auto da = a->try_receive();
    auto db = b->try_receive();
    ASSERT_TRUE(da && db);
    EXPECT_EQ(da->get(), db->get());  // same object, zero copy
    EXPECT_EQ((*da)->text, "INVITE sip:bob@example.com SIP/2.0");
  }
  EXPECT_EQ(StringEvent::live.load(), live_before);  // last release destroyed it
  EXPECT_EQ(sys->metrics_of<StringEvent>().pool_in_use, 0u);
}

TEST(FabricTypes, PublishBeforeStart_ReturnsError) {
  auto sys = TestBuilder{}.build();
  ASSERT_TRUE(sys);
  auto pub = sys->create_publisher<SmallEvent>(kProducer);
  auto r = pub->publish(small(1));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("call EventSystem::start() first"), std::string::npos);
  ASSERT_TRUE(sys->start());
  EXPECT_FALSE(sys->start());
}

TEST(FabricTypes, ShardOnUnshardedTypeOrOutOfRange_ReturnsError) {
  auto sys = TestBuilder{}.shard_count(2).build();
  ASSERT_TRUE(sys);
  SubscriptionOptions<BigEvent> o;
  o.shard = 0;
  auto a = sys->subscribe<BigEvent>(std::move(o));
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message().find("shard_key"), std::string::npos);
  SubscriptionOptions<SmallEvent> s;
  s.shard = 2;
  auto b = sys->subscribe<SmallEvent>(std::move(s));
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message().find("shard_count is 2"), std::string::npos);
}

TEST(FabricTypes, PoolExhausted_DropsAndCounts) {
  auto sys = TestBuilder{}.implementation(Implementation::kZeroCopy).pool_size(64).channel_capacity(256).build();
  ASSERT_TRUE(sys);
  ASSERT_TRUE(sys->start());
  auto sub = sys->subscribe<SmallEvent>();
  auto pub = sys->create_publisher<SmallEvent>(kProducer);
  uint64_t ok = 0;
  for (uint64_t i = 0; i < 100; ++i) ok += pub->publish(small(i)).value();
  EXPECT_EQ(ok, 64u);
  const auto m = sys->metrics_of<SmallEvent>();
  EXPECT_EQ(m.dropped_by(DropReason::kPoolExhausted), 36u);
  EXPECT_EQ(m.copies, m.delivered + m.dropped_total() + m.filtered + m.in_flight);
}

}  // namespace
}  // namespace rv::events::test
