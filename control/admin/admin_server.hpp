#pragma once
// AdminServer: the appliance's HTTP endpoint (civetweb) on control.metrics_listen. Its routes
// are one table (AdminRoute: exact path, help, handler); /help is generated from it:
//   /metrics  Prometheus text format, collected on each scrape
//   /health   JSON {"status": ..., "components": {...}}; 200 when ok or degraded, 503 when failed
//   /ready    200 only when the appliance is Live, else 503
//   /help     the route table
// Paths match exactly (a query string is ignored); anything else is 404. GET and HEAD (the
// same answer without its body) are served, other methods get 405.
// With AdminHandlers::auth, every request needs HTTP basic auth (else 401 + WWW-Authenticate;
// AdminAuth checks it); wrong credentials are rate-limited per client (AuthThrottle, then 429 +
// Retry-After). With AdminHandlers::tls the endpoint speaks HTTPS only, TLS 1.2 or later.
// Idle or slow clients cannot starve probes: many workers, a short header timeout, and a
// bounded queue of accepted connections (AdminOptions). Handlers run on civetweb's threads
// (control plane).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/admin/admin_auth.hpp"
#include "control/admin/auth_throttle.hpp"
#include "control/metrics/metrics_registry.hpp"
#include "events/error.hpp"

class CivetServer;

namespace rv::control {

struct HealthReport {
  int http_status = 200;
  std::string json;
};

// HTTPS for the admin endpoint: PEM files, read when the server starts.
struct AdminTls {
  std::string cert_file;  // the certificate, then any intermediate certificates
  std::string key_file;   // its private key (unencrypted)
};

struct AdminHandlers {
  const MetricsRegistry* metrics = nullptr;
  std::function<HealthReport()> health;
  std::function<bool()> ready;
  std::optional<BasicAuth> auth;  // none: open (the endpoint binds loopback by default)
  std::optional<AdminTls> tls;    // none: plain HTTP
};

// What a route answers to GET.
struct AdminResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// One admin endpoint. `handler` runs on a civetweb thread, after auth.
struct AdminRoute {
  std::string path;  // exact, e.g. "/metrics"
  std::string help;  // one line for /help
  std::function<AdminResponse()> handler;
};

struct AdminOptions {
  // Worker threads. An idle connection holds one until the header timeout, so there are enough
  // for many idle connections to leave probes a free worker.
  unsigned threads = 64;
  // Accepted connections waiting for a worker; beyond it civetweb stops accepting and new
  // connections wait in the kernel's listen backlog (bounded too): the connection cap.
  unsigned queue = 64;
  unsigned backlog = 128;
  // A request's headers must arrive within this; it also bounds each write to a client. civetweb
  // workers see a stop request only between waits of at most this long, so it also bounds how
  // long stopping takes with idle clients connected (within the 1.5 s shutdown budget).
  std::chrono::milliseconds header_timeout{1000};
  AuthThrottle::Options throttle;
};

// True when `host` (as in control.metrics_listen, IPv6 without brackets) is a loopback address
// (127.0.0.0/8, ::1) or "localhost".
bool is_loopback_host(std::string_view host);

class AdminServer {
 public:
  // Binds `listen` ("host:port"), over TLS when handlers.tls is set. The error names the address
  // or the TLS file and says what to change. When the address is not loopback, logs a warning
  // for each of no auth and no TLS.
  static Result<std::unique_ptr<AdminServer>> start(const std::string& listen,
                                                    AdminHandlers handlers,
                                                    AdminOptions options = {});
  ~AdminServer();

  // The route table, in /help order.
  const std::vector<AdminRoute>& routes() const noexcept;
  // Requests with wrong credentials, and requests refused (429) while a client backs off.
  uint64_t auth_failures() const;
  uint64_t auth_refused() const;
  // bcrypt computations (auth checks the cache of right credentials did not answer).
  uint64_t auth_bcrypt_checks() const;

 private:
  AdminServer() = default;
  struct State;
  std::unique_ptr<State> state_;
  std::unique_ptr<CivetServer> server_;
  std::string wake_host_;
  uint16_t wake_port_ = 0;
};

}  // namespace rv::control
