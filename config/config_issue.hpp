#pragma once
// A problem found while loading or validating config: where (key path and, for a file, line and
// column) and what was expected. Printed as `path: message (line L, column C)`.

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

// One rv::Error (code kConfig) listing every issue, one per line.
Error to_error(const ConfigIssues& issues);

}  // namespace rv::config
