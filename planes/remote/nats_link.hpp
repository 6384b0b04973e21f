#pragma once
// NatsLink: one NATS connection and its JetStream context, set up from deployment.* (servers,
// credentials, TLS CA), reconnecting forever. The stream RVOIP holds every probe's events
// (subjects rvoip.*.*.*: rvoip.<probe_id>.<plane>.<event>); rvoip.broadcast.media_endpoint has
// three tokens and stays out of it (core NATS, analyzer -> probes). Control-plane only.
//
// Threads: create/ensure_stream on the control thread; connected() from any thread.

#include <nats/nats.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "events/error.hpp"

namespace rv::planes::remote {

inline constexpr const char* kStreamName = "RVOIP";
inline constexpr const char* kStreamSubjects = "rvoip.*.*.*";

struct LinkCallbacks {
  void (*on_disconnect)(void* ctx) = nullptr;
  void (*on_reconnect)(void* ctx) = nullptr;
  void* ctx = nullptr;
  jsPubAckHandler ack_handler = nullptr;  // JetStream async publish results
  void* ack_ctx = nullptr;
};

class NatsLink {
 public:
  // `wait_for_server` false: the first connection must succeed now (an analyzer), else an
  // error naming the URLs; true: the link keeps trying in the background (a probe starts and
  // buffers).
  static Result<std::unique_ptr<NatsLink>> create(const config::DeploymentConfig& cfg,
                                                  bool wait_for_server, LinkCallbacks cb);
  ~NatsLink();
  NatsLink(const NatsLink&) = delete;
  NatsLink& operator=(const NatsLink&) = delete;

  // Creates the RVOIP stream when missing (file storage, limits from the server's defaults).
  Result<void> ensure_stream();
  bool connected() const noexcept;

  natsConnection* connection() noexcept { return nc_; }
  jsCtx* jetstream() noexcept { return js_; }
  const std::string& urls() const noexcept { return urls_; }

  // "nats status text: last error" for messages.
  static std::string describe(natsStatus s);

 private:
  NatsLink() = default;
  static void on_disconnected(natsConnection* nc, void* closure);
  static void on_reconnected(natsConnection* nc, void* closure);
  static void on_connected(natsConnection* nc, void* closure);
  static void on_closed(natsConnection* nc, void* closure);

  LinkCallbacks cb_;
  std::string urls_;
  natsOptions* opts_ = nullptr;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  // Set by libnats' last callback of the connection: after it, no callback touches this object.
  std::atomic<bool> closed_{false};
};

}  // namespace rv::planes::remote
