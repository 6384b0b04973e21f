#include "control/metrics/peer_map.hpp"

#include <algorithm>
#include <cctype>

namespace rv::control {

Result<PeerMap> PeerMap::create(std::span<const std::string> entries) {
  PeerMap m;
  for (const auto& text : entries) {
    auto e = config::parse_peer_entry(text);
    if (!e) return std::unexpected(Error(ErrorCode::kConfig, "planes.peers: " + e.error()));
    auto it = std::find(m.names_.begin(), m.names_.end(), e->name);
    const auto peer = static_cast<std::size_t>(it - m.names_.begin());
    if (it == m.names_.end()) m.names_.push_back(e->name);
    m.rules_.push_back({std::move(*e), peer});
  }
  if (m.names_.size() > config::kMaxPeerNames) {
    return std::unexpected(Error(ErrorCode::kConfig, "planes.peers: too many peer names"));
  }
  m.names_.emplace_back(config::kOtherPeer);
  return m;
}

bool PeerMap::prefix_matches(const config::PeerEntry& e, const dataplane::IpAddress& a) noexcept {
  const bool v6 = a.family == dataplane::L3Proto::kIpv6;
  if (a.family == dataplane::L3Proto::kNone || v6 != e.ipv6) return false;
  const unsigned full = e.prefix_len / 8u;
  if (!std::equal(e.addr.begin(), e.addr.begin() + full, a.bytes.begin())) return false;
  const unsigned rest = e.prefix_len % 8u;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xffu << (8 - rest));
  return (a.bytes[full] & mask) == e.addr[full];
}

bool PeerMap::host_matches(const config::PeerEntry& e, std::string_view host) noexcept {
  if (host.empty()) return false;
  if (!e.wildcard) return host == e.host;
  return host.size() > e.host.size() && host.ends_with(e.host);  // e.host is ".suffix"
}

std::string PeerMap::uri_host(std::string_view uri) {
  const auto colon = uri.find(':');
  if (colon == std::string_view::npos) return {};
  uri.remove_prefix(colon + 1);  // after sip: / sips: / tel:
  if (const auto at = uri.find('@'); at != std::string_view::npos) uri.remove_prefix(at + 1);
  std::string_view host;
  if (!uri.empty() && uri.front() == '[') {
    host = uri.substr(0, uri.find(']') + 1);
  } else {
    host = uri.substr(0, uri.find_first_of(":;?>"));
  }
  std::string out;
  for (const char ch : host) out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

std::size_t PeerMap::peer_of_call(const planes::signaling::CallRecord& r) const {
  if (rules_.empty()) return other();
  const std::string to = uri_host(r.to.view());
  const std::string from = uri_host(r.from.view());
  for (const auto& rule : rules_) {
    const auto& e = rule.entry;
    const bool hit = e.kind == config::PeerEntry::Kind::kPrefix
                         ? prefix_matches(e, r.flow.src.addr) || prefix_matches(e, r.flow.dst.addr)
                         : host_matches(e, to) || host_matches(e, from);
    if (hit) return rule.peer;
  }
  return other();
}

std::size_t PeerMap::peer_of_flow(const dataplane::FlowKey& f) const {
  for (const auto& rule : rules_) {
    const auto& e = rule.entry;
    if (e.kind == config::PeerEntry::Kind::kPrefix &&
        (prefix_matches(e, f.src.addr) || prefix_matches(e, f.dst.addr))) {
      return rule.peer;
    }
  }
  return other();
}

}  // namespace rv::control
