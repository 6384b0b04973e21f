#include "control/admin/admin_server.hpp"

#include <CivetServer.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <thread>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <fmt/format.h>
#include <prometheus/text_serializer.h>

#include "config/validate.hpp"
#include "control/logging/logging.hpp"

namespace rv::control {
namespace {

using Clock = std::chrono::steady_clock;

// Writes `r`; for HEAD the status and headers only, with the Content-Length of the body GET
// would get.
void write_response(mg_connection* conn, const AdminResponse& r, bool head,
                    const std::string& extra_headers = "") {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
            "Connection: close\r\n\r\n",
            r.status, mg_get_response_code_text(conn, r.status), r.content_type.c_str(),
            r.body.size(), extra_headers.c_str());
  if (!head) mg_write(conn, r.body.data(), r.body.size());
}

enum class Credentials { kRight, kMissing, kWrong };

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 9110 §11.1: the auth scheme is case-insensitive ("Basic", "basic", "BASIC"), followed by
// one or more spaces and the base64 of user:password (RFC 7617).
Credentials check_credentials(const BasicAuth& auth, const char* header) {
  if (header == nullptr) return Credentials::kMissing;
  std::string_view v = header;
  const auto space = v.find(' ');
  if (space == std::string_view::npos || !iequals(v.substr(0, space), "basic")) {
    return Credentials::kWrong;
  }
  v.remove_prefix(space);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  const auto decoded = decode_base64(v);
  const auto colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos) return Credentials::kWrong;
  const std::string_view user = std::string_view(*decoded).substr(0, colon);
  const std::string_view password = std::string_view(*decoded).substr(colon + 1);
  // Both checks always run: the time taken does not tell which one failed.
  const bool pw = password_matches(password, auth.password_sha256);
  return pw && user == auth.user ? Credentials::kRight : Credentials::kWrong;
}

void reply_unauthorized(mg_connection* conn, bool head) {
  write_response(conn, {401, "text/plain; charset=utf-8", "authentication required\n"}, head,
                 "WWW-Authenticate: Basic realm=\"rvoipd\", charset=\"UTF-8\"\r\n");
}

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

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr a{};
  const std::string h(host);
  return inet_pton(AF_INET, h.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

// The server's state, shared with civetweb's threads through the request handler's cbdata.
struct AdminServer::State {
  State(AdminHandlers handlers, const AdminOptions& options)
      : h(std::move(handlers)), throttle(options.throttle) {
    routes = {
        {"/metrics", "Prometheus metrics (text format 0.0.4), collected on each scrape",
         [this] { return metrics(); }},
        {"/health",
         "health of every component and check, JSON; 200 when ok or degraded, 503 when failed "
         "or not live",
         [this] {
           const HealthReport r = h.health();
           return AdminResponse{r.http_status, "application/json", r.json};
         }},
        {"/ready", "200 when the appliance is live, else 503",
         [this] {
           const bool ok = h.ready();
           return AdminResponse{ok ? 200 : 503, "text/plain; charset=utf-8",
                                ok ? "ready\n" : "not ready\n"};
         }},
        {"/help", "this list", [this] { return help(); }},
    };
  }

  AdminResponse metrics() const {
    auto families = h.metrics != nullptr ? h.metrics->collect()
                                         : std::vector<prometheus::MetricFamily>{};
    MetricsWriter w;
    w.counter("rvoip_admin_auth_failures_total", "Admin requests with wrong credentials", {},
              double(throttle.failures()));
    w.counter("rvoip_admin_auth_refused_total",
              "Admin requests refused (429) while their client backs off after wrong credentials",
              {}, double(throttle.refused()));
    for (auto& f : w.take()) families.push_back(std::move(f));
    return {200, "text/plain; version=0.0.4; charset=utf-8",
            prometheus::TextSerializer().Serialize(families)};
  }

  AdminResponse help() const {
    std::string body = "rvoipd admin endpoint (GET or HEAD)\n";
    for (const auto& r : routes) body += fmt::format("  {:<10} {}\n", r.path, r.help);
    return {200, "text/plain; charset=utf-8", std::move(body)};
  }

  // 0 when the request may proceed; else the status already sent: 401 (no or wrong
  // credentials) or 429 (its client is backing off after wrong credentials).
  int authorize(mg_connection* conn, const mg_request_info& ri, bool head) {
    const std::string client = AuthThrottle::client_key(ri.remote_addr);
    const auto now = Clock::now();
    if (const auto wait = throttle.refuse_for(client, now); wait.count() > 0) {
      const auto secs = (wait.count() + 999) / 1000;
      write_response(conn,
                     {429, "text/plain; charset=utf-8",
                      fmt::format("too many wrong credentials; retry in {} s\n", secs)},
                     head, fmt::format("Retry-After: {}\r\n", secs));
      return 429;
    }
    switch (check_credentials(*h.auth, mg_get_header(conn, "Authorization"))) {
      case Credentials::kRight: throttle.succeeded(client); return 0;
      case Credentials::kWrong: throttle.failed(client, now); break;
      case Credentials::kMissing: break;  // a client's first try, not a guess
    }
    reply_unauthorized(conn, head);
    return 401;
  }

  // Every request: auth, exact route, method. Returns the HTTP status sent (civetweb logs it).
  int serve(mg_connection* conn) {
    const mg_request_info* ri = mg_get_request_info(conn);
    const std::string_view method = ri->request_method != nullptr ? ri->request_method : "";
    const bool head = method == "HEAD";
    const std::string_view path = ri->local_uri != nullptr ? ri->local_uri : "";
    const bool probe = path == "/health" || path == "/ready";
    if (h.auth && !(probe && h.auth->probes_open)) {
      if (const int refused = authorize(conn, *ri, head); refused != 0) return refused;
    }
    const auto route = std::find_if(routes.begin(), routes.end(),
                                    [&](const AdminRoute& r) { return r.path == path; });
    if (route == routes.end()) {
      write_response(conn, {404, "text/plain; charset=utf-8", "not found; see /help\n"}, head);
      return 404;
    }
    if (method != "GET" && !head) {
      write_response(conn, {405, "text/plain; charset=utf-8", "only GET and HEAD\n"}, false,
                     "Allow: GET, HEAD\r\n");
      return 405;
    }
    const AdminResponse r = route->handler();
    write_response(conn, r, head);
    return r.status;
  }

  AdminHandlers h;
  AuthThrottle throttle;
  std::vector<AdminRoute> routes;
};

Result<std::unique_ptr<AdminServer>> AdminServer::start(const std::string& listen,
                                                        AdminHandlers handlers,
                                                        AdminOptions options) {
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
  s->state_ = std::make_unique<State>(std::move(handlers), options);
  // No linger: close() returns at once and the kernel finishes sending, so a slow reader never
  // holds a worker. Keep-alive off: a connection carries one request.
  const std::vector<std::string> civet = {
      "listening_ports", bind,
      "num_threads", std::to_string(options.threads),
      "connection_queue", std::to_string(options.queue),
      "listen_backlog", std::to_string(options.backlog),
      "request_timeout_ms", std::to_string(options.header_timeout.count()),
      "enable_keep_alive", "no",
  };
  // Every request goes through begin_request, installed before civetweb binds: there is no
  // instant in which the port answers without the routes (a request handler registered after
  // start would leave one, and civetweb answers 404 in it). civetweb passes the CivetServer as
  // the context's user data; its UserContext is our State.
  CivetCallbacks callbacks{};
  callbacks.begin_request = [](mg_connection* conn) -> int {
    const auto* server = static_cast<const CivetServer*>(mg_get_request_info(conn)->user_data);
    return static_cast<State*>(const_cast<void*>(server->getUserContext()))->serve(conn);
  };
  try {
    s->server_ = std::make_unique<CivetServer>(civet, &callbacks, s->state_.get());
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kIo,
                      fmt::format("cannot serve metrics on {}: the address is in use or not "
                                  "local ({}); set control.metrics_listen to a free host:port",
                                  listen, e.what()));
  }
  s->wake_host_ = host;
  s->wake_port_ = port;
  if (!s->state_->h.auth && !is_loopback_host(host)) {
    component_logger("admin")->warn(
        "the admin endpoint on {} is reachable from other hosts and has no authentication; set "
        "control.auth_user and control.auth_password_sha256, or bind a loopback address",
        listen);
  }
  return s;
}

const std::vector<AdminRoute>& AdminServer::routes() const noexcept { return state_->routes; }
uint64_t AdminServer::auth_failures() const { return state_->throttle.failures(); }
uint64_t AdminServer::auth_refused() const { return state_->throttle.refused(); }

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
