#include "events/error.hpp"

#include <ranges>

namespace rv {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kConfig: return "config";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kDpdk: return "dpdk";
    case ErrorCode::kState: return "state";
    case ErrorCode::kResourceExhausted: return "resource exhausted";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

std::string Error::to_string() const {
  std::string out;
  for (const auto& c : context_ | std::views::reverse) {
    out += c;
    out += ": ";
  }
  out += message_;
  return out;
}

}  // namespace rv
