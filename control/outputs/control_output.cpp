#include "control/outputs/control_output.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace rv::control {

using namespace planes;

struct ControlOutput::Subscriptions {
  events::Subscriber<signaling::CallEvent> calls;
  events::Subscriber<signaling::RegistrationEvent> registrations;
  events::Subscriber<dataplane::DataplaneNotice> notices;
  events::Subscriber<media::StreamStarted> started;
  events::Subscriber<media::StreamInterval> intervals;
  events::Subscriber<media::StreamEnded> ended;
  std::optional<events::Subscriber<signaling::SipMessageEvent>> messages;
};

namespace {

template <events::Event E>
Result<events::Subscriber<E>> control_subscription(routing::PlaneRouter& router) {
  auto s = router.subscribe_control<E>("control");
  if (!s) return std::unexpected(Error(s.error()).with_context("subscribing the control group"));
  return s;
}

}  // namespace

ControlOutput::ControlOutput(std::vector<EventConsumer*> consumers)
    : consumers_(std::move(consumers)), subs_(std::make_unique<Subscriptions>()) {}

ControlOutput::~ControlOutput() = default;

Result<std::unique_ptr<ControlOutput>> ControlOutput::create(routing::PlaneRouter& router,
                                                             std::vector<EventConsumer*> consumers) {
  std::unique_ptr<ControlOutput> out(new ControlOutput(std::move(consumers)));
  Subscriptions& s = *out->subs_;
#define RV_SUBSCRIBE(field, type)                                 \
  if (auto sub = control_subscription<type>(router); sub) {       \
    s.field = std::move(*sub);                                    \
  } else {                                                        \
    return std::unexpected(sub.error());                          \
  }
  RV_SUBSCRIBE(calls, signaling::CallEvent)
  RV_SUBSCRIBE(registrations, signaling::RegistrationEvent)
  RV_SUBSCRIBE(notices, dataplane::DataplaneNotice)
  RV_SUBSCRIBE(started, media::StreamStarted)
  RV_SUBSCRIBE(intervals, media::StreamInterval)
  RV_SUBSCRIBE(ended, media::StreamEnded)
#undef RV_SUBSCRIBE
  bool messages = false;
  for (const auto* c : out->consumers_) messages = messages || c->wants_sip_messages();
  if (messages) {
    auto sub = control_subscription<signaling::SipMessageEvent>(router);
    if (!sub) return std::unexpected(sub.error());
    s.messages.emplace(std::move(*sub));
  }
  return out;
}

std::size_t ControlOutput::poll(std::size_t budget) {
  Subscriptions& s = *subs_;
  std::size_t n = 0;
  // Calls first (Critical), then the rest; every subscription drains Critical first itself.
  n += s.calls.poll(budget, [this](const auto& e) { for (auto* c : consumers_) c->on_call(e); });
  n += s.notices.poll(budget, [this](const auto& e) { for (auto* c : consumers_) c->on_notice(e); });
  n += s.registrations.poll(budget, [this](const auto& e) {
    for (auto* c : consumers_) c->on_registration(e);
  });
  if (s.messages) {
    n += s.messages->poll(budget, [this](const auto& e) {
      for (auto* c : consumers_) c->on_sip_message(e);
    });
  }
  n += s.started.poll(budget, [this](const auto& e) {
    for (auto* c : consumers_) c->on_stream_started(e);
  });
  n += s.intervals.poll(budget, [this](const auto& e) {
    for (auto* c : consumers_) c->on_stream_interval(e);
  });
  n += s.ended.poll(budget, [this](const auto& e) {
    for (auto* c : consumers_) c->on_stream_ended(e);
  });
  handled_.fetch_add(n, std::memory_order_relaxed);
  return n;
}

Result<void> ControlOutput::start(TaskManager& tasks) {
  auto id = tasks.spawn("control-output", [this](std::stop_token token) {
    // Busy while there is work; short naps when idle (replaying lcores wait for our room).
    uint32_t idle = 0;
    while (!token.stop_requested()) {
      if (poll(256) != 0) {
        idle = 0;
        continue;
      }
      // Idle consumers flush at once, then about every 200 ms while nothing comes.
      if ((++idle & 1023) == 1) {
        for (auto* c : consumers_) c->on_idle();
      }
      if (idle < 64) {
        std::this_thread::yield();
      } else {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    }
  });
  if (!id) return std::unexpected(std::move(id.error()));
  task_ = *id;
  return {};
}

void ControlOutput::finish(TaskManager& tasks, std::chrono::milliseconds timeout) {
  if (finished_) return;
  if (task_) {
    (void)tasks.stop(*task_, timeout);
    task_.reset();
  }
  while (poll(4096) != 0) {
  }
  finished_ = true;
}

}  // namespace rv::control
