#include "tests/support/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace rv::test {
namespace {

std::string temp_path(const char* what) {
  static int counter = 0;
  return "/tmp/rv_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" + what;
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Child::Child(const std::vector<std::string>& args)
    : out_path_(temp_path("out")), err_path_(temp_path("err")) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const int rc = posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot spawn " + args[0]);
}

Child::~Child() {
  if (!reaped_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  unlink(out_path_.c_str());
  unlink(err_path_.c_str());
}

void Child::signal(int sig) const { kill(pid_, sig); }

std::optional<int> Child::wait_for(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string Child::out() const { return read_file(out_path_); }
std::string Child::err() const { return read_file(err_path_); }

ProcessResult run_process(const std::vector<std::string>& args, std::chrono::milliseconds limit) {
  Child c(args);
  ProcessResult r;
  const auto code = c.wait_for(limit);
  if (!code) c.signal(SIGKILL);
  r.exit_code = code.value_or(-1);
  if (!code) c.wait_for(std::chrono::seconds(5));
  r.out = c.out();
  r.err = c.err();
  return r;
}

HttpResponse http_get(uint16_t port, const std::string& path) {
  HttpResponse resp;
  const int fd = connect_loopback(port, std::chrono::seconds(5));
  if (fd < 0) return resp;
  const std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) != ssize_t(req.size())) {
    close(fd);
    return resp;
  }
  std::string raw;
  char buf[65536];
  for (ssize_t n; (n = recv(fd, buf, sizeof(buf), 0)) > 0;) raw.append(buf, std::size_t(n));
  close(fd);
  if (raw.rfind("HTTP/1.", 0) != 0 || raw.size() < 12) return resp;
  resp.status = std::atoi(raw.c_str() + 9);
  const auto body = raw.find("\r\n\r\n");
  if (body != std::string::npos) resp.body = raw.substr(body + 4);
  return resp;
}

HttpResponse http_get_when_up(uint16_t port, const std::string& path,
                              std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    auto r = http_get(port, path);
    // /ready answers 503 until the appliance is Live: keep polling through start-up. Any other
    // answer counts (a 404 would mean the server listened before its routes existed).
    const bool starting = r.status == 503 && path == "/ready";
    if ((r.status != 0 && !starting) || std::chrono::steady_clock::now() >= deadline) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string rvoipd_path() {
  const char* p = std::getenv("RVOIPD");
  if (p == nullptr) throw std::runtime_error("RVOIPD is not set (run through meson test)");
  return p;
}

}  // namespace rv::test
