#pragma once
// RunReport: the run report (DESIGN.md §8) built from the planes' events, plus the summary for
// a person. As an EventConsumer it keeps one compact record per call instance (the latest the
// signaling plane sent: the final one once the call left the table) and every ended stream;
// at the end of the run it writes the JSON with a streaming writer (no document tree), sorted
// so that the same capture gives the same report on every run and with any number of workers.
//
// Threads: the on_* methods run on the ControlOutput task; open(), write() and summary() on the
// control thread once the ControlOutput finished (no event arrives any more).

#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "control/appliance/appliance.hpp"
#include "control/appliance/capture_info.hpp"
#include "control/outputs/event_consumer.hpp"
#include "events/error.hpp"

namespace rv::control {

struct RunInfo {
  std::string mode;          // "replay" or "live"
  double wall_seconds = 0;   // start to stop
  bool interrupted = false;  // a replay stopped by a signal before its end
  std::vector<CaptureInfo> captures;
};

class RunReport final : public EventConsumer {
 public:
  // `keep_records`: keep every call and stream for the JSON report (replay, or --report given);
  // otherwise (a live run without --report) only count them, so memory stays flat.
  explicit RunReport(bool keep_records);
  ~RunReport() override;
  RunReport(const RunReport&) = delete;
  RunReport& operator=(const RunReport&) = delete;

  // Creates `path`.partial now, so an unwritable report fails at start; write() renames it.
  Result<void> open(const std::string& path);

  void on_call(const planes::signaling::CallEvent& e) override;
  void on_registration(const planes::signaling::RegistrationEvent& e) override;
  void on_stream_ended(const planes::media::StreamEnded& e) override;

  // Writes the report into the file open() created and renames it to its path.
  Result<void> write(const Appliance& app, const RunInfo& run);
  // A few lines for a person: packets by class, drops, rates, calls, streams.
  std::string summary(const Appliance& app, const RunInfo& run) const;

  // Analyzer: streams come from probes whose call hashes are their own; each is tied to the
  // call whose SDP announced one of its endpoints (the instance started last before the
  // stream), as the media plane does with the endpoints it learned. Before write().
  void associate_streams_by_endpoint(bool on) noexcept { by_endpoint_ = on; }

  std::size_t calls() const noexcept { return keep_ ? calls_.size() : final_calls_; }
  std::size_t streams() const noexcept { return keep_ ? streams_.size() : ended_streams_; }

 private:
  struct CallKey {
    uint64_t hash;
    uint64_t invite_ns;
    bool operator==(const CallKey&) const = default;
  };
  struct CallKeyHash {
    std::size_t operator()(const CallKey& k) const noexcept {
      return static_cast<std::size_t>(k.hash ^ (k.invite_ns * 0x9e3779b97f4a7c15ull));
    }
  };

  void associate_by_endpoint();

  bool keep_;
  bool by_endpoint_ = false;
  uint64_t final_calls_ = 0;    // calls whose final record arrived (counting mode)
  uint64_t ended_streams_ = 0;  // (counting mode)
  std::map<std::string_view, uint64_t> results_;  // final calls by result (counting mode)
  // Deques: growing never moves the records already held (a vector's doubling copied every
  // call record again and again on the control consumer, which the lcores then waited on).
  std::deque<planes::signaling::CallRecord> calls_;  // one per call instance, latest record
  std::unordered_map<CallKey, std::size_t, CallKeyHash> call_index_;
  std::deque<planes::media::StreamEnded> streams_;
  uint64_t registration_requests_ = 0;
  std::map<uint16_t, uint64_t> registration_responses_;
  std::string path_;
  std::string partial_;
  std::FILE* file_ = nullptr;
};

}  // namespace rv::control
