// RFC 4475 torture messages (tests/data/rfc4475, classes in MANIFEST.tsv): valid ones parse with
// the right fields, invalid ones are rejected with a counted reason, none crashes.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "planes/signaling/signaling_plane.hpp"
#include "planes/signaling/sip_parser.hpp"
#include "tests/support/pcap_file.hpp"

namespace rv::planes::signaling {
namespace {

std::vector<uint8_t> read_file(const std::string& name) {
  std::ifstream in(test::test_data("rfc4475/" + name), std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct ManifestRow {
  std::string file;
  std::string rfc_class;
};

std::vector<ManifestRow> manifest() {
  std::ifstream in(test::test_data("rfc4475/MANIFEST.tsv"));
  std::vector<ManifestRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, '\t');) cols.push_back(c);
    if (cols.size() >= 4) rows.push_back({cols[0], cols[3]});
  }
  return rows;
}

// Expected outcome per file. RFC 4475 §3.1.2 files are syntactically invalid; of the §3.3 files
// (valid syntax, semantic torture) a passive monitor must refuse the ones it cannot attribute to
// one dialog: missing Call-ID/From/To (insuf), two Call-IDs/CSeqs/Froms/Tos (multi01), two
// Content-Lengths (mcl01, framing unknown). Everything else parses.
const std::map<std::string, SipParseStatus>& expected() {
  using enum SipParseStatus;
  static const std::map<std::string, SipParseStatus> kExpected = {
      {"wsinv.dat", kOk},
      {"intmeth.dat", kOk},
      {"esc01.dat", kOk},
      {"escnull.dat", kOk},
      {"esc02.dat", kOk},
      {"lwsdisp.dat", kOk},
      {"longreq.dat", kOk},
      {"dblreq.dat", kOk},
      {"semiuri.dat", kOk},
      {"transports.dat", kOk},
      {"mpart01.dat", kOk},
      {"unreason.dat", kOk},
      {"noreason.dat", kOk},
      {"badinv01.dat", kBadVia},
      {"clerr.dat", kBodyTruncated},
      {"ncl.dat", kBadContentLength},
      {"scalar02.dat", kBadCSeq},
      {"scalarlg.dat", kBadCSeq},
      {"quotbal.dat", kBadFromTo},
      {"ltgtruri.dat", kBadRequestUri},
      {"lwsruri.dat", kBadRequestUri},
      {"lwsstart.dat", kBadRequestUri},
      {"trws.dat", kBadStartLine},
      {"escruri.dat", kBadRequestUri},
      {"baddate.dat", kBadDate},
      {"regbadct.dat", kBadContact},
      {"badaspec.dat", kBadFromTo},
      {"baddn.dat", kBadFromTo},
      {"badvers.dat", kBadVersion},
      {"mismatch01.dat", kCSeqMethodMismatch},
      {"mismatch02.dat", kCSeqMethodMismatch},
      {"bigcode.dat", kBadStatusCode},
      {"badbranch.dat", kOk},
      {"insuf.dat", kMissingHeader},
      {"unkscm.dat", kOk},
      {"novelsc.dat", kOk},
      {"unksm2.dat", kOk},
      {"bext01.dat", kOk},
      {"invut.dat", kOk},
      {"regaut01.dat", kOk},
      {"multi01.dat", kDuplicateHeader},
      {"mcl01.dat", kDuplicateHeader},
      {"bcast.dat", kOk},
      {"zeromf.dat", kOk},
      {"cparam01.dat", kOk},
      {"cparam02.dat", kOk},
      {"regescrt.dat", kOk},
      {"sdp01.dat", kOk},
      {"inv2543.dat", kOk},
      {"test_extra_not_in_rfc_sections.dat", kBadStartLine},
  };
  return kExpected;
}

SipParseStatus parse_file(const std::string& name, SipMessage& m, std::vector<uint8_t>& bytes) {
  bytes = read_file(name);
  return parse_sip_message(bytes, SipTransport::kUdp, m);
}

TEST(Rfc4475, EveryFile_HasTheExpectedOutcome) {
  const auto rows = manifest();
  ASSERT_EQ(rows.size(), 50u);  // 49 RFC files + the corpus' extra file
  std::size_t valid = 0;
  std::size_t invalid = 0;
  for (const auto& row : rows) {
    const auto it = expected().find(row.file);
    ASSERT_NE(it, expected().end()) << row.file;
    SipMessage m;
    std::vector<uint8_t> bytes;
    const SipParseStatus st = parse_file(row.file, m, bytes);
    EXPECT_EQ(to_string(st), to_string(it->second)) << row.file;
    if (row.rfc_class == "invalid") {
      EXPECT_NE(st, SipParseStatus::kOk) << row.file << " is invalid syntax";
      ++invalid;
    }
    if (row.rfc_class == "valid-syntax") {
      EXPECT_EQ(st, SipParseStatus::kOk) << row.file << " is valid syntax";
      ++valid;
    }
  }
  EXPECT_EQ(valid, 13u);
  EXPECT_EQ(invalid, 19u);
}

TEST(Rfc4475, EveryRejection_IsCountedByReason) {
  SignalingPlaneConfig cfg;
  cfg.max_calls = 64;
  cfg.max_tcp_streams = 4;
  cfg.tcp_buffer_bytes = 4096;
  SignalingPlane plane(cfg);
  std::map<SipParseStatus, uint64_t> want;
  uint64_t ok = 0;
  for (const auto& [file, status] : expected()) {
    const auto bytes = read_file(file);
    const uint32_t n = plane.on_payload(bytes, {}, false, 0, 0, 1'000'000'000);
    if (status == SipParseStatus::kOk) {
      EXPECT_EQ(n, 1u) << file;
      ++ok;
    } else {
      EXPECT_EQ(n, 0u) << file;
      ++want[status];
    }
  }
  for (std::size_t i = 1; i < kSipParseStatusCount; ++i) {
    const auto s = static_cast<SipParseStatus>(i);
    EXPECT_EQ(plane.counters().malformed_count(s), want[s]) << to_string(s);
  }
  EXPECT_EQ(plane.counters().messages.load(), ok);
  // dblreq.dat: the INVITE after the REGISTER's Content-Length is ignored and counted.
  EXPECT_GT(plane.counters().udp_trailing_bytes.load(), 0u);
}

TEST(Rfc4475, Wsinv_FoldingAndWhitespaceGiveTheRightFields) {
  SipMessage m;
  std::vector<uint8_t> b;
  ASSERT_EQ(parse_file("wsinv.dat", m, b), SipParseStatus::kOk);
  EXPECT_EQ(m.method, SipMethod::kInvite);
  EXPECT_EQ(m.request_uri, "sip:vivekg@chair-dnrc.example.com;unknownparam");
  EXPECT_EQ(m.call_id, "wsinv.ndaksdj@192.0.2.1");
  EXPECT_EQ(m.cseq, 9u);
  EXPECT_EQ(m.cseq_method_name, "INVITE");
  EXPECT_EQ(m.to.uri, "sip:vivekg@chair-dnrc.example.com");
  EXPECT_EQ(m.to.tag, "1918181833n");
  EXPECT_EQ(m.from.uri, "sip:jdrosen@example.com");
  EXPECT_EQ(m.from.tag, "98asjd8");
  EXPECT_EQ(m.from.display, R"(J Rosenberg \\\")");  // quoted-pairs kept
  EXPECT_EQ(m.max_forwards, 68);
  EXPECT_EQ(m.via_count, 3);  // one in "Via", two in the compact "v"
  EXPECT_EQ(m.via_branch, "390skdjuw");
  EXPECT_EQ(m.contact_count, 1);
  EXPECT_EQ(m.content_type, "application/sdp");
  ASSERT_TRUE(m.has_content_length);
  EXPECT_EQ(m.content_length, 150u);
  EXPECT_EQ(m.body.size(), 150u);
  EXPECT_TRUE(m.body.starts_with("v=0"));
  EXPECT_EQ(m.length, b.size());
}

TEST(Rfc4475, ValidFiles_CarryTheirKeyFields) {
  SipMessage m;
  std::vector<uint8_t> b;
  ASSERT_EQ(parse_file("intmeth.dat", m, b), SipParseStatus::kOk);
  EXPECT_EQ(m.method, SipMethod::kOther);
  EXPECT_EQ(m.method_name, "!interesting-Method0123456789_*+`.%indeed'~");
  EXPECT_EQ(m.cseq_method_name, m.method_name);
  EXPECT_EQ(m.call_id, R"(intmeth.word%ZK-!.*_+'@word`~)(><:\/"][?}{)");
  EXPECT_EQ(m.from.tag, "_token~1'+`*%!-.");
  EXPECT_EQ(m.via_branch, "z9hG4bK-.!%66*_+`'~");

  ASSERT_EQ(parse_file("esc01.dat", m, b), SipParseStatus::kOk);
  EXPECT_EQ(m.call_id, "esc01.239409asdfakjkn23onasd0-3234");  // compact "i"
  EXPECT_EQ(m.content_type, "application/sdp");               // compact "C"
  EXPECT_EQ(m.contact, "<sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>");

  ASSERT_EQ(parse_file("esc02.dat", m, b), SipParseStatus::kOk);
  EXPECT_EQ(m.method, SipMethod::kOther);  // RE%47IST%45R is not REGISTER
  EXPECT_EQ(m.contact_count, 2);           // "C%6Fntact" is another header

  ASSERT_EQ(parse_file("escnull.dat", m, b), SipParseStatus::kOk);
  EXPECT_EQ(m.method, SipMethod::kRegister);
  EXPECT_EQ(m.contact_count, 2);
  EXPECT_EQ(m.content_length, 0u);  // "L:0"

  ASSERT_EQ(parse_file("lwsdisp.dat", m, b), SipParseStatus::kOk);
  EXPECT_EQ(m.from.display, "caller");
  EXPECT_EQ(m.from.uri, "sip:caller@example.com");

  ASSERT_EQ(parse_file("longreq.dat", m, b), SipParseStatus::kOk);
  EXPECT_GT(m.call_id.size(), 100u);
  EXPECT_TRUE(m.from.tag.starts_with("12982982982"));
  EXPECT_GT(m.from.tag.size(), 100u);

  ASSERT_EQ(parse_file("dblreq.dat", m, b), SipParseStatus::kOk);
  EXPECT_EQ(m.method, SipMethod::kRegister);
  EXPECT_LT(m.length, b.size());

  ASSERT_EQ(parse_file("transports.dat", m, b), SipParseStatus::kOk);
  EXPECT_EQ(m.via_count, 5);
  EXPECT_EQ(m.via_branch, "z9hG4bKkdjuw");

  ASSERT_EQ(parse_file("mpart01.dat", m, b), SipParseStatus::kOk);
  EXPECT_EQ(m.method, SipMethod::kMessage);
  EXPECT_EQ(m.body.size(), m.content_length);

  ASSERT_EQ(parse_file("unreason.dat", m, b), SipParseStatus::kOk);
  EXPECT_FALSE(m.is_request);
  EXPECT_EQ(m.status_code, 200);
  EXPECT_TRUE(m.reason.starts_with("= 2**3 * 5**2"));

  ASSERT_EQ(parse_file("noreason.dat", m, b), SipParseStatus::kOk);
  EXPECT_EQ(m.status_code, 100);
  EXPECT_TRUE(m.reason.empty());

  ASSERT_EQ(parse_file("inv2543.dat", m, b), SipParseStatus::kOk);
  EXPECT_TRUE(m.via_branch.empty());
  EXPECT_FALSE(m.has_content_length);
  EXPECT_TRUE(m.body.starts_with("v=0"));  // UDP without Content-Length: the rest

  ASSERT_EQ(parse_file("semiuri.dat", m, b), SipParseStatus::kOk);
  EXPECT_EQ(m.request_uri, "sip:user;par=u%40example.net@example.com");
}

// Every prefix of every file: no crash, no out-of-bounds read (run under ASan too), and a
// valid message cut anywhere is never accepted as the full message.
TEST(Rfc4475, EveryPrefixOfEveryFile_IsHandled) {
  for (const auto& [file, status] : expected()) {
    const auto bytes = read_file(file);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      // Copy so ASan sees the exact end of the buffer.
      const std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + std::ptrdiff_t(n));
      SipMessage m;
      const auto st = parse_sip_message(prefix, SipTransport::kTcp, m);
      if (st == SipParseStatus::kOk) {
        EXPECT_LE(m.length, n) << file;
      }
      (void)looks_like_sip_start_line(prefix);
      (void)sip_frame(prefix);
    }
  }
}

}  // namespace
}  // namespace rv::planes::signaling
