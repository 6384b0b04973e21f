#include "planes/transport/http_upgrade.hpp"

#include <cstring>
#include <string_view>

namespace rv::planes::transport {
namespace {

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view v) noexcept {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.remove_suffix(1);
  return v;
}

// True when the comma-separated list `v` holds `token`.
bool has_token(std::string_view v, std::string_view token) noexcept {
  while (!v.empty()) {
    const std::size_t comma = v.find(',');
    if (iequals(trim(v.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return false;
}

// The end of the header block (after CRLFCRLF, or LFLF), or 0 when it is not all there.
std::size_t header_end(std::string_view t) noexcept {
  const std::size_t crlf = t.find("\r\n\r\n");
  const std::size_t lf = t.find("\n\n");
  if (crlf != std::string_view::npos && (lf == std::string_view::npos || crlf + 2 <= lf)) return crlf + 4;
  return lf != std::string_view::npos ? lf + 2 : 0;
}

}  // namespace

HttpUpgrade parse_http_upgrade(std::span<const uint8_t> data) noexcept {
  HttpUpgrade u;
  const std::string_view t(reinterpret_cast<const char*>(data.data()), data.size());
  const bool request = t.starts_with("GET ");
  const bool response = t.starts_with("HTTP/1.1 101") || t.starts_with("HTTP/1.0 101");
  if (!request && !response) {
    // A prefix of either, cut by the segment end, may still become one.
    constexpr std::string_view kResp = "HTTP/1.1 101";
    if (!t.empty() && t.size() < kResp.size() && (kResp.starts_with(t) || std::string_view("GET ").starts_with(t))) {
      u.kind = HttpUpgrade::Kind::kNeedMore;
    }
    return u;
  }
  const std::size_t end = header_end(t);
  if (end == 0) {
    u.kind = HttpUpgrade::Kind::kNeedMore;
    return u;
  }
  bool websocket = false;
  std::string_view rest = t.substr(0, end);
  rest.remove_prefix(rest.find('\n') + 1);  // the start line
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "upgrade") && has_token(value, "websocket")) websocket = true;
    if (iequals(name, "sec-websocket-protocol") && has_token(value, "sip")) u.sip = true;
  }
  if (!websocket) return u;
  u.kind = request ? HttpUpgrade::Kind::kRequest : HttpUpgrade::Kind::kResponse;
  u.header_bytes = static_cast<uint32_t>(end);
  return u;
}

}  // namespace rv::planes::transport
