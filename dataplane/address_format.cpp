#include "dataplane/address_format.hpp"

#include <arpa/inet.h>

#include <fmt/format.h>

namespace rv::dataplane {

std::string format_address(const IpAddress& a) {
  char text[INET6_ADDRSTRLEN] = {};
  const bool v6 = a.family == L3Proto::kIpv6;
  if (inet_ntop(v6 ? AF_INET6 : AF_INET, a.bytes.data(), text, sizeof(text)) == nullptr) return "?";
  return text;
}

std::string format_endpoint(const Endpoint& ep) {
  return ep.addr.family == L3Proto::kIpv6 ? fmt::format("[{}]:{}", format_address(ep.addr), ep.port)
                                          : fmt::format("{}:{}", format_address(ep.addr), ep.port);
}

}  // namespace rv::dataplane
