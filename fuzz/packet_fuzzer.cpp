// libFuzzer harness: frames through the L2-L4 parser, the classifier and a shard's planes, as
// the rx poller hands them over (one shard, so every packet is handled in-line).
// Input: [link selector] then frames, each [time step][16-bit length][bytes].

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "byte_reader.hpp"
#include "config/config.hpp"
#include "dataplane/packet_parser.hpp"
#include "fuzz_flows.hpp"
#include "planes/shard_handler.hpp"
#include "planes/transport/classifier.hpp"

namespace {

using rv::dataplane::LinkType;

constexpr std::array<LinkType, 5> kLinks = {LinkType::kEthernet, LinkType::kRaw, LinkType::kLinuxSll,
                                            LinkType::kLinuxSll2, LinkType::kNull};

rv::config::Config small_tables() {
  rv::config::Config cfg;
  cfg.planes.signaling.max_calls = 64;
  cfg.planes.signaling.max_tcp_streams = 8;
  cfg.planes.signaling.tcp_buffer_bytes = 4096;
  cfg.planes.media.max_streams = 64;
  return cfg;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace rv::planes;
  static const auto cfg = small_tables();
  static const auto classifier = transport::ClassifierConfig::from(cfg.dataplane);
  rv::fuzz::ByteReader in({data, size});
  const LinkType link = kLinks[in.u8() % kLinks.size()];
  ShardHandler shard(0, 1, cfg);
  uint64_t now_ns = 1'700'000'000'000'000'000ull;
  while (!in.empty()) {
    now_ns += uint64_t{in.u8()} * 50'000'000ull;
    const auto frame = rv::fuzz::exact_copy(in.chunk(9216));
    rv::dataplane::ParsedPacket pkt;
    if (rv::dataplane::parse_frame(frame, link, pkt) != rv::dataplane::ParseStatus::kOk) continue;
    const auto c = transport::classify(pkt, classifier, [&](const rv::dataplane::ParsedPacket& p) noexcept {
      return shard.is_learned_media(p);
    });
    if (c != transport::PacketClass::kOther || pkt.ip_proto == rv::dataplane::kIpProtoTcp) {
      shard.on_packet(c == transport::PacketClass::kOther ? transport::PacketClass::kSip : c, pkt,
                      now_ns, nullptr, link);
    }
    shard.on_burst_end();
    if ((now_ns & 7) == 0) (void)shard.on_tick();
  }
  (void)shard.finish();
  return 0;
}
