#pragma once
// Loads the configuration: defaults < file < environment (RVOIP__SECTION__KEY=value) < --set
// (section.key=value). Every problem is collected and returned at once. Control-plane only; the
// only place yaml-cpp is used. Never throws.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "config/config_issue.hpp"

namespace rv::config {

struct LoadRequest {
  std::optional<std::string> file;                          // YAML file, if any
  std::vector<std::pair<std::string, std::string>> env;     // RVOIP__* variables (name, value)
  std::vector<std::string> sets;                            // "section.key=value"
};

std::expected<Config, ConfigIssues> load_config(const LoadRequest& request);

// Parses YAML text alone (no env, no --set), for tests and reload checks.
std::expected<Config, ConfigIssues> load_yaml_text(const std::string& yaml);

// The RVOIP__* variables of this process's environment.
std::vector<std::pair<std::string, std::string>> environment_overrides();

// A commented YAML reference config generated from the schema, with the default values.
std::string render_default_config();

}  // namespace rv::config
