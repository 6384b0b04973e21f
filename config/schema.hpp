#pragma once
// The config schema: one FieldSpec per key, in the order `--print-default-config` prints them.
// Setters parse the textual form (YAML scalar, environment value, --set value) and validate type
// and range; they never throw. Control-plane only.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace rv::config {

enum class FieldKind { kBool, kUnsigned, kDouble, kString, kStringList };

struct FieldSpec {
  std::string path;  // "dataplane.burst_size"
  FieldKind kind;
  std::string help;
  bool reloadable = false;  // applied by hot reload; others need a restart
  double min = 0;           // numeric kinds
  double max = 0;
  std::vector<std::string> choices;  // kString with a closed set of values
  // Renders the current value as a YAML flow value ("32", "true", "[a, b]", "\"text\"").
  std::function<std::string(const Config&)> render;
  // Sets from one textual value (lists: comma-separated). Returns the error message, if any.
  std::function<std::optional<std::string>(Config&, std::string_view)> set;
  // Sets a list from its items (kStringList only).
  std::function<std::optional<std::string>(Config&, std::span<const std::string>)> set_list;
  // Equal in both configs (for the reload diff).
  std::function<bool(const Config&, const Config&)> equal;
};

// Every key, sections in order: dataplane, events, planes.signaling, planes.media, control,
// logging.
const std::vector<FieldSpec>& schema();

// The key at `path`, or nullptr.
const FieldSpec* find_field(std::string_view path);

// True when `path` names a section ("planes", "planes.media"), i.e. a prefix of some key.
bool is_section(std::string_view path);

// A human description of what the key expects ("an integer in [1, 65535]").
std::string expected_text(const FieldSpec& f);

}  // namespace rv::config
