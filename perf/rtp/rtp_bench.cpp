// BM_Rtp_Update/streams:N — ns per RTP packet for stream lookup + statistics update in the media
// plane, with N concurrent streams receiving packets round robin (as N calls at 50 pps each
// would), in bursts of 32 like an rx poll. The cost must stay flat from 1 K to 200 K streams
// (issue 6: <= 1.5x). Baseline in the same binary: the obvious design, std::unordered_map from
// (5-tuple, SSRC) to the same RtpStats, one packet at a time.
// BM_Rtp_PacketHashes/keyed:K — the hashes one RTP packet costs on the way through an lcore
// (steering: the canonical 5-tuple; the learned-endpoint check: the destination endpoint; the
// stream table: 5-tuple + SSRC): K=1 keyed as shipped (flow_key.hpp), K=0 DPDK's unkeyed CRC32C
// on the same bytes. (keyed - crc) / Update ns per packet is what keying costs (issue 14: <= 5 %).
// Run: build-media/perf/rtp/rtp_bench

#include <benchmark/benchmark.h>

#include <array>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <vector>

#include <rte_hash_crc.h>

#include "dataplane/flow_key.hpp"
#include "planes/media/media_plane.hpp"

namespace {

using rv::dataplane::FlowKey;
using rv::planes::media::MediaPlane;
using rv::planes::media::MediaPlaneConfig;
using rv::planes::media::RtpInput;

constexpr std::size_t kBurst = 32;
constexpr std::size_t kPacketLen = 12 + 160;
constexpr uint32_t kTableSize = 262144;  // the default planes.media.max_streams

FlowKey key_of(uint32_t i) {
  const uint8_t src[4] = {10, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8),
                          static_cast<uint8_t>(i)};
  const uint8_t dst[4] = {172, 16, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
  return FlowKey{
      {rv::dataplane::IpAddress::v4(src), static_cast<uint16_t>(10000 + 2 * (i % 20000))},
      {rv::dataplane::IpAddress::v4(dst), static_cast<uint16_t>(30000 + 2 * (i % 15000))},
      rv::dataplane::kIpProtoUdp};
}

// A burst of packets for streams first..first+kBurst-1 (mod n), as an rx poll would hand them.
struct Burst {
  std::array<std::array<uint8_t, kPacketLen>, kBurst> bytes{};
  std::array<FlowKey, kBurst> flows{};
  std::array<RtpInput, kBurst> in{};

  void fill(uint64_t packet_index, uint32_t n, uint64_t ns_per_packet) {
    for (std::size_t k = 0; k < kBurst; ++k) {
      const uint64_t p = packet_index + k;
      const auto stream = static_cast<uint32_t>(p % n);
      const auto round = static_cast<uint32_t>(p / n);
      uint8_t* b = bytes[k].data();
      b[0] = 0x80;
      b[1] = 8;  // PCMA
      const auto seq = static_cast<uint16_t>(round);
      const uint32_t ts = round * 160;
      b[2] = static_cast<uint8_t>(seq >> 8);
      b[3] = static_cast<uint8_t>(seq);
      for (int i = 0; i < 4; ++i) b[4 + i] = static_cast<uint8_t>(ts >> (24 - 8 * i));
      for (int i = 0; i < 4; ++i) b[8 + i] = static_cast<uint8_t>(stream >> (24 - 8 * i));
      flows[k] = key_of(stream);
      in[k] = RtpInput{std::span<const uint8_t>(bytes[k].data(), kPacketLen), &flows[k],
                       p * ns_per_packet};
    }
  }
};

// items/s, and ns per packet (kIsRate | kInvert of packets * 1e-9 gives seconds*1e9 / packets).
void report(benchmark::State& state, uint64_t packets) {
  state.SetItemsProcessed(static_cast<int64_t>(packets));
  state.counters["ns_per_packet"] =
      benchmark::Counter(static_cast<double>(packets) * 1e-9,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_Rtp_Update(benchmark::State& state) {
  const auto n = static_cast<uint32_t>(state.range(0));
  MediaPlaneConfig cfg;
  cfg.max_streams = kTableSize;
  auto plane = std::make_unique<MediaPlane>(cfg);
  // 20 ms packetization: N streams give N packets per 20 ms.
  const uint64_t ns_per_packet = 20'000'000ull / n + 1;
  Burst burst;
  uint64_t p = 0;
  while (p < n) {  // create every stream first
    burst.fill(p, n, ns_per_packet);
    plane->on_rtp_burst(burst.in);
    p += kBurst;
  }
  p = uint64_t{n} * 3;  // start on a round boundary after warm-up
  uint64_t packets = 0;
  for (auto _ : state) {
    burst.fill(p, n, ns_per_packet);
    benchmark::DoNotOptimize(plane->on_rtp_burst(burst.in));
    p += kBurst;
    packets += kBurst;
  }
  report(state, packets);
  state.counters["streams_active"] = plane->active_streams();
  state.counters["bytes_per_stream"] = static_cast<double>(plane->bytes_per_stream());
}

// Baseline: the design we replaced, std::unordered_map<key, stats> with per-packet lookup.
struct Key {
  FlowKey flow;
  uint32_t ssrc;
  bool operator==(const Key&) const = default;
};
struct KeyHash {
  std::size_t operator()(const Key& k) const noexcept {
    return rv::planes::media::stream_hash(k.flow, k.ssrc);
  }
};

void BM_Rtp_UnorderedMapBaseline(benchmark::State& state) {
  const auto n = static_cast<uint32_t>(state.range(0));
  std::unordered_map<Key, rv::planes::media::RtpStats, KeyHash> map;
  map.reserve(kTableSize);
  const uint64_t ns_per_packet = 20'000'000ull / n + 1;
  Burst burst;
  auto run = [&] {
    for (const RtpInput& in : burst.in) {
      rv::planes::media::RtpHeader h;
      if (rv::planes::media::parse_rtp(in.payload, h) != rv::planes::media::RtpParseStatus::kOk)
        continue;
      rv::planes::media::RtpSample s{in.arrival_ns,  h.timestamp, h.seq,
                                     h.payload_type, h.marker,    8000};
      auto [it, fresh] = map.try_emplace(Key{*in.flow, h.ssrc});
      if (fresh) {
        it->second.start(s);
      } else {
        it->second.update(s);
      }
    }
  };
  uint64_t p = 0;
  while (p < n) {
    burst.fill(p, n, ns_per_packet);
    run();
    p += kBurst;
  }
  p = uint64_t{n} * 3;
  uint64_t packets = 0;
  for (auto _ : state) {
    burst.fill(p, n, ns_per_packet);
    run();
    p += kBurst;
    packets += kBurst;
  }
  report(state, packets);
}

// The cost of building the bursts alone (included in both figures above).
void BM_Rtp_BurstFillOnly(benchmark::State& state) {
  const auto n = static_cast<uint32_t>(state.range(0));
  Burst burst;
  uint64_t p = 0;
  uint64_t packets = 0;
  for (auto _ : state) {
    burst.fill(p, n, 1000);
    benchmark::DoNotOptimize(burst.in.data());
    benchmark::ClobberMemory();
    p += kBurst;
    packets += kBurst;
  }
  report(state, packets);
}

void BM_Rtp_PacketHashes(benchmark::State& state) {
  const bool keyed = state.range(0) != 0;
  std::vector<FlowKey> flows;
  for (uint32_t i = 0; i < 1024; ++i) flows.push_back(key_of(i));
  std::size_t i = 0;
  for (auto _ : state) {
    const FlowKey& f = flows[i++ & 1023];
    const uint32_t ssrc = static_cast<uint32_t>(i);
    uint64_t steer, endpoint, stream;
    if (keyed) {
      steer = rv::dataplane::hash_flow(f);
      endpoint = rv::dataplane::hash_endpoint(f.dst);
      stream = rv::dataplane::hash_flow_with(f, ssrc);
    } else {
      steer = rte_hash_crc(&f, sizeof(f), 0);
      endpoint = rte_hash_crc(&f.dst, sizeof(f.dst), 0);
      stream = rte_hash_crc(&f, sizeof(f), ssrc);
    }
    benchmark::DoNotOptimize(steer);
    benchmark::DoNotOptimize(endpoint);
    benchmark::DoNotOptimize(stream);
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}

}  // namespace

BENCHMARK(BM_Rtp_Update)->ArgName("streams")->Arg(1000)->Arg(10000)->Arg(100000)->Arg(200000);
BENCHMARK(BM_Rtp_UnorderedMapBaseline)
    ->ArgName("streams")
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(200000);
BENCHMARK(BM_Rtp_BurstFillOnly)->ArgName("streams")->Arg(1000);
BENCHMARK(BM_Rtp_PacketHashes)->ArgName("keyed")->Arg(0)->Arg(1);

BENCHMARK_MAIN();
