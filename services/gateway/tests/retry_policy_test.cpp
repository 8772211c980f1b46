#include "retry_policy.hpp"

#include <gtest/gtest.h>

using namespace tim::gateway;

TEST(RetryPolicy, RefusedConnectionsMayGoAgainWhateverTheMethod) {
  EXPECT_TRUE(may_retry(AttemptFailure::connect_refused, false));
  EXPECT_TRUE(may_retry(AttemptFailure::connect_refused, true));
}

TEST(RetryPolicy, ConnectTimeoutsAndEarlyClosesOnlyForIdempotentRequests) {
  EXPECT_TRUE(may_retry(AttemptFailure::connect_timeout, true));
  EXPECT_FALSE(may_retry(AttemptFailure::connect_timeout, false));
  EXPECT_TRUE(may_retry(AttemptFailure::closed_before_answer, true));
  EXPECT_FALSE(may_retry(AttemptFailure::closed_before_answer, false));
}

TEST(RetryPolicy, TimeoutsAndBadAnswersNever) {
  EXPECT_FALSE(may_retry(AttemptFailure::other, true));
}

TEST(RetryPolicy, IdempotentRequests) {
  tim::http::Headers none, keyed;
  keyed.add("Idempotency-Key", "k1");
  for (auto m : {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
    EXPECT_TRUE(idempotent_request(m, none)) << m;
  for (auto m : {"POST", "PATCH", "get", "TRACE"}) EXPECT_FALSE(idempotent_request(m, none)) << m;
  EXPECT_TRUE(idempotent_request("POST", keyed));
  EXPECT_FALSE(idempotent_request("PATCH", keyed));
}
