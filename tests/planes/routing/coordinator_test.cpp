// The coordinator's view of a fleet: probes heard from, their rates, and a silent probe marked
// down once (counted), up again when it speaks. Explicit instances; no clock but the caller's.

#include <gtest/gtest.h>

#include "planes/routing/coordinator.hpp"

namespace rv::planes::routing {
namespace {

using namespace std::chrono_literals;

TEST(Coordinator, SilentProbe_MarkedDownOnce_UpAgainWhenHeard) {
  Coordinator c;
  const auto t0 = Coordinator::Clock::time_point{} + 1000s;
  c.on_probe_health("a", 0, 5, 0, false, t0);
  c.on_probe_events("b", 10, 0, t0);
  EXPECT_TRUE(c.check_timeouts(15s, t0 + 10s).empty());
  c.on_probe_events("b", 10, 0, t0 + 12s);
  EXPECT_EQ(c.check_timeouts(15s, t0 + 16s), std::vector<std::string>{"a"});
  EXPECT_TRUE(c.check_timeouts(15s, t0 + 17s).empty());  // once
  EXPECT_EQ(c.probes_marked_down(), 1u);
  auto p = c.probes(t0 + 17s);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].probe_id, "a");
  EXPECT_FALSE(p[0].up);
  EXPECT_DOUBLE_EQ(p[0].last_seen_s, 17.0);
  EXPECT_TRUE(p[1].up);
  EXPECT_EQ(p[1].events, 20u);
  EXPECT_DOUBLE_EQ(p[1].events_per_s, 20.0 / 12.0);
  c.on_probe_health("a", 0, 9, 0, false, t0 + 18s);
  EXPECT_TRUE(c.probes(t0 + 18s)[0].up);
  EXPECT_EQ(c.probes(t0 + 18s)[0].clock_ns, 9u);
}

TEST(Coordinator, ProbeThatFinishedItsReplay_IsNotMarkedDown) {
  Coordinator c;
  const auto t0 = Coordinator::Clock::time_point{} + 1000s;
  c.on_probe_health("a", 0, 5, 0, true, t0);
  EXPECT_TRUE(c.check_timeouts(1s, t0 + 100s).empty());
}

TEST(Coordinator, GlobalInstance_IsOneObject) {
  EXPECT_EQ(&global_coordinator(), &global_coordinator());
  global_coordinator().add_local_plane("signaling");
  global_coordinator().add_local_plane("signaling");
  EXPECT_EQ(global_coordinator().local_planes().size(), 1u);
}

}  // namespace
}  // namespace rv::planes::routing
