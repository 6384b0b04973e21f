#pragma once
// SCTP (RFC 9260) packets as SIP carries them (RFC 4168): the common header and a walk over the
// chunks that follow it. Pure, noexcept, allocation-free: runs on lcores. Never reads outside
// the span it is given, and every step advances at least 4 bytes, so no input makes it loop.

#include <cstdint>
#include <span>

#include "dataplane/byte_order.hpp"

namespace rv::dataplane {

inline constexpr uint8_t kIpProtoSctp = 132;
inline constexpr std::size_t kSctpCommonHeaderBytes = 12;  // ports, verification tag, checksum
inline constexpr std::size_t kSctpChunkHeaderBytes = 4;    // type, flags, length
inline constexpr std::size_t kSctpDataHeaderBytes = 16;    // + TSN, stream, SSN, PPID
inline constexpr uint8_t kSctpChunkData = 0;

// Outcome of check_sctp_chunks(). Values map onto ParseStatus reasons (packet_parser.cpp).
enum class SctpChunkStatus : uint8_t {
  kOk = 0,
  kTruncatedChunk,      // 1-3 bytes left after the last chunk: no room for a chunk header
  kBadChunkLength,      // a chunk length below 4, or past the end of the packet
  kBadDataChunkLength,  // a DATA chunk without room for its 16-byte header and 1 byte of data
};

// One DATA chunk. `data` points into the packet.
struct SctpDataChunk {
  uint8_t flags = 0;
  uint32_t tsn = 0;
  uint16_t stream = 0;
  uint16_t ssn = 0;
  uint32_t ppid = 0;
  std::span<const uint8_t> data;

  bool unordered() const noexcept { return (flags & 0x04) != 0; }
  bool begins() const noexcept { return (flags & 0x02) != 0; }  // B: first fragment
  bool ends() const noexcept { return (flags & 0x01) != 0; }    // E: last fragment
};

struct SctpChunkSummary {
  SctpChunkStatus status = SctpChunkStatus::kOk;
  uint32_t chunks = 0;       // chunks read before the status was decided
  uint32_t data_chunks = 0;  // of which DATA
};

// Walks the chunks of `chunks` (the bytes after the common header), calling fn(const
// SctpDataChunk&) for every DATA chunk until the first bad length. A chunk's padding to 4 bytes
// may be missing after the last chunk (several stacks omit it).
template <typename Fn>
SctpChunkSummary walk_sctp_chunks(std::span<const uint8_t> chunks, Fn&& fn) noexcept {
  SctpChunkSummary s;
  std::size_t off = 0;
  while (off < chunks.size()) {
    const std::size_t left = chunks.size() - off;
    if (left < kSctpChunkHeaderBytes) {
      s.status = SctpChunkStatus::kTruncatedChunk;
      return s;
    }
    const uint8_t* c = chunks.data() + off;
    const std::size_t len = load_be16(c + 2);
    if (len < kSctpChunkHeaderBytes || len > left) {
      s.status = SctpChunkStatus::kBadChunkLength;
      return s;
    }
    ++s.chunks;
    if (c[0] == kSctpChunkData) {
      if (len <= kSctpDataHeaderBytes) {
        s.status = SctpChunkStatus::kBadDataChunkLength;
        return s;
      }
      ++s.data_chunks;
      SctpDataChunk d;
      d.flags = c[1];
      d.tsn = load_be32(c + 4);
      d.stream = load_be16(c + 8);
      d.ssn = load_be16(c + 10);
      d.ppid = load_be32(c + 12);
      d.data = {c + kSctpDataHeaderBytes, len - kSctpDataHeaderBytes};
      fn(static_cast<const SctpDataChunk&>(d));
    }
    off += (len + 3) & ~std::size_t{3};
  }
  return s;
}

// Checks every chunk length of `chunks` without looking at the data.
inline SctpChunkSummary check_sctp_chunks(std::span<const uint8_t> chunks) noexcept {
  return walk_sctp_chunks(chunks, [](const SctpDataChunk&) noexcept {});
}

}  // namespace rv::dataplane
