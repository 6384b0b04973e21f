#include "planes/remote/nats_link.hpp"

#include <fmt/format.h>

#include <chrono>
#include <thread>
#include <vector>

namespace rv::planes::remote {

std::string NatsLink::describe(natsStatus s) {
  natsStatus last = NATS_OK;
  const char* text = nats_GetLastError(&last);
  return fmt::format("{}{}{}", natsStatus_GetText(s), text != nullptr ? ": " : "",
                     text != nullptr ? text : "");
}

void NatsLink::on_disconnected(natsConnection*, void* closure) {
  auto* self = static_cast<NatsLink*>(closure);
  if (self->cb_.on_disconnect != nullptr) self->cb_.on_disconnect(self->cb_.ctx);
}

void NatsLink::on_reconnected(natsConnection*, void* closure) {
  auto* self = static_cast<NatsLink*>(closure);
  if (self->cb_.on_reconnect != nullptr) self->cb_.on_reconnect(self->cb_.ctx);
}

void NatsLink::on_connected(natsConnection* nc, void* closure) { on_reconnected(nc, closure); }

void NatsLink::on_closed(natsConnection*, void* closure) {
  static_cast<NatsLink*>(closure)->closed_.store(true, std::memory_order_release);
}

Result<std::unique_ptr<NatsLink>> NatsLink::create(const config::DeploymentConfig& cfg,
                                                   bool wait_for_server, LinkCallbacks cb) {
  std::unique_ptr<NatsLink> l(new NatsLink());
  l->cb_ = cb;
  l->urls_ = fmt::format("{}", fmt::join(cfg.nats_url, ","));
  auto fail = [&](std::string what, natsStatus s) {
    return make_error(ErrorCode::kIo, fmt::format("NATS {} ({}): {}", what, l->urls_, describe(s)));
  };
  natsStatus s = natsOptions_Create(&l->opts_);
  if (s != NATS_OK) return fail("options", s);
  std::vector<const char*> servers;
  for (const auto& u : cfg.nats_url) servers.push_back(u.c_str());
  s = natsOptions_SetServers(l->opts_, servers.data(), static_cast<int>(servers.size()));
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(l->opts_, -1);  // forever
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(l->opts_, 250);
  if (s == NATS_OK) s = natsOptions_SetTimeout(l->opts_, 2000);
  if (s == NATS_OK) s = natsOptions_SetReconnectBufSize(l->opts_, 64 << 20);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(l->opts_, &on_disconnected, l.get());
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(l->opts_, &on_reconnected, l.get());
  if (s == NATS_OK) s = natsOptions_SetClosedCB(l->opts_, &on_closed, l.get());
  if (s == NATS_OK && wait_for_server) {
    s = natsOptions_SetRetryOnFailedConnect(l->opts_, true, &on_connected, l.get());
  }
  if (s == NATS_OK && !cfg.nats_credentials.empty()) {
    s = natsOptions_SetUserCredentialsFromFiles(l->opts_, cfg.nats_credentials.c_str(), nullptr);
  }
  if (s == NATS_OK && !cfg.nats_tls_ca.empty()) {
    s = natsOptions_LoadCATrustedCertificates(l->opts_, cfg.nats_tls_ca.c_str());
  }
  if (s != NATS_OK) return fail("options", s);
  s = natsConnection_Connect(&l->nc_, l->opts_);
  if (s != NATS_OK && !(wait_for_server && s == NATS_NOT_YET_CONNECTED)) {
    return fail("server unreachable", s);
  }
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.PublishAsync.MaxPending = 1 << 20;  // the bridge bounds what it has in flight itself
  jo.PublishAsync.AckHandler = cb.ack_handler;
  jo.PublishAsync.AckHandlerClosure = cb.ack_ctx;
  jo.Wait = 5000;
  s = natsConnection_JetStream(&l->js_, l->nc_, &jo);
  if (s != NATS_OK) return fail("JetStream context", s);
  return l;
}

NatsLink::~NatsLink() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (nc_ != nullptr) {
    natsConnection_Close(nc_);
    // Callbacks run in order on libnats' callback thread: once the closed callback ran, the
    // disconnected one did too, and nothing refers to this object any more.
    for (int i = 0; i < 400 && !closed_.load(std::memory_order_acquire); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    natsConnection_Destroy(nc_);
  }
  if (opts_ != nullptr) natsOptions_Destroy(opts_);
}

bool NatsLink::connected() const noexcept {
  return nc_ != nullptr && natsConnection_Status(nc_) == NATS_CONN_STATUS_CONNECTED;
}

Result<void> NatsLink::ensure_stream() {
  jsStreamConfig sc;
  jsStreamConfig_Init(&sc);
  sc.Name = kStreamName;
  const char* subjects[] = {kStreamSubjects};
  sc.Subjects = subjects;
  sc.SubjectsLen = 1;
  sc.Storage = js_FileStorage;
  jsStreamInfo* si = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_AddStream(&si, js_, &sc, nullptr, &jerr);
  if (si != nullptr) jsStreamInfo_Destroy(si);
  if (s == NATS_OK || jerr == JSStreamNameExistErr) return {};
  return make_error(ErrorCode::kIo, fmt::format("creating the JetStream stream {} on {}: {}",
                                                kStreamName, urls_, describe(s)));
}

}  // namespace rv::planes::remote
