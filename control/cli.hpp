#pragma once
// The rvoipd command line (DESIGN.md §8), parsed with CLI11. Control-plane only.

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace rv::control {

struct CliOptions {
  std::optional<std::string> config_file;
  std::vector<std::string> sets;         // --set section.key=value, in order
  bool check_config = false;
  bool print_default_config = false;
  std::vector<std::string> pcaps;        // replay mode when not empty
  std::optional<std::string> report;     // JSON report path
  std::vector<std::string> await_probes; // analyzer: end after these probes finished
  std::vector<std::string> eal_args;     // everything after `--`
};

// What the command line asks for: options to run with, or an exit code right away
// (--help, --version, a usage error — the message is already printed).
using CliOutcome = std::variant<CliOptions, int>;

CliOutcome parse_cli(int argc, char** argv);

}  // namespace rv::control
