#include "control/admin_server.hpp"

#include <CivetServer.h>

#include <fmt/format.h>

#include "config/validate.hpp"

namespace rv::control {
namespace {

void reply(mg_connection* conn, int status, const char* type, const std::string& body) {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            "Connection: close\r\n\r\n",
            status, mg_get_response_code_text(conn, status), type, body.size());
  mg_write(conn, body.data(), body.size());
}

class MetricsHandler : public CivetHandler {
 public:
  explicit MetricsHandler(const AdminHandlers& h) : h_(h) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    reply(conn, 200, "text/plain; version=0.0.4; charset=utf-8", h_.metrics->serialize());
    return true;
  }

 private:
  const AdminHandlers& h_;
};

class HealthHandler : public CivetHandler {
 public:
  explicit HealthHandler(const AdminHandlers& h) : h_(h) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    const HealthReport r = h_.health();
    reply(conn, r.http_status, "application/json", r.json);
    return true;
  }

 private:
  const AdminHandlers& h_;
};

class ReadyHandler : public CivetHandler {
 public:
  explicit ReadyHandler(const AdminHandlers& h) : h_(h) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    const bool ok = h_.ready();
    reply(conn, ok ? 200 : 503, "text/plain", ok ? "ready\n" : "not ready\n");
    return true;
  }

 private:
  const AdminHandlers& h_;
};

}  // namespace

struct AdminServer::Handlers {
  AdminHandlers h;
  MetricsHandler metrics{h};
  HealthHandler health{h};
  ReadyHandler ready{h};
};

Result<std::unique_ptr<AdminServer>> AdminServer::start(const std::string& listen,
                                                        AdminHandlers handlers) {
  std::string host;
  uint16_t port = 0;
  if (!config::split_listen_address(listen, host, port)) {
    return make_error(ErrorCode::kConfig,
                      fmt::format("control.metrics_listen: expected host:port, got '{}'", listen));
  }
  // civetweb wants IPv6 as [addr]:port and IPv4 as addr:port.
  const std::string bind = host.find(':') != std::string::npos
                               ? fmt::format("[{}]:{}", host, port)
                               : fmt::format("{}:{}", host, port);
  std::unique_ptr<AdminServer> s(new AdminServer());
  s->handlers_ = std::make_unique<Handlers>();
  s->handlers_->h = std::move(handlers);
  const std::vector<std::string> options = {"listening_ports", bind, "num_threads", "2"};
  try {
    s->server_ = std::make_unique<CivetServer>(options);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kIo,
                      fmt::format("cannot serve metrics on {}: the address is in use or not "
                                  "local ({}); set control.metrics_listen to a free host:port",
                                  listen, e.what()));
  }
  s->server_->addHandler("/metrics", s->handlers_->metrics);
  s->server_->addHandler("/health", s->handlers_->health);
  s->server_->addHandler("/ready", s->handlers_->ready);
  return s;
}

AdminServer::~AdminServer() {
  if (server_) server_->close();
}

}  // namespace rv::control
