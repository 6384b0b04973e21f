#include "config/loader.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/schema.hpp"
#include "config/validate.hpp"
#include "rv_build_config.hpp"

namespace rv::config {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

TEST(ConfigLoader, EmptyText_GivesDefaults) {
  auto c = load_yaml_text("");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->dataplane.burst_size, 32u);
  EXPECT_EQ(c->control.metrics_listen, "127.0.0.1:9464");
}

TEST(ConfigLoader, ValidKeys_AreApplied) {
  auto c = load_yaml_text(
      "dataplane:\n  burst_size: 64\n  ports: [net_null0, \"0000:03:00.0\"]\n"
      "planes:\n  media:\n    max_streams: 1000\nlogging:\n  level: debug\n");
  ASSERT_TRUE(c.has_value()) << to_error(c.error()).message();
  EXPECT_EQ(c->dataplane.burst_size, 64u);
  EXPECT_THAT(c->dataplane.ports, ::testing::ElementsAre("net_null0", "0000:03:00.0"));
  EXPECT_EQ(c->planes.media.max_streams, 1000u);
  EXPECT_EQ(c->logging.level, "debug");
}

TEST(ConfigLoader, UnknownKey_ReportsPathAndLine) {
  auto c = load_yaml_text("dataplane:\n  burst_sise: 64\n");
  ASSERT_FALSE(c.has_value());
  ASSERT_THAT(c.error(), SizeIs(1));
  EXPECT_EQ(c.error()[0].to_string(), "dataplane.burst_sise: unknown key (line 2, column 3)");
}

TEST(ConfigLoader, WrongType_SaysWhatWasExpected) {
  auto c = load_yaml_text("dataplane:\n  burst_size: lots\n");
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error()[0].to_string(),
            "dataplane.burst_size: expected an integer in [1, 512], got 'lots' (line 2, column 15)");
}

TEST(ConfigLoader, OutOfRange_IsRejected) {
  auto c = load_yaml_text("control:\n  health_ring_usage: 1.5\n");
  ASSERT_FALSE(c.has_value());
  EXPECT_THAT(c.error()[0].to_string(), HasSubstr("control.health_ring_usage: value 1.5 out of range"));
}

TEST(ConfigLoader, TwoErrors_AreBothReported) {
  auto c = load_yaml_text("dataplane:\n  mode: bridge\nlogging:\n  colour: red\n");
  ASSERT_FALSE(c.has_value());
  ASSERT_THAT(c.error(), SizeIs(2));
  EXPECT_EQ(c.error()[0].to_string(),
            "dataplane.mode: expected one of monitor | forward, got 'bridge' (line 2, column 9)");
  EXPECT_EQ(c.error()[1].to_string(), "logging.colour: unknown key (line 4, column 3)");
}

TEST(ConfigLoader, ScalarWhereListExpected_IsRejected) {
  auto c = load_yaml_text("dataplane:\n  ports: net_null0\n");
  ASSERT_FALSE(c.has_value());
  EXPECT_THAT(c.error()[0].message, HasSubstr("expected a list of strings"));
}

TEST(ConfigLoader, SectionGivenAScalar_IsRejected) {
  auto c = load_yaml_text("planes: 3\n");
  ASSERT_FALSE(c.has_value());
  EXPECT_THAT(c.error()[0].to_string(), HasSubstr("planes: expected a mapping (section)"));
}

TEST(ConfigLoader, BrokenYaml_ReportsLine) {
  auto c = load_yaml_text("dataplane:\n  ports: [a, b\n");
  ASSERT_FALSE(c.has_value());
  EXPECT_THAT(c.error()[0].to_string(), HasSubstr("invalid YAML"));
  EXPECT_GT(c.error()[0].line, 0);
}

TEST(ConfigLoader, CrossKeyRules_PointAtTheKey) {
  auto c = load_yaml_text("events:\n  channel_capacity: 1000\n");
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error()[0].to_string(),
            "events.channel_capacity: 1000 is not a power of two (try 1024) (line 2, column 3)");
}

TEST(ConfigLoader, TypeErrorAndCrossKeyError_AreReportedTogether) {
  auto c = load_yaml_text("dataplane:\n  burst_size: lots\nevents:\n  channel_capacity: 1000\n");
  ASSERT_FALSE(c.has_value());
  ASSERT_THAT(c.error(), SizeIs(2));
  EXPECT_THAT(c.error()[0].to_string(), HasSubstr("dataplane.burst_size: expected an integer"));
  EXPECT_THAT(c.error()[1].to_string(), HasSubstr("events.channel_capacity: 1000 is not a power of two"));
}

TEST(ConfigLoader, RangeErrorAndAuthPairError_AreReportedTogether) {
  LoadRequest r;
  r.sets = {"control.health_drop_rate=2", "control.auth_user=admin"};
  auto c = load_config(r);
  ASSERT_FALSE(c.has_value());
  ASSERT_THAT(c.error(), SizeIs(2));
  EXPECT_THAT(c.error()[0].to_string(), HasSubstr("control.health_drop_rate: value 2 out of range"));
  EXPECT_THAT(c.error()[1].to_string(),
              HasSubstr("control.auth_password_sha256: expected 64 hex digits"));
}

TEST(ConfigLoader, HashWithoutUser_IsRejected) {
  LoadRequest r;
  r.sets = {"control.auth_password_sha256=" + std::string(64, 'a')};
  auto c = load_config(r);
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error()[0].to_string(),
            "control.auth_user: required with control.auth_password_sha256");
}

// bcrypt of "s3cret" at cost 4, as htpasswd -nbBC 4 admin s3cret writes it.
constexpr const char* kBcrypt = "$2y$04$WKcgPNn6C.3r4SMzgOE0m.Oh6gWNvRi5U0EVs5zV539meVPWLH9Ha";

ConfigIssues load_issues(std::vector<std::string> sets) {
  LoadRequest r;
  r.sets = std::move(sets);
  auto c = load_config(r);
  return c.has_value() ? ConfigIssues{} : c.error();
}

TEST(ConfigLoader, BcryptPassword_IsAcceptedWithAUser) {
  LoadRequest r;
  r.sets = {"control.auth_user=admin", std::string("control.auth_password_bcrypt=") + kBcrypt};
  auto c = load_config(r);
  ASSERT_TRUE(c.has_value()) << to_error(c.error()).message();
  EXPECT_EQ(c->control.auth_password_bcrypt, kBcrypt);
  std::string b = kBcrypt;
  b[2] = 'b';  // $2b$, as Python's bcrypt writes it
  EXPECT_THAT(load_issues({"control.auth_user=admin", "control.auth_password_bcrypt=" + b}),
              SizeIs(0));
}

TEST(ConfigLoader, NotABcryptHash_IsRejectedAtItsKey) {
  const std::string cut = std::string(kBcrypt).substr(0, 59);
  std::string cost = kBcrypt;
  cost[5] = '3';  // cost 03
  const std::vector<std::string> bads = {std::string(64, 'a'),
                                         cut,
                                         "$1$abc$def",
                                         "$2x$" + std::string(kBcrypt).substr(4),
                                         cost,
                                         "admin:" + std::string(kBcrypt)};
  for (const std::string& bad : bads) {
    const auto issues =
        load_issues({"control.auth_user=admin", "control.auth_password_bcrypt=" + bad});
    ASSERT_THAT(issues, SizeIs(1)) << bad;
    EXPECT_THAT(issues[0].to_string(),
                HasSubstr("control.auth_password_bcrypt: expected a bcrypt hash"))
        << bad;
  }
}

TEST(ConfigLoader, Sha256AndBcryptBoth_AreRejected) {
  const auto issues = load_issues({"control.auth_user=admin",
                                   "control.auth_password_sha256=" + std::string(64, 'a'),
                                   std::string("control.auth_password_bcrypt=") + kBcrypt});
  ASSERT_THAT(issues, SizeIs(1));
  EXPECT_THAT(issues[0].to_string(),
              HasSubstr("control.auth_password_bcrypt: set either control.auth_password_sha256 "
                        "or control.auth_password_bcrypt, not both"));
}

TEST(ConfigLoader, BcryptWithoutUser_IsRejected) {
  const auto issues = load_issues({std::string("control.auth_password_bcrypt=") + kBcrypt});
  ASSERT_THAT(issues, SizeIs(1));
  EXPECT_EQ(issues[0].to_string(), "control.auth_user: required with control.auth_password_bcrypt");
}

class TlsFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("rv-config-tls-{}-{}", getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "cert.pem") << "-----BEGIN CERTIFICATE-----\n";
    std::ofstream(dir_ / "key.pem") << "-----BEGIN PRIVATE KEY-----\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const char* name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

TEST_F(TlsFiles, CertAndKey_AreAccepted) {
  LoadRequest r;
  r.sets = {"control.tls_cert_file=" + path("cert.pem"), "control.tls_key_file=" + path("key.pem")};
  auto c = load_config(r);
  ASSERT_TRUE(c.has_value()) << to_error(c.error()).message();
  EXPECT_EQ(c->control.tls_cert_file, path("cert.pem"));
  EXPECT_EQ(c->control.tls_key_file, path("key.pem"));
}

TEST_F(TlsFiles, OneWithoutTheOther_IsRejectedAtTheMissingKey) {
  auto issues = load_issues({"control.tls_cert_file=" + path("cert.pem")});
  ASSERT_THAT(issues, SizeIs(1));
  EXPECT_THAT(issues[0].to_string(),
              HasSubstr("control.tls_key_file: required with control.tls_cert_file"));
  issues = load_issues({"control.tls_key_file=" + path("key.pem")});
  ASSERT_THAT(issues, SizeIs(1));
  EXPECT_THAT(issues[0].to_string(),
              HasSubstr("control.tls_cert_file: required with control.tls_key_file"));
}

TEST_F(TlsFiles, MissingOrUnreadableFile_IsRejectedWithItsKeyAndPath) {
  auto issues = load_issues(
      {"control.tls_cert_file=" + path("cert.pem"), "control.tls_key_file=" + path("nope.pem")});
  ASSERT_THAT(issues, SizeIs(1));
  EXPECT_EQ(issues[0].to_string(), "control.tls_key_file: cannot read '" + path("nope.pem") +
                                       "': No such file or directory");
  issues = load_issues(
      {"control.tls_cert_file=" + dir_.string(), "control.tls_key_file=" + path("key.pem")});
  ASSERT_THAT(issues, SizeIs(1));
  EXPECT_THAT(issues[0].to_string(),
              HasSubstr("control.tls_cert_file: '" + dir_.string() + "' is not a regular file"));
  if (geteuid() != 0) {  // root reads any file
    std::filesystem::permissions(path("key.pem"), std::filesystem::perms::none);
    issues = load_issues(
        {"control.tls_cert_file=" + path("cert.pem"), "control.tls_key_file=" + path("key.pem")});
    ASSERT_THAT(issues, SizeIs(1));
    EXPECT_THAT(issues[0].to_string(), HasSubstr("Permission denied"));
  }
}

TEST(ConfigSchema, AdminTlsAndBcryptKeys_NeedARestart) {
  for (const char* key :
       {"control.tls_cert_file", "control.tls_key_file", "control.auth_password_bcrypt"}) {
    const FieldSpec* f = find_field(key);
    ASSERT_NE(f, nullptr) << key;
    EXPECT_FALSE(f->reloadable) << key;
  }
}

TEST(ConfigLoader, RejectedKey_IsNotBlamedAgainByACrossKeyRule) {
  auto c = load_yaml_text("dataplane:\n  rtp_port_min: 100\n  rtp_port_max: lots\n");
  ASSERT_FALSE(c.has_value());
  ASSERT_THAT(c.error(), SizeIs(1));
  EXPECT_THAT(c.error()[0].to_string(), HasSubstr("dataplane.rtp_port_max: expected an integer"));
}

TEST(ConfigLoader, ManyBadSipPorts_ListsTheFirstHundredAndCountsTheRest) {
  std::string ports;
  for (int i = 0; i < 150; ++i) ports += (i ? ", x" : "x") + std::to_string(i);
  auto c = load_yaml_text("dataplane:\n  sip_ports: [" + ports + "]\n");
  ASSERT_FALSE(c.has_value());
  ASSERT_THAT(c.error(), SizeIs(kMaxListedIssues + 1));
  EXPECT_EQ(c.error().back().to_string(), "and 50 more errors (only the first 100 are listed)");
}

TEST(ConfigLoader, MetricsListenWithAComma_IsRejected) {
  LoadRequest r;
  r.sets = {"control.metrics_listen=127.0.0.1:9464,127.0.0.1:9465"};
  auto c = load_config(r);
  ASSERT_FALSE(c.has_value());
  EXPECT_THAT(c.error()[0].to_string(),
              HasSubstr("control.metrics_listen: expected one host:port"));
}

TEST(ConfigLoader, Peers_AreLoaded) {
  auto c = load_yaml_text(
      "planes:\n  peers:\n    - carrier-a=192.0.2.0/24\n    - sbc1=sbc1.example.net\n"
      "    - carrier-b=*.carrier-b.example\n    - carrier-a=2001:db8::/32\n"
      "  media:\n    gap_ms: 500\n");
  ASSERT_TRUE(c.has_value()) << to_error(c.error()).message();
  EXPECT_THAT(c->planes.peers, ::testing::ElementsAre("carrier-a=192.0.2.0/24",
                                                      "sbc1=sbc1.example.net",
                                                      "carrier-b=*.carrier-b.example",
                                                      "carrier-a=2001:db8::/32"));
  EXPECT_EQ(c->planes.media.gap_ms, 500u);
}

TEST(ConfigLoader, BadPeerEntries_NameTheItemItsLineAndWhatWasExpected) {
  auto c = load_yaml_text(
      "planes:\n  peers:\n    - carrier-a=192.0.2.0/24\n    - carrier-b=10.0.0.0/33\n"
      "    - other=10.1.0.0/16\n    - sbc1\n    - bad name=sbc.example.net\n"
      "    - x=-sbc.example.net\n");
  ASSERT_FALSE(c.has_value());
  ASSERT_THAT(c.error(), SizeIs(5));
  EXPECT_EQ(c.error()[0].to_string(),
            "planes.peers[1]: '33' is not a prefix length in [0, 32] (line 4, column 7)");
  EXPECT_EQ(c.error()[1].to_string(),
            "planes.peers[2]: peer name 'other' is reserved for peers not configured (line 5, "
            "column 7)");
  EXPECT_THAT(c.error()[2].to_string(),
              HasSubstr("planes.peers[3]: 'sbc1' is not name=match (e.g. carrier-a=192.0.2.0/24"));
  EXPECT_THAT(c.error()[2].to_string(), HasSubstr("(line 6, column 7)"));
  EXPECT_THAT(c.error()[3].to_string(),
              HasSubstr("planes.peers[4]: peer name 'bad name' must be 1 to 64 letters"));
  EXPECT_EQ(c.error()[4].to_string(),
            "planes.peers[5]: '-sbc.example.net' is neither an IP prefix (address[/length]) nor a "
            "SIP host name (line 8, column 7)");
}

TEST(ConfigLoader, TooManyPeerNames_AreRejected) {
  LoadRequest r;
  std::string peers = "planes.peers=";
  for (int i = 0; i < 65; ++i) peers += fmt::format("{}p{}=10.0.{}.0/24", i ? "," : "", i, i);
  r.sets = {peers};
  auto c = load_config(r);
  ASSERT_FALSE(c.has_value());
  EXPECT_THAT(c.error()[0].to_string(),
              HasSubstr("planes.peers: 65 peer names, at most 64"));
}

TEST(ConfigLoader, PeersFromSet_AreSplitOnCommas) {
  LoadRequest r;
  r.sets = {"planes.peers=carrier-a=192.0.2.0/24,sbc1=sbc1.example.net"};
  auto c = load_config(r);
  ASSERT_TRUE(c.has_value()) << to_error(c.error()).message();
  EXPECT_THAT(c->planes.peers,
              ::testing::ElementsAre("carrier-a=192.0.2.0/24", "sbc1=sbc1.example.net"));
}

TEST(ListenAddress, AcceptsWhatTheAdminEndpointCanBind) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(split_listen_address("127.0.0.1:9464", host, port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 9464);
  ASSERT_TRUE(split_listen_address("[::1]:80", host, port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 80);
  EXPECT_TRUE(split_listen_address("localhost:9464", host, port));
  EXPECT_TRUE(split_listen_address("probe-1.example.net:9464", host, port));
  EXPECT_TRUE(split_listen_address("0.0.0.0:65535", host, port));
}

TEST(ListenAddress, RejectsListsBareIpv6AndJunk) {
  std::string host;
  uint16_t port = 0;
  for (const char* bad : {"127.0.0.1:9464,127.0.0.1:9465", "127.0.0.1:9464,9465", "::1:9464",
                          "[::1:9464", "[]:9464", "[zz]:9464", ":9464", "9464", "127.0.0.1:0",
                          "127.0.0.1:65536", "127.0.0.1:", "127.0.0.1 :9464", "a_b:9464",
                          "-host:9464", "host-:9464", "a..b:9464", "1.2.3:9464", "*:9464",
                          "127.0.0.1:94x4"}) {
    EXPECT_FALSE(split_listen_address(bad, host, port)) << bad;
  }
}

TEST(ConfigLoader, Precedence_FileThenEnvThenSet) {
  const auto path = std::filesystem::temp_directory_path() / "rv_precedence.yaml";
  {
    std::ofstream(path) << "dataplane:\n  burst_size: 16\n  mbuf_cache: 100\nlogging:\n  level: warn\n";
  }
  LoadRequest r;
  r.file = path.string();
  r.env = {{"RVOIP__DATAPLANE__BURST_SIZE", "48"}, {"RVOIP__LOGGING__LEVEL", "error"}};
  r.sets = {"logging.level=debug", "planes.signaling.max_calls=5000"};
  auto c = load_config(r);
  ASSERT_TRUE(c.has_value()) << to_error(c.error()).message();
  EXPECT_EQ(c->dataplane.mbuf_cache, 100u);  // file
  EXPECT_EQ(c->dataplane.burst_size, 48u);   // env over file
  EXPECT_EQ(c->logging.level, "debug");      // --set over env
  EXPECT_EQ(c->planes.signaling.max_calls, 5000u);
  std::filesystem::remove(path);
}

TEST(ConfigLoader, BadOverrides_NameTheirOrigin) {
  LoadRequest r;
  r.env = {{"RVOIP__DATAPLANE__NOPE", "1"}};
  r.sets = {"dataplane.burst_size=0", "novalue"};
  auto c = load_config(r);
  ASSERT_FALSE(c.has_value());
  ASSERT_THAT(c.error(), SizeIs(3));
  EXPECT_EQ(c.error()[0].to_string(), "dataplane.nope: unknown key (from environment RVOIP__DATAPLANE__NOPE)");
  EXPECT_EQ(c.error()[1].to_string(),
            "dataplane.burst_size: value 0 out of range: expected an integer in [1, 512] (from --set)");
  EXPECT_THAT(c.error()[2].to_string(), HasSubstr("expected --set section.key=value"));
}

TEST(ConfigLoader, MissingFile_IsAnIssueNotACrash) {
  LoadRequest r;
  r.file = "/nonexistent/rvoipd.yaml";
  auto c = load_config(r);
  ASSERT_FALSE(c.has_value());
  EXPECT_THAT(c.error()[0].to_string(), HasSubstr("cannot read config file"));
}

TEST(ConfigLoader, RenderedDefaultConfig_LoadsBackToDefaults) {
  const std::string text = render_default_config();
  auto c = load_yaml_text(text);
  ASSERT_TRUE(c.has_value()) << to_error(c.error()).message() << "\n" << text;
  const Config defaults;
  for (const auto& f : schema()) EXPECT_TRUE(f.equal(*c, defaults)) << f.path;
  EXPECT_THAT(text, HasSubstr("# packets per rx_burst"));
}

TEST(ConfigLoader, EveryExampleConfig_IsValid) {
  const std::filesystem::path dir = std::filesystem::path(RV_SOURCE_DIR) / "config" / "examples";
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    LoadRequest r;
    r.file = entry.path().string();
    auto c = load_config(r);
    EXPECT_TRUE(c.has_value()) << entry.path() << ": "
                               << (c ? "" : to_error(c.error()).message());
    ++seen;
  }
  EXPECT_GE(seen, 2);
}

}  // namespace
}  // namespace rv::config
