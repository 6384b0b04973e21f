// Events as the backbone (issue 10): every result reaches the report through the fabric, with
// one worker as with two, and replay loses nothing. Runs the real rvoipd binary.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/pcap_file.hpp"
#include "tests/support/process.hpp"
#include "tests/support/rvoipd_replay.hpp"

namespace rv::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string source_root() { return std::getenv("RV_SOURCE_ROOT"); }

std::vector<std::string> bundled_captures() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(source_root() + "/tests/data/pcaps")) {
    const auto ext = e.path().extension();
    if (ext == ".pcap" || ext == ".pcapng") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// What a run measured about the traffic, without what depends on the run itself (wall time,
// lcore busy time, worker count).
json results(const json& r) {
  return {{"packets", r["packets"]}, {"sip", r["sip"]}, {"registrations", r["registrations"]},
          {"calls", r["calls"]}, {"streams", r["streams"]},
          {"calls_not_reported", r["calls_not_reported"]},
          {"streams_not_reported", r["streams_not_reported"]}};
}

void expect_nothing_lost(const json& r, const std::string& what) {
  EXPECT_EQ(r["calls_not_reported"], 0) << what;
  EXPECT_EQ(r["streams_not_reported"], 0) << what;
  EXPECT_EQ(r["steering"]["steer_dropped"], 0) << what;
  EXPECT_EQ(r["steering"]["sync_timeouts"], 0) << what;
  for (const auto& [type, t] : r["events"].items()) {
    EXPECT_EQ(t["dropped"], json::object()) << what << " " << type;
    EXPECT_EQ(t["in_flight"], 0) << what << " " << type;
  }
}

TEST(RvoipdEvents, EveryBundledCapture_OneWorkerAndTwo_SameReport) {
  for (const auto& pcap : bundled_captures()) {
    const auto one = replay(pcap, {"--set", "dataplane.workers=1"});
    const auto two = replay(pcap, {"--set", "dataplane.workers=2"});
    ASSERT_EQ(one.run.exit_code, 0) << pcap << one.run.err;
    ASSERT_EQ(two.run.exit_code, 0) << pcap << two.run.err;
    EXPECT_EQ(results(one.report), results(two.report)) << pcap;
    expect_nothing_lost(one.report, pcap + " (1 worker)");
    expect_nothing_lost(two.report, pcap + " (2 workers)");
  }
}

TEST(RvoipdEvents, OneWorker_ResultsTravelAsEvents_AndEveryTypeAddsUp) {
  const auto r = replay(shared_pcap("heplify_rtp_rtcp_sip_ipv4_udp.pcap"), {"--set", "dataplane.workers=1"});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  const json& ev = r.report["events"];
  int with_traffic = 0;
  for (const auto& [type, t] : ev.items()) {
    if (t["published"].get<uint64_t>() > 0) ++with_traffic;
    // Each event is offered to every subscriber (one filtered copy when there is none).
    uint64_t dropped = 0;
    for (const auto& [why, n] : t["dropped"].items()) dropped += n.get<uint64_t>();
    EXPECT_EQ(t["copies"].get<uint64_t>(),
              t["delivered"].get<uint64_t>() + dropped + t["filtered"].get<uint64_t>() +
                  t["in_flight"].get<uint64_t>())
        << type;
    if (t["subscribers"].get<uint64_t>() > 0) {
      EXPECT_EQ(t["copies"].get<uint64_t>(), t["published"].get<uint64_t>() * t["subscribers"].get<uint64_t>())
          << type;
    }
  }
  EXPECT_GE(with_traffic, 4);
  // Both calls left the lcore as signaling.call events (started, ringing, answered, flushed...)
  // and the report holds them; every stream as media.stream_ended.
  EXPECT_GE(ev["signaling.call"]["delivered"].get<uint64_t>(), 2u);
  EXPECT_EQ(ev["media.stream_ended"]["delivered"], r.report["streams"].size());
  EXPECT_EQ(ev["signaling.registration"]["delivered"], 6);
  EXPECT_EQ(r.report["calls"].size(), 2u);
  EXPECT_EQ(ev["transport.packet"]["published"], 0);  // one shard: nothing to steer
}

TEST(RvoipdEvents, SameCaptureFiveTimes_IdenticalReports) {
  const auto first = replay(shared_pcap("heplify_rtp_rtcp_sip_ipv4_udp.pcap"));
  ASSERT_EQ(first.run.exit_code, 0) << first.run.err;
  for (int i = 0; i < 4; ++i) {
    const auto again = replay(shared_pcap("heplify_rtp_rtcp_sip_ipv4_udp.pcap"));
    ASSERT_EQ(again.run.exit_code, 0) << again.run.err;
    json a = first.report;
    json b = again.report;
    for (auto* r : {&a, &b}) {  // measurements of the run itself
      r->erase("wall_seconds");
      r->erase("lcores");
    }
    EXPECT_EQ(a, b) << "run " << i + 2;
  }
}

TEST(RvoipdEvents, EveryReport_ValidatesAgainstTheSchema) {
  const std::string schema = source_root() + "/control/report/report.schema.json";
  for (const auto& pcap : bundled_captures()) {
    const std::string out = "/tmp/rv_schema_" + std::to_string(getpid()) + ".json";
    const auto run = run_process({rvoipd_path(), "--pcap", pcap, "--report", out, "--set",
                                  "control.metrics_enabled=false", "--set", "dataplane.workers=2"});
    ASSERT_EQ(run.exit_code, 0) << pcap << run.err;
    const auto check = run_process(
        {"/usr/bin/python3", "-c",
         "import json, sys, jsonschema; "
         "jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))",
         schema, out});
    EXPECT_EQ(check.exit_code, 0) << pcap << "\n" << check.err;
    std::filesystem::remove(out);
  }
}

// A generated load with a known truth: every call, stream, packet and loss, with two workers
// sharing one CPU (lossless replay: producers wait for room, nothing is dropped).
TEST(RvoipdEvents, TwoWorkersSharingOneCpu_LoseNothing) {
  const std::string pcap = "/tmp/rv_load_" + std::to_string(getpid()) + ".pcap";
  const auto gen = run_process({"/usr/bin/python3", source_root() + "/perf/replay/gen_call_load.py",
                                "--calls", "2000", "--out", pcap});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const json truth = json::parse(gen.out);
  const auto r = replay(pcap, {"--set", "dataplane.workers=2", "--set", "events.channel_capacity=64",
                               "--", "--lcores=0@0,1@1,2@1"},
                        300s);
  std::filesystem::remove(pcap);
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  const json& rep = r.report;
  expect_nothing_lost(rep, "two workers on one CPU");
  EXPECT_EQ(rep["steering"]["workers"], 2);
  EXPECT_GT(rep["steering"]["steered_out"].get<uint64_t>(), 0u);
  ASSERT_EQ(rep["calls"].size(), truth["calls"].get<std::size_t>());
  ASSERT_EQ(rep["streams"].size(), truth["streams"].get<std::size_t>());
  uint64_t packets = 0;
  int64_t lost = 0;
  for (const auto& s : rep["streams"]) {
    packets += s["packets"].get<uint64_t>();
    lost += s["lost"].get<int64_t>();
    EXPECT_FALSE(s["call_id"].is_null());
  }
  EXPECT_EQ(packets, truth["rtp_packets"].get<uint64_t>());
  EXPECT_EQ(lost, truth["lost"].get<int64_t>());
  for (const auto& c : rep["calls"]) {
    EXPECT_EQ(c["result"], "answered");
    EXPECT_EQ(c["end_reason"], "bye");
    EXPECT_EQ(c["media"]["verdict"], "two_way");
    EXPECT_EQ(c["streams"].size(), 2u);
  }
}

TEST(RvoipdEvents, SigtermDuringReplay_ReportSaysInterrupted) {
  const std::string out = "/tmp/rv_interrupted_" + std::to_string(getpid()) + ".json";
  Child rvoipd({rvoipd_path(), "--pcap", shared_pcap("heplify_rtp_rtcp_sip_ipv4_udp.pcap"),
                "--speed", "realtime", "--report", out, "--set", "control.metrics_enabled=false"});
  std::this_thread::sleep_for(2s);
  rvoipd.signal(SIGTERM);
  const auto code = rvoipd.wait_for(10s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << rvoipd.err();
  const json r = json::parse(read_file(out));
  EXPECT_EQ(r["interrupted"], true);
  EXPECT_LT(r["packets"]["rx"].get<uint64_t>(), 4269u);
  EXPECT_THAT(rvoipd.out(), ::testing::HasSubstr("interrupted"));
  std::filesystem::remove(out);
}

}  // namespace
}  // namespace rv::test

namespace rv::test {
namespace {

// A disk that fills up while the report is written: rvoipd says so, removes the partial file,
// exits 1, and does not crash. The file size limit stands in for a full disk (the write fails
// with EFBIG instead of ENOSPC: the same path); SIGXFSZ ignored, as both are inherited.
TEST(RvoipdEvents, ReportDiskFull_LoggedNoPartialFileExit1) {
  const std::string pcap = "/tmp/rv_diskfull_" + std::to_string(getpid()) + ".pcap";
  const auto gen = run_process({"/usr/bin/python3", source_root() + "/perf/replay/gen_call_load.py",
                                "--calls", "500", "--rtp", "2", "--out", pcap});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const std::string out = "/tmp/rv_diskfull_" + std::to_string(getpid()) + ".json";
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  const rlimit small{64 * 1024, old.rlim_max};
  auto* previous = std::signal(SIGXFSZ, SIG_IGN);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  const auto r = run_process({rvoipd_path(), "--pcap", pcap, "--report", out, "--set",
                              "control.metrics_enabled=false"},
                             120s);
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, previous);
  std::filesystem::remove(pcap);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err + r.out, ::testing::HasSubstr("writing the report " + out + " failed"));
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_FALSE(std::filesystem::exists(out + ".partial"));
}

}  // namespace
}  // namespace rv::test
