#pragma once
// AdminServer: the appliance's HTTP endpoint (civetweb) on control.metrics_listen:
//   /metrics  Prometheus text format, collected on each scrape
//   /health   JSON {"status": ..., "components": {...}}; 200 when ok or degraded, 503 when failed
//   /ready    200 only when the appliance is Live, else 503
// Handlers run on civetweb's threads (control plane).

#include <functional>
#include <memory>
#include <string>

#include "control/metrics_registry.hpp"
#include "events/error.hpp"

class CivetServer;

namespace rv::control {

struct HealthReport {
  int http_status = 200;
  std::string json;
};

struct AdminHandlers {
  const MetricsRegistry* metrics = nullptr;
  std::function<HealthReport()> health;
  std::function<bool()> ready;
};

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
