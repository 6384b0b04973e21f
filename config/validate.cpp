#include "config/validate.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>

#include "config/peers.hpp"

namespace rv::config {
namespace {

class Rules {
 public:
  Rules(const KeyLocations& where, const KeySet& rejected, IssueSink& issues)
      : where_(where), rejected_(rejected), issues_(issues) {}

  // True when none of `keys` was rejected on its own, so a rule over them may run.
  bool checkable(std::initializer_list<std::string_view> keys) const {
    return std::none_of(keys.begin(), keys.end(),
                        [&](std::string_view k) { return rejected_.contains(k); });
  }

  void add(std::string path, std::string msg) {
    ConfigIssue i{std::move(path), std::move(msg)};
    if (const auto it = where_.find(i.path); it != where_.end()) {
      i.line = it->second.first;
      i.column = it->second.second;
    }
    issues_.add(std::move(i));
  }

 private:
  const KeyLocations& where_;
  const KeySet& rejected_;
  IssueSink& issues_;
};

bool is_power_of_two(uint64_t v) {
  return v != 0 && (v & (v - 1)) == 0;
}

bool valid_port_number(std::string_view s, uint16_t* out = nullptr) {
  unsigned v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  const bool ok =
      !s.empty() && ec == std::errc{} && p == s.data() + s.size() && v >= 1 && v <= 65535;
  if (ok && out != nullptr) *out = static_cast<uint16_t>(v);
  return ok;
}

// RFC 1123 host name: a DNS name starting with a letter (what civetweb resolves).
bool valid_host_name(std::string_view h) {
  return !h.empty() && std::isalpha(static_cast<unsigned char>(h.front())) && is_dns_name(h);
}

bool valid_ipv4(const std::string& h) {
  in_addr a{};
  return inet_pton(AF_INET, h.c_str(), &a) == 1;
}

bool valid_ipv6(const std::string& h) {
  in6_addr a{};
  return inet_pton(AF_INET6, h.c_str(), &a) == 1;
}

void check_dataplane(const Config& c, Rules& r) {
  if (r.checkable({"dataplane.rtp_port_min", "dataplane.rtp_port_max"}) &&
      c.dataplane.rtp_port_min > c.dataplane.rtp_port_max) {
    r.add("dataplane.rtp_port_min",
          fmt::format("range start {} is above dataplane.rtp_port_max {}", c.dataplane.rtp_port_min,
                      c.dataplane.rtp_port_max));
  }
  if (r.checkable({"dataplane.sip_ports"})) {
    for (const auto& p : c.dataplane.sip_ports) {
      if (!valid_port_number(p)) {
        r.add("dataplane.sip_ports", fmt::format("'{}' is not a port number in [1, 65535]", p));
      }
    }
  }
  for (const auto* path :
       {"dataplane.decap_vxlan_ports", "dataplane.decap_geneve_ports", "dataplane.hep_ports"}) {
    if (!r.checkable({path})) continue;
    const std::string_view which = path;
    const auto& ports = which == "dataplane.decap_vxlan_ports"    ? c.dataplane.decap_vxlan_ports
                        : which == "dataplane.decap_geneve_ports" ? c.dataplane.decap_geneve_ports
                                                                  : c.dataplane.hep_ports;
    if (ports.size() > 8) r.add(path, fmt::format("{} ports listed, at most 8", ports.size()));
    for (const auto& p : ports) {
      if (!valid_port_number(p)) r.add(path, fmt::format("'{}' is not a port number in [1, 65535]", p));
    }
  }
  if (r.checkable({"dataplane.decap_gre_keys"})) {
    const auto& keys = c.dataplane.decap_gre_keys;
    if (keys.size() > 8) {
      r.add("dataplane.decap_gre_keys", fmt::format("{} keys listed, at most 8", keys.size()));
    }
    for (const auto& k : keys) {
      if (!parse_gre_key(k)) {
        r.add("dataplane.decap_gre_keys",
              fmt::format("'{}' is not a 32-bit key (decimal or 0x hex)", k));
      }
    }
  }
  if (r.checkable({"dataplane.burst_size", "dataplane.rx_descriptors"}) &&
      c.dataplane.burst_size > c.dataplane.rx_descriptors) {
    r.add("dataplane.burst_size", fmt::format("burst {} is larger than dataplane.rx_descriptors {}",
                                              c.dataplane.burst_size, c.dataplane.rx_descriptors));
  }
}

void check_events(const Config& c, Rules& r) {
  if (r.checkable({"events.channel_capacity"}) && !is_power_of_two(c.events.channel_capacity)) {
    r.add("events.channel_capacity",
          fmt::format("{} is not a power of two (try {})", c.events.channel_capacity,
                      std::bit_ceil(c.events.channel_capacity)));
  }
  if (r.checkable({"events.batch_size", "events.channel_capacity"}) &&
      c.events.batch_size > c.events.channel_capacity) {
    r.add("events.batch_size", fmt::format("batch {} is larger than events.channel_capacity {}",
                                           c.events.batch_size, c.events.channel_capacity));
  }
}

// control.auth_user with exactly one of control.auth_password_sha256 and
// control.auth_password_bcrypt, each well-formed when set.
void check_admin_auth(const Config& c, Rules& r) {
  const auto& user = c.control.auth_user;
  const auto& sha = c.control.auth_password_sha256;
  const auto& bcrypt = c.control.auth_password_bcrypt;
  if (r.checkable({"control.auth_password_bcrypt"}) && !bcrypt.empty() && !is_bcrypt_hash(bcrypt)) {
    r.add("control.auth_password_bcrypt",
          "expected a bcrypt hash: $2y$ or $2b$, a cost of 04 to 31 and 53 characters of salt and "
          "hash (htpasswd -nbBC 10 user pw prints user:hash)");
    return;
  }
  if (!r.checkable(
          {"control.auth_user", "control.auth_password_sha256", "control.auth_password_bcrypt"})) {
    return;
  }
  if (!sha.empty() && !bcrypt.empty()) {
    r.add("control.auth_password_bcrypt",
          "set either control.auth_password_sha256 or control.auth_password_bcrypt, not both");
  } else if (!user.empty() && bcrypt.empty() && !is_sha256_hex(sha)) {
    r.add("control.auth_password_sha256",
          "expected 64 hex digits (the SHA-256 of the admin password) when control.auth_user "
          "is set (or set control.auth_password_bcrypt instead)");
  } else if (user.empty() && (!sha.empty() || !bcrypt.empty())) {
    r.add("control.auth_user",
          fmt::format("required with {}", sha.empty() ? "control.auth_password_bcrypt"
                                                      : "control.auth_password_sha256"));
  }
}

// Why the file at `path` cannot serve as a PEM file, or nullopt when it is a readable regular
// file. Opened, not only stat()ed, so permissions are what this process really has.
std::optional<std::string> unreadable_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return fmt::format("cannot read '{}': {}", path, std::strerror(errno));
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  ::close(fd);
  if (!regular) return fmt::format("'{}' is not a regular file", path);
  return std::nullopt;
}

// control.tls_cert_file and control.tls_key_file: both or neither, and readable.
void check_admin_tls(const Config& c, Rules& r) {
  const auto& cert = c.control.tls_cert_file;
  const auto& key = c.control.tls_key_file;
  if (!r.checkable({"control.tls_cert_file", "control.tls_key_file"})) return;
  if (cert.empty() != key.empty()) {
    r.add(cert.empty() ? "control.tls_cert_file" : "control.tls_key_file",
          cert.empty() ? "required with control.tls_key_file (the admin endpoint's certificate)"
                       : "required with control.tls_cert_file (the certificate's private key)");
    return;
  }
  for (const auto& [path, file] :
       {std::pair{"control.tls_cert_file", &cert}, std::pair{"control.tls_key_file", &key}}) {
    if (file->empty()) continue;
    if (auto problem = unreadable_file(*file)) r.add(path, std::move(*problem));
  }
}

void check_control(const Config& c, Rules& r) {
  std::string host;
  uint16_t port = 0;
  if (r.checkable({"control.metrics_listen"}) &&
      !split_listen_address(c.control.metrics_listen, host, port)) {
    r.add("control.metrics_listen",
          fmt::format("expected one host:port (e.g. 127.0.0.1:9464, [::1]:9464 or localhost:9464), "
                      "got '{}'",
                      c.control.metrics_listen));
  }
  check_admin_auth(c, r);
  check_admin_tls(c, r);
  if (r.checkable({"control.hep.address"}) && !c.control.hep.address.empty() &&
      !split_listen_address(c.control.hep.address, host, port)) {
    r.add("control.hep.address",
          fmt::format("expected host:port of a HEP collector (e.g. 10.0.0.5:9060), got '{}'",
                      c.control.hep.address));
  }
}

void check_peers(const Config& c, Rules& r) {
  if (!r.checkable({"planes.peers"})) return;
  const auto& peers = c.planes.peers;
  if (peers.size() > kMaxPeerEntries) {
    r.add("planes.peers", fmt::format("{} entries, at most {}", peers.size(), kMaxPeerEntries));
    return;
  }
  std::set<std::string, std::less<>> names;
  for (std::size_t i = 0; i < peers.size(); ++i) {
    auto e = parse_peer_entry(peers[i]);
    if (!e) {
      r.add(fmt::format("planes.peers[{}]", i), e.error());
      continue;
    }
    names.insert(e->name);
  }
  if (names.size() > kMaxPeerNames) {
    r.add("planes.peers", fmt::format("{} peer names, at most {} (each is a value of the peer "
                                      "label)", names.size(), kMaxPeerNames));
  }
}

// A NATS subject token: no wildcard (* >), no separator (.), no white space or control byte.
std::optional<std::string> probe_id_problem(std::string_view id) {
  if (id.empty()) return "expected a probe name, got ''";
  if (id.size() > 64) return fmt::format("'{}' is longer than 64 characters", id);
  for (const char ch : id) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '*' || ch == '>' || ch == '.' || std::isspace(u) != 0 || u < 0x20 || u == 0x7f) {
      return fmt::format("'{}' cannot be a NATS subject token (no '*', '>', '.', spaces or "
                         "control characters)", id);
    }
  }
  if (id == "broadcast") return "'broadcast' is reserved (rvoip.broadcast.> carries the analyzer's endpoints)";
  return std::nullopt;
}

void check_deployment(const Config& c, Rules& r) {
  if (r.checkable({"deployment.probe_id"})) {
    if (auto p = probe_id_problem(c.deployment.probe_id)) r.add("deployment.probe_id", *p);
  }
  if (r.checkable({"deployment.nats_url"})) {
    if (c.deployment.nats_url.empty()) r.add("deployment.nats_url", "expected at least one URL");
    for (const auto& u : c.deployment.nats_url) {
      const bool scheme = u.starts_with("nats://") || u.starts_with("tls://");
      if (!scheme || u.find_first_of(" \t,") != std::string::npos || u.size() <= 7) {
        r.add("deployment.nats_url",
              fmt::format("'{}' is not a NATS URL (nats://host:port or tls://host:port)", u));
      }
    }
  }
}

}  // namespace

bool split_listen_address(const std::string& listen, std::string& host, uint16_t& port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  std::string h = listen.substr(0, colon);
  uint16_t p = 0;
  if (!valid_port_number(std::string_view(listen).substr(colon + 1), &p)) return false;
  if (h.front() == '[') {
    if (h.size() < 3 || h.back() != ']') return false;
    h = h.substr(1, h.size() - 2);
    if (!valid_ipv6(h)) return false;
  } else if (!valid_ipv4(h) && !valid_host_name(h)) {
    return false;  // a bare IPv6 address, a list, spaces, ...
  }
  host = std::move(h);
  port = p;
  return true;
}

std::optional<uint32_t> parse_gre_key(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  uint32_t v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (text.empty() || ec != std::errc{} || p != text.data() + text.size()) return std::nullopt;
  return v;
}

bool is_bcrypt_hash(std::string_view text) {
  // $2b$10$ + 22 characters of salt + 31 of hash, in bcrypt's base64 alphabet.
  if (text.size() != 60 || !(text.starts_with("$2y$") || text.starts_with("$2b$")) ||
      text[6] != '$') {
    return false;
  }
  const auto digit = [](char ch) { return ch >= '0' && ch <= '9'; };
  const int cost = digit(text[4]) && digit(text[5]) ? (text[4] - '0') * 10 + (text[5] - '0') : -1;
  return cost >= 4 && cost <= 31 && std::all_of(text.begin() + 7, text.end(), [](char ch) {
           return std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '.' || ch == '/';
         });
}

bool is_sha256_hex(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char ch) {
           return std::isxdigit(static_cast<unsigned char>(ch)) != 0;
         });
}

void validate(const Config& c, const KeyLocations& where, const KeySet& rejected,
              IssueSink& issues) {
  Rules r(where, rejected, issues);
  check_dataplane(c, r);
  check_events(c, r);
  check_control(c, r);
  check_deployment(c, r);
  check_peers(c, r);
  if (r.checkable({"logging.output"}) && c.logging.output.empty()) {
    r.add("logging.output", "expected stderr, stdout or a file path, got ''");
  }
}

}  // namespace rv::config
