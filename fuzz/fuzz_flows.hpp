#pragma once
// Flows and exact-size copies shared by the harnesses.

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "dataplane/flow_key.hpp"

namespace rv::fuzz {

// One of a few flows between two hosts (so inputs meet the same streams and calls again):
// bit 0 swaps the direction, bits 1-2 pick the port pair.
inline dataplane::FlowKey flow(uint8_t which, uint8_t proto = dataplane::kIpProtoUdp) noexcept {
  static constexpr uint8_t kA[4] = {10, 0, 0, 1};
  static constexpr uint8_t kB[4] = {10, 0, 0, 2};
  const auto pair = static_cast<uint16_t>((which >> 1) & 3);
  dataplane::Endpoint a{dataplane::IpAddress::v4(kA), static_cast<uint16_t>(5060 + 2 * pair)};
  dataplane::Endpoint b{dataplane::IpAddress::v4(kB), static_cast<uint16_t>(40000 + 2 * pair)};
  if ((which & 1) != 0) std::swap(a, b);
  return {a, b, proto};
}

// A heap copy of exactly `bytes.size()` bytes: a read past a chunk is an ASan error, not a read
// of the next chunk of the input.
inline std::vector<uint8_t> exact_copy(std::span<const uint8_t> bytes) {
  return {bytes.begin(), bytes.end()};
}

// The messages a reassembler delivered, in order: pass `&MessageLog::on_message` and the log as
// its callback and context (TcpReassembler::MessageFn, SctpReassembler::MessageFn).
struct MessageLog {
  std::vector<std::string> messages;
  template <typename... Rest>
  static void on_message(void* ctx, std::span<const uint8_t> msg, const dataplane::FlowKey&,
                         uint64_t, Rest...) noexcept {
    static_cast<MessageLog*>(ctx)->messages.emplace_back(msg.begin(), msg.end());
  }
};

}  // namespace rv::fuzz
