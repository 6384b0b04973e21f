#include "control/admin/admin_server.hpp"

#include <CivetServer.h>

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <fmt/format.h>
#include <prometheus/text_serializer.h>

#include "config/validate.hpp"
#include "control/logging/logging.hpp"
#include "rv_build_config.hpp"

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

// Loads the "libcrypto.so" and "libssl.so" civetweb can use with OpenSSL 3
// (control/admin/civetweb_lib*_shim.cpp), from the build tree, else from where they are
// installed. Loaded once, never unloaded.
Result<void> load_openssl_shims() {
  static const std::string problem = [] {
    std::string why;
    for (const char* lib : {"libcrypto", "libssl"}) {
      const std::string name = fmt::format("librvoipd-civetweb-{}.so", lib);
      bool loaded = false;
      for (const char* dir : {RV_BUILD_DIR "/control", RV_PKGLIBDIR}) {
        if (dlopen(fmt::format("{}/{}", dir, name).c_str(), RTLD_NOW | RTLD_GLOBAL) != nullptr) {
          loaded = true;
          break;
        }
      }
      if (!loaded) {
        why += fmt::format("{}cannot load {} from {}", why.empty() ? "" : "; ", name, RV_PKGLIBDIR);
      }
    }
    return why;
  }();
  if (problem.empty()) return {};
  return make_error(ErrorCode::kIo,
                    fmt::format("cannot serve the admin endpoint over TLS: {} (installed with "
                                "rvoipd)",
                                problem));
}

// Why civetweb did not start: a TLS file it could not use, or the address.
Error start_error(const std::string& listen, bool tls, const std::string& problem) {
  if (problem.starts_with("control.tls_")) {
    return Error(ErrorCode::kConfig,
                 fmt::format("cannot serve the admin endpoint over TLS: {}; the certificate and "
                             "the key must be PEM files that belong together, the key unencrypted",
                             problem));
  }
  if (tls && problem.find("SSL") != std::string::npos) {
    return Error(ErrorCode::kIo,
                 fmt::format("cannot serve the admin endpoint on {} over TLS ({})", listen,
                             problem));
  }
  return Error(ErrorCode::kIo,
               fmt::format("cannot serve metrics on {}: the address is in use or not local ({}); "
                           "set control.metrics_listen to a free host:port",
                           listen, problem.empty() ? "civetweb did not start" : problem));
}

// Anyone who can reach a non-loopback address can read the metrics without auth, and can read
// the password on the wire without TLS.
void warn_if_exposed(const std::string& listen, const std::string& host, const AdminHandlers& h) {
  if (is_loopback_host(host)) return;
  if (!h.auth) {
    component_logger("admin")->warn(
        "the admin endpoint on {} is reachable from other hosts and has no authentication; set "
        "control.auth_user and control.auth_password_bcrypt (or _sha256), or bind a loopback "
        "address",
        listen);
  }
  if (!h.tls) {
    component_logger("admin")->warn(
        "the admin endpoint on {} is reachable from other hosts over plain HTTP: credentials and "
        "metrics cross the network readable; set control.tls_cert_file and "
        "control.tls_key_file, or bind a loopback address",
        listen);
  }
}

}  // namespace

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
    if (h.auth) auth.emplace(*h.auth);
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
    w.counter("rvoip_admin_auth_bcrypt_checks_total",
              "Admin passwords checked with bcrypt (right credentials are cached, so a scraper "
              "costs one)",
              {}, double(auth ? auth->bcrypt_checks() : 0));
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
    switch (auth->check(mg_get_header(conn, "Authorization"))) {
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

  // civetweb's init_ssl: loads the certificate chain and the key from their own files (its
  // ssl_certificate option wants both in one file). False, with tls_error set, when they cannot
  // be used.
  bool load_certificate(SSL_CTX* ctx) {
    const AdminTls& tls = *h.tls;
    const auto fail = [&](const char* key, const std::string& file) {
      char reason[256] = "unknown error";
      if (const unsigned long e = ERR_peek_last_error(); e != 0) {
        ERR_error_string_n(e, reason, sizeof(reason));
      }
      ERR_clear_error();
      std::lock_guard lock(log_mu);
      tls_error = fmt::format("{}: cannot use '{}' ({})", key, file, reason);
      return false;
    };
    // civetweb's ssl_protocol_version already refuses SSL and TLS 1.0/1.1; this says it again in
    // OpenSSL's own terms.
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
      return fail("control.tls_cert_file", tls.cert_file);
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.c_str()) != 1) {
      return fail("control.tls_cert_file", tls.cert_file);
    }
    // An encrypted key fails (named in the error) instead of prompting on a terminal.
    SSL_CTX_set_default_passwd_cb(ctx, [](char*, int, int, void*) { return 0; });
    if (SSL_CTX_use_PrivateKey_file(ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
      return fail("control.tls_key_file", tls.key_file);
    }
    return true;
  }

  // What civetweb reported while starting (why it could not bind or load TLS).
  std::string start_problem() {
    std::lock_guard lock(log_mu);
    return tls_error.empty() ? civet_error : tls_error;
  }

  AdminHandlers h;
  std::optional<AdminAuth> auth;
  AuthThrottle throttle;
  std::vector<AdminRoute> routes;
  std::mutex log_mu;  // guards the two below, written from civetweb's threads
  std::string tls_error;
  std::string civet_error;
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
  const bool tls = handlers.tls.has_value();
  if (tls) {
    if (auto loaded = load_openssl_shims(); !loaded) return std::unexpected(loaded.error());
  }
  std::unique_ptr<AdminServer> s(new AdminServer());
  s->state_ = std::make_unique<State>(std::move(handlers), options);
  // No linger: close() returns at once and the kernel finishes sending, so a slow reader never
  // holds a worker. Keep-alive off: a connection carries one request. With TLS the port ("s"
  // suffix) speaks HTTPS only; ssl_protocol_version 4 is TLS 1.2 and later.
  std::vector<std::string> civet = {
      "listening_ports", tls ? bind + "s" : bind,
      "num_threads", std::to_string(options.threads),
      "connection_queue", std::to_string(options.queue),
      "listen_backlog", std::to_string(options.backlog),
      "request_timeout_ms", std::to_string(options.header_timeout.count()),
      "enable_keep_alive", "no",
  };
  if (tls) civet.insert(civet.end(), {"ssl_protocol_version", "4"});
  // Every request goes through begin_request, installed before civetweb binds: there is no
  // instant in which the port answers without the routes (a request handler registered after
  // start would leave one, and civetweb answers 404 in it). civetweb passes the CivetServer as
  // the context's user data; its UserContext is our State.
  static constexpr auto state_of = [](const void* civet_server) {
    const auto* server = static_cast<const CivetServer*>(civet_server);
    return static_cast<State*>(const_cast<void*>(server->getUserContext()));
  };
  CivetCallbacks callbacks{};
  callbacks.begin_request = [](mg_connection* conn) -> int {
    return state_of(mg_get_request_info(conn)->user_data)->serve(conn);
  };
  // civetweb's own errors (bind, TLS set-up, handshakes) are logged at debug level; the first
  // kilobyte is kept for the start error.
  callbacks.log_message = [](const mg_connection* conn, const char* message) -> int {
    State* state = state_of(mg_get_user_data(mg_get_context(conn)));
    {
      std::lock_guard lock(state->log_mu);
      if (state->civet_error.size() < 1024) {
        state->civet_error += (state->civet_error.empty() ? "" : "; ") + std::string(message);
      }
    }
    component_logger("admin")->debug("civetweb: {}", message);
    return 1;
  };
  if (tls) {
    callbacks.init_ssl = [](void* ssl_ctx, void* civet_server) -> int {
      return state_of(civet_server)->load_certificate(static_cast<SSL_CTX*>(ssl_ctx)) ? 1 : -1;
    };
  }
  try {
    s->server_ = std::make_unique<CivetServer>(civet, &callbacks, s->state_.get());
  } catch (const std::exception&) {
    return std::unexpected(start_error(listen, tls, s->state_->start_problem()));
  }
  s->wake_host_ = host;
  s->wake_port_ = port;
  warn_if_exposed(listen, host, s->state_->h);
  return s;
}

const std::vector<AdminRoute>& AdminServer::routes() const noexcept { return state_->routes; }
uint64_t AdminServer::auth_failures() const { return state_->throttle.failures(); }
uint64_t AdminServer::auth_refused() const { return state_->throttle.refused(); }
uint64_t AdminServer::auth_bcrypt_checks() const {
  return state_->auth ? state_->auth->bcrypt_checks() : 0;
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
