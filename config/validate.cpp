#include "config/validate.hpp"

#include <bit>
#include <charconv>

#include <fmt/format.h>

namespace rv::config {
namespace {

void add(ConfigIssues& issues, const KeyLocations& where, std::string path, std::string msg) {
  ConfigIssue i{std::move(path), std::move(msg)};
  if (const auto it = where.find(i.path); it != where.end()) {
    i.line = it->second.first;
    i.column = it->second.second;
  }
  issues.push_back(std::move(i));
}

bool is_power_of_two(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

bool valid_port_number(const std::string& s) {
  unsigned v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return !s.empty() && ec == std::errc{} && p == s.data() + s.size() && v >= 1 && v <= 65535;
}

}  // namespace

bool split_listen_address(const std::string& listen, std::string& host, uint16_t& port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']') return false;
    host = host.substr(1, host.size() - 2);
  }
  const std::string p = listen.substr(colon + 1);
  if (!valid_port_number(p)) return false;
  port = static_cast<uint16_t>(std::stoul(p));
  return !host.empty();
}

void validate(const Config& c, const KeyLocations& where, ConfigIssues& issues) {
  if (!is_power_of_two(c.events.channel_capacity)) {
    add(issues, where, "events.channel_capacity",
        fmt::format("{} is not a power of two (try {})", c.events.channel_capacity,
                    std::bit_ceil(c.events.channel_capacity)));
  }
  if (c.events.batch_size > c.events.channel_capacity) {
    add(issues, where, "events.batch_size",
        fmt::format("batch {} is larger than events.channel_capacity {}", c.events.batch_size,
                    c.events.channel_capacity));
  }
  if (c.dataplane.rtp_port_min > c.dataplane.rtp_port_max) {
    add(issues, where, "dataplane.rtp_port_min",
        fmt::format("range start {} is above dataplane.rtp_port_max {}",
                    c.dataplane.rtp_port_min, c.dataplane.rtp_port_max));
  }
  for (const auto& p : c.dataplane.sip_ports) {
    if (!valid_port_number(p)) {
      add(issues, where, "dataplane.sip_ports",
          fmt::format("'{}' is not a port number in [1, 65535]", p));
    }
  }
  if (c.dataplane.burst_size > c.dataplane.rx_descriptors) {
    add(issues, where, "dataplane.burst_size",
        fmt::format("burst {} is larger than dataplane.rx_descriptors {}", c.dataplane.burst_size,
                    c.dataplane.rx_descriptors));
  }
  std::string host;
  uint16_t port = 0;
  if (!split_listen_address(c.control.metrics_listen, host, port)) {
    add(issues, where, "control.metrics_listen",
        fmt::format("expected host:port (e.g. 127.0.0.1:9464), got '{}'", c.control.metrics_listen));
  }
  if (c.logging.output.empty()) {
    add(issues, where, "logging.output", "expected stderr, stdout or a file path, got ''");
  }
}

}  // namespace rv::config
