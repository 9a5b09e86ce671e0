// Bounded, valid-UTF-8 error messages whatever the input (issue 12; the CLI side is the
// catalogue in tests/cli/bad.cmake). Through the public API: parse_organization, validate,
// compile and the error types.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include <fmt/format.h>
#include <vector>

#include "servicechain/servicechain.hpp"

namespace servicechain {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

/// Every byte sequence is well-formed UTF-8 (RFC 3629), checked by hand here.
bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3
                                         : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

std::string parse_message(const std::string& text) {
  try {
    (void)parse_organization(text, "bad.json");
  } catch (const parse_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no parse_error";
  return {};
}

TEST(BadInput, MegabyteKeyIsCutInPointerAndMessage) {
  const std::string key(1 << 20, 'k');
  const std::string message = parse_message(std::string{R"({"units": [], ")"} + key + R"(": 1})");
  EXPECT_LT(message.size(), 1000U);
  EXPECT_THAT(message, HasSubstr(std::string{"(/"} + std::string(64, 'k') + "…)"));
  EXPECT_TRUE(valid_utf8(message));
}

TEST(BadInput, IllFormedUtf8IsEscapedNotEchoed) {
  const std::string message = parse_message("{\"name\": \"ab\xFF\xFE\", \"units\": []}");
  EXPECT_THAT(message, HasSubstr("ill-formed UTF-8"));
  EXPECT_THAT(message, HasSubstr("\\xFF"));
  EXPECT_TRUE(valid_utf8(message));
}

TEST(BadInput, NestingBeyondSixtyFourLevelsIsOneLinearError) {
  // 10^6 levels: neither the stack nor the time may depend on the depth.
  const std::string deep = std::string{R"({"units": )"} + std::string(1000000, '[') + std::string(1000000, ']') + "}";
  const std::string message = parse_message(deep);
  EXPECT_THAT(message, HasSubstr("nested more than 64 levels"));
  EXPECT_LT(message.size(), 1000U);
}

TEST(BadInput, ManyProblemsAreCountedNotAllListed) {
  organization org;
  org.add_unit({.id = "desk", .service_time = 1.0});
  for (int i = 0; i < 100; ++i) org.add_unit({.id = fmt::format("c{}", i), .external = true, .demand = -1.0});
  const auto problems = validate(org);
  ASSERT_EQ(problems.size(), 100U);  // the API keeps every problem
  const std::string message = invalid_model_error(problems).what();
  EXPECT_THAT(message, HasSubstr("100 problems in the model:"));
  EXPECT_THAT(message, HasSubstr("unit 'c19' (/units/20)"));
  EXPECT_THAT(message, Not(HasSubstr("unit 'c20' (/units/21)")));
  EXPECT_THAT(message, HasSubstr("... and 80 more"));
}

TEST(BadInput, LongIdIsCutInEveryMessage) {
  const std::string id(1 << 20, 'x');
  organization org;
  org.add_unit({.id = id, .service_time = 2.0});
  org.add_unit({.id = "cust", .external = true, .demand = 1.0});
  org.add_link({.from = id + "y", .to = "cust"});
  const std::string message = invalid_model_error(validate(org)).what();
  EXPECT_LT(message.size(), 1000U);
  EXPECT_THAT(message, HasSubstr(std::string{"link '"} + std::string(64, 'x') + "…' -> 'cust'"));
}

TEST(BadInput, LoopOfGainExactlyOneIsNamedByCompile) {
  // a <-> b with one request each way: gain 1 exactly (the eigensolver may give 1 − 2ε).
  organization org;
  org.add_unit({.id = "a", .service_time = 0.1});
  org.add_unit({.id = "b", .service_time = 0.1});
  org.add_unit({.id = "cust", .external = true, .demand = 1.0});
  org.add_link({.from = "a", .to = "cust"});
  org.add_link({.from = "b", .to = "a"});
  org.add_link({.from = "a", .to = "b"});
  try {
    (void)compile(org);
    FAIL() << "compiled";
  } catch (const loop_gain_error& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("loop of mutual service {'a', 'b'}: loop gain = 1,"));
  }
}

TEST(BadInput, MagnitudesBeyondDoublePrecisionAreModelErrors) {
  organization org;
  org.add_unit({.id = "desk", .service_time = 5e-324, .cost_per_time = 1e308});
  org.add_unit({.id = "cust", .external = true, .demand = 1e151});
  const auto problems = validate(org);
  ASSERT_EQ(problems.size(), 3U);
  for (const auto& p : problems) EXPECT_THAT(p.message, HasSubstr("but a nonzero value must lie between 1e-150 and 1e+150"));
  // The bounds themselves are valid.
  org.units[0].service_time = 1e-150;
  org.units[0].cost_per_time = 1e150;
  org.units[1].demand = 1e-150;
  EXPECT_TRUE(validate(org).empty());
}

}  // namespace
}  // namespace servicechain
