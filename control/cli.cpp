#include "control/cli.hpp"

#include <CLI/CLI.hpp>

#include <cstring>
#include <iostream>

#include <rte_version.h>

#include "control/exit_code.hpp"
#include "rv_build_config.hpp"

namespace rv::control {

CliOutcome parse_cli(int argc, char** argv) {
  // Everything after `--` belongs to the EAL; CLI11 never sees it.
  int own = argc;
  CliOptions o;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) {
      own = i;
      for (int j = i + 1; j < argc; ++j) o.eal_args.emplace_back(argv[j]);
      break;
    }
  }
  CLI::App app{"rvoipd: kernel-bypass VoIP data-plane appliance (SIP, RTP, RTCP)", "rvoipd"};
  app.footer(
      "EAL arguments go after `--`, e.g. `rvoipd -- --vdev=net_null0`.\n"
      "Exit codes: 0 ok, 1 runtime failure, 2 usage or config error.");
  app.add_option("-c,--config", o.config_file, "YAML config file")->check(CLI::ExistingFile);
  app.add_option("--set", o.sets, "override a key: section.key=value (repeatable)");
  app.add_flag("--check-config", o.check_config, "validate the config (no EAL) and exit");
  app.add_flag("--print-default-config", o.print_default_config,
               "print a commented reference config and exit");
  app.add_option("--pcap", o.pcaps, "replay a capture through net_pcap (repeatable)")
      ->check(CLI::ExistingFile);
  app.add_option("--report", o.report, "write the JSON report here when the run ends");
  app.add_option("--await-probes", o.await_probes,
                 "analyzer: end once these probes (comma-separated ids) finished their replays and "
                 "everything they sent was handled")
      ->delimiter(',');
  std::string speed;
  app.add_option("--speed", speed, "replay pace: max, or realtime (the capture's own timing)")
      ->check(CLI::IsMember({"max", "realtime"}));
  bool version = false;
  app.add_flag("-V,--version", version, "print the version and exit");
  try {
    app.parse(own, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // prints help or the error with a hint
    return rc == 0 ? kExitOk : kExitUsage;
  }
  // --speed is the command-line spelling of dataplane.replay_speed (applied last, like --set).
  if (!speed.empty()) o.sets.push_back("dataplane.replay_speed=" + speed);
  if (version) {
    std::cout << "rvoipd " << RV_VERSION << " (" << rte_version() << ")\n";
    return kExitOk;
  }
  return o;
}

}  // namespace rv::control
