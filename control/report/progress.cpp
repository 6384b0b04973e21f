#include "control/report/progress.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace rv::control {

using Clock = std::chrono::steady_clock;
using planes::transport::PacketClass;

Progress::Progress(const RunPlan& plan, const RunningConfig& config)
    : config_(config),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(Clock::now()),
      last_draw_(start_),
      last_rate_time_(start_) {
  for (const auto& c : plan.captures) expected_ += c.frames;
}

bool Progress::enabled(const config::ControlConfig& cfg, bool stderr_is_tty) noexcept {
  if (cfg.progress == "on") return true;
  return cfg.progress == "auto" && stderr_is_tty;
}

bool Progress::enabled_now() const { return enabled(config_.get()->control, tty_); }

void Progress::tick(const Appliance& app) {
  if (!enabled_now()) {
    end_line();
    return;
  }
  if (line_open_ && Clock::now() - last_draw_ < std::chrono::milliseconds(200)) return;
  draw(app);
}

void Progress::finish(const Appliance& app) {
  if (!enabled_now()) {
    end_line();
    return;
  }
  // The final line shows the average rate of the whole run.
  const double secs = std::chrono::duration<double>(Clock::now() - start_).count();
  rate_pps_ = secs > 0 ? double(app.totals().rx_frames) / secs : 0;
  last_rate_time_ = Clock::now();
  draw(app);
  end_line();
}

void Progress::end_line() {
  if (!line_open_) return;
  std::fputs("\n", stderr);
  line_open_ = false;
}

void Progress::draw(const Appliance& app) {
  const auto now = Clock::now();
  const TrafficTotals t = app.totals();
  const double dt = std::chrono::duration<double>(now - last_rate_time_).count();
  if (dt > 0.1) {
    rate_pps_ = double(t.rx_frames - last_frames_) / dt;
    last_frames_ = t.rx_frames;
    last_rate_time_ = now;
  }
  last_draw_ = now;
  auto c = [&](PacketClass k) { return t.by_class[static_cast<std::size_t>(k)]; };
  std::string line = expected_ != 0
      ? fmt::format("{}/{} packets ({:.1f}%)", t.rx_frames, expected_, 100.0 * double(t.rx_frames) / double(expected_))
      : fmt::format("{} packets", t.rx_frames);
  line += fmt::format(" | {:.0f} pps | sip {} rtp {} rtcp {} other {} | {:.1f} s", rate_pps_,
                      c(PacketClass::kSip), c(PacketClass::kRtp), c(PacketClass::kRtcp),
                      c(PacketClass::kOther), std::chrono::duration<double>(now - start_).count());
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  line_open_ = true;
  std::fflush(stderr);
}

}  // namespace rv::control
