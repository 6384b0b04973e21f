#pragma once
// Cross-key validation that the per-key schema cannot express (ranges between keys, powers of
// two, address syntax, auth pairs). Pure, except that the files control.tls_cert_file and
// control.tls_key_file name are opened to check they can be read. Control-plane only.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "config/config.hpp"
#include "config/config_issue.hpp"

namespace rv::config {

// Where each key was set in the file: path -> (line, column), for issue locations.
using KeyLocations = std::map<std::string, std::pair<int, int>, std::less<>>;
// Keys whose own value was rejected (wrong type, out of range).
using KeySet = std::set<std::string, std::less<>>;

// Adds an issue for every cross-key rule `c` breaks. Runs beside the per-key checks, so one
// answer lists both kinds; a rule that reads a key in `rejected` is skipped (that key kept its
// default, and the rule would blame a value nobody wrote).
void validate(const Config& c, const KeyLocations& where, const KeySet& rejected,
              IssueSink& issues);

// Splits "host:port" / "[v6]:port". False when malformed: the host must be an IPv4 address, a
// bracketed IPv6 address or a host name (letters, digits, '-' and '.'), and the port in
// 1..65535. What passes here is what the admin endpoint can bind.
bool split_listen_address(const std::string& listen, std::string& host, uint16_t& port);

// True when `text` is 64 hex digits (a SHA-256 in hex).
bool is_sha256_hex(std::string_view text);

// True when `text` is a bcrypt hash as htpasswd -B or Python's bcrypt write it: $2y$ or $2b$,
// a two-digit cost in [04, 31], '$', then 53 characters of [./A-Za-z0-9] (salt and hash).
bool is_bcrypt_hash(std::string_view text);

// A GRE key of dataplane.decap_gre_keys: decimal or 0x hex, 32 bits. nullopt when malformed.
std::optional<uint32_t> parse_gre_key(std::string_view text);

}  // namespace rv::config
