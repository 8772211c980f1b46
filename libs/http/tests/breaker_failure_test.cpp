#include <gtest/gtest.h>

#include "tim/http/client.hpp"

using tim::http::breaker_failure;
using tim::http::FetchError;
using tim::http::FetchResult;

namespace {
FetchResult failed(FetchError e) {
  FetchResult r;
  r.error = e;
  return r;
}
FetchResult answered(int status) {
  FetchResult r;
  r.status = status;
  return r;
}
}  // namespace

TEST(BreakerFailure, AnAnswerTooLargeForUsIsNotTheInstancesFailure) {
  EXPECT_FALSE(breaker_failure(failed(FetchError::too_large)));
  EXPECT_FALSE(breaker_failure(failed(FetchError::circuit_open)));
  EXPECT_TRUE(breaker_failure(failed(FetchError::bad_response)));
  EXPECT_TRUE(breaker_failure(failed(FetchError::timeout)));
  EXPECT_TRUE(breaker_failure(failed(FetchError::connect_refused)));
  EXPECT_TRUE(breaker_failure(answered(503)));
  EXPECT_FALSE(breaker_failure(answered(200)));
  EXPECT_FALSE(breaker_failure(answered(500)));
}
