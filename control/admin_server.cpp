#include "control/admin_server.hpp"

#include <CivetServer.h>

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

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

// Opens and closes a TCP connection to host:port; errors are irrelevant here.
void wake(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string connect_host = (host == "0.0.0.0" || host == "::") ? "localhost" : host;
  if (getaddrinfo(connect_host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0) return;
  const int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd >= 0) {
    connect(fd, res->ai_addr, res->ai_addrlen);
    close(fd);
  }
  freeaddrinfo(res);
}

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
  s->wake_host_ = host;
  s->wake_port_ = port;
  s->server_->addHandler("/metrics", s->handlers_->metrics);
  s->server_->addHandler("/health", s->handlers_->health);
  s->server_->addHandler("/ready", s->handlers_->ready);
  return s;
}

AdminServer::~AdminServer() {
  if (!server_) return;
  // civetweb's accept loop polls with a 2 s quantum and only then sees the stop flag; a local
  // connection wakes it so the appliance stops well inside its 2 s budget.
  std::atomic<bool> closed{false};
  std::thread waker([&] {
    for (int i = 0; i < 200 && !closed.load(); ++i) {
      wake(wake_host_, wake_port_);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  server_->close();
  closed = true;
  waker.join();
}

}  // namespace rv::control
