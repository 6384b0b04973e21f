#pragma once
// HepExporter: HEPv3 export to Homer / heplify-server (`control.hep.address`,
// `control.hep.transport` udp|tcp, `control.hep.node_id`). Sends every SIP message as captured
// (signaling.sip_message carries its bytes; correlation id: its Call-ID) and a quality report per
// running and ended RTP stream (media.stream_interval / media.stream_ended, HEP type 34 JSON,
// correlated by the Call-ID of the call the stream belongs to).
//
// Bounded: packets wait in a queue of at most `control.hep.queue_packets`; beyond it, and when
// a message is larger than the event carries or HEP allows, they are dropped and counted. UDP
// packets leave in sendmmsg batches; TCP reconnects at most once a second and never blocks the
// control output (non-blocking socket, partial writes resumed).
//
// Threads: the on_* methods and finish() on the ControlOutput task (or the thread that finished
// it); counters() from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <sys/socket.h>

#include "config/config.hpp"
#include "control/outputs/event_consumer.hpp"
#include "control/outputs/hep_packet.hpp"
#include "events/error.hpp"

namespace rv::control {

struct HepCounters {
  std::atomic<uint64_t> packets{0};          // sent
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> sip{0};              // SIP messages sent
  std::atomic<uint64_t> reports{0};          // stream quality reports sent
  std::atomic<uint64_t> dropped_queue{0};    // queue full
  std::atomic<uint64_t> dropped_error{0};    // send failed / not connected at shutdown
  std::atomic<uint64_t> dropped_size{0};     // message truncated by the event or over 64 KiB
  std::atomic<uint64_t> send_errors{0};
  std::atomic<uint64_t> connects{0};         // TCP connections made
  std::atomic<uint64_t> queued{0};           // gauge
};

class HepExporter final : public EventConsumer {
 public:
  // Resolves the address and opens the socket (TCP connects lazily, without blocking).
  static Result<std::unique_ptr<HepExporter>> open(const config::HepConfig& cfg);
  ~HepExporter() override;
  HepExporter(const HepExporter&) = delete;
  HepExporter& operator=(const HepExporter&) = delete;

  bool wants_sip_messages() const noexcept override { return true; }
  void on_sip_message(const planes::signaling::SipMessageEvent& e) override;
  void on_call(const planes::signaling::CallEvent& e) override;
  void on_stream_interval(const planes::media::StreamInterval& e) override;
  void on_stream_ended(const planes::media::StreamEnded& e) override;
  void on_idle() override { flush(); }

  // Sends what is queued, waiting at most `limit` for a TCP peer; the rest is counted dropped.
  void finish(std::chrono::milliseconds limit);

  const HepCounters& counters() const noexcept { return counters_; }

 private:
  explicit HepExporter(const config::HepConfig& cfg);
  void enqueue(const hep::HepMeta& meta, std::string_view payload, std::atomic<uint64_t>& kind);
  void flush();
  void flush_udp();
  void flush_tcp();
  void recycle();
  bool connect_tcp();
  void remember_call(uint64_t hash, std::string_view call_id);
  std::string_view call_id_of(uint64_t hash) const;

  config::HepConfig cfg_;
  bool tcp_ = false;
  int fd_ = -1;
  bool connected_ = false;  // TCP
  sockaddr_storage addr_{};
  socklen_t addr_len_ = 0;
  std::deque<std::string> queue_;
  std::vector<std::string> spare_;  // sent packets' buffers, reused (no allocation per packet)
  std::size_t sent_offset_ = 0;  // TCP: bytes of queue_.front() already written
  std::chrono::steady_clock::time_point last_connect_{};
  std::unordered_map<uint64_t, std::string> call_ids_;  // Call-ID hash -> Call-ID (bounded)
  std::deque<uint64_t> call_order_;
  HepCounters counters_;
};

}  // namespace rv::control
