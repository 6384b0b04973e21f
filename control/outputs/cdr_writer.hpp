#pragma once
// CdrWriter: call detail records as JSON lines (`control.cdr.path`), one per call, written with
// RapidJSON's streaming writer as each call ends (signaling.call kEnded, or its final record
// when it leaves the table or is flushed at shutdown without an end). A record waits for the
// call's RTP streams to end (media.stream_ended) so that it carries their final numbers, at
// most `control.cdr.stream_wait_s` of event time; streams still running then are written with
// their latest interval numbers ("ended": false). Once its streams ended, a record is written
// when the control output next runs idle (or 2 s of event time later): stream events travel at
// Low priority behind the call's Critical end. finish() writes everything still held.
//
// Bounded: at most `control.cdr.max_pending` calls are tracked; a call beyond it is written
// without streams when it ends (counted: dropped{reason="table_full"} counts streams it lost).
// The file rotates by size (`control.cdr.max_bytes`: path -> path.1 -> ... path.N). A failed
// write never stops the appliance: the records it held are counted as dropped and the file is
// reopened at most once a second.
//
// Threads: the on_* methods, on_idle() and finish() run on the ControlOutput task (finish() on
// the thread that finished the ControlOutput); counters() is read by any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"
#include "control/outputs/event_consumer.hpp"
#include "events/error.hpp"

namespace rv::control {

struct CdrCounters {
  std::atomic<uint64_t> records{0};        // written to the file
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> write_errors{0};   // failed write/open/rotate system calls
  std::atomic<uint64_t> dropped_io{0};     // records lost to a write error
  std::atomic<uint64_t> dropped_full{0};   // calls or streams not tracked: table full
  std::atomic<uint64_t> early{0};          // written before every stream ended (wait or bound)
  std::atomic<uint64_t> rotations{0};
  std::atomic<uint64_t> pending{0};        // calls tracked now (gauge)
};

class CdrWriter final : public EventConsumer {
 public:
  // Opens (appends to) cfg.path; an unwritable path fails here, at start-up.
  static Result<std::unique_ptr<CdrWriter>> open(const config::CdrConfig& cfg);
  ~CdrWriter() override;
  CdrWriter(const CdrWriter&) = delete;
  CdrWriter& operator=(const CdrWriter&) = delete;

  void on_call(const planes::signaling::CallEvent& e) override;
  void on_stream_started(const planes::media::StreamStarted& e) override;
  void on_stream_interval(const planes::media::StreamInterval& e) override;
  void on_stream_ended(const planes::media::StreamEnded& e) override;
  void on_idle() override;

  // Writes every call still held (oldest first) and flushes. Idempotent.
  void finish();

  const CdrCounters& counters() const noexcept { return counters_; }

 private:
  struct Stream;
  struct Call;
  explicit CdrWriter(const config::CdrConfig& cfg);

  Call* call_of(uint64_t hash);
  Call* add_call(uint64_t hash);
  Call* stream_call(uint64_t hash);
  Stream* stream_of(Call& c, const dataplane::FlowKey& flow, uint32_t ssrc, bool create);
  void ended(uint64_t hash, Call& c, const planes::signaling::CallRecord& r, uint64_t ts);
  void maybe_write(uint64_t hash, Call& c);
  void write_settled(bool all);
  void write(const planes::signaling::CallRecord& r, const Call* c);
  void expire();
  void append(std::string_view line);
  void flush();
  void rotate();
  bool reopen();

  config::CdrConfig cfg_;
  int fd_ = -1;
  uint64_t file_bytes_ = 0;
  std::string buffer_;                // whole records not yet written
  uint64_t buffered_records_ = 0;
  std::chrono::steady_clock::time_point last_flush_{};
  std::chrono::steady_clock::time_point last_reopen_{};
  std::unordered_map<uint64_t, std::unique_ptr<Call>> calls_;  // by Call-ID hash
  std::deque<std::pair<uint64_t, uint64_t>> waiting_;          // (hash, deadline), end order
  std::deque<std::pair<uint64_t, uint64_t>> settling_;         // (hash, write at), FIFO
  uint64_t now_ns_ = 0;                                        // latest event time
  bool finished_ = false;
  CdrCounters counters_;
};

}  // namespace rv::control
