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
  std::vector<std::string> user_args;   // after `--` on the command line, passed last
};

// The full EAL argv (argv[0] = "rvoipd") for `cfg` and `plan`: --no-huge --no-shconf --no-pci
// -m N when hugepages are off, the lcore set, the devices, cfg.eal_args, then plan.user_args.
// An lcore option (-l, -c, --lcores) in the user's args replaces the generated one.
std::vector<std::string> build_eal_args(const config::DataplaneConfig& cfg, const EalPlan& plan);

// Draws the process hash key (init_hash_key(), dataplane/keyed_hash.hpp), then rte_eal_init on
// `args`. Error names the EAL's reason and what to check.
Result<void> init_eal(const std::vector<std::string>& args);

// rte_eal_cleanup, once, after every lcore returned.
void cleanup_eal() noexcept;

// A --lcores value for `workers` worker lcores on a machine with `cpus` CPUs: main lcore 0 on
// CPU 0, workers on CPUs 1..; when CPUs run short, the workers share the last CPU.
std::string default_lcores(unsigned workers, unsigned cpus);

}  // namespace rv::dataplane
