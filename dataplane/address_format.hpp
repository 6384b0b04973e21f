#pragma once
// Text forms of addresses, the project's one formatter: "192.0.2.1", "2001:db8::1",
// "192.0.2.1:5060", "[2001:db8::1]:5060". Control side (allocates).

#include <string>

#include "dataplane/flow_key.hpp"
#include "dataplane/packet.hpp"

namespace rv::dataplane {

std::string format_address(const IpAddress& a);
std::string format_endpoint(const Endpoint& ep);

}  // namespace rv::dataplane
