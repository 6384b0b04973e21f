// Federated planes over NATS JetStream (issue 11), with a real nats-server started per test
// (random port, -js, temporary store): probes and an analyzer give the monolithic report, a
// capture split between two probes too, an outage and an analyzer restart lose nothing, and
// configuration errors exit as documented. Runs the real rvoipd binary.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "tests/support/pcap_file.hpp"
#include "tests/support/process.hpp"
#include "tests/support/rvoipd_replay.hpp"

namespace rv::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string temp_path(const std::string& name) {
  static int seq = 0;
  return "/tmp/rv_fed_" + std::to_string(getpid()) + "_" + std::to_string(seq++) + "_" + name;
}

// nats-server -js on a free port with its own store; stop() and start() keep both.
class NatsServer {
 public:
  NatsServer() : port_(pick_port()), store_(temp_path("js")) { start(); }
  ~NatsServer() {
    stop();
    std::filesystem::remove_all(store_);
  }
  void start() {
    child_.emplace(std::vector<std::string>{"/usr/sbin/nats-server", "-js", "-a", "127.0.0.1", "-p",
                                            std::to_string(port_), "-sd", store_});
    for (int i = 0; i < 200 && !port_open(port_); ++i) std::this_thread::sleep_for(25ms);
  }
  void stop() {
    if (!child_) return;
    child_->signal(SIGTERM);
    if (!child_->wait_for(10s)) child_->signal(SIGKILL);
    child_.reset();
  }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

 private:
  uint16_t port_;
  std::string store_;
  std::optional<Child> child_;
};

std::vector<std::string> common(const std::string& url) {
  return {"--set", "control.metrics_enabled=false", "--set", "deployment.nats_url=" + url};
}

std::vector<std::string> probe_args(const std::string& pcap, const std::string& id,
                                    const std::string& url) {
  std::vector<std::string> a = {rvoipd_path(), "--pcap", pcap, "--set", "deployment.mode=probe",
                                "--set", "deployment.probe_id=" + id};
  for (auto& s : common(url)) a.push_back(s);
  return a;
}

ProcessResult run_probe(const std::string& pcap, const std::string& id, const std::string& url,
                        std::vector<std::string> extra = {}) {
  auto a = probe_args(pcap, id, url);
  a.insert(a.end(), extra.begin(), extra.end());
  return run_process(a, 120s);
}

std::vector<std::string> analyzer_args(const std::string& url, const std::string& await,
                                       const std::string& report) {
  std::vector<std::string> a = {rvoipd_path(), "--set", "deployment.mode=analyzer"};
  if (!await.empty()) a.insert(a.end(), {"--await-probes", await});
  if (!report.empty()) a.insert(a.end(), {"--report", report});
  for (auto& s : common(url)) a.push_back(s);
  a.insert(a.end(), {"--", "--no-pci"});
  return a;
}

struct Analysis {
  ProcessResult run;
  json report;
};

Analysis run_analyzer(const std::string& url, const std::string& await) {
  const std::string report = temp_path("fleet.json");
  Analysis a{run_process(analyzer_args(url, await, report), 120s), {}};
  if (a.run.exit_code == 0) a.report = json::parse(read_file(report));
  std::filesystem::remove(report);
  return a;
}

// What the signaling and media planes concluded: the calls with their streams, every stream,
// SIP requests and responses, registrations. (Packet counts belong to the probes.)
json conclusions(const json& r) {
  return {{"calls", r["calls"]},
          {"streams", r["streams"]},
          {"requests", r["sip"]["requests"]},
          {"responses", r["sip"]["responses"]},
          {"registrations", r["registrations"]}};
}

// Writes the frames of `in` that match the BPF `filter` to `out`.
void split(const std::string& in, const std::string& filter, const std::string& out) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(in.c_str(), err);
  ASSERT_NE(p, nullptr) << err;
  bpf_program prog{};
  ASSERT_EQ(pcap_compile(p, &prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN), 0) << pcap_geterr(p);
  pcap_dumper_t* d = pcap_dump_open(p, out.c_str());
  ASSERT_NE(d, nullptr);
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p, &h, &data) == 1) {
    if (pcap_offline_filter(&prog, h, data) != 0) pcap_dump(reinterpret_cast<u_char*>(d), h, data);
  }
  pcap_dump_close(d);
  pcap_freecode(&prog);
  pcap_close(p);
}

TEST(RvoipdFederation, ProbeAndAnalyzer_SameCallsAndStreamsAsMonolithic) {
  for (const char* name : {"heplify_rtp_rtcp_sip_ipv4_udp.pcap", "sipp_dtmf_2833_1.pcap",
                           "heplify_sip_ipv4_tcp.pcap", "heplify_sip_ipv6_udp.pcap",
                           "ndpi_rtcp_multiple_pkts_in_the_same_datagram.pcap"}) {
    SCOPED_TRACE(name);
    NatsServer nats;
    const auto mono = replay(shared_pcap(name));
    ASSERT_EQ(mono.run.exit_code, 0) << mono.run.err;
    const auto probe = run_probe(shared_pcap(name), "edge1", nats.url());
    ASSERT_EQ(probe.exit_code, 0) << probe.err;
    const auto fleet = run_analyzer(nats.url(), "edge1");
    ASSERT_EQ(fleet.run.exit_code, 0) << fleet.run.err << fleet.run.out;
    EXPECT_EQ(conclusions(fleet.report), conclusions(mono.report));
  }
}

TEST(RvoipdFederation, SplitCapture_SipOnProbeARtpOnProbeB_GivesTheMonolithicReport) {
  const std::string whole = shared_pcap("heplify_rtp_rtcp_sip_ipv4_udp.pcap");
  const std::string sip = temp_path("sip.pcap");
  const std::string rtp = temp_path("rtp.pcap");
  split(whole, "udp port 5060", sip);
  split(whole, "not udp port 5060", rtp);
  NatsServer nats;
  const auto mono = replay(whole);
  ASSERT_EQ(mono.run.exit_code, 0);
  ASSERT_FALSE(mono.report["streams"].empty());
  const auto a = run_probe(sip, "A", nats.url());
  const auto b = run_probe(rtp, "B", nats.url());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const auto fleet = run_analyzer(nats.url(), "A,B");
  ASSERT_EQ(fleet.run.exit_code, 0) << fleet.run.err;
  EXPECT_EQ(conclusions(fleet.report), conclusions(mono.report));
  std::filesystem::remove(sip);
  std::filesystem::remove(rtp);
}

TEST(RvoipdFederation, NatsStoppedMidReplayAndRestarted_NothingLost) {
  const std::string pcap = shared_pcap("heplify_sip_ipv4_tcp.pcap");  // 6.5 s of capture
  NatsServer nats;
  const auto mono = replay(pcap);
  ASSERT_EQ(mono.run.exit_code, 0);
  auto args = probe_args(pcap, "edge1", nats.url());
  args.insert(args.end(), {"--speed", "realtime"});
  Child probe(args);
  std::this_thread::sleep_for(1500ms);
  nats.stop();
  std::this_thread::sleep_for(2000ms);
  nats.start();
  ASSERT_EQ(probe.wait_for(120s), 0) << probe.err();
  EXPECT_NE(probe.err().find("0 dropped"), std::string::npos) << probe.err();
  const auto fleet = run_analyzer(nats.url(), "edge1");
  ASSERT_EQ(fleet.run.exit_code, 0) << fleet.run.err;
  EXPECT_EQ(conclusions(fleet.report), conclusions(mono.report));
}

TEST(RvoipdFederation, AnalyzerKilledAndRestarted_SameReportNoDuplicates) {
  const std::string pcap = shared_pcap("heplify_rtp_rtcp_sip_ipv4_udp.pcap");
  NatsServer nats;
  const auto mono = replay(pcap);
  ASSERT_EQ(mono.run.exit_code, 0);
  {
    Child first(analyzer_args(nats.url(), "", ""));  // runs until killed
    const auto probe = run_probe(pcap, "edge1", nats.url());
    ASSERT_EQ(probe.exit_code, 0) << probe.err;
    first.signal(SIGKILL);
    first.wait_for(10s);
  }
  const auto fleet = run_analyzer(nats.url(), "edge1");
  ASSERT_EQ(fleet.run.exit_code, 0) << fleet.run.err;
  EXPECT_EQ(conclusions(fleet.report), conclusions(mono.report));
}

TEST(RvoipdFederation, WrongModeOrProbeId_ConfigErrorExit2WithTheKey) {
  auto check = [](const std::string& set, const std::string& key) {
    const auto r = run_process({rvoipd_path(), "--check-config", "--set", set});
    EXPECT_EQ(r.exit_code, 2) << set;
    EXPECT_NE((r.out + r.err).find(key), std::string::npos) << r.out << r.err;
  };
  check("deployment.mode=satellite", "deployment.mode");
  check("deployment.probe_id=", "deployment.probe_id");
  check("deployment.probe_id=edge.1", "deployment.probe_id");
  check("deployment.probe_id=edge*", "deployment.probe_id");
  check("deployment.probe_id=edge 1", "deployment.probe_id");
  check("deployment.nats_url=http://x", "deployment.nats_url");
}

TEST(RvoipdFederation, AnalyzerWithUnreachableNats_Exit1NamingTheUrl) {
  const std::string url = "nats://127.0.0.1:" + std::to_string(pick_port());
  const auto r = run_process(analyzer_args(url, "edge1", ""), 60s);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE((r.out + r.err).find(url), std::string::npos) << r.out << r.err;
}

TEST(RvoipdFederation, ProbeWithUnreachableNats_StartsAnalysesAndCountsWhatItCouldNotSend) {
  const std::string url = "nats://127.0.0.1:" + std::to_string(pick_port());
  const std::string report = temp_path("probe.json");
  const auto r = run_probe(shared_pcap("heplify_rtp_rtcp_sip_ipv4_udp.pcap"), "edge1", url,
                           {"--report", report, "--set", "deployment.drain_timeout_s=1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json local = json::parse(read_file(report));
  EXPECT_EQ(local["calls"].size(), 2u);  // analysed locally all the same
  EXPECT_NE(r.err.find("0 events acknowledged"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(" 0 dropped"), std::string::npos) << r.err;  // every event counted lost
  std::filesystem::remove(report);
}

TEST(RvoipdFederation, Monolithic_NeverConnectsToNats) {
  // A listener where deployment.nats_url points: a monolithic run must not knock.
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const std::string url = "nats://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  const auto r = replay(shared_pcap("heplify_rtp_rtcp_sip_ipv4_udp.pcap"),
                        {"--set", "deployment.nats_url=" + url});
  EXPECT_EQ(r.run.exit_code, 0);
  EXPECT_LT(accept(fd, nullptr, nullptr), 0);  // nobody connected
  close(fd);
}

}  // namespace
}  // namespace rv::test
