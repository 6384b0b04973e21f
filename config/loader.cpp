#include "config/loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include <fmt/format.h>

#include "config/config_file.hpp"
#include "config/schema.hpp"
#include "config/validate.hpp"

extern char** environ;

namespace rv::config {
namespace {

std::string node_kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return fmt::format("'{}'", n.Scalar());
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    default: return "an undefined node";
  }
}

// Parsed key paths and where they are, the keys whose values were rejected, and the issues.
struct LoadState {
  Config config;
  IssueSink issues;
  KeyLocations where;
  KeySet rejected;

  void reject(const std::string& path, ConfigIssue issue) {
    if (find_field(path) != nullptr) rejected.insert(path);
    issues.add(std::move(issue));
  }
};

struct YamlWalker {
  LoadState& st;

  void issue(const std::string& path, const YAML::Mark& m, std::string msg) {
    st.reject(path, {path, std::move(msg), m.line + 1, m.column + 1});
  }

  void set_field(const FieldSpec& f, const std::string& path, const YAML::Node& value) {
    if (f.kind == FieldKind::kStringList) {
      if (!value.IsSequence()) {
        issue(path, value.Mark(), fmt::format("expected a list of strings, got {}", node_kind(value)));
        return;
      }
      std::vector<std::string> items;
      for (const auto& item : value) {
        // Each item's place, so that a rule about one item points at its line.
        st.where[fmt::format("{}[{}]", path, items.size())] = {item.Mark().line + 1,
                                                                item.Mark().column + 1};
        if (!item.IsScalar()) {
          issue(path, item.Mark(), fmt::format("expected a string item, got {}", node_kind(item)));
          return;
        }
        items.push_back(item.Scalar());
      }
      if (auto err = f.set_list(st.config, items)) issue(path, value.Mark(), *err);
      return;
    }
    if (!value.IsScalar()) {
      issue(path, value.Mark(), fmt::format("expected {}, got {}", expected_text(f), node_kind(value)));
      return;
    }
    if (auto err = f.set(st.config, value.Scalar())) issue(path, value.Mark(), *err);
  }

  void walk(const YAML::Node& map, const std::string& prefix) {
    for (const auto& kv : map) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
      const std::string path = prefix.empty() ? key : prefix + "." + key;
      const YAML::Mark mark = kv.first.Mark();
      if (const FieldSpec* f = find_field(path)) {
        st.where[path] = {mark.line + 1, mark.column + 1};
        set_field(*f, path, kv.second);
      } else if (is_section(path)) {
        if (kv.second.IsMap()) {
          walk(kv.second, path);
        } else if (!kv.second.IsNull()) {
          issue(path, kv.second.Mark(), fmt::format("expected a mapping (section), got {}", node_kind(kv.second)));
        }
      } else {
        issue(path, mark, "unknown key");
      }
    }
  }
};

void parse_yaml(const std::string& text, LoadState& st) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    st.issues.add({"(file)", fmt::format("invalid YAML: {}", e.msg), e.mark.line + 1, e.mark.column + 1});
    return;
  }
  if (root.IsNull()) return;  // comments only: the defaults
  if (!root.IsMap()) {
    st.issues.add({"(root)", fmt::format("expected a mapping of sections, got {}", node_kind(root)), root.Mark().line + 1, root.Mark().column + 1});
    return;
  }
  try {
    YamlWalker{st}.walk(root, "");
  } catch (const YAML::Exception& e) {
    st.issues.add({"(file)", fmt::format("invalid YAML: {}", e.msg), e.mark.line + 1, e.mark.column + 1});
  }
}

// RVOIP__PLANES__MEDIA__MAX_STREAMS -> planes.media.max_streams
std::string env_to_path(std::string_view name) {
  name.remove_prefix(std::string_view("RVOIP__").size());
  std::string path;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name.substr(i, 2) == "__") {
      path += '.';
      ++i;
    } else {
      path += static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
    }
  }
  return path;
}

void apply_override(LoadState& st, const std::string& path, std::string_view value,
                    const std::string& origin) {
  const FieldSpec* f = find_field(path);
  if (f == nullptr) {
    st.issues.add({path, is_section(path) ? "is a section, not a key" : "unknown key", 0, 0, origin});
    return;
  }
  if (auto err = f->set(st.config, value)) st.reject(path, {path, *err, 0, 0, origin});
}

// Environment, then --set: both override the file.
void apply_overrides(LoadState& st, const LoadRequest& request) {
  for (const auto& [name, value] : request.env) {
    apply_override(st, env_to_path(name), value, "environment " + name);
  }
  for (const auto& s : request.sets) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      st.issues.add({s, "expected --set section.key=value", 0, 0, "--set"});
      continue;
    }
    apply_override(st, s.substr(0, eq), std::string_view(s).substr(eq + 1), "--set");
  }
}

// The limit a config file is read under: control.config_max_bytes from the defaults, the
// environment and --set (the file's own keys are not known before it is read).
uint64_t read_limit(const LoadRequest& request) {
  LoadState scratch;
  apply_overrides(scratch, request);  // its issues are reported by the real pass
  return scratch.config.control.config_max_bytes;
}

// A file's control.config_max_bytes may lower the limit it was read under, not raise it.
void check_file_limit(LoadState& st, const std::string& file, uint64_t size, uint64_t limit) {
  constexpr std::string_view kKey = "control.config_max_bytes";
  const uint64_t set = st.config.control.config_max_bytes;
  if (st.rejected.contains(kKey) || set == limit) return;
  ConfigIssue i{std::string(kKey), ""};
  if (set > limit) {
    i.message = fmt::format("{} cannot raise the limit this file was read under ({}); raise it "
                            "with --set or RVOIP__CONTROL__CONFIG_MAX_BYTES",
                            set, limit);
  } else if (size > set) {
    i = {file, fmt::format("config file is {} bytes, more than control.config_max_bytes ({}) "
                           "that it sets",
                           size, set)};
  } else {
    return;
  }
  if (const auto it = st.where.find(i.path); it != st.where.end()) {
    i.line = it->second.first;
    i.column = it->second.second;
  }
  st.issues.add(std::move(i));
}

std::expected<Config, ConfigIssues> finish(LoadState& st) {
  validate(st.config, st.where, st.rejected, st.issues);
  if (!st.issues.empty()) return std::unexpected(std::move(st.issues).take());
  return std::move(st.config);
}

}  // namespace

std::expected<Config, ConfigIssues> load_yaml_text(const std::string& yaml) {
  LoadState st;
  parse_yaml(yaml, st);
  return finish(st);
}

std::expected<Config, ConfigIssues> load_config(const LoadRequest& request) {
  LoadState st;
  uint64_t limit = 0;
  uint64_t size = 0;
  if (request.file) {
    limit = read_limit(request);
    auto text = read_config_file(*request.file, limit);
    if (!text) return std::unexpected(ConfigIssues{std::move(text.error())});
    size = text->size();
    parse_yaml(*text, st);
  }
  apply_overrides(st, request);
  if (request.file) check_file_limit(st, *request.file, size, limit);
  return finish(st);
}

std::vector<std::pair<std::string, std::string>> environment_overrides() {
  std::vector<std::pair<std::string, std::string>> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (!kv.starts_with("RVOIP__")) continue;
    const auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string render_default_config() {
  const Config defaults;
  std::string out =
      "# rvoipd reference configuration: every key with its default value.\n"
      "# Precedence: defaults < this file < RVOIP__SECTION__KEY=value < --set section.key=value\n"
      "# (reload) marks keys applied by hot reload (SIGHUP or file change); others need a restart.\n";
  std::vector<std::string> open;  // currently open section path components
  for (const auto& f : schema()) {
    std::vector<std::string> parts;
    std::stringstream ss(f.path);
    for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
    const std::vector<std::string> sections(parts.begin(), parts.end() - 1);
    std::size_t common = 0;
    while (common < open.size() && common < sections.size() && open[common] == sections[common]) ++common;
    for (std::size_t i = common; i < sections.size(); ++i) {
      if (i == 0) out += '\n';
      out += fmt::format("{:{}}{}:\n", "", i * 2, sections[i]);
    }
    open = sections;
    const std::string indent(sections.size() * 2, ' ');
    out += fmt::format("{}# {}{} ({})\n", indent, f.help, f.reloadable ? " (reload)" : "", expected_text(f));
    out += fmt::format("{}{}: {}\n", indent, parts.back(), f.render(defaults));
  }
  return out;
}

}  // namespace rv::config
