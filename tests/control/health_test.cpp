// evaluate_health: stalled lcores fail, full rings and high drop rates degrade, with numbers.

#include "control/health.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rv::control {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

TEST(Health, AllWithinThresholds_IsOk) {
  HealthInputs in;
  in.lcores = {{1, 5ms}, {2, 10ms}};
  in.rings = {{"shard0", 100, 4096}};
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
  in.rings = {{"shard1", 3900, 4096}, {"media0", 3000, 4096}};
  const auto e = evaluate_health(in, {.ring_usage = 0.8});
  EXPECT_EQ(e.status, HealthLevel::kDegraded);
  EXPECT_EQ(e.summary(), "ring shard1 95.2 % full (3900 of 4096 slots; limit 80.0 %)");
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
  in.rings = {{"shard0", 4000, 4096}};
  const auto e = evaluate_health(in, {});
  EXPECT_EQ(e.status, HealthLevel::kFailed);
  EXPECT_THAT(e.summary(), HasSubstr("; ring shard0"));
}

}  // namespace
}  // namespace rv::control
