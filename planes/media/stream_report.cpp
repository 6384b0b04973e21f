#include "planes/media/stream_report.hpp"

#include <cstdio>

#include "planes/media/codec.hpp"

namespace rv::planes::media {

std::string format_ssrc(uint32_t ssrc) {
  char out[12];
  std::snprintf(out, sizeof(out), "0x%08X", ssrc);
  return out;
}

StreamReport make_report(const StreamEnded& ev, std::optional<std::string> call_id) {
  StreamReport r;
  r.src = format_endpoint(ev.flow.src);
  r.dst = format_endpoint(ev.flow.dst);
  r.ssrc = format_ssrc(ev.ssrc);
  r.payload_type = ev.payload_type;
  r.codec = codec_name(static_cast<Codec>(ev.codec));
  r.packets = ev.packets;
  r.expected = ev.expected;
  r.lost = ev.lost;
  r.duplicates = ev.duplicates;
  r.reordered = ev.reordered;
  r.jitter_mean_ms = ev.jitter_mean_ms;
  r.jitter_max_ms = ev.jitter_max_ms;
  r.mos = ev.mos_x10 / 10.0;
  r.call_id = ev.call_hash != 0 ? std::move(call_id) : std::nullopt;
  r.call_hash = ev.call_hash;
  r.first_ns = ev.first_ns;
  r.last_ns = ev.last_ns;
  r.rtt_ms = ev.rtt_ms;
  r.ended = true;
  r.end_reason = ev.reason;
  return r;
}

const char* to_string(EndReason r) noexcept {
  switch (r) {
    case EndReason::kTimeout:
      return "timeout";
    case EndReason::kEvicted:
      return "evicted";
    case EndReason::kBye:
      return "bye";
    case EndReason::kFlushed:
      return "flushed";
  }
  return "unknown";
}

}  // namespace rv::planes::media
