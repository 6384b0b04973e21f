#pragma once
// EventConsumer: a control-group consumer of the planes' events (DESIGN.md §1: results leave an
// lcore only as events). The ControlOutput calls every registered consumer, on its one thread,
// in the order each event was dequeued; a consumer may allocate, log and do I/O, but must keep
// up (a slow consumer makes the lcores wait in replay, drop and count in live mode).

#include "dataplane/notice.hpp"
#include "planes/media/media_events.hpp"
#include "planes/signaling/signaling_events.hpp"

namespace rv::control {

class EventConsumer {
 public:
  virtual ~EventConsumer() = default;
  // Whether this consumer reads signaling.sip_message (the planes build them only on demand).
  virtual bool wants_sip_messages() const noexcept { return false; }

  virtual void on_call(const planes::signaling::CallEvent& e) { (void)e; }
  virtual void on_sip_message(const planes::signaling::SipMessageEvent& e) { (void)e; }
  virtual void on_registration(const planes::signaling::RegistrationEvent& e) { (void)e; }
  virtual void on_stream_started(const planes::media::StreamStarted& e) { (void)e; }
  virtual void on_stream_interval(const planes::media::StreamInterval& e) { (void)e; }
  virtual void on_stream_ended(const planes::media::StreamEnded& e) { (void)e; }
  virtual void on_notice(const dataplane::DataplaneNotice& e) { (void)e; }
  // The control output found nothing to hand out (flush buffers, send what is queued).
  virtual void on_idle() {}
};

}  // namespace rv::control
