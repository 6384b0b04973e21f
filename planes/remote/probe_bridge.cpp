#include "planes/remote/probe_bridge.hpp"

#include <fmt/format.h>

#include <charconv>
#include <thread>
#include <utility>
#include <vector>

#include "rv_build_config.hpp"

namespace rv::planes::remote {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kAckTimeout = std::chrono::seconds(5);  // then the batch is published again
constexpr std::size_t kMaxInFlight = 4096;             // batches published and not acked
constexpr auto kHeartbeat = std::chrono::seconds(1);

uint64_t unix_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

constexpr std::array<std::string_view, 6> kKindNames = {
    "signaling.sip_message", "signaling.registration", "media.stream_started",
    "media.stream_interval", "media.stream_ended",     "health.status"};

}  // namespace

const char* to_string(ProbeDrop r) noexcept {
  switch (r) {
    case ProbeDrop::kBufferFull: return "buffer_full";
    case ProbeDrop::kUnacknowledged: return "unacknowledged";
  }
  return "unknown";
}

ProbeBridge::ProbeBridge(const config::DeploymentConfig& cfg, bool replay)
    : cfg_(cfg), replay_(replay), probe_id_(cfg.probe_id), run_(unix_ns()) {
  for (std::size_t k = 0; k < kKindCount; ++k) subjects_[k] = subject_for(probe_id_, kKindNames[k]);
}

Result<std::unique_ptr<ProbeBridge>> ProbeBridge::create(const config::DeploymentConfig& cfg,
                                                         bool replay, EndpointHandler on_endpoint) {
  std::unique_ptr<ProbeBridge> b(new ProbeBridge(cfg, replay));
  b->on_endpoint_ = std::move(on_endpoint);
  LinkCallbacks cb;
  cb.ctx = b.get();
  cb.on_disconnect = [](void* ctx) { static_cast<ProbeBridge*>(ctx)->counters_.disconnects++; };
  cb.on_reconnect = [](void* ctx) { static_cast<ProbeBridge*>(ctx)->counters_.reconnects++; };
  cb.ack_handler = &ProbeBridge::on_ack;
  cb.ack_ctx = b.get();
  auto link = NatsLink::create(cfg, true, cb);
  if (!link) return std::unexpected(std::move(link.error()).with_context("starting the probe's NATS bridge"));
  b->link_ = std::move(*link);
  const natsStatus s = natsConnection_Subscribe(&b->broadcast_sub_, b->link_->connection(),
                                                "rvoip.broadcast.>", &ProbeBridge::on_broadcast,
                                                b.get());
  if (s != NATS_OK) {
    return make_error(ErrorCode::kIo, fmt::format("subscribing to rvoip.broadcast.> on {}: {}",
                                                  b->link_->urls(), NatsLink::describe(s)));
  }
  b->next_heartbeat_ = Clock::now() + kHeartbeat;
  b->add_health(wire::Health::ANNOUNCE, 0);
  return b;
}

ProbeBridge::~ProbeBridge() {
  if (broadcast_sub_ != nullptr) {
    natsSubscription_Unsubscribe(broadcast_sub_);
    natsSubscription_Destroy(broadcast_sub_);
  }
  link_.reset();  // joins libnats' threads: no callback runs after this
}

uint64_t ProbeBridge::buffered() const {
  std::lock_guard lock(mu_);
  return buffered_;
}

void ProbeBridge::observe_clock(uint64_t ns) noexcept {
  uint64_t cur = clock_ns_.load(std::memory_order_relaxed);
  while (ns > cur && !clock_ns_.compare_exchange_weak(cur, ns, std::memory_order_relaxed)) {
  }
}

wire::Event* ProbeBridge::slot(Kind k) {
  counters_.events_in.fetch_add(1, std::memory_order_relaxed);
  if (buffered_ >= cfg_.buffer_events && k != kHealth) {
    counters_.dropped[static_cast<std::size_t>(ProbeDrop::kBufferFull)].fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  Pending& p = pending_[k];
  if (p.events == 0) p.opened = Clock::now();
  ++p.events;
  ++buffered_;
  return p.batch.add_events();
}

void ProbeBridge::add(const signaling::SipMessageEvent& e) {
  observe_clock(e.timestamp_ns);
  std::lock_guard lock(mu_);
  if (auto* ev = slot(kSip)) to_wire(e, *ev->mutable_sip_message());
  if (pending_[kSip].events >= cfg_.batch_max) seal_locked(kSip);
}

void ProbeBridge::add(const signaling::RegistrationEvent& e) {
  std::lock_guard lock(mu_);
  if (auto* ev = slot(kRegistration)) to_wire(e, *ev->mutable_registration());
  if (pending_[kRegistration].events >= cfg_.batch_max) seal_locked(kRegistration);
}

void ProbeBridge::add(const media::StreamStarted& e) {
  std::lock_guard lock(mu_);
  if (auto* ev = slot(kStarted)) to_wire(e, *ev->mutable_stream_started());
  if (pending_[kStarted].events >= cfg_.batch_max) seal_locked(kStarted);
}

void ProbeBridge::add(const media::StreamInterval& e) {
  observe_clock(e.timestamp_ns);
  std::lock_guard lock(mu_);
  if (auto* ev = slot(kInterval)) to_wire(e, *ev->mutable_stream_interval());
  if (pending_[kInterval].events >= cfg_.batch_max) seal_locked(kInterval);
}

void ProbeBridge::add(const media::StreamEnded& e) {
  observe_clock(e.last_ns);
  std::lock_guard lock(mu_);
  if (auto* ev = slot(kEnded)) to_wire(e, *ev->mutable_stream_ended());
  if (pending_[kEnded].events >= cfg_.batch_max) seal_locked(kEnded);
}

void ProbeBridge::add_health(wire::Health::Kind kind, uint64_t last_seq) {
  std::lock_guard lock(mu_);
  wire::Event* ev = slot(kHealth);
  auto* h = ev->mutable_health();
  h->set_kind(kind);
  h->set_sent_unix_ns(unix_ns());
  h->set_clock_ns(clock_ns_.load(std::memory_order_relaxed));
  h->set_events_sent(counters_.events_acked.load(std::memory_order_relaxed));
  uint64_t dropped = 0;
  for (const auto& d : counters_.dropped) dropped += d.load(std::memory_order_relaxed);
  h->set_events_dropped(dropped);
  h->set_last_seq(last_seq);
  h->set_version(RV_VERSION);
  h->set_replay(replay_);
  seal_locked(kHealth);
}

void ProbeBridge::seal_locked(Kind k) {
  Pending& p = pending_[k];
  if (p.events == 0) return;
  const uint64_t seq = ++seq_;
  p.batch.set_probe_id(probe_id_);
  p.batch.set_seq(seq);
  p.batch.set_run(run_);
  p.batch.set_sent_unix_ns(unix_ns());
  std::size_t raw = 0;
  Sealed s{k, std::make_shared<const std::string>(seal(p.batch, Compression::kZstd, 1, &raw)),
           p.events, false, {}};
  counters_.bytes_raw.fetch_add(raw, std::memory_order_relaxed);
  counters_.bytes_wire.fetch_add(s.bytes->size(), std::memory_order_relaxed);
  counters_.batches_sealed.fetch_add(1, std::memory_order_relaxed);
  outbox_.emplace(seq, std::move(s));
  p.batch.Clear();
  p.events = 0;
}

std::size_t ProbeBridge::poll() {
  const auto now = Clock::now();
  if (now >= next_heartbeat_) {
    next_heartbeat_ = now + kHeartbeat;
    add_health(wire::Health::HEARTBEAT, 0);
  }
  // The stream is created by whichever side connects first (a probe may start before any
  // analyzer, or before NATS).
  if (!stream_ready_ && link_->connected()) stream_ready_ = link_->ensure_stream().has_value();
  struct Out {
    uint64_t seq;
    const std::string* subject;
    std::shared_ptr<const std::string> bytes;
  };
  std::vector<Out> out;
  {
    std::lock_guard lock(mu_);
    const auto age = std::chrono::milliseconds(cfg_.batch_ms);
    for (std::size_t k = 0; k < kKindCount; ++k) {
      if (pending_[k].events != 0 && now - pending_[k].opened >= age) seal_locked(Kind(k));
    }
    if (!stream_ready_ || !link_->connected()) return 0;
    std::size_t in_flight = 0;
    for (const auto& [seq, s] : outbox_) in_flight += s.published && now - s.sent < kAckTimeout;
    for (auto& [seq, s] : outbox_) {
      if (in_flight >= kMaxInFlight) break;
      if (s.published && now - s.sent < kAckTimeout) continue;
      if (s.published) counters_.resends.fetch_add(1, std::memory_order_relaxed);
      s.published = true;
      s.sent = now;
      ++in_flight;
      out.push_back({seq, &subjects_[s.kind], s.bytes});
    }
  }
  for (const auto& o : out) {
    const std::string id = fmt::format("{}-{}-{}", probe_id_, run_, o.seq);
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = id.c_str();
    const natsStatus s = js_PublishAsync(link_->jetstream(), o.subject->c_str(), o.bytes->data(),
                                         static_cast<int>(o.bytes->size()), &po);
    counters_.publishes.fetch_add(1, std::memory_order_relaxed);
    if (s != NATS_OK) {  // not sent: publish again on a later poll
      std::lock_guard lock(mu_);
      if (auto it = outbox_.find(o.seq); it != outbox_.end()) it->second.published = false;
    }
  }
  return out.size();
}

void ProbeBridge::on_ack(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure) {
  auto* self = static_cast<ProbeBridge*>(closure);
  const char* id = nullptr;
  uint64_t seq = 0;
  if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK && id != nullptr) {
    const std::string_view v(id);
    const auto dash = v.rfind('-');
    if (dash != std::string_view::npos) {
      std::from_chars(v.data() + dash + 1, v.data() + v.size(), seq);
    }
  }
  {
    std::lock_guard lock(self->mu_);
    if (auto it = self->outbox_.find(seq); it != self->outbox_.end()) {
      if (pa != nullptr) {
        self->counters_.events_acked.fetch_add(it->second.events, std::memory_order_relaxed);
        self->counters_.batches_acked.fetch_add(1, std::memory_order_relaxed);
        self->buffered_ -= it->second.events;
        self->outbox_.erase(it);
      } else if (pae != nullptr) {
        it->second.published = false;  // sent again on the next poll
      }
    }
  }
  natsMsg_Destroy(msg);
}

void ProbeBridge::on_broadcast(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto* self = static_cast<ProbeBridge*>(closure);
  thread_local wire::Batch batch;
  const std::span<const uint8_t> data(reinterpret_cast<const uint8_t*>(natsMsg_GetData(msg)),
                                      static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
  if (!unseal(data, batch)) {
    self->counters_.broadcast_rejected.fetch_add(1, std::memory_order_relaxed);
  } else {
    for (const auto& ev : batch.events()) {
      if (!ev.has_media_endpoint() || !self->on_endpoint_) continue;
      signaling::MediaEndpointEvent e;
      from_wire(ev.media_endpoint(), e);
      self->on_endpoint_(e);
      self->counters_.endpoints_received.fetch_add(1, std::memory_order_relaxed);
    }
  }
  natsMsg_Destroy(msg);
}

bool ProbeBridge::wait_acked(Clock::time_point deadline) {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (outbox_.empty()) return true;
    }
    if (Clock::now() >= deadline) return false;
    poll();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

uint64_t ProbeBridge::finish(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  {
    std::lock_guard lock(mu_);
    for (std::size_t k = 0; k < kKindCount; ++k) seal_locked(Kind(k));
  }
  bool ok = wait_acked(deadline);
  if (ok && replay_) {
    uint64_t last = 0;
    {
      std::lock_guard lock(mu_);
      last = seq_;
    }
    add_health(wire::Health::END_OF_REPLAY, last);
    ok = wait_acked(deadline);
  }
  std::lock_guard lock(mu_);
  const uint64_t lost = buffered_;
  counters_.dropped[static_cast<std::size_t>(ProbeDrop::kUnacknowledged)].fetch_add(
      lost, std::memory_order_relaxed);
  outbox_.clear();
  buffered_ = 0;
  (void)ok;
  return lost;
}

}  // namespace rv::planes::remote
