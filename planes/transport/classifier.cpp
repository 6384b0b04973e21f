#include "planes/transport/classifier.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

namespace rv::planes::transport {
namespace {

constexpr std::string_view kSipVersion = "SIP/2.0";
constexpr std::size_t kMaxStartLine = 2048;

bool is_token_char(uint8_t c) noexcept {
  // RFC 3261 token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-.!%*_+`'~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_uri_char(uint8_t c) noexcept { return c > 0x20 && c < 0x7F; }

std::string_view as_view(std::span<const uint8_t> s) noexcept {
  return {reinterpret_cast<const char*>(s.data()), s.size()};
}

bool is_status_line(std::string_view line) noexcept {
  // SIP/2.0 SP 3DIGIT SP reason-phrase
  if (line.size() < kSipVersion.size() + 5 || !line.starts_with(kSipVersion)) return false;
  if (line[7] != ' ') return false;
  for (std::size_t i = 8; i < 11; ++i) {
    if (line[i] < '0' || line[i] > '9') return false;
  }
  if (line[8] < '1' || line[8] > '6') return false;
  return line.size() == 11 || line[11] == ' ';
}

bool is_request_line(std::string_view line) noexcept {
  // Method SP Request-URI SP SIP-Version
  std::size_t i = 0;
  while (i < line.size() && is_token_char(static_cast<uint8_t>(line[i]))) ++i;
  if (i == 0 || i >= line.size() || line[i] != ' ') return false;
  const std::size_t uri_start = ++i;
  while (i < line.size() && is_uri_char(static_cast<uint8_t>(line[i]))) ++i;
  if (i == uri_start || i >= line.size() || line[i] != ' ') return false;
  const std::string_view uri = line.substr(uri_start, i - uri_start);
  // A URI has a scheme ("sip:", "sips:", "tel:", ...): "GET / HTTP/1.1" never gets here anyway.
  const auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  return line.substr(i + 1) == kSipVersion;
}

}  // namespace

ClassifierConfig ClassifierConfig::from(const config::DataplaneConfig& cfg) {
  ClassifierConfig c;
  for (const auto& p : cfg.sip_ports) {
    unsigned v = 0;
    if (std::from_chars(p.data(), p.data() + p.size(), v).ec == std::errc{} && v < 65536) {
      c.sip_ports.set(v);
    }
  }
  c.rtp_port_min = static_cast<uint16_t>(cfg.rtp_port_min);
  c.rtp_port_max = static_cast<uint16_t>(cfg.rtp_port_max);
  c.rtp_heuristic = cfg.rtp_heuristic;
  return c;
}

bool is_sip_start_line(std::span<const uint8_t> payload) noexcept {
  const std::string_view text = as_view(payload.first(std::min(payload.size(), kMaxStartLine)));
  const auto eol = text.find("\r\n");
  if (eol == std::string_view::npos) return false;
  const std::string_view line = text.substr(0, eol);
  return is_status_line(line) || is_request_line(line);
}

bool is_rtp_header(std::span<const uint8_t> p) noexcept {
  if (p.size() < 12 || (p[0] >> 6) != 2) return false;
  const uint8_t pt = p[1] & 0x7F;
  if (!((pt <= 34) || (pt >= 96 && pt <= 127))) return false;
  if (pt >= 72 && pt <= 76) return false;  // RTCP SR..APP seen through an RTP header
  std::size_t hdr = 12 + std::size_t{4} * (p[0] & 0x0F);
  if (hdr > p.size()) return false;
  if (p[0] & 0x10) {  // header extension: 16-bit profile, 16-bit length in words
    if (hdr + 4 > p.size()) return false;
    hdr += 4 + std::size_t{4} * ((std::size_t{p[hdr + 2]} << 8) | p[hdr + 3]);
    if (hdr > p.size()) return false;
  }
  if (p[0] & 0x20) {  // padding: the last byte counts the padding, itself included
    const uint8_t pad = p.back();
    if (pad == 0 || hdr + pad > p.size()) return false;
  }
  return true;
}

bool is_rtcp_compound(std::span<const uint8_t> p) noexcept {
  if (p.size() < 8) return false;
  if (p[1] < 200 || p[1] > 207) return false;  // SR, RR, SDES, BYE, APP, RTPFB, PSFB, XR
  std::size_t off = 0;
  while (off < p.size()) {
    if (p.size() - off < 4) return false;
    if ((p[off] >> 6) != 2 || p[off + 1] < 192 || p[off + 1] > 223) return false;
    const std::size_t len = (std::size_t{4}) * (((std::size_t{p[off + 2]} << 8) | p[off + 3]) + 1);
    if (len > p.size() - off) return false;
    off += len;
  }
  return off == p.size();
}

PacketClass classify(const dataplane::ParsedPacket& p, const ClassifierConfig& cfg) noexcept {
  if (p.ip_proto != dataplane::kIpProtoUdp && p.ip_proto != dataplane::kIpProtoTcp) {
    return PacketClass::kOther;
  }
  const std::span<const uint8_t> payload(p.payload, p.payload_len);
  if (payload.empty()) return PacketClass::kOther;
  // SIP is checked first on every port: a strict start line cannot be RTP (version bits).
  if (is_sip_start_line(payload)) return PacketClass::kSip;
  if (p.ip_proto != dataplane::kIpProtoUdp) return PacketClass::kOther;
  const bool in_range = cfg.rtp_port_max != 0 &&
                        ((p.src_port >= cfg.rtp_port_min && p.src_port <= cfg.rtp_port_max) ||
                         (p.dst_port >= cfg.rtp_port_min && p.dst_port <= cfg.rtp_port_max));
  if (!in_range && !cfg.rtp_heuristic) return PacketClass::kOther;
  if (cfg.sip_ports.test(p.src_port) || cfg.sip_ports.test(p.dst_port)) {
    return PacketClass::kOther;  // keep-alives and junk on SIP ports are not media
  }
  // The heuristic leaves well-known ports alone: DNS ids and the like pass a header check.
  if (!in_range && (p.src_port < 1024 || p.dst_port < 1024)) return PacketClass::kOther;
  if (is_rtcp_compound(payload)) return PacketClass::kRtcp;
  if (is_rtp_header(payload)) return PacketClass::kRtp;
  return PacketClass::kOther;
}

}  // namespace rv::planes::transport
