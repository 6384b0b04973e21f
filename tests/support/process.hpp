#pragma once
// Test helpers that drive the real rvoipd binary: spawn with captured output, signals, bounded
// waits, and a minimal HTTP GET on loopback.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/loopback.hpp"

namespace rv::test {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal or still running at the deadline
  std::string out;
  std::string err;
};

class Child {
 public:
  // Starts `args` (args[0] is the program path) with stdout/stderr captured to files.
  explicit Child(const std::vector<std::string>& args);
  ~Child();  // SIGKILLs a child still running
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  // Waits up to `limit`; the exit code, or nullopt if still running.
  std::optional<int> wait_for(std::chrono::milliseconds limit);
  std::string out() const;
  std::string err() const;

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string out_path_;
  std::string err_path_;
};

// Runs to completion (SIGKILL after `limit`).
ProcessResult run_process(const std::vector<std::string>& args,
                          std::chrono::milliseconds limit = std::chrono::seconds(60));

struct HttpResponse {
  int status = 0;  // 0 when the connection failed
  std::string body;
};
HttpResponse http_get(uint16_t port, const std::string& path);

// Polls http_get until it answers (or `limit` passes); /ready is polled through its 503 of
// start-up.
HttpResponse http_get_when_up(uint16_t port, const std::string& path,
                              std::chrono::milliseconds limit = std::chrono::seconds(10));

// The rvoipd binary under test (RVOIPD environment variable set by meson).
std::string rvoipd_path();

std::string read_file(const std::string& path);

}  // namespace rv::test
