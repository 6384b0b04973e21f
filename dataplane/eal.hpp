#pragma once
// EAL bring-up. The EAL initialises once per process; init_eal() refuses a second call.
// Control-plane only.

#include <string>
#include <vector>

#include "config/config.hpp"
#include "events/error.hpp"

namespace rv::dataplane {

struct EalPlan {
  std::vector<std::string> vdevs;       // --vdev=... (replay captures, vdev ports from config)
  std::vector<std::string> pci_allow;   // -a ... (PCI ports from config)
  std::string lcores;                   // value for --lcores ("0,1" or "0@0,1@0")
  std::string file_prefix;              // --file-prefix (instance_file_prefix())
  std::vector<std::string> user_args;   // after `--` on the command line, passed last
};

// The full EAL argv (argv[0] = "rvoipd") for `cfg` and `plan`: --no-huge --no-shconf --no-pci
// -m N when hugepages are off, --file-prefix, the lcore set, the devices, cfg.eal_args, then
// plan.user_args. An lcore option (-l, -c, --lcores) or a --file-prefix in the user's args
// replaces the generated one.
std::vector<std::string> build_eal_args(const config::DataplaneConfig& cfg, const EalPlan& plan);

// The EAL file prefix of this instance. It names the DPDK runtime directory
// (/var/run/dpdk/<prefix>, or $XDG_RUNTIME_DIR/dpdk/<prefix> for a non-root user), the shared
// memory files when the EAL runs with shared config (hugepages), and the telemetry socket in that
// directory, so instances side by side on one host never meet: `configured` when not empty, else
// "rvoipd-<admin_port>" (the admin port is unique per host), else "rvoipd-<pid>" (admin server
// disabled: admin_port 0).
std::string instance_file_prefix(const std::string& configured, uint16_t admin_port, int pid);

// The --file-prefix value in `args` (both "--file-prefix=X" and "--file-prefix X"), or empty.
std::string file_prefix_of(const std::vector<std::string>& args);

// After init_eal(): where this instance's telemetry socket is (runtime dir/dpdk_telemetry.v2),
// or empty when the EAL runs with --no-telemetry.
std::string telemetry_socket_path(const std::vector<std::string>& args);

// Draws the process hash key (init_hash_key(), dataplane/keyed_hash.hpp), then rte_eal_init on
// `args`. Error names the EAL's reason and what to check.
Result<void> init_eal(const std::vector<std::string>& args);

// rte_eal_cleanup, once, after every lcore returned.
void cleanup_eal() noexcept;

// A --lcores value for `workers` worker lcores on a machine with `cpus` CPUs: main lcore 0 on
// CPU 0, workers on CPUs 1..; when CPUs run short, the workers share the last CPU.
std::string default_lcores(unsigned workers, unsigned cpus);

}  // namespace rv::dataplane
