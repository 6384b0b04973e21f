#pragma once
// PeerMap: which configured peer (planes.peers, config/peers.hpp) a call or a stream belongs to,
// as an index into names(); calls and streams of no configured peer map to other(), the last
// name ("other"), so the `peer` label takes at most kMaxPeerNames + 1 values.
// Built once on the control thread; matching is const and thread-safe.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/peers.hpp"
#include "dataplane/flow_key.hpp"
#include "events/error.hpp"
#include "planes/signaling/call_record.hpp"

namespace rv::control {

class PeerMap {
 public:
  // From planes.peers entries (validated by the config loader; an invalid one is an error here).
  static Result<PeerMap> create(std::span<const std::string> entries);

  // Configured names in order of first appearance, then "other".
  const std::vector<std::string>& names() const noexcept { return names_; }
  std::size_t other() const noexcept { return names_.size() - 1; }

  // The first entry matching the INVITE's source or destination address, or the host of the
  // To or From URI.
  std::size_t peer_of_call(const planes::signaling::CallRecord& r) const;
  // The first prefix entry matching the source or destination address (streams without a call).
  std::size_t peer_of_flow(const dataplane::FlowKey& f) const;

  // The host of a SIP URI ("sip:user@Host:5060;x" -> "host"), lower case; empty when none.
  static std::string uri_host(std::string_view uri);

 private:
  struct Rule {
    config::PeerEntry entry;
    std::size_t peer = 0;
  };
  static bool prefix_matches(const config::PeerEntry& e, const dataplane::IpAddress& a) noexcept;
  static bool host_matches(const config::PeerEntry& e, std::string_view host) noexcept;

  std::vector<Rule> rules_;
  std::vector<std::string> names_;
};

}  // namespace rv::control
