#include "planes/signaling/sip_header_values.hpp"

#include "planes/signaling/sip_lex.hpp"

namespace rv::planes::signaling {

namespace {

constexpr std::size_t kNpos = std::string_view::npos;

// Characters of an unquoted parameter value: token plus what hosts and IPv6 references use.
constexpr bool is_pvalue(char c) noexcept {
  return lex::is_token(c) || c == ':' || c == '[' || c == ']' || c == '/' || c == '@' ||
         c == '&' || c == '$' || c == '?' || c == '(' || c == ')' || c == '#' ||
         static_cast<uint8_t>(c) >= 0x80;
}

constexpr bool is_host_char(char c) noexcept {
  return lex::is_alpha(c) || lex::is_digit(c) || c == '.' || c == '-' || c == ':' || c == '[' ||
         c == ']' || c == '_';
}

}  // namespace

std::size_t next_list_comma(std::string_view s, std::size_t from) noexcept {
  bool in_angle = false;
  std::size_t i = from;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '"') {
      const std::size_t e = lex::scan_quoted(s, i);
      if (e == kNpos) return s.size();
      i = e;
      continue;
    }
    if (c == '<') in_angle = true;
    if (c == '>') in_angle = false;
    if (c == ',' && !in_angle) return i;
    ++i;
  }
  return s.size();
}

bool parse_params(std::string_view s, std::string_view want, std::string_view& found) noexcept {
  std::size_t i = lex::skip_lws(s, 0);
  while (i < s.size()) {
    if (s[i] != ';') return false;
    i = lex::skip_lws(s, i + 1);
    const std::size_t name_begin = i;
    while (i < s.size() && lex::is_token(s[i])) ++i;
    if (i == name_begin) return false;  // ";;" or ";=": empty parameter name
    const std::string_view name = s.substr(name_begin, i - name_begin);
    i = lex::skip_lws(s, i);
    std::string_view value;
    if (i < s.size() && s[i] == '=') {
      i = lex::skip_lws(s, i + 1);
      const std::size_t value_begin = i;
      if (i < s.size() && s[i] == '"') {
        i = lex::scan_quoted(s, i);
        if (i == kNpos) return false;
      } else {
        while (i < s.size() && is_pvalue(s[i])) ++i;
      }
      if (i == value_begin) return false;
      value = s.substr(value_begin, i - value_begin);
      i = lex::skip_lws(s, i);
    }
    if (!want.empty() && found.empty() && lex::iequals(name, want)) found = value;
  }
  return true;
}

bool parse_name_addr(std::string_view value, SipNameAddr& out) noexcept {
  const std::string_view v = lex::trim_lws(value);
  if (v.empty()) return false;
  std::size_t lt = kNpos;
  if (v[0] == '"') {
    const std::size_t e = lex::scan_quoted(v, 0);
    if (e == kNpos) return false;
    out.display = v.substr(1, e - 2);
    lt = lex::skip_lws(v, e);
    if (lt >= v.size() || v[lt] != '<') return false;
  } else {
    lt = v.find('<');
    if (lt != kNpos) {
      // Unquoted display-name: *(token LWS).
      for (std::size_t i = 0; i < lt; ++i) {
        if (!lex::is_token(v[i]) && !lex::is_lws(v[i])) return false;
      }
      out.display = lex::trim_lws(v.substr(0, lt));
    }
  }
  std::string_view rest;
  if (lt != kNpos) {
    const std::size_t gt = v.find('>', lt + 1);
    if (gt == kNpos) return false;
    out.uri = v.substr(lt + 1, gt - lt - 1);
    if (lex::contains_lws(out.uri)) return false;
    rest = v.substr(gt + 1);
  } else {
    // addr-spec: the URI ends at the first ';' or LWS; it must not carry '?' or ','.
    std::size_t e = 0;
    while (e < v.size() && v[e] != ';' && !lex::is_lws(v[e])) ++e;
    out.uri = v.substr(0, e);
    for (char c : out.uri) {
      if (c == '?' || c == ',' || c == '<' || c == '>' || c == '"') return false;
    }
    rest = v.substr(e);
  }
  if (!lex::has_scheme(out.uri)) return false;
  return parse_params(rest, "tag", out.tag);
}

bool parse_via_parm(std::string_view v, std::string_view& branch) noexcept {
  std::size_t i = 0;
  // sent-protocol: name SLASH version SLASH transport, SWS allowed around the slashes.
  for (int part = 0; part < 3; ++part) {
    i = lex::skip_lws(v, i);
    const std::size_t b = i;
    while (i < v.size() && lex::is_token(v[i])) ++i;
    if (i == b) return false;
    if (part < 2) {
      i = lex::skip_lws(v, i);
      if (i >= v.size() || v[i] != '/') return false;
      ++i;
    }
  }
  if (i >= v.size() || !lex::is_lws(v[i])) return false;
  i = lex::skip_lws(v, i);
  const std::size_t host_begin = i;
  while (i < v.size() && is_host_char(v[i])) ++i;
  if (i == host_begin) return false;
  return parse_params(v.substr(i), "branch", branch);
}

bool parse_cseq(std::string_view value, uint32_t& number, std::string_view& method) noexcept {
  const std::string_view v = lex::trim_lws(value);
  std::size_t i = 0;
  while (i < v.size() && lex::is_digit(v[i])) ++i;
  uint64_t n = 0;
  if (!lex::parse_uint(v.substr(0, i), (1ull << 31) - 1, n)) return false;
  if (i >= v.size() || !lex::is_lws(v[i])) return false;
  i = lex::skip_lws(v, i);
  method = v.substr(i);
  if (!lex::all_token(method)) return false;
  number = static_cast<uint32_t>(n);
  return true;
}

}  // namespace rv::planes::signaling
