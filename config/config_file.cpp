#include "config/config_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rv::config {
namespace {

std::string_view file_type(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

ConfigIssue problem(const std::string& path, std::string message) {
  return ConfigIssue{path, std::move(message)};
}

ConfigIssue not_regular(const std::string& path, mode_t mode) {
  return problem(path, fmt::format("cannot read config file: it is {}, not a regular file; point "
                                   "--config at a YAML file",
                                   file_type(mode)));
}

ConfigIssue too_large(const std::string& path, uint64_t size, uint64_t max_bytes) {
  return problem(path, fmt::format("config file is {} bytes, more than control.config_max_bytes "
                                   "({}); shorten it, or raise the limit with --set or "
                                   "RVOIP__CONTROL__CONFIG_MAX_BYTES",
                                   size, max_bytes));
}

bool blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

// Closes the descriptor on every path out.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace

std::expected<std::string, ConfigIssue> read_config_file(const std::string& path,
                                                         uint64_t max_bytes) {
  struct stat st {};
  // stat before open: opening some devices has effects of its own.
  if (stat(path.c_str(), &st) != 0) {
    return std::unexpected(problem(path, fmt::format("cannot read config file: {} (check the "
                                                     "path and permissions)",
                                                     std::strerror(errno))));
  }
  if (!S_ISREG(st.st_mode)) return std::unexpected(not_regular(path, st.st_mode));
  Fd f{open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
  if (f.fd < 0 || fstat(f.fd, &st) != 0) {
    return std::unexpected(problem(path, fmt::format("cannot read config file: {} (check the "
                                                     "path and permissions)",
                                                     std::strerror(errno))));
  }
  if (!S_ISREG(st.st_mode)) return std::unexpected(not_regular(path, st.st_mode));
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return std::unexpected(too_large(path, static_cast<uint64_t>(st.st_size), max_bytes));
  }
  // The file may grow after fstat: read one byte past the limit to notice.
  std::string text(static_cast<std::size_t>(st.st_size) + 1, '\0');
  std::size_t got = 0;
  while (got <= max_bytes) {
    if (got == text.size()) text.resize(std::min<uint64_t>(text.size() * 2, max_bytes + 1));
    const ssize_t n = read(f.fd, text.data() + got, text.size() - got);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(
          problem(path, fmt::format("cannot read config file: {}", std::strerror(errno))));
    }
    got += static_cast<std::size_t>(n);
  }
  if (got > max_bytes) return std::unexpected(too_large(path, got, max_bytes));
  text.resize(got);
  if (blank(text)) {
    return std::unexpected(problem(path,
                                   "config file is empty; write at least one key (see "
                                   "rvoipd --print-default-config) or leave out --config"));
  }
  return text;
}

}  // namespace rv::config
