#pragma once
// Appliance: the running data plane as the control plane sees it — EAL, ports, shards (one per
// worker lcore), launch and stop. The destructor stops and joins the lcores, shuts the fabric
// down, destroys the shards (their publishers and subscribers), then the router and its fabric,
// and last stops the ports and cleans up the EAL. Control-plane only.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "control/appliance/capture_info.hpp"
#include "dataplane/lcore_group.hpp"
#include "dataplane/port.hpp"
#include "dataplane/reassembly.hpp"
#include "events/error.hpp"
#include "events/event_system.hpp"
#include "planes/routing/plane_router.hpp"
#include "planes/shard.hpp"
#include "planes/transport/classifier_slot.hpp"

namespace rv::control {

struct RunPlan {
  std::vector<CaptureInfo> captures;    // replay mode when not empty
  std::vector<std::string> eal_args;    // from the command line, after `--`
};

// Sums of every shard's counters, read on the control thread at any time.
struct TrafficTotals {
  uint64_t rx_frames = 0;
  uint64_t rx_bytes = 0;
  std::array<uint64_t, planes::transport::kPacketClassCount> by_class{};
  std::array<uint64_t, dataplane::kParseStatusCount> by_status{};
  uint64_t oversize_frames = 0;
  uint64_t tx_frames = 0;
  uint64_t tx_dropped = 0;
  uint64_t reassembled = 0;  // datagrams rebuilt from fragments and inspected
  uint64_t pace_gaps_skipped = 0;  // paced replay: capture-time jumps not waited for
  std::array<uint64_t, dataplane::kReassemblyCounterCount> reassembly{};
  std::array<uint64_t, dataplane::kEncapCount> decapsulated{};  // frames per encapsulation kind
  std::array<uint64_t, dataplane::kHepStatusCount> hep{};  // HEP datagrams by decode outcome
  uint64_t sip_tls_connections = 0;    // TLS ClientHellos (any TCP port)
  uint64_t sip_tls_server_hellos = 0;  // TLS ServerHellos (any TCP port)
  uint64_t websocket_upgrades = 0;     // HTTP upgrades to WebSocket for SIP (any port)
};

struct LcoreLoad {
  unsigned lcore_id = 0;
  uint64_t busy_cycles = 0;
  uint64_t idle_cycles = 0;
  uint64_t heartbeat_tsc = 0;
};

class Appliance {
 public:
  // Initialises the EAL, starts the ports and builds the shards. Nothing runs yet.
  static Result<std::unique_ptr<Appliance>> create(const config::Config& cfg, const RunPlan& plan);
  ~Appliance();

  // The plane router: control consumers subscribe through it before start().
  planes::routing::PlaneRouter& router() noexcept { return *router_; }
  const planes::routing::PlaneRouter& router() const noexcept { return *router_; }

  // Starts the fabric and launches one loop per worker lcore.
  Result<void> start();
  // Asks the loops to drain and return; wait() joins them. From here on the fabric is lossless:
  // the calls and streams still tracked leave as final events while the loops finish.
  void request_stop() noexcept;
  void wait() noexcept;
  // After wait() and once the control consumers drained: refuses further events.
  void stop_fabric() noexcept;

  TrafficTotals totals() const noexcept;
  // Frames the ports delivered that no lcore inspected yet (held back by a paced replay, or in
  // flight in a burst). Control thread.
  uint64_t frames_waiting() const noexcept;
  std::vector<LcoreLoad> lcore_loads() const;
  const std::vector<dataplane::Port>& ports() const noexcept { return ports_; }
  const std::vector<std::unique_ptr<planes::Shard>>& shards() const noexcept { return shards_; }
  // The event fabric (every configuration has one).
  const planes::routing::PlaneRouter::Fabric* fabric() const noexcept {
    return router_ ? &router_->fabric() : nullptr;
  }
  bool running() const noexcept { return lcores_.running(); }

  // Control thread (hot reload): publishes a new classifier snapshot built from `cfg` with
  // release order; lcores pick it up at their next housekeeping tick. Earlier snapshots are
  // freed once every lcore passed a quiescent state after the switch (rte_rcu_qsbr). Not
  // concurrent with itself.
  void publish_classifier(const config::DataplaneConfig& cfg);
  // Classifier snapshots published since start-up (0 = the initial one only).
  uint64_t classifier_generation() const noexcept { return classifier_->generation(); }

 private:
  Appliance() = default;
  Result<void> build_shards(const config::Config& cfg);
  Result<void> build_router(const config::Config& cfg);

  bool eal_ready_ = false;
  std::vector<dataplane::Port> ports_;
  std::unique_ptr<planes::transport::ClassifierSlot> classifier_;  // read by every shard
  // Declared before shards_, so destroyed after them: the shards hold its publishers and
  // subscribers, which must go before the fabric they belong to.
  std::unique_ptr<planes::routing::PlaneRouter> router_;
  std::vector<std::unique_ptr<planes::Shard>> shards_;
  std::vector<planes::ShardHandler*> handlers_;  // every shard's, in shard order
  dataplane::LcoreGroup lcores_;  // declared last: joined first on destruction
  bool replay_ = false;
  bool analyzer_ = false;  // deployment.mode analyzer: no ports, SIP summaries from NATS
};

}  // namespace rv::control
