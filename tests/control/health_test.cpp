// evaluate_health: stalled lcores fail, full rings and high drop rates degrade, with numbers.

#include "control/health/health.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rv::control {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

TEST(Health, AllWithinThresholds_IsOk) {
  HealthInputs in;
  in.lcores = {{1, 5ms}, {2, 10ms}};
  in.rings = {{"shard0", 100, 4096, 10, 0}};
  in.traffic = {10'000, 10, 250ms};
  const auto e = evaluate_health(in, {});
  EXPECT_EQ(e.status, HealthLevel::kOk);
  EXPECT_EQ(e.checks.size(), 4u);
  EXPECT_EQ(e.summary(), "");
}

TEST(Health, StalledLcore_FailsNamingItAndTheSilence) {
  HealthInputs in;
  in.lcores = {{1, 5ms}, {3, 1500ms}};
  const auto e = evaluate_health(in, {.heartbeat_timeout = 1000ms});
  EXPECT_EQ(e.status, HealthLevel::kFailed);
  EXPECT_EQ(e.summary(), "lcore 3 stalled: no heartbeat for 1500 ms (limit 1000 ms)");
}

TEST(Health, RingOverUsageThreshold_DegradesWithFillNumbers) {
  HealthInputs in;
  in.rings = {{"shard1", 3900, 4096, 10, 0}, {"media0", 3000, 4096, 10, 0}};
  const auto e = evaluate_health(in, {.ring_usage = 0.8});
  EXPECT_EQ(e.status, HealthLevel::kDegraded);
  EXPECT_EQ(e.summary(), "ring shard1 95.2 % full (3900 of 4096 slots; limit 80.0 %)");
}

TEST(Health, ConsumerNotDraining_DegradesNamingTheSubscription) {
  HealthInputs in;
  in.rings = {{"report<-signaling.call", 12, 4096, 0, 0}, {"cdr<-signaling.call", 0, 4096, 0, 0}};
  in.traffic.length = 500ms;
  const auto e = evaluate_health(in, {});
  EXPECT_EQ(e.status, HealthLevel::kDegraded);
  EXPECT_EQ(e.summary(), "consumer report<-signaling.call not draining: 12 events waiting, none delivered in 500 ms");
}

TEST(Health, ConsumerDroppingCopies_DegradesWithTheCounts) {
  HealthInputs in;
  in.rings = {{"output", 100, 4096, 900, 37}};
  in.traffic.length = 250ms;
  const auto e = evaluate_health(in, {});
  EXPECT_EQ(e.status, HealthLevel::kDegraded);
  EXPECT_EQ(e.summary(), "consumer output not keeping up: 37 events dropped, 900 delivered, 100 waiting in 250 ms");
}

TEST(Health, DrainingConsumer_IsOk) {
  HealthInputs in;
  in.rings = {{"output", 100, 4096, 900, 0}};
  EXPECT_EQ(evaluate_health(in, {}).status, HealthLevel::kOk);
}

TEST(Health, LostCriticalEvents_Fail) {
  HealthInputs in;
  in.critical_lost = 3;
  const auto e = evaluate_health(in, {});
  EXPECT_EQ(e.status, HealthLevel::kFailed);
  EXPECT_EQ(e.summary(), "3 Critical events lost (overflow exhausted)");
}

TEST(Health, DropRateOverThreshold_DegradesWithCounts) {
  HealthInputs in;
  in.traffic = {1000, 71, 250ms};
  const auto e = evaluate_health(in, {.drop_rate = 0.05});
  EXPECT_EQ(e.status, HealthLevel::kDegraded);
  EXPECT_THAT(e.summary(), HasSubstr("drop rate 7.10 % (71 of 1000 packets in 250 ms; limit 5.00 %)"));
}

TEST(Health, TooFewPacketsInWindow_GivesNoDropVerdict) {
  HealthInputs in;
  in.traffic = {10, 10, 250ms};
  const auto e = evaluate_health(in, {});
  EXPECT_EQ(e.status, HealthLevel::kOk);
  EXPECT_TRUE(e.checks.empty());
}

TEST(Health, WorstCheckWins) {
  HealthInputs in;
  in.lcores = {{1, 2000ms}};
  in.rings = {{"shard0", 4000, 4096, 10, 0}};
  const auto e = evaluate_health(in, {});
  EXPECT_EQ(e.status, HealthLevel::kFailed);
  EXPECT_THAT(e.summary(), HasSubstr("; ring shard0"));
}

}  // namespace
}  // namespace rv::control
