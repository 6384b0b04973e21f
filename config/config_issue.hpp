#pragma once
// A problem found while loading or validating config: where (key path and, for a file, line and
// column) and what was expected. Printed as `path: message (line L, column C)`.

#include <cstddef>
#include <string>
#include <vector>

#include "events/error.hpp"

namespace rv::config {

struct ConfigIssue {
  std::string path;
  std::string message;
  int line = 0;        // 1-based; 0 when the value did not come from a file
  int column = 0;      // 1-based
  std::string origin;  // "" (file), "environment RVOIP__X__Y" or "--set"

  std::string to_string() const;
};

using ConfigIssues = std::vector<ConfigIssue>;

// At most this many issues are listed; the rest are counted in one last "and N more" issue, so
// a huge broken file gives a readable answer in bounded memory.
inline constexpr std::size_t kMaxListedIssues = 100;

// Collects issues up to kMaxListedIssues and counts the rest. Not thread-safe.
class IssueSink {
 public:
  void add(ConfigIssue issue);
  bool empty() const noexcept { return listed_.empty(); }
  std::size_t size() const noexcept { return listed_.size() + unlisted_; }
  // Every issue added so far, the ones past the cap summed up in a last one (empty path).
  ConfigIssues take() &&;

 private:
  ConfigIssues listed_;
  std::size_t unlisted_ = 0;
};

// One rv::Error (code kConfig) listing every issue, one per line.
Error to_error(const ConfigIssues& issues);

}  // namespace rv::config
