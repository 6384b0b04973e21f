#include "dataplane/eal.hpp"

#include <rte_eal.h>
#include <rte_errno.h>

#include <atomic>

#include <fmt/format.h>

#include "dataplane/keyed_hash.hpp"

namespace rv::dataplane {
namespace {

std::atomic<bool> g_eal_initialised{false};

bool has_lcore_option(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "-l" || a == "-c" || a.starts_with("--lcores") || a.starts_with("-l") ||
        a.starts_with("-c")) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string default_lcores(unsigned workers, unsigned cpus) {
  std::string out = "0@0";
  for (unsigned w = 1; w <= workers; ++w) {
    const unsigned cpu = cpus > 1 ? std::min(w, cpus - 1) : 0;
    out += fmt::format(",{}@{}", w, cpu);
  }
  return out;
}

std::vector<std::string> build_eal_args(const config::DataplaneConfig& cfg, const EalPlan& plan) {
  std::vector<std::string> args = {"rvoipd"};
  if (!cfg.hugepages) {
    // --no-shconf lets several instances (and tests) run side by side; --in-memory does not
    // combine with --no-huge on DPDK 22.11.
    args.insert(args.end(), {"--no-huge", "--no-shconf", "-m", std::to_string(cfg.memory_mb)});
  }
  if (plan.pci_allow.empty()) args.push_back("--no-pci");
  for (const auto& p : plan.pci_allow) args.insert(args.end(), {"-a", p});
  const bool user_lcores = has_lcore_option(cfg.eal_args) || has_lcore_option(plan.user_args);
  if (!user_lcores && !plan.lcores.empty()) args.push_back("--lcores=" + plan.lcores);
  for (const auto& v : plan.vdevs) args.push_back("--vdev=" + v);
  args.push_back("--log-level=warning");  // EAL/PMD info lines are noise on a terminal
  args.insert(args.end(), cfg.eal_args.begin(), cfg.eal_args.end());
  args.insert(args.end(), plan.user_args.begin(), plan.user_args.end());
  return args;
}

Result<void> init_eal(const std::vector<std::string>& args) {
  if (g_eal_initialised.exchange(true)) {
    return make_error(ErrorCode::kState, "the EAL is already initialised in this process");
  }
  // Before any lcore exists and before any table holds a hash: the key never changes after.
  if (auto k = init_hash_key(); !k) {
    return std::unexpected(std::move(k.error()).with_context("drawing the hash key"));
  }
  std::vector<char*> argv;
  std::vector<std::string> storage = args;  // rte_eal_init may permute argv
  for (auto& a : storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int rc = rte_eal_init(static_cast<int>(argv.size() - 1), argv.data());
  if (rc < 0) {
    return make_error(ErrorCode::kDpdk,
                      fmt::format("EAL initialisation failed: {} (check the EAL arguments, "
                                  "--vdev strings and, with hugepages, that they are reserved)",
                                  rte_strerror(rte_errno)));
  }
  return {};
}

void cleanup_eal() noexcept {
  if (g_eal_initialised.load()) rte_eal_cleanup();
}

}  // namespace rv::dataplane
