// LcoreLoop: the stop protocol and the pollers' on_stop() hook (no EAL needed).
#include "dataplane/lcore_loop.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rv::dataplane {
namespace {

// Does `work` items on its first polls, then idles; records when on_stop() ran.
class CountingPoller final : public Poller {
 public:
  CountingPoller(std::string name, std::vector<std::string>& log, uint32_t work)
      : name_(std::move(name)), log_(log), work_(work) {}
  uint32_t poll(uint64_t) noexcept override {
    ++polls;
    const uint32_t n = work_ > 0 ? 1 : 0;
    work_ -= n;
    return n;
  }
  void on_stop() noexcept override { log_.push_back(name_); }
  uint32_t polls = 0;

 private:
  std::string name_;
  std::vector<std::string>& log_;
  uint32_t work_;
};

// Issue 14 item 5: the hook is how held IP fragments get counted at exit (RxPoller drains its
// reassembler there). It runs once per poller, after the last pass.
TEST(LcoreLoop, Stop_DrainsThenCallsEveryOnStopOnce) {
  std::vector<std::string> log;
  CountingPoller source("source", log, 5);
  CountingPoller drain("drain", log, 3);
  CountingPoller housekeeping("housekeeping", log, 0);
  LcoreLoop loop(0, {&source}, {&drain}, {&housekeeping}, 4);
  LcoreLoop::StopGroup group;
  group.stop.store(true);
  loop.run(group);
  EXPECT_EQ(source.polls, 0u);  // stopped before the first pass: sources are not polled
  EXPECT_GE(drain.polls, 4u);   // drains run until a pass finds nothing
  EXPECT_EQ(log, (std::vector<std::string>{"source", "drain", "housekeeping"}));
  EXPECT_EQ(group.quiesced.load(), 1u);
}

}  // namespace
}  // namespace rv::dataplane
