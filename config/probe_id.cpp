#include <unistd.h>

#include <array>
#include <cctype>
#include <string>

#include "config/config.hpp"

namespace rv::config {

std::string default_probe_id() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0 || host[0] == '\0') return "probe";
  std::string id(host.data());
  id = id.substr(0, id.find('.'));
  for (char& ch : id) {
    const auto u = static_cast<unsigned char>(ch);
    if (std::isalnum(u) == 0 && ch != '-' && ch != '_') ch = '-';
  }
  if (id.size() > 64) id.resize(64);
  return id.empty() || id == "broadcast" ? "probe" : id;
}

}  // namespace rv::config
