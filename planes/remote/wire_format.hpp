#pragma once
// The federation wire format (planes/remote/wire.proto, version 1): plane events to and from
// protobuf messages, and the envelope around a batch:
//
//   bytes 0-3  "RVW" + version ('1' = wire format 1)
//   byte  4    compression: 0 none, 1 zstd
//   bytes 5-8  length of the serialized Batch, 32-bit little-endian
//   bytes 9-   the Batch, raw or as one zstd frame
//
// Decoding never trusts the sender: a declared length above kMaxBatchBytes (a decompression
// bomb), a zstd frame whose content size differs from the declared one, a truncated or corrupt
// buffer, an unknown version or compression are each a DecodeError (counted by the caller, the
// message skipped). Control-plane code (allocates).

#include <array>
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>

#include "planes/media/media_events.hpp"
#include "planes/remote/wire.pb.h"
#include "planes/signaling/signaling_events.hpp"

namespace rv::planes::remote {

namespace wire = ::rvoip::wire::v1;

inline constexpr uint8_t kWireVersion = 1;
inline constexpr std::size_t kEnvelopeBytes = 9;
inline constexpr uint32_t kMaxBatchBytes = 16u << 20;  // decoded; beyond: a bomb

enum class Compression : uint8_t { kNone = 0, kZstd = 1 };

enum class DecodeError : uint8_t {
  kTruncated,      // shorter than the envelope, or than the declared raw length
  kBadMagic,       // not an rvoip batch
  kWrongVersion,   // an envelope version this build does not read
  kBadCompression, // an unknown compression byte
  kTooLarge,       // declared or actual decoded size above kMaxBatchBytes (bomb)
  kDecompress,     // zstd refused the frame, or its size differs from the declared one
  kCorrupt,        // protobuf could not parse the batch
};
inline constexpr std::size_t kDecodeErrorCount = 7;
const char* to_string(DecodeError e) noexcept;

// The subject of an event kind: rvoip.<probe_id>.<plane>.<event>, `kind` as "plane.event".
std::string subject_for(std::string_view probe_id, std::string_view kind);
inline constexpr std::string_view kBroadcastSubject = "rvoip.broadcast.media_endpoint";

// Plane events -> protobuf.
void to_wire(const signaling::SipMessageEvent& e, wire::SipMessage& out);
void to_wire(const signaling::RegistrationEvent& e, wire::Registration& out);
void to_wire(const media::StreamStarted& e, wire::StreamStarted& out);
void to_wire(const media::StreamInterval& e, wire::StreamInterval& out);
void to_wire(const media::StreamEnded& e, wire::StreamEnded& out);
void to_wire(const signaling::MediaEndpointEvent& e, std::string_view call_id,
             wire::MediaEndpoint& out);

// Protobuf -> plane events. Hashes are this process's (keyed per process): a Call-ID hash is
// recomputed from the Call-ID; a stream's call hash is 0 (the receiver associates it).
void from_wire(const wire::SipMessage& w, signaling::SipMessageEvent& out) noexcept;
void from_wire(const wire::Registration& w, signaling::RegistrationEvent& out) noexcept;
void from_wire(const wire::StreamStarted& w, media::StreamStarted& out) noexcept;
void from_wire(const wire::StreamInterval& w, media::StreamInterval& out) noexcept;
void from_wire(const wire::StreamEnded& w, media::StreamEnded& out) noexcept;
void from_wire(const wire::MediaEndpoint& w, signaling::MediaEndpointEvent& out) noexcept;

// Serializes `b` into an envelope (zstd at `level` when compressed); `raw_bytes`, when given,
// receives the serialized size before compression.
std::string seal(const wire::Batch& b, Compression c, int level = 1,
                 std::size_t* raw_bytes = nullptr);
// Parses an envelope into `out` (reused: its memory is kept between calls).
std::expected<void, DecodeError> unseal(std::span<const uint8_t> msg, wire::Batch& out);

}  // namespace rv::planes::remote
