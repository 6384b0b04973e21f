#pragma once
// What rvoipd learns about a capture before replaying it: frame count (replay ends when every
// frame was read), link type and time span. Read with libpcap (pcap and pcapng).

#include <cstdint>
#include <string>

#include "dataplane/packet.hpp"
#include "events/error.hpp"

namespace rv::control {

struct CaptureInfo {
  std::string path;
  uint64_t frames = 0;
  uint64_t bytes = 0;
  dataplane::LinkType link = dataplane::LinkType::kEthernet;
  uint64_t first_ns = 0;
  uint64_t last_ns = 0;
};

// Errors name the file and say what is wrong ("not a pcap or pcapng file", "truncated").
Result<CaptureInfo> inspect_capture(const std::string& path);

}  // namespace rv::control
