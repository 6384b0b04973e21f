#include "control/cli.hpp"

#include <CLI/CLI.hpp>

#include <cstring>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <rte_version.h>

#include "control/exit_code.hpp"
#include "control/service/bash_completion.hpp"
#include "control/service/cli_doc.hpp"
#include "control/service/man_page.hpp"
#include "rv_build_config.hpp"

namespace rv::control {
namespace {

constexpr const char* kSummary = "kernel-bypass VoIP data-plane appliance (SIP, RTP, RTCP)";

CliValueKind value_kind(const CLI::Option& o, const std::string& type) {
  if (o.get_expected_max() == 0) return CliValueKind::kNone;
  if (o.check_lname("set")) return CliValueKind::kConfigKey;
  if (type.starts_with("{")) return CliValueKind::kChoice;
  if (type == "DIR") return CliValueKind::kDirectory;
  if (type.find("FILE") != std::string::npos) return CliValueKind::kFile;
  return CliValueKind::kText;
}

// The options CLI11 knows, as --help lists them; hidden ones (empty group) are left out.
CliDoc describe(const CLI::App& app) {
  CliDoc doc{kSummary, {}};
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_group().empty()) continue;
    CliOptionDoc d;
    for (const auto& n : o->get_snames()) d.names.push_back("-" + n);
    for (const auto& n : o->get_lnames()) d.names.push_back("--" + n);
    // "TEXT:FILE" -> "FILE", "TEXT:{max,realtime}" -> "{max,realtime}"
    std::string type = o->get_type_name();
    if (const auto colon = type.rfind(':'); colon != std::string::npos) type = type.substr(colon + 1);
    d.kind = value_kind(*o, type);
    if (d.kind == CliValueKind::kChoice) {
      std::stringstream items(type.substr(1, type.size() - 2));
      for (std::string c; std::getline(items, c, ',');) d.choices.push_back(c);
      d.value = fmt::format("{}", fmt::join(d.choices, "|"));
    } else if (d.kind != CliValueKind::kNone) {
      d.value = d.kind == CliValueKind::kConfigKey ? "KEY=VALUE" : type;
    }
    d.repeatable = d.kind != CliValueKind::kNone && o->get_items_expected_max() > 1;
    d.help = o->get_description();
    doc.options.push_back(std::move(d));
  }
  return doc;
}

}  // namespace

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
  CLI::App app{fmt::format("rvoipd: {}", kSummary), "rvoipd"};
  app.footer(
      "EAL arguments go after `--`, e.g. `rvoipd -- --vdev=net_null0`.\n"
      "Exit codes: 0 ok, 1 runtime failure, 2 usage or config error.");
  app.add_option("-c,--config", o.config_file, "YAML config file")->check(CLI::ExistingFile);
  app.add_option("--set", o.sets, "override a key: section.key=value (repeatable)")
      ->type_name("KEY=VALUE");
  app.add_flag("--check-config", o.check_config, "validate the config (no EAL) and exit");
  app.add_flag("--print-default-config", o.print_default_config,
               "print a commented reference config and exit");
  app.add_option("--pcap", o.pcaps, "replay a capture through net_pcap (repeatable)")
      ->check(CLI::ExistingFile);
  app.add_option("--report", o.report, "write the JSON report here when the run ends")
      ->type_name("FILE");
  app.add_option("--await-probes", o.await_probes,
                 "analyzer: end once these probes (comma-separated ids) finished their replays and "
                 "everything they sent was handled")
      ->delimiter(',')
      ->type_name("PROBE");
  app.add_option("--extract", o.extract,
                 "with --pcap: write one pcap per Call-ID (its SIP, RTP and RTCP) into --out")
      ->expected(1, -1)
      ->type_name("CALL_ID");
  app.add_option("--out", o.out_dir, "directory for --extract")->type_name("DIR");
  std::string speed;
  app.add_option("--speed", speed, "replay pace: max, or realtime (the capture's own timing)")
      ->check(CLI::IsMember({"max", "realtime"}));
  bool version = false;
  app.add_flag("-V,--version", version, "print the version and exit");
  // Build-time generators of the installed man page and completion (an empty group hides them).
  bool print_man = false;
  bool print_completion = false;
  app.add_flag("--print-man", print_man, "print the rvoipd(8) man page (roff) and exit")->group("");
  app.add_flag("--print-bash-completion", print_completion, "print the bash completion and exit")
      ->group("");
  try {
    app.parse(own, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // prints help or the error with a hint
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (!o.extract.empty() && (o.pcaps.empty() || !o.out_dir)) {
    std::cerr << "rvoipd: --extract needs --pcap (a replay) and --out DIR\n";
    return kExitUsage;
  }
  if (o.out_dir && o.extract.empty()) {
    std::cerr << "rvoipd: --out is the directory of --extract; give the Call-IDs to extract\n";
    return kExitUsage;
  }
  // --speed is the command-line spelling of dataplane.replay_speed (applied last, like --set).
  if (!speed.empty()) o.sets.push_back("dataplane.replay_speed=" + speed);
  if (print_man) {
    std::cout << render_man_page(describe(app), RV_VERSION, RV_SYSCONFDIR, RV_DATADIR);
    return kExitOk;
  }
  if (print_completion) {
    std::cout << render_bash_completion(describe(app));
    return kExitOk;
  }
  if (version) {
    std::cout << "rvoipd " << RV_VERSION << " (" << rte_version() << ")\n";
    return kExitOk;
  }
  return o;
}

}  // namespace rv::control
