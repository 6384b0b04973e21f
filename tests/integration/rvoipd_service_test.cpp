// rvoipd under systemd's notify protocol (sd_notify(3)), without systemd: the test binds the
// unix datagram socket systemd would, passes it in NOTIFY_SOCKET (and WATCHDOG_USEC), runs the
// real rvoipd live on net_null0 and reads what it sends: READY=1 once Live (/ready answers 200
// by then), STATUS= lines, WATCHDOG=1 only when a watchdog was asked for, STOPPING=1 after
// SIGTERM.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace rv::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

// The socket systemd listens on for a Type=notify service.
class NotifySocket {
 public:
  NotifySocket() {
    static int seq = 0;
    path_ = "/tmp/rv_notify_" + std::to_string(getpid()) + "_" + std::to_string(seq++) + ".sock";
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    unlink(path_.c_str());
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ADD_FAILURE() << "cannot bind " << path_ << ": " << std::strerror(errno);
    }
  }
  ~NotifySocket() {
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::string& path() const { return path_; }

  // Reads datagrams until one holds the line `line` (e.g. "READY=1") or `limit` passes. Every
  // datagram read is kept in received().
  bool await_line(const std::string& line, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      if (seen_line(line)) return true;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n > 0) received_.emplace_back(buf, static_cast<size_t>(n));
    }
  }

  bool seen_line(const std::string& line) const {
    for (const auto& d : received_) {
      if (("\n" + d + "\n").find("\n" + line + "\n") != std::string::npos) return true;
    }
    return false;
  }
  // The first datagram holding `line`, or empty.
  std::string datagram_with(const std::string& line) const {
    for (const auto& d : received_) {
      if (("\n" + d + "\n").find("\n" + line + "\n") != std::string::npos) return d;
    }
    return {};
  }
  std::string all() const {
    std::string out;
    for (const auto& d : received_) out += "[" + d + "] ";
    return out;
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::vector<std::string> received_;
};

// rvoipd live on net_null0, started with NOTIFY_SOCKET (and WATCHDOG_USEC when given) in its
// environment only.
std::unique_ptr<Child> start_notified(const NotifySocket& sock, uint16_t port,
                                      std::optional<std::string> watchdog_usec) {
  setenv("NOTIFY_SOCKET", sock.path().c_str(), 1);
  if (watchdog_usec) setenv("WATCHDOG_USEC", watchdog_usec->c_str(), 1);
  auto child = std::make_unique<Child>(std::vector<std::string>{
      rvoipd_path(), "--set", "control.metrics_listen=127.0.0.1:" + std::to_string(port), "--",
      "--vdev=net_null0"});
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");
  return child;
}

TEST(RvoipdService, NotifySocket_ReadyWhenLiveThenStoppingOnSigterm) {
  NotifySocket sock;
  const uint16_t port = pick_port();
  auto rvoipd = start_notified(sock, port, std::nullopt);
  ASSERT_TRUE(sock.await_line("READY=1", 60s)) << sock.all() << rvoipd->err();
  // READY=1 is sent once every component is Live, the admin endpoint included.
  EXPECT_EQ(http_get(port, "/ready").status, 200);
  EXPECT_THAT(sock.datagram_with("READY=1"), HasSubstr("STATUS=running: 1 port(s)"));
  EXPECT_FALSE(sock.seen_line("STOPPING=1"));

  rvoipd->signal(SIGTERM);
  EXPECT_TRUE(sock.await_line("STOPPING=1", 30s)) << sock.all();
  const auto code = rvoipd->wait_for(30s);
  ASSERT_TRUE(code.has_value()) << "rvoipd still running after SIGTERM";
  EXPECT_EQ(*code, 0) << rvoipd->err();
  // No watchdog was asked for: none is sent.
  EXPECT_FALSE(sock.seen_line("WATCHDOG=1")) << sock.all();
}

TEST(RvoipdService, WatchdogUsec_SendsWatchdogWhileHealthy) {
  NotifySocket sock;
  const uint16_t port = pick_port();
  auto rvoipd = start_notified(sock, port, "400000");  // pings every 200 ms
  ASSERT_TRUE(sock.await_line("READY=1", 60s)) << sock.all() << rvoipd->err();
  EXPECT_TRUE(sock.await_line("WATCHDOG=1", 30s)) << sock.all() << rvoipd->err();
  EXPECT_TRUE(sock.await_line("STATUS=live: 1 port(s), 1 worker lcore(s)", 30s)) << sock.all();

  rvoipd->signal(SIGTERM);
  EXPECT_TRUE(sock.await_line("STOPPING=1", 30s)) << sock.all();
  const auto code = rvoipd->wait_for(30s);
  ASSERT_TRUE(code.has_value()) << "rvoipd still running after SIGTERM";
  EXPECT_EQ(*code, 0) << rvoipd->err();
  EXPECT_THAT(sock.all(), Not(HasSubstr("health failed"))) << "net_null0 runs healthy";
  EXPECT_THAT(rvoipd->err() + rvoipd->out(),
              HasSubstr("systemd watchdog: WATCHDOG=1 every 200 ms"));
}

TEST(RvoipdService, NoNotifySocket_RunsAsBefore) {
  unsetenv("NOTIFY_SOCKET");
  const uint16_t port = pick_port();
  Child rvoipd({rvoipd_path(), "--set", "control.metrics_listen=127.0.0.1:" + std::to_string(port),
                "--", "--vdev=net_null0"});
  ASSERT_EQ(http_get_when_up(port, "/ready", 60s).status, 200) << rvoipd.err();
  rvoipd.signal(SIGTERM);
  const auto code = rvoipd.wait_for(30s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << rvoipd.err();
}

}  // namespace
}  // namespace rv::test
