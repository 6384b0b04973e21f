#pragma once
// A raw HTTP/1.1 answer split into status, headers and body, for tests that speak HTTP over
// their own sockets (plain or TLS). Header-only.

#include <string>

namespace rv::test {

struct HttpAnswer {
  int status = 0;       // 0: no HTTP answer (nothing, or not HTTP/1.1)
  std::string headers;  // the status line and headers, each ending in CRLF
  std::string body;
};

inline HttpAnswer parse_http_answer(const std::string& raw) {
  HttpAnswer r;
  const auto end = raw.find("\r\n\r\n");
  if (!raw.starts_with("HTTP/1.1 ") || end == std::string::npos) return r;
  r.status = std::stoi(raw.substr(9, 3));
  r.headers = raw.substr(0, end + 2);
  r.body = raw.substr(end + 4);
  return r;
}

}  // namespace rv::test
