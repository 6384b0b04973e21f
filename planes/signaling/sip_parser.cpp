#include "planes/signaling/sip_parser.hpp"

#include <cstring>

#include "planes/signaling/sip_header_values.hpp"
#include "planes/signaling/sip_lex.hpp"

namespace rv::planes::signaling {

namespace {

using std::string_view;
constexpr std::size_t kNpos = string_view::npos;
constexpr string_view kVersion = "SIP/2.0";

struct StartLine {
  bool is_request = false;
  string_view method;
  string_view uri;
  uint16_t code = 0;
  string_view reason;
};

// Index of the '\n' of the CRLF ending the line that starts at `from`; kNpos if there is none.
// A bare LF (no CR before it) is reported as found at `bare_lf`.
std::size_t find_crlf(string_view s, std::size_t from) noexcept {
  if (from >= s.size()) return kNpos;
  const void* p = std::memchr(s.data() + from, '\n', s.size() - from);
  if (p == nullptr) return kNpos;
  return static_cast<std::size_t>(static_cast<const char*>(p) - s.data());
}

SipParseStatus parse_status_line(string_view line, StartLine& out) noexcept {
  if (line.size() < 8 || !lex::iequals(line.substr(0, 7), kVersion) || line[7] != ' ') {
    return SipParseStatus::kBadVersion;
  }
  if (line.size() < 12 || !lex::is_digit(line[8]) || !lex::is_digit(line[9]) ||
      !lex::is_digit(line[10]) || line[11] != ' ') {
    return SipParseStatus::kBadStatusCode;
  }
  const int code = (line[8] - '0') * 100 + (line[9] - '0') * 10 + (line[10] - '0');
  if (code < 100 || code > 699) return SipParseStatus::kBadStatusCode;
  out.is_request = false;
  out.code = static_cast<uint16_t>(code);
  out.reason = line.substr(12);
  return SipParseStatus::kOk;
}

SipParseStatus parse_start_line(string_view line, StartLine& out) noexcept {
  if (line.size() >= 4 && lex::iequals(line.substr(0, 4), "SIP/")) {
    return parse_status_line(line, out);
  }
  const std::size_t sp1 = line.find(' ');
  if (sp1 == kNpos || sp1 == 0) return SipParseStatus::kBadStartLine;
  out.method = line.substr(0, sp1);
  if (!lex::all_token(out.method)) return SipParseStatus::kBadMethod;
  const std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == kNpos) return SipParseStatus::kBadStartLine;
  out.uri = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const string_view version = line.substr(sp2 + 1);
  if (out.uri.empty() || !lex::has_scheme(out.uri) || lex::contains_lws(out.uri)) {
    return SipParseStatus::kBadRequestUri;
  }
  if (version != kVersion) {
    if (version.find(' ') != kNpos) {
      // "uri; lr SIP/2.0" (LWS in the URI) or trailing SP after the version.
      return version.starts_with(kVersion) ? SipParseStatus::kBadStartLine
                                           : SipParseStatus::kBadRequestUri;
    }
    return SipParseStatus::kBadVersion;
  }
  for (char c : out.uri) {
    if (static_cast<uint8_t>(c) < 0x21 || c == 0x7f) return SipParseStatus::kBadRequestUri;
  }
  // Headers are not allowed in a SIP Request-URI (RFC 3261 §19.1.5, RFC 4475 §3.1.2.11). A '?'
  // in the user part is legal (user-unreserved), so only look after the '@'.
  if (lex::is_sip_uri(out.uri)) {
    const std::size_t at = out.uri.rfind('@');
    if (out.uri.find('?', at == kNpos ? 0 : at) != kNpos) return SipParseStatus::kBadRequestUri;
  }
  out.is_request = true;
  return SipParseStatus::kOk;
}

enum : uint8_t {
  kSeenCallId = 1,
  kSeenFrom = 2,
  kSeenTo = 4,
  kSeenCSeq = 8,
  kSeenVia = 16,
  kSeenContentLength = 32,
  kMandatory = kSeenCallId | kSeenFrom | kSeenTo | kSeenCSeq | kSeenVia,
};

bool once(uint8_t& seen, uint8_t bit) noexcept {
  if (seen & bit) return false;
  seen |= bit;
  return true;
}

SipParseStatus apply_via(string_view value, SipMessage& m) noexcept {
  bool ok = true;
  const bool all = for_each_list_element(value, [&](string_view parm) noexcept {
    string_view branch;
    if (!parse_via_parm(parm, branch)) return ok = false;
    if (m.via_count == 0) {
      m.via_top = parm;
      m.via_branch = branch;
    }
    ++m.via_count;
    return true;
  });
  return (all && ok) ? SipParseStatus::kOk : SipParseStatus::kBadVia;
}

SipParseStatus apply_contact(string_view value, SipMessage& m) noexcept {
  if (value == "*") {
    if (m.contact_count++ == 0) m.contact = value;
    return SipParseStatus::kOk;
  }
  const bool ok = for_each_list_element(value, [&](string_view e) noexcept {
    SipNameAddr na;
    if (!parse_name_addr(e, na)) return false;
    if (m.contact_count++ == 0) m.contact = e;
    return true;
  });
  return ok ? SipParseStatus::kOk : SipParseStatus::kBadContact;
}

SipParseStatus apply_header(SipHeaderId id, string_view v, SipMessage& m, uint8_t& seen) noexcept {
  uint64_t n = 0;
  switch (id) {
    case SipHeaderId::kCallId:
      if (!once(seen, kSeenCallId)) return SipParseStatus::kDuplicateHeader;
      if (v.empty() || lex::contains_lws(v)) return SipParseStatus::kBadCallId;
      m.call_id = v;
      return SipParseStatus::kOk;
    case SipHeaderId::kFrom:
      if (!once(seen, kSeenFrom)) return SipParseStatus::kDuplicateHeader;
      return parse_name_addr(v, m.from) ? SipParseStatus::kOk : SipParseStatus::kBadFromTo;
    case SipHeaderId::kTo:
      if (!once(seen, kSeenTo)) return SipParseStatus::kDuplicateHeader;
      return parse_name_addr(v, m.to) ? SipParseStatus::kOk : SipParseStatus::kBadFromTo;
    case SipHeaderId::kCSeq:
      if (!once(seen, kSeenCSeq)) return SipParseStatus::kDuplicateHeader;
      if (!parse_cseq(v, m.cseq, m.cseq_method_name)) return SipParseStatus::kBadCSeq;
      m.cseq_method = sip_method_from(m.cseq_method_name);
      return SipParseStatus::kOk;
    case SipHeaderId::kVia:
      seen |= kSeenVia;
      return apply_via(v, m);
    case SipHeaderId::kContact:
      return apply_contact(v, m);
    case SipHeaderId::kContentLength:
      if (!once(seen, kSeenContentLength)) return SipParseStatus::kDuplicateHeader;
      if (!lex::parse_uint(v, (1u << 31) - 1, n)) return SipParseStatus::kBadContentLength;
      m.has_content_length = true;
      m.content_length = static_cast<uint32_t>(n);
      return SipParseStatus::kOk;
    case SipHeaderId::kContentType:
      m.content_type = v;
      return SipParseStatus::kOk;
    case SipHeaderId::kMaxForwards:
      if (!lex::parse_uint(v, 255, n)) return SipParseStatus::kBadMaxForwards;
      m.max_forwards = static_cast<int16_t>(n);
      return SipParseStatus::kOk;
    case SipHeaderId::kDate:
      return v.ends_with("GMT") ? SipParseStatus::kOk : SipParseStatus::kBadDate;
    case SipHeaderId::kExpires:
      return lex::parse_uint(v, 0xffffffffull, n) ? SipParseStatus::kOk
                                                  : SipParseStatus::kBadExpires;
    default:
      return SipParseStatus::kOk;
  }
}

void reset(SipMessage& m) noexcept {
  m.is_request = false;
  m.method = SipMethod::kOther;
  m.method_name = {};
  m.request_uri = {};
  m.status_code = 0;
  m.reason = {};
  m.call_id = {};
  m.from = {};
  m.to = {};
  m.cseq = 0;
  m.cseq_method = SipMethod::kOther;
  m.cseq_method_name = {};
  m.via_top = {};
  m.via_branch = {};
  m.via_count = 0;
  m.contact = {};
  m.contact_count = 0;
  m.content_type = {};
  m.has_content_length = false;
  m.content_length = 0;
  m.max_forwards = -1;
  m.body = {};
  m.length = 0;
  m.header_count = 0;
}

std::size_t skip_leading_crlf(string_view s) noexcept {
  std::size_t i = 0;
  while (i + 1 < s.size() && s[i] == '\r' && s[i + 1] == '\n') i += 2;
  return i;
}

// One header field of the header section: its (unfolded) line split into name and value.
struct HeaderField {
  string_view name;
  string_view value;
  SipHeaderId id = SipHeaderId::kOther;
};
enum class HeaderStep : uint8_t { kField, kEnd, kIncomplete, kBad };

// Reads the header field starting at `pos` (continuation lines starting with SP or HTAB fold
// into it). On kField `pos` moves past it; on kEnd (the empty line) `pos` is the body's start.
// The parser and the steering Call-ID scanner share it, so they agree on every header.
HeaderStep next_header(string_view s, std::size_t& pos, HeaderField& f) noexcept {
  if (pos + 1 < s.size() && s[pos] == '\r' && s[pos + 1] == '\n') {
    pos += 2;
    return HeaderStep::kEnd;
  }
  std::size_t lf = find_crlf(s, pos);
  if (lf == kNpos) return HeaderStep::kIncomplete;
  while (lf + 1 < s.size() && lex::is_wsp(s[lf + 1])) {
    const std::size_t next = find_crlf(s, lf + 1);
    if (next == kNpos) return HeaderStep::kIncomplete;
    lf = next;
  }
  if (lf == pos || s[lf - 1] != '\r') return HeaderStep::kBad;
  const string_view line = s.substr(pos, lf - 1 - pos);
  pos = lf + 1;
  const std::size_t colon = line.find(':');
  if (colon == kNpos) return HeaderStep::kBad;
  std::size_t name_end = colon;
  while (name_end > 0 && lex::is_wsp(line[name_end - 1])) --name_end;
  f.name = line.substr(0, name_end);
  if (!lex::all_token(f.name)) return HeaderStep::kBad;
  f.value = lex::trim_lws(line.substr(colon + 1));
  f.id = sip_header_id(f.name);
  return HeaderStep::kField;
}

}  // namespace

SipHeaderId sip_header_id(string_view name) noexcept {
  using enum SipHeaderId;
  if (name.empty()) return kOther;  // ": x" (sip_frame sees header lines the parser rejects)
  if (name.size() == 1) {
    switch (lex::lower(name[0])) {
      case 'i': return kCallId;
      case 'f': return kFrom;
      case 't': return kTo;
      case 'v': return kVia;
      case 'm': return kContact;
      case 'l': return kContentLength;
      case 'c': return kContentType;
      case 'k': return kSupported;
      case 's': return kSubject;
      case 'e': return kContentEncoding;
      case 'o': return kEvent;
      case 'r': return kReferTo;
      case 'u': return kAllowEvents;
      case 'x': return kSessionExpires;
      case 'y': return kIdentity;
      case 'b': return kReferredBy;
      case 'a': return kAcceptContact;
      case 'j': return kRejectContact;
      case 'd': return kRequestDisposition;
      default: return kOther;
    }
  }
  // Dispatch on the first letter, then compare the few candidates (case-insensitive).
  const auto is = [&](string_view candidate) { return lex::iequals(name, candidate); };
  switch (lex::lower(name[0])) {
    case 'a':
      if (is("Allow-Events")) return kAllowEvents;
      if (is("Accept-Contact")) return kAcceptContact;
      break;
    case 'c':
      if (is("Call-ID")) return kCallId;
      if (is("CSeq")) return kCSeq;
      if (is("Contact")) return kContact;
      if (is("Content-Length")) return kContentLength;
      if (is("Content-Type")) return kContentType;
      if (is("Content-Encoding")) return kContentEncoding;
      break;
    case 'd':
      if (is("Date")) return kDate;
      break;
    case 'e':
      if (is("Expires")) return kExpires;
      if (is("Event")) return kEvent;
      break;
    case 'f':
      if (is("From")) return kFrom;
      break;
    case 'i':
      if (is("Identity")) return kIdentity;
      break;
    case 'm':
      if (is("Max-Forwards")) return kMaxForwards;
      break;
    case 'r':
      if (is("Refer-To")) return kReferTo;
      if (is("Referred-By")) return kReferredBy;
      if (is("Reject-Contact")) return kRejectContact;
      if (is("Request-Disposition")) return kRequestDisposition;
      break;
    case 's':
      if (is("Supported")) return kSupported;
      if (is("Subject")) return kSubject;
      if (is("Session-Expires")) return kSessionExpires;
      break;
    case 't':
      if (is("To")) return kTo;
      break;
    case 'v':
      if (is("Via")) return kVia;
      break;
    default:
      break;
  }
  return kOther;
}

SipParseStatus parse_sip_message(std::span<const uint8_t> data, SipTransport transport,
                                 SipMessage& m) noexcept {
  reset(m);
  const string_view s(reinterpret_cast<const char*>(data.data()), data.size());
  std::size_t pos = skip_leading_crlf(s);
  std::size_t lf = find_crlf(s, pos);
  if (lf == kNpos) return SipParseStatus::kIncomplete;
  if (lf == pos || s[lf - 1] != '\r') return SipParseStatus::kBadStartLine;
  StartLine sl;
  if (const auto st = parse_start_line(s.substr(pos, lf - 1 - pos), sl); st != SipParseStatus::kOk) {
    return st;
  }
  m.is_request = sl.is_request;
  m.method_name = sl.method;
  m.method = sl.is_request ? sip_method_from(sl.method) : SipMethod::kOther;
  m.request_uri = sl.uri;
  m.status_code = sl.code;
  m.reason = sl.reason;

  uint8_t seen = 0;
  pos = lf + 1;
  HeaderField f;
  HeaderStep step;
  while ((step = next_header(s, pos, f)) == HeaderStep::kField) {
    if (m.header_count < SipMessage::kMaxHeaders) {
      // Field by field: a temporary aggregate here costs a store-forwarding stall per header.
      SipHeader& h = m.headers[m.header_count];
      h.name = f.name;
      h.value = f.value;
      h.id = f.id;
    }
    if (m.header_count < UINT16_MAX) ++m.header_count;
    if (const auto st = apply_header(f.id, f.value, m, seen); st != SipParseStatus::kOk) return st;
  }
  if (step == HeaderStep::kIncomplete) return SipParseStatus::kIncomplete;
  if (step == HeaderStep::kBad) return SipParseStatus::kBadHeaderLine;
  const std::size_t body_start = pos;

  if ((seen & kMandatory) != kMandatory) return SipParseStatus::kMissingHeader;
  if (m.is_request && m.cseq_method_name != m.method_name) {
    return SipParseStatus::kCSeqMethodMismatch;
  }
  const std::size_t available = s.size() - body_start;
  std::size_t body_len = 0;
  if (m.has_content_length) {
    if (m.content_length > available) return SipParseStatus::kBodyTruncated;
    body_len = m.content_length;
  } else if (transport == SipTransport::kUdp) {
    body_len = available;
  }
  m.body = s.substr(body_start, body_len);
  m.length = static_cast<uint32_t>(body_start + body_len);
  return SipParseStatus::kOk;
}

std::string_view find_sip_call_id(std::span<const uint8_t> data) noexcept {
  const string_view s(reinterpret_cast<const char*>(data.data()), data.size());
  std::size_t pos = skip_leading_crlf(s);
  const std::size_t lf = find_crlf(s, pos);
  if (lf == kNpos) return {};
  pos = lf + 1;
  HeaderField f;
  while (next_header(s, pos, f) == HeaderStep::kField) {
    if (f.id == SipHeaderId::kCallId) return f.value;
  }
  return {};
}

bool looks_like_sip_start_line(std::span<const uint8_t> data) noexcept {
  const string_view s(reinterpret_cast<const char*>(data.data()), data.size());
  const std::size_t lf = find_crlf(s, 0);
  if (lf == kNpos || lf == 0 || s[lf - 1] != '\r') return false;
  StartLine sl;
  const string_view line = s.substr(0, lf - 1);
  if (parse_start_line(line, sl) != SipParseStatus::kOk) return false;
  // Reason-Phrase: no CTLs but HTAB (UTF-8 allowed).
  for (char c : sl.reason) {
    const auto u = static_cast<uint8_t>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

SipFrame sip_frame(std::span<const uint8_t> stream) noexcept {
  const string_view s(reinterpret_cast<const char*>(stream.data()), stream.size());
  const std::size_t start = skip_leading_crlf(s);
  const std::size_t hdr_end = s.find("\r\n\r\n", start);
  if (hdr_end == kNpos) return {};
  const std::size_t body_start = hdr_end + 4;
  // Find Content-Length (or "l") at the start of a header line.
  uint64_t content_length = 0;
  std::size_t pos = s.find("\r\n", start);
  bool bad = false;
  while (pos != kNpos && pos < hdr_end) {
    const std::size_t line_begin = pos + 2;
    const std::size_t line_end = s.find("\r\n", line_begin);
    const string_view line = s.substr(line_begin, line_end - line_begin);
    const std::size_t colon = line.find(':');
    if (colon != kNpos) {
      std::size_t ne = colon;
      while (ne > 0 && lex::is_wsp(line[ne - 1])) --ne;
      if (sip_header_id(line.substr(0, ne)) == SipHeaderId::kContentLength) {
        if (!lex::parse_uint(lex::trim_lws(line.substr(colon + 1)), (1u << 31) - 1,
                             content_length)) {
          bad = true;
        }
      }
    }
    pos = line_end;
  }
  if (bad) return {SipFrame::Kind::kInvalid, static_cast<uint32_t>(body_start)};
  if (body_start + content_length > s.size()) {
    return {SipFrame::Kind::kNeedMore, static_cast<uint32_t>(body_start + content_length)};
  }
  return {SipFrame::Kind::kComplete, static_cast<uint32_t>(body_start + content_length)};
}

}  // namespace rv::planes::signaling
