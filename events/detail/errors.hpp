#pragma once
// Out-of-line builders for the fabric's control-path errors (keeps string code out of the
// templates and off the hot path).

#include <cstdint>
#include <string_view>

#include "events/detail/shared.hpp"
#include "events/error.hpp"

namespace rv::events::detail {

[[gnu::cold]] Error not_accepting_error(State s, std::string_view type_name);
[[gnu::cold]] Error after_shutdown_error(std::string_view what, std::string_view type_name);
[[gnu::cold]] Error duplicate_subscription_error(std::string_view id, std::string_view type_name);
[[gnu::cold]] Error too_many_subscribers_error(std::string_view type_name);
[[gnu::cold]] Error no_shard_key_error(std::string_view type_name);
[[gnu::cold]] Error shard_out_of_range_error(uint32_t shard, uint32_t shard_count);
[[gnu::cold]] Error route_table_full_error(std::string_view type_name);
[[gnu::cold]] Error source_table_full_error(std::string_view subscription_id);
[[gnu::cold]] Error pool_error_context(Error e, std::string_view type_name);

}  // namespace rv::events::detail
