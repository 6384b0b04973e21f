// libFuzzer harness: the SDP parser and the address parser it uses.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "planes/signaling/sdp_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace rv::planes::signaling;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  SdpSession s;
  if (parse_sdp(text, s) == SdpStatus::kOk) {
    for (uint8_t i = 0; i < s.media_count; ++i) {
      const auto& m = s.media[i];
      for (uint8_t f = 0; f < m.format_count; ++f) (void)m.rtpmap(m.formats[f]);
    }
  }
  rv::dataplane::IpAddress a;
  (void)parse_ip_address(text, false, a);
  (void)parse_ip_address(text, true, a);
  return 0;
}
