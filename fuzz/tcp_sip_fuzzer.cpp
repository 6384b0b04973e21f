// libFuzzer harness: TCP segments through stream reassembly and SIP framing into the signaling
// plane (small buffers and stream table, so overflow, resync, holes and eviction are reached).
// Input: segments, each [flow][flags][time step][16-bit signed sequence step][16-bit length][payload].

#include <cstddef>
#include <cstdint>
#include <span>

#include "byte_reader.hpp"
#include "dataplane/packet.hpp"
#include "fuzz_flows.hpp"
#include "planes/signaling/signaling_plane.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace rv::planes::signaling;
  SignalingPlaneConfig cfg;
  cfg.max_calls = 32;
  cfg.max_tcp_streams = 4;
  cfg.tcp_buffer_bytes = 1024;
  cfg.retransmission_slots = 64;
  cfg.tcp_gap_timeout_ns = 1'000'000'000ull;
  cfg.tcp_idle_timeout_ns = 10'000'000'000ull;
  SignalingPlane plane(cfg);
  rv::fuzz::ByteReader in({data, size});
  uint64_t now_ns = 1'000'000'000ull;
  uint32_t seq[8] = {1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000};
  while (!in.empty()) {
    const uint8_t which = in.u8() & 7;
    const uint8_t flags = in.u8();
    now_ns += uint64_t{in.u8()} * 20'000'000ull;
    // Mostly small steps (overlaps, holes, retransmissions); bit 6 adds half the sequence space.
    seq[which] += static_cast<uint32_t>(static_cast<int16_t>(in.u16()));
    if ((flags & 0x40) != 0) seq[which] += 0x8000'0000u;
    const auto payload = rv::fuzz::exact_copy(in.chunk(3000));
    const auto flow = rv::fuzz::flow(which, rv::dataplane::kIpProtoTcp);
    (void)plane.on_payload(payload, flow, true, seq[which], flags, now_ns);
    seq[which] += static_cast<uint32_t>(payload.size());
    if ((flags & 0x80) != 0) (void)plane.expire(now_ns);
  }
  (void)plane.expire(UINT64_MAX / 2);
  (void)plane.flush(UINT64_MAX / 2);
  return 0;
}
