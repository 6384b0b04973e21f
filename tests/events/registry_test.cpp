// Compile-time registry, traits, options validation, stamps and histograms: no EAL needed.

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "events/detail/slot.hpp"
#include "events/event_registry.hpp"
#include "events/metrics.hpp"
#include "events/options.hpp"
#include "tests/events/test_events.hpp"

namespace rv::events::test {
namespace {

// Compile-time facts (a failure here is a build failure).
static_assert(TestEvents::kSize == 6);
static_assert(DiscardHookEvent<OwningEvent>);
static_assert(!DiscardHookEvent<SmallEvent>);
static_assert(TestEvents::contains<SmallEvent>);
static_assert(!TestEvents::contains<int>);
static_assert(TestEvents::index_of<WaitEvent> == 2);
static_assert(TestEvents::kNames[0] == "test.small");
static_assert(TestEvents::kIds[4] == 5);
static_assert(StaticEvent<SmallEvent>);
static_assert(!StaticEvent<BigEvent>);     // > 128 bytes
static_assert(!StaticEvent<StringEvent>);  // not trivially copyable
static_assert(uses_fast_path<SmallEvent>());
static_assert(!uses_fast_path<BigEvent>());
static_assert(ShardedEvent<SmallEvent>);
static_assert(!ShardedEvent<BigEvent>);
static_assert(backpressure_of<SpillEvent>() == Backpressure::kSpill);
static_assert(backpressure_of<SmallEvent>() == Backpressure::kDropNewest);
static_assert(!detail::types_unique<SmallEvent, BigEvent, SmallEvent>());
static_assert(detail::types_unique<SmallEvent, BigEvent>());
static_assert(sizeof(detail::Slot<SmallEvent>) == 72);

TEST(EventRegistry, NamesAndIdsAreStableAndUnique) {
  std::set<std::string_view> names(TestEvents::kNames.begin(), TestEvents::kNames.end());
  std::set<uint16_t> ids(TestEvents::kIds.begin(), TestEvents::kIds.end());
  EXPECT_EQ(names.size(), TestEvents::kSize);
  EXPECT_EQ(ids.size(), TestEvents::kSize);
  std::vector<std::string_view> visited;
  TestEvents::for_each([&]<typename E>() { visited.push_back(EventTraits<E>::kName); });
  EXPECT_EQ(visited.size(), 6u);
  EXPECT_EQ(visited[3], "test.big");
}

TEST(ShardOf, IsDeterministicAndSpreadsSequentialKeys) {
  std::array<int, 4> hits{};
  for (uint64_t k = 0; k < 4000; ++k) {
    const uint32_t s = shard_of(k, 4);
    ASSERT_LT(s, 4u);
    EXPECT_EQ(s, shard_of(k, 4));
    ++hits[s];
  }
  for (int h : hits) EXPECT_NEAR(h, 1000, 150);
  EXPECT_EQ(shard_of(12345, 1), 0u);
}

TEST(FabricOptions, DefaultsAreValid) { EXPECT_TRUE(FabricOptions{}.validate().has_value()); }

TEST(FabricOptions, CapacityZeroOrNotPowerOfTwo_ErrorSaysWhatToUse) {
  FabricOptions o;
  o.channel_capacity = 0;
  auto r = o.validate();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("power of two"), std::string::npos);
  o.channel_capacity = 1000;
  r = o.validate();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("e.g. 1024"), std::string::npos) << r.error().message();
}

TEST(FabricOptions, BatchLargerThanCapacity_ErrorSaysWhatToChange) {
  FabricOptions o;
  o.channel_capacity = 16;
  o.batch_size = 32;
  auto r = o.validate();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("lower batch_size or raise channel_capacity"),
            std::string::npos);
  o.batch_size = 0;
  EXPECT_FALSE(o.validate());
}

TEST(FabricOptions, ShardCountZeroAndBadSampling_Rejected) {
  FabricOptions o;
  o.shard_count = 0;
  EXPECT_FALSE(o.validate());
  o = {};
  o.latency_sample_every = 3;
  EXPECT_FALSE(o.validate());
  o = {};
  o.overflow_capacity = 100;
  EXPECT_FALSE(o.validate());
}

TEST(EventSystemBuilder, InvalidOptions_FailBeforeTouchingDpdk) {
  auto r = TestBuilder{}.channel_capacity(0).build();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().to_string().find("EventSystemBuilder::build: channel_capacity is 0"),
            std::string::npos)
      << r.error().to_string();
  auto big = TestBuilder{}.channel_capacity(std::size_t{1} << 40).build();
  EXPECT_FALSE(big);
  auto batch = TestBuilder{}.channel_capacity(64).batch_size(128).build();
  EXPECT_FALSE(batch);
}

TEST(Stamp, CarriesPriorityAndSampledTsc) {
  const uint64_t s = detail::make_stamp(Priority::kLow, 1000);
  EXPECT_EQ(detail::stamp_priority(s), Priority::kLow);
  EXPECT_TRUE(detail::stamp_sampled(s));
  EXPECT_EQ(detail::stamp_age_cycles(s, 1250), 250u);
  const uint64_t u = detail::make_stamp(Priority::kCritical);
  EXPECT_FALSE(detail::stamp_sampled(u));
  EXPECT_EQ(detail::stamp_priority(u), Priority::kCritical);
}

TEST(LatencyHistogram, QuantilesComeFromLog2Buckets) {
  LatencyCounters c;
  for (int i = 0; i < 99; ++i) c.record(100);  // bucket [64,128)
  c.record(5000);                              // bucket [4096, 8192)
  LatencySnapshot s;
  s.count = c.count.get();
  s.max_ns = c.max_ns.get();
  for (std::size_t b = 0; b < kLatencyBuckets; ++b) s.buckets[b] = c.buckets[b].get();
  EXPECT_EQ(s.quantile_upper_ns(0.5), 128u);
  EXPECT_EQ(s.quantile_upper_ns(1.0), 5000u);
  EXPECT_EQ(LatencySnapshot{}.quantile_upper_ns(0.99), 0u);
}

TEST(Names, ToStringCoversEveryValue) {
  EXPECT_EQ(to_string(Priority::kCritical), "critical");
  EXPECT_EQ(to_string(DropReason::kOverflowExhausted), "overflow_exhausted");
  EXPECT_EQ(to_string(Backpressure::kBoundedWait), "bounded_wait");
  EXPECT_EQ(to_string(Affinity::kSessionBound), "session_bound");
}

}  // namespace
}  // namespace rv::events::test
