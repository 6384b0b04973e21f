// LcoreLog: fixed-size records through an rte_ring (no EAL), token-bucket rate limit per lcore,
// suppressed records counted, drained in order.

#include "control/lcore_log.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "control/logging.hpp"

namespace rv::control {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kHz = 1'000'000'000;  // 1 tick = 1 ns in these tests

std::unique_ptr<LcoreLog> make(uint32_t rate, uint32_t burst, uint32_t capacity = 1024) {
  auto l = LcoreLog::create({capacity, rate, burst, kHz});
  EXPECT_TRUE(l) << l.error().to_string();
  return std::move(*l);
}

TEST(LcoreLog, BurstThenRateLimit_CountsSuppressed) {
  auto log = make(10, 5);
  uint64_t accepted = 0;
  for (int i = 0; i < 20; ++i) accepted += log->log(1, LcoreLogLevel::kWarn, 1000, "tx queue full");
  EXPECT_EQ(accepted, 5u);
  EXPECT_EQ(log->suppressed(), 15u);
  // 0.5 s later at 10/s: 5 tokens again.
  for (int i = 0; i < 20; ++i) accepted += log->log(1, LcoreLogLevel::kWarn, 1000 + kHz / 2, "x");
  EXPECT_EQ(accepted, 10u);
  EXPECT_EQ(log->enqueued(), 10u);
}

TEST(LcoreLog, BucketsArePerLcore) {
  auto log = make(1, 2);
  EXPECT_TRUE(log->log(1, LcoreLogLevel::kInfo, 1, "a"));
  EXPECT_TRUE(log->log(1, LcoreLogLevel::kInfo, 1, "b"));
  EXPECT_FALSE(log->log(1, LcoreLogLevel::kInfo, 1, "c"));
  EXPECT_TRUE(log->log(2, LcoreLogLevel::kInfo, 1, "d")) << "lcore 2 has its own bucket";
}

TEST(LcoreLog, FullRing_NeverBlocksAndCounts) {
  auto log = make(1'000'000, 1'000'000, 8);  // 7 usable slots
  int ok = 0;
  for (int i = 0; i < 10; ++i) ok += log->log(1, LcoreLogLevel::kInfo, 1, "r");
  EXPECT_EQ(ok, 7);
  EXPECT_EQ(log->suppressed(), 3u);
}

TEST(LcoreLog, Drain_DeliversRecordsToTheLcoreLoggerInOrderTruncated) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  auto logger = std::make_shared<spdlog::logger>("lcore", sink);
  spdlog::drop("lcore");
  spdlog::register_logger(logger);
  logger->set_pattern("%l %v");
  auto log = make(1000, 100);
  EXPECT_TRUE(log->logf(4, LcoreLogLevel::kWarn, 1, "tx burst: {} of {} frames dropped", 7, 32));
  EXPECT_TRUE(log->log(5, LcoreLogLevel::kError, 1, std::string(300, 'x')));
  EXPECT_EQ(log->drain(), 2u);
  EXPECT_EQ(log->drained(), 2u);
  EXPECT_THAT(out.str(), HasSubstr("warning lcore 4: tx burst: 7 of 32 frames dropped\n"));
  EXPECT_THAT(out.str(), HasSubstr("error lcore 5: " + std::string(116, 'x') + "\n"));
  spdlog::drop("lcore");
}

TEST(LcoreLog, BadOptions_AreRejected) {
  EXPECT_FALSE(LcoreLog::create({1000, 10, 5, kHz}));  // not a power of two
  EXPECT_FALSE(LcoreLog::create({1024, 10, 5, 0}));
}

}  // namespace
}  // namespace rv::control
