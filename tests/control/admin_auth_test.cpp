// Admin basic-auth helpers: base64 decoding, SHA-256 password check.

#include <gtest/gtest.h>

#include "control/admin/admin_auth.hpp"

namespace rv::control {
namespace {

TEST(AdminAuth, DecodeBase64_StandardAlphabetWithPadding) {
  EXPECT_EQ(decode_base64("YWRtaW46czNjcmV0"), "admin:s3cret");
  EXPECT_EQ(decode_base64("YQ=="), "a");
  EXPECT_EQ(decode_base64(""), "");
  EXPECT_FALSE(decode_base64("not base64!"));
}

TEST(AdminAuth, PasswordMatches_OnlyTheHashedPasswordCaseInsensitiveHex) {
  const char* hash = "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0";
  EXPECT_TRUE(password_matches("s3cret", hash));
  EXPECT_TRUE(password_matches("s3cret", "1EC1C26B50D5D3C58D9583181AF8076655FE00756BF7285940BA3670F99FCBA0"));
  EXPECT_FALSE(password_matches("s3cret ", hash));
  EXPECT_FALSE(password_matches("", hash));
  EXPECT_FALSE(password_matches("s3cret", "1ec1"));
}

TEST(AdminAuth, IsSha256Hex) {
  EXPECT_TRUE(is_sha256_hex(std::string(64, 'a')));
  EXPECT_FALSE(is_sha256_hex(std::string(63, 'a')));
  EXPECT_FALSE(is_sha256_hex(std::string(64, 'g')));
}

}  // namespace
}  // namespace rv::control
