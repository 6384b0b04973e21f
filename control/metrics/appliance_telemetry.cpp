#include "control/metrics/appliance_telemetry.hpp"

#include <rte_telemetry.h>

#include <atomic>

namespace rv::control {
namespace {

// DPDK telemetry callbacks carry no user pointer; commands cannot be unregistered either, so
// they read the appliance through this pointer and answer empty once it is gone.
std::atomic<const Appliance*> g_app{nullptr};

int packets_cmd(const char*, const char*, rte_tel_data* d) {
  rte_tel_data_start_dict(d);
  const Appliance* app = g_app.load();
  if (app == nullptr) return 0;
  const TrafficTotals t = app->totals();
  rte_tel_data_add_dict_u64(d, "rx", t.rx_frames);
  for (std::size_t i = 0; i < planes::transport::kPacketClassCount; ++i) {
    const auto name = to_string(static_cast<planes::transport::PacketClass>(i));
    rte_tel_data_add_dict_u64(d, std::string(name).c_str(), t.by_class[i]);
  }
  uint64_t malformed = 0;
  for (std::size_t i = 0; i < t.by_status.size(); ++i) {
    if (dataplane::is_malformed(static_cast<dataplane::ParseStatus>(i))) malformed += t.by_status[i];
  }
  rte_tel_data_add_dict_u64(d, "malformed", malformed);
  rte_tel_data_add_dict_u64(d, "reassembled", t.reassembled);
  return 0;
}

int calls_cmd(const char*, const char*, rte_tel_data* d) {
  rte_tel_data_start_dict(d);
  const Appliance* app = g_app.load();
  if (app == nullptr) return 0;
  uint64_t active = 0, answered = 0, failed = 0, streams_active = 0, streams_total = 0;
  for (const auto& s : app->shards()) {
    const auto& c = s->handler().signaling().counters();
    active += c.calls_active.load();
    answered += c.call_count(planes::signaling::CallResult::kAnswered);
    failed += c.call_count(planes::signaling::CallResult::kFailed);
    streams_active += s->handler().media().counters().streams_active.load();
    streams_total += s->handler().media().counters().streams_total.load();
  }
  rte_tel_data_add_dict_u64(d, "calls_active", active);
  rte_tel_data_add_dict_u64(d, "calls_answered", answered);
  rte_tel_data_add_dict_u64(d, "calls_failed", failed);
  rte_tel_data_add_dict_u64(d, "rtp_streams_active", streams_active);
  rte_tel_data_add_dict_u64(d, "rtp_streams_total", streams_total);
  return 0;
}

}  // namespace

void register_telemetry(const Appliance& app) {
  static const bool registered = [] {
    rte_telemetry_register_cmd("/rvoip/packets", packets_cmd,
                               "rvoipd frames by class, malformed and reassembled. No parameters");
    rte_telemetry_register_cmd("/rvoip/calls", calls_cmd,
                               "rvoipd calls and RTP streams. No parameters");
    return true;
  }();
  (void)registered;
  g_app.store(&app);
}

void unregister_telemetry() noexcept { g_app.store(nullptr); }

}  // namespace rv::control
