// A capture cut short (disk full, interrupted copy) is replayed up to the damage, as tshark reads
// it, with a warning naming the file and the frames, `truncated: true` in the report's input and
// a summary line (issue 13 item 8). The cut copies are made here from the bundled captures.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "tests/support/pcap_file.hpp"
#include "tests/support/process.hpp"
#include "tests/support/rvoipd_replay.hpp"

namespace rv::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A copy of `source` without its last `cut` bytes.
std::string cut_copy(const std::string& source, std::size_t cut, const std::string& name) {
  std::ifstream in(source, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string out = "/tmp/rv_trunc_" + std::to_string(getpid()) + "_" + name;
  std::ofstream(out, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size() - cut));
  return out;
}

// Frames tshark reads from `file` (it warns about the cut and exits non-zero, but lists them).
int tshark_frames(const std::string& file) {
  const auto r = run_process({"/usr/bin/tshark", "-n", "-r", file, "-T", "fields", "-e",
                              "frame.number"});
  std::istringstream in(r.out);
  int n = 0;
  for (std::string line; std::getline(in, line);) n += line.empty() ? 0 : 1;
  return n;
}

void expect_replayed_up_to_the_damage(const std::string& file, int whole_file_frames) {
  const int tshark = tshark_frames(file);
  ASSERT_GT(tshark, 0);
  ASSERT_LT(tshark, whole_file_frames);  // the cut really removed a frame
  const auto r = replay(file);
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  EXPECT_EQ(r.report["packets"]["rx"].get<int>(), tshark);
  ASSERT_EQ(r.report["inputs"].size(), 1u);
  EXPECT_EQ(r.report["inputs"][0]["frames"].get<int>(), tshark);
  EXPECT_TRUE(r.report["inputs"][0]["truncated"].get<bool>());
  EXPECT_THAT(r.run.err, HasSubstr("capture " + file + " is cut short or damaged after " +
                                   std::to_string(tshark) + " frames"));
  EXPECT_THAT(r.run.out, HasSubstr("truncated " + file + ": " + std::to_string(tshark) +
                                   " complete frames replayed"));
  std::filesystem::remove(file);
}

TEST(TruncatedCapture, PcapCutInsideTheLastFrame_ReplaysEveryCompleteFrame) {
  const std::string source = shared_pcap("heplify_rtp_rtcp_sip_ipv4_udp.pcap");
  expect_replayed_up_to_the_damage(cut_copy(source, 37, "mid_data.pcap"), tshark_frames(source));
}

TEST(TruncatedCapture, PcapCutDeeper_ReplaysEveryCompleteFrame) {
  // Several frames' worth cut: the file ends inside an earlier record.
  const std::string source = shared_pcap("sipp_g711a.pcap");
  expect_replayed_up_to_the_damage(cut_copy(source, 1000, "deeper.pcap"), tshark_frames(source));
}

TEST(TruncatedCapture, PcapngCutInsideABlock_ReplaysEveryCompleteFrame) {
  const std::string source = shared_pcap("ndpi_rtp.pcapng");
  expect_replayed_up_to_the_damage(cut_copy(source, 50, "cut.pcapng"), tshark_frames(source));
}

TEST(TruncatedCapture, WholeCapture_IsNotTruncated) {
  const auto r = replay(shared_pcap("sipp_g711a.pcap"));
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  EXPECT_FALSE(r.report["inputs"][0]["truncated"].get<bool>());
  EXPECT_THAT(r.run.out, Not(HasSubstr("truncated")));
}

}  // namespace
}  // namespace rv::test
