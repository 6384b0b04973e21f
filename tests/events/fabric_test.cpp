// The event fabric under EAL (2 lcores): delivery, priorities, backpressure, filtering,
// sharding, fan-out. Typed tests run unchanged on Implementation::kStaticFastPath and kZeroCopy.
// (Lifecycle, cross-thread and per-option tests: fabric_lifecycle_test.cpp.)

#include <rte_lcore.h>
#include <rte_mempool.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/events/fabric_fixture.hpp"

namespace rv::events::test {
namespace {

[[maybe_unused]] auto* const g_eal = ::testing::AddGlobalTestEnvironment(new EalEnvironment);

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

unsigned mempool_count() {
  unsigned n = 0;
  rte_mempool_walk([](rte_mempool*, void* arg) { ++*static_cast<unsigned*>(arg); }, &n);
  return n;
}

// A pool type costs no memory until someone consumes it (a mempool is written in full when it
// is created); a publisher made before its first subscriber then delivers through the new pool.
TYPED_TEST(FabricTest, PoolType_HasNoMempoolUntilSubscribed_ThenLatePublisherDelivers) {
  const unsigned before = mempool_count();
  auto sys = this->make(this->builder());
  auto pub = sys.template create_publisher<BigEvent>(kProducer);
  EXPECT_EQ(pub->publish(BigEvent{1, {}}).value(), 0u);
  EXPECT_EQ(mempool_count(), before) << "a type without subscribers has no mempool";
  auto sub = sys.template subscribe<BigEvent>();
  ASSERT_TRUE(sub);
  EXPECT_EQ(mempool_count(), before + 1);
  auto other = sys.template subscribe<BigEvent>();
  ASSERT_TRUE(other);
  EXPECT_EQ(mempool_count(), before + 1) << "one mempool per type";
  EXPECT_EQ(pub->publish(BigEvent{2, {}}).value(), 2u);
  EXPECT_EQ(sys.template metrics_of<BigEvent>().pool_in_use, 1u);  // shared by both
  uint64_t seq = 0;
  EXPECT_EQ(sub->poll(10, [&](const BigEvent& e) { seq = e.seq; }), 1u);
  EXPECT_EQ(seq, 2u);
  EXPECT_EQ(other->poll(10, [](const BigEvent&) {}), 1u);
  const auto m = sys.template metrics_of<BigEvent>();
  EXPECT_EQ(m.pool_in_use, 0u);
  EXPECT_EQ(m.filtered, 1u);
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

}  // namespace
}  // namespace rv::events::test
