#pragma once
// Test helpers: read a whole capture with libpcap (pcap or pcapng) so unit tests can feed real
// frames to the parsers without the EAL, and write crafted frames as a classic pcap for rvoipd.

#include <cstdint>
#include <span>
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

// Writes a classic pcap (microsecond time stamps) with libpcap, one frame at a time. Throws
// std::runtime_error naming the file when it cannot be opened; the file is complete once the
// writer is destroyed.
class PcapWriter {
 public:
  explicit PcapWriter(const std::string& path,
                      dataplane::LinkType link = dataplane::LinkType::kEthernet);
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  void write(uint64_t timestamp_ns, std::span<const uint8_t> frame);

 private:
  struct Handles;
  Handles* handles_;
};

// Writes `capture` to `path` (see PcapWriter).
void write_pcap(const std::string& path, const PcapFile& capture);

// Absolute path of a capture in tests/data/pcaps (copies of ../shared/data/pcaps).
std::string shared_pcap(const std::string& name);

// Absolute path of a file in tests/data.
std::string test_data(const std::string& name);

}  // namespace rv::test
