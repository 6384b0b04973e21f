// libFuzzer harness: HEP (v1, v2, v3) datagrams as an rx lcore receives them on a HEP port
// (dataplane.hep_ports): decode_hep, then the packet it carries handled as if captured here
// (classification, the SIP/RTP/RTCP planes of a shard; fuzz_shard.hpp).
// Input: datagrams, each [agent][time step][16-bit length][HEP bytes]; `agent` picks the
// sender's address family and port.
// Oracles: the payload of a decoded packet lies inside the datagram; re-encoded as HEPv3 (the
// exporter's encoder, control/outputs/hep_packet.hpp) it decodes to the same packet.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "byte_reader.hpp"
#include "control/outputs/hep_packet.hpp"
#include "dataplane/hep.hpp"
#include "fuzz_flows.hpp"
#include "fuzz_shard.hpp"

namespace {

using namespace rv::dataplane;

// The UDP datagram an agent sent to the HEP port, as the L2-L4 parser reports it.
ParsedPacket hep_datagram(uint8_t agent, std::span<const uint8_t> bytes) noexcept {
  static constexpr uint8_t kAgent4[4] = {192, 0, 2, 7};
  static constexpr uint8_t kAgent6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
  static constexpr uint8_t kProbe4[4] = {192, 0, 2, 1};
  static constexpr uint8_t kProbe6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  const bool v6 = (agent & 1) != 0;
  ParsedPacket p;
  p.l3 = v6 ? L3Proto::kIpv6 : L3Proto::kIpv4;
  p.ip_proto = kIpProtoUdp;
  p.src = v6 ? IpAddress::v6(kAgent6) : IpAddress::v4(kAgent4);
  p.dst = v6 ? IpAddress::v6(kProbe6) : IpAddress::v4(kProbe4);
  p.src_port = static_cast<uint16_t>(40000 + (agent >> 1));
  p.dst_port = rv::fuzz::kHepPort;
  p.payload = bytes.data();
  p.payload_len = static_cast<uint32_t>(bytes.size());
  return p;
}

bool same_packet(const HepPacket& a, const HepPacket& b) noexcept {
  return a.l3 == b.l3 && a.ip_proto == b.ip_proto && a.src == b.src && a.dst == b.dst &&
         a.src_port == b.src_port && a.dst_port == b.dst_port && a.proto_type == b.proto_type &&
         a.capture_ns == b.capture_ns &&
         std::string_view(reinterpret_cast<const char*>(a.payload), a.payload_len) ==
             std::string_view(reinterpret_cast<const char*>(b.payload), b.payload_len);
}

void check_decode(std::span<const uint8_t> bytes) {
  HepPacket h;
  if (decode_hep(bytes, h) != HepStatus::kOk) return;
  if (h.payload < bytes.data() || h.payload + h.payload_len > bytes.data() + bytes.size()) {
    __builtin_trap();
  }
  // The encoder writes whole seconds in 32 bits and microseconds: what does not fit is not
  // comparable. Every decoded time is a whole number of microseconds.
  if (h.capture_ns / 1'000'000'000ull > UINT32_MAX) return;
  rv::control::hep::HepMeta meta;
  meta.flow = {{h.src, h.src_port}, {h.dst, h.dst_port}, h.ip_proto};
  meta.timestamp_ns = h.capture_ns;
  meta.proto = static_cast<rv::control::hep::ProtoType>(h.proto_type);
  std::string out;
  const std::string_view payload(reinterpret_cast<const char*>(h.payload), h.payload_len);
  if (!rv::control::hep::encode(meta, payload, out)) return;  // above 64 KiB as HEPv3
  const auto again_bytes = rv::fuzz::exact_copy({reinterpret_cast<const uint8_t*>(out.data()), out.size()});
  HepPacket again;
  if (decode_hep(again_bytes, again) != HepStatus::kOk || !same_packet(h, again)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  rv::fuzz::ByteReader in({data, size});
  rv::fuzz::FuzzShard shard;
  uint64_t now_ns = 1'700'000'000'000'000'000ull;
  while (!in.empty()) {
    const uint8_t agent = in.u8();
    now_ns += uint64_t{in.u8()} * 50'000'000ull;
    const auto bytes = rv::fuzz::exact_copy(in.chunk(9000));
    check_decode(bytes);
    shard.packet(hep_datagram(agent, bytes), now_ns);
  }
  (void)shard.finish();
  return 0;
}
