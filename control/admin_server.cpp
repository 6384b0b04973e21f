#include "control/admin_server.hpp"

#include <CivetServer.h>

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <thread>

#include <openssl/crypto.h>
#include <openssl/evp.h>

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

void reply_unauthorized(mg_connection* conn) {
  const std::string body = "authentication required\n";
  mg_printf(conn,
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"rvoipd\", "
            "charset=\"UTF-8\"\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
            "Connection: close\r\n\r\n",
            body.size());
  mg_write(conn, body.data(), body.size());
}

// False (and the 401 already sent) when auth is configured and the request lacks it.
bool authorized(const AdminHandlers& h, mg_connection* conn) {
  if (!h.auth) return true;
  const char* header = mg_get_header(conn, "Authorization");
  std::string_view v = header != nullptr ? header : "";
  bool ok = false;
  if (v.starts_with("Basic ")) {
    const auto decoded = decode_base64(v.substr(6));
    const auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon != std::string::npos) {
      const std::string_view user = std::string_view(*decoded).substr(0, colon);
      const std::string_view password = std::string_view(*decoded).substr(colon + 1);
      // Both checks always run: the time taken does not tell which one failed.
      const bool pw = password_matches(password, h.auth->password_sha256);
      ok = pw && user == h.auth->user;
    }
  }
  if (!ok) reply_unauthorized(conn);
  return ok;
}

class MetricsHandler : public CivetHandler {
 public:
  explicit MetricsHandler(const AdminHandlers& h) : h_(h) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    if (!authorized(h_, conn)) return true;
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
    if (!authorized(h_, conn)) return true;
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
    if (!authorized(h_, conn)) return true;
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

bool is_sha256_hex(std::string_view text) { return config::is_sha256_hex(text); }

bool password_matches(std::string_view password, std::string_view sha256_hex) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!is_sha256_hex(sha256_hex) ||
      EVP_Digest(password.data(), password.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    return false;
  }
  std::string hex;
  for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  std::string want(sha256_hex);
  for (char& c : want) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return hex.size() == want.size() && CRYPTO_memcmp(hex.data(), want.data(), hex.size()) == 0;
}

std::optional<std::string> decode_base64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

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
