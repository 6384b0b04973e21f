#pragma once
// Test helper: builds RTP and RTCP datagrams byte by byte.

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "dataplane/flow_key.hpp"

namespace rv::planes::media::test {

struct RtpSpec {
  uint8_t pt = 0;
  uint16_t seq = 0;
  uint32_t ts = 0;
  uint32_t ssrc = 0x11223344;
  bool marker = false;
  uint8_t csrc_count = 0;
  bool extension = false;
  uint16_t ext_words = 0;
  uint8_t padding = 0;
  uint32_t payload_len = 160;
};

inline void put16(std::vector<uint8_t>& v, uint16_t x) {
  v.push_back(static_cast<uint8_t>(x >> 8));
  v.push_back(static_cast<uint8_t>(x));
}
inline void put32(std::vector<uint8_t>& v, uint32_t x) {
  put16(v, static_cast<uint16_t>(x >> 16));
  put16(v, static_cast<uint16_t>(x));
}

inline std::vector<uint8_t> rtp(const RtpSpec& s) {
  std::vector<uint8_t> v;
  v.push_back(static_cast<uint8_t>(0x80 | (s.padding ? 0x20 : 0) | (s.extension ? 0x10 : 0) |
                                   s.csrc_count));
  v.push_back(static_cast<uint8_t>((s.marker ? 0x80 : 0) | s.pt));
  put16(v, s.seq);
  put32(v, s.ts);
  put32(v, s.ssrc);
  for (uint8_t i = 0; i < s.csrc_count; ++i) put32(v, 0xc0c0c000u + i);
  if (s.extension) {
    put16(v, 0xbede);
    put16(v, s.ext_words);
    for (uint16_t i = 0; i < s.ext_words; ++i) put32(v, 0);
  }
  v.insert(v.end(), s.payload_len, 0xd5);
  if (s.padding) {
    v.insert(v.end(), s.padding - 1u, 0);
    v.push_back(s.padding);
  }
  return v;
}

// One RTCP packet: header (V=2, count, type, length) + body words.
inline std::vector<uint8_t> rtcp_packet(uint8_t type, uint8_t count,
                                        std::initializer_list<uint32_t> body) {
  std::vector<uint8_t> v;
  v.push_back(static_cast<uint8_t>(0x80 | count));
  v.push_back(type);
  put16(v, static_cast<uint16_t>(body.size()));
  for (uint32_t w : body) put32(v, w);
  return v;
}

inline std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> v;
  for (const auto& p : parts) v.insert(v.end(), p.begin(), p.end());
  return v;
}

inline dataplane::FlowKey flow(uint8_t a, uint16_t sport, uint8_t b, uint16_t dport) {
  const uint8_t src[4] = {10, 0, 0, a};
  const uint8_t dst[4] = {10, 0, 0, b};
  return dataplane::FlowKey{{dataplane::IpAddress::v4(src), sport},
                            {dataplane::IpAddress::v4(dst), dport},
                            dataplane::kIpProtoUdp};
}

}  // namespace rv::planes::media::test
