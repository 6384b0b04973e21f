#include "dataplane/core_plan.hpp"

#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>
#include <thread>

#include "tests/support/pcap_file.hpp"

namespace rv::dataplane {
namespace {

using Cpus = std::vector<unsigned>;

MachineLayout machine(const std::string& name) {
  auto topo = Topology::load_xml(test::test_data("topologies/" + name));
  EXPECT_TRUE(topo.has_value()) << (topo ? "" : topo.error().to_string());
  return describe_machine(*topo);
}

CorePlan plan_ok(const MachineLayout& m, CorePlanRequest req) {
  auto plan = plan_cores(m, req);
  EXPECT_TRUE(plan.has_value()) << (plan ? "" : plan.error().to_string());
  return plan ? *plan : CorePlan{};
}

bool contains(const Cpus& v, unsigned c) {
  return std::find(v.begin(), v.end(), c) != v.end();
}

// No two dataplane lcores on one physical core, and no control CPU on a dataplane core.
void expect_isolated(const MachineLayout& m, const CorePlan& plan) {
  for (const auto& core : m.cores) {
    std::size_t dp = 0;
    std::size_t cp = 0;
    for (unsigned c : core.cpus) {
      dp += contains(plan.dataplane_lcores, c) ? 1 : 0;
      cp += contains(plan.control_cpus, c) ? 1 : 0;
    }
    EXPECT_LE(dp, 1u) << "core " << core.index;
    if (dp > 0) {
      EXPECT_EQ(cp, 0u) << "core " << core.index;
    }
  }
}

TEST(Topologies, SyntheticXml_DescribesCoresSmtAndNuma) {
  const auto dual = machine("dual_socket_8c_smt.xml");
  ASSERT_EQ(dual.cores.size(), 16u);
  EXPECT_EQ(dual.cores[0].cpus, (Cpus{0, 16}));
  EXPECT_EQ(dual.cores[9].cpus, (Cpus{9, 25}));
  EXPECT_EQ(dual.cores[0].numa_node, 0);
  EXPECT_EQ(dual.cores[9].numa_node, 1);
  const auto two = machine("single_socket_2c.xml");
  ASSERT_EQ(two.cores.size(), 2u);
  EXPECT_EQ(two.cores[1].cpus, (Cpus{1}));
  EXPECT_EQ(machine("single_socket_4c_smt.xml").cores[3].cpus, (Cpus{3, 7}));
}

TEST(Topologies, MissingXml_IsNotFound) {
  auto topo = Topology::load_xml("/nonexistent/topology.xml");
  ASSERT_FALSE(topo.has_value());
  EXPECT_EQ(topo.error().code(), ErrorCode::kNotFound);
}

TEST(CorePlanAuto, TwoCoreBox_ControlOnCore0WorkerOnCore1) {
  const auto plan = plan_ok(machine("single_socket_2c.xml"), {.port_numa_nodes = {-1}});
  EXPECT_EQ(plan.dataplane_lcores, (Cpus{1}));
  EXPECT_EQ(plan.control_cpus, (Cpus{0}));
  EXPECT_EQ(plan.main_lcore, 0u);
  EXPECT_EQ(eal_core_args(plan), (std::vector<std::string>{"-l", "0-1", "--main-lcore", "0"}));
  EXPECT_EQ(eal_lcores_value(plan), "0@0,1@1");
  ASSERT_EQ(plan.ports.size(), 1u);
  EXPECT_EQ(plan.ports[0].local_lcores, (Cpus{1}));
  EXPECT_TRUE(plan.warnings.empty());
}

TEST(CorePlanAuto, TwoCoreBox_TwoWorkersIsNotEnoughCores) {
  auto plan = plan_cores(machine("single_socket_2c.xml"), {.workers = 2});
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().code(), ErrorCode::kResourceExhausted);
  EXPECT_NE(plan.error().message().find("not enough cores"), std::string::npos);
}

TEST(CorePlanAuto, SingleCoreNoSmt_IsAnError) {
  auto plan = plan_cores(machine("single_core.xml"), {});
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().code(), ErrorCode::kResourceExhausted);
}

TEST(CorePlanAuto, SingleCoreWithSmt_SharesCoreWithWarning) {
  const MachineLayout m{{CoreInfo{0, {0, 1}, 0}}};
  const auto plan = plan_ok(m, {});
  EXPECT_EQ(plan.dataplane_lcores, (Cpus{1}));
  EXPECT_EQ(plan.control_cpus, (Cpus{0}));
  EXPECT_EQ(plan.warnings.size(), 1u);
}

TEST(CorePlanAuto, SmtBox_OneLcorePerCoreSiblingsIdle) {
  const auto m = machine("single_socket_4c_smt.xml");
  const auto plan = plan_ok(m, {});
  EXPECT_EQ(plan.dataplane_lcores, (Cpus{1, 2, 3}));
  EXPECT_EQ(plan.control_cpus, (Cpus{0, 4}));
  EXPECT_EQ(plan.main_lcore, 0u);
  expect_isolated(m, plan);
  for (unsigned sibling : {5u, 6u, 7u}) {
    EXPECT_FALSE(contains(plan.control_cpus, sibling));
    EXPECT_FALSE(contains(plan.dataplane_lcores, sibling));
  }
}

TEST(CorePlanAuto, SmtBox_FewerWorkersLeaveWholeCoresToControl) {
  const auto m = machine("single_socket_4c_smt.xml");
  const auto plan = plan_ok(m, {.workers = 1});
  EXPECT_EQ(plan.dataplane_lcores, (Cpus{1}));
  EXPECT_EQ(plan.control_cpus, (Cpus{0, 2, 3, 4, 6, 7}));
  expect_isolated(m, plan);
}

TEST(CorePlanAuto, DualSocket_PrefersPortNumaNode) {
  const auto m = machine("dual_socket_8c_smt.xml");
  const auto plan = plan_ok(m, {.workers = 4, .port_numa_nodes = {1, 1}});
  EXPECT_EQ(plan.dataplane_lcores, (Cpus{8, 9, 10, 11}));
  EXPECT_EQ(plan.dataplane_numa, (std::vector<int>{1, 1, 1, 1}));
  EXPECT_EQ(plan.main_lcore, 0u);
  expect_isolated(m, plan);
  ASSERT_EQ(plan.ports.size(), 2u);
  EXPECT_EQ(plan.ports[1].numa_node, 1);
  EXPECT_EQ(plan.ports[1].mempool_socket, 1);
  EXPECT_EQ(plan.ports[1].local_lcores, (Cpus{8, 9, 10, 11}));
  EXPECT_TRUE(plan.warnings.empty());
  EXPECT_EQ(eal_core_args(plan)[1], "0,8-11");
  EXPECT_EQ(eal_lcores_value(plan), "0@0,1@8,2@9,3@10,4@11");
}

TEST(CorePlanAuto, DualSocket_DefaultWorkersFillPortNodeMinusControlCore) {
  const auto m = machine("dual_socket_8c_smt.xml");
  const auto plan = plan_ok(m, {.port_numa_nodes = {0}});
  EXPECT_EQ(plan.dataplane_lcores, (Cpus{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_TRUE(contains(plan.control_cpus, 0));
  EXPECT_TRUE(contains(plan.control_cpus, 16));
  EXPECT_TRUE(contains(plan.control_cpus, 8));  // the other node's cores stay with control
  expect_isolated(m, plan);
}

TEST(CorePlanAuto, DualSocket_PortsOnBothNodesAlternateNodes) {
  const auto m = machine("dual_socket_8c_smt.xml");
  const auto plan = plan_ok(m, {.workers = 4, .port_numa_nodes = {0, 1}});
  EXPECT_EQ(plan.dataplane_lcores, (Cpus{1, 8, 2, 9}));
  EXPECT_EQ(plan.ports[0].local_lcores, (Cpus{1, 2}));
  EXPECT_EQ(plan.ports[1].local_lcores, (Cpus{8, 9}));
}

TEST(CorePlanAuto, DualSocket_MoreWorkersThanNodeSpillToOtherNode) {
  const auto m = machine("dual_socket_8c_smt.xml");
  const auto plan = plan_ok(m, {.workers = 10, .port_numa_nodes = {1}});
  EXPECT_EQ(plan.dataplane_lcores, (Cpus{8, 9, 10, 11, 12, 13, 14, 15, 1, 2}));
  expect_isolated(m, plan);
  EXPECT_EQ(plan.ports[0].local_lcores.size(), 8u);
}

TEST(CorePlanAuto, DualSocket_NoPortInfoUsesTopologyOrder) {
  const auto m = machine("dual_socket_8c_smt.xml");
  const auto plan = plan_ok(m, {.workers = 3, .port_numa_nodes = {-1}});
  EXPECT_EQ(plan.dataplane_lcores, (Cpus{1, 2, 3}));
  EXPECT_EQ(plan.ports[0].mempool_socket, 0);  // unknown node: the workers' node
  EXPECT_EQ(plan.ports[0].local_lcores, (Cpus{1, 2, 3}));
  for (unsigned sibling : {17u, 18u, 19u}) EXPECT_FALSE(contains(plan.control_cpus, sibling));
}

TEST(CorePlanAuto, DualSocket_AllFifteenWorkersOk_SixteenTooMany) {
  const auto m = machine("dual_socket_8c_smt.xml");
  EXPECT_EQ(plan_ok(m, {.workers = 15}).dataplane_lcores.size(), 15u);
  auto plan = plan_cores(m, {.workers = 16});
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().code(), ErrorCode::kResourceExhausted);
}

TEST(CorePlanExplicit, ListIsHonouredControlGetsTheOtherCores) {
  const auto m = machine("single_socket_4c_smt.xml");
  const auto plan = plan_ok(m, {.lcores = "1,2"});
  EXPECT_EQ(plan.dataplane_lcores, (Cpus{1, 2}));
  EXPECT_EQ(plan.control_cpus, (Cpus{0, 3, 4, 7}));
  EXPECT_EQ(plan.main_lcore, 0u);
  expect_isolated(m, plan);
  EXPECT_EQ(eal_core_args(plan), (std::vector<std::string>{"-l", "0-2", "--main-lcore", "0"}));
}

TEST(CorePlanExplicit, RangeCoveringEveryCoreFallsBackToSiblingsWithWarning) {
  const auto plan = plan_ok(machine("single_socket_4c_smt.xml"), {.lcores = "2-5"});
  EXPECT_EQ(plan.dataplane_lcores, (Cpus{2, 3, 4, 5}));
  EXPECT_EQ(plan.control_cpus, (Cpus{0, 1, 6, 7}));
  EXPECT_EQ(plan.main_lcore, 0u);
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_NE(plan.warnings[0].find("SMT siblings"), std::string::npos);
}

TEST(CorePlanExplicit, SmtSiblingsListedWarns) {
  const auto plan = plan_ok(machine("single_socket_4c_smt.xml"), {.lcores = "1,5"});
  EXPECT_EQ(plan.dataplane_lcores, (Cpus{1, 5}));
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_NE(plan.warnings[0].find("SMT siblings"), std::string::npos);
}

TEST(CorePlanExplicit, MissingCpuIsNotFoundAndNamed) {
  auto plan = plan_cores(machine("single_socket_2c.xml"), {.lcores = "1,7"});
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(plan.error().message().find("CPU 7"), std::string::npos);
  EXPECT_NE(plan.error().message().find("0-1"), std::string::npos);
}

TEST(CorePlanExplicit, EveryCpuListedLeavesNoControl) {
  auto plan = plan_cores(machine("single_socket_2c.xml"), {.lcores = "0-1"});
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().code(), ErrorCode::kResourceExhausted);
}

TEST(CorePlanExplicit, WorkerCountMustMatchList) {
  auto plan = plan_cores(machine("single_socket_4c_smt.xml"), {.lcores = "1,2", .workers = 3});
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().code(), ErrorCode::kConfig);
  EXPECT_TRUE(plan_cores(machine("single_socket_4c_smt.xml"), {.lcores = "1,2", .workers = 2}));
}

TEST(CorePlanExplicit, PortOnOtherNodeWarns) {
  const auto plan =
      plan_ok(machine("dual_socket_8c_smt.xml"), {.lcores = "2,3", .port_numa_nodes = {1}});
  EXPECT_EQ(plan.ports[0].mempool_socket, 1);
  EXPECT_TRUE(plan.ports[0].local_lcores.empty());
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_NE(plan.warnings[0].find("NUMA node 1"), std::string::npos);
}

TEST(CpuList, ParsesListsAndRanges) {
  EXPECT_EQ(*parse_cpu_list("3"), (Cpus{3}));
  EXPECT_EQ(*parse_cpu_list("1,2"), (Cpus{1, 2}));
  EXPECT_EQ(*parse_cpu_list("2-5"), (Cpus{2, 3, 4, 5}));
  EXPECT_EQ(*parse_cpu_list(" 6, 0-1 "), (Cpus{0, 1, 6}));
  for (const char* bad : {"", "a", "1,,2", "5-3", "1,1", "1-", "-1", "1;2", "99999999"}) {
    auto r = parse_cpu_list(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kConfig) << bad;
  }
  auto bad = plan_cores(machine("single_socket_2c.xml"), {.lcores = "one"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kConfig);
}

TEST(CpuList, FormatsCompactly) {
  EXPECT_EQ(format_cpu_list(Cpus{5, 0, 1, 2}), "0-2,5");
  EXPECT_EQ(format_cpu_list(Cpus{}), "");
  EXPECT_EQ(format_cpu_list(Cpus{8, 10}), "8,10");
}

TEST(ThisMachine, PlansAndPinsAControlThread) {
  auto topo = Topology::load_system();
  ASSERT_TRUE(topo.has_value()) << topo.error().to_string();
  const auto m = describe_machine(*topo);
  ASSERT_FALSE(m.cores.empty());
  auto plan = plan_cores(*topo, {});
  if (!plan) GTEST_SKIP() << "machine too small: " << plan.error().to_string();
  expect_isolated(m, *plan);
  Result<void> pinned;
  cpu_set_t after;
  CPU_ZERO(&after);
  std::thread([&] {
    pinned = pin_current_thread_to(*topo, plan->control_cpus);
    sched_getaffinity(0, sizeof(after), &after);
  }).join();
  ASSERT_TRUE(pinned.has_value()) << pinned.error().to_string();
  EXPECT_EQ(static_cast<std::size_t>(CPU_COUNT(&after)), plan->control_cpus.size());
  for (unsigned c : plan->control_cpus) EXPECT_TRUE(CPU_ISSET(c, &after));
}

TEST(ThisMachine, PinningThroughXmlTopologyIsRefused) {
  auto topo = Topology::load_xml(test::test_data("topologies/single_socket_2c.xml"));
  ASSERT_TRUE(topo.has_value());
  const Cpus cpus{0};
  auto r = pin_current_thread_to(*topo, cpus);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace rv::dataplane
