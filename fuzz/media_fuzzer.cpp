// libFuzzer harness: RTP and RTCP through their parsers and the media plane (streams, loss,
// jitter, RTCP report blocks, SDP-learned endpoints, timeouts, intervals, eviction).
// Input: operations, each [op][flow][time step][16-bit length][payload].

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "byte_reader.hpp"
#include "fuzz_flows.hpp"
#include "planes/media/media_plane.hpp"
#include "planes/media/rtcp_packet.hpp"
#include "planes/media/rtp_packet.hpp"

namespace {

using namespace rv::planes::media;

class CheckingSink final : public MediaEventSink {
 public:
  void on_stream_started(const StreamStarted&) noexcept override { ++started; }
  void on_stream_ended(const StreamEnded&) noexcept override { ++ended; }
  uint64_t started = 0;
  uint64_t ended = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  MediaPlaneConfig cfg;
  cfg.max_streams = 16;
  cfg.max_endpoints = 8;
  cfg.media_timeout_ns = 5'000'000'000ull;
  cfg.interval_ns = 2'000'000'000ull;
  CheckingSink sink;
  MediaPlane plane(cfg, &sink);
  rv::fuzz::ByteReader in({data, size});
  uint64_t now_ns = 1'000'000'000ull;
  while (!in.empty()) {
    const uint8_t op = in.u8();
    const auto flow = rv::fuzz::flow(in.u8());
    now_ns += uint64_t{in.u8()} * 10'000'000ull;
    switch (op % 4) {
      case 0: {
        const auto bytes = rv::fuzz::exact_copy(in.chunk(2048));
        RtpHeader h;
        (void)parse_rtp(bytes, h);
        (void)looks_like_rtp(bytes);
        (void)plane.on_rtp(bytes, flow, now_ns);
        break;
      }
      case 1: {
        const auto bytes = rv::fuzz::exact_copy(in.chunk(2048));
        RtcpCompound c;
        (void)parse_rtcp(bytes, c);
        (void)looks_like_rtcp(bytes);
        (void)plane.on_rtcp(bytes, flow, now_ns);
        break;
      }
      case 2: {
        std::array<PayloadMapping, kMaxPayloadMappings> maps{};
        const std::size_t n = in.u8() % (maps.size() + 1);
        for (std::size_t i = 0; i < n; ++i) {
          maps[i] = {in.u8(), static_cast<Codec>(in.u8() % kCodecCount), in.u32() % 200'000};
        }
        (void)plane.learn_endpoint(flow.dst, uint64_t{in.u32()}, std::span(maps.data(), n), now_ns);
        break;
      }
      default:
        (void)plane.expire(now_ns);
        break;
    }
  }
  (void)plane.end_all();
  // Every stream that started ended, once.
  if (sink.started != sink.ended || plane.active_streams() != 0) __builtin_trap();
  return 0;
}
