#pragma once
// CliDoc: the rvoipd command line as data (options, values, help), taken from the CLI11
// definition in control/cli.cpp so that the man page and the shell completion generated from it
// (control/service/man_page.hpp, bash_completion.hpp) never drift from what the parser accepts.
// Control-plane only; no CLI11 types cross this header.

#include <string>
#include <vector>

namespace rv::control {

// What an option's value is, for the completion.
enum class CliValueKind { kNone, kText, kFile, kDirectory, kChoice, kConfigKey };

struct CliOptionDoc {
  std::vector<std::string> names;  // "-c", "--config"
  std::string value;               // "FILE", "max|realtime"; empty for a flag
  CliValueKind kind = CliValueKind::kNone;
  std::vector<std::string> choices;  // kChoice
  bool repeatable = false;
  std::string help;
};

struct CliDoc {
  std::string summary;                // one line: what rvoipd is
  std::vector<CliOptionDoc> options;  // in the order of --help, hidden options left out
};

}  // namespace rv::control
