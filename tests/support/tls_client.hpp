#pragma once
// HTTPS for tests of the admin endpoint, with OpenSSL's C API: a self-signed certificate made at
// test time, and a one-request client. Control-plane tests only.

#include <cstdint>
#include <filesystem>
#include <string>

#include "tests/support/http_answer.hpp"

namespace rv::test {

// A certificate for "localhost" and 127.0.0.1 (EC P-256, valid for a day), signed by its own
// key, and that key, written as PEM files into `dir`.
struct PemFiles {
  std::string cert_file;
  std::string key_file;
};
PemFiles write_self_signed_certificate(const std::filesystem::path& dir);

// Sends `request` (a whole HTTP/1.1 request) over TLS to 127.0.0.1:port and reads the answer
// until the server closes; status 0 when the connection, handshake or verification failed. The
// server's certificate must be `ca_file` itself (or be signed by it) and name "localhost".
// `max_version` (e.g. TLS1_1_VERSION) caps the client's protocol version, and lets it offer
// versions the system's OpenSSL configuration would not; 0 = no cap.
HttpAnswer https_request(uint16_t port, const std::string& request, const std::string& ca_file,
                         int max_version = 0);

}  // namespace rv::test
