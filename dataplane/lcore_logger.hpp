#pragma once
// LcoreLogger: how an lcore hands a log line to the control plane without writing it itself
// (DESIGN.md §6). The implementation (control/lcore_log.hpp) copies the line into a ring,
// rate-limited per lcore; it never blocks, allocates or locks. Lcores call it from housekeeping
// only, for rare events (drops), never per packet.

#include <cstdint>
#include <string_view>

namespace rv::dataplane {

enum class LcoreLogLevel : uint8_t { kDebug, kInfo, kWarn, kError };

class LcoreLogger {
 public:
  virtual ~LcoreLogger() = default;
  // False when the line was suppressed (rate limit) or the ring was full; both are counted.
  virtual bool log(unsigned lcore_id, LcoreLogLevel level, uint64_t now_tsc,
                   std::string_view text) noexcept = 0;
};

}  // namespace rv::dataplane
