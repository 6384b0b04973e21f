// libFuzzer harness: SIP over SCTP (RFC 4168) as an rx lcore sees it: IPv4 packets through the
// L2-L4 parser (the SCTP chunk walk of dataplane/sctp_chunks.hpp checks every length), the
// classifier and a shard's signaling plane, whose SctpReassembler gathers fragmented user
// messages (fuzz_shard.hpp). The harness writes the packets: raw chunk bytes, single DATA
// chunks with arbitrary fields, or whole messages cut into B/middle/E fragments, several
// chunks per packet or one per packet, sometimes reordered or duplicated.
// Input: operations, each [op][association and direction][time step] and then
//   op 0: [16-bit length][chunk bytes] (what follows the common header)
//   op 1: [layout][stream][16-bit length][message]; layout bits 0-1 fragments - 1, bit 2 one
//         chunk per packet, bit 3 unordered, bit 4 last two packets swapped, bit 5 first resent
//   op 2: [flags][stream][signed 8-bit TSN step][16-bit length][data] one DATA chunk
//   op 3: a pause of 40 s (unfinished messages time out)
// Oracle: an SctpReassembler reads association 0's client-to-server chunks on its own; when
// that direction carried only whole messages in order (op 1 without swaps or resends), it must
// deliver exactly those messages.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "byte_reader.hpp"
#include "dataplane/sctp_chunks.hpp"
#include "fuzz_flows.hpp"
#include "fuzz_shard.hpp"
#include "planes/signaling/sctp_reassembler.hpp"
#include "planes/signaling/signaling_counters.hpp"

namespace {

using namespace rv::dataplane;
using rv::planes::signaling::SctpReassembler;
using Bytes = std::vector<uint8_t>;

void put16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void put32(Bytes& b, uint32_t v) {
  put16(b, static_cast<uint16_t>(v >> 16));
  put16(b, static_cast<uint16_t>(v));
}

// A DATA chunk, padded to 4 bytes.
void data_chunk(Bytes& out, uint8_t flags, uint32_t tsn, uint16_t stream, uint16_t ssn,
                std::span<const uint8_t> data) {
  out.push_back(kSctpChunkData);
  out.push_back(flags);
  put16(out, static_cast<uint16_t>(kSctpDataHeaderBytes + data.size()));
  put32(out, tsn);
  put16(out, stream);
  put16(out, ssn);
  put32(out, 0);  // PPID: none given (RFC 4168)
  out.insert(out.end(), data.begin(), data.end());
  while (out.size() % 4 != 0) out.push_back(0);
}

class Harness {
 public:
  Harness() : oracle_({.max_messages = 8, .buffer_bytes = 8192, .timeout_ns = UINT64_MAX / 4}, counters_) {}

  void run(rv::fuzz::ByteReader& in) {
    while (!in.empty()) {
      const uint8_t op = in.u8() & 3;
      const uint8_t which = in.u8() & 3;
      now_ns_ += uint64_t{in.u8()} * 20'000'000ull;
      switch (op) {
        case 0:
          if (which == 0) clean_ = false;
          packet(which, rv::fuzz::exact_copy(in.chunk(2048)));
          break;
        case 1:
          message(which, in);
          break;
        case 2:
          if (which == 0) clean_ = false;
          single(which, in);
          break;
        default:
          now_ns_ += 40'000'000'000ull;
          if (which == 0) clean_ = false;  // the oracle never times out
          break;
      }
    }
    shard_.finish();
    if (clean_ && delivered_.messages != expected_) __builtin_trap();
  }

 private:
  // Association `which >> 1` (a SIP server on 5060), from its client (bit 0 clear) or server.
  static FlowKey flow(uint8_t which) noexcept {
    static constexpr uint8_t kClient[4] = {10, 0, 0, 1};
    static constexpr uint8_t kServer[4] = {10, 0, 0, 2};
    Endpoint c{IpAddress::v4(kClient), static_cast<uint16_t>(40000 + (which >> 1))};
    Endpoint s{IpAddress::v4(kServer), 5060};
    return (which & 1) == 0 ? FlowKey{c, s, kIpProtoSctp} : FlowKey{s, c, kIpProtoSctp};
  }

  // An IPv4 frame (link type raw) carrying `chunks` after an SCTP common header.
  void packet(uint8_t which, std::span<const uint8_t> chunks) {
    const FlowKey f = flow(which);
    Bytes frame = {0x45, 0};
    put16(frame, static_cast<uint16_t>(20 + kSctpCommonHeaderBytes + chunks.size()));
    put32(frame, 0);  // id, flags, fragment offset
    frame.insert(frame.end(), {64, kIpProtoSctp, 0, 0});
    frame.insert(frame.end(), f.src.addr.bytes.begin(), f.src.addr.bytes.begin() + 4);
    frame.insert(frame.end(), f.dst.addr.bytes.begin(), f.dst.addr.bytes.begin() + 4);
    put16(frame, f.src.port);
    put16(frame, f.dst.port);
    put32(frame, 0x1234'5678);  // verification tag
    put32(frame, 0);            // checksum: not verified by the parser
    frame.insert(frame.end(), chunks.begin(), chunks.end());
    shard_.frame(rv::fuzz::exact_copy(frame), LinkType::kRaw, now_ns_);
    if (which == 0) {
      const auto copy = rv::fuzz::exact_copy(chunks);
      oracle_.on_packet(f, copy, now_ns_, &rv::fuzz::MessageLog::on_message, &delivered_);
    }
  }

  void message(uint8_t which, rv::fuzz::ByteReader& in) {
    const uint8_t layout = in.u8();
    const uint16_t stream = in.u8();
    const auto msg = rv::fuzz::exact_copy(in.chunk(6000));
    const std::size_t parts = std::min<std::size_t>((layout & 3) + 1, std::max<std::size_t>(msg.size(), 1));
    const bool unordered = (layout & 8) != 0;
    std::vector<Bytes> packets(1);
    for (std::size_t i = 0, off = 0; i < parts; ++i) {
      const std::size_t n = i + 1 == parts ? msg.size() - off : msg.size() / parts;
      const uint8_t flags = static_cast<uint8_t>((i == 0 ? 2 : 0) | (i + 1 == parts ? 1 : 0) | (unordered ? 4 : 0));
      if ((layout & 4) != 0 && i != 0) packets.emplace_back();
      data_chunk(packets.back(), flags, tsn_[which]++, stream, ssn_[which], std::span(msg).subspan(off, n));
      off += n;
    }
    if (!unordered) ++ssn_[which];
    if ((layout & 0x10) != 0 && packets.size() > 1) std::swap(packets[packets.size() - 2], packets.back());
    if ((layout & 0x20) != 0) packets.push_back(packets.front());
    const bool in_order = (layout & 0x30) == 0 || packets.size() == 1;
    if (which == 0) {
      if (!in_order || msg.empty()) clean_ = false;  // an empty DATA chunk is a bad length
      expected_.emplace_back(msg.begin(), msg.end());
    }
    for (const auto& p : packets) packet(which, p);
  }

  void single(uint8_t which, rv::fuzz::ByteReader& in) {
    const uint8_t flags = in.u8();
    const uint16_t stream = in.u8();
    tsn_[which] += static_cast<uint32_t>(static_cast<int8_t>(in.u8()));
    const auto data = rv::fuzz::exact_copy(in.chunk(3000));
    Bytes chunks;
    data_chunk(chunks, flags, tsn_[which]++, stream, ssn_[which], data);
    packet(which, chunks);
  }

  rv::fuzz::FuzzShard shard_;
  rv::planes::signaling::SignalingCounters counters_;
  SctpReassembler oracle_;
  rv::fuzz::MessageLog delivered_;
  std::vector<std::string> expected_;
  bool clean_ = true;
  uint32_t tsn_[4] = {1, 1000, 0xFFFF'FFF0u, 7};  // one wraps around
  uint16_t ssn_[4] = {};
  uint64_t now_ns_ = 1'700'000'000'000'000'000ull;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  rv::fuzz::ByteReader in({data, size});
  Harness h;
  h.run(in);
  return 0;
}
