#include "credentials/scopes.hpp"

#include <gtest/gtest.h>

namespace tim::auth {
namespace {

TEST(Scopes, ParseList) {
  EXPECT_EQ(Scopes::parse_list("invoices:read", ','), Scopes::read());
  EXPECT_EQ(Scopes::parse_list("invoices:write,invoices:read", ','),
            Scopes::read() | Scopes::write());
  EXPECT_EQ(Scopes::parse_list("webhooks:manage,invoices:write,invoices:read", ','), Scopes::all());
  std::string bad;
  EXPECT_FALSE(Scopes::parse_list("invoices:read,invoices:admin", ',', &bad).has_value());
  EXPECT_EQ(bad, "invoices:admin");
  EXPECT_FALSE(Scopes::parse_list("", ',').has_value());
  EXPECT_FALSE(Scopes::parse_list("invoices:read,", ',').has_value());
  EXPECT_FALSE(Scopes::parse_list("INVOICES:READ", ',').has_value());
}

TEST(Scopes, OAuthClaimIgnoresForeignScopes) {
  EXPECT_EQ(Scopes::from_oauth_claim("openid profile invoices:read"), Scopes::read());
  EXPECT_EQ(Scopes::from_oauth_claim("invoices:read  invoices:write"),
            Scopes::read() | Scopes::write());
  EXPECT_EQ(Scopes::from_oauth_claim("invoices:read invoices:write webhooks:manage"),
            Scopes::all());
  EXPECT_EQ(Scopes::from_oauth_claim(""), Scopes::none());
  EXPECT_EQ(Scopes::from_oauth_claim("invoices:read,invoices:write"), Scopes::none());
}

TEST(Scopes, ContainsAndToString) {
  EXPECT_TRUE(Scopes::all().contains(Scopes::write()));
  EXPECT_FALSE(Scopes::read().contains(Scopes::write()));
  EXPECT_TRUE(Scopes::read().contains(Scopes::none()));
  EXPECT_EQ(Scopes::all().to_string(), "invoices:read invoices:write webhooks:manage");
  EXPECT_EQ(Scopes::all().to_string(','), "invoices:read,invoices:write,webhooks:manage");
  EXPECT_EQ((Scopes::read() | Scopes::write()).to_string(','), "invoices:read,invoices:write");
  EXPECT_FALSE(Scopes::write().contains(Scopes::webhooks()));
  EXPECT_EQ(Scopes::write().to_string(), "invoices:write");
  EXPECT_EQ(Scopes::none().to_string(), "");
}

}  // namespace
}  // namespace tim::auth
