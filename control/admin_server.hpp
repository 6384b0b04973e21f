#pragma once
// AdminServer: the appliance's HTTP endpoint (civetweb) on control.metrics_listen:
//   /metrics  Prometheus text format, collected on each scrape
//   /health   JSON {"status": ..., "components": {...}}; 200 when ok or degraded, 503 when failed
//   /ready    200 only when the appliance is Live, else 503
// With AdminHandlers::auth, every request needs HTTP basic auth (else 401 + WWW-Authenticate).
// Handlers run on civetweb's threads (control plane).

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "control/metrics_registry.hpp"
#include "events/error.hpp"

class CivetServer;

namespace rv::control {

struct HealthReport {
  int http_status = 200;
  std::string json;
};

// HTTP basic auth: every endpoint answers 401 without `user` and a password whose SHA-256 is
// `password_sha256` (64 hex digits).
struct BasicAuth {
  std::string user;
  std::string password_sha256;
};

struct AdminHandlers {
  const MetricsRegistry* metrics = nullptr;
  std::function<HealthReport()> health;
  std::function<bool()> ready;
  std::optional<BasicAuth> auth;  // none: open (the endpoint binds loopback by default)
};

// True when `password`'s SHA-256, in hex, equals `sha256_hex` (case-insensitive, constant time).
bool password_matches(std::string_view password, std::string_view sha256_hex);
// True when `text` is 64 hex digits.
bool is_sha256_hex(std::string_view text);
// Decodes standard base64; nullopt when malformed.
std::optional<std::string> decode_base64(std::string_view text);

class AdminServer {
 public:
  // Binds `listen` ("host:port"). The error names the address and says what to change.
  static Result<std::unique_ptr<AdminServer>> start(const std::string& listen,
                                                    AdminHandlers handlers);
  ~AdminServer();

 private:
  AdminServer() = default;
  struct Handlers;
  std::unique_ptr<Handlers> handlers_;
  std::unique_ptr<CivetServer> server_;
  std::string wake_host_;
  uint16_t wake_port_ = 0;
};

}  // namespace rv::control
