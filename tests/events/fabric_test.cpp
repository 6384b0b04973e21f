// The event fabric end to end, under EAL (2 lcores). Typed tests run unchanged on
// Implementation::kStaticFastPath and kZeroCopy.

#include <rte_lcore.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/events/test_events.hpp"

namespace rv::events::test {
namespace {

[[maybe_unused]] auto* const g_eal = ::testing::AddGlobalTestEnvironment(new EalEnvironment);

constexpr ProducerId kProducer = ProducerId::lcore(1);  // publishers used on the worker lcore
constexpr uint32_t kMain = 0;

template <typename T>
class FabricTest : public ::testing::Test {
 protected:
  static constexpr Implementation kImpl = T::value;
  TestBuilder builder() {
    TestBuilder b;
    b.implementation(kImpl).channel_capacity(64).batch_size(8).pool_size(4095);
    return b;
  }
  TestSystem make(TestBuilder b) {
    auto sys = b.build();
    EXPECT_TRUE(sys.has_value()) << (sys ? "" : sys.error().to_string());
    EXPECT_TRUE(sys->start().has_value());
    return std::move(*sys);
  }
  // Accounting invariant for one type: copies = delivered + dropped + filtered + in_flight.
  static void expect_invariant(const EventTypeMetrics& m) {
    EXPECT_EQ(m.copies, m.delivered + m.dropped_total() + m.filtered + m.in_flight)
        << m.name << ": published=" << m.published << " delivered=" << m.delivered
        << " dropped=" << m.dropped_total() << " filtered=" << m.filtered
        << " in_flight=" << m.in_flight;
  }
};

using Impls = ::testing::Types<std::integral_constant<Implementation, Implementation::kStaticFastPath>,
                               std::integral_constant<Implementation, Implementation::kZeroCopy>>;
class ImplNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return T::value == Implementation::kStaticFastPath ? "StaticFastPath" : "ZeroCopy";
  }
};
TYPED_TEST_SUITE(FabricTest, Impls, ImplNames);

TYPED_TEST(FabricTest, PublishThenTryReceive_DeliversSameEvent) {
  auto sys = this->make(this->builder());
  auto sub = sys.template subscribe<SmallEvent>();
  ASSERT_TRUE(sub);
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  ASSERT_TRUE(pub);
  ASSERT_EQ(pub->publish(small(42, 7)).value(), 1u);
  auto d = sub->try_receive();
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ((*d)->seq, 42u);
  EXPECT_EQ((*d)->key, 7u);
  EXPECT_EQ(d->priority(), Priority::kNormal);
  EXPECT_EQ(d->shared(), this->kImpl == Implementation::kZeroCopy);
  EXPECT_FALSE(sub->try_receive().has_value());
  const auto m = sys.template metrics_of<SmallEvent>();
  EXPECT_EQ(m.published, 1u);
  EXPECT_EQ(m.delivered, 1u);
  EXPECT_EQ(m.zero_copy, this->kImpl == Implementation::kZeroCopy);
  this->expect_invariant(m);
}

TYPED_TEST(FabricTest, ReceiveTimeout_NothingQueued_ReturnsTimeoutError) {
  auto sys = this->make(this->builder());
  auto sub = sys.template subscribe<SmallEvent>();
  auto r = sub->receive_timeout(std::chrono::milliseconds(5));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kTimeout);
}

TYPED_TEST(FabricTest, PublishBatchThenPoll_ReportsHowManyHandled) {
  auto sys = this->make(this->builder());
  auto sub = sys.template subscribe<SmallEvent>();
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  std::vector<SmallEvent> batch;
  for (uint64_t i = 0; i < 50; ++i) batch.push_back(small(i));
  ASSERT_EQ(pub->publish_batch(batch).value(), 50u);
  std::vector<uint64_t> seen;
  auto h = [&](const SmallEvent& e) { seen.push_back(e.seq); };
  EXPECT_EQ(sub->poll(32, h), 32u);
  EXPECT_EQ(sub->poll(32, h), 18u);
  EXPECT_EQ(sub->poll(32, h), 0u);
  ASSERT_EQ(seen.size(), 50u);
  for (uint64_t i = 0; i < 50; ++i) EXPECT_EQ(seen[i], i);
  this->expect_invariant(sys.template metrics_of<SmallEvent>());
}

TYPED_TEST(FabricTest, Priorities_DrainCriticalHighNormalLowInOrder) {
  auto sys = this->make(this->builder());
  auto sub = sys.template subscribe<SmallEvent>();
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  // Published lowest first: delivery order must be by class, not arrival.
  for (auto p : {Priority::kLow, Priority::kNormal, Priority::kHigh, Priority::kCritical}) {
    for (uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(pub->publish(small(index_of(p) * 10 + i), p));
  }
  std::vector<Priority> order;
  std::vector<uint64_t> seqs;
  sub->poll(100, [&](const SmallEvent& e, Priority p) {
    order.push_back(p);
    seqs.push_back(e.seq);
  });
  ASSERT_EQ(order.size(), 12u);
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  EXPECT_EQ(seqs.front(), 0u);   // critical #0
  EXPECT_EQ(seqs.back(), 32u);   // low #2
}

TYPED_TEST(FabricTest, LowPriority_NotStarvedUnderCriticalBacklog) {
  auto sys = this->make(this->builder().channel_capacity(1024));
  auto sub = sys.template subscribe<SmallEvent>();
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  for (uint64_t i = 0; i < 1000; ++i) ASSERT_TRUE(pub->publish(small(i), Priority::kCritical));
  for (uint64_t i = 0; i < 4; ++i) ASSERT_TRUE(pub->publish(small(5000 + i), Priority::kLow));
  uint64_t critical_before_low = 0;
  bool low_seen = false;
  // Small polls, as an lcore loop does: Low must come through long before Critical runs dry.
  for (int round = 0; round < 200 && !low_seen; ++round) {
    sub->poll(8, [&](const SmallEvent&, Priority p) {
      if (p == Priority::kLow) low_seen = true;
      if (!low_seen && p == Priority::kCritical) ++critical_before_low;
    });
  }
  EXPECT_TRUE(low_seen);
  EXPECT_LT(critical_before_low, 1000u);
  // Weights 8:4:2:1 x batch(8): Low is served after at most 64 Critical in a round.
  EXPECT_LE(critical_before_low, 64u);
}

TYPED_TEST(FabricTest, CrossLcore_CriticalNotDroppedWhileNormalSaturates) {
  // Ring + overflow hold more Critical events than are published, so the outcome does not
  // depend on how often this shared machine lets the consumer run: Normal overflows and is
  // dropped (counted), Critical spills and is delivered, every one, in order.
  auto sys = this->make(this->builder().channel_capacity(128).batch_size(32).overflow_capacity(512));
  auto sub = sys.template subscribe<SmallEvent>(SubscriptionOptions<SmallEvent>{.consumer_lcore = kMain});
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  std::atomic<bool> done{false};
  constexpr uint64_t kCritical = 600;
  OnWorker producer([&] {
    std::array<SmallEvent, 32> batch{};
    for (uint64_t i = 0; i < kCritical; ++i) {
      for (int k = 0; k < 16; ++k) (void)pub->publish_batch(batch, Priority::kNormal);
      (void)pub->publish(small(i), Priority::kCritical);
    }
    done.store(true);
  });
  std::vector<uint64_t> critical;
  auto h = [&](const SmallEvent& e, Priority p) {
    if (p == Priority::kCritical) critical.push_back(e.seq);
  };
  while (!done.load()) sub->poll(32, h);
  producer.join();
  while (sub->poll(32, h) != 0) {
  }
  const auto m = sys.template metrics_of<SmallEvent>();
  EXPECT_GT(m.dropped_by(DropReason::kRingFull), 0u);  // Normal really saturated the ring
  EXPECT_EQ(m.dropped_by(DropReason::kOverflowExhausted), 0u);
  ASSERT_EQ(critical.size(), kCritical);
  for (uint64_t i = 0; i < kCritical; ++i) EXPECT_EQ(critical[i], i);
  this->expect_invariant(m);
}

TYPED_TEST(FabricTest, RingFull_DropsNewestAndCountsAndReportsLaggingSubscriber) {
  auto sys = this->make(this->builder().channel_capacity(8));
  auto sub = sys.template subscribe<SmallEvent>(SubscriptionOptions<SmallEvent>{.id = "slow"});
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  uint32_t accepted = 0;
  for (uint64_t i = 0; i < 20; ++i) accepted += pub->publish(small(i)).value();
  EXPECT_EQ(accepted, 8u);
  auto metrics = sys.metrics();
  const auto* m = metrics.find("test.small");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->dropped_by(DropReason::kRingFull), 12u);
  EXPECT_EQ(m->in_flight, 8u);
  EXPECT_EQ(m->ring_high_water, 8u);
  this->expect_invariant(*m);
  ASSERT_EQ(metrics.subscriptions.size(), 1u);
  EXPECT_EQ(metrics.subscriptions[0].id, "slow");
  EXPECT_EQ(metrics.subscriptions[0].dropped_ring_full, 12u);
  EXPECT_TRUE(metrics.subscriptions[0].lagging);
  EXPECT_FALSE(metrics.healthy());
  ASSERT_EQ(metrics.problems().size(), 1u);
  EXPECT_NE(metrics.problems()[0].find("subscription 'slow' (test.small, lcore"), std::string::npos)
      << metrics.problems()[0];
  // Drop-newest: the oldest 8 are kept.
  std::vector<uint64_t> seqs;
  sub->poll(100, [&](const SmallEvent& e) { seqs.push_back(e.seq); });
  ASSERT_EQ(seqs.size(), 8u);
  EXPECT_EQ(seqs.back(), 7u);
}

TYPED_TEST(FabricTest, CriticalOnFullRing_SpillsToOverflowAndKeepsOrder) {
  auto sys = this->make(this->builder().channel_capacity(8).overflow_capacity(32));
  auto sub = sys.template subscribe<SmallEvent>();
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  for (uint64_t i = 0; i < 30; ++i) {
    ASSERT_EQ(pub->publish(small(i), Priority::kCritical).value(), 1u) << i;
  }
  std::vector<uint64_t> seqs;
  // Interleave more publishes with partial polls: order must hold across ring and overflow.
  sub->poll(5, [&](const SmallEvent& e) { seqs.push_back(e.seq); });
  for (uint64_t i = 30; i < 35; ++i) ASSERT_TRUE(pub->publish(small(i), Priority::kCritical));
  while (sub->poll(4, [&](const SmallEvent& e) { seqs.push_back(e.seq); }) != 0) {
  }
  ASSERT_EQ(seqs.size(), 35u);
  for (uint64_t i = 0; i < 35; ++i) EXPECT_EQ(seqs[i], i);
  const auto m = sys.template metrics_of<SmallEvent>();
  EXPECT_EQ(m.dropped_total(), 0u);
  this->expect_invariant(m);
}

TYPED_TEST(FabricTest, OverflowExhausted_CountedAsHealthFailure) {
  auto sys = this->make(this->builder().channel_capacity(8).overflow_capacity(4));
  auto sub = sys.template subscribe<SmallEvent>();
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  for (uint64_t i = 0; i < 20; ++i) (void)pub->publish(small(i), Priority::kCritical);
  const auto metrics = sys.metrics();
  const auto* m = metrics.find("test.small");
  EXPECT_EQ(m->dropped_by(DropReason::kOverflowExhausted), 8u);
  EXPECT_EQ(metrics.overflow_exhausted_total, 8u);
  EXPECT_FALSE(metrics.healthy());
  ASSERT_FALSE(metrics.problems().empty());
  EXPECT_NE(metrics.problems()[0].find("8 events lost"), std::string::npos);
  this->expect_invariant(*m);
}

TYPED_TEST(FabricTest, SpillPolicyType_SpillsInsteadOfDropping) {
  auto sys = this->make(this->builder().channel_capacity(8).overflow_capacity(16));
  auto sub = sys.template subscribe<SpillEvent>();
  auto pub = sys.template create_publisher<SpillEvent>(kProducer);
  for (uint64_t i = 0; i < 24; ++i) ASSERT_EQ(pub->publish(SpillEvent{i}).value(), 1u);
  std::vector<uint64_t> seqs;
  while (sub->poll(8, [&](const SpillEvent& e) { seqs.push_back(e.seq); }) != 0) {
  }
  ASSERT_EQ(seqs.size(), 24u);
  EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()));
}

TYPED_TEST(FabricTest, Filter_RejectsBeforeEnqueueAndCountsFiltered) {
  auto sys = this->make(this->builder());
  auto even = sys.template subscribe<SmallEvent>([](const SmallEvent& e) { return e.seq % 2 == 0; });
  ASSERT_TRUE(even);
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  for (uint64_t i = 0; i < 10; ++i) (void)pub->publish(small(i));
  auto m = sys.template metrics_of<SmallEvent>();
  EXPECT_EQ(m.filtered, 5u);
  EXPECT_EQ(m.in_flight, 5u);  // rejected events never reached the ring
  uint64_t n = even->poll(100, [](const SmallEvent& e) { EXPECT_EQ(e.seq % 2, 0u); });
  EXPECT_EQ(n, 5u);
  this->expect_invariant(sys.template metrics_of<SmallEvent>());
}

TYPED_TEST(FabricTest, NoSubscriber_EventIsFilteredNotEnqueued) {
  auto sys = this->make(this->builder());
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  EXPECT_EQ(pub->publish(small(1)).value(), 0u);
  const auto m = sys.template metrics_of<SmallEvent>();
  EXPECT_EQ(m.published, 1u);
  EXPECT_EQ(m.filtered, 1u);
  EXPECT_EQ(m.pool_in_use, 0u);
  this->expect_invariant(m);
}

TYPED_TEST(FabricTest, ShardCount_RoutesEachKeyToItsShardSubscriberOnly) {
  constexpr uint32_t kShards = 4;
  auto sys = this->make(this->builder().shard_count(kShards).channel_capacity(256));
  std::vector<Subscriber<SmallEvent>> subs;
  for (uint32_t s = 0; s < kShards; ++s) {
    SubscriptionOptions<SmallEvent> o;
    o.shard = s;
    auto sub = sys.template subscribe<SmallEvent>(std::move(o));
    ASSERT_TRUE(sub);
    subs.push_back(std::move(*sub));
  }
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  for (uint32_t k = 0; k < 100; ++k) ASSERT_EQ(pub->publish(small(k, k)).value(), 1u);
  uint64_t total = 0;
  for (uint32_t s = 0; s < kShards; ++s) {
    total += subs[s].poll(1000, [&](const SmallEvent& e) { EXPECT_EQ(shard_of(e.key, kShards), s); });
  }
  EXPECT_EQ(total, 100u);
  const auto m = sys.template metrics_of<SmallEvent>();
  EXPECT_EQ(m.copies, 400u);    // 4 candidates per event
  EXPECT_EQ(m.filtered, 300u);  // 3 of them not the owner
  this->expect_invariant(m);
}

TYPED_TEST(FabricTest, FanOut_EverySubscriberGetsEveryEvent) {
  auto sys = this->make(this->builder().channel_capacity(128));
  std::vector<Subscriber<SmallEvent>> subs;
  for (int s = 0; s < 4; ++s) subs.push_back(std::move(*sys.template subscribe<SmallEvent>()));
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  for (uint64_t i = 0; i < 100; ++i) ASSERT_EQ(pub->publish(small(i)).value(), 4u);
  if (this->kImpl == Implementation::kZeroCopy) {
    EXPECT_EQ(sys.template metrics_of<SmallEvent>().pool_in_use, 100u);  // shared, not copied
  }
  for (auto& s : subs) EXPECT_EQ(s.poll(1000, [](const SmallEvent&) {}), 100u);
  const auto m = sys.template metrics_of<SmallEvent>();
  EXPECT_EQ(m.published, 100u);
  EXPECT_EQ(m.delivered, 400u);
  EXPECT_EQ(m.pool_in_use, 0u);  // the last reader returned every object
  this->expect_invariant(m);
}

TYPED_TEST(FabricTest, CrossLcore_AccountingInvariantHolds) {
  auto sys = this->make(this->builder().channel_capacity(256).latency_sample_every(16));
  auto sub = sys.template subscribe<SmallEvent>(SubscriptionOptions<SmallEvent>{.consumer_lcore = kMain});
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  constexpr uint64_t kEvents = 200000;
  std::atomic<bool> done{false};
  uint64_t accepted = 0;
  OnWorker producer([&] {
    for (uint64_t i = 0; i < kEvents; ++i) {
      const auto p = static_cast<Priority>(i % kPriorityCount);
      accepted += pub->publish(small(i), p).value();
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
  while (!done.load() || received < accepted / 2) {
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

TYPED_TEST(FabricTest, Shutdown_DrainsCountsAndLeaksNoPoolObject) {
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

TYPED_TEST(FabricTest, DiscardHook_CalledForEveryCopyDrainedWithoutDelivery) {
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

TYPED_TEST(FabricTest, PublishAfterShutdown_ReturnsErrorSayingWhatToDo) {
  auto sys = this->make(this->builder());
  auto pub = sys.template create_publisher<SmallEvent>(kProducer);
  ASSERT_TRUE(sys.shutdown());
  auto r = pub->publish(small(1));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kState);
  EXPECT_NE(r.error().message().find("after shutdown()"), std::string::npos);
  auto s = sys.template subscribe<SmallEvent>();
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message().find("build a new EventSystem"), std::string::npos);
  EXPECT_FALSE(sys.start().has_value());
}

TYPED_TEST(FabricTest, SubscribeTwiceWithSameId_ReturnsError) {
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

TYPED_TEST(FabricTest, ProducerOwnsShard_DispatchesInlineWithoutRing) {
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

TYPED_TEST(FabricTest, ControlThreads_ShareMpRingWithoutLoss) {
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

TYPED_TEST(FabricTest, BoundedWait_ControlProducerWaitsLcoreProducerDrops) {
  auto sys = this->make(this->builder().channel_capacity(8).control_wait(std::chrono::microseconds(200000)));
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

TYPED_TEST(FabricTest, EnablePriorityFalse_DeliversInArrivalOrder) {
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

TYPED_TEST(FabricTest, BatchSize_SetsTheDequeueBurst) {
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

TYPED_TEST(FabricTest, EnableMetrics_ControlsLatencySamplingAndHighWater) {
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

TYPED_TEST(FabricTest, Unsubscribe_DrainsCountsAndStopsRouting) {
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

TYPED_TEST(FabricTest, SubscriberAddedWhileRunning_ReceivesFromExistingPublisher) {
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
