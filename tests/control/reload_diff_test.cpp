// config/reload: the diff between a running and a candidate config, and applying changes.

#include "config/reload.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rv::config {
namespace {

using ::testing::IsEmpty;

std::vector<std::string> paths(const std::vector<ConfigChange>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back(c.field->path);
  return out;
}

TEST(ReloadDiff, SameConfig_IsEmpty) {
  EXPECT_TRUE(diff_config(Config{}, Config{}).empty());
}

TEST(ReloadDiff, SplitsReloadableFromRestartOnlyInSchemaOrder) {
  Config running;
  Config next;
  next.logging.level = "debug";
  next.dataplane.burst_size = 64;
  next.control.health_ring_usage = 0.9;
  next.dataplane.sip_ports = {"5060", "5080"};
  const auto d = diff_config(running, next);
  EXPECT_EQ(paths(d.reloadable),
            (std::vector<std::string>{"dataplane.sip_ports", "control.health_ring_usage", "logging.level"}));
  EXPECT_EQ(paths(d.restart_only), (std::vector<std::string>{"dataplane.burst_size"}));
  EXPECT_EQ(describe(d.restart_only[0]), "dataplane.burst_size: 32 -> 64");
}

TEST(ReloadDiff, ApplyChanges_TakesOnlyTheGivenChanges) {
  Config running;
  Config next;
  next.logging.level = "debug";
  next.dataplane.burst_size = 64;
  next.dataplane.sip_ports = {"5060", "with \"quote\"", "back\\slash"};
  next.control.health_drop_rate = 0.125;
  const auto d = diff_config(running, next);
  const auto applied = apply_changes(running, d.reloadable);
  EXPECT_EQ(applied.logging.level, "debug");
  EXPECT_EQ(applied.dataplane.sip_ports, next.dataplane.sip_ports);
  EXPECT_EQ(applied.control.health_drop_rate, 0.125);
  EXPECT_EQ(applied.dataplane.burst_size, 32u) << "restart-only keys keep the running value";
  EXPECT_THAT(diff_config(applied, next).reloadable, IsEmpty());
  EXPECT_EQ(paths(diff_config(applied, next).restart_only),
            (std::vector<std::string>{"dataplane.burst_size"}));
}

TEST(ReloadDiff, EmptyList_RoundTrips) {
  Config running;
  Config next;
  next.dataplane.sip_ports.clear();
  const auto d = diff_config(running, next);
  EXPECT_TRUE(apply_changes(running, d.reloadable).dataplane.sip_ports.empty());
}

}  // namespace
}  // namespace rv::config
