#include "dataplane/notice.hpp"

namespace rv::dataplane {

std::string_view to_string(NoticeDrop d) noexcept {
  switch (d) {
    case NoticeDrop::kTxFull: return "tx_full";
    case NoticeDrop::kSteer: return "steer";
    case NoticeDrop::kEvents: return "events";
    case NoticeDrop::kReassemblyTableFull: return "reassembly_table_full";
    case NoticeDrop::kStreamsEvicted: return "streams_evicted";
    case NoticeDrop::kCallsEvicted: return "calls_evicted";
  }
  return "unknown";
}

}  // namespace rv::dataplane
