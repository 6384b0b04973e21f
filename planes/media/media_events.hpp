#pragma once
// Events the media plane emits (DESIGN.md §3: media.stream_started, media.stream_interval,
// media.stream_ended; Low priority, batchable) and the sink interface they leave through. The
// shard's sink publishes them on the fabric to the control group's consumers. Trivially copyable.

#include <cstdint>
#include <string_view>
#include <type_traits>

#include "dataplane/flow_key.hpp"

namespace rv::planes::media {

// The join key between media and signaling: hash of the SIP Call-ID bytes (0 = no call).
inline uint64_t call_hash(std::string_view call_id) noexcept {
  if (call_id.empty()) return 0;
  const uint64_t h = dataplane::hash_bytes(call_id.data(), call_id.size());
  return h == 0 ? 1 : h;
}

enum class EndReason : uint8_t {
  kTimeout = 0,  // no packet for media_timeout
  kEvicted,      // table full: the stream nearest its timeout made room
  kBye,          // RTCP BYE from the stream's SSRC
  kFlushed,      // end_all(): shutdown or end of replay
};
const char* to_string(EndReason r) noexcept;

struct StreamStarted {
  dataplane::FlowKey flow;  // RTP 5-tuple as seen (src -> dst)
  uint32_t ssrc = 0;
  uint8_t payload_type = 0;
  uint8_t codec = 0;       // media::Codec
  uint64_t call_hash = 0;  // 0 when no SDP association
  uint64_t first_ns = 0;
};

// Periodic numbers of a running stream (every planes.media.interval_s of capture time), so that
// quality is known while the stream runs. Cumulative since the stream's first packet.
struct StreamInterval {
  dataplane::FlowKey flow;
  uint32_t ssrc = 0;
  uint32_t packets = 0;
  int64_t expected = 0;
  int64_t lost = 0;
  float jitter_ms = 0;       // current RFC 3550 estimate
  float jitter_max_ms = 0;
  float max_delta_ms = 0;    // largest inter-arrival gap so far
  float gap_ms = 0;          // media gap time so far (MediaPlaneConfig::gap_ns)
  uint32_t gaps = 0;         // media gaps so far
  uint8_t mos_x10 = 0;       // MOS * 10 from the numbers so far (gaps count as loss)
  uint8_t payload_type = 0;
  uint8_t codec = 0;
  uint64_t call_hash = 0;
  uint64_t timestamp_ns = 0;  // capture time of the interval's end
};

// The final per-stream numbers (the report's streams[] entry, the call's quality summary).
struct StreamEnded {
  dataplane::FlowKey flow;
  uint32_t ssrc = 0;
  uint8_t payload_type = 0;
  uint8_t codec = 0;  // media::Codec
  EndReason reason = EndReason::kTimeout;
  uint8_t mos_x10 = 0;  // MOS * 10, rounded (10..45); media gaps count as loss
  uint32_t packets = 0;
  uint32_t duplicates = 0;
  int64_t expected = 0;
  int64_t lost = 0;  // expected - packets (negative with duplicates)
  uint32_t reordered = 0;
  float jitter_mean_ms = 0;
  float jitter_max_ms = 0;
  float rtt_ms = -1;  // from RTCP LSR/DLSR, < 0 when unknown
  float max_delta_ms = 0;  // largest inter-arrival gap (a media gap shows here)
  float gap_ms = 0;        // time without packets in media gaps, beyond the normal spacing
  uint32_t gaps = 0;       // inter-arrival deltas of at least MediaPlaneConfig::gap_ns
  uint64_t call_hash = 0;
  uint64_t first_ns = 0;
  uint64_t last_ns = 0;
  uint64_t bytes = 0;  // RTP payload bytes
};

static_assert(std::is_trivially_copyable_v<StreamStarted> && sizeof(StreamStarted) <= 128);
static_assert(std::is_trivially_copyable_v<StreamInterval> && sizeof(StreamInterval) <= 128);
static_assert(std::is_trivially_copyable_v<StreamEnded>);

// Receives the plane's events on the owning lcore; implementations must be noexcept, must not
// block and must not call back into the plane.
class MediaEventSink {
 public:
  virtual ~MediaEventSink() = default;
  virtual void on_stream_started(const StreamStarted& e) noexcept = 0;
  virtual void on_stream_ended(const StreamEnded& e) noexcept = 0;
  virtual void on_stream_interval(const StreamInterval& e) noexcept { (void)e; }
};

}  // namespace rv::planes::media
