#pragma once
// The hot-reload diff (DESIGN.md §7): which keys differ between the running config and a newly
// loaded one, split by the schema into reloadable and restart-only, and the running config with
// chosen changes applied. Pure: no YAML, no I/O, no globals. Control-plane only.

#include <span>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/schema.hpp"

namespace rv::config {

struct ConfigChange {
  const FieldSpec* field = nullptr;
  std::string before;  // rendered as in --print-default-config
  std::string after;
};

struct ConfigDiff {
  std::vector<ConfigChange> reloadable;    // FieldSpec::reloadable
  std::vector<ConfigChange> restart_only;  // changed, but only a restart applies them
  bool empty() const noexcept { return reloadable.empty() && restart_only.empty(); }
};

// Every key whose value differs (FieldSpec::equal), in schema order.
ConfigDiff diff_config(const Config& running, const Config& candidate);

// `running` with the `after` value of each change applied; every other key keeps its running
// value.
Config apply_changes(const Config& running, std::span<const ConfigChange> changes);

// "path: before -> after" for logs.
std::string describe(const ConfigChange& change);

}  // namespace rv::config
