// libFuzzer harness: the SIP message parser (UDP and TCP framing) and the start-line check.

#include <cstddef>
#include <cstdint>
#include <span>

#include "planes/signaling/sip_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace rv::planes::signaling;
  const std::span<const uint8_t> in(data, size);
  SipMessage msg;
  (void)looks_like_sip_start_line(in);
  if (parse_sip_message(in, SipTransport::kUdp, msg) == SipParseStatus::kOk) {
    // The views must lie inside the input.
    const auto* end = reinterpret_cast<const char*>(data + size);
    if (!msg.call_id.empty() && (msg.call_id.data() < reinterpret_cast<const char*>(data) ||
                                 msg.call_id.data() + msg.call_id.size() > end)) {
      __builtin_trap();
    }
  }
  (void)parse_sip_message(in, SipTransport::kTcp, msg);
  return 0;
}
