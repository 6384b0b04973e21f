#pragma once
// Core planning (DESIGN.md §4, STYLE.md 10): which CPUs run dataplane lcores, which the control
// group, which is the EAL main lcore, and on which NUMA node each port's mempool lives.
//
// Three separate steps:
//   1. load a topology (the machine's, or an hwloc XML file for tests);
//   2. plan_cores(): a pure function of the topology and the request — unit tested on synthetic
//      topologies, never binds anything;
//   3. pin_current_thread_to() for control threads (lcores are pinned by the EAL from `-l`).
// Everything here is start-up code: it allocates and returns rv::Result; not for lcores.
//
// CPU numbers are OS indexes (what Linux calls cpu N, what EAL `-l` takes with lcore id == cpu).

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "events/error.hpp"

struct hwloc_topology;

namespace rv::dataplane {

// An hwloc topology, loaded and ready. Move-only; not thread-safe to load, read-only after.
class Topology {
 public:
  // The machine this process runs on, restricted to the CPUs it is allowed to use.
  static Result<Topology> load_system();
  // An hwloc XML export (`lstopo --of xml`), e.g. tests/data/topologies/*.xml.
  static Result<Topology> load_xml(const std::string& path);

  hwloc_topology* get() const noexcept { return topo_.get(); }
  // True for load_system(): binding threads through it is meaningful.
  bool is_this_system() const noexcept { return this_system_; }

 private:
  struct Deleter {
    void operator()(hwloc_topology* t) const noexcept;
  };
  Topology(hwloc_topology* t, bool this_system) : topo_(t), this_system_(this_system) {}

  std::unique_ptr<hwloc_topology, Deleter> topo_;
  bool this_system_ = false;
};

// One physical core as the planner sees it.
struct CoreInfo {
  unsigned index = 0;          // hwloc logical index of the core (0..n-1, topology order)
  std::vector<unsigned> cpus;  // usable PUs (OS indexes), ascending; size() > 1 means SMT
  int numa_node = -1;          // OS index of its NUMA node, -1 when unknown or ambiguous
};

// The machine flattened: cores in topology order (packages, then cores within them).
struct MachineLayout {
  std::vector<CoreInfo> cores;
};

// Flattens `topo` into cores with their usable CPUs and NUMA node. Cores without any allowed
// CPU are left out.
MachineLayout describe_machine(const Topology& topo);

struct CorePlanRequest {
  // `dataplane.lcores`: "auto", or an explicit CPU list ("1,2", "2-5", "1,4-6").
  std::string lcores = "auto";
  // Dataplane lcores wanted. 0 = auto: every core left after the control core on the ports'
  // NUMA node(s) (all nodes when no port node is known), at least one. With an explicit list,
  // 0 or the list's size.
  uint32_t workers = 0;
  // NUMA node of each port (rte_eth_dev_socket_id()), -1 when unknown; index = port order.
  std::vector<int> port_numa_nodes;
};

struct PortPlacement {
  int numa_node = -1;       // as given; -1 unknown
  int mempool_socket = -1;  // socket for the port's mempool and queues; -1 = SOCKET_ID_ANY
  // Dataplane lcores on the port's node (all of them when the node is unknown).
  std::vector<unsigned> local_lcores;
};

struct CorePlan {
  // One CPU per physical core, no two on SMT siblings (auto), in launch order.
  std::vector<unsigned> dataplane_lcores;
  std::vector<int> dataplane_numa;  // NUMA node of each dataplane lcore (-1 unknown)
  // CPUs the control group may run on: whole cores that hold no dataplane lcore, ascending.
  std::vector<unsigned> control_cpus;
  // EAL main lcore: the first control CPU. The thread that calls rte_eal_init runs on it and
  // belongs to the control group; workers are launched on dataplane_lcores.
  unsigned main_lcore = 0;
  std::vector<PortPlacement> ports;  // index = port order of the request
  // Things an operator should know (explicit list on SMT siblings, port on a remote node...).
  std::vector<std::string> warnings;
};

// Parses a CPU list: "3", "1,2", "2-5", "0,4-6" (ascending output, no duplicates allowed).
Result<std::vector<unsigned>> parse_cpu_list(std::string_view text);

// Formats CPUs as a compact list: {0,1,2,5} -> "0-2,5". Input need not be sorted.
std::string format_cpu_list(std::span<const unsigned> cpus);

// Plans dataplane lcores, control CPUs, the main lcore and port placement.
// Pure: reads `machine` only. Errors: kConfig (bad list, workers != list size), kNotFound (a
// listed CPU does not exist or is not allowed), kResourceExhausted (not enough cores).
//
// auto: the control group takes the first core (core 0); dataplane lcores take the first PU of
// other cores, cores on the ports' NUMA nodes first (round-robin across those nodes), then the
// rest in topology order. A 1-core SMT machine is the one exception: control and dataplane share
// the core (two PUs), with a warning.
Result<CorePlan> plan_cores(const MachineLayout& machine, const CorePlanRequest& request);
// Same, describing `topo` first.
Result<CorePlan> plan_cores(const Topology& topo, const CorePlanRequest& request);

// EAL core arguments for `plan`: {"-l", "<main,dataplane...>", "--main-lcore", "<main>"}.
std::vector<std::string> eal_core_args(const CorePlan& plan);

// The same as one `--lcores` value with small lcore ids mapped onto the planned CPUs:
// "0@<main>,1@<dataplane[0]>,2@<dataplane[1]>..." (lcore 0 is the main lcore). Works for CPU
// numbers >= RTE_MAX_LCORE, which `-l` cannot express.
std::string eal_lcores_value(const CorePlan& plan);

// Binds the calling thread to `cpus` (hwloc_set_cpubind, HWLOC_CPUBIND_THREAD). `topo` must be
// load_system(). For control-group threads; lcores are pinned by the EAL.
Result<void> pin_current_thread_to(const Topology& topo, std::span<const unsigned> cpus);

}  // namespace rv::dataplane
