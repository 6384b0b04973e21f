#pragma once
// Event types, registry and EAL helpers shared by the events/ tests.

#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "events/events.hpp"

namespace rv::events::test {

// 64 bytes, static-path eligible, sharded by key.
struct SmallEvent {
  uint64_t seq;
  uint32_t producer;
  uint32_t key;
  std::array<uint8_t, 48> pad;
};
static_assert(sizeof(SmallEvent) == 64);

struct SpillEvent {  // every instance spills instead of dropping
  uint64_t seq;
};
struct WaitEvent {  // control producers wait (bounded), lcores drop
  uint64_t seq;
};
struct BigEvent {  // 512 bytes: never on the static path
  uint64_t seq;
  std::array<uint8_t, 504> body;
};
struct StringEvent {  // not trivially copyable: zero copy only, destructor must run
  std::string text;
  static inline std::atomic<int64_t> live{0};
  explicit StringEvent(std::string t) : text(std::move(t)) { live.fetch_add(1); }
  StringEvent(const StringEvent& o) noexcept : text(o.text) { live.fetch_add(1); }
  ~StringEvent() { live.fetch_sub(1); }
};

struct OwningEvent {  // stands for an event holding an mbuf reference
  uint64_t handle;
  static inline std::atomic<uint64_t> discarded{0};
};

}  // namespace rv::events::test

namespace rv::events {
template <>
struct EventTraits<test::OwningEvent> {
  static constexpr std::string_view kName = "test.owning";
  static constexpr uint16_t kId = 6;
  static constexpr Priority kDefaultPriority = Priority::kNormal;
  static constexpr Affinity kAffinity = Affinity::kIntraPlane;
  static void on_discard(const test::OwningEvent& e) noexcept {
    test::OwningEvent::discarded.fetch_add(e.handle);
  }
};
template <>
struct EventTraits<test::SmallEvent> {
  static constexpr std::string_view kName = "test.small";
  static constexpr uint16_t kId = 1;
  static constexpr Priority kDefaultPriority = Priority::kNormal;
  static constexpr Affinity kAffinity = Affinity::kSessionBound;
  static constexpr bool kFastPath = true;
  static uint64_t shard_key(const test::SmallEvent& e) noexcept { return e.key; }
};
template <>
struct EventTraits<test::SpillEvent> {
  static constexpr std::string_view kName = "test.spill";
  static constexpr uint16_t kId = 2;
  static constexpr Priority kDefaultPriority = Priority::kHigh;
  static constexpr Affinity kAffinity = Affinity::kInterPlane;
  static constexpr Backpressure kBackpressure = Backpressure::kSpill;
};
template <>
struct EventTraits<test::WaitEvent> {
  static constexpr std::string_view kName = "test.wait";
  static constexpr uint16_t kId = 3;
  static constexpr Priority kDefaultPriority = Priority::kLow;
  static constexpr Affinity kAffinity = Affinity::kBatchable;
  static constexpr Backpressure kBackpressure = Backpressure::kBoundedWait;
};
template <>
struct EventTraits<test::BigEvent> {
  static constexpr std::string_view kName = "test.big";
  static constexpr uint16_t kId = 4;
  static constexpr Priority kDefaultPriority = Priority::kNormal;
  static constexpr Affinity kAffinity = Affinity::kGlobalBroadcast;
};
template <>
struct EventTraits<test::StringEvent> {
  static constexpr std::string_view kName = "test.string";
  static constexpr uint16_t kId = 5;
  static constexpr Priority kDefaultPriority = Priority::kNormal;
  static constexpr Affinity kAffinity = Affinity::kIntraPlane;
};
}  // namespace rv::events

namespace rv::events::test {

using TestEvents =
    EventRegistry<SmallEvent, SpillEvent, WaitEvent, BigEvent, StringEvent, OwningEvent>;
using TestSystem = EventSystem<TestEvents>;
using TestBuilder = EventSystemBuilder<TestEvents>;

inline SmallEvent small(uint64_t seq, uint32_t key = 0) {
  SmallEvent e{};
  e.seq = seq;
  e.key = key;
  return e;
}

// EAL with two lcores (0: the test thread, 1: a worker) and no hugepages or devices.
class EalEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    std::vector<std::string> args{"rv_events_test", "--no-huge",  "--no-shconf", "--no-pci",
                                  "-m",             "256",        "-l",          "0-1",
                                  "--log-level=warning"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    ASSERT_GE(rte_eal_init(static_cast<int>(argv.size()), argv.data()), 0) << "rte_eal_init";
  }
  void TearDown() override { rte_eal_cleanup(); }
};

inline unsigned worker_lcore() { return rte_get_next_lcore(-1, 1, 0); }

// Runs f on the worker lcore; join() waits for it.
class OnWorker {
 public:
  explicit OnWorker(std::function<void()> f) : f_(std::move(f)) {
    const int rc = rte_eal_remote_launch(&OnWorker::trampoline, this, worker_lcore());
    EXPECT_EQ(rc, 0) << "worker lcore busy";
  }
  ~OnWorker() { join(); }
  void join() {
    if (!joined_) rte_eal_wait_lcore(worker_lcore());
    joined_ = true;
  }

 private:
  static int trampoline(void* self) {
    static_cast<OnWorker*>(self)->f_();
    return 0;
  }
  std::function<void()> f_;
  bool joined_ = false;
};

}  // namespace rv::events::test
