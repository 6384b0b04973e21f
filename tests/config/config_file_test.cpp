// Reading the config file: only a bounded regular file, never a directory, FIFO or device, never
// an empty file, never more than control.config_max_bytes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "config/loader.hpp"

namespace rv::config {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

class ConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rv_config_file_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const auto p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

  std::filesystem::path dir_;
};

std::expected<Config, ConfigIssues> load_file(const std::string& path,
                                              std::vector<std::string> sets = {}) {
  LoadRequest r;
  r.file = path;
  r.sets = std::move(sets);
  return load_config(r);
}

// Runs `body` in a child process with 512 MiB of address space and 20 s of time, so a loader
// that blocks or reads without bound fails the test instead of hanging or exhausting the
// machine. The child's exit code: body() as 0 (true) or 1 (false); killed -> -1.
int run_bounded(const std::function<bool()>& body) {
  const pid_t pid = fork();
  if (pid == 0) {
    rlimit as{512ull << 20, 512ull << 20};
    setrlimit(RLIMIT_AS, &as);
    alarm(20);
    _exit(body() ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool first_issue_has(const std::expected<Config, ConfigIssues>& c, std::string_view text) {
  return !c && !c.error().empty() && c.error()[0].to_string().find(text) != std::string::npos;
}

TEST_F(ConfigFile, Directory_IsRefusedWithAClearError) {
  const auto c = load_file(dir_.string());
  ASSERT_FALSE(c.has_value());
  ASSERT_THAT(c.error(), SizeIs(1));
  EXPECT_THAT(c.error()[0].to_string(), HasSubstr("it is a directory, not a regular file"));
}

TEST_F(ConfigFile, Fifo_IsRefusedWithoutBlocking) {
  const auto fifo = (dir_ / "config.fifo").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(run_bounded([&] { return first_issue_has(load_file(fifo), "it is a FIFO"); }), 0)
      << "the loader blocked on a FIFO or misreported it";
}

TEST_F(ConfigFile, DevZero_IsRefusedUnread) {
  EXPECT_EQ(run_bounded(
                [] { return first_issue_has(load_file("/dev/zero"), "it is a character device"); }),
            0)
      << "the loader read /dev/zero without bound or misreported it";
}

TEST_F(ConfigFile, SymlinkToRegularFile_IsRead) {
  const auto target = write("real.yaml", "logging:\n  level: debug\n");
  const auto link = (dir_ / "link.yaml").string();
  std::filesystem::create_symlink(target, link);
  const auto c = load_file(link);
  ASSERT_TRUE(c.has_value()) << to_error(c.error()).message();
  EXPECT_EQ(c->logging.level, "debug");
}

TEST_F(ConfigFile, EmptyOrBlankFile_IsRefused) {
  for (const char* text : {"", "\n", "  \n\t\n"}) {
    const auto c = load_file(write("empty.yaml", text));
    ASSERT_FALSE(c.has_value()) << "'" << text << "' loaded as defaults";
    EXPECT_THAT(c.error()[0].to_string(), HasSubstr("config file is empty"));
  }
}

TEST_F(ConfigFile, CommentsOnly_KeepsTheDefaults) {
  const auto c = load_file(write("comments.yaml", "# every key at its default\n"));
  ASSERT_TRUE(c.has_value()) << to_error(c.error()).message();
  EXPECT_EQ(c->dataplane.burst_size, 32u);
}

// `bytes` of distinct unknown keys under `dataplane:`.
std::string unknown_keys(std::size_t bytes) {
  std::string s = "dataplane:\n";
  for (std::size_t i = 0; s.size() < bytes; ++i)
    s += "  unknown_key_" + std::to_string(i) + ": 1\n";
  return s;
}

TEST_F(ConfigFile, FiftyMegabytesOfUnknownKeys_RefusedBySizeAlone) {
  const auto path = write("huge.yaml", unknown_keys(50u << 20));
  const auto c = load_file(path);
  ASSERT_FALSE(c.has_value());
  ASSERT_THAT(c.error(), SizeIs(1)) << "the file was parsed";
  EXPECT_THAT(c.error()[0].to_string(), HasSubstr("more than control.config_max_bytes (4194304)"));
}

TEST_F(ConfigFile, LimitRaisedWithSet_ReadsALargerFile) {
  const std::string text = std::string(5u << 20, '#') + "\nlogging:\n  level: warn\n";
  const auto path = write("large.yaml", text);
  EXPECT_FALSE(load_file(path).has_value());
  const auto c = load_file(path, {"control.config_max_bytes=8388608"});
  ASSERT_TRUE(c.has_value()) << to_error(c.error()).message();
  EXPECT_EQ(c->logging.level, "warn");
  EXPECT_EQ(c->control.config_max_bytes, 8388608u);
}

TEST_F(ConfigFile, LimitInTheFile_MayLowerButNotRaiseIt) {
  auto c = load_file(
      write("lower.yaml", "control:\n  config_max_bytes: 1024\n" + std::string(2000, '#') + "\n"));
  ASSERT_FALSE(c.has_value());
  EXPECT_THAT(c.error()[0].to_string(),
              HasSubstr("more than control.config_max_bytes (1024) that it sets"));
  c = load_file(write("raise.yaml", "control:\n  config_max_bytes: 8388608\n"));
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(
      c.error()[0].to_string(),
      "control.config_max_bytes: 8388608 cannot raise the limit this file was read under "
      "(4194304); raise it with --set or RVOIP__CONTROL__CONFIG_MAX_BYTES (line 2, column 3)");
  c = load_file(write("ok.yaml", "control:\n  config_max_bytes: 2048\n"));
  ASSERT_TRUE(c.has_value()) << to_error(c.error()).message();
  EXPECT_EQ(c->control.config_max_bytes, 2048u);
}

TEST_F(ConfigFile, ManyUnknownKeys_ListsTheFirstHundredAndCountsTheRest) {
  std::string text = "dataplane:\n";
  for (int i = 0; i < 1000; ++i) text += "  nope_" + std::to_string(i) + ": 1\n";
  const auto c = load_file(write("many.yaml", text));
  ASSERT_FALSE(c.has_value());
  ASSERT_THAT(c.error(), SizeIs(kMaxListedIssues + 1));
  EXPECT_EQ(c.error()[0].to_string(), "dataplane.nope_0: unknown key (line 2, column 3)");
  EXPECT_EQ(c.error()[99].path, "dataplane.nope_99");
  EXPECT_EQ(c.error()[100].to_string(), "and 900 more errors (only the first 100 are listed)");
}

}  // namespace
}  // namespace rv::config
