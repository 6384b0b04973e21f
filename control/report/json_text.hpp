#pragma once
// Text for JSON: captured strings (Call-IDs, URIs) are bytes, not UTF-8. Invalid sequences
// become U+FFFD so that one odd byte never costs the report. Control-plane only.

#include <string>
#include <string_view>

namespace rv::control {

// `s` unchanged when it is valid UTF-8, else a copy with each invalid byte replaced by U+FFFD.
std::string valid_utf8(std::string_view s);

}  // namespace rv::control
