#pragma once
// Parsers for the header values the signaling plane reads: name-addr / addr-spec (From, To,
// Contact), Via, CSeq, generic `;name=value` parameter lists and comma-separated lists.
// Pure, noexcept, allocation-free; results are views into the value.

#include <cstdint>
#include <string_view>

#include "planes/signaling/sip_message.hpp"

namespace rv::planes::signaling {

// Index of the first comma at or after `from` that is outside quotes and <...>; s.size() if none.
std::size_t next_list_comma(std::string_view s, std::size_t from) noexcept;

// Calls fn(element) for each comma-separated element (LWS-trimmed); stops and returns false as
// soon as fn returns false or an element is empty.
template <typename Fn>
bool for_each_list_element(std::string_view s, Fn&& fn) noexcept {
  std::size_t i = 0;
  for (;;) {
    const std::size_t c = next_list_comma(s, i);
    std::string_view e = s.substr(i, c - i);
    std::size_t b = 0;
    std::size_t n = e.size();
    while (b < n && (e[b] == ' ' || e[b] == '\t' || e[b] == '\r' || e[b] == '\n')) ++b;
    while (n > b && (e[n - 1] == ' ' || e[n - 1] == '\t' || e[n - 1] == '\r' || e[n - 1] == '\n')) --n;
    e = e.substr(b, n - b);
    if (e.empty() || !fn(e)) return false;
    if (c >= s.size()) return true;
    i = c + 1;
  }
}

// Parses `*( SWS ";" SWS pname [ SWS "=" SWS pvalue ] )` covering all of `params`. When a
// parameter named `want` (case-insensitive) is present, `found` receives its value (unquoted
// view for quoted strings is not produced: quotes are kept). False on any syntax error.
bool parse_params(std::string_view params, std::string_view want, std::string_view& found) noexcept;

// Parses one name-addr or addr-spec with its parameters (RFC 3261 §20.10, §20.20, §20.39).
// Rejects unbalanced quotes, non-token unquoted display names, LWS inside <>, a URI without a
// scheme, and '?' or ',' in a bare addr-spec. Fills display, uri and tag.
bool parse_name_addr(std::string_view value, SipNameAddr& out) noexcept;

// Parses one via-parm: sent-protocol LWS sent-by *( SEMI via-params ). `branch` gets the branch
// parameter (empty when absent).
bool parse_via_parm(std::string_view via_parm, std::string_view& branch) noexcept;

// Parses `1*DIGIT LWS Method`; the number must be below 2^31 (RFC 3261 §8.1.1.5).
bool parse_cseq(std::string_view value, uint32_t& number, std::string_view& method) noexcept;

}  // namespace rv::planes::signaling
