// SIP parser details: fields, compact forms, folding, repeated and comma-separated headers,
// parameters, bodies by Content-Length, every truncation, the strict start-line check.
#include "planes/signaling/sip_parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "planes/signaling/sip_header_values.hpp"
#include "tests/planes/signaling/sip_messages.hpp"

namespace rv::planes::signaling {
namespace {

using test_support::bytes;

SipParseStatus parse(const std::string& s, SipMessage& m, SipTransport t = SipTransport::kUdp) {
  return parse_sip_message(bytes(s), t, m);
}

const std::string kInvite =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: \"Alice W.\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 10\r\n"
    "\r\n"
    "v=0\r\ns=-\r\n";

TEST(SipParser, Invite_AllFields) {
  SipMessage m;
  ASSERT_EQ(parse(kInvite, m), SipParseStatus::kOk);
  EXPECT_TRUE(m.is_request);
  EXPECT_EQ(m.method, SipMethod::kInvite);
  EXPECT_EQ(m.method_name, "INVITE");
  EXPECT_EQ(m.request_uri, "sip:bob@biloxi.example.com");
  EXPECT_EQ(m.via_top, "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport");
  EXPECT_EQ(m.via_branch, "z9hG4bK776asdhds");
  EXPECT_EQ(m.via_count, 1);
  EXPECT_EQ(m.max_forwards, 70);
  EXPECT_EQ(m.to.display, "Bob");
  EXPECT_EQ(m.to.uri, "sip:bob@biloxi.example.com");
  EXPECT_TRUE(m.to.tag.empty());
  EXPECT_EQ(m.from.display, "Alice W.");
  EXPECT_EQ(m.from.uri, "sip:alice@atlanta.example.com");
  EXPECT_EQ(m.from.tag, "1928301774");
  EXPECT_EQ(m.call_id, "a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_EQ(m.cseq, 314159u);
  EXPECT_EQ(m.cseq_method, SipMethod::kInvite);
  EXPECT_EQ(m.contact, "<sip:alice@pc33.atlanta.example.com>");
  EXPECT_EQ(m.content_type, "application/sdp");
  EXPECT_TRUE(m.has_content_length);
  EXPECT_EQ(m.body, "v=0\r\ns=-\r\n");
  EXPECT_EQ(m.length, kInvite.size());
  EXPECT_EQ(m.header_count, 9);
  ASSERT_NE(m.find(SipHeaderId::kMaxForwards), nullptr);
  EXPECT_EQ(m.find(SipHeaderId::kMaxForwards)->value, "70");
}

TEST(SipParser, Response_StatusLineAndCSeq) {
  SipMessage m;
  const std::string r = test_support::Msg{.to_tag = "xyz"}.response(486, "Busy Here");
  ASSERT_EQ(parse(r, m), SipParseStatus::kOk);
  EXPECT_FALSE(m.is_request);
  EXPECT_EQ(m.status_code, 486);
  EXPECT_EQ(m.reason, "Busy Here");
  EXPECT_EQ(m.cseq_method, SipMethod::kInvite);
  EXPECT_EQ(m.to.tag, "xyz");
}

TEST(SipParser, CompactForms_MapToTheLongHeaders) {
  const std::string s =
      "BYE sip:bob@example.com SIP/2.0\r\n"
      "v: SIP/2.0/TCP h.example.com;branch=z9hG4bKc\r\n"
      "f: <sip:a@example.com>;tag=a1\r\n"
      "t: <sip:b@example.com>;tag=b1\r\n"
      "i: compact@example.com\r\n"
      "CSeq: 2 BYE\r\n"
      "m: <sip:a@192.0.2.1>\r\n"
      "c: text/plain\r\n"
      "l: 2\r\n"
      "k: timer\r\n"
      "s: hello\r\n"
      "\r\n"
      "hi";
  SipMessage m;
  ASSERT_EQ(parse(s, m), SipParseStatus::kOk);
  EXPECT_EQ(m.via_branch, "z9hG4bKc");
  EXPECT_EQ(m.from.tag, "a1");
  EXPECT_EQ(m.to.tag, "b1");
  EXPECT_EQ(m.call_id, "compact@example.com");
  EXPECT_EQ(m.contact, "<sip:a@192.0.2.1>");
  EXPECT_EQ(m.content_type, "text/plain");
  EXPECT_EQ(m.body, "hi");
  EXPECT_NE(m.find(SipHeaderId::kSupported), nullptr);
  EXPECT_NE(m.find(SipHeaderId::kSubject), nullptr);
  const std::pair<const char*, SipHeaderId> kCompact[] = {
      {"i", SipHeaderId::kCallId},        {"F", SipHeaderId::kFrom},
      {"t", SipHeaderId::kTo},            {"v", SipHeaderId::kVia},
      {"m", SipHeaderId::kContact},       {"l", SipHeaderId::kContentLength},
      {"c", SipHeaderId::kContentType},   {"k", SipHeaderId::kSupported},
      {"s", SipHeaderId::kSubject},       {"e", SipHeaderId::kContentEncoding},
      {"o", SipHeaderId::kEvent},         {"r", SipHeaderId::kReferTo},
      {"u", SipHeaderId::kAllowEvents},   {"x", SipHeaderId::kSessionExpires},
      {"y", SipHeaderId::kIdentity},      {"CALL-id", SipHeaderId::kCallId},
      {"content-LENGTH", SipHeaderId::kContentLength}, {"X-Custom", SipHeaderId::kOther},
  };
  for (const auto& [name, id] : kCompact) EXPECT_EQ(sip_header_id(name), id) << name;
}

TEST(SipParser, FoldedHeaders_AreUnfoldedIntoOneValue) {
  const std::string s =
      "OPTIONS sip:bob@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP\r\n   h.example.com\r\n\t;branch=z9hG4bKfold\r\n"
      "From: <sip:a@example.com>\r\n ;tag=f1\r\n"
      "To: <sip:b@example.com>\r\n"
      "Call-ID: fold@example.com\r\n"
      "CSeq: 7\r\n OPTIONS\r\n"
      "Subject: first line\r\n second line\r\n"
      "Content-Length: 0\r\n\r\n";
  SipMessage m;
  ASSERT_EQ(parse(s, m), SipParseStatus::kOk);
  EXPECT_EQ(m.via_branch, "z9hG4bKfold");
  EXPECT_EQ(m.from.tag, "f1");
  EXPECT_EQ(m.cseq, 7u);
  EXPECT_EQ(m.cseq_method, SipMethod::kOptions);
  const SipHeader* subject = m.find(SipHeaderId::kSubject);
  ASSERT_NE(subject, nullptr);
  EXPECT_EQ(subject->value, "first line\r\n second line");
}

TEST(SipParser, RepeatedAndCommaSeparatedVia_TopIsTheFirst) {
  const std::string s =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bKtop, SIP/2.0/UDP p2.example.com;branch=z9hG4bK2\r\n"
      "Via: SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bK3;received=192.0.2.9\r\n"
      "From: <sip:a@example.com>;tag=1\r\n"
      "To: <sip:b@example.com>;tag=2\r\n"
      "Call-ID: via@example.com\r\n"
      "CSeq: 1 INVITE\r\n"
      "Contact: <sip:b@192.0.2.2>;expires=60, \"B, two\" <sip:b@192.0.2.3>, sip:b@192.0.2.4\r\n"
      "Content-Length: 0\r\n\r\n";
  SipMessage m;
  ASSERT_EQ(parse(s, m), SipParseStatus::kOk);
  EXPECT_EQ(m.via_count, 3);
  EXPECT_EQ(m.via_branch, "z9hG4bKtop");
  EXPECT_EQ(m.contact_count, 3);
  EXPECT_EQ(m.contact, "<sip:b@192.0.2.2>;expires=60");
}

TEST(SipParser, Params_TagsWithLwsAndQuotedValues) {
  SipNameAddr na;
  ASSERT_TRUE(parse_name_addr("<sip:a@example.com> ; x=\"q;v\" ;  tag = abc ;lr", na));
  EXPECT_EQ(na.uri, "sip:a@example.com");
  EXPECT_EQ(na.tag, "abc");
  ASSERT_TRUE(parse_name_addr("sip:a@example.com;tag=t9", na = {}));
  EXPECT_EQ(na.uri, "sip:a@example.com");
  EXPECT_EQ(na.tag, "t9");
  EXPECT_FALSE(parse_name_addr("<sip:a@example.com>;;tag=x", na = {}));     // empty param
  EXPECT_FALSE(parse_name_addr("\"open <sip:a@example.com>", na = {}));     // unbalanced quote
  EXPECT_FALSE(parse_name_addr("<sip:a@example.com", na = {}));             // no '>'
  EXPECT_FALSE(parse_name_addr("<a@example.com>", na = {}));                // no scheme
  EXPECT_FALSE(parse_name_addr("Bell, Alex <sip:a@example.com>", na = {})); // non-token name
  std::string_view branch;
  EXPECT_TRUE(parse_via_parm("SIP/2.0/UDP h;branch=z9hG4bKx;rport", branch));
  EXPECT_EQ(branch, "z9hG4bKx");
  EXPECT_FALSE(parse_via_parm("SIP/2.0/UDP", branch));       // no sent-by
  EXPECT_FALSE(parse_via_parm("SIP/2.0 UDP h", branch));     // no second slash
  uint32_t n = 0;
  std::string_view meth;
  EXPECT_TRUE(parse_cseq("2147483647 INVITE", n, meth));
  EXPECT_FALSE(parse_cseq("2147483648 INVITE", n, meth));   // >= 2^31
  EXPECT_FALSE(parse_cseq("12INVITE", n, meth));
  EXPECT_FALSE(parse_cseq("12", n, meth));
}

TEST(SipParser, Body_ByContentLengthOrTransport) {
  SipMessage m;
  // Datagram with octets past Content-Length: they are not part of the message.
  ASSERT_EQ(parse(kInvite + "garbage", m), SipParseStatus::kOk);
  EXPECT_EQ(m.length, kInvite.size());
  EXPECT_EQ(m.body.size(), 10u);
  // No Content-Length: over UDP the rest of the datagram, over TCP nothing.
  std::string no_cl = kInvite;
  no_cl.erase(no_cl.find("Content-Length: 10\r\n"), 20);
  ASSERT_EQ(parse(no_cl, m, SipTransport::kUdp), SipParseStatus::kOk);
  EXPECT_EQ(m.body, "v=0\r\ns=-\r\n");
  ASSERT_EQ(parse(no_cl, m, SipTransport::kTcp), SipParseStatus::kOk);
  EXPECT_TRUE(m.body.empty());
  // Keep-alive CRLFs before the start line are skipped and counted in length.
  ASSERT_EQ(parse("\r\n\r\n" + kInvite, m), SipParseStatus::kOk);
  EXPECT_EQ(m.length, kInvite.size() + 4);
}

TEST(SipParser, EveryTruncation_IsIncompleteOrBodyTruncated) {
  const std::size_t body_start = kInvite.find("\r\n\r\n") + 4;
  for (std::size_t n = 0; n < kInvite.size(); ++n) {
    const std::string cut = kInvite.substr(0, n);
    SipMessage m;
    const SipParseStatus st = parse(cut, m);
    if (n < body_start) {
      EXPECT_EQ(st, SipParseStatus::kIncomplete) << n;
    } else {
      EXPECT_EQ(st, SipParseStatus::kBodyTruncated) << n;
    }
    EXPECT_EQ(sip_frame(bytes(cut)).kind, SipFrame::Kind::kNeedMore) << n;
  }
  SipMessage m;
  EXPECT_EQ(parse(kInvite, m), SipParseStatus::kOk);
  const SipFrame f = sip_frame(bytes(kInvite + "INVITE"));
  EXPECT_EQ(f.kind, SipFrame::Kind::kComplete);
  EXPECT_EQ(f.length, kInvite.size());
}

TEST(SipParser, MalformedMessages_GiveTheirReason) {
  SipMessage m;
  const auto with = [](const std::string& from, const std::string& to) {
    std::string s = kInvite;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  EXPECT_EQ(parse(with("INVITE sip:", "INV@TE sip:"), m), SipParseStatus::kBadMethod);
  EXPECT_EQ(parse(with("SIP/2.0\r\nVia", "SIP/3.0\r\nVia"), m), SipParseStatus::kBadVersion);
  EXPECT_EQ(parse(with("Max-Forwards: 70", "Max-Forwards 70"), m), SipParseStatus::kBadHeaderLine);
  EXPECT_EQ(parse(with("Max-Forwards: 70", "Max-Forwards: 256"), m), SipParseStatus::kBadMaxForwards);
  EXPECT_EQ(parse(with("Max-Forwards: 70", "Call-ID: again"), m), SipParseStatus::kDuplicateHeader);
  EXPECT_EQ(parse(with("Call-ID: a84b", "X-Call-ID: a84b"), m), SipParseStatus::kMissingHeader);
  EXPECT_EQ(parse(with("CSeq: 314159 INVITE", "CSeq: 314159 BYE"), m), SipParseStatus::kCSeqMethodMismatch);
  EXPECT_EQ(parse(with("CSeq: 314159", "CSeq: x"), m), SipParseStatus::kBadCSeq);
  EXPECT_EQ(parse(with("Content-Length: 10", "Content-Length: 11"), m), SipParseStatus::kBodyTruncated);
  EXPECT_EQ(parse(with("Content-Length: 10", "Content-Length: ten"), m), SipParseStatus::kBadContentLength);
  EXPECT_EQ(parse(with("branch=z9hG4bK776asdhds;rport", "branch="), m), SipParseStatus::kBadVia);
  EXPECT_EQ(parse(with("Contact: <sip:alice", "Contact: <alice"), m), SipParseStatus::kBadContact);
  EXPECT_EQ(parse(with("Call-ID: a84b4c76e66710", "Call-ID: a84b4c76 e66710"), m), SipParseStatus::kBadCallId);
  EXPECT_EQ(parse(with("\r\nVia", "\nVia"), m), SipParseStatus::kBadStartLine);
  EXPECT_EQ(parse("SIP/2.0 2000 OK\r\n\r\n", m), SipParseStatus::kBadStatusCode);
  EXPECT_EQ(parse("SIP/2.0 099 Low\r\n\r\n", m), SipParseStatus::kBadStatusCode);
  EXPECT_EQ(parse("HELLO\r\n\r\n", m), SipParseStatus::kBadStartLine);
}

TEST(SipParser, StartLineCheck_AcceptsSipRejectsHttp) {
  const auto check = [](const std::string& s) { return looks_like_sip_start_line(bytes(s)); };
  EXPECT_TRUE(check("INVITE sip:bob@example.com SIP/2.0\r\n"));
  EXPECT_TRUE(check("REGISTER sips:example.com SIP/2.0\r\nVia: x"));
  EXPECT_TRUE(check("SIP/2.0 200 OK\r\n"));
  EXPECT_TRUE(check("SIP/2.0 100 \r\n"));
  EXPECT_TRUE(check("FOO tel:+12125551212 SIP/2.0\r\n"));
  EXPECT_FALSE(check("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(check("GET http://example.com/ HTTP/1.1\r\n"));
  EXPECT_FALSE(check("POST /sip HTTP/1.0\r\n"));
  EXPECT_FALSE(check("HTTP/1.1 200 OK\r\n"));
  EXPECT_FALSE(check("INVITE sip:bob@example.com SIP/2.0"));     // no CRLF
  EXPECT_FALSE(check("INVITE sip:bob@example.com SIP/2.0\n"));   // bare LF
  EXPECT_FALSE(check("INVITE  sip:bob@example.com SIP/2.0\r\n")); // two SP
  EXPECT_FALSE(check("INVITE sip:bob@example.com SIP/2.0 \r\n")); // trailing SP
  EXPECT_FALSE(check("INVITE <sip:bob@example.com> SIP/2.0\r\n"));
  EXPECT_FALSE(check("SIP/2.0 20 OK\r\n"));
  EXPECT_FALSE(check("SIP/2.0 200\r\n"));
  EXPECT_FALSE(check("SIP/2.0 200 O\x01K\r\n"));
  EXPECT_FALSE(check(""));
  EXPECT_FALSE(check("\x80\x08\x12\x34 binary rtp"));
}

// Issue 14 item 8: an empty header name (": x") made sip_header_id() read name[0] of an empty
// view: sip_frame() (the TCP framing) meets header lines the parser would reject, so one TCP
// segment aborted a _GLIBCXX_ASSERTIONS build.
TEST(SipParser, EmptyHeaderName_IsOtherAndRejected) {
  EXPECT_EQ(sip_header_id(""), SipHeaderId::kOther);
  std::string s = kInvite;
  s.insert(s.find("Content-Type"), ": x\r\n \t: y\r\n");
  const SipFrame f = sip_frame(bytes(s));
  EXPECT_EQ(f.kind, SipFrame::Kind::kComplete);
  EXPECT_EQ(f.length, s.size());
  SipMessage m;
  EXPECT_EQ(parse(s, m), SipParseStatus::kBadHeaderLine);
}

}  // namespace
}  // namespace rv::planes::signaling
