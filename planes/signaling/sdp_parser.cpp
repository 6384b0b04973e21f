#include "planes/signaling/sdp_parser.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "planes/signaling/sip_lex.hpp"

namespace rv::planes::signaling {

namespace {

using std::string_view;

// Splits off the next space-separated field of `s`.
string_view next_field(string_view& s) noexcept {
  std::size_t b = 0;
  while (b < s.size() && s[b] == ' ') ++b;
  std::size_t e = b;
  while (e < s.size() && s[e] != ' ') ++e;
  const string_view f = s.substr(b, e - b);
  s = s.substr(e);
  return f;
}

bool parse_u32(string_view s, uint64_t max, uint64_t& v) noexcept { return lex::parse_uint(s, max, v); }

// "IN IP4 192.0.2.1" (a multicast "/ttl" suffix is dropped).
bool parse_connection(string_view v, dataplane::IpAddress& out) noexcept {
  if (next_field(v) != "IN") return false;
  const string_view type = next_field(v);
  string_view addr = next_field(v);
  if (const std::size_t slash = addr.find('/'); slash != string_view::npos) addr = addr.substr(0, slash);
  if (type == "IP4") return parse_ip_address(addr, false, out);
  if (type == "IP6") return parse_ip_address(addr, true, out);
  return false;
}

bool parse_media_line(string_view v, SdpMedia& m, uint16_t& truncated) noexcept {
  const string_view kind = next_field(v);
  m.kind = kind == "audio" ? SdpMediaKind::kAudio
                           : (kind == "video" ? SdpMediaKind::kVideo : SdpMediaKind::kOther);
  string_view port = next_field(v);
  if (const std::size_t slash = port.find('/'); slash != string_view::npos) port = port.substr(0, slash);
  uint64_t p = 0;
  if (!parse_u32(port, 65535, p)) return false;
  m.port = static_cast<uint16_t>(p);
  m.proto = next_field(v);
  if (m.proto.empty()) return false;
  for (string_view f = next_field(v); !f.empty(); f = next_field(v)) {
    uint64_t pt = 0;
    if (!parse_u32(f, 127, pt)) continue;  // non-RTP formats ("webrtc-datachannel", ...)
    if (m.format_count < SdpMedia::kMaxFormats) {
      m.formats[m.format_count++] = static_cast<uint8_t>(pt);
    } else {
      ++truncated;
    }
  }
  return true;
}

// "a=rtpmap:<pt> <encoding>/<clock>[/<channels>]"
void parse_rtpmap(string_view v, SdpMedia& m, uint16_t& truncated) noexcept {
  string_view pt_text = next_field(v);
  string_view enc = next_field(v);
  uint64_t pt = 0;
  if (!parse_u32(pt_text, 127, pt)) return;
  const std::size_t s1 = enc.find('/');
  if (s1 == string_view::npos) return;
  SdpRtpMap r;
  r.payload_type = static_cast<uint8_t>(pt);
  r.encoding = enc.substr(0, s1);
  string_view rest = enc.substr(s1 + 1);
  const std::size_t s2 = rest.find('/');
  uint64_t clock = 0;
  if (!parse_u32(rest.substr(0, s2), 0xffffffffull, clock)) return;
  r.clock_rate = static_cast<uint32_t>(clock);
  uint64_t ch = 1;
  if (s2 != string_view::npos && !parse_u32(rest.substr(s2 + 1), 255, ch)) ch = 1;
  r.channels = static_cast<uint8_t>(ch);
  if (m.rtpmap_count < SdpMedia::kMaxRtpMaps) {
    m.rtpmaps[m.rtpmap_count++] = r;
  } else {
    ++truncated;
  }
}

void parse_attribute(string_view v, SdpMedia* m, uint16_t& truncated) noexcept {
  if (m == nullptr) return;  // session-level attributes: direction defaults only
  if (v.starts_with("rtpmap:")) {
    parse_rtpmap(v.substr(7), *m, truncated);
  } else if (v == "sendonly") {
    m->direction = SdpDirection::kSendOnly;
  } else if (v == "recvonly") {
    m->direction = SdpDirection::kRecvOnly;
  } else if (v == "inactive") {
    m->direction = SdpDirection::kInactive;
  } else if (v == "sendrecv") {
    m->direction = SdpDirection::kSendRecv;
  }
}

}  // namespace

bool parse_ip_address(string_view text, bool ipv6, dataplane::IpAddress& out) noexcept {
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buf)) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  uint8_t bytes[16] = {};
  if (inet_pton(ipv6 ? AF_INET6 : AF_INET, buf, bytes) != 1) return false;
  out = ipv6 ? dataplane::IpAddress::v6(bytes) : dataplane::IpAddress::v4(bytes);
  return true;
}

SdpStatus parse_sdp(string_view body, SdpSession& out) noexcept {
  out.has_session_addr = false;
  out.media_count = 0;
  out.truncated = 0;
  if (!body.starts_with("v=")) return SdpStatus::kNotSdp;
  SdpMedia* current = nullptr;
  bool skipping = false;  // inside an m= section that did not fit
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t eol = body.find('\n', pos);
    if (eol == string_view::npos) eol = body.size();
    string_view line = body.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() < 2 || line[1] != '=') continue;  // tolerate junk lines
    const string_view v = line.substr(2);
    switch (line[0]) {
      case 'c': {
        dataplane::IpAddress a;
        if (!parse_connection(v, a)) return SdpStatus::kBadConnection;
        if (current != nullptr) {
          current->addr = a;
          current->has_addr = true;
        } else if (!skipping) {
          out.session_addr = a;
          out.has_session_addr = true;
        }
        break;
      }
      case 'm':
        if (out.media_count >= SdpSession::kMaxMedia) {
          ++out.truncated;
          current = nullptr;
          skipping = true;
          break;
        }
        current = &out.media[out.media_count];
        *current = SdpMedia{};
        if (!parse_media_line(v, *current, out.truncated)) return SdpStatus::kBadMedia;
        ++out.media_count;
        break;
      case 'a':
        if (!skipping) parse_attribute(v, current, out.truncated);
        break;
      default:
        break;
    }
  }
  // Media without their own c= inherit the session's.
  for (uint8_t i = 0; i < out.media_count; ++i) {
    SdpMedia& m = out.media[i];
    if (!m.has_addr && out.has_session_addr) {
      m.addr = out.session_addr;
      m.has_addr = true;
    }
  }
  return SdpStatus::kOk;
}

SdpRtpMap static_payload_type(uint8_t pt) noexcept {
  struct Entry {
    uint8_t pt;
    uint32_t rate;
    std::string_view name;
  };
  static constexpr Entry kStatic[] = {
      {0, 8000, "PCMU"},  {3, 8000, "GSM"},    {4, 8000, "G723"},   {5, 8000, "DVI4"},
      {6, 16000, "DVI4"}, {7, 8000, "LPC"},    {8, 8000, "PCMA"},   {9, 8000, "G722"},
      {10, 44100, "L16"}, {11, 44100, "L16"},  {12, 8000, "QCELP"}, {13, 8000, "CN"},
      {14, 90000, "MPA"}, {15, 8000, "G728"},  {16, 11025, "DVI4"}, {17, 22050, "DVI4"},
      {18, 8000, "G729"}, {25, 90000, "CelB"}, {26, 90000, "JPEG"}, {28, 90000, "nv"},
      {31, 90000, "H261"}, {32, 90000, "MPV"}, {33, 90000, "MP2T"}, {34, 90000, "H263"},
  };
  for (const Entry& e : kStatic) {
    if (e.pt == pt) return SdpRtpMap{pt, uint8_t(pt == 10 ? 2 : 1), e.rate, e.name};
  }
  return SdpRtpMap{pt, 1, 0, {}};
}

}  // namespace rv::planes::signaling
