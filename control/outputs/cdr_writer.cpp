#include "control/outputs/cdr_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "control/report/json_text.hpp"
#include "dataplane/sctp_chunks.hpp"
#include "planes/media/codec.hpp"
#include "planes/media/stream_report.hpp"

namespace rv::control {
namespace {

using planes::signaling::CallEvent;
using planes::signaling::CallEventKind;
using planes::signaling::CallRecord;
using planes::signaling::CallState;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr std::size_t kMaxStreamsPerCall = 16;
constexpr std::size_t kFlushBytes = 64 * 1024;
constexpr auto kFlushEvery = std::chrono::milliseconds(200);
constexpr uint64_t kSettleNs = 2'000'000'000ull;

using json::key;
using json::kv_i;
using json::kv_opt;
using json::kv_s;
using json::kv_u;
using json::str;
std::optional<double> ts(uint64_t ns) {
  return ns == 0 ? std::nullopt : std::optional<double>(double(ns) / 1e9);
}
std::optional<double> ms_between(uint64_t from, uint64_t to) {
  return (from == 0 || to == 0 || to < from) ? std::nullopt : std::optional<double>(double(to - from) / 1e6);
}

void party(Writer& w, std::string_view k, std::string_view uri, std::string_view tag) {
  key(w, k);
  w.StartObject();
  kv_s(w, "uri", uri);
  key(w, "tag");
  if (tag.empty()) {
    w.Null();
  } else {
    str(w, tag);
  }
  w.EndObject();
}

}  // namespace

struct CdrWriter::Stream {
  dataplane::FlowKey flow;
  uint32_t ssrc = 0;
  uint8_t payload_type = 0;
  uint8_t codec = 0;
  uint8_t mos_x10 = 0;
  bool ended = false;
  uint32_t packets = 0;
  int64_t expected = 0;
  int64_t lost = 0;
  float jitter_ms = 0;       // ended: mean; running: the current estimate
  float jitter_max_ms = 0;
  float max_delta_ms = 0;
  float gap_ms = 0;
  uint32_t gaps = 0;
  float rtt_ms = -1;
  uint64_t first_ns = 0;
  uint64_t last_ns = 0;
};

struct CdrWriter::Call {
  std::vector<Stream> streams;
  uint32_t running = 0;
  std::unique_ptr<CallRecord> record;  // set once the call ended: waiting for its streams
  uint64_t deadline_ns = 0;
  bool started = false;  // its signaling.call kStarted arrived (else: made by stream events)
  bool settling = false;  // in settling_
};

CdrWriter::CdrWriter(const config::CdrConfig& cfg) : cfg_(cfg) {
  buffer_.reserve(2 * kFlushBytes);
}

CdrWriter::~CdrWriter() {
  finish();
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<CdrWriter>> CdrWriter::open(const config::CdrConfig& cfg) {
  std::unique_ptr<CdrWriter> w(new CdrWriter(cfg));
  if (!w->reopen()) {
    return make_error(ErrorCode::kIo,
                      fmt::format("cannot open the CDR file {} (control.cdr.path): {}", cfg.path,
                                  std::strerror(errno)));
  }
  return w;
}

bool CdrWriter::reopen() {
  last_reopen_ = std::chrono::steady_clock::now();
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(cfg_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) return false;
  struct stat st{};
  file_bytes_ = ::fstat(fd_, &st) == 0 ? uint64_t(st.st_size) : 0;
  return true;
}

CdrWriter::Call* CdrWriter::call_of(uint64_t hash) {
  const auto it = calls_.find(hash);
  return it == calls_.end() ? nullptr : it->second.get();
}

CdrWriter::Call* CdrWriter::add_call(uint64_t hash) {
  if (calls_.size() >= cfg_.max_pending) {
    counters_.dropped_full.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  return calls_.emplace(hash, std::make_unique<Call>()).first->second.get();
}

// The call of a stream event. Events of different rings may arrive out of order: a stream of
// a call whose kStarted is still queued gets a slot of its own, dropped later if no call came
// (late streams of a call already written, streams of a call the table had no room for).
CdrWriter::Call* CdrWriter::stream_call(uint64_t hash) {
  if (hash == 0) return nullptr;
  if (Call* c = call_of(hash)) return c;
  Call* c = add_call(hash);
  if (c != nullptr) {
    c->deadline_ns = now_ns_ + 2 * uint64_t(cfg_.stream_wait_s) * 1'000'000'000ull + 1;
    waiting_.emplace_back(hash, c->deadline_ns);
  }
  return c;
}

CdrWriter::Stream* CdrWriter::stream_of(Call& c, const dataplane::FlowKey& flow, uint32_t ssrc,
                                        bool create) {
  for (auto& s : c.streams) {
    if (s.ssrc == ssrc && s.flow == flow) return &s;
  }
  if (!create) return nullptr;
  if (c.streams.size() >= kMaxStreamsPerCall) {
    counters_.dropped_full.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  Stream& s = c.streams.emplace_back();
  s.flow = flow;
  s.ssrc = ssrc;
  ++c.running;
  return &s;
}

void CdrWriter::on_call(const CallEvent& e) {
  now_ns_ = std::max(now_ns_, e.timestamp_ns);
  const uint64_t hash = e.record.key_hash;
  if (e.kind == CallEventKind::kStarted) {
    Call* c = call_of(hash);
    if (c != nullptr && c->record) {
      counters_.early.fetch_add(1, std::memory_order_relaxed);  // Call-ID reused meanwhile
      write(*c->record, c);
      calls_.erase(hash);
      c = nullptr;
    }
    if (c == nullptr) c = add_call(hash);
    if (c != nullptr) c->started = true;  // (a slot made by its streams' events is kept)
  } else if (e.kind == CallEventKind::kEnded ||
             (planes::signaling::is_final(e.kind) && e.record.state != CallState::kTerminated)) {
    // The end of the call, or its last record while still in progress (shutdown, end of
    // replay). A final record of an ended call repeats what kEnded brought: written already.
    Call* c = call_of(hash);
    if (c == nullptr) {
      write(e.record, nullptr);
    } else if (!c->record) {
      ended(hash, *c, e.record, e.timestamp_ns);
    }
  }
  counters_.pending.store(calls_.size(), std::memory_order_relaxed);
  expire();
}

void CdrWriter::ended(uint64_t hash, Call& c, const CallRecord& r, uint64_t ts) {
  c.record = std::make_unique<CallRecord>(r);
  c.deadline_ns = ts + uint64_t(cfg_.stream_wait_s) * 1'000'000'000ull;
  waiting_.emplace_back(hash, c.deadline_ns);
  maybe_write(hash, c);
}

// Every stream known to have ended: the record settles first. The control output drains the
// Critical call events before the Low stream events, so a stream's start published before the
// call's end may still be queued; the record is written once the output went idle (everything
// published so far was seen) or kSettleNs of event time later.
void CdrWriter::maybe_write(uint64_t hash, Call& c) {
  if (!c.record || c.running != 0 || c.settling) return;
  c.settling = true;
  settling_.emplace_back(hash, now_ns_ + kSettleNs);
}

void CdrWriter::write_settled(bool all) {
  while (!settling_.empty() && (all || settling_.front().second <= now_ns_)) {
    const uint64_t hash = settling_.front().first;
    settling_.pop_front();
    Call* c = call_of(hash);
    if (c == nullptr || !c->settling) continue;
    c->settling = false;
    if (!c->record || c->running != 0) continue;  // a late stream start: it will end first
    write(*c->record, c);
    calls_.erase(hash);
  }
  counters_.pending.store(calls_.size(), std::memory_order_relaxed);
}

void CdrWriter::expire() {
  write_settled(false);
  while (!waiting_.empty() && waiting_.front().second <= now_ns_) {
    const auto [hash, deadline] = waiting_.front();
    waiting_.pop_front();
    Call* c = call_of(hash);
    if (c == nullptr || c->deadline_ns != deadline) continue;  // written already
    if (!c->record) {
      if (!c->started) calls_.erase(hash);  // streams without a call to write them with
      continue;
    }
    counters_.early.fetch_add(1, std::memory_order_relaxed);
    write(*c->record, c);
    calls_.erase(hash);
  }
  counters_.pending.store(calls_.size(), std::memory_order_relaxed);
}

void CdrWriter::on_stream_started(const planes::media::StreamStarted& e) {
  now_ns_ = std::max(now_ns_, e.first_ns);
  Call* c = stream_call(e.call_hash);
  if (c == nullptr) return;
  if (Stream* s = stream_of(*c, e.flow, e.ssrc, true)) {
    s->payload_type = e.payload_type;
    s->codec = e.codec;
    s->first_ns = e.first_ns;
  }
}

void CdrWriter::on_stream_interval(const planes::media::StreamInterval& e) {
  now_ns_ = std::max(now_ns_, e.timestamp_ns);
  Call* c = stream_call(e.call_hash);
  if (c != nullptr) {
    if (Stream* s = stream_of(*c, e.flow, e.ssrc, true); s != nullptr && !s->ended) {
      s->payload_type = e.payload_type;
      s->codec = e.codec;
      s->packets = e.packets;
      s->expected = e.expected;
      s->lost = e.lost;
      s->jitter_ms = e.jitter_ms;
      s->jitter_max_ms = e.jitter_max_ms;
      s->max_delta_ms = e.max_delta_ms;
      s->gaps = e.gaps;
      s->gap_ms = e.gap_ms;
      s->mos_x10 = e.mos_x10;
      s->last_ns = e.timestamp_ns;
    }
  }
  expire();
}

void CdrWriter::on_stream_ended(const planes::media::StreamEnded& e) {
  now_ns_ = std::max(now_ns_, e.last_ns);
  Call* c = stream_call(e.call_hash);
  if (c != nullptr) {
    if (Stream* s = stream_of(*c, e.flow, e.ssrc, true); s != nullptr && !s->ended) {
      s->ended = true;
      --c->running;
      s->payload_type = e.payload_type;
      s->codec = e.codec;
      s->packets = e.packets;
      s->expected = e.expected;
      s->lost = e.lost;
      s->jitter_ms = e.jitter_mean_ms;
      s->jitter_max_ms = e.jitter_max_ms;
      s->max_delta_ms = e.max_delta_ms;
      s->gaps = e.gaps;
      s->gap_ms = e.gap_ms;
      s->rtt_ms = e.rtt_ms;
      s->mos_x10 = e.mos_x10;
      s->first_ns = e.first_ns;
      s->last_ns = e.last_ns;
      maybe_write(e.call_hash, *c);
    }
  }
  expire();
}

void CdrWriter::on_idle() {
  write_settled(true);
  if (!buffer_.empty() && std::chrono::steady_clock::now() - last_flush_ >= kFlushEvery) flush();
}

void CdrWriter::finish() {
  if (finished_) return;
  finished_ = true;
  // Oldest first: the order the calls started in.
  std::vector<std::pair<uint64_t, Call*>> held;
  for (auto& [hash, c] : calls_) {
    if (c->record) held.emplace_back(c->record->invite_ns, c.get());
  }
  std::sort(held.begin(), held.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [start, c] : held) {
    if (c->running != 0) counters_.early.fetch_add(1, std::memory_order_relaxed);
    write(*c->record, c);
  }
  calls_.clear();
  waiting_.clear();
  settling_.clear();
  counters_.pending.store(0, std::memory_order_relaxed);
  flush();
}

void CdrWriter::write(const CallRecord& r, const Call* c) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  kv_s(w, "call_id", r.call_id.view());
  party(w, "from", r.from.view(), r.from_tag.view());
  party(w, "to", r.to.view(), r.to_tag.view());
  key(w, "user_agent");
  if (r.user_agent.len != 0) {
    str(w, r.user_agent.view());
  } else {
    w.Null();
  }
  kv_s(w, "src", planes::media::format_endpoint(r.flow.src));
  kv_s(w, "dst", planes::media::format_endpoint(r.flow.dst));
  kv_s(w, "transport", r.flow.ip_proto == dataplane::kIpProtoTcp    ? "tcp"
                       : r.flow.ip_proto == dataplane::kIpProtoSctp ? "sctp"
                                                                    : "udp");
  kv_opt(w, "start_ts", ts(r.invite_ns));
  kv_opt(w, "ring_ts", ts(r.first_provisional_ns));
  kv_opt(w, "answer_ts", ts(r.answer_ns));
  const bool terminated = r.state == CallState::kTerminated;
  kv_opt(w, "end_ts", ts(terminated ? r.end_ns : 0));
  kv_opt(w, "setup_ms", ms_between(r.invite_ns, r.answer_ns));
  kv_opt(w, "pdd_ms", ms_between(r.invite_ns, r.first_provisional_ns));
  // Answer to BYE; without a BYE, to the end of the call's media (or its last message).
  std::optional<double> duration;
  if (r.answer_ns != 0) {
    uint64_t end = 0;
    if (r.end_reason == planes::signaling::CallEndReason::kBye) {
      end = r.end_ns;
    } else {
      if (c != nullptr) {
        for (const Stream& s : c->streams) end = std::max(end, s.last_ns);
      }
      if (end == 0) end = terminated ? r.end_ns : r.last_ns;
    }
    duration = end > r.answer_ns ? double(end - r.answer_ns) / 1e9 : 0.0;
  }
  kv_opt(w, "duration_s", duration);
  kv_s(w, "state", to_string(r.state));
  kv_s(w, "result", to_string(r.result));
  key(w, "final_code");
  if (r.final_code != 0) {
    w.Uint(r.final_code);
  } else {
    w.Null();
  }
  key(w, "q850_cause");
  if (r.q850_cause != 0) {
    w.Uint(r.q850_cause);
  } else {
    w.Null();
  }
  kv_s(w, "end_reason", terminated ? to_string(r.end_reason) : std::string_view("in_progress"));
  key(w, "forked");
  w.Bool(r.has(CallRecord::kForked));
  key(w, "streams");
  w.StartArray();
  if (c != nullptr) {
    std::vector<const Stream*> order;
    for (const Stream& s : c->streams) order.push_back(&s);
    std::sort(order.begin(), order.end(),
              [](const Stream* a, const Stream* b) { return a->first_ns < b->first_ns; });
    for (const Stream* s : order) {
      w.StartObject();
      kv_s(w, "src", planes::media::format_endpoint(s->flow.src));
      kv_s(w, "dst", planes::media::format_endpoint(s->flow.dst));
      kv_s(w, "ssrc", planes::media::format_ssrc(s->ssrc));
      kv_u(w, "payload_type", s->payload_type);
      kv_s(w, "codec", planes::media::codec_name(static_cast<planes::media::Codec>(s->codec)));
      kv_u(w, "packets", s->packets);
      kv_i(w, "expected", s->expected);
      kv_i(w, "lost", s->lost);
      kv_opt(w, s->ended ? "jitter_mean_ms" : "jitter_ms", double(s->jitter_ms));
      kv_opt(w, "jitter_max_ms", double(s->jitter_max_ms));
      kv_opt(w, "max_delta_ms", double(s->max_delta_ms));
      kv_u(w, "gaps", s->gaps);
      kv_opt(w, "gap_ms", double(s->gap_ms));
      kv_opt(w, "rtt_ms", s->rtt_ms >= 0 ? std::optional<double>(s->rtt_ms) : std::nullopt);
      kv_opt(w, "mos", s->mos_x10 ? std::optional<double>(s->mos_x10 / 10.0) : std::nullopt);
      kv_opt(w, "first_ts", ts(s->first_ns));
      kv_opt(w, "last_ts", ts(s->last_ns));
      key(w, "ended");
      w.Bool(s->ended);
      w.EndObject();
    }
  }
  w.EndArray();
  w.EndObject();
  append(std::string_view(sb.GetString(), sb.GetSize()));
}

void CdrWriter::append(std::string_view line) {
  const std::size_t add = line.size() + 1;
  if (cfg_.max_bytes != 0 && file_bytes_ + buffer_.size() + add > cfg_.max_bytes &&
      (file_bytes_ + buffer_.size()) != 0) {
    flush();
    if (file_bytes_ != 0) rotate();
  }
  buffer_.append(line);
  buffer_.push_back('\n');
  ++buffered_records_;
  if (buffer_.size() >= kFlushBytes) flush();
}

void CdrWriter::flush() {
  last_flush_ = std::chrono::steady_clock::now();
  if (buffer_.empty()) return;
  if (fd_ < 0 && (last_flush_ - last_reopen_ < std::chrono::seconds(1) || !reopen())) {
    counters_.dropped_io.fetch_add(buffered_records_, std::memory_order_relaxed);
    buffer_.clear();
    buffered_records_ = 0;
    return;
  }
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // A record cut by the error is lost with the rest; the next write starts a fresh line.
      counters_.write_errors.fetch_add(1, std::memory_order_relaxed);
      counters_.dropped_io.fetch_add(buffered_records_, std::memory_order_relaxed);
      if (done != 0) (void)!::write(fd_, "\n", 1);
      ::close(fd_);
      fd_ = -1;
      buffer_.clear();
      buffered_records_ = 0;
      return;
    }
    done += std::size_t(n);
  }
  file_bytes_ += done;
  counters_.bytes.fetch_add(done, std::memory_order_relaxed);
  counters_.records.fetch_add(buffered_records_, std::memory_order_relaxed);
  buffer_.clear();
  buffered_records_ = 0;
}

void CdrWriter::rotate() {
  // path.(N-1) -> path.N, ..., path -> path.1; the oldest is replaced.
  for (uint32_t i = cfg_.max_files; i > 1; --i) {
    const std::string from = fmt::format("{}.{}", cfg_.path, i - 1);
    (void)std::rename(from.c_str(), fmt::format("{}.{}", cfg_.path, i).c_str());
  }
  if (std::rename(cfg_.path.c_str(), (cfg_.path + ".1").c_str()) != 0) {
    counters_.write_errors.fetch_add(1, std::memory_order_relaxed);
  }
  counters_.rotations.fetch_add(1, std::memory_order_relaxed);
  if (!reopen()) {
    counters_.write_errors.fetch_add(1, std::memory_order_relaxed);
    fd_ = -1;
  }
}

}  // namespace rv::control
