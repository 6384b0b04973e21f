// Admin basic auth: base64 decoding, SHA-256 and bcrypt password checks, and the cache that spares
// a scraper one bcrypt computation per request.

#include "control/admin/admin_auth.hpp"

#include <gtest/gtest.h>

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

// bcrypt of "s3cret" at cost 4, as htpasswd -nbBC 4 admin s3cret writes it.
constexpr const char* kS3cretBcrypt =
    "$2y$04$WKcgPNn6C.3r4SMzgOE0m.Oh6gWNvRi5U0EVs5zV539meVPWLH9Ha";
constexpr const char* kRight = "Basic YWRtaW46czNjcmV0";  // admin:s3cret
constexpr const char* kWrong = "Basic YWRtaW46d3Jvbmc=";  // admin:wrong

TEST(AdminAuth, BcryptMatches_OnlyTheHashedPassword) {
  EXPECT_TRUE(bcrypt_matches("s3cret", kS3cretBcrypt));
  std::string b = kS3cretBcrypt;
  b[2] = 'b';  // $2b$: the same algorithm
  EXPECT_TRUE(bcrypt_matches("s3cret", b));
  EXPECT_FALSE(bcrypt_matches("s3cret ", kS3cretBcrypt));
  EXPECT_FALSE(bcrypt_matches("", kS3cretBcrypt));
  EXPECT_FALSE(bcrypt_matches(std::string_view("s3cret\0x", 8), kS3cretBcrypt));
  EXPECT_FALSE(
      bcrypt_matches("s3cret", "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0"));
}

TEST(AdminAuth, Bcrypt_RightCredentialsComputeBcryptOnceThenHitTheCache) {
  AdminAuth auth(BasicAuth{"admin", "", false, kS3cretBcrypt});
  EXPECT_EQ(auth.check(kRight), Credentials::kRight);
  EXPECT_EQ(auth.check(kRight), Credentials::kRight);
  EXPECT_EQ(auth.bcrypt_checks(), 1u);
  // Wrong credentials are never cached: each costs a computation (the throttle limits them).
  EXPECT_EQ(auth.check(kWrong), Credentials::kWrong);
  EXPECT_EQ(auth.check(kWrong), Credentials::kWrong);
  EXPECT_EQ(auth.bcrypt_checks(), 3u);
  EXPECT_EQ(auth.check(kRight), Credentials::kRight);
  EXPECT_EQ(auth.bcrypt_checks(), 3u);
}

TEST(AdminAuth, Bcrypt_RightPasswordOfAnotherUser_IsWrongAndNotCached) {
  AdminAuth auth(BasicAuth{"admin", "", false, kS3cretBcrypt});
  const char* root = "Basic cm9vdDpzM2NyZXQ=";  // root:s3cret
  EXPECT_EQ(auth.check(root), Credentials::kWrong);
  EXPECT_EQ(auth.check(root), Credentials::kWrong);
  EXPECT_EQ(auth.bcrypt_checks(), 2u);
}

TEST(AdminAuth, Sha256_NeedsNoBcrypt) {
  AdminAuth auth(
      BasicAuth{"admin", "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0"});
  EXPECT_EQ(auth.check(kRight), Credentials::kRight);
  EXPECT_EQ(auth.check(kWrong), Credentials::kWrong);
  EXPECT_EQ(auth.check(nullptr), Credentials::kMissing);
  EXPECT_EQ(auth.bcrypt_checks(), 0u);
}

}  // namespace
}  // namespace rv::control
