#include "dataplane/eal.hpp"

#include <rte_eal.h>
#include <rte_errno.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

#include "dataplane/keyed_hash.hpp"

namespace rv::dataplane {
namespace {

std::atomic<bool> g_eal_initialised{false};
char g_runtime_dir[4096];  // written once after rte_eal_init, read by the atexit handler

// The runtime directory of a per-instance file prefix would stay behind after every run: DPDK
// 22.11 removes neither its telemetry socket nor the directory. At exit both go; rmdir leaves a
// directory that still holds anything else (shared-config files of a secondary process) alone.
void remove_runtime_dir() {
  if (g_runtime_dir[0] == '\0') return;
  char socket[sizeof(g_runtime_dir) + 32];
  std::snprintf(socket, sizeof(socket), "%s/dpdk_telemetry.v2", g_runtime_dir);
  (void)unlink(socket);
  (void)rmdir(g_runtime_dir);
}

bool has_lcore_option(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "-l" || a == "-c" || a.starts_with("--lcores") || a.starts_with("-l") ||
        a.starts_with("-c")) {
      return true;
    }
  }
  return false;
}

bool has_option(const std::vector<std::string>& args, std::string_view opt) {
  return std::ranges::any_of(args, [opt](const std::string& a) {
    return a == opt || (a.starts_with(opt) && a.size() > opt.size() && a[opt.size()] == '=');
  });
}

}  // namespace

std::string instance_file_prefix(const std::string& configured, uint16_t admin_port, int pid) {
  if (!configured.empty()) return configured;
  if (admin_port != 0) return fmt::format("rvoipd-{}", admin_port);
  return fmt::format("rvoipd-{}", pid);
}

std::string file_prefix_of(const std::vector<std::string>& args) {
  constexpr std::string_view kOpt = "--file-prefix";
  std::string out;  // the EAL takes the last one
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == kOpt && i + 1 < args.size()) {
      out = args[++i];
    } else if (a.starts_with(kOpt) && a.size() > kOpt.size() && a[kOpt.size()] == '=') {
      out = a.substr(kOpt.size() + 1);
    }
  }
  return out;
}

std::string telemetry_socket_path(const std::vector<std::string>& args) {
  if (has_option(args, "--no-telemetry")) return {};
  return std::string(rte_eal_get_runtime_dir()) + "/dpdk_telemetry.v2";
}

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
  const bool user_prefix =
      has_option(cfg.eal_args, "--file-prefix") || has_option(plan.user_args, "--file-prefix");
  if (!user_prefix && !plan.file_prefix.empty()) args.push_back("--file-prefix=" + plan.file_prefix);
  if (plan.pci_allow.empty()) args.push_back("--no-pci");
  for (const auto& p : plan.pci_allow) args.insert(args.end(), {"-a", p});
  const bool user_lcores = has_lcore_option(cfg.eal_args) || has_lcore_option(plan.user_args);
  if (!user_lcores && !plan.lcores.empty()) args.push_back("--lcores=" + plan.lcores);
  for (const auto& v : plan.vdevs) args.push_back("--vdev=" + v);
  // NOTICE and above: they reach spdlog at info (control/logging/dpdk_log.hpp); DPDK's INFO
  // lines (CPU and memory detection) are noise on a terminal.
  args.push_back("--log-level=notice");
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
  std::atexit(remove_runtime_dir);
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
  std::snprintf(g_runtime_dir, sizeof(g_runtime_dir), "%s", rte_eal_get_runtime_dir());
  return {};
}

void cleanup_eal() noexcept {
  if (g_eal_initialised.load()) rte_eal_cleanup();
}

}  // namespace rv::dataplane
