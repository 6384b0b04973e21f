#include "events/detail/errors.hpp"

#include <string>

namespace rv::events::detail {

namespace {
std::string q(std::string_view s) { return "'" + std::string(s) + "'"; }
}  // namespace

Error not_accepting_error(State s, std::string_view type_name) {
  if (s == State::kBuilt) {
    return Error(ErrorCode::kState,
                 "publish of " + q(type_name) + " before start(): call EventSystem::start() first");
  }
  return Error(ErrorCode::kState, "publish of " + q(type_name) +
                                      " after shutdown(): the event system no longer accepts "
                                      "events; stop publishers before shutdown()");
}

Error after_shutdown_error(std::string_view what, std::string_view type_name) {
  return Error(ErrorCode::kState, std::string(what) + "<" + std::string(type_name) +
                                      "> after shutdown(): build a new EventSystem");
}

Error duplicate_subscription_error(std::string_view id, std::string_view type_name) {
  return Error(ErrorCode::kInvalidArgument, "subscription id " + q(id) +
                                                " already exists for " + q(type_name) +
                                                ": use a different id");
}

Error too_many_subscribers_error(std::string_view type_name) {
  return Error(ErrorCode::kResourceExhausted,
               q(type_name) + " already has 64 subscribers: merge some");
}

Error no_shard_key_error(std::string_view type_name) {
  return Error(ErrorCode::kInvalidArgument,
               q(type_name) +
                   " has no EventTraits::shard_key: remove the shard option or add a shard_key");
}

Error shard_out_of_range_error(uint32_t shard, uint32_t shard_count) {
  return Error(ErrorCode::kInvalidArgument, "shard " + std::to_string(shard) +
                                                " is out of range: shard_count is " +
                                                std::to_string(shard_count));
}

Error route_table_full_error(std::string_view type_name) {
  return Error(ErrorCode::kResourceExhausted,
               "publisher of " + q(type_name) + " has 64 routes: fewer subscribers per type");
}

Error source_table_full_error(std::string_view subscription_id) {
  return Error(ErrorCode::kResourceExhausted,
               "subscription " + q(subscription_id) + " has 64 producers: fewer publishers");
}

Error pool_error_context(Error e, std::string_view type_name) {
  return std::move(e).with_context("mempool for " + q(type_name));
}

}  // namespace rv::events::detail
