#pragma once
// Test helper: builds SIP messages as strings (CRLF line ends, correct Content-Length).

#include <cstdint>
#include <span>
#include <string>

namespace rv::planes::signaling::test_support {

inline std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

inline std::string sdp(const std::string& ip, uint16_t port, const std::string& fmts = "0 8 101") {
  return "v=0\r\no=- 1 1 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\nm=audio " +
         std::to_string(port) + " RTP/AVP " + fmts +
         "\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n";
}

struct Msg {
  std::string call_id = "call-1@test";
  std::string from_tag = "ftag";
  std::string to_tag;  // empty: none
  std::string branch = "z9hG4bK-1";
  uint32_t cseq = 1;
  std::string body;

  std::string headers(const std::string& cseq_method) const {
    std::string h = "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=" + branch + "\r\n" +
                    "From: \"Alice\" <sip:alice@example.com>;tag=" + from_tag + "\r\n" +
                    "To: <sip:bob@example.com>" + (to_tag.empty() ? "" : ";tag=" + to_tag) + "\r\n" +
                    "Call-ID: " + call_id + "\r\n" + "CSeq: " + std::to_string(cseq) + " " +
                    cseq_method + "\r\n" + "Contact: <sip:alice@192.0.2.1:5060>\r\n" +
                    "Max-Forwards: 70\r\n";
    if (!body.empty()) h += "Content-Type: application/sdp\r\n";
    h += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return h;
  }
  std::string request(const std::string& method) const {
    return method + " sip:bob@example.com SIP/2.0\r\n" + headers(method);
  }
  std::string response(int code, const std::string& reason, const std::string& cseq_method = "INVITE") const {
    return "SIP/2.0 " + std::to_string(code) + " " + reason + "\r\n" + headers(cseq_method);
  }
};

}  // namespace rv::planes::signaling::test_support
