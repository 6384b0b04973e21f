#pragma once
// Per-stream RTP statistics: the numbers Wireshark's RTP stream analysis reports (packets,
// expected, lost, mean/max jitter) computed the way it computes them, beside RFC 3550 A.1/A.3
// sequence tracking (extended sequence, probation, duplicates, reordering, resets).
// Plain data, noexcept, no allocation: one instance lives in each stream table slot and is only
// touched by the owning lcore.
//
// Wireshark equivalence (behaviour of tshark 4.0 `-z rtp,streams`, re-derived, not copied):
//  - packets: every packet of the stream, duplicates included.
//  - expected = last_seq + 65536 * wraps - first_seq + 1, where `last_seq` is the sequence number
//    of the LAST packet seen (not the highest) and a wrap is counted when a packet in time order
//    has a sequence number below the first one (and again only after passing it). lost =
//    expected - packets, negative with duplicates.
//  - a packet is "in time sequence" when its RTP timestamp is ahead of the FIRST packet's by
//    less than 2^31 (modulo 2^32, so timestamp wraps are handled; a stream older than 2^31
//    timestamp units — 74 h at 8 kHz, 6.6 h at 90 kHz — stops counting, as tshark does).
//    Only such packets move the reference. Jitter (ms): nominal = (ts - ts_first) / (rate /
//    1000), D = |arrival - (t_ref + nominal - nominal_ref)|, J += (D - J) / 16; rate / 1000 is an
//    integer division, as Wireshark does it (44.1 kHz counts as 44). Verified against tshark
//    4.0.17 on reordered, duplicated and wrapping captures (tests/planes/media).
//  - max and mean jitter only over "regular" packets: not the first, no marker bit, not comfort
//    noise and not right after comfort noise, in time sequence, clock rate known. The mean is
//    Wireshark's running recurrence mean = (mean * (n - 1) + J) / n where n counts ALL packets
//    before this one, so irregular packets still weigh in the divisor.
//  - clock rate 0 (dynamic payload type without SDP, telephone-event): no jitter (0, as tshark).

#include <cstdint>

namespace rv::planes::media {

// One RTP packet as the statistics see it.
struct RtpSample {
  uint64_t arrival_ns = 0;
  uint32_t timestamp = 0;
  uint16_t seq = 0;
  uint8_t payload_type = 0;
  bool marker = false;
  uint32_t clock_rate = 0;  // of this packet's payload type in this stream; 0 = unknown/event
};

// RFC 3550 A.1 constants.
inline constexpr uint16_t kMaxDropout = 3000;
inline constexpr uint16_t kMaxMisorder = 100;
inline constexpr uint8_t kMinSequential = 2;

class RtpStats {
 public:
  // Starts the stream with its first packet.
  void start(const RtpSample& s) noexcept;
  // Every later packet, in arrival order.
  void update(const RtpSample& s) noexcept;

  uint32_t packets() const noexcept { return total_; }
  int64_t expected() const noexcept {
    return int64_t{stop_seq_} + int64_t{ws_cycles_} * 65536 - int64_t{start_seq_} + 1;
  }
  int64_t lost() const noexcept { return expected() - int64_t{total_}; }
  double jitter_ms() const noexcept { return jitter_ms_; }  // current estimate
  double jitter_mean_ms() const noexcept { return mean_jitter_ms_; }
  double jitter_max_ms() const noexcept { return max_jitter_ms_; }
  uint32_t duplicates() const noexcept { return duplicates_; }
  uint32_t reordered() const noexcept { return reordered_; }
  uint32_t seq_resets() const noexcept { return seq_resets_; }
  // RFC 3550 A.1: true once kMinSequential packets arrived in sequence.
  bool validated() const noexcept { return probation_ == 0; }
  // RFC 3550 A.3 view: extended highest sequence number and expected since the (last) reset.
  uint32_t ext_highest_seq() const noexcept { return rfc_cycles_ + max_seq_; }
  uint32_t first_timestamp() const noexcept { return first_ts_; }
  uint64_t first_ns() const noexcept { return first_ns_; }

 private:
  void update_wireshark(const RtpSample& s) noexcept;
  void update_rfc3550(uint16_t seq) noexcept;

  // Wireshark-equivalent state.
  uint64_t first_ns_ = 0;  // arrival of the first packet; times below are relative to it
  double time_ms_ = 0;     // arrival of the last in-time-sequence packet
  double nominal_ms_ = 0;  // its timestamp distance from the first packet, in ms
  double jitter_ms_ = 0;
  double max_jitter_ms_ = 0;
  double mean_jitter_ms_ = 0;
  uint32_t total_ = 0;
  uint32_t ws_cycles_ = 0;
  uint32_t first_ts_ = 0;
  uint16_t start_seq_ = 0;
  uint16_t stop_seq_ = 0;
  uint16_t ws_seq_ = 0;  // last in-order sequence number (Wireshark's "seq_num")
  uint8_t last_pt_ = 0;
  bool under_ = false;  // between a counted wrap and passing the first sequence again

  // RFC 3550 A.1 state.
  uint64_t seen_ = 0;        // bit i: max_seq - i arrived (duplicate detection)
  uint32_t rfc_cycles_ = 0;  // shifted count of wraps (multiples of 65536)
  uint32_t bad_seq_ = 0;
  uint32_t duplicates_ = 0;
  uint32_t reordered_ = 0;
  uint32_t seq_resets_ = 0;
  uint16_t max_seq_ = 0;
  uint8_t probation_ = 0;
};

}  // namespace rv::planes::media
