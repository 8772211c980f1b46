#include "token_check.hpp"

#include <gtest/gtest.h>

#include "auth_handler.hpp"

using tim::auth::SharedToken;

TEST(SharedToken, AcceptsTheTutorialHeaderAndBearerForm) {
  SharedToken t{"letmeinpleasekthxbye"};
  EXPECT_TRUE(t.accepts("letmeinpleasekthxbye"));
  EXPECT_TRUE(t.accepts("Bearer letmeinpleasekthxbye"));
  EXPECT_TRUE(t.accepts("bearer letmeinpleasekthxbye"));
}

TEST(SharedToken, RefusesNearMisses) {
  SharedToken t{"letmeinpleasekthxbye"};
  for (auto bad : {"", "letmeinpleasekthxby", "letmeinpleasekthxbyee", "LETMEINPLEASEKTHXBYE",
                   "Bearer  letmeinpleasekthxbye", "Basic letmeinpleasekthxbye",
                   " letmeinpleasekthxbye", "Bearer"})
    EXPECT_FALSE(t.accepts(bad)) << bad;
}

TEST(CheckRequest, AllowsOnceDeniesWithChallenge) {
  SharedToken t{"s3cret"};
  tim::http::Request r;
  auto denied = tim::auth::check_request(t, r);
  EXPECT_EQ(denied.status, 401);
  EXPECT_EQ(denied.body, R"({"ok":false})");
  EXPECT_TRUE(denied.headers.get("www-authenticate"));

  r.headers.add("Authorization", "s3cret");
  auto allowed = tim::auth::check_request(t, r);
  EXPECT_EQ(allowed.status, 200);
  EXPECT_EQ(allowed.body, R"({"ok":true})");
  EXPECT_FALSE(allowed.headers.get("content-type"));

  r.headers.add("authorization", "s3cret");  // two headers: ambiguous, refused
  EXPECT_EQ(tim::auth::check_request(t, r).status, 401);
}
