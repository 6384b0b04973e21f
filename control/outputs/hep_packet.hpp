#pragma once
// HEPv3 encoding (the Homer Encapsulation Protocol, as heplify and heplify-server speak it):
// "HEP3", a 16-bit total length, then chunks (vendor 0, type, length including the 6-byte chunk
// header, value), every integer big-endian. Control-plane only; appends to a caller's buffer.

#include <cstdint>
#include <string>
#include <string_view>

#include "dataplane/flow_key.hpp"

namespace rv::control::hep {

// Chunk 0x000b: what the payload is.
enum class ProtoType : uint8_t {
  kSip = 1,
  kRtcpJson = 5,     // RTCP as JSON (heplify's RTCP report)
  kQosReport = 34,   // per-stream quality report (JSON), Homer's "rtp agent" report
};

struct HepMeta {
  dataplane::FlowKey flow;
  uint64_t timestamp_ns = 0;
  ProtoType proto = ProtoType::kSip;
  uint32_t node_id = 0;
  std::string_view auth_key;        // empty: no chunk
  std::string_view correlation_id;  // the Call-ID; empty: no chunk
};

// Appends one HEPv3 packet carrying `payload` to `out`. Returns false (appending nothing) when
// the packet would exceed 65535 bytes.
bool encode(const HepMeta& meta, std::string_view payload, std::string& out);

}  // namespace rv::control::hep
