// The operator's per-call outputs (issue 13) on the real rvoipd binary: call detail records
// (control.cdr.path) against the report of the same run, live calls at SIGTERM, rotation and
// disk errors.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "tests/support/pcap_file.hpp"
#include "tests/support/frame_bytes.hpp"
#include "tests/support/process.hpp"
#include "tests/support/rvoipd_replay.hpp"

namespace rv::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string source_root() { return std::getenv("RV_SOURCE_ROOT"); }

std::vector<std::string> bundled_captures() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(source_root() + "/tests/data/pcaps")) {
    const auto ext = e.path().extension();
    if (ext == ".pcap" || ext == ".pcapng") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string temp_path(const std::string& what) {
  static int seq = 0;
  return fmt::format("/tmp/rv_outputs_{}_{}_{}", getpid(), seq++, what);
}

std::vector<json> read_lines(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

std::string stream_key(const json& s) {
  return s["src"].get<std::string>() + ">" + s["dst"].get<std::string>() + "/" +
         s["ssrc"].get<std::string>();
}

// Every call of the report has one record, with the same outcome and the same streams.
void expect_cdr_matches_report(const std::vector<json>& cdr, const json& report,
                               const std::string& what) {
  ASSERT_EQ(cdr.size(), report["calls"].size()) << what;
  std::map<std::string, json> streams;  // the report's streams by key
  for (const auto& s : report["streams"]) streams[stream_key(s)] = s;
  std::multimap<std::pair<std::string, double>, const json*> records;
  for (const auto& r : cdr) {
    records.emplace(std::make_pair(r["call_id"].get<std::string>(), r["start_ts"].get<double>()), &r);
  }
  for (const auto& c : report["calls"]) {
    const auto it = records.find({c["call_id"].get<std::string>(), c["start_ts"].get<double>()});
    ASSERT_NE(it, records.end()) << what << " " << c["call_id"];
    const json& r = *it->second;
    EXPECT_EQ(r["from"]["uri"], c["from"]) << what;
    EXPECT_EQ(r["to"]["uri"], c["to"]) << what;
    EXPECT_EQ(r["result"], c["result"]) << what << " " << c["call_id"];
    EXPECT_EQ(r["final_code"], c["final_code"]) << what;
    EXPECT_EQ(r["answer_ts"], c["answer_ts"]) << what;
    EXPECT_EQ(r["end_ts"], c["end_ts"]) << what;
    EXPECT_EQ(r["setup_ms"], c["setup_ms"]) << what;
    EXPECT_EQ(r["pdd_ms"], c["post_dial_delay_ms"]) << what;
    EXPECT_EQ(r["duration_s"], c["duration_s"]) << what << " " << c["call_id"];
    EXPECT_FALSE(r["src"].get<std::string>().empty()) << what;
    std::set<std::string> want, got;
    for (const auto& s : c["streams"]) want.insert(stream_key(s));
    for (const auto& s : r["streams"]) {
      got.insert(stream_key(s));
      const json& rs = streams.at(stream_key(s));
      EXPECT_EQ(s["packets"], rs["packets"]) << what << " " << stream_key(s);
      EXPECT_EQ(s["lost"], rs["lost"]) << what;
      EXPECT_EQ(s["max_delta_ms"], rs["max_delta_ms"]) << what;
      EXPECT_EQ(s["mos"], rs["mos"]) << what;
      EXPECT_EQ(s["jitter_max_ms"], rs["jitter_max_ms"]) << what;
      EXPECT_TRUE(s["ended"].get<bool>()) << what;
    }
    EXPECT_EQ(got, want) << what << " " << c["call_id"];
  }
}

TEST(RvoipdCdr, EveryBundledCapture_OneRecordPerCallOfTheReport) {
  std::size_t calls = 0;
  for (const auto& pcap : bundled_captures()) {
    // Two workers (calls and streams on different shards) on the capture with RTP and calls.
    const bool two = pcap.ends_with("heplify_rtp_rtcp_sip_ipv4_udp.pcap");
    for (const char* workers : {"1", "2"}) {
      if (!two && workers[0] == '2') continue;
      const std::string cdr = temp_path("cdr.jsonl");
      const auto r = replay(pcap, {"--set", "control.cdr.path=" + cdr, "--set",
                                   std::string("dataplane.workers=") + workers});
      ASSERT_EQ(r.run.exit_code, 0) << pcap << r.run.err;
      const auto lines = read_lines(cdr);
      expect_cdr_matches_report(lines, r.report, pcap + " workers=" + workers);
      calls += lines.size();
      fs::remove(cdr);
    }
  }
  EXPECT_GT(calls, 0u);
}

TEST(RvoipdCdr, GeneratedLoad_EveryCallWithBothStreams_AndRotationKeepsWholeLines) {
  const std::string pcap = temp_path("load.pcap");
  const auto gen = run_process({std::getenv("PYTHON3"), source_root() + "/perf/replay/gen_call_load.py",
                                "--calls", "400", "--rtp", "20", "--out", pcap});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const json truth = json::parse(gen.out);
  const std::string cdr = temp_path("rot.jsonl");
  const auto r = replay(pcap, {"--set", "control.cdr.path=" + cdr, "--set",
                               "control.cdr.max_bytes=40000", "--set", "control.cdr.max_files=100"});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  std::vector<json> all;
  int files = 0;
  for (int i = 100; i >= 0; --i) {
    const std::string p = i == 0 ? cdr : fmt::format("{}.{}", cdr, i);
    if (!fs::exists(p)) continue;
    ++files;
    EXPECT_LE(fs::file_size(p), 40000u) << p;
    for (auto& l : read_lines(p)) all.push_back(std::move(l));
    fs::remove(p);
  }
  fs::remove(pcap);
  EXPECT_GT(files, 2);
  ASSERT_EQ(all.size(), truth["calls"].get<std::size_t>());
  expect_cdr_matches_report(all, r.report, "generated load");
  uint64_t packets = 0;
  int64_t lost = 0;
  for (const auto& c : all) {
    EXPECT_EQ(c["result"], "answered");
    EXPECT_EQ(c["end_reason"], "bye");
    ASSERT_EQ(c["streams"].size(), 2u) << c.dump();
    for (const auto& s : c["streams"]) {
      packets += s["packets"].get<uint64_t>();
      lost += s["lost"].get<int64_t>();
    }
  }
  EXPECT_EQ(packets, truth["rtp_packets"].get<uint64_t>());
  EXPECT_EQ(lost, truth["lost"].get<int64_t>());
}

TEST(RvoipdCdr, DiskFull_RecordsCountedAsDropped_RunEndsNormally) {
  const auto r = replay(shared_pcap("sipp_g711a.pcap"), {"--set", "control.cdr.path=/dev/full"});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  EXPECT_THAT(r.run.err, testing::HasSubstr("call detail records: 0 written")) << r.run.err;
  EXPECT_THAT(r.run.err, testing::HasSubstr("write errors")) << r.run.err;
}

TEST(RvoipdCdr, UnwritablePath_FailsAtStart) {
  const auto r = replay(shared_pcap("sipp_g711a.pcap"),
                        {"--set", "control.cdr.path=/nonexistent-dir/cdr.jsonl"});
  EXPECT_EQ(r.run.exit_code, 1);
  EXPECT_THAT(r.run.err, testing::HasSubstr("control.cdr.path"));
}

// --- --extract: one pcap per call, against a tshark filter ---------------------------------

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::vector<std::string> tshark(const std::string& pcap, const std::string& filter,
                                const std::vector<std::string>& fields, bool hep = false) {
  std::vector<std::string> args = {"/usr/bin/tshark", "-n", "-r", pcap};
  // Debian 12's tshark 4.0 has no HEP dissector: tests/data/wireshark/hep3.lua is one.
  if (hep) args.insert(args.end(), {"-X", "lua_script:" + source_root() + "/tests/data/wireshark/hep3.lua"});
  if (!filter.empty()) args.insert(args.end(), {"-Y", filter});
  args.insert(args.end(), {"-T", "fields", "-E", "occurrence=a", "-E", "separator=;"});
  for (const auto& f : fields) args.insert(args.end(), {"-e", f});
  const auto r = run_process(args, 60s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return split(r.out, '\n');
}

// The frames tshark selects for a call: its SIP (sip.Call-ID) and the UDP frames from or to the
// RTP and RTCP (port + 1) endpoints its SDP bodies announce. "time(us) len" per frame.
std::vector<std::string> oracle_frames(const std::string& pcap, const std::string& call_id) {
  std::string filter = fmt::format("sip.Call-ID == \"{}\"", call_id);
  for (const auto& line : tshark(pcap, filter + " && sdp",
                                 {"sdp.connection_info.address", "sdp.media.port"})) {
    const auto cols = split(line, ';');
    if (cols.size() < 2 || cols[0].empty()) continue;
    const std::string addr = split(cols[0], ',')[0];
    const std::string ip = addr.find(':') != std::string::npos ? "ipv6" : "ip";
    for (const auto& port : split(cols[1], ',')) {
      const int p = std::stoi(port);
      filter += fmt::format(" || ({0}.src == {1} && (udp.srcport == {2} || udp.srcport == {3})) || "
                            "({0}.dst == {1} && (udp.dstport == {2} || udp.dstport == {3}))",
                            ip, addr, p, p + 1);
    }
  }
  return tshark(pcap, filter, {"frame.time_epoch", "frame.len"});
}

std::vector<std::string> frames_us(std::vector<std::string> rows) {
  for (auto& r : rows) {  // "sec.fraction;len" with the fraction cut to microseconds
    const auto dot = r.find('.');
    const auto semi = r.find(';');
    if (dot != std::string::npos && semi != std::string::npos && semi - dot > 7) {
      r.erase(dot + 7, semi - dot - 7);
    }
  }
  return rows;
}

TEST(RvoipdExtract, EveryCallOfTheSipCaptures_SameFramesAsTsharkFilter) {
  int compared = 0;
  for (const auto& pcap : bundled_captures()) {
    std::set<std::string> ids;
    for (const auto& id : tshark(pcap, "sip", {"sip.Call-ID"})) {
      if (!id.empty()) ids.insert(id);
    }
    if (ids.empty()) continue;
    const std::string dir = temp_path("extract");
    std::vector<std::string> args = {"--extract"};
    args.insert(args.end(), ids.begin(), ids.end());
    args.insert(args.end(), {"--out", dir});
    const auto r = replay(pcap, args);
    ASSERT_EQ(r.run.exit_code, 0) << pcap << r.run.err;
    for (const auto& id : ids) {
      std::string name = id;  // bytes outside [A-Za-z0-9._@-] become '_'
      std::replace(name.begin(), name.end(), ':', '_');
      const std::string out = dir + "/" + name + ".pcap";
      ASSERT_TRUE(fs::exists(out)) << out << r.run.out;
      const auto want = frames_us(oracle_frames(pcap, id));
      const auto got = frames_us(tshark(out, "", {"frame.time_epoch", "frame.len"}));
      EXPECT_FALSE(want.empty()) << pcap << " " << id;
      EXPECT_EQ(got, want) << pcap << " " << id;
      ++compared;
    }
    fs::remove_all(dir);
  }
  EXPECT_GE(compared, 7);
}

TEST(RvoipdExtract, WithoutPcapOrOut_IsAUsageError) {
  EXPECT_EQ(run_process({rvoipd_path(), "--extract", "x"}).exit_code, 2);
  EXPECT_EQ(run_process({rvoipd_path(), "--pcap", shared_pcap("sipp_g711a.pcap"), "--extract", "x"}).exit_code, 2);
}

// --- HEP: every SIP message decoded by tshark's HEP dissector ------------------------------

// Receives HEP packets on 127.0.0.1 (UDP datagrams, or HEP packets split from a TCP stream by
// their length field) until stopped.
class HepCollector {
 public:
  explicit HepCollector(bool tcp) : tcp_(tcp) {
    fd_ = ::socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    socklen_t len = sizeof(a);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    if (tcp) ::listen(fd_, 4);
    timeval tv{0, 100000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    thread_ = std::thread([this] { run(); });
  }
  ~HepCollector() { stop(); }
  uint16_t port() const { return port_; }
  std::vector<std::string> stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return packets_;
  }

 private:
  void run() {
    std::vector<char> buf(1 << 16);
    if (!tcp_) {
      while (!stop_) {
        const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
        if (n > 0) packets_.emplace_back(buf.data(), std::size_t(n));
      }
      return;
    }
    int c = -1;
    while (!stop_ && c < 0) c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    timeval tv{0, 100000};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::string stream;
    for (;;) {
      const ssize_t n = ::recv(c, buf.data(), buf.size(), 0);
      if (n > 0) stream.append(buf.data(), std::size_t(n));
      if (n == 0 || (n < 0 && stop_)) break;
    }
    ::close(c);
    std::size_t at = 0;
    while (stream.size() - at >= 6) {
      const std::size_t len = (uint8_t(stream[at + 4]) << 8) | uint8_t(stream[at + 5]);
      if (len < 6 || at + len > stream.size()) break;
      packets_.push_back(stream.substr(at, len));
      at += len;
    }
  }

  bool tcp_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::string> packets_;
};

// Each HEP packet as the payload of a UDP datagram to port 9060 (the HEP port).
void write_hep_pcap(const std::string& path, const std::vector<std::string>& packets) {
  PcapWriter out(path, dataplane::LinkType::kRaw);
  uint64_t sec = 1'700'000'000;
  for (const auto& p : packets) {
    out.write(sec++ * 1'000'000'000, ipv4_udp(0x7f000001, 0x7f000002, 9060, 9060, text(p)));
  }
}

void expect_hep_matches_report(const std::string& capture, bool tcp) {
  HepCollector collector(tcp);
  const auto r = replay(capture, {"--set", fmt::format("control.hep.address=127.0.0.1:{}", collector.port()),
                                  "--set", std::string("control.hep.transport=") + (tcp ? "tcp" : "udp"),
                                  "--set", "control.hep.node_id=4242"});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  std::this_thread::sleep_for(200ms);
  const auto packets = collector.stop();
  const std::string pcap = temp_path("hep.pcap");
  write_hep_pcap(pcap, packets);
  const auto sip = tshark(pcap, "hep3 && sip", {"hep3.capture_id", "sip.Call-ID", "hep3.correlation_id"}, true);
  std::size_t messages = 0;
  for (const auto& line : sip) {
    const auto cols = split(line, ';');
    ASSERT_EQ(cols.size(), 3u) << line;
    EXPECT_EQ(cols[0], "4242");
    EXPECT_EQ(cols[1], cols[2]) << "correlation id is the Call-ID";
    ++messages;
  }
  EXPECT_EQ(messages, r.report["sip"]["messages"].get<std::size_t>()) << capture;
  fs::remove(pcap);
}

TEST(RvoipdHep, Udp_TsharkDecodesEverySipMessageOfTheReport) {
  expect_hep_matches_report(shared_pcap("heplify_rtp_rtcp_sip_ipv4_udp.pcap"), false);
  expect_hep_matches_report(shared_pcap("heplify_sip_ipv6_udp.pcap"), false);
}

TEST(RvoipdHep, Tcp_TsharkDecodesEverySipMessageOfTheReport) {
  expect_hep_matches_report(shared_pcap("heplify_sip_ipv4_tcp.pcap"), true);
  expect_hep_matches_report(shared_pcap("heplify_rtp_rtcp_sip_ipv4_udp.pcap"), true);
}


// --- rules and dashboard: every metric they name exists in a live scrape ----------------------

std::set<std::string> metric_names_in(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  std::set<std::string> out;
  for (std::size_t i = 0; (i = s.find("rvoip_", i)) != std::string::npos;) {
    std::size_t end = i;
    while (end < s.size() && (std::islower(uint8_t(s[end])) || std::isdigit(uint8_t(s[end])) || s[end] == '_')) ++end;
    out.insert(s.substr(i, end - i));
    i = end;
  }
  return out;
}

TEST(RvoipdMetrics, EveryMetricOfTheRulesAndDashboard_IsInALiveScrape) {
  HepCollector collector(false);
  const std::string cdr = temp_path("scrape.jsonl");
  const uint16_t port = pick_port();
  Child rvoipd({rvoipd_path(), "--set", "control.metrics_listen=127.0.0.1:" + std::to_string(port),
                "--set", "control.cdr.path=" + cdr, "--set",
                fmt::format("control.hep.address=127.0.0.1:{}", collector.port()), "--",
                "--vdev=net_null0"});
  ASSERT_EQ(http_get_when_up(port, "/ready", 30s).status, 200) << rvoipd.err();
  const std::string scrape = http_get(port, "/metrics").body;
  rvoipd.signal(SIGTERM);
  EXPECT_EQ(rvoipd.wait_for(30s), 0);
  collector.stop();
  fs::remove(cdr);
  std::set<std::string> scraped;
  std::istringstream in(scrape);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    scraped.insert(line.substr(0, line.find_first_of("{ ")));
  }
  for (const char* file : {"/scripts/rvoip-alerts.yml", "/scripts/grafana-dashboard.json"}) {
    const auto names = metric_names_in(source_root() + file);
    EXPECT_GT(names.size(), 10u) << file;
    for (const auto& n : names) EXPECT_TRUE(scraped.contains(n)) << file << ": " << n << " is not scraped";
  }
  for (const char* n : {"rvoip_lcore_busy_seconds_total", "rvoip_lcore_idle_seconds_total",
                        "rvoip_build_info", "process_start_time_seconds",
                        "process_resident_memory_bytes", "process_open_fds"}) {
    EXPECT_TRUE(scraped.contains(n)) << n;
  }
  EXPECT_THAT(scrape, testing::ContainsRegex("rvoip_build_info\\{version=\"[^\"]+\",revision=\"[0-9a-f]+\",dpdk=\"DPDK [^\"]+\"\\} 1"));
}

TEST(RvoipdAdmin, ProbesOpen_HealthAndReadyWithoutCredentials_MetricsStillNeedThem) {
  const uint16_t port = pick_port();
  Child rvoipd({rvoipd_path(), "--set", "control.metrics_listen=127.0.0.1:" + std::to_string(port),
                "--set", "control.auth_user=ops", "--set",
                "control.auth_password_sha256=" + std::string(64, 'a'), "--set",
                "control.auth_probes_open=true", "--", "--vdev=net_null0"});
  EXPECT_EQ(http_get_when_up(port, "/ready", 30s).status, 200) << rvoipd.err();
  EXPECT_EQ(http_get(port, "/health").status, 200);
  EXPECT_EQ(http_get(port, "/metrics").status, 401);
  EXPECT_EQ(http_get(port, "/help").status, 401);
  rvoipd.signal(SIGTERM);
  EXPECT_EQ(rvoipd.wait_for(30s), 0);
}

// --- live: calls in progress at SIGTERM ---------------------------------------------------

// SIP message n, 100 us after the one before, between 10.0.0.1 and 10.1.0.1 (port 5060).
void write_frame(PcapWriter& out, uint32_t n, const std::string& sip, bool reply) {
  const uint32_t caller = 0x0a000001, callee = 0x0a010001;
  out.write(1'700'000'000'000'000'000ull + uint64_t(n) * 100'000,
            ethernet(ipv4_udp(reply ? callee : caller, reply ? caller : callee, 5060, 5060,
                              text(sip))));
}

std::string sip_message(const std::string& start, uint32_t i, const std::string& method,
                        const std::string& extra, bool to_tag) {
  return fmt::format(
      "{0}\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK{1}\r\nMax-Forwards: 70\r\n"
      "From: \"Alice\" <sip:alice{1}@example.com>;tag=a{1}\r\nTo: <sip:bob{1}@example.com>{2}\r\n"
      "Call-ID: live-{1}@rvoip.test\r\nCSeq: 1 {3}\r\n{4}Content-Length: 0\r\n\r\n",
      start, i, to_tag ? fmt::format(";tag=b{}", i) : "", method, extra);
}

// Call i: INVITE; i % 3 == 0 answered (180, 200: active), 1: ringing (180), 2: busy with a
// Q.850 cause (ended before the signal).
void write_live_calls(const std::string& path, uint32_t calls) {
  PcapWriter out(path);
  uint32_t n = 0;
  for (uint32_t i = 0; i < calls; ++i) {
    write_frame(out, n++, sip_message(fmt::format("INVITE sip:bob{}@example.com SIP/2.0", i), i,
                                      "INVITE", "User-Agent: rvoip-test/1.0\r\n", false), false);
    if (i % 3 == 2) {
      write_frame(out, n++, sip_message("SIP/2.0 486 Busy Here", i, "INVITE",
                                        "Reason: Q.850;cause=17;text=\"User busy\"\r\n", true), true);
      continue;
    }
    write_frame(out, n++, sip_message("SIP/2.0 180 Ringing", i, "INVITE", "", true), true);
    if (i % 3 == 0) write_frame(out, n++, sip_message("SIP/2.0 200 OK", i, "INVITE", "", true), true);
  }
}

double metric(uint16_t port, const std::string& series) {
  const auto r = http_get(port, "/metrics");
  std::istringstream in(r.body);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

TEST(RvoipdCdr, Live_CallsInProgressAtSigterm_EachGetsARecord) {
  constexpr uint32_t kCalls = 300;
  const std::string pcap = temp_path("live.pcap");
  const std::string cdr = temp_path("live.jsonl");
  write_live_calls(pcap, kCalls);
  const uint16_t port = pick_port();
  Child rvoipd({rvoipd_path(), "--set", "control.metrics_listen=127.0.0.1:" + std::to_string(port),
                "--set", "control.cdr.path=" + cdr, "--", "--vdev=net_pcap0,rx_pcap=" + pcap});
  ASSERT_NE(http_get_when_up(port, "/ready", 30s).status, 0) << rvoipd.err();
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  double ended = 0;
  while (std::chrono::steady_clock::now() < deadline &&
         (ended = metric(port, "rvoip_cdr_records_total")) < kCalls / 3) {
    std::this_thread::sleep_for(100ms);
  }
  // The busy calls were written as they ended, while the process runs.
  ASSERT_EQ(ended, kCalls / 3) << rvoipd.err();
  EXPECT_EQ(read_lines(cdr).size(), kCalls / 3);
  rvoipd.signal(SIGTERM);
  const auto code = rvoipd.wait_for(30s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << rvoipd.err();
  const auto lines = read_lines(cdr);
  fs::remove(pcap);
  fs::remove(cdr);
  ASSERT_EQ(lines.size(), kCalls);
  std::set<std::string> ids;
  for (const auto& r : lines) {
    const std::string id = r["call_id"];
    ids.insert(id);
    const uint32_t i = std::stoul(id.substr(5));
    EXPECT_EQ(r["from"]["tag"], fmt::format("a{}", i));
    EXPECT_EQ(r["to"]["tag"], fmt::format("b{}", i));
    EXPECT_EQ(r["user_agent"], "rvoip-test/1.0");
    EXPECT_EQ(r["src"], "10.0.0.1:5060");
    EXPECT_EQ(r["dst"], "10.1.0.1:5060");
    if (i % 3 == 2) {
      EXPECT_EQ(r["result"], "failed");
      EXPECT_EQ(r["final_code"], 486);
      EXPECT_EQ(r["q850_cause"], 17);
      EXPECT_EQ(r["end_reason"], "final_failure");
    } else {
      EXPECT_EQ(r["end_reason"], "in_progress") << r.dump();
      EXPECT_EQ(r["state"], i % 3 == 0 ? "active" : "ringing");
      EXPECT_TRUE(r["pdd_ms"].is_number());
      EXPECT_TRUE(r["q850_cause"].is_null());
    }
  }
  EXPECT_EQ(ids.size(), kCalls);
}

}  // namespace
}  // namespace rv::test
