#pragma once
// Reads a config file with bounds: only a regular file (a directory, FIFO, socket or device is
// refused before it is read, so /dev/zero cannot exhaust memory and a FIFO cannot block), at
// most `max_bytes` bytes, and never an empty one (an emptied file is a truncated deploy, not a
// request for defaults). Control-plane only; never throws.

#include <cstdint>
#include <expected>
#include <string>

#include "config/config_issue.hpp"

namespace rv::config {

// The whole text of `path`, or an issue (path = `path`) saying what is wrong and what to do.
// Opened non-blocking, after a stat that refuses anything but a regular file, and checked again
// on the open descriptor (the path may be swapped in between).
std::expected<std::string, ConfigIssue> read_config_file(const std::string& path,
                                                         uint64_t max_bytes);

}  // namespace rv::config
