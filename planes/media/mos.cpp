#include "planes/media/mos.hpp"

#include <algorithm>

namespace rv::planes::media {
namespace {

struct Impairment {
  double ie;
  double bpl;
};

// G.113 Appendix I values; PLC assumed where the codec has one.
Impairment impairment(Codec c) noexcept {
  switch (c) {
    case Codec::kPcmu:
    case Codec::kPcma:
      return {0, 25.1};  // G.711 with PLC (Appendix I)
    case Codec::kG729:
      return {11, 19};
    case Codec::kG723:
      return {15, 16.1};
    case Codec::kGsm:
      return {20, 10};  // GSM-FR
    case Codec::kIlbc:
      return {11, 32};
    case Codec::kAmr:
      return {5, 10};
    case Codec::kG726:
      return {7, 10};
    case Codec::kG722:
    case Codec::kAmrWb:
    case Codec::kOpus:
    case Codec::kG7221:
    case Codec::kEvs:
      return {0, 20};
    default:
      return {0, 10};  // unknown: no codec impairment, weak loss robustness
  }
}

constexpr double kR0 = 93.2;
constexpr double kPacketizationMs = 20;

}  // namespace

double effective_loss_percent(int64_t expected, int64_t lost, double gap_ms,
                              double span_ms) noexcept {
  const double p_seq = expected > 0 && lost > 0
                           ? std::min(1.0, static_cast<double>(lost) / static_cast<double>(expected))
                           : 0.0;
  const double p_gap = span_ms > 0 && gap_ms > 0 ? std::min(1.0, gap_ms / span_ms) : 0.0;
  return 100.0 * (1.0 - (1.0 - p_seq) * (1.0 - p_gap));
}

double r_factor(const QualityInput& in) noexcept {
  const double d =
      (in.rtt_ms > 0 ? in.rtt_ms / 2 : 0) + 2 * std::max(0.0, in.jitter_ms) + kPacketizationMs;
  double id = 0.024 * d;
  if (d > 177.3) id += 0.11 * (d - 177.3);
  const Impairment imp = impairment(in.codec);
  const double ppl = std::clamp(in.loss_percent, 0.0, 100.0);
  const double ie_eff = imp.ie + (95 - imp.ie) * ppl / (ppl + imp.bpl);
  return std::clamp(kR0 - id - ie_eff, 0.0, 100.0);
}

double mos_from_r(double r) noexcept {
  if (r <= 0) return 1.0;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
}

}  // namespace rv::planes::media
