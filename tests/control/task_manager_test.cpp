// TaskManager: tracked tasks with stop tokens; nothing survives shutdown.

#include "control/lifecycle/task_manager.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace rv::control {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

void until_stopped(std::stop_token token) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait(lock, token, [] { return false; });
}

TEST(TaskManager, Shutdown_JoinsEveryTaskAndNoneSurvives) {
  std::atomic<int> alive{0};
  TaskManager tm;
  for (int i = 0; i < 16; ++i) {
    ASSERT_TRUE(tm.spawn("worker" + std::to_string(i), [&](std::stop_token t) {
      alive.fetch_add(1);
      until_stopped(t);
      alive.fetch_sub(1);
    }));
  }
  while (alive.load() < 16) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(tm.running(), 16u);
  const auto outcome = tm.shutdown(10s);
  EXPECT_TRUE(outcome.clean());
  EXPECT_EQ(outcome.joined, 16u);
  EXPECT_EQ(alive.load(), 0);
  EXPECT_EQ(tm.running(), 0u);
  EXPECT_THAT(tm.running_names(), IsEmpty());
}

TEST(TaskManager, SpawnAfterShutdown_IsRefused) {
  TaskManager tm;
  (void)tm.shutdown(1s);
  const auto r = tm.spawn("late", [](std::stop_token) {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kState);
  EXPECT_FALSE(tm.accepting());
}

TEST(TaskManager, TaskIgnoringItsToken_IsNamedByShutdown) {
  std::atomic<bool> release{false};
  TaskManager tm;
  ASSERT_TRUE(tm.spawn("polite", until_stopped));
  ASSERT_TRUE(tm.spawn("stubborn", [&](std::stop_token) {
    while (!release.load()) std::this_thread::sleep_for(1ms);
  }));
  const auto outcome = tm.shutdown(50ms);
  EXPECT_EQ(outcome.joined, 1u);
  EXPECT_THAT(outcome.still_running, ElementsAre("stubborn"));
  EXPECT_THAT(tm.running_names(), ElementsAre("stubborn"));
  release = true;  // the destructor joins it
}

TEST(TaskManager, StopOne_JoinsOnlyThatTask) {
  TaskManager tm;
  const auto a = tm.spawn("a", until_stopped);
  const auto b = tm.spawn("b", until_stopped);
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(tm.stop(*a, 10s));
  EXPECT_THAT(tm.running_names(), ElementsAre("b"));
  EXPECT_TRUE(tm.stop(*a, 10s)) << "an unknown id counts as stopped";
  EXPECT_TRUE(tm.shutdown(10s).clean());
}

TEST(TaskManager, OneShotJob_FinishesAndIsCounted) {
  std::atomic<bool> ran{false};
  TaskManager tm;
  ASSERT_TRUE(tm.spawn("job", [&](std::stop_token) { ran = true; }));
  const auto outcome = tm.shutdown(10s);
  EXPECT_TRUE(ran.load());
  EXPECT_EQ(outcome.joined, 1u);
  EXPECT_EQ(tm.spawned_total(), 1u);
}

TEST(TaskManager, ThrowingTask_DoesNotTakeTheProcessDown) {
  TaskManager tm;
  ASSERT_TRUE(tm.spawn("thrower", [](std::stop_token) { throw std::runtime_error("bad"); }));
  EXPECT_TRUE(tm.shutdown(10s).clean());
}

}  // namespace
}  // namespace rv::control
