// LifecycleManager: dependency order, cycles, parallel start, rollback, timeouts, states.

#include "control/lifecycle/lifecycle.hpp"

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
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

// Records the order of calls across threads.
struct Journal {
  std::mutex mu;
  std::vector<std::string> entries;
  void add(std::string e) {
    std::lock_guard lock(mu);
    entries.push_back(std::move(e));
  }
};

ComponentSpec recorded(Journal& j, std::string name, std::vector<std::string> deps = {}) {
  ComponentSpec c;
  c.name = name;
  c.depends_on = std::move(deps);
  c.init = [&j, name] { j.add("init " + name); return Result<void>{}; };
  c.start = [&j, name] { j.add("start " + name); return Result<void>{}; };
  c.stop = [&j, name] { j.add("stop " + name); return Result<void>{}; };
  return c;
}

TEST(Lifecycle, ComponentsWithoutDependencies_AreAllStartedNoneSkipped) {
  Journal j;
  LifecycleManager lm;
  for (const char* n : {"a", "b", "c"}) ASSERT_TRUE(lm.add(recorded(j, n)));
  ASSERT_TRUE(lm.start());
  EXPECT_EQ(lm.state(), LifecycleState::kLive);
  EXPECT_THAT(lm.start_order(), UnorderedElementsAre("a", "b", "c"));
  ASSERT_TRUE(lm.stop());
  EXPECT_EQ(lm.state(), LifecycleState::kStopped);
}

TEST(Lifecycle, Plan_PutsDependenciesBeforeDependants) {
  Journal j;
  LifecycleManager lm;
  ASSERT_TRUE(lm.add(recorded(j, "lcores", {"dataplane", "report"})));
  ASSERT_TRUE(lm.add(recorded(j, "report", {"dataplane"})));
  ASSERT_TRUE(lm.add(recorded(j, "dataplane")));
  ASSERT_TRUE(lm.add(recorded(j, "tasks")));
  const auto plan = lm.plan();
  ASSERT_TRUE(plan) << plan.error().to_string();
  ASSERT_EQ(plan->size(), 3u);
  EXPECT_THAT((*plan)[0], UnorderedElementsAre("dataplane", "tasks"));
  EXPECT_THAT((*plan)[1], ElementsAre("report"));
  EXPECT_THAT((*plan)[2], ElementsAre("lcores"));
}

TEST(Lifecycle, Cycle_IsRejectedNamingOnlyItsMembers) {
  Journal j;
  LifecycleManager lm;
  ASSERT_TRUE(lm.add(recorded(j, "a", {"c"})));
  ASSERT_TRUE(lm.add(recorded(j, "b", {"a"})));
  ASSERT_TRUE(lm.add(recorded(j, "c", {"b"})));
  ASSERT_TRUE(lm.add(recorded(j, "downstream", {"a"})));
  ASSERT_TRUE(lm.add(recorded(j, "root")));
  const auto r = lm.start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kConfig);
  EXPECT_THAT(r.error().to_string(), HasSubstr("[a, b, c]"));
  EXPECT_THAT(r.error().to_string(), Not(HasSubstr("downstream")));
  EXPECT_THAT(r.error().to_string(), Not(HasSubstr("root")));
  EXPECT_TRUE(j.entries.empty()) << "nothing may run when the graph is rejected";
  EXPECT_EQ(lm.state(), LifecycleState::kStopped);
}

TEST(Lifecycle, DiamondWithSharedDependency_IsNotACycle) {
  Journal j;
  LifecycleManager lm;
  ASSERT_TRUE(lm.add(recorded(j, "top", {"left", "right"})));
  ASSERT_TRUE(lm.add(recorded(j, "left", {"base"})));
  ASSERT_TRUE(lm.add(recorded(j, "right", {"base"})));
  ASSERT_TRUE(lm.add(recorded(j, "base")));
  EXPECT_TRUE(lm.start());
  EXPECT_EQ(lm.start_order().front(), "base");
  EXPECT_EQ(lm.start_order().back(), "top");
}

TEST(Lifecycle, SelfDependencyAndUnknownDependency_AreRejected) {
  Journal j;
  LifecycleManager self;
  ASSERT_TRUE(self.add(recorded(j, "narcissus", {"narcissus"})));
  const auto r = self.plan();
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message(), HasSubstr("[narcissus]"));
  LifecycleManager unknown;
  ASSERT_TRUE(unknown.add(recorded(j, "a", {"ghost"})));
  const auto u = unknown.plan();
  ASSERT_FALSE(u);
  EXPECT_THAT(u.error().message(), HasSubstr("'a' depends on unknown component 'ghost'"));
}

TEST(Lifecycle, DuplicateName_IsRejected) {
  Journal j;
  LifecycleManager lm;
  ASSERT_TRUE(lm.add(recorded(j, "a")));
  EXPECT_FALSE(lm.add(recorded(j, "a")));
}

TEST(Lifecycle, IndependentComponents_StartInParallel) {
  // Each start waits until the other one has begun: only a parallel start lets both see it.
  std::mutex mu;
  std::condition_variable cv;
  int entered = 0;
  std::atomic<int> saw_other{0};
  auto meet = [&]() -> Result<void> {
    std::unique_lock lock(mu);
    ++entered;
    cv.notify_all();
    if (cv.wait_for(lock, 10s, [&] { return entered == 2; })) saw_other.fetch_add(1);
    return {};
  };
  LifecycleManager lm({10s, 30s, 10s});
  ComponentSpec a{.name = "a", .start = meet};
  ComponentSpec b{.name = "b", .start = meet};
  ASSERT_TRUE(lm.add(a));
  ASSERT_TRUE(lm.add(b));
  ASSERT_TRUE(lm.start());
  EXPECT_EQ(saw_other.load(), 2);
}

TEST(Lifecycle, CallerThreadComponent_RunsOnTheDrivingThread) {
  const auto driver = std::this_thread::get_id();
  std::thread::id ran_on;
  LifecycleManager lm;
  ComponentSpec c{.name = "eal", .caller_thread = true};
  c.init = [&]() -> Result<void> { ran_on = std::this_thread::get_id(); return {}; };
  ASSERT_TRUE(lm.add(c));
  ASSERT_TRUE(lm.start());
  EXPECT_EQ(ran_on, driver);
}

TEST(Lifecycle, StartFailure_StopsWhatStartedInReverseOrder) {
  Journal j;
  LifecycleManager lm;
  ASSERT_TRUE(lm.add(recorded(j, "a")));
  ASSERT_TRUE(lm.add(recorded(j, "b", {"a"})));
  auto c = recorded(j, "c", {"b"});
  c.start = [] { return Result<void>(make_error(ErrorCode::kIo, "port in use")); };
  ASSERT_TRUE(lm.add(c));
  ASSERT_TRUE(lm.add(recorded(j, "d", {"c"})));
  const auto r = lm.start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().to_string(), "c: port in use");
  EXPECT_EQ(lm.state(), LifecycleState::kStopped);
  // d and c were initialized only; d is released first, c failed and is not stopped.
  EXPECT_THAT(j.entries, ElementsAre("init a", "init b", "init c", "init d", "start a", "start b",
                                     "stop d", "stop b", "stop a"));
  const auto snap = lm.snapshot();
  EXPECT_EQ(snap[2].state, ComponentState::kFailed);
  EXPECT_THAT(snap[2].health.reason, HasSubstr("port in use"));
}

TEST(Lifecycle, InitFailure_ReleasesWhatInitializedAndStartsNothing) {
  Journal j;
  LifecycleManager lm;
  ASSERT_TRUE(lm.add(recorded(j, "a")));
  auto b = recorded(j, "b", {"a"});
  b.init = [] { return Result<void>(make_error(ErrorCode::kDpdk, "no hugepages")); };
  ASSERT_TRUE(lm.add(b));
  ASSERT_FALSE(lm.start());
  EXPECT_THAT(j.entries, ElementsAre("init a", "stop a"));
}

TEST(Lifecycle, ThrowingStart_IsAnErrorNotACrash) {
  LifecycleManager lm;
  ComponentSpec c{.name = "thrower"};
  c.start = []() -> Result<void> { throw std::runtime_error("boom"); };
  ASSERT_TRUE(lm.add(c));
  const auto r = lm.start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().to_string(), "thrower: boom");
}

TEST(Lifecycle, StartTimeout_FailsNamesTheStragglerAndRollsBack) {
  Journal j;
  std::atomic<bool> release{false};
  LifecycleManager lm({10s, 50ms, 10s});
  ASSERT_TRUE(lm.add(recorded(j, "base")));
  ComponentSpec slow{.name = "slow", .depends_on = {"base"}};
  slow.start = [&]() -> Result<void> {
    while (!release.load()) std::this_thread::sleep_for(1ms);
    return {};
  };
  ASSERT_TRUE(lm.add(slow));
  const auto r = lm.start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kTimeout);
  EXPECT_THAT(r.error().to_string(), HasSubstr("slow: start did not finish within 50 ms"));
  EXPECT_THAT(lm.stragglers(), ElementsAre("slow (start)"));
  EXPECT_THAT(j.entries, ElementsAre("init base", "start base", "stop base"));
  release = true;  // the destructor waits for the straggler
}

TEST(Lifecycle, StopTimeout_IsReportedAndOthersStillStop) {
  Journal j;
  std::atomic<bool> release{false};
  LifecycleManager lm({10s, 10s, 50ms});
  ASSERT_TRUE(lm.add(recorded(j, "base")));
  ComponentSpec hang{.name = "hang", .depends_on = {"base"}};
  hang.stop = [&]() -> Result<void> {
    while (!release.load()) std::this_thread::sleep_for(1ms);
    return {};
  };
  ASSERT_TRUE(lm.add(hang));
  ASSERT_TRUE(lm.start());
  const auto r = lm.stop();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kTimeout);
  EXPECT_THAT(lm.stragglers(), ElementsAre("hang (stop)"));
  EXPECT_THAT(j.entries, ElementsAre("init base", "start base", "stop base"));
  EXPECT_EQ(lm.state(), LifecycleState::kStopped);
  release = true;
}

TEST(Lifecycle, StatesAndHealth_FollowThePhases) {
  std::vector<LifecycleState> seen;
  LifecycleManager* self = nullptr;
  LifecycleManager lm;
  self = &lm;
  ComponentSpec c{.name = "probe", .caller_thread = true};
  c.init = [&]() -> Result<void> { seen.push_back(self->state()); return {}; };
  c.stop = [&]() -> Result<void> { seen.push_back(self->state()); return {}; };
  c.health = [] { return HealthStatus{HealthLevel::kDegraded, "ring 90 % full"}; };
  ASSERT_TRUE(lm.add(c));
  EXPECT_EQ(lm.state(), LifecycleState::kStarting);
  EXPECT_EQ(lm.snapshot()[0].health.level, HealthLevel::kFailed);  // not started
  ASSERT_TRUE(lm.start());
  EXPECT_EQ(lm.state(), LifecycleState::kLive);
  EXPECT_EQ(lm.snapshot()[0].health.reason, "ring 90 % full");
  ASSERT_TRUE(lm.stop());
  EXPECT_THAT(seen, ElementsAre(LifecycleState::kInitializing, LifecycleState::kDraining));
  EXPECT_EQ(lm.snapshot()[0].state, ComponentState::kStopped);
  EXPECT_TRUE(lm.stop()) << "stop is idempotent";
}

}  // namespace
}  // namespace rv::control
