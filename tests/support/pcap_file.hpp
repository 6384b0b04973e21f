#pragma once
// Test helper: reads a whole capture with libpcap (pcap or pcapng) so unit tests can feed real
// frames to the parsers without the EAL.

#include <cstdint>
#include <string>
#include <vector>

#include "dataplane/packet.hpp"

namespace rv::test {

struct PcapFrame {
  uint64_t timestamp_ns = 0;  // capture time, ns since the epoch
  std::vector<uint8_t> bytes;
};

struct PcapFile {
  dataplane::LinkType link = dataplane::LinkType::kEthernet;
  std::vector<PcapFrame> frames;
};

// Reads `path`; throws std::runtime_error naming the file when it cannot be read.
PcapFile read_pcap(const std::string& path);

// Absolute path of a capture in tests/data/pcaps (copies of ../shared/data/pcaps).
std::string shared_pcap(const std::string& name);

// Absolute path of a file in tests/data.
std::string test_data(const std::string& name);

}  // namespace rv::test
