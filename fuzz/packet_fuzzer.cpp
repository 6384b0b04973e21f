// libFuzzer harness: frames through the L2-L4 parser, then the rx lcore's dispatch (HEP on
// port 9060, classification, WebSocket connections, SIP-port TCP continuations) into a shard's
// planes (fuzz_shard.hpp).
// Input: [link selector] then frames, each [time step][16-bit length][bytes].

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "byte_reader.hpp"
#include "fuzz_flows.hpp"
#include "fuzz_shard.hpp"

namespace {

using rv::dataplane::LinkType;

constexpr std::array<LinkType, 5> kLinks = {LinkType::kEthernet, LinkType::kRaw, LinkType::kLinuxSll,
                                            LinkType::kLinuxSll2, LinkType::kNull};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  rv::fuzz::ByteReader in({data, size});
  const LinkType link = kLinks[in.u8() % kLinks.size()];
  rv::fuzz::FuzzShard shard;
  uint64_t now_ns = 1'700'000'000'000'000'000ull;
  while (!in.empty()) {
    now_ns += uint64_t{in.u8()} * 50'000'000ull;
    shard.frame(rv::fuzz::exact_copy(in.chunk(9216)), link, now_ns);
  }
  (void)shard.finish();
  return 0;
}
