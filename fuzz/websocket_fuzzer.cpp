// libFuzzer harness: SIP over WebSocket (RFC 7118) as an rx lcore sees it: TCP segments of two
// connections on a non-SIP port, through the dispatcher's HTTP upgrade recogniser and WebSocket
// connection table (planes/transport/packet_dispatcher.hpp) into a shard's signaling plane,
// whose TCP reassembly decodes the frames (fuzz_shard.hpp). The harness writes the handshakes
// and frames (masked or not, 7/16/64-bit lengths, fragmented, text/binary/control, reserved
// opcodes and RSV bits), split over segments, or raw bytes.
// Input: operations, each [op][connection and direction][time step] and then
//   op 0: [TCP flags][16-bit length][raw bytes]
//   op 1/2: [variant] an upgrade request (client) / 101 response (server)
//   op 3-5: [frame bits][mask key 32][16-bit length][payload] one frame
//   op 6: [fragments][mask key 32][16-bit length][message] one message over 1-4 frames
//   op 7: [TCP flags] an empty segment (FIN, RST, SYN)
// Oracle: a TcpReassembler reads the client-to-server bytes of connection 0 on its own; when
// that direction was only an upgrade and then frames, it must deliver exactly the messages the
// frames carried, in order (control frames skipped, interrupted messages lost, orphan
// continuations skipped).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "byte_reader.hpp"
#include "fuzz_flows.hpp"
#include "fuzz_shard.hpp"
#include "planes/signaling/signaling_counters.hpp"
#include "planes/signaling/tcp_reassembler.hpp"

namespace {

using namespace rv::dataplane;
using rv::planes::signaling::TcpReassembler;

constexpr uint8_t kOpText = 1;
constexpr uint8_t kOpContinuation = 0;
constexpr uint8_t kOpPing = 9;

// What the oracle expects of connection 0, client to server.
struct Expectation {
  bool clean = true;       // only an upgrade, then frames
  bool upgraded = false;
  bool in_message = false;
  std::string partial;
  std::vector<std::string> messages;

  void frame(uint8_t opcode, bool fin, std::span<const uint8_t> payload) {
    const std::string p(payload.begin(), payload.end());
    if (opcode == 1 || opcode == 2) {  // a new message (an unfinished one is lost)
      partial = p;
    } else if (opcode == 0 && in_message) {
      partial += p;
    } else {
      return;  // control frame, or a continuation without a start: skipped
    }
    in_message = !fin;
    if (fin) messages.push_back(partial);
  }
};

class Harness {
 public:
  Harness()
      : oracle_({.max_streams = 2, .buffer_bytes = 1 << 16, .gap_timeout_ns = UINT64_MAX / 4,
                 .idle_timeout_ns = UINT64_MAX / 4},
                oracle_counters_) {}

  void run(rv::fuzz::ByteReader& in) {
    while (!in.empty()) {
      const uint8_t op = in.u8() & 7;
      const uint8_t which = in.u8() & 3;
      now_ns_ += uint64_t{in.u8()} * 20'000'000ull;
      if (which == 0 && op != 1 && !(op >= 3 && op <= 6 && expect_.upgraded)) expect_.clean = false;
      switch (op) {
        case 0: {
          const uint8_t flags = in.u8();
          segments(which, rv::fuzz::exact_copy(in.chunk(2048)), flags, 0);
          break;
        }
        case 1:
        case 2:
          upgrade(which, op == 1, in.u8());
          break;
        case 6:
          message(which, in);
          break;
        case 7:
          segments(which, {}, in.u8() & (kTcpFin | kTcpSyn | kTcpRst), 0);
          break;
        default:
          frame(which, in);
          break;
      }
    }
    shard_.finish();
    if (expect_.clean && delivered_.messages != expect_.messages) __builtin_trap();
  }

 private:
  // Connection `which >> 1`, from its client (bit 0 clear) or server; never on a SIP port.
  static FlowKey flow(uint8_t which) noexcept {
    static constexpr uint8_t kClient[4] = {10, 0, 0, 1};
    static constexpr uint8_t kServer[4] = {10, 0, 0, 2};
    Endpoint c{IpAddress::v4(kClient), static_cast<uint16_t>(51000 + (which >> 1))};
    Endpoint s{IpAddress::v4(kServer), 8443};
    return (which & 1) == 0 ? FlowKey{c, s, kIpProtoTcp} : FlowKey{s, c, kIpProtoTcp};
  }

  // `bytes` as segments of at most `split` bytes (0: one), in sequence order.
  void segments(uint8_t which, std::span<const uint8_t> bytes, uint8_t flags, std::size_t split) {
    std::size_t off = 0;
    do {
      const std::size_t n = split == 0 ? bytes.size() : std::min(split, bytes.size() - off);
      segment(which, rv::fuzz::exact_copy(bytes.subspan(off, n)), flags);
      off += n;
    } while (off < bytes.size());
  }

  void segment(uint8_t which, std::span<const uint8_t> payload, uint8_t flags) {
    const FlowKey f = flow(which);
    ParsedPacket p;
    p.l3 = L3Proto::kIpv4;
    p.ip_proto = kIpProtoTcp;
    p.src = f.src.addr;
    p.src_port = f.src.port;
    p.dst = f.dst.addr;
    p.dst_port = f.dst.port;
    p.tcp_seq = seq_[which];
    p.tcp_flags = flags;
    p.payload = payload.data();
    p.payload_len = static_cast<uint32_t>(payload.size());
    shard_.packet(p, now_ns_);
    if (which == 0) {
      oracle_.on_segment(f, seq_[which], flags, payload, now_ns_, &rv::fuzz::MessageLog::on_message, &delivered_);
    }
    seq_[which] += static_cast<uint32_t>(payload.size()) + ((flags & kTcpSyn) != 0 ? 1 : 0);
  }

  void upgrade(uint8_t which, bool request, uint8_t variant) {
    if (which == 0) {
      if (!request || expect_.upgraded) expect_.clean = false;
      expect_.upgraded = true;
    }
    const bool lf = (variant & 4) != 0;
    const std::string eol = lf ? "\n" : "\r\n";
    std::string h = request ? "GET /ws HTTP/1.1" + eol + "Host: example.com" + eol +
                                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" + eol +
                                  "Sec-WebSocket-Version: 13" + eol
                            : "HTTP/1.1 101 Switching Protocols" + eol +
                                  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" + eol;
    h += (variant & 2) != 0 ? "UPGRADE:WebSocket" + eol + "CONNECTION: upgrade" + eol
                            : "Upgrade: websocket" + eol + "Connection: Upgrade" + eol;
    if ((variant & 1) != 0) h += "Sec-WebSocket-Protocol: " + std::string((variant & 8) != 0 ? "chat, SIP" : "sip") + eol;
    h += eol;
    segments(which, {reinterpret_cast<const uint8_t*>(h.data()), h.size()}, 0, variant >> 4);
  }

  // One frame. Bits of `b`: 0-1 opcode (continuation, text, binary, ping), 2 FIN, 3 masked,
  // 4-5 length form (7-bit when it fits, 16-bit, 64-bit), 6 any opcode and RSV bits from the
  // next byte, 7 split into segments of the next byte's size.
  void frame(uint8_t which, rv::fuzz::ByteReader& in) {
    static constexpr uint8_t kOps[4] = {kOpContinuation, kOpText, 2, kOpPing};
    const uint8_t b = in.u8();
    const uint8_t raw = (b & 0x40) != 0 ? in.u8() : 0;
    const std::size_t split = (b & 0x80) != 0 ? std::size_t{in.u8()} + 1 : 0;
    const uint32_t key = in.u32();
    const auto payload = rv::fuzz::exact_copy(in.chunk(3000));
    const uint8_t first = (b & 0x40) != 0 ? raw : static_cast<uint8_t>(kOps[b & 3] | ((b & 4) != 0 ? 0x80 : 0));
    if (which == 0 && (first & 0x70) != 0) expect_.clean = false;  // RSV: compressed or unknown
    if (which == 0 && (b & 0x40) != 0 && (first & 0x0F) > 2 && (first & 0x0F) != kOpPing) {
      expect_.clean = false;  // reserved opcodes lose the direction; other control frames too
    }
    const auto bytes = encode(first, (b & 8) != 0, key, (b >> 4) & 3, payload);
    if (which == 0) expect_.frame(first & 0x0F, (first & 0x80) != 0, payload);
    segments(which, bytes, 0, split);
  }

  // One message over 1-4 frames (text, then continuations), masked from the client only.
  void message(uint8_t which, rv::fuzz::ByteReader& in) {
    const std::size_t parts = (in.u8() & 3) + 1;
    const uint32_t key = in.u32();
    const auto msg = rv::fuzz::exact_copy(in.chunk(3000));
    std::vector<uint8_t> bytes;
    for (std::size_t i = 0, off = 0; i < parts; ++i) {
      const std::size_t n = i + 1 == parts ? msg.size() - off : msg.size() / parts;
      const auto part = std::span(msg).subspan(off, n);
      off += n;
      const uint8_t first = static_cast<uint8_t>((i == 0 ? kOpText : kOpContinuation) | (i + 1 == parts ? 0x80 : 0));
      const auto f = encode(first, (which & 1) == 0, key, 0, part);
      bytes.insert(bytes.end(), f.begin(), f.end());
      if (which == 0) expect_.frame(first & 0x0F, (first & 0x80) != 0, part);
    }
    segments(which, bytes, 0, 0);
  }

  static std::vector<uint8_t> encode(uint8_t first, bool masked, uint32_t key, unsigned form,
                                     std::span<const uint8_t> payload) {
    std::vector<uint8_t> f;
    f.reserve(14 + payload.size());
    f.push_back(first);
    const uint64_t n = payload.size();
    const uint8_t mask_bit = masked ? 0x80 : 0;
    if (form == 0 && n < 126) {
      f.push_back(static_cast<uint8_t>(mask_bit | n));
    } else if (form <= 1 && n < 65536) {
      f.push_back(static_cast<uint8_t>(mask_bit | 126));
      for (int i = 1; i >= 0; --i) f.push_back(static_cast<uint8_t>(n >> (8 * i)));
    } else {
      f.push_back(static_cast<uint8_t>(mask_bit | 127));
      for (int i = 7; i >= 0; --i) f.push_back(static_cast<uint8_t>(n >> (8 * i)));
    }
    const uint8_t k[4] = {static_cast<uint8_t>(key >> 24), static_cast<uint8_t>(key >> 16),
                          static_cast<uint8_t>(key >> 8), static_cast<uint8_t>(key)};
    if (masked) {
      for (const uint8_t b : k) f.push_back(b);
    }
    for (std::size_t i = 0; i < payload.size(); ++i) f.push_back(masked ? payload[i] ^ k[i & 3] : payload[i]);
    return f;
  }

  rv::fuzz::FuzzShard shard_;
  rv::planes::signaling::SignalingCounters oracle_counters_;
  TcpReassembler oracle_;
  rv::fuzz::MessageLog delivered_;
  Expectation expect_;
  uint32_t seq_[4] = {1000, 500000, 9000000, 70000000};
  uint64_t now_ns_ = 1'700'000'000'000'000'000ull;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  rv::fuzz::ByteReader in({data, size});
  Harness h;
  h.run(in);
  return 0;
}
