// libFuzzer harness: the call state machine. The input is a program of SIP messages built from
// templates (INVITE, provisional and final responses, ACK, BYE, CANCEL, re-INVITE, REGISTER,
// OPTIONS, with or without SDP, in either direction, on three Call-IDs) plus raw messages, fed
// through the signaling plane (parser, retransmission cache, call tracker) with timeouts.
// Input: operations, each [kind][call][cseq step][flags][time step] (raw: [16-bit length][bytes]).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "byte_reader.hpp"
#include "fuzz_flows.hpp"
#include "planes/signaling/signaling_plane.hpp"

namespace {

using namespace rv::planes::signaling;

constexpr std::array<const char*, 13> kKinds = {
    "INVITE", "100", "180", "183", "200", "ACK", "BYE", "CANCEL", "FINAL", "REGISTER", "OPTIONS",
    "UPDATE", "RAW"};
constexpr std::array<int, 10> kFinalCodes = {401, 403, 404, 407, 408, 486, 487, 500, 503, 603};

struct Op {
  std::string kind;
  unsigned call = 0;
  uint32_t cseq = 1;
  uint8_t flags = 0;  // bit 0: SDP body, 1: from callee, 2: To tag, 3: compact headers,
                      // 4: CSeq method of INVITE on a response, 5-7: final code / branch
};

std::string sdp_body(unsigned call, uint8_t flags) {
  return "v=0\r\no=- 1 1 IN IP4 10.0.0." + std::to_string(1 + (flags >> 1 & 1)) +
         "\r\ns=-\r\nc=IN IP4 10.0.0." + std::to_string(1 + (flags >> 1 & 1)) +
         "\r\nt=0 0\r\nm=audio " + std::to_string(20000 + 2 * call + (flags >> 6 & 1) * 100) +
         " RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n";
}

std::string render(const Op& op) {
  const bool response = !op.kind.empty() && ((op.kind[0] >= '0' && op.kind[0] <= '9') || op.kind == "FINAL");
  const bool compact = (op.flags & 8) != 0;
  std::string method = op.kind;
  std::string start;
  if (response) {
    const int code = op.kind == "FINAL" ? kFinalCodes[(op.flags >> 5) % kFinalCodes.size()] : std::stoi(op.kind);
    start = "SIP/2.0 " + std::to_string(code) + " Reason\r\n";
    method = (op.flags & 16) != 0 ? "INVITE" : ((op.flags & 32) != 0 ? "BYE" : "CANCEL");
  } else {
    start = op.kind + " sip:bob@10.0.0.2 SIP/2.0\r\n";
  }
  const std::string body = (op.flags & 1) != 0 ? sdp_body(op.call, op.flags) : std::string();
  std::string m = start;
  m += std::string(compact ? "v" : "Via") + ": SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK" +
       std::to_string(op.cseq * 8 + (op.flags >> 5)) + "\r\n";
  m += std::string(compact ? "f" : "From") + ": <sip:alice@a>;tag=a" + std::to_string(op.call) + "\r\n";
  m += std::string(compact ? "t" : "To") + ": <sip:bob@b>" +
       ((op.flags & 4) != 0 ? ";tag=b" + std::to_string(op.call) : std::string()) + "\r\n";
  m += std::string(compact ? "i" : "Call-ID") + ": call" + std::to_string(op.call) + "@fuzz\r\n";
  m += "CSeq: " + std::to_string(op.cseq) + " " + method + "\r\n";
  if (!body.empty()) m += std::string(compact ? "c" : "Content-Type") + ": application/sdp\r\n";
  m += std::string(compact ? "l" : "Content-Length") + ": " + std::to_string(body.size()) + "\r\n\r\n";
  return m + body;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  SignalingPlaneConfig cfg;
  cfg.max_calls = 2;  // three Call-IDs: the table fills and evicts
  cfg.retransmission_slots = 16;
  cfg.max_tcp_streams = 1;  // UDP only: no reassembly buffers to allocate per input
  cfg.tcp_buffer_bytes = 256;
  cfg.initiating_timeout_ns = 20'000'000'000ull;
  cfg.call_timeout_ns = 60'000'000'000ull;
  cfg.linger_ns = 5'000'000'000ull;
  SignalingPlane plane(cfg);
  rv::fuzz::ByteReader in({data, size});
  uint64_t now_ns = 1'000'000'000ull;
  std::array<uint32_t, 3> cseq = {1, 1, 1};
  while (!in.empty()) {
    Op op;
    op.kind = kKinds[in.u8() % kKinds.size()];
    op.call = in.u8() % 3;
    cseq[op.call] += in.u8() % 3;
    op.cseq = cseq[op.call];
    op.flags = in.u8();
    const uint8_t step = in.u8();
    const uint64_t ticks = step & 0x7f;
    now_ns += (step & 0x80) != 0 ? ticks * 1'000'000'000ull : ticks * 10'000'000ull;
    const bool from_callee = (op.flags & 2) != 0;
    const auto flow = rv::fuzz::flow(from_callee ? 1 : 0);
    if (op.kind == "RAW") {
      const auto raw = rv::fuzz::exact_copy(in.chunk(2048));
      (void)plane.on_payload(raw, flow, false, 0, 0, now_ns);
    } else {
      const std::string text = render(op);
      (void)plane.on_payload({reinterpret_cast<const uint8_t*>(text.data()), text.size()}, flow,
                             false, 0, 0, now_ns);
    }
    if ((step & 0x40) != 0) (void)plane.expire(now_ns);
  }
  (void)plane.expire(now_ns + 100'000'000'000ull);
  (void)plane.flush(now_ns + 100'000'000'000ull);
  if (plane.counters().calls_in_table.load() > cfg.max_calls) __builtin_trap();
  return 0;
}
