// The admin HTTP endpoint over real sockets: idle connections do not starve probes, exact routes
// from one table with /help generated from it, HEAD, the basic auth scheme in any case, bcrypt
// passwords and their cache, rate limiting of wrong passwords, HTTPS (TLS 1.2+ only), and the
// warnings for a non-loopback bind without auth or without TLS.

#include "control/admin/admin_server.hpp"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <spdlog/sinks/ostream_sink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "control/logging/logging.hpp"
#include "tests/support/loopback.hpp"
#include "tests/support/tls_client.hpp"

namespace rv::control {
namespace {

using test::connect_loopback;
using test::pick_port;

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using namespace std::chrono_literals;

// printf s3cret | sha256sum
constexpr const char* kS3cretSha256 =
    "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0";
// bcrypt of "s3cret" at cost 4, as htpasswd -nbBC 4 admin s3cret writes it.
constexpr const char* kS3cretBcrypt =
    "$2y$04$WKcgPNn6C.3r4SMzgOE0m.Oh6gWNvRi5U0EVs5zV539meVPWLH9Ha";

using Response = test::HttpAnswer;  // status 0: no answer within the receive timeout

// Sends `request` as is and reads the whole answer (the server closes the connection).
Response exchange(uint16_t port, const std::string& request,
                  std::chrono::milliseconds timeout = 10s) {
  const int fd = connect_loopback(port, timeout);
  if (fd < 0) return {};
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string raw;
  char buf[4096];
  ssize_t n = 0;
  while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) raw.append(buf, static_cast<std::size_t>(n));
  close(fd);
  return test::parse_http_answer(raw);
}

Response request(uint16_t port, const std::string& method, const std::string& path,
                 const std::string& extra_headers = "", std::chrono::milliseconds timeout = 10s) {
  return exchange(port,
                  method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers + "\r\n",
                  timeout);
}

std::string basic(const std::string& scheme, const std::string& base64) {
  return "Authorization: " + scheme + " " + base64 + "\r\n";
}
const std::string kRight = "YWRtaW46czNjcmV0";  // admin:s3cret
const std::string kWrong = "YWRtaW46d3Jvbmc=";  // admin:wrong

class AdminServerTest : public ::testing::Test {
 protected:
  void start(std::optional<BasicAuth> auth = std::nullopt, AdminOptions options = {},
             const std::string& host = "127.0.0.1", std::optional<AdminTls> tls = std::nullopt) {
    registry_.add([](MetricsWriter& w) { w.counter("rvoip_test_total", "A test counter", {}, 7); });
    AdminHandlers h{&registry_,
                    [] {
                      return HealthReport{200, R"({"status":"ok"})"};
                    },
                    [this] { return ready_.load(); }, std::move(auth), std::move(tls)};
    port_ = pick_port();
    auto s = AdminServer::start(host + ":" + std::to_string(port_), std::move(h), options);
    ASSERT_TRUE(s.has_value()) << s.error().to_string();
    server_ = std::move(*s);
  }

  MetricsRegistry registry_;
  std::atomic<bool> ready_{true};
  uint16_t port_ = 0;
  std::unique_ptr<AdminServer> server_;
};

TEST_F(AdminServerTest, FiftyIdleConnections_ReadyStillAnswersWithinOneSecond) {
  start();
  std::vector<int> idle;
  for (int i = 0; i < 50; ++i) {
    const int fd = connect_loopback(port_, 10s);
    ASSERT_GE(fd, 0);
    idle.push_back(fd);
  }
  std::this_thread::sleep_for(200ms);  // let the server accept them all
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = request(port_, "GET", "/ready", "", 1s);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.status, 200) << "no answer within 1 s while 50 idle connections are open";
  EXPECT_LT(took, 1s);
  EXPECT_EQ(request(port_, "GET", "/health", "", 1s).status, 200);
  EXPECT_EQ(request(port_, "GET", "/metrics", "", 1s).status, 200);
  for (int fd : idle) close(fd);
}

TEST_F(AdminServerTest, IdleConnection_IsClosedByTheServer) {
  start();  // the default header timeout
  const int fd = connect_loopback(port_, 15s);
  ASSERT_GE(fd, 0);
  char c = 0;
  const ssize_t n = recv(fd, &c, 1, 0);
  const int err = errno;
  close(fd);
  EXPECT_TRUE(n == 0 || (n < 0 && err == ECONNRESET))
      << "an idle connection was kept open past the header timeout";
}

TEST_F(AdminServerTest, DefaultHeaderTimeout_IsShort) {
  EXPECT_LE(AdminOptions{}.header_timeout, 5s);
  EXPECT_GE(AdminOptions{}.threads, 50u + 2u) << "50 idle connections and a probe or two";
}

// A client polling the port while the server starts (a process supervisor, a test harness)
// must never see the port answer without its routes: the first answer is the route's.
TEST(AdminServerStart, FirstAnswerWhileStarting_IsTheRoutesNeverA404) {
  MetricsRegistry registry;
  for (int round = 0; round < 100; ++round) {
    const uint16_t port = pick_port();
    std::atomic<bool> stop{false};
    std::atomic<int> first{0};
    std::thread poller([&] {
      while (!stop.load() && first.load() == 0) first = request(port, "GET", "/help", "", 2s).status;
    });
    AdminHandlers h{&registry, [] { return HealthReport{}; }, [] { return true; }, std::nullopt};
    auto s = AdminServer::start("127.0.0.1:" + std::to_string(port), std::move(h));
    ASSERT_TRUE(s.has_value()) << s.error().to_string();
    while (first.load() == 0 && request(port, "GET", "/help").status == 0) {
    }
    stop = true;
    poller.join();
    if (first.load() != 0) {
      EXPECT_EQ(first.load(), 200) << "round " << round;
    }
  }
}

TEST_F(AdminServerTest, Routes_MatchExactlyAndOthersAre404) {
  start();
  EXPECT_EQ(request(port_, "GET", "/metrics").status, 200);
  EXPECT_EQ(request(port_, "GET", "/metrics?name[]=x").status, 200);
  for (const char* p : {"/metricsX", "/metrics/", "/metrics/x", "/readyz", "/", "/nope"}) {
    const auto r = request(port_, "GET", p);
    EXPECT_EQ(r.status, 404) << p;
    EXPECT_THAT(r.body, HasSubstr("see /help")) << p;
  }
}

TEST_F(AdminServerTest, Metrics_IncludeTheRegistryAndTheAuthCounters) {
  start();
  const auto r = request(port_, "GET", "/metrics");
  EXPECT_THAT(r.body, HasSubstr("rvoip_test_total 7"));
  EXPECT_THAT(r.body, HasSubstr("rvoip_admin_auth_failures_total 0"));
  EXPECT_THAT(r.body, HasSubstr("rvoip_admin_auth_refused_total 0"));
}

TEST_F(AdminServerTest, Head_AnswersLikeGetWithoutBody) {
  start();
  for (const char* p : {"/ready", "/health", "/help"}) {
    const auto get = request(port_, "GET", p);
    const auto head = request(port_, "HEAD", p);
    EXPECT_EQ(head.status, get.status) << p;
    EXPECT_THAT(head.headers,
                HasSubstr("Content-Length: " + std::to_string(get.body.size()) + "\r\n"))
        << p;
    EXPECT_EQ(head.body, "") << p;
  }
  ready_ = false;
  EXPECT_EQ(request(port_, "HEAD", "/ready").status, 503);
}

TEST_F(AdminServerTest, OtherMethods_Are405WithAllow) {
  start();
  for (const char* m : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
    const auto r = request(port_, m, "/ready", "Content-Length: 0\r\n");
    EXPECT_EQ(r.status, 405) << m;
    EXPECT_THAT(r.headers, HasSubstr("Allow: GET, HEAD")) << m;
  }
}

TEST_F(AdminServerTest, Help_IsGeneratedFromTheRouteTable) {
  start();
  const auto r = request(port_, "GET", "/help");
  ASSERT_EQ(r.status, 200);
  ASSERT_GE(server_->routes().size(), 4u);
  for (const auto& route : server_->routes()) {
    EXPECT_THAT(r.body, HasSubstr(route.path)) << route.path;
    EXPECT_THAT(r.body, HasSubstr(route.help)) << route.path;
    EXPECT_NE(request(port_, "GET", route.path).status, 404) << route.path;
  }
}

TEST_F(AdminServerTest, BasicScheme_IsCaseInsensitive) {
  start(BasicAuth{"admin", kS3cretSha256});
  for (const char* scheme : {"Basic", "basic", "BASIC", "bAsIc"}) {
    EXPECT_EQ(request(port_, "GET", "/ready", basic(scheme, kRight)).status, 200) << scheme;
  }
  EXPECT_EQ(request(port_, "GET", "/ready", "Authorization: basic   " + kRight + "\r\n").status,
            200);
  EXPECT_EQ(request(port_, "GET", "/ready", basic("Bearer", kRight)).status, 401);
  EXPECT_EQ(request(port_, "GET", "/ready", basic("Basicx", kRight)).status, 401);
  const auto none = request(port_, "GET", "/ready");
  EXPECT_EQ(none.status, 401);
  EXPECT_THAT(none.headers, HasSubstr("WWW-Authenticate: Basic realm=\"rvoipd\""));
}

TEST_F(AdminServerTest, AuthRequired_EvenFor404AndHead) {
  start(BasicAuth{"admin", kS3cretSha256});
  EXPECT_EQ(request(port_, "GET", "/metricsX").status, 401);
  EXPECT_EQ(request(port_, "HEAD", "/metrics").status, 401);
  EXPECT_EQ(request(port_, "HEAD", "/metrics", basic("Basic", kRight)).status, 200);
}

TEST_F(AdminServerTest, WrongPasswords_AreRefusedWith429AndCounted) {
  AdminOptions o;
  o.throttle.free_failures = 3;
  o.throttle.base_backoff = 60s;  // outlasts the test
  start(BasicAuth{"admin", kS3cretSha256}, o);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(request(port_, "GET", "/ready", basic("Basic", kWrong)).status, 401) << i;
  }
  // Backing off: even the right password is not checked.
  const auto r = request(port_, "GET", "/metrics", basic("Basic", kRight));
  EXPECT_EQ(r.status, 429);
  EXPECT_THAT(r.headers, HasSubstr("Retry-After: 60\r\n"));
  EXPECT_EQ(request(port_, "GET", "/ready", basic("Basic", kWrong)).status, 429);
  EXPECT_EQ(server_->auth_failures(), 3u);
  EXPECT_EQ(server_->auth_refused(), 2u);
}

TEST_F(AdminServerTest, BackoffOver_RightPasswordWorksAndClearsTheRecord) {
  AdminOptions o;
  o.throttle.free_failures = 2;
  o.throttle.base_backoff = 100ms;
  start(BasicAuth{"admin", kS3cretSha256}, o);
  EXPECT_EQ(request(port_, "GET", "/ready", basic("Basic", kWrong)).status, 401);
  EXPECT_EQ(request(port_, "GET", "/ready", basic("Basic", kWrong)).status, 401);
  EXPECT_EQ(request(port_, "GET", "/ready", basic("Basic", kRight)).status, 429);
  std::this_thread::sleep_for(500ms);
  const auto r = request(port_, "GET", "/metrics", basic("Basic", kRight));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("rvoip_admin_auth_failures_total 2"));
  EXPECT_THAT(r.body, HasSubstr("rvoip_admin_auth_refused_total 1"));
  // The record was cleared: one wrong password is free again.
  EXPECT_EQ(request(port_, "GET", "/ready", basic("Basic", kWrong)).status, 401);
  EXPECT_EQ(request(port_, "GET", "/ready", basic("Basic", kRight)).status, 200);
}

TEST_F(AdminServerTest, MissingCredentials_AreNotCountedAsGuesses) {
  AdminOptions o;
  o.throttle.free_failures = 2;
  o.throttle.base_backoff = 60s;
  start(BasicAuth{"admin", kS3cretSha256}, o);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(request(port_, "GET", "/ready").status, 401);
  EXPECT_EQ(request(port_, "GET", "/ready", basic("Basic", kRight)).status, 200);
  EXPECT_EQ(server_->auth_failures(), 0u);
}

// Captures what the "admin" logger writes while alive.
class AdminLog {
 public:
  AdminLog() : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(out_)) {
    component_logger("admin")->sinks().push_back(sink_);
  }
  ~AdminLog() {
    auto& sinks = component_logger("admin")->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

TEST_F(AdminServerTest, NonLoopbackBindWithoutAuth_LogsAWarning) {
  AdminLog log;
  start(std::nullopt, {}, "0.0.0.0");
  EXPECT_THAT(log.text(), HasSubstr("reachable from other hosts and has no authentication"));
  EXPECT_EQ(request(port_, "GET", "/ready").status, 200);
}

TEST_F(AdminServerTest, LoopbackBindOrAuth_NoWarning) {
  AdminLog log;
  start();
  server_.reset();
  start(BasicAuth{"admin", kS3cretSha256}, {}, "0.0.0.0");
  EXPECT_THAT(log.text(), Not(HasSubstr("no authentication")));
}

TEST_F(AdminServerTest, Bcrypt_RightPassword200WrongPassword401) {
  start(BasicAuth{"admin", "", false, kS3cretBcrypt});
  EXPECT_EQ(request(port_, "GET", "/metrics", basic("Basic", kRight)).status, 200);
  EXPECT_EQ(request(port_, "GET", "/metrics", basic("Basic", kWrong)).status, 401);
  EXPECT_EQ(request(port_, "GET", "/metrics").status, 401);
}

TEST_F(AdminServerTest, Bcrypt_TwoRightRequestsComputeBcryptOnce) {
  start(BasicAuth{"admin", "", false, kS3cretBcrypt});
  EXPECT_EQ(request(port_, "GET", "/ready", basic("Basic", kRight)).status, 200);
  const auto r = request(port_, "GET", "/metrics", basic("Basic", kRight));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(server_->auth_bcrypt_checks(), 1u);
  EXPECT_THAT(r.body, HasSubstr("rvoip_admin_auth_bcrypt_checks_total 1"));
}

// A self-signed certificate in a directory of its own, removed afterwards.
class AdminServerTlsTest : public AdminServerTest {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rv-admin-tls-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "other");
    pem_ = test::write_self_signed_certificate(dir_);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  void start_tls(const std::string& host = "127.0.0.1") {
    start(BasicAuth{"admin", "", false, kS3cretBcrypt}, {}, host,
          AdminTls{pem_.cert_file, pem_.key_file});
  }
  test::HttpAnswer https_get(const std::string& path, const std::string& headers = "",
                             int max_version = 0) {
    return test::https_request(
        port_, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "\r\n",
        pem_.cert_file, max_version);
  }

  std::filesystem::path dir_;
  test::PemFiles pem_;
};

TEST_F(AdminServerTlsTest, HttpsGetMetricsWithAuth_Succeeds) {
  start_tls();
  const auto r = https_get("/metrics", basic("Basic", kRight));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("rvoip_test_total 7"));
  EXPECT_EQ(https_get("/metrics").status, 401);
  EXPECT_EQ(https_get("/metrics", basic("Basic", kWrong)).status, 401);
}

TEST_F(AdminServerTlsTest, PlainHttpToTheTlsPort_GetsNoHttpAnswer) {
  start_tls();
  EXPECT_EQ(request(port_, "GET", "/ready", basic("Basic", kRight)).status, 0);
  EXPECT_EQ(https_get("/ready", basic("Basic", kRight)).status, 200) << "still serving HTTPS";
}

TEST_F(AdminServerTlsTest, Tls11Client_IsRefusedTls12Served) {
  start_tls();
  EXPECT_EQ(https_get("/ready", basic("Basic", kRight), TLS1_1_VERSION).status, 0);
  EXPECT_EQ(https_get("/ready", basic("Basic", kRight), TLS1_2_VERSION).status, 200);
}

TEST_F(AdminServerTlsTest, KeyOfAnotherCertificate_StartFailsNamingTheKey) {
  const auto other = test::write_self_signed_certificate(dir_ / "other");
  AdminHandlers h{&registry_, [] { return HealthReport{}; }, [] { return true; }, std::nullopt,
                  AdminTls{pem_.cert_file, other.key_file}};
  const auto s = AdminServer::start("127.0.0.1:" + std::to_string(pick_port()), std::move(h));
  ASSERT_FALSE(s.has_value());
  EXPECT_THAT(s.error().to_string(),
              HasSubstr("control.tls_key_file: cannot use '" + other.key_file));
}

TEST_F(AdminServerTlsTest, CertificateNotPem_StartFailsNamingTheCertificate) {
  const std::string junk = (dir_ / "junk.pem").string();
  std::ofstream(junk) << "not a certificate\n";
  AdminHandlers h{&registry_, [] { return HealthReport{}; }, [] { return true; }, std::nullopt,
                  AdminTls{junk, pem_.key_file}};
  const auto s = AdminServer::start("127.0.0.1:" + std::to_string(pick_port()), std::move(h));
  ASSERT_FALSE(s.has_value());
  EXPECT_THAT(s.error().to_string(), HasSubstr("control.tls_cert_file: cannot use '" + junk));
}

TEST_F(AdminServerTlsTest, NonLoopbackBind_WarnsWithoutTlsOnly) {
  AdminLog log;
  start(BasicAuth{"admin", kS3cretSha256}, {}, "0.0.0.0");
  EXPECT_THAT(log.text(), HasSubstr("reachable from other hosts over plain HTTP"));
  EXPECT_THAT(log.text(), Not(HasSubstr("no authentication")));
  server_.reset();
  AdminLog tls_log;
  start_tls("0.0.0.0");
  EXPECT_EQ(https_get("/ready", basic("Basic", kRight)).status, 200);
  EXPECT_THAT(tls_log.text(), Not(HasSubstr("reachable from other hosts")));
}

TEST(AdminLoopback, IsLoopbackHost) {
  for (const char* h : {"127.0.0.1", "127.1.2.3", "::1", "localhost"}) {
    EXPECT_TRUE(is_loopback_host(h)) << h;
  }
  for (const char* h : {"0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "probe.example.net"}) {
    EXPECT_FALSE(is_loopback_host(h)) << h;
  }
}

}  // namespace
}  // namespace rv::control
