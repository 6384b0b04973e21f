#pragma once
// Character classes and small scanners of the RFC 3261 grammar, shared by the SIP parser, the
// header value parsers and the SDP parser. All constexpr/noexcept, no allocation.

#include <array>
#include <cstdint>
#include <string_view>

namespace rv::planes::signaling::lex {

namespace detail {
constexpr std::array<bool, 256> make_token_table() noexcept {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("-.!%*_+`'~")) t[static_cast<uint8_t>(c)] = true;
  return t;
}
inline constexpr std::array<bool, 256> kToken = make_token_table();
}  // namespace detail

// token chars (RFC 3261 §25.1).
constexpr bool is_token(char c) noexcept { return detail::kToken[static_cast<uint8_t>(c)]; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_wsp(char c) noexcept { return c == ' ' || c == '\t'; }
// LWS inside a header value: folded lines keep their CR LF, so they count as whitespace.
constexpr bool is_lws(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
constexpr char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

constexpr bool all_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_token(c)) return false;
  }
  return true;
}

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

constexpr std::string_view trim_lws(std::string_view s) noexcept {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && is_lws(s[b])) ++b;
  while (e > b && is_lws(s[e - 1])) --e;
  return s.substr(b, e - b);
}

constexpr std::size_t skip_lws(std::string_view s, std::size_t i) noexcept {
  while (i < s.size() && is_lws(s[i])) ++i;
  return i;
}

// Parses an unsigned decimal of 1..max_digits digits that must make up all of `s`; false on
// anything else or when the value exceeds `max`.
constexpr bool parse_uint(std::string_view s, uint64_t max, uint64_t& out) noexcept {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    const uint64_t d = uint64_t(c - '0');
    if (v > (max - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

// Scans a quoted-string starting at s[i] == '"'; returns the index one past the closing quote,
// or npos when it is not terminated. quoted-pair (backslash + any octet but CR/LF) is honoured.
constexpr std::size_t scan_quoted(std::string_view s, std::size_t i) noexcept {
  ++i;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '"') return i + 1;
    if (c == '\\') {
      if (i + 1 >= s.size() || s[i + 1] == '\r' || s[i + 1] == '\n') return std::string_view::npos;
      i += 2;
      continue;
    }
    ++i;
  }
  return std::string_view::npos;
}

// A URI must start with a scheme: ALPHA *(ALPHA / DIGIT / "+" / "-" / ".") ":" and hold no LWS.
constexpr bool has_scheme(std::string_view uri) noexcept {
  if (uri.empty() || !is_alpha(uri[0])) return false;
  for (std::size_t i = 1; i < uri.size(); ++i) {
    const char c = uri[i];
    if (c == ':') return i + 1 < uri.size();
    if (!(is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.')) return false;
  }
  return false;
}

constexpr bool is_sip_uri(std::string_view uri) noexcept {
  return (uri.size() > 4 && iequals(uri.substr(0, 4), "sip:")) ||
         (uri.size() > 5 && iequals(uri.substr(0, 5), "sips:"));
}

constexpr bool contains_lws(std::string_view s) noexcept {
  for (char c : s) {
    if (is_lws(c)) return true;
  }
  return false;
}

}  // namespace rv::planes::signaling::lex
