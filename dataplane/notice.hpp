#pragma once
// DataplaneNotice: what an lcore tells the control group about itself, once a second at most
// (DESIGN.md §3 `dataplane.notice`): drops since its last notice, by reason. The control group
// logs it and feeds health from it; lcores never log themselves.

#include <array>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace rv::dataplane {

enum class NoticeDrop : uint8_t {
  kTxFull,               // forward mode: the paired port's TX queue was full
  kSteer,                // steering to another shard refused (live mode: ring full)
  kEvents,               // plane events the fabric dropped (live mode: control consumer behind)
  kReassemblyTableFull,  // IP fragments without room in the reassembly table
  kStreamsEvicted,       // RTP streams pushed out of a full stream table
  kCallsEvicted,         // calls pushed out of a full call table
};
inline constexpr std::size_t kNoticeDropCount = 6;
std::string_view to_string(NoticeDrop d) noexcept;

struct DataplaneNotice {
  uint64_t tsc = 0;  // when the lcore sent it
  uint32_t lcore_id = 0;
  uint32_t shard = 0;
  std::array<uint64_t, kNoticeDropCount> drops{};  // since the previous notice of this lcore
};

static_assert(std::is_trivially_copyable_v<DataplaneNotice> && sizeof(DataplaneNotice) <= 128);

}  // namespace rv::dataplane
