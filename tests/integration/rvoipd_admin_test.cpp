// The admin endpoint of the real rvoipd: idle connections do not block probes, exact routes,
// HEAD, the warning for a non-loopback bind without auth, and HTTPS with a bcrypt password.

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/support/process.hpp"
#include "tests/support/tls_client.hpp"

namespace rv::test {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// Sends `request`, returns everything the server answers before closing (or the timeout).
std::string exchange(uint16_t port, const std::string& request, std::chrono::milliseconds timeout) {
  const int fd = connect_loopback(port, timeout);
  if (fd < 0) return "";
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string raw;
  char buf[4096];
  for (ssize_t n; (n = recv(fd, buf, sizeof(buf), 0)) > 0;) raw.append(buf, std::size_t(n));
  close(fd);
  return raw;
}

bool await_ready(uint16_t port) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (http_get(port, "/ready").status == 200) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

void stop(Child& rvoipd) {
  rvoipd.signal(SIGTERM);
  const auto code = rvoipd.wait_for(10s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << rvoipd.err();
}

std::vector<std::string> args(const std::string& listen) {
  return {rvoipd_path(), "--set", "control.metrics_listen=" + listen, "--", "--vdev=net_null0"};
}

TEST(RvoipdAdmin, FiftyIdleConnections_ReadyAnswersWithinOneSecond) {
  const uint16_t port = pick_port();
  Child rvoipd(args("127.0.0.1:" + std::to_string(port)));
  ASSERT_TRUE(await_ready(port)) << rvoipd.err();
  std::vector<int> idle;
  for (int i = 0; i < 50; ++i) {
    const int fd = connect_loopback(port, 10s);
    ASSERT_GE(fd, 0);
    idle.push_back(fd);
  }
  std::this_thread::sleep_for(200ms);  // accepted by the server
  const auto t0 = std::chrono::steady_clock::now();
  const std::string r = exchange(port, "GET /ready HTTP/1.1\r\nHost: x\r\n\r\n", 1s);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_THAT(r, ::testing::StartsWith("HTTP/1.1 200 ")) << "no answer within 1 s";
  EXPECT_THAT(exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 1s),
              ::testing::StartsWith("HTTP/1.1 200 "));
  // Idle clients do not hold up shutdown either.
  const auto t1 = std::chrono::steady_clock::now();
  stop(rvoipd);
  EXPECT_LT(std::chrono::steady_clock::now() - t1, 2s);
  for (int fd : idle) close(fd);
}

TEST(RvoipdAdmin, ExactRoutesHeadAndHelp) {
  const uint16_t port = pick_port();
  Child rvoipd(args("127.0.0.1:" + std::to_string(port)));
  ASSERT_TRUE(await_ready(port)) << rvoipd.err();
  EXPECT_EQ(http_get(port, "/metricsX").status, 404);
  EXPECT_EQ(http_get(port, "/ready/").status, 404);
  const auto help = http_get(port, "/help");
  EXPECT_EQ(help.status, 200);
  for (const char* p : {"/metrics", "/health", "/ready", "/help"})
    EXPECT_THAT(help.body, HasSubstr(p));
  const std::string head = exchange(port, "HEAD /ready HTTP/1.1\r\nHost: x\r\n\r\n", 5s);
  EXPECT_THAT(head, ::testing::StartsWith("HTTP/1.1 200 "));
  EXPECT_THAT(head, HasSubstr("Content-Length: 6\r\n"));  // "ready\n"
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;
  stop(rvoipd);
}

TEST(RvoipdAdmin, NonLoopbackBindWithoutAuth_WarnsAtStart) {
  const uint16_t port = pick_port();
  Child rvoipd(args("0.0.0.0:" + std::to_string(port)));
  ASSERT_TRUE(await_ready(port)) << rvoipd.err();
  stop(rvoipd);
  EXPECT_THAT(rvoipd.err(), HasSubstr("reachable from other hosts and has no authentication"));
}

TEST(RvoipdAdmin, TlsAndBcrypt_HttpsOnlyWithTheRightPasswordCheckedOnce) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("rv-rvoipd-admin-tls-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const PemFiles pem = write_self_signed_certificate(dir);
  const uint16_t port = pick_port();
  // bcrypt of "s3cret" at cost 4, as htpasswd -nbBC 4 admin s3cret writes it.
  Child rvoipd(
      {rvoipd_path(), "--set", "control.metrics_listen=0.0.0.0:" + std::to_string(port), "--set",
       "control.auth_user=admin", "--set",
       "control.auth_password_bcrypt=$2y$04$WKcgPNn6C.3r4SMzgOE0m.Oh6gWNvRi5U0EVs5zV539meVPWLH9Ha",
       "--set", "control.tls_cert_file=" + pem.cert_file, "--set",
       "control.tls_key_file=" + pem.key_file, "--", "--vdev=net_null0"});
  const auto get = [&](const std::string& path, const std::string& credentials) {
    return https_request(port,
                         "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic " +
                             credentials + "\r\n\r\n",
                         pem.cert_file);
  };
  const std::string right = "YWRtaW46czNjcmV0";  // admin:s3cret
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (get("/ready", right).status != 200 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  const auto metrics = get("/metrics", right);
  EXPECT_EQ(metrics.status, 200) << rvoipd.err();
  // Every request above carried the right password: bcrypt ran once, the cache answered the rest.
  EXPECT_THAT(metrics.body, HasSubstr("rvoip_admin_auth_bcrypt_checks_total 1\n"));
  EXPECT_EQ(get("/metrics", "YWRtaW46d3Jvbmc=").status, 401);  // admin:wrong
  EXPECT_EQ(http_get(port, "/ready").status, 0) << "plain HTTP on the TLS port";
  stop(rvoipd);
  EXPECT_THAT(rvoipd.err(), HasSubstr("metrics on https://"));
  EXPECT_THAT(rvoipd.err(), ::testing::Not(HasSubstr("reachable from other hosts")));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rv::test
