// Every capture operators have (issue 12), through the real rvoipd binary:
// - tunnels: SIP calls and RTP carried in every encapsulation probes get (scripts/gen_tunnels.py
//   wraps the frames of a plain capture) give the same report as the plain capture, tshark 4.0
//   counts the same SIP messages in them, and each layer is counted; nesting beyond the bound and
//   a GRE key nobody configured are malformed by reason;
// - HEP in (scripts/gen_hep.py): the SIP an agent captured gives the calls of the plain capture,
//   with HEP's capture times; broken HEP packets are counted by reason;
// - SIP that breaks the start-line grammar on a SIP port is malformed SIP by reason, not other.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <vector>

#include "tests/support/frame_bytes.hpp"
#include "tests/support/pcap_file.hpp"
#include "tests/support/process.hpp"
#include "tests/support/rvoipd_replay.hpp"

namespace rv::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class Tunnels : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = "/tmp/rv_tunnels_" + std::to_string(getpid());
    const std::string root = std::getenv("RV_SOURCE_ROOT");
    const auto gen = run_process({std::getenv("PYTHON3"), root + "/scripts/gen_tunnels.py",
                                  "--root", root, "--out-dir", dir_},
                                 std::chrono::seconds(280));
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    std::ifstream in(dir_ + "/manifest.json");
    manifest_ = json::parse(in);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  static const json& kind(const std::string& k) { return manifest_.at(k); }

  // The report of a plain capture, computed once.
  static const json& plain(const std::string& file) {
    auto it = plain_.find(file);
    if (it == plain_.end()) {
      auto r = replay(file);
      EXPECT_EQ(r.run.exit_code, 0) << r.run.err;
      it = plain_.emplace(file, std::move(r.report)).first;
    }
    return it->second;
  }

  static inline std::string dir_;
  static inline json manifest_;
  static inline std::map<std::string, json> plain_;
};

// SIP messages tshark decodes in `file` (UDP: one per frame; fragments once reassembled).
int tshark_sip_messages(const std::string& file, const std::vector<std::string>& decode_as = {}) {
  std::vector<std::string> args = {"/usr/bin/tshark", "-n", "-r", file, "-Y", "sip", "-T",
                                   "fields", "-e", "frame.number"};
  for (const auto& d : decode_as) {
    args.push_back("-d");
    args.push_back(d);
  }
  const auto r = run_process(args, std::chrono::seconds(120));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  int n = 0;
  for (std::string l; std::getline(lines, l);) n += l.empty() ? 0 : 1;
  return n;
}

// What the traffic inside says, independent of how it was carried.
json inner_results(const json& r) {
  json p = r["packets"];
  return {{"sip", r["sip"]},
          {"calls", r["calls"]},
          {"streams", r["streams"]},
          {"registrations", r["registrations"]},
          {"classes", {p["sip"], p["rtp"], p["rtcp"]}}};
}

void expect_same_as_plain(const std::string& name, const json& manifest, const json& plain_report,
                          std::vector<std::string> extra = {},
                          std::vector<std::string> tshark_decode_as = {}) {
  SCOPED_TRACE(name);
  const std::string file = manifest["file"];
  const auto r = replay(file, std::move(extra));
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  EXPECT_EQ(inner_results(r.report), inner_results(plain_report));
  EXPECT_EQ(r.report["packets"]["malformed"], json::object());
  // Every layer counted once per frame it carried.
  EXPECT_EQ(r.report["packets"]["encapsulation"], manifest["encapsulation"]);
  // tshark sees the same SIP messages through the tunnel as rvoipd does, and as in the plain file.
  const int tshark = tshark_sip_messages(file, tshark_decode_as);
  EXPECT_EQ(r.report["sip"]["messages"].get<int>(), tshark);
  EXPECT_EQ(tshark, tshark_sip_messages(manifest["plain"]));
  EXPECT_GT(tshark, 0);
}

#define RV_TUNNEL_TEST(test_name, kind_name, ...)                            \
  TEST_F(Tunnels, test_name) {                                               \
    const json& m = kind(kind_name);                                         \
    expect_same_as_plain(kind_name, m, plain(m["plain"]), ##__VA_ARGS__);    \
  }

RV_TUNNEL_TEST(Vxlan_SameReportAsPlain, "vxlan")
RV_TUNNEL_TEST(VxlanOnAConfiguredPort_SameReportAsPlain, "vxlan_port",
               {"--set", "dataplane.decap_vxlan_ports=4789,8472"}, {"udp.port==8472,vxlan"})
RV_TUNNEL_TEST(GeneveWithOptions_SameReportAsPlain, "geneve")
RV_TUNNEL_TEST(GreWithKeyAndSequence_SameReportAsPlain, "gre")
RV_TUNNEL_TEST(Nvgre_SameReportAsPlain, "nvgre")
RV_TUNNEL_TEST(ErspanTypeI_SameReportAsPlain, "erspan_i")
RV_TUNNEL_TEST(ErspanTypeII_SameReportAsPlain, "erspan_ii")
RV_TUNNEL_TEST(ErspanTypeIIIWithAndWithoutPlatformSubheader_SameReportAsPlain, "erspan_iii")
RV_TUNNEL_TEST(MplsTwoLabelsIpPayload_SameReportAsPlain, "mpls")
RV_TUNNEL_TEST(MplsPseudowireWithControlWord_SameReportAsPlain, "mpls_pw")
RV_TUNNEL_TEST(QinqThreeTags_SameReportAsPlain, "qinq")
RV_TUNNEL_TEST(PppoeSession_SameReportAsPlain, "pppoe")
RV_TUNNEL_TEST(Ipv4InIpv4_SameReportAsPlain, "ipip")
RV_TUNNEL_TEST(Ipv6InIpv4_SameReportAsPlain, "ip6in4")
RV_TUNNEL_TEST(Ipv4InIpv6_SameReportAsPlain, "ip4in6")
RV_TUNNEL_TEST(Ipv6InIpv6_SameReportAsPlain, "ip6in6")
RV_TUNNEL_TEST(LinuxCookedV1_SameReportAsPlain, "sll")
RV_TUNNEL_TEST(LinuxCookedV2_SameReportAsPlain, "sll2")
RV_TUNNEL_TEST(GreMplsVxlanVlanNested_SameReportAsPlain, "nested")
RV_TUNNEL_TEST(VxlanInnerFragments_ReassembledLikeOuterOnes, "vxlan_inner_fragments")
RV_TUNNEL_TEST(GreOuterFragments_ReassembledThenOpened, "gre_outer_fragments")
RV_TUNNEL_TEST(FiveVxlanLayers_OpenedWhenTheBoundAllowsIt, "too_deep",
               {"--set", "dataplane.decap_max_depth=5"})

TEST_F(Tunnels, FiveVxlanLayers_BeyondTheDefaultBound_CountedAsTooDeep) {
  const json& m = kind("too_deep");
  const auto r = replay(m["file"]);
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  EXPECT_EQ(r.report["packets"]["malformed"], json({{"too_deep_encapsulation", m["frames"]}}));
  EXPECT_EQ(r.report["sip"]["messages"], 0);
  EXPECT_EQ(r.report["packets"]["encapsulation"], json({{"vxlan", 4 * m["frames"].get<int>()}}));
}

TEST_F(Tunnels, GreKeyNotConfigured_CountedAsKeyMismatch) {
  const json& m = kind("gre_key_mismatch");
  const auto r = replay(m["file"], {"--set", "dataplane.decap_gre_keys=7,0x10"});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  EXPECT_EQ(r.report["packets"]["malformed"], json({{"gre_key_mismatch", m["frames"]}}));
  EXPECT_EQ(r.report["sip"]["messages"], 0);
  // Without a key list every key is opened.
  expect_same_as_plain("gre_key_mismatch", m, plain(m["plain"]));
}

TEST_F(Tunnels, DecapsulationOff_TunnelsStayOuterPackets) {
  const json& m = kind("vxlan");
  const auto r = replay(m["file"], {"--set", "dataplane.decap_max_depth=0"});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  EXPECT_EQ(r.report["sip"]["messages"], 0);
  EXPECT_EQ(r.report["packets"]["encapsulation"], json::object());
}

TEST_F(Tunnels, TwoWorkers_SameReportThroughTunnels) {
  for (const char* k : {"nested", "vxlan_inner_fragments", "gre_outer_fragments"}) {
    const json& m = kind(k);
    expect_same_as_plain(k, m, plain(m["plain"]), {"--set", "dataplane.workers=2"});
  }
}

// ---- HEP in ------------------------------------------------------------------------------------

// Calls without what depends on media (HEP carries the signaling only).
json signaling_of(const json& r) {
  json calls = r["calls"];
  for (auto& c : calls) {
    c.erase("streams");
    c.erase("media");
  }
  return {{"sip", r["sip"]}, {"calls", calls}, {"registrations", r["registrations"]}};
}

// tshark 4.0 has no HEP dissector (`tshark -G protocols` lists none): the oracle is the plain
// capture the agent saw, read by tshark and by rvoipd.
TEST(HepIn, SipInHepV2AndV3_SameCallsAsThePlainCaptureWithHepTimes) {
  const std::string root = std::getenv("RV_SOURCE_ROOT");
  const std::string plain_file = root + "/tests/data/generated/g711_impaired.pcap";
  const std::string hep_file = "/tmp/rv_hep_" + std::to_string(getpid()) + ".pcap";
  const auto gen = run_process({std::getenv("PYTHON3"), root + "/scripts/gen_hep.py", "--plain",
                                plain_file, "--out", hep_file},
                               std::chrono::seconds(120));
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const json truth = json::parse(gen.out);
  const auto plain = replay(plain_file);
  const auto hep = replay(hep_file, {"--set", "dataplane.hep_ports=9060"});
  const auto off = replay(hep_file);  // without the port configured: plain UDP
  std::filesystem::remove(hep_file);
  ASSERT_EQ(plain.run.exit_code, 0) << plain.run.err;
  ASSERT_EQ(hep.run.exit_code, 0) << hep.run.err;
  EXPECT_EQ(signaling_of(hep.report), signaling_of(plain.report));
  EXPECT_EQ(hep.report["sip"]["messages"], tshark_sip_messages(plain_file));
  EXPECT_EQ(hep.report["sip"]["messages"], truth["sip"]);
  json expected_hep = truth["bad"];
  expected_hep["ok"] = truth["sip"];
  EXPECT_EQ(hep.report["packets"]["hep"], expected_hep);
  EXPECT_EQ(hep.report["packets"]["sip"], truth["sip"]);
  EXPECT_EQ(hep.report["packets"]["other"], 3);  // the three broken HEP packets
  EXPECT_EQ(off.report["packets"]["hep"], json::object());
  EXPECT_EQ(off.report["sip"]["messages"], 0);
}

// ---- SIP that breaks the grammar --------------------------------------------------------------

// A classic pcap of Ethernet/IPv4/UDP frames carrying `payloads` between two hosts.
void write_udp_pcap(const std::string& path, uint16_t port, const std::vector<std::string>& payloads) {
  test::PcapWriter out(path);
  uint64_t sec = 1700000000;
  for (const auto& p : payloads) {
    out.write(sec++ * 1'000'000'000, test::ethernet(test::ipv4_udp(0x0a000001, 0x0a000002, port,
                                                                   port, test::text(p))));
  }
}

std::string rfc4475(const std::string& name) {
  std::ifstream in(std::string(std::getenv("RV_SOURCE_ROOT")) + "/tests/data/rfc4475/" + name,
                   std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(SipGrammar, BrokenStartLinesOnASipPort_AreMalformedSipByReason) {
  const std::vector<std::string> msgs = {rfc4475("ltgtruri.dat"), rfc4475("lwsstart.dat"),
                                         rfc4475("badvers.dat"), rfc4475("bigcode.dat"),
                                         "SIP/7.0 200 OK\r\nCall-ID: x\r\n\r\n", "\r\n\r\n"};
  const std::string file = "/tmp/rv_sip_grammar_" + std::to_string(getpid()) + ".pcap";
  write_udp_pcap(file, 5060, msgs);
  const auto r = replay(file);
  std::filesystem::remove(file);
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  EXPECT_EQ(r.report["packets"]["sip"], 5);
  EXPECT_EQ(r.report["packets"]["other"], 1);  // the keep-alive
  EXPECT_EQ(r.report["sip"]["malformed"],
            json({{"bad_request_uri", 2}, {"bad_version", 2}, {"bad_status_code", 1}}));
}

}  // namespace
}  // namespace rv::test
