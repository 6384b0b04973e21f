// build_eal_args and the instance file prefix: several rvoipd instances on one host (issue 13
// item 7) each get their own EAL runtime directory and telemetry socket.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dataplane/eal.hpp"

namespace rv::dataplane {
namespace {

using ::testing::Contains;
using ::testing::Not;

int count_prefix_args(const std::vector<std::string>& args) {
  int n = 0;
  for (const auto& a : args) n += a.starts_with("--file-prefix") ? 1 : 0;
  return n;
}

TEST(InstanceFilePrefix, ConfiguredWins_ElseAdminPort_ElsePid) {
  EXPECT_EQ(instance_file_prefix("probe-a", 9464, 42), "probe-a");
  EXPECT_EQ(instance_file_prefix("", 9464, 42), "rvoipd-9464");
  EXPECT_EQ(instance_file_prefix("", 0, 42), "rvoipd-42");
}

TEST(InstanceFilePrefix, TwoInstancesOnDifferentAdminPorts_GetDifferentPrefixes) {
  EXPECT_NE(instance_file_prefix("", 9464, 1), instance_file_prefix("", 9465, 1));
}

TEST(BuildEalArgs, SharedConfig_GetsTheInstancePrefixAndNoNoShconf) {
  config::DataplaneConfig cfg;
  cfg.hugepages = true;
  EalPlan plan;
  plan.file_prefix = "rvoipd-9464";
  const auto args = build_eal_args(cfg, plan);
  EXPECT_THAT(args, Contains("--file-prefix=rvoipd-9464"));
  EXPECT_THAT(args, Not(Contains("--no-shconf")));
  EXPECT_THAT(args, Not(Contains("--no-huge")));
  EXPECT_EQ(file_prefix_of(args), "rvoipd-9464");
}

TEST(BuildEalArgs, NoHugepages_AlsoGetsThePrefixForItsTelemetrySocket) {
  config::DataplaneConfig cfg;
  EalPlan plan;
  plan.file_prefix = "rvoipd-77";
  const auto args = build_eal_args(cfg, plan);
  EXPECT_THAT(args, Contains("--no-shconf"));
  EXPECT_THAT(args, Contains("--file-prefix=rvoipd-77"));
}

TEST(BuildEalArgs, UserFilePrefixAfterDoubleDash_ReplacesTheGeneratedOne) {
  config::DataplaneConfig cfg;
  EalPlan plan;
  plan.file_prefix = "rvoipd-9464";
  plan.user_args = {"--file-prefix", "mine"};
  const auto args = build_eal_args(cfg, plan);
  EXPECT_EQ(count_prefix_args(args), 1);
  EXPECT_EQ(file_prefix_of(args), "mine");
}

TEST(BuildEalArgs, FilePrefixInConfigEalArgs_ReplacesTheGeneratedOne) {
  config::DataplaneConfig cfg;
  cfg.eal_args = {"--file-prefix=fromcfg"};
  EalPlan plan;
  plan.file_prefix = "rvoipd-9464";
  const auto args = build_eal_args(cfg, plan);
  EXPECT_EQ(count_prefix_args(args), 1);
  EXPECT_EQ(file_prefix_of(args), "fromcfg");
}

TEST(BuildEalArgs, DpdkLogLevelIsNotice_SoNoticeLinesReachSpdlog) {
  const auto args = build_eal_args(config::DataplaneConfig{}, EalPlan{});
  EXPECT_THAT(args, Contains("--log-level=notice"));
}

}  // namespace
}  // namespace rv::dataplane
