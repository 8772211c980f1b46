#include "tim/metrics.hpp"

#include <gtest/gtest.h>

TEST(Metrics, RequestsAreCountedByRoutePatternMethodAndStatus) {
  tim::metrics::observe_request("/api/invoices/:id", "GET", 200, 0.002);
  tim::metrics::observe_request("/api/invoices/:id", "GET", 200, 0.004);
  tim::metrics::observe_request("/api/invoices/:id", "GET", 404, 0.001);
  const auto text = tim::metrics::exposition();
  EXPECT_NE(
      text.find(R"(http_requests_total{method="GET",route="/api/invoices/:id",status="200"} 2)"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(R"(http_requests_total{method="GET",route="/api/invoices/:id",status="404"} 1)"),
      std::string::npos);
  EXPECT_NE(
      text.find(
          R"(http_request_duration_seconds_bucket{method="GET",route="/api/invoices/:id",le="0.0025"} 2)"),
      std::string::npos);
  EXPECT_NE(text.find("# TYPE http_request_duration_seconds histogram"), std::string::npos);
}

TEST(Metrics, MethodsOutsideTheStandardOnesShareOneLabel) {
  tim::metrics::observe_request("unmatched", "BREW", 405, 0.001);
  tim::metrics::observe_request("unmatched", "X-RANDOM-1", 405, 0.001);
  const auto text = tim::metrics::exposition();
  EXPECT_NE(text.find(R"(http_requests_total{method="other",route="unmatched",status="405"} 2)"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("BREW"), std::string::npos);
}

TEST(Metrics, InFlightGoesUpAndDown) {
  {
    tim::metrics::InFlight one;
    EXPECT_NE(tim::metrics::exposition().find("http_requests_in_flight 1"), std::string::npos);
  }
  EXPECT_NE(tim::metrics::exposition().find("http_requests_in_flight 0"), std::string::npos);
}

TEST(Metrics, UpstreamOutcomesAndBuildInfo) {
  tim::metrics::observe_upstream("127.0.0.1:3001", "timeout", 0.5);
  tim::metrics::set_build_info("gateway", "0.1.0");
  const auto text = tim::metrics::exposition();
  EXPECT_NE(text.find(R"(upstream_requests_total{outcome="timeout",upstream="127.0.0.1:3001"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(build_info{service="gateway",version="0.1.0"} 1)"), std::string::npos);
}

TEST(Metrics, AuthDecisionsAndStoreOperationsAccumulateByLabel) {
  tim::metrics::count_auth_decision("deny", "test_reason");
  tim::metrics::count_auth_decision("deny", "test_reason");
  tim::metrics::count_auth_decision("allow", "test_reason");
  tim::metrics::observe_store_operation("test_op", 0.002);
  tim::metrics::observe_store_operation("test_op", 0.004);
  const auto text = tim::metrics::exposition();
  EXPECT_NE(text.find(R"(auth_decisions_total{decision="deny",reason="test_reason"} 2)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(auth_decisions_total{decision="allow",reason="test_reason"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(store_operation_duration_seconds_count{operation="test_op"} 2)"),
            std::string::npos);
}
