#include "planes/remote/analyzer_consumer.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace rv::planes::remote {

Result<std::unique_ptr<AnalyzerConsumer>> AnalyzerConsumer::create(
    const config::DeploymentConfig& cfg, AnalyzerSinks sinks, std::vector<std::string> await_probes) {
  std::unique_ptr<AnalyzerConsumer> a(new AnalyzerConsumer(std::move(await_probes)));
  a->sinks_ = std::move(sinks);
  auto link = NatsLink::create(cfg, false, {});
  if (!link) return std::unexpected(std::move(link.error()).with_context("starting the analyzer"));
  a->link_ = std::move(*link);
  if (auto r = a->link_->ensure_stream(); !r) return std::unexpected(r.error());
  jsCtx* js = a->link_->jetstream();
  jsErrCode jerr = static_cast<jsErrCode>(0);
  // Anew from the first message: the analyzer's state is rebuilt from the retained stream.
  (void)js_DeleteConsumer(js, kStreamName, kDurableName, nullptr, &jerr);
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = kStreamName;
  so.ManualAck = true;
  so.Config.Durable = kDurableName;
  so.Config.DeliverPolicy = js_DeliverAll;
  so.Config.AckPolicy = js_AckExplicit;
  so.Config.AckWait = 30'000'000'000;  // ns
  so.Config.MaxAckPending = 65536;
  const natsStatus s = js_PullSubscribe(&a->sub_, js, kStreamSubjects, kDurableName, nullptr, &so, &jerr);
  if (s != NATS_OK) {
    return make_error(ErrorCode::kIo, fmt::format("creating the durable consumer {} on {}: {}",
                                                  kDurableName, a->link_->urls(),
                                                  NatsLink::describe(s)));
  }
  return a;
}

AnalyzerConsumer::~AnalyzerConsumer() {
  if (sub_ != nullptr) natsSubscription_Destroy(sub_);  // the durable stays on the server
  link_.reset();
}

bool AnalyzerConsumer::first_time(RunState& r, uint64_t seq) {
  if (seq <= r.contiguous || r.above.contains(seq)) return false;
  r.above.insert(seq);
  while (!r.above.empty() && *r.above.begin() == r.contiguous + 1) {
    r.above.erase(r.above.begin());
    ++r.contiguous;
  }
  return true;
}

bool AnalyzerConsumer::handle(std::span<const uint8_t> data) {
  counters_.messages.fetch_add(1, std::memory_order_relaxed);
  if (auto r = unseal(data, scratch_); !r) {
    counters_.rejected[static_cast<std::size_t>(r.error())].fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  {
    std::lock_guard lock(mu_);
    RunState& run = runs_[{scratch_.probe_id(), scratch_.run()}];
    if (!first_time(run, scratch_.seq())) {
      counters_.duplicates.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
  }
  dispatch(scratch_);
  counters_.batches.fetch_add(1, std::memory_order_relaxed);
  counters_.events.fetch_add(scratch_.events_size(), std::memory_order_relaxed);
  if (sinks_.batch) sinks_.batch(scratch_.probe_id(), scratch_.events_size(), scratch_.sent_unix_ns());
  return true;
}

void AnalyzerConsumer::dispatch(const wire::Batch& b) {
  for (const auto& ev : b.events()) {
    switch (ev.kind_case()) {
      case wire::Event::kSipMessage: {
        signaling::SipMessageEvent e;
        from_wire(ev.sip_message(), e);
        if (sinks_.sip_message) sinks_.sip_message(e);
        break;
      }
      case wire::Event::kStreamStarted: {
        media::StreamStarted e;
        from_wire(ev.stream_started(), e);
        if (sinks_.stream_started) sinks_.stream_started(e);
        break;
      }
      case wire::Event::kStreamInterval: {
        media::StreamInterval e;
        from_wire(ev.stream_interval(), e);
        if (sinks_.stream_interval) sinks_.stream_interval(e);
        break;
      }
      case wire::Event::kStreamEnded: {
        media::StreamEnded e;
        from_wire(ev.stream_ended(), e);
        if (sinks_.stream_ended) sinks_.stream_ended(e);
        break;
      }
      case wire::Event::kRegistration:
        counters_.registrations.fetch_add(1, std::memory_order_relaxed);
        break;
      case wire::Event::kHealth: {
        const auto& h = ev.health();
        uint64_t cur = fleet_clock_ns_.load(std::memory_order_relaxed);
        while (h.clock_ns() > cur && !fleet_clock_ns_.compare_exchange_weak(cur, h.clock_ns())) {
        }
        if (h.kind() == wire::Health::END_OF_REPLAY) {
          std::lock_guard lock(mu_);
          RunState& run = runs_[{b.probe_id(), b.run()}];
          run.ended = true;
          run.end_seq = h.last_seq();
        }
        if (sinks_.health) {
          sinks_.health(ProbeHealth{b.probe_id(), h.kind(), h.sent_unix_ns(), h.clock_ns(),
                                    h.events_sent(), h.events_dropped()});
        }
        break;
      }
      default:
        break;
    }
  }
}

std::size_t AnalyzerConsumer::poll(std::chrono::milliseconds wait) {
  natsMsgList list{};
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = natsSubscription_Fetch(&list, sub_, 256, wait.count(), &jerr);
  if (s != NATS_OK) return 0;  // timeout, or the link is down (it reconnects by itself)
  for (int i = 0; i < list.Count; ++i) {
    natsMsg* m = list.Msgs[i];
    handle({reinterpret_cast<const uint8_t*>(natsMsg_GetData(m)),
            static_cast<std::size_t>(natsMsg_GetDataLength(m))});
    natsMsg_Ack(m, nullptr);  // handled, a duplicate or undecodable: never again
  }
  const auto n = static_cast<std::size_t>(list.Count);
  natsMsgList_Destroy(&list);
  return n;
}

void AnalyzerConsumer::broadcast(const signaling::MediaEndpointEvent& e, std::string_view call_id) {
  endpoints_.Clear();
  endpoints_.set_probe_id("analyzer");
  to_wire(e, call_id, *endpoints_.add_events()->mutable_media_endpoint());
  const std::string bytes = seal(endpoints_, Compression::kNone);
  if (natsConnection_Publish(link_->connection(), std::string(kBroadcastSubject).c_str(),
                             bytes.data(), static_cast<int>(bytes.size())) == NATS_OK) {
    counters_.endpoints_broadcast.fetch_add(1, std::memory_order_relaxed);
  }
}

bool AnalyzerConsumer::awaited_done() const {
  std::lock_guard lock(mu_);
  return std::all_of(await_.begin(), await_.end(), [&](const std::string& p) {
    for (const auto& [key, run] : runs_) {
      if (key.first == p && run.ended && run.contiguous >= run.end_seq) return true;
    }
    return false;
  });
}

}  // namespace rv::planes::remote
