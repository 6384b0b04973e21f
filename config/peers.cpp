#include "config/peers.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace rv::config {
namespace {

bool valid_peer_name(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  for (const char ch : n) {
    if (std::isalnum(static_cast<unsigned char>(ch)) == 0 && ch != '-' && ch != '_' && ch != '.') {
      return false;
    }
  }
  return true;
}

std::expected<PeerEntry, std::string> parse_prefix(PeerEntry e, std::string_view match) {
  const auto slash = match.find('/');
  const std::string addr(match.substr(0, slash));
  e.ipv6 = addr.find(':') != std::string::npos;
  if (inet_pton(e.ipv6 ? AF_INET6 : AF_INET, addr.c_str(), e.addr.data()) != 1) {
    return std::unexpected(fmt::format("'{}' is not an IPv{} address", addr, e.ipv6 ? 6 : 4));
  }
  const unsigned max_len = e.ipv6 ? 128 : 32;
  unsigned len = max_len;
  if (slash != std::string_view::npos) {
    const std::string_view l = match.substr(slash + 1);
    const auto [p, ec] = std::from_chars(l.data(), l.data() + l.size(), len);
    if (l.empty() || ec != std::errc{} || p != l.data() + l.size() || len > max_len) {
      return std::unexpected(
          fmt::format("'{}' is not a prefix length in [0, {}]", l, max_len));
    }
  }
  e.prefix_len = static_cast<uint8_t>(len);
  // Host bits set (192.0.2.1/24) are cleared: the prefix is what the operator meant.
  for (unsigned bit = len; bit < max_len; ++bit) {
    e.addr[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  }
  return e;
}

}  // namespace

bool is_dns_name(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i < h.size(); ++i) {
    const char c = h[i];
    if (c == '.') {
      if (label == 0 || h[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-') return false;
    if (c == '-' && label == 0) return false;
    if (++label > 63) return false;
  }
  return label != 0 && h.back() != '-';
}

std::expected<PeerEntry, std::string> parse_peer_entry(std::string_view entry) {
  const auto eq = entry.find('=');
  if (eq == std::string_view::npos) {
    return std::unexpected(fmt::format(
        "'{}' is not name=match (e.g. carrier-a=192.0.2.0/24 or sbc1=sbc1.example.net)", entry));
  }
  PeerEntry e;
  e.name = std::string(entry.substr(0, eq));
  const std::string_view match = entry.substr(eq + 1);
  if (!valid_peer_name(e.name)) {
    return std::unexpected(fmt::format(
        "peer name '{}' must be 1 to 64 letters, digits, '-', '_' or '.'", e.name));
  }
  if (e.name == kOtherPeer) {
    return std::unexpected("peer name 'other' is reserved for peers not configured");
  }
  if (match.empty()) return std::unexpected(fmt::format("'{}' has no match after '='", entry));
  const bool looks_ip = match.find(':') != std::string_view::npos ||
                        match.find('/') != std::string_view::npos ||
                        match.find_first_not_of("0123456789.") == std::string_view::npos;
  if (looks_ip) return parse_prefix(std::move(e), match);
  e.kind = PeerEntry::Kind::kHost;
  std::string_view host = match;
  if (host.starts_with("*.")) {
    e.wildcard = true;
    host.remove_prefix(1);  // keep the dot: ".suffix"
  }
  if (!is_dns_name(e.wildcard ? host.substr(1) : host)) {
    return std::unexpected(fmt::format(
        "'{}' is neither an IP prefix (address[/length]) nor a SIP host name", match));
  }
  for (const char ch : host) e.host += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return e;
}

}  // namespace rv::config
