#include "planes/signaling/call_tracker.hpp"

#include <algorithm>
#include <cstring>

#include "planes/signaling/sip_lex.hpp"

namespace rv::planes::signaling {

namespace {

uint64_t mix(uint64_t h, std::string_view s) noexcept {
  return dataplane::hash_bytes(s.data(), s.size(), h * 0x9e3779b97f4a7c15ull + s.size());
}
uint64_t mix(uint64_t h, uint64_t v) noexcept { return dataplane::hash_bytes(&v, sizeof(v), h); }

bool is_sdp(const SipSummary& m) noexcept { return has_sdp_body(m); }

constexpr bool in_setup(const CallRecord& c) noexcept {
  return c.state == CallState::kInitiating || c.state == CallState::kRinging;
}

}  // namespace

bool has_sdp_body(const SipSummary& m) noexcept {
  if (m.body.empty()) return false;
  if (m.content_type.empty()) return m.body.starts_with("v=");
  const std::size_t semi = m.content_type.find(';');
  return lex::iequals(lex::trim_lws(m.content_type.substr(0, semi)), "application/sdp");
}

CallTracker::CallTracker(const SignalingPlaneConfig& config, SignalingCounters& counters,
                         SignalingEventSink& sink)
    : cfg_(config),
      counters_(counters),
      sink_(sink),
      table_(config.max_calls),
      retrans_(config.retransmission_slots, config.retransmission_window_ns) {}

std::size_t CallTracker::memory_bytes() const noexcept {
  return table_.memory_bytes() + retrans_.memory_bytes();
}

bool CallTracker::is_retransmission(const SipSummary& m, uint64_t ts) noexcept {
  uint64_t h = mix(0, m.call_id);
  h = mix(h, uint64_t(m.cseq) << 1 | (m.is_request ? 1 : 0));
  h = mix(h, m.cseq_method_name);
  h = mix(h, m.is_request ? m.method_name : std::string_view{});
  h = mix(h, uint64_t(m.status_code));
  h = mix(h, m.via_branch);
  h = mix(h, m.to_tag);
  h = mix(h, m.from_tag);
  return retrans_.seen(h, ts);
}

bool CallTracker::on_message(const SipMessage& m, const dataplane::FlowKey& flow,
                             uint64_t ts) noexcept {
  return on_summary(SipSummary::of(m), flow, ts);
}

bool CallTracker::on_summary(const SipSummary& m, const dataplane::FlowKey& flow,
                             uint64_t ts) noexcept {
  counters_.messages.add();
  if (m.is_request) {
    counters_.requests[static_cast<std::size_t>(m.method)].add();
  } else {
    counters_.responses[m.status_code - kMinStatusCode].add();
  }
  if (is_retransmission(m, ts)) {
    counters_.retransmissions.add();
    return true;
  }
  if (m.is_request) {
    on_request(m, ts);
  } else {
    on_response(m, ts);
  }
  if ((m.is_request ? m.method : m.cseq_method) == SipMethod::kRegister) {
    on_registration(m, flow, ts);
  }
  return false;
}

void CallTracker::on_registration(const SipSummary& m, const dataplane::FlowKey& flow,
                                  uint64_t ts) noexcept {
  RegistrationEvent e;
  e.call_id_hash = hash_call_id(m.call_id);
  e.timestamp_ns = ts;
  e.flow = flow;
  e.cseq = m.cseq;
  e.status_code = m.is_request ? 0 : m.status_code;
  e.is_request = m.is_request ? 1 : 0;
  e.aor.assign(m.to_uri);
  e.contact.assign(m.contact);
  if (!m.expires.empty()) {
    uint32_t v = 0;
    for (const char ch : m.expires) {
      if (ch < '0' || ch > '9' || v > 429496728u) break;
      v = v * 10 + uint32_t(ch - '0');
    }
    e.expires = v;
  }
  sink_.on_registration(e);
  counters_.registrations.add();
}

void CallTracker::emit(const CallRecord& c, CallEventKind kind, uint64_t ts) noexcept {
  CallEvent e;
  e.call_id_hash = c.key_hash;
  e.timestamp_ns = ts;
  e.setup_ns = c.answer_ns ? c.answer_ns - c.invite_ns : 0;
  e.pdd_ns = c.first_provisional_ns ? c.first_provisional_ns - c.invite_ns : 0;
  e.duration_ns = (c.answer_ns && c.end_ns > c.answer_ns) ? c.end_ns - c.answer_ns : 0;
  e.kind = kind;
  e.state = c.state;
  e.result = c.result;
  e.final_code = c.final_code;
  e.ended_by = static_cast<uint8_t>(c.end_reason);
  e.priority = (kind == CallEventKind::kReinvite || kind == CallEventKind::kMediaChanged)
                   ? EventPriority::kHigh
                   : EventPriority::kCritical;
  e.record = c;
  sink_.on_call_event(e);
}

void CallTracker::count_result(CallRecord& c, CallResult r) noexcept {
  c.result = r;
  if (c.has(CallRecord::kCounted)) return;
  c.flags |= CallRecord::kCounted;
  counters_.calls[static_cast<std::size_t>(r)].add();
  if (c.final_code >= kMinStatusCode && c.final_code <= kMaxStatusCode) {
    counters_.call_final_codes[c.final_code - kMinStatusCode].add();
  }
}

void CallTracker::terminate(CallRecord& c, CallResult result, CallEndReason why, uint64_t ts) noexcept {
  if (c.state == CallState::kTerminated) return;
  c.state = CallState::kTerminated;
  c.end_reason = why;
  c.end_ns = ts;
  count_result(c, result);
  if (result == CallResult::kAnswered && c.answer_ns && ts >= c.answer_ns) {
    counters_.duration.observe_units(ts - c.answer_ns);
  }
  --active_;
  counters_.calls_active.set(active_);
  emit(c, CallEventKind::kEnded, ts);
}

void CallTracker::retire(std::size_t slot, uint64_t ts) noexcept {
  emit(table_.at(slot), CallEventKind::kRetired, ts);
  table_.erase(slot);
  counters_.calls_in_table.set(table_.size());
}

uint32_t CallTracker::flush(uint64_t ts) noexcept {
  uint32_t n = 0;
  for (std::size_t i = 0; i < table_.capacity(); ++i) {
    if (table_.chunk_empty(i)) {
      i = (i / CallTable::kChunkSlots + 1) * CallTable::kChunkSlots - 1;
      continue;
    }
    const CallRecord& c = table_.at(i);
    if (c.empty()) continue;
    emit(c, CallEventKind::kFlushed, ts);
    ++n;
  }
  return n;
}

CallRecord* CallTracker::start_call(const SipSummary& m, uint64_t hash, uint64_t ts) noexcept {
  if (table_.full()) {
    const std::size_t victim = table_.pick_victim(hash);
    CallRecord& v = table_.at(victim);
    if (v.state != CallState::kTerminated) {
      counters_.calls_evicted.add();
      v.state = CallState::kTerminated;
      v.end_reason = CallEndReason::kEvicted;
      v.end_ns = ts;
      // Pushed out before its end: counted like a call that ran out of time, so that results
      // (and ASR) still add up to the calls seen.
      count_result(v, v.answer_ns != 0 ? CallResult::kAnswered : CallResult::kTimedOut);
      --active_;
      counters_.calls_active.set(active_);
      emit(v, CallEventKind::kEnded, ts);
    }
    retire(victim, ts);
  }
  CallRecord* c = table_.insert(hash, m.call_id);
  c->invite_ns = ts;
  c->last_ns = ts;
  c->invite_cseq = m.cseq;
  c->from.assign(m.from_uri);
  c->to.assign(m.to_uri);
  ++active_;
  counters_.calls_active.set(active_);
  counters_.calls_in_table.set(table_.size());
  return c;
}

void CallTracker::on_request(const SipSummary& m, uint64_t ts) noexcept {
  const uint64_t hash = hash_call_id(m.call_id);
  CallRecord* c = table_.find(hash, m.call_id);
  if (m.method == SipMethod::kInvite && m.to_tag.empty()) {
    if (c != nullptr && c->state == CallState::kTerminated) {
      retire(table_.slot_of(c), ts);  // Call-ID reused by a new call
      c = nullptr;
    }
    if (c == nullptr) {
      c = start_call(m, hash, ts);
      emit(*c, CallEventKind::kStarted, ts);
    } else if (m.cseq > c->invite_cseq) {
      // Retry after 401/407 (or a new offer before any answer): same call, new transaction.
      c->invite_cseq = m.cseq;
      c->flags &= uint8_t(~CallRecord::kChallenged);
      c->final_code = 0;
    }
    c->last_ns = ts;
    if (is_sdp(m)) learn_sdp(*c, m, true, true, false, ts);
    return;
  }
  if (c == nullptr) {
    if (m.method == SipMethod::kInvite || m.method == SipMethod::kAck ||
        m.method == SipMethod::kBye || m.method == SipMethod::kCancel ||
        m.method == SipMethod::kUpdate || m.method == SipMethod::kPrack) {
      counters_.orphan_messages.add();
    }
    return;
  }
  c->last_ns = ts;
  const bool from_caller = m.from_uri.substr(0, c->from.len) == c->from.view();
  switch (m.method) {
    case SipMethod::kInvite:  // re-INVITE (To-tag present)
    case SipMethod::kUpdate:
      if (m.method == SipMethod::kInvite) counters_.reinvites.add();
      if (c->state != CallState::kTerminated) emit(*c, CallEventKind::kReinvite, ts);
      if (is_sdp(m)) learn_sdp(*c, m, from_caller, true, true, ts);
      break;
    case SipMethod::kAck:
    case SipMethod::kPrack:
      if (is_sdp(m)) learn_sdp(*c, m, from_caller, false, m.cseq != c->invite_cseq, ts);
      break;
    case SipMethod::kCancel:
      if (in_setup(*c)) c->flags |= CallRecord::kCancelSeen;
      break;
    case SipMethod::kBye:
      if (c->state == CallState::kActive) {
        terminate(*c, CallResult::kAnswered, CallEndReason::kBye, ts);
      } else if (in_setup(*c)) {
        terminate(*c, CallResult::kCancelled, CallEndReason::kCancel, ts);
      }
      break;
    default:
      break;
  }
}

void CallTracker::on_response(const SipSummary& m, uint64_t ts) noexcept {
  const uint64_t hash = hash_call_id(m.call_id);
  CallRecord* c = table_.find(hash, m.call_id);
  if (c == nullptr) {
    if (m.cseq_method == SipMethod::kInvite || m.cseq_method == SipMethod::kBye) {
      counters_.orphan_messages.add();
    }
    return;
  }
  c->last_ns = ts;
  if (m.cseq_method != SipMethod::kInvite) return;
  if (m.cseq == c->invite_cseq) {
    on_invite_response(*c, m, ts);
  } else if (m.cseq > c->invite_cseq && m.status_code >= 200 && m.status_code < 300 && is_sdp(m)) {
    // Answer to a re-INVITE: the callee side of the request that carried the offer.
    const bool from_caller = m.from_uri.substr(0, c->from.len) != c->from.view();
    learn_sdp(*c, m, from_caller, false, true, ts);
  }
}

void CallTracker::on_invite_response(CallRecord& c, const SipSummary& m, uint64_t ts) noexcept {
  const uint16_t code = m.status_code;
  if (code > 100 && code < 300 && !m.to_tag.empty()) {
    const uint64_t tag = hash_call_id(m.to_tag);
    if (c.callee_tag_hash == 0) {
      c.callee_tag_hash = tag;
    } else if (tag != c.callee_tag_hash) {
      c.flags |= CallRecord::kForked;
      counters_.forked_responses.add();
    }
  }
  if (!in_setup(c)) return;  // late or forked responses after the outcome
  if (code > 100 && code < 200) {
    if (c.first_provisional_ns == 0) {
      c.first_provisional_ns = ts;
      counters_.post_dial_delay.observe_units(ts - c.invite_ns);
    }
    if (is_sdp(m)) learn_sdp(c, m, false, false, false, ts);  // early media
    if (c.state == CallState::kInitiating && code >= 180) {
      c.state = CallState::kRinging;
      emit(c, CallEventKind::kRinging, ts);  // the record already holds the early media
    }
  } else if (code >= 200 && code < 300) {
    c.state = CallState::kActive;
    c.answer_ns = ts;
    c.final_code = code;
    count_result(c, CallResult::kAnswered);
    counters_.setup.observe_units(ts - c.invite_ns);
    if (is_sdp(m)) learn_sdp(c, m, false, false, false, ts);
    emit(c, CallEventKind::kAnswered, ts);  // the record already holds the answer's media
  } else if (code >= 300) {
    c.final_code = code;
    if (code == 401 || code == 407) {
      c.flags |= CallRecord::kChallenged;  // the caller may retry; settled on timeout
    } else if (code == 487 || c.has(CallRecord::kCancelSeen)) {
      terminate(c, CallResult::kCancelled, CallEndReason::kCancel, ts);
    } else {
      terminate(c, CallResult::kFailed, CallEndReason::kFinalFailure, ts);
    }
  }
}

void CallTracker::learn_sdp(CallRecord& c, const SipSummary& m, bool from_caller, bool offer,
                            bool mid_call, uint64_t ts) noexcept {
  const SdpStatus st = parse_sdp(m.body, sdp_);
  if (st != SdpStatus::kOk) {
    counters_.sdp_malformed.add();
    return;
  }
  counters_.sdp_bodies.add();
  bool changed = false;
  for (uint8_t i = 0; i < sdp_.media_count; ++i) {
    const SdpMedia& sm = sdp_.media[i];
    if (!sm.has_addr || sm.port == 0) continue;
    MediaEndpointEvent e;
    e.call_id_hash = c.key_hash;
    e.timestamp_ns = ts;
    e.addr = sm.addr;
    e.port = sm.port;
    e.media_kind = static_cast<uint8_t>(sm.kind);
    e.direction = static_cast<uint8_t>(sm.direction);
    e.from_offer = offer ? 1 : 0;
    e.from_caller = from_caller ? 1 : 0;
    e.payload_type_count = uint8_t(std::min<std::size_t>(sm.format_count, e.payload_types.size()));
    std::copy_n(sm.formats.begin(), e.payload_type_count, e.payload_types.begin());
    for (uint8_t f = 0; f < e.payload_type_count && e.rtpmap_count < e.rtpmaps.size(); ++f) {
      const SdpRtpMap* r = sm.rtpmap(sm.formats[f]);
      const SdpRtpMap s = r != nullptr ? *r : static_payload_type(sm.formats[f]);
      auto& out = e.rtpmaps[e.rtpmap_count++];
      out.payload_type = s.payload_type;
      out.clock_rate = s.clock_rate;
      out.channels = s.channels;
      std::copy_n(s.encoding.data(), std::min(s.encoding.size(), out.codec.size()), out.codec.begin());
    }
    sink_.on_media_endpoint(e);
    counters_.media_endpoints.add();

    // Keep the endpoint in the call: replace the same (side, m-line) or append.
    CallMedia* slot = nullptr;
    for (uint8_t k = 0; k < c.media_count; ++k) {
      if (c.media[k].from_caller == e.from_caller && c.media[k].mline == i) slot = &c.media[k];
    }
    if (slot == nullptr && c.media_count < CallRecord::kMaxMedia) slot = &c.media[c.media_count++];
    if (slot == nullptr) continue;
    changed = changed || slot->port != e.port || !(slot->addr == e.addr);
    slot->addr = e.addr;
    slot->port = e.port;
    slot->kind = e.media_kind;
    slot->from_caller = e.from_caller;
    slot->mline = i;
    slot->payload_type = e.payload_type_count ? e.payload_types[0] : 0;
    slot->clock_rate = e.rtpmap_count ? e.rtpmaps[0].clock_rate : 0;
    slot->codec = {};
    if (e.rtpmap_count) std::copy_n(e.rtpmaps[0].codec.begin(), slot->codec.size() - 2, slot->codec.begin());
  }
  if (changed && mid_call && c.state == CallState::kActive) emit(c, CallEventKind::kMediaChanged, ts);
}

uint32_t CallTracker::expire(uint64_t now, std::size_t budget) noexcept {
  uint32_t changed = 0;
  const std::size_t cap = table_.capacity();
  if (budget > cap) budget = cap;
  std::size_t i = expire_cursor_ % cap;
  for (std::size_t visited = 0; visited < budget;) {
    if (table_.chunk_empty(i)) {  // never read what holds no call (pages stay uncommitted)
      const std::size_t next = (i / CallTable::kChunkSlots + 1) * CallTable::kChunkSlots;
      visited += next - i;  // counted as visited: the budget still bounds one pass
      i = next % cap;
      continue;
    }
    CallRecord& c = table_.at(i);
    if (!c.empty()) {
      if (in_setup(c) && now > c.invite_ns && now - c.invite_ns > cfg_.initiating_timeout_ns) {
        const bool challenged = c.has(CallRecord::kChallenged);
        terminate(c, challenged ? CallResult::kFailed : CallResult::kTimedOut,
                  challenged ? CallEndReason::kFinalFailure : CallEndReason::kSetupTimeout, now);
        ++changed;
      } else if (c.state == CallState::kActive && now > c.last_ns &&
                 now - c.last_ns > cfg_.call_timeout_ns) {
        terminate(c, CallResult::kAnswered, CallEndReason::kCallTimeout, c.last_ns);
        ++changed;
      } else if (c.state == CallState::kTerminated && now > c.end_ns &&
                 now - c.end_ns > cfg_.linger_ns) {
        // Backward shift may pull another record into slot i: visit it again (bounded: the
        // table shrinks with every retire).
        retire(i, now);
        ++changed;
        continue;
      }
    }
    i = (i + 1) % cap;
    ++visited;
  }
  expire_cursor_ = i;
  return changed;
}

}  // namespace rv::planes::signaling
