#include "events/options.hpp"

#include <bit>
#include <string>

namespace rv::events {

namespace {
Result<void> bad(std::string msg) { return make_error(ErrorCode::kInvalidArgument, std::move(msg)); }
}  // namespace

Result<void> FabricOptions::validate() const {
  if (channel_capacity == 0 || !std::has_single_bit(channel_capacity)) {
    return bad("channel_capacity is " + std::to_string(channel_capacity) +
               ": use a power of two >= 2 (e.g. " +
               std::to_string(channel_capacity == 0 ? 1024u : std::bit_ceil(channel_capacity)) +
               ")");
  }
  if (channel_capacity > (1u << 24)) {
    return bad("channel_capacity " + std::to_string(channel_capacity) +
               " is above the 16777216 limit: lower it");
  }
  if (batch_size == 0) return bad("batch_size is 0: use 1..channel_capacity (32 is typical)");
  if (batch_size > channel_capacity) {
    return bad("batch_size " + std::to_string(batch_size) + " is larger than channel_capacity " +
               std::to_string(channel_capacity) + ": lower batch_size or raise channel_capacity");
  }
  if (batch_size > 4096) return bad("batch_size above 4096: lower it");
  if (shard_count == 0) return bad("shard_count is 0: use 1 or more");
  if (latency_sample_every == 0 || !std::has_single_bit(latency_sample_every)) {
    return bad("latency_sample_every must be a power of two >= 1");
  }
  if (overflow_capacity == 0 || !std::has_single_bit(overflow_capacity)) {
    return bad("overflow_capacity is " + std::to_string(overflow_capacity) +
               ": use a power of two (Critical events spill there)");
  }
  if (pool_size < 64) {
    return bad("pool_size " + std::to_string(pool_size) + " is below 64: raise it");
  }
  return {};
}

}  // namespace rv::events

