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
  // The file ends inside a record (a capture cut short: disk full, copy interrupted) or a record
  // is damaged: `frames` counts the complete frames before it, which are replayed, as tshark
  // reads them; `damage` is libpcap's reason.
  bool truncated = false;
  std::string damage;
};

// Errors name the file and say what is wrong ("not a pcap or pcapng file", unsupported link
// type). A capture damaged after its header is not an error: see CaptureInfo::truncated.
Result<CaptureInfo> inspect_capture(const std::string& path);

// The warning for a truncated capture: names the file, the frames replayed and the damage.
std::string truncation_warning(const CaptureInfo& info);

}  // namespace rv::control
