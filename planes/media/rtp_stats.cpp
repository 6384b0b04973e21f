#include "planes/media/rtp_stats.hpp"

#include <cmath>

#include "planes/media/codec.hpp"

namespace rv::planes::media {
namespace {
constexpr uint32_t kSeqMod = 1u << 16;
}  // namespace

void RtpStats::start(const RtpSample& s) noexcept {
  *this = RtpStats{};
  first_ns_ = s.arrival_ns;
  first_ts_ = s.timestamp;
  start_seq_ = stop_seq_ = ws_seq_ = s.seq;
  last_pt_ = s.payload_type;
  total_ = 1;
  // RFC 3550 A.1 init_seq + probation.
  max_seq_ = s.seq;
  bad_seq_ = kSeqMod + 1;
  probation_ = kMinSequential - 1;
  seen_ = 1;
}

void RtpStats::update(const RtpSample& s) noexcept {
  update_wireshark(s);
  update_rfc3550(s.seq);
}

void RtpStats::update_wireshark(const RtpSample& s) noexcept {
  // Signed (RFC 3550 A.8, Wireshark's relative time): a capture clock that steps back before
  // the first packet gives a negative time, not 2^64 ns.
  const double now_ms = static_cast<double>(static_cast<int64_t>(s.arrival_ns - first_ns_)) / 1e6;
  const uint32_t ts_ahead = s.timestamp - first_ts_;  // modulo 2^32
  const bool in_time = ts_ahead < 0x80000000u;
  const int seq = s.seq;
  const int last = ws_seq_;

  // Wrap accounting against the FIRST sequence number.
  if (in_time && !under_ && (seq < start_seq_ || (seq == 0 && stop_seq_ == 65535))) {
    ++ws_cycles_;
    under_ = true;
  } else if (in_time && under_ && seq > start_seq_) {
    under_ = false;
  }
  // Wireshark's "last in-order sequence number": advanced by in-time packets that step forward
  // (by one, across the wrap, or past a gap); late and duplicate packets leave it.
  if (in_time &&
      (last + 1 == seq || (last == 65535 && seq == 0) || last + 1 < seq || last - seq > 0xFF00)) {
    ws_seq_ = s.seq;
  }

  const bool cn = is_comfort_noise(s.payload_type);
  const bool after_cn = is_comfort_noise(last_pt_);
  last_pt_ = s.payload_type;

  // Clock rates below 1 kHz would divide by zero in rate/1000: treated as unknown.
  const uint32_t khz = s.clock_rate / 1000;
  if (in_time && khz != 0) {
    const double nominal_ms = static_cast<double>(ts_ahead) / khz;
    const double diff = std::fabs(now_ms - (time_ms_ + nominal_ms - nominal_ms_));
    jitter_ms_ = (15 * jitter_ms_ + diff) / 16;
    nominal_ms_ = nominal_ms;
  }
  const bool regular = !s.marker && !cn && !after_cn && in_time;
  if (regular && khz != 0) {
    if (jitter_ms_ > max_jitter_ms_) max_jitter_ms_ = jitter_ms_;
    mean_jitter_ms_ = (mean_jitter_ms_ * (total_ - 1) + jitter_ms_) / total_;
  }
  if (in_time) time_ms_ = now_ms;
  stop_seq_ = s.seq;
  ++total_;
}

// RFC 3550 A.1 update_seq, plus a 64-packet window that tells duplicates from late packets.
void RtpStats::update_rfc3550(uint16_t seq) noexcept {
  const auto udelta = static_cast<uint16_t>(seq - max_seq_);
  if (probation_ != 0) {
    probation_ = (seq == static_cast<uint16_t>(max_seq_ + 1)) ? probation_ - 1 : kMinSequential - 1;
  }
  if (udelta == 0) {
    ++duplicates_;
  } else if (udelta < kMaxDropout) {
    if (seq < max_seq_) rfc_cycles_ += kSeqMod;
    max_seq_ = seq;
    seen_ = udelta >= 64 ? 1 : (seen_ << udelta) | 1;
  } else if (udelta <= kSeqMod - kMaxMisorder) {
    // A very large jump: a restarted sender, unless a single stray packet.
    if (seq == bad_seq_) {
      ++seq_resets_;
      max_seq_ = seq;
      rfc_cycles_ = 0;
      seen_ = 1;
      bad_seq_ = kSeqMod + 1;
    } else {
      bad_seq_ = (uint32_t{seq} + 1) & (kSeqMod - 1);
    }
  } else {
    const uint32_t behind = kSeqMod - udelta;  // 1..kMaxMisorder
    if (behind < 64 && (seen_ >> behind) & 1) {
      ++duplicates_;
    } else {
      ++reordered_;
      if (behind < 64) seen_ |= uint64_t{1} << behind;
    }
  }
}

}  // namespace rv::planes::media
