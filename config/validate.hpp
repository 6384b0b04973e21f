#pragma once
// Cross-key validation that the per-key schema cannot express (ranges between keys, powers of
// two, address syntax). Pure; control-plane only.

#include <map>
#include <string>
#include <utility>

#include "config/config.hpp"
#include "config/config_issue.hpp"

namespace rv::config {

// Where each key was set in the file: path -> (line, column), for issue locations.
using KeyLocations = std::map<std::string, std::pair<int, int>, std::less<>>;

// Appends an issue for every cross-key rule `c` breaks.
void validate(const Config& c, const KeyLocations& where, ConfigIssues& issues);

// Splits "host:port" / "[v6]:port". False when malformed or the port is not in 1..65535.
bool split_listen_address(const std::string& listen, std::string& host, uint16_t& port);

}  // namespace rv::config
