#include "dataplane/core_plan.hpp"

#include <hwloc.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <set>

namespace rv::dataplane {
namespace {

constexpr unsigned kMaxCpu = 65535;  // sanity bound for parsed CPU numbers

std::vector<unsigned> bitmap_to_vector(hwloc_const_bitmap_t set) {
  std::vector<unsigned> out;
  for (int i = hwloc_bitmap_first(set); i >= 0; i = hwloc_bitmap_next(set, i)) {
    out.push_back(static_cast<unsigned>(i));
  }
  return out;
}

struct BitmapDeleter {
  void operator()(hwloc_bitmap_s* b) const noexcept { hwloc_bitmap_free(b); }
};
using Bitmap = std::unique_ptr<hwloc_bitmap_s, BitmapDeleter>;

Result<unsigned> parse_cpu_number(std::string_view s, std::string_view whole) {
  unsigned v = 0;
  const auto* end = s.data() + s.size();
  const auto [p, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc{} || p != end || v > kMaxCpu) {
    return make_error(ErrorCode::kConfig,
                      "lcores: '" + std::string(whole) + "' is not a CPU list (e.g. 1,2 or 2-5)");
  }
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Index into machine.cores of the core holding `cpu`, or -1.
int core_of(const MachineLayout& machine, unsigned cpu) {
  for (std::size_t i = 0; i < machine.cores.size(); ++i) {
    const auto& c = machine.cores[i].cpus;
    if (std::find(c.begin(), c.end(), cpu) != c.end()) return static_cast<int>(i);
  }
  return -1;
}

std::vector<unsigned> all_cpus(const MachineLayout& machine) {
  std::vector<unsigned> out;
  for (const auto& c : machine.cores) out.insert(out.end(), c.cpus.begin(), c.cpus.end());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int> preferred_nodes(const MachineLayout& machine, const std::vector<int>& ports) {
  std::set<int> nodes;
  for (int n : ports) {
    if (n < 0) continue;
    for (const auto& c : machine.cores) {
      if (c.numa_node == n) nodes.insert(n);
    }
  }
  return {nodes.begin(), nodes.end()};
}

// Candidate cores (indexes, core 0 excluded) in the order the auto plan takes them: cores on the
// preferred nodes round-robin across those nodes, then the others in topology order. Sets
// `preferred_count` to the number of candidates on preferred nodes.
std::vector<std::size_t> order_candidates(const MachineLayout& machine,
                                          const std::vector<int>& nodes,
                                          std::size_t& preferred_count) {
  std::vector<std::vector<std::size_t>> per_node(nodes.size());
  std::vector<std::size_t> rest;
  for (std::size_t i = 1; i < machine.cores.size(); ++i) {
    const auto it = std::find(nodes.begin(), nodes.end(), machine.cores[i].numa_node);
    if (it == nodes.end()) {
      rest.push_back(i);
    } else {
      per_node[static_cast<std::size_t>(it - nodes.begin())].push_back(i);
    }
  }
  std::vector<std::size_t> out;
  for (std::size_t round = 0;; ++round) {
    bool any = false;
    for (const auto& q : per_node) {
      if (round < q.size()) {
        out.push_back(q[round]);
        any = true;
      }
    }
    if (!any) break;
  }
  preferred_count = out.size();
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

void add_dataplane(CorePlan& plan, const CoreInfo& core, unsigned cpu) {
  plan.dataplane_lcores.push_back(cpu);
  plan.dataplane_numa.push_back(core.numa_node);
}

// Control CPUs: every CPU of the cores in `control_cores`, ascending.
void set_control(CorePlan& plan, const MachineLayout& machine,
                 const std::vector<std::size_t>& control_cores) {
  for (std::size_t i : control_cores) {
    const auto& cpus = machine.cores[i].cpus;
    plan.control_cpus.insert(plan.control_cpus.end(), cpus.begin(), cpus.end());
  }
  std::sort(plan.control_cpus.begin(), plan.control_cpus.end());
}

Result<CorePlan> plan_single_core(const MachineLayout& machine, const CorePlanRequest& req) {
  const auto& core = machine.cores.front();
  if (core.cpus.size() < 2 || req.workers > 1) {
    return make_error(
        ErrorCode::kResourceExhausted,
        "lcores auto: not enough cores: " + std::to_string(std::max(1u, req.workers)) +
            " dataplane lcore(s) + 1 control CPU wanted, the machine has 1 core (cpus " +
            format_cpu_list(core.cpus) + ")");
  }
  CorePlan plan;
  add_dataplane(plan, core, core.cpus[1]);
  plan.control_cpus.push_back(core.cpus[0]);
  plan.warnings.push_back(
      "one physical core only: the control group shares it with the dataplane "
      "lcore (SMT siblings " +
      format_cpu_list(core.cpus) + ")");
  return plan;
}

Result<CorePlan> plan_auto(const MachineLayout& machine, const CorePlanRequest& req) {
  if (machine.cores.size() == 1) return plan_single_core(machine, req);
  std::size_t preferred = 0;
  const auto nodes = preferred_nodes(machine, req.port_numa_nodes);
  const auto candidates = order_candidates(machine, nodes, preferred);
  std::size_t wanted = req.workers;
  if (wanted == 0) wanted = preferred > 0 ? preferred : candidates.size();
  if (wanted > candidates.size()) {
    return make_error(ErrorCode::kResourceExhausted,
                      "lcores auto: not enough cores: " + std::to_string(wanted) +
                          " dataplane lcores wanted, " + std::to_string(candidates.size()) +
                          " physical core(s) free after the control core (machine has " +
                          std::to_string(machine.cores.size()) + " cores, cpus " +
                          format_cpu_list(all_cpus(machine)) + ")");
  }
  CorePlan plan;
  std::vector<std::size_t> control{0};
  for (std::size_t k = 0; k < candidates.size(); ++k) {
    const auto& core = machine.cores[candidates[k]];
    if (k < wanted) {
      add_dataplane(plan, core, core.cpus.front());  // siblings stay idle: never shared
    } else {
      control.push_back(candidates[k]);
    }
  }
  set_control(plan, machine, control);
  return plan;
}

Result<CorePlan> plan_explicit(const MachineLayout& machine, const CorePlanRequest& req,
                               const std::vector<unsigned>& cpus) {
  if (req.workers != 0 && req.workers != cpus.size()) {
    return make_error(ErrorCode::kConfig, "lcores '" + req.lcores + "' lists " +
                                              std::to_string(cpus.size()) + " CPUs but " +
                                              std::to_string(req.workers) +
                                              " dataplane lcores are wanted");
  }
  CorePlan plan;
  std::vector<int> used(machine.cores.size(), 0);
  for (unsigned cpu : cpus) {
    const int ci = core_of(machine, cpu);
    if (ci < 0) {
      return make_error(ErrorCode::kNotFound,
                        "lcores: CPU " + std::to_string(cpu) +
                            " does not exist or is not usable here (usable CPUs: " +
                            format_cpu_list(all_cpus(machine)) + ")");
    }
    const auto& core = machine.cores[static_cast<std::size_t>(ci)];
    if (used[static_cast<std::size_t>(ci)]++ == 1) {
      plan.warnings.push_back("lcores: CPUs " + format_cpu_list(core.cpus) +
                              " are SMT siblings of one physical core; both run dataplane lcores");
    }
    add_dataplane(plan, core, cpu);
  }
  std::vector<std::size_t> control;
  for (std::size_t i = 0; i < machine.cores.size(); ++i) {
    if (used[i] == 0) control.push_back(i);
  }
  set_control(plan, machine, control);
  if (plan.control_cpus.empty()) {
    // No whole core left: fall back to idle SMT siblings of dataplane cores.
    for (const auto& core : machine.cores) {
      for (unsigned cpu : core.cpus) {
        if (std::find(cpus.begin(), cpus.end(), cpu) == cpus.end()) {
          plan.control_cpus.push_back(cpu);
        }
      }
    }
    std::sort(plan.control_cpus.begin(), plan.control_cpus.end());
    if (plan.control_cpus.empty()) {
      return make_error(ErrorCode::kResourceExhausted,
                        "lcores '" + req.lcores +
                            "' takes every CPU of the machine; leave at least one for the "
                            "control group");
    }
    plan.warnings.push_back("lcores '" + req.lcores +
                            "' leaves no whole core: the control group runs on SMT siblings "
                            "of dataplane lcores (CPUs " +
                            format_cpu_list(plan.control_cpus) + ")");
  }
  return plan;
}

void place_ports(CorePlan& plan, const CorePlanRequest& req) {
  for (std::size_t p = 0; p < req.port_numa_nodes.size(); ++p) {
    PortPlacement pp;
    pp.numa_node = req.port_numa_nodes[p] < 0 ? -1 : req.port_numa_nodes[p];
    for (std::size_t i = 0; i < plan.dataplane_lcores.size(); ++i) {
      if (pp.numa_node < 0 || plan.dataplane_numa[i] == pp.numa_node) {
        pp.local_lcores.push_back(plan.dataplane_lcores[i]);
      }
    }
    if (pp.numa_node >= 0) {
      pp.mempool_socket = pp.numa_node;
      if (pp.local_lcores.empty()) {
        plan.warnings.push_back("port " + std::to_string(p) + " is on NUMA node " +
                                std::to_string(pp.numa_node) +
                                " but no dataplane lcore is: its packets cross the interconnect");
      }
    } else if (!plan.dataplane_numa.empty()) {
      pp.mempool_socket = plan.dataplane_numa.front();  // -1 stays SOCKET_ID_ANY
    }
    plan.ports.push_back(std::move(pp));
  }
}

}  // namespace

void Topology::Deleter::operator()(hwloc_topology* t) const noexcept {
  hwloc_topology_destroy(t);
}

Result<Topology> Topology::load_system() {
  hwloc_topology_t t = nullptr;
  if (hwloc_topology_init(&t) != 0) {
    return make_error(ErrorCode::kIo, "hwloc: cannot initialise a topology");
  }
  if (hwloc_topology_load(t) != 0) {
    const int err = errno;
    hwloc_topology_destroy(t);
    return make_error(ErrorCode::kIo,
                      std::string("hwloc: cannot load this machine's topology: ") + strerror(err));
  }
  return Topology(t, true);
}

Result<Topology> Topology::load_xml(const std::string& path) {
  hwloc_topology_t t = nullptr;
  if (hwloc_topology_init(&t) != 0) {
    return make_error(ErrorCode::kIo, "hwloc: cannot initialise a topology");
  }
  if (hwloc_topology_set_xml(t, path.c_str()) != 0 || hwloc_topology_load(t) != 0) {
    hwloc_topology_destroy(t);
    return make_error(ErrorCode::kNotFound, "hwloc: cannot load topology XML '" + path + "'");
  }
  return Topology(t, false);
}

MachineLayout describe_machine(const Topology& topo) {
  hwloc_topology_t t = topo.get();
  hwloc_const_cpuset_t allowed = hwloc_topology_get_allowed_cpuset(t);
  // Some VMs expose PUs without cores: treat each PU as a core then.
  const hwloc_obj_type_t type =
      hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE) > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
  MachineLayout out;
  Bitmap set(hwloc_bitmap_alloc());
  for (hwloc_obj_t o = hwloc_get_next_obj_by_type(t, type, nullptr); o != nullptr;
       o = hwloc_get_next_obj_by_type(t, type, o)) {
    hwloc_bitmap_and(set.get(), o->cpuset, allowed);
    if (hwloc_bitmap_iszero(set.get())) continue;
    CoreInfo core;
    core.index = o->logical_index;
    core.cpus = bitmap_to_vector(set.get());
    if (o->nodeset != nullptr && hwloc_bitmap_weight(o->nodeset) == 1) {
      core.numa_node = hwloc_bitmap_first(o->nodeset);
    }
    out.cores.push_back(std::move(core));
  }
  return out;
}

Result<std::vector<unsigned>> parse_cpu_list(std::string_view text) {
  const std::string_view whole = trim(text);
  std::vector<unsigned> out;
  std::string_view rest = whole;
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view item = trim(rest.substr(0, comma));
    const auto dash = item.find('-');
    auto lo = parse_cpu_number(trim(item.substr(0, dash)), whole);
    if (!lo) return std::unexpected(lo.error());
    auto hi =
        dash == std::string_view::npos ? lo : parse_cpu_number(trim(item.substr(dash + 1)), whole);
    if (!hi) return std::unexpected(hi.error());
    if (*hi < *lo) {
      return make_error(ErrorCode::kConfig, "lcores: range '" + std::string(item) + "' in '" +
                                                std::string(whole) + "' is reversed");
    }
    for (unsigned c = *lo; c <= *hi; ++c) out.push_back(c);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end()) {
    return make_error(ErrorCode::kConfig,
                      "lcores: '" + std::string(whole) + "' lists a CPU more than once");
  }
  return out;
}

std::string format_cpu_list(std::span<const unsigned> cpus) {
  std::vector<unsigned> v(cpus.begin(), cpus.end());
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  std::string out;
  for (std::size_t i = 0; i < v.size();) {
    std::size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(v[i]);
    if (j > i) out += '-' + std::to_string(v[j]);
    i = j + 1;
  }
  return out;
}

Result<CorePlan> plan_cores(const MachineLayout& machine, const CorePlanRequest& request) {
  if (machine.cores.empty()) {
    return make_error(ErrorCode::kResourceExhausted, "no usable CPU in the topology");
  }
  Result<CorePlan> plan;
  if (trim(request.lcores) == "auto") {
    plan = plan_auto(machine, request);
  } else {
    auto cpus = parse_cpu_list(request.lcores);
    if (!cpus) return std::unexpected(cpus.error());
    plan = plan_explicit(machine, request, *cpus);
  }
  if (!plan) return plan;
  plan->main_lcore = plan->control_cpus.front();
  place_ports(*plan, request);
  return plan;
}

Result<CorePlan> plan_cores(const Topology& topo, const CorePlanRequest& request) {
  return plan_cores(describe_machine(topo), request);
}

std::vector<std::string> eal_core_args(const CorePlan& plan) {
  std::vector<unsigned> lcores = plan.dataplane_lcores;
  lcores.push_back(plan.main_lcore);
  return {"-l", format_cpu_list(lcores), "--main-lcore", std::to_string(plan.main_lcore)};
}

std::string eal_lcores_value(const CorePlan& plan) {
  std::string out = "0@" + std::to_string(plan.main_lcore);
  for (std::size_t i = 0; i < plan.dataplane_lcores.size(); ++i) {
    out += ',' + std::to_string(i + 1) + '@' + std::to_string(plan.dataplane_lcores[i]);
  }
  return out;
}

Result<void> pin_current_thread_to(const Topology& topo, std::span<const unsigned> cpus) {
  if (!topo.is_this_system()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "pinning needs the machine's topology (Topology::load_system)");
  }
  if (cpus.empty()) return make_error(ErrorCode::kInvalidArgument, "pinning to no CPU");
  Bitmap set(hwloc_bitmap_alloc());
  for (unsigned c : cpus) hwloc_bitmap_set(set.get(), c);
  if (hwloc_set_cpubind(topo.get(), set.get(), HWLOC_CPUBIND_THREAD) != 0) {
    const int err = errno;
    return make_error(ErrorCode::kIo, "hwloc: cannot bind thread to CPUs " + format_cpu_list(cpus) +
                                          ": " + strerror(err));
  }
  return {};
}

}  // namespace rv::dataplane
