// SIP over the transports besides UDP and plain TCP, through the real rvoipd binary, with tshark
// 4.0 as the oracle on captures scripts/gen_sip_transports.py writes:
// - SCTP (RFC 4168): bundled DATA chunks and a message fragmented over three packets give the
//   SIP messages, methods, status codes and call results tshark finds; bad chunk lengths are
//   malformed by reason; frame classes add up to the frames received;
// - WebSocket (RFC 7118): masked client frames, unmasked server frames, a message fragmented over
//   continuation frames, on port 80 and on an arbitrary port; the unmasked client frame is counted;
// - TLS: connections recognised and counted (sip_tls) as tshark counts ClientHellos.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/rvoipd_replay.hpp"

namespace rv::test {
namespace {

using nlohmann::json;

class SipTransports : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = "/tmp/rv_sip_transports_" + std::to_string(getpid());
    const std::string root = std::getenv("RV_SOURCE_ROOT");
    const auto gen = run_process(
        {std::getenv("PYTHON3"), root + "/scripts/gen_sip_transports.py", "--out-dir", dir_},
        std::chrono::seconds(120));
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    std::ifstream in(dir_ + "/manifest.json");
    manifest_ = json::parse(in);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  static inline std::string dir_;
  static inline json manifest_;
};

std::vector<std::string> tshark_args(const std::string& file, const std::vector<std::string>& extra) {
  std::vector<std::string> a = {"/usr/bin/tshark", "-n", "-r", file};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

// tshark -z sip,stat: messages, and counts by method and by status code.
struct SipStat {
  int messages = -1;
  json requests = json::object();
  json responses = json::object();
};

SipStat tshark_sip_stat(const std::string& file, const std::vector<std::string>& extra = {}) {
  auto args = tshark_args(file, extra);
  args.insert(args.end(), {"-q", "-z", "sip,stat"});
  const auto r = run_process(args, std::chrono::seconds(120));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  SipStat s;
  const std::regex messages(R"(Number of SIP messages: (\d+))");
  const std::regex status(R"(^\s+SIP (\d{3}) .*:\s+(\d+) Packets)");
  const std::regex method(R"(^\s+([A-Z]+)\s+:\s+(\d+) Packets)");
  std::istringstream lines(r.out);
  std::smatch m;
  for (std::string l; std::getline(lines, l);) {
    if (std::regex_search(l, m, messages)) s.messages = std::stoi(m[1]);
    else if (std::regex_search(l, m, status)) s.responses[m[1].str()] = std::stoi(m[2]);
    else if (std::regex_search(l, m, method)) s.requests[m[1].str()] = std::stoi(m[2]);
  }
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string part; std::getline(in, part, sep);) out.push_back(part);
  return out;
}

// Call-ID -> final response code to its INVITE, as tshark decodes them (several messages per
// frame come as comma-separated occurrences).
std::map<std::string, int> tshark_call_results(const std::string& file,
                                               const std::vector<std::string>& extra = {}) {
  auto args = tshark_args(file, extra);
  args.insert(args.end(), {"-Y", "sip.Status-Code", "-T", "fields", "-e", "sip.Call-ID", "-e",
                           "sip.CSeq.method", "-e", "sip.Status-Code", "-E", "occurrence=a"});
  const auto r = run_process(args, std::chrono::seconds(120));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, int> results;
  std::istringstream lines(r.out);
  for (std::string l; std::getline(lines, l);) {
    const auto cols = split(l, '\t');
    if (cols.size() < 3) continue;
    const auto ids = split(cols[0], ','), methods = split(cols[1], ','), codes = split(cols[2], ',');
    for (std::size_t i = 0; i < ids.size() && i < methods.size() && i < codes.size(); ++i) {
      const int code = std::stoi(codes[i]);
      if (methods[i] == "INVITE" && code >= 200) results[ids[i]] = code;
    }
  }
  return results;
}

std::map<std::string, int> rvoipd_call_results(const json& report) {
  std::map<std::string, int> results;
  for (const auto& c : report["calls"]) results[c["call_id"]] = c["final_code"].get<int>();
  return results;
}

int count_lines(const std::string& out) {
  std::istringstream lines(out);
  int n = 0;
  for (std::string l; std::getline(lines, l);) n += l.empty() ? 0 : 1;
  return n;
}

void expect_classes_add_up(const json& p) {
  uint64_t sum = p["sip"].get<uint64_t>() + p["rtp"].get<uint64_t>() + p["rtcp"].get<uint64_t>() +
                 p["other"].get<uint64_t>();
  for (const auto& [k, v] : p["malformed"].items()) sum += v.get<uint64_t>();
  EXPECT_EQ(sum, p["rx"].get<uint64_t>());
}

void expect_same_sip_as_tshark(const json& report, const std::string& file,
                               const std::vector<std::string>& tshark_extra = {}) {
  const SipStat t = tshark_sip_stat(file, tshark_extra);
  EXPECT_GT(t.messages, 0);
  EXPECT_EQ(report["sip"]["messages"].get<int>(), t.messages);
  EXPECT_EQ(report["sip"]["requests"], t.requests);
  EXPECT_EQ(report["sip"]["responses"], t.responses);
  EXPECT_EQ(rvoipd_call_results(report), tshark_call_results(file, tshark_extra));
}

TEST_F(SipTransports, Sctp_BundledAndFragmentedMessages_SameSipAsTshark) {
  const json& m = manifest_["sctp"];
  const auto r = replay(m["file"]);
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  expect_same_sip_as_tshark(r.report, m["file"]);
  EXPECT_EQ(r.report["sip"]["messages"], m["sip_messages"]);
  EXPECT_EQ(r.report["calls"].size(), m["calls"].get<std::size_t>());
  EXPECT_EQ(r.report["sip"]["sctp"]["reassembled"], m["fragmented_messages"]);
  EXPECT_EQ(r.report["sip"]["sctp"]["dropped"], json::object());
  EXPECT_EQ(r.report["sip"]["malformed"], json::object());
  // Bad chunk lengths: malformed frames by reason.
  EXPECT_EQ(r.report["packets"]["malformed"], m["malformed"]);
  expect_classes_add_up(r.report["packets"]);
}

TEST_F(SipTransports, Sctp_TwoWorkers_SameReport) {
  const json& m = manifest_["sctp"];
  const auto one = replay(m["file"]);
  const auto two = replay(m["file"], {"--set", "dataplane.workers=2"});
  ASSERT_EQ(two.run.exit_code, 0) << two.run.err;
  EXPECT_EQ(two.report["sip"], one.report["sip"]);
  EXPECT_EQ(two.report["calls"], one.report["calls"]);
}

TEST_F(SipTransports, WebSocket_MaskedUnmaskedAndFragmentedFrames_SameSipAsTshark) {
  const json& m = manifest_["websocket"];
  const auto r = replay(m["file"]);
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  expect_same_sip_as_tshark(r.report, m["file"]);
  EXPECT_EQ(r.report["sip"]["messages"], m["sip_messages"]);
  EXPECT_EQ(r.report["sip"]["websocket"]["messages"], m["sip_messages"]);
  EXPECT_EQ(r.report["sip"]["websocket"]["errors"],
            json({{"unmasked_client_frame", m["unmasked_client_frames"]}}));
  EXPECT_EQ(r.report["packets"]["websocket_connections"], 1);
  EXPECT_EQ(r.report["sip"]["malformed"], json::object());
  expect_classes_add_up(r.report["packets"]);
}

TEST_F(SipTransports, WebSocket_OnAnyPort_SameSipAsTshark) {
  const json& m = manifest_["websocket_any_port"];
  const auto r = replay(m["file"]);
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  expect_same_sip_as_tshark(r.report, m["file"], {"-d", "tcp.port==10443,http"});
  EXPECT_EQ(r.report["sip"]["messages"], m["sip_messages"]);
}

TEST_F(SipTransports, Tls_ConnectionsCountedAsTsharkSeesClientHellos) {
  const json& m = manifest_["tls"];
  const auto r = replay(m["file"]);
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  auto args = tshark_args(m["file"], {"-d", "tcp.port==5061,tls", "-Y", "tls.handshake.type == 1",
                                      "-T", "fields", "-e", "frame.number"});
  const auto t = run_process(args, std::chrono::seconds(120));
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_EQ(count_lines(t.out), m["tls_connections"].get<int>());
  EXPECT_EQ(r.report["packets"]["sip_tls"]["connections"].get<int>(), count_lines(t.out));
  EXPECT_EQ(r.report["packets"]["sip_tls"]["server_hellos"], m["tls_connections"]);
  EXPECT_EQ(r.report["sip"]["messages"], 0);  // nothing is decrypted
  expect_classes_add_up(r.report["packets"]);
}

}  // namespace
}  // namespace rv::test
