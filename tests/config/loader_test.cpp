#include "config/loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/schema.hpp"
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
