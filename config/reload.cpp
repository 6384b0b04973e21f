#include "config/reload.hpp"

#include <fmt/format.h>

namespace rv::config {
namespace {

// Inverse of the schema's quote(): the text inside "..." with \" and \\ unescaped. `pos` is at
// the opening quote and ends after the closing one.
std::string unquote(const std::string& s, std::size_t& pos) {
  std::string out;
  for (++pos; pos < s.size() && s[pos] != '"'; ++pos) {
    if (s[pos] == '\\' && pos + 1 < s.size()) ++pos;
    out += s[pos];
  }
  ++pos;
  return out;
}

// Sets `f` in `cfg` from its rendered form (FieldSpec::render). Rendering is the one generic
// read access the schema offers; this is its inverse.
void set_rendered(const FieldSpec& f, Config& cfg, const std::string& rendered) {
  std::size_t pos = 0;
  switch (f.kind) {
    case FieldKind::kString: (void)f.set(cfg, unquote(rendered, pos)); return;
    case FieldKind::kStringList: {
      std::vector<std::string> items;
      while ((pos = rendered.find('"', pos)) != std::string::npos) {
        items.push_back(unquote(rendered, pos));
      }
      (void)f.set_list(cfg, items);
      return;
    }
    default: (void)f.set(cfg, rendered); return;
  }
}

}  // namespace

ConfigDiff diff_config(const Config& running, const Config& candidate) {
  ConfigDiff d;
  for (const auto& f : schema()) {
    if (f.equal(running, candidate)) continue;
    ConfigChange c{&f, f.render(running), f.render(candidate)};
    (f.reloadable ? d.reloadable : d.restart_only).push_back(std::move(c));
  }
  return d;
}

Config apply_changes(const Config& running, std::span<const ConfigChange> changes) {
  Config out = running;
  for (const auto& c : changes) set_rendered(*c.field, out, c.after);
  return out;
}

std::string describe(const ConfigChange& change) {
  return fmt::format("{}: {} -> {}", change.field->path, change.before, change.after);
}

}  // namespace rv::config
