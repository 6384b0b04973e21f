#pragma once
// MOS estimate from the ITU-T G.107 E-model, simplified for passive monitoring.
//
//   R = R0 - Is - Id - Ie_eff + A with R0 - Is = 93.2 (G.107 default values), A = 0 and
//   Id  = 0.024 d + 0.11 (d - 177.3) H(d - 177.3)          (one-way mouth-to-ear delay d, ms)
//   Ie_eff = Ie + (95 - Ie) * Ppl / (Ppl / BurstR + Bpl)     (G.107 §7.4, BurstR = 1: random loss)
//   MOS = 1 + 0.035 R + 7e-6 R (R - 60)(100 - R) for 0 < R < 100; 1 below, 4.5 above.
// Ie (equipment impairment) and Bpl (packet-loss robustness) per codec from G.113 Appendix I
// (narrowband scale; wideband codecs are rated on the narrowband scale, so they cap at 4.4).
// Limits: d is estimated, not measured: half the RTCP round trip when known, plus a jitter
// buffer of 2 x mean jitter and the packetization time (20 ms); Ppl is the stream's loss
// (negative loss from duplicates counts as 0) combined with its media gaps (time without
// packets, see effective_loss_percent); bursty loss, echo and noise are not modelled.
// Pure and noexcept.

#include <cstdint>

#include "planes/media/codec.hpp"

namespace rv::planes::media {

struct QualityInput {
  Codec codec = Codec::kUnknown;
  double loss_percent = 0;  // 0..100
  double jitter_ms = 0;     // mean interarrival jitter
  double rtt_ms = -1;       // RTCP round trip; < 0 when unknown
};

// The loss the E-model is given: packets lost by sequence (lost / expected) and media gap time
// (gap_ms / span_ms: time without packets beyond the normal spacing, see MediaPlaneConfig::gap_ns)
// combined as independent losses, 1 - (1 - p_seq)(1 - p_gap), in percent (0..100). A sender that
// goes silent for 5.8 s keeps its sequence numbers contiguous: only the gap term sees it.
double effective_loss_percent(int64_t expected, int64_t lost, double gap_ms,
                              double span_ms) noexcept;

// R-factor (0..100) and MOS (1..4.5).
double r_factor(const QualityInput& in) noexcept;
double mos_from_r(double r) noexcept;
inline double estimate_mos(const QualityInput& in) noexcept {
  return mos_from_r(r_factor(in));
}

}  // namespace rv::planes::media
