#pragma once
// TCP on 127.0.0.1 for tests and benchmarks that start servers (rvoipd's admin port,
// nats-server): a free port to give them, and a client connection to it. Header-only and
// without GoogleTest, so perf/ can use it too.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>

namespace rv::test {

// A TCP port on 127.0.0.1 unlikely to collide between concurrently running tests: the kernel
// picks a free one, which is released for the server to bind.
inline uint16_t pick_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// A TCP connection to 127.0.0.1:port whose receives time out after `recv_timeout`, or -1 when
// nothing accepts it.
inline int connect_loopback(uint16_t port, std::chrono::milliseconds recv_timeout) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval tv{static_cast<time_t>(recv_timeout.count() / 1000),
             static_cast<suseconds_t>((recv_timeout.count() % 1000) * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Whether something accepts TCP connections on 127.0.0.1:port.
inline bool port_open(uint16_t port) {
  const int fd = connect_loopback(port, std::chrono::milliseconds(1000));
  if (fd < 0) return false;
  close(fd);
  return true;
}

}  // namespace rv::test
