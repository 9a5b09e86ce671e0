// Loading takes a fast path (no DOM, no locations) and falls back to the located path only
// when the text has a problem. These tests check that the two read every text alike: the
// same organization, or the same located errors, word for word. The located path is the
// reference: it is the loader as it was before the fast path existed.

#include "servicechain/io/json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "servicechain/error.hpp"

namespace servicechain {

namespace detail {
// Defined in src/io/json.cpp and deliberately in no header: the located path alone.
organization parse_organization_located(std::string_view json_text, std::string_view source_name);
// Defined in src/io/json_fast.cpp (declared in src/detail/json_format.hpp): the fast path
// alone, nothing when it gives up.
std::optional<organization> read_model_fast(std::string_view text, bool padded);
}  // namespace detail

namespace {

using ::testing::HasSubstr;

/// What reading a text gave: the organization, or the parse error's parts.
struct outcome {
  bool parsed = false;
  organization org;
  std::string what;
  std::string pointer;
  std::size_t line = 0;
  std::size_t column = 0;
};

template <typename Parse>
outcome read_with(Parse parse, std::string_view text) {
  outcome result;
  try {
    result.org = parse(text, "fuzz.json");
    result.parsed = true;
  } catch (const parse_error& e) {
    result.what = e.what();
    result.pointer = e.pointer();
    result.line = e.line();
    result.column = e.column();
  }
  return result;
}

/// The fast path alone on `text`, as `parse_organization` calls it (unpadded, so copied)
/// and as `load_organization` does (the text in a buffer with padding after it).
std::optional<organization> fast_path_alone(std::string_view text, const std::string& context) {
  std::optional<organization> copied = detail::read_model_fast(text, false);
  std::string padded(text.size() + 64, '\0');
  padded.replace(0, text.size(), text);
  const std::optional<organization> in_place =
      detail::read_model_fast(std::string_view(padded.data(), text.size()), true);
  EXPECT_EQ(copied.has_value(), in_place.has_value()) << context << ": padded and copied text read differently";
  if (copied && in_place) {
    EXPECT_TRUE(*copied == *in_place) << context;
  }
  return copied;
}

/// The fast path alone must never accept a text the located path has a problem with, and
/// must read the located path's organization when it accepts. Returns whether it accepted.
bool expect_fast_path_sound(std::string_view text, const outcome& located, const std::string& context) {
  const std::optional<organization> fast = fast_path_alone(text, context);
  if (!located.parsed) {
    EXPECT_FALSE(fast.has_value()) << context << ": the fast path accepted a text with a problem: " << located.what;
  } else if (fast) {
    EXPECT_TRUE(*fast == located.org) << context << ": the fast path read another organization";
  }
  return fast.has_value();
}

/// Reads `text` both ways and expects the same result; returns whether it parsed.
bool expect_same_reading(std::string_view text, const std::string& context) {
  const outcome fast = read_with([](std::string_view t, std::string_view s) { return parse_organization(t, s); }, text);
  const outcome located = read_with(detail::parse_organization_located, text);
  expect_fast_path_sound(text, located, context);
  EXPECT_EQ(fast.parsed, located.parsed) << context << "\nfast path error: " << fast.what
                                         << "\nlocated path error: " << located.what << "\ntext:\n" << text;
  if (fast.parsed && located.parsed) {
    EXPECT_TRUE(fast.org == located.org) << context << ": the paths read different organizations from:\n" << text;
  } else if (!fast.parsed && !located.parsed) {
    EXPECT_EQ(fast.what, located.what) << context;
    EXPECT_EQ(fast.pointer, located.pointer) << context;
    EXPECT_EQ(fast.line, located.line) << context;
    EXPECT_EQ(fast.column, located.column) << context;
  }
  return located.parsed;
}

/// A valid model of `units` internal units in a chain to one customer, written by
/// `to_json` (one unit or link per line).
std::string chain_model_text(std::size_t units) {
  organization org{.name = "chain"};
  for (std::size_t i = 0; i < units; ++i)
    org.add_unit({.id = fmt::format("u{}", i), .servers = static_cast<std::int64_t>(1 + i % 3),
                  .service_time = 0.125 + static_cast<double>(i % 7) / 8});
  org.add_unit({.id = "customer", .external = true, .demand = 0.5});
  for (std::size_t i = 0; i + 1 < units; ++i)
    org.add_link({.from = fmt::format("u{}", i), .to = fmt::format("u{}", i + 1), .acceptance = i % 5 == 0 ? 0.9 : 1});
  org.add_link({.from = fmt::format("u{}", units - 1), .to = "customer"});
  return to_json(org);
}

/// 1-based line and column of a byte offset, counted here from the text itself.
std::pair<std::size_t, std::size_t> position_of(std::string_view text, std::size_t offset) {
  const std::string_view before = text.substr(0, offset);
  const auto line = static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n')) + 1;
  const std::size_t line_start = before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
  return {line, offset - line_start + 1};
}

/// Inserts `insertion` right after the `{` that opens the line containing `anchor`.
std::size_t insert_after_brace(std::string& text, std::string_view anchor, std::string_view insertion) {
  const std::size_t at = text.find(anchor);
  EXPECT_NE(at, std::string::npos) << "no " << anchor << " in the model";
  const std::size_t brace = text.rfind('{', at) + 1;
  text.insert(brace, insertion);
  return brace;
}

// ------------------------------------------------------------------ errors in large models

TEST(JsonTest, UnknownKeyDeepInsideALargeModelIsLocated) {
  std::string text = chain_model_text(3000);
  // The key goes first in unit 2345's line: its quote is where it was inserted.
  const std::size_t offset = insert_after_brace(text, "{\"id\": \"u2345\",", "\"sevice_time\": 1, ");
  const auto [line, column] = position_of(text, offset);
  ASSERT_EQ(line, 2345u + 4u);  // `{`, `"name"`, `"units": [` come first; line 4 is u0
  ASSERT_EQ(column, 6u);        // after the four spaces of indentation and the brace

  try {
    (void)parse_organization(text, "big.json");
    FAIL() << "an unknown key deep inside the model was not reported";
  } catch (const parse_error& e) {
    EXPECT_EQ(e.pointer(), "/units/2345/sevice_time");
    EXPECT_EQ(e.line(), line);
    EXPECT_EQ(e.column(), column);
    EXPECT_EQ(std::string(e.what()),
              fmt::format("[servicechain.parse_error] big.json (/units/2345/sevice_time) at line {}, column {}: "
                          "unknown key 'sevice_time' in a unit (did you mean 'service_time'?)",
                          line, column));
  }
  expect_same_reading(text, "unknown key in unit 2345");
}

TEST(JsonTest, SeveralProblemsInALargeModelAreAllReportedInFileOrder) {
  std::string text = chain_model_text(3000);
  // Inserted from the start of the file on, so each offset stays valid. Unit 12 has the
  // default servers (not written), link 1500 the default mode.
  const std::size_t servers = insert_after_brace(text, "{\"id\": \"u12\",", "\"servers\": \"two\", ");
  const std::size_t mode = insert_after_brace(text, "{\"from\": \"u1500\", \"to\": \"u1501\"", "\"mode\": \"asynch\", ");
  const std::size_t duplicate = insert_after_brace(text, "{\"from\": \"u2999\", \"to\": \"customer\"", "\"to\": \"x\", ");
  // The duplicate is the second "to": the one already in that line, after the inserted one.
  const std::size_t second_to = text.find("\"to\"", duplicate + std::string_view("\"to\": \"x\", ").size());
  const auto [servers_line, servers_column] = position_of(text, servers + std::string_view("\"servers\": ").size());
  const auto [mode_line, mode_column] = position_of(text, mode + std::string_view("\"mode\": ").size());
  const auto [to_line, to_column] = position_of(text, second_to);

  try {
    (void)parse_organization(text, "big.json");
    FAIL() << "three problems were not reported";
  } catch (const parse_error& e) {
    EXPECT_EQ(e.pointer(), "/units/12/servers");
    EXPECT_EQ(e.line(), servers_line);
    EXPECT_EQ(e.column(), servers_column);
    const std::string what = e.what();
    EXPECT_THAT(what, HasSubstr(": 3 problems:\n"));
    EXPECT_THAT(what, HasSubstr(fmt::format("\n  /units/12/servers at line {}, column {}: servers = \"two\", but must be "
                                            "a positive integer or \"unlimited\"\n",
                                            servers_line, servers_column)));
    EXPECT_THAT(what, HasSubstr(fmt::format("\n  /links/1500/mode at line {}, column {}: mode = \"asynch\", but must be "
                                            "one of \"sync\", \"async\" (did you mean \"async\"?)\n",
                                            mode_line, mode_column)));
    EXPECT_THAT(what, HasSubstr(fmt::format("\n  /links/2999/to at line {}, column {}: key 'to' appears twice in the "
                                            "same object",
                                            to_line, to_column)));
  }
  expect_same_reading(text, "three problems");
}

TEST(JsonTest, EmptyModelFileIsALocatedParseError) {
  const std::filesystem::path file = std::filesystem::path(::testing::TempDir()) / "servicechain_json_empty.json";
  { std::ofstream out(file, std::ios::binary | std::ios::trunc); }
  try {
    (void)load_organization(file);
    FAIL() << "an empty file loaded";
  } catch (const parse_error& e) {
    EXPECT_EQ(e.line(), 1u);
    EXPECT_EQ(e.column(), 1u);
    EXPECT_THAT(e.what(), HasSubstr("truncated"));
  }
  std::filesystem::remove(file);
}

TEST(JsonTest, LargeValidModelLoadsFromAFileAsWritten) {
  const std::string text = chain_model_text(3000);
  const std::filesystem::path file = std::filesystem::path(::testing::TempDir()) / "servicechain_json_chain.json";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
  }
  const organization org = load_organization(file);
  std::filesystem::remove(file);
  ASSERT_EQ(org.units.size(), 3001u);
  ASSERT_EQ(org.links.size(), 3000u);
  // As built by chain_model_text.
  EXPECT_EQ(org.units[2345].id, "u2345");
  EXPECT_EQ(org.units[2345].servers, server_count(1 + 2345 % 3));
  EXPECT_EQ(org.units[2345].service_time, 0.125 + 2345 % 7 / 8.0);
  EXPECT_EQ(org.units[3000].demand, 0.5);
  EXPECT_EQ(org.links[1500].from, "u1500");
  EXPECT_EQ(org.links[1500].acceptance, 0.9);
  EXPECT_EQ(org.links[2999].to, "customer");
  expect_same_reading(text, "chain of 3000");
}

TEST(JsonTest, ModelFileEndingOnAPageBoundaryLoads) {
  // A regular file is parsed in a read-only mapping with zero pages after it as simdjson's
  // padding: a file whose end is a page's end reads the padding from the next page. 64 KiB
  // is a multiple of every page size in use (4, 16, 64 KiB).
  constexpr std::size_t boundary = std::size_t{64} << 10;
  const std::string model = chain_model_text(1000);
  ASSERT_GT(model.size(), boundary);
  ASSERT_LT(model.size(), 3 * boundary);
  std::string text = model;
  text.resize(3 * boundary, ' ');  // trailing white space, then the page's end
  const std::filesystem::path file = std::filesystem::path(::testing::TempDir()) / "servicechain_json_pages.json";
  auto write = [&](std::string_view bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << bytes;
  };
  write(text);
  EXPECT_EQ(load_organization(file), parse_organization(model));

  // Cut short at the page's end, the file gives the located error of the same text in memory.
  const std::string cut = model.substr(0, boundary);
  write(cut);
  const outcome from_file = [&] {
    outcome r;
    try {
      r.org = load_organization(file);
      r.parsed = true;
    } catch (const parse_error& e) {
      r.what = e.what();
      r.line = e.line();
      r.column = e.column();
    }
    return r;
  }();
  const outcome in_memory = read_with(detail::parse_organization_located, cut);
  EXPECT_FALSE(from_file.parsed);
  EXPECT_EQ(from_file.line, in_memory.line);
  EXPECT_EQ(from_file.column, in_memory.column);
  EXPECT_THAT(from_file.what, HasSubstr("truncated")) << from_file.what;
  std::filesystem::remove(file);
}

// ------------------------------------------------------------------ both paths agree

TEST(JsonTest, FastAndLocatedPathsAgreeOnEdgeCases) {
  // Each text is wrapped as the value of a unit's field or as the whole model. Most are
  // valid JSON with a twist in numbers, strings or keys; some are problems.
  const std::vector<std::string> values = {
      "2.0", "-0", "-0.0", "0", "1E2", "1e+2", "2.5e-3", "1e-400", "1e400", "-1e400", "01", "1.", ".5", "+1", "-",
      "1e", "999999999999999999", "1000000000000000000", "9223372036854775807", "9223372036854775808",
      "-9223372036854775808", "18446744073709551615", "18446744073709551616", "123456789012345678901234567890",
      "4.9e-324", "2.2250738585072011e-308", "1.7976931348623157e308", "0.1e1", "1.0e0", "true", "false", "null",
      "tru", "nul", "\"x\"", "[]", "{}", "\"unlimited\"", "\"Unlimited\"", "\"2\"", "0.2222222222222222222",
      "0.22222222222222222222", "0.22222222222222222222222222222222222225", "9.999999999999999999",
      "12345678901234567890e-5", "1.00000000000000011102230246251565404236316680908203125",
      "0.00012345678901234567", "0.0000000000000000000012345678901234567", "0.1000000000000000000001"};
  const std::vector<std::string> fields = {"servers", "service_time", "population", "yield", "external", "name"};
  for (const std::string& field : fields)
    for (const std::string& value : values)
      expect_same_reading(fmt::format(R"({{"units": [{{"id": "a", "{}": {}}}]}})", field, value), field + " = " + value);
  for (const std::string& value : values)
    expect_same_reading(fmt::format(R"({{"units": [], "links": [{{"from": "a", "to": "b", "priority": {}, )"
                                    R"("ratings": {{"informed": {}}}}}]}})",
                                    value, value),
                        "priority and rating = " + value);

  const std::vector<std::string> strings = {
      R"(plain)", R"(\u00e9t\u00C9)", R"(\ud83d\ude00)", R"(\ud83d)", R"(\ud83dx)", R"(\ud83d\u0041)", R"(\udc00)",
      R"(\u0000)", R"(\u12)", R"(\u12g4)", R"(\/\b\f\n\r\t\"\\)", R"(\x)", R"(\')", "caf\xC3\xA9", "\xE2\x82\xAC",
      "\xF0\x9F\x98\x80", "\xC0\x80", "\xC3", "\xC3(", "\xED\xA0\x80", "\xED\x9F\xBF", "\xE0\x9F\x80", "\xE0\xA0\x80",
      "\xF0\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\x80", "tab\there",
      "line\nbreak", std::string("nul\0byte", 8), "\x7F", "a/b~c"};
  for (const std::string& s : strings) {
    expect_same_reading(fmt::format(R"({{"units": [{{"id": "{}", "name": "{}"}}], "currency": "{}"}})", s, s, s),
                        "string " + s);
    expect_same_reading(fmt::format(R"({{"units": [{{"id": "a", "{}": 1}}]}})", s), "key " + s);
    expect_same_reading(fmt::format(R"({{"units": [{{"id": "a", "discipline": "{}"}}]}})", s), "discipline " + s);
  }

  const std::vector<std::string> models = {
      "", " ", "{", "}", "[]", "null", "{}", R"({"units": []})", " \t\r\n{\"units\":[]} \t\r\n", "{\"units\":[]}\f",
      "\f{\"units\":[]}", "\xEF\xBB\xBF{\"units\": []}", R"({"units": []} {})", R"({"units": []},)",
      R"({"units": [],})", R"({"units": [,]})", R"({"units": [{"id": "a"},]})", R"({"units": [{"id": "a"} {"id": "b"}]})",
      R"({"units": [], "units": []})", R"({"units": null})", R"({"units": {}})", R"({"units": [], "links": null})",
      R"({"units": [], "links": [{}]})", R"({"units": [], "links": [{"from": "a"}]})",
      R"({"units": [], "links": [{"to": "a", "from": "b"}]})", R"({"units": [{"name": "x"}]})",
      R"({"units": [{"id": "a", "id": "a"}]})", R"({"units": [{"\u0069d": "a"}]})", R"({"units": [{"i\u0064": 1}]})",
      R"({"units": [], "links": [{"from": "a", "to": "b", "ratings": {}}]})",
      R"({"units": [], "links": [{"from": "a", "to": "b", "ratings": {"informed": 1, "informed": 2}}]})",
      R"({"units": [], "links": [{"from": "a", "to": "b", "ratings": {"attentive": 5, "choices": 1.5}}]})",
      R"({"units": [], "links": [{"from": "a", "to": "b", "ratings": {"friendly": "4"}}]})",
      R"({"units": [], "links": [{"from": "a", "to": "b", "mode": "async", "group": "g", "acceptance": 0.5}]})",
      R"({"units": [{"id": "a", "discipline": "priority", "preemptive": true, "cost_per_time": 3}]})",
      R"({"units": [{"id": "c", "external": true, "population": 3, "think_time": 2, "value_per_request": 9}]})",
      R"({"name": "n", "description": "d", "time_unit": "minute", "currency": "EUR", "units": []})",
      R"({"name": null, "units": []})", R"({"units": [], "owner": "x"})", R"({"units": [1]})", R"({"units": [[]]})",
      R"({"units": [{"id": "a", "demand": {"x": 1}}]})", R"({"units": [{"id": "a", "servers": [1]}]})",
      "{\"units\": [{\"id\": \"a\"}]}\n\n   ", std::string("{\"units\": []}\0", 14), "{\"units\": [{\"id\": \"a\"}]"};
  for (const std::string& model : models) expect_same_reading(model, "model " + model);
}

/// A model with every field, escapes and non-ASCII text, for the mutation test.
std::string varied_model_text(std::mt19937_64& rng, int indent) {
  auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  const char* names[] = {"", "Ops \"night\" shift", "L\xC3\xA9gal", "tab\there", "back\\slash", "\xE6\x97\xA5\xE6\x9C\xAC",
                         "a/b~c", "\xF0\x9F\x98\x80"};
  organization org{.name = "varied", .description = "line one\nline two", .currency = "EUR"};
  for (int i = 0; i < 6; ++i) {
    unit u{.id = fmt::format("u{}", i), .name = names[rng() % std::size(names)]};
    u.servers = chance(0.2) ? server_count::unlimited() : server_count(static_cast<std::int64_t>(1 + rng() % 4));
    u.service_time = chance(0.2) ? 1e-300 : uniform(0.001, 10);
    if (chance(0.5)) u.service_scv = uniform(0, 4);
    u.queue_discipline = static_cast<discipline>(rng() % 4);
    u.preemptive = chance(0.3);
    if (chance(0.5)) u.cost_per_time = chance(0.5) ? 40 : uniform(0, 500);
    if (chance(0.5)) u.yield = 1 - uniform(0, 0.2);
    org.add_unit(std::move(u));
  }
  org.add_unit({.id = "open", .external = true, .demand = 2.5, .value_per_request = 3});
  org.add_unit({.id = "closed", .external = true, .population = 12, .think_time = 1.5});
  for (int j = 0; j < 8; ++j) {
    link l{.from = fmt::format("u{}", j % 6), .to = j < 6 ? (j % 2 == 0 ? "open" : "closed") : fmt::format("u{}", j - 6)};
    if (chance(0.5)) l.requests = uniform(0, 3);
    if (chance(0.3)) l.mode = link_mode::async;
    if (chance(0.3)) l.acceptance = 1 - uniform(0, 0.5);
    if (chance(0.3)) l.group = names[rng() % std::size(names)];
    if (chance(0.3)) l.priority = static_cast<std::int64_t>(rng() % 11) - 5;
    if (chance(0.5)) l.ratings = {{"knowledgeable", 4.5}, {"informed", 2}};
    org.add_link(std::move(l));
  }
  return to_json(org, indent);
}

TEST(JsonTest, FastAndLocatedPathsAgreeOnRandomlyDamagedModels) {
  // Random edits of valid models: most make a problem (which both paths must report
  // alike), some keep the model valid (which both must read alike).
  const std::vector<std::string> insertions = {
      "\"", "\\", ",", ":", "{", "}", "[", "]", " ", "\n", "0", "-", ".", "e", "1e999", "null", "true", "\"x\"",
      "\\u", "\\ud800", "\\u00e9", "\xC3", "\xFF", "\t", "2.0", "-0", "\"\\/\""};
  const std::vector<std::string> members = {"\"id\": \"z\", ", "\"sevice_time\": 1, ", "\"servers\": \"unlimited\", ",
                                            "\"to\": \"u1\", ", "\"friendly\": 3, ", "\"yield\": 0.5, "};
  constexpr std::string_view alphabet = "\"{}[],: 0123456789.eE-+aflnrstu\\x";
  std::mt19937_64 rng(20261123);
  int parsed = 0;
  int failed = 0;
  for (int round = 0; round < 1500; ++round) {
    std::string text = varied_model_text(rng, round % 3 == 0 ? -1 : 2);
    const int edits = 1 + static_cast<int>(rng() % 2);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % (text.size() + 1);
      switch (rng() % 4) {
        case 0: text.erase(at, 1 + rng() % 3); break;
        case 1: text.insert(at, insertions[rng() % insertions.size()]); break;
        case 2:
          if (at < text.size()) text[at] = alphabet[rng() % alphabet.size()];
          break;
        default: {
          // Insert a member right after an opening brace: valid unless the key repeats.
          const std::size_t brace = text.find('{', at);
          if (brace != std::string::npos) text.insert(brace + 1, members[rng() % members.size()]);
        }
      }
    }
    if (expect_same_reading(text, fmt::format("round {}", round)))
      ++parsed;
    else
      ++failed;
    if (::testing::Test::HasFailure()) break;  // one counterexample is enough to read
  }
  // Both outcomes must be well represented, or the test proves little.
  EXPECT_GT(parsed, 100);
  EXPECT_GT(failed, 500);
}

// Working hours and demand profiles: the nested objects and arrays of `schedule` and
// `profile`, damaged at random, read alike by both paths (missing, unknown and repeated
// keys inside them included).
TEST(JsonTest, FastAndLocatedPathsAgreeOnSchedulesAndProfiles) {
  const std::string model = R"({"name": "hours", "units": [
    {"id": "office", "service_time": 0.5, "schedule": {"period": 168, "default_servers": 0,
      "shifts": [{"from": 9, "to": 17, "servers": 3}, {"from": 33, "to": 41, "servers": 2}]}},
    {"id": "client", "external": true, "demand": 2, "profile": {"period": 24, "default_weight": 0.5,
      "windows": [{"from": 8, "to": 18, "weight": 2}]}}],
  "links": [{"from": "office", "to": "client"}]})";
  EXPECT_TRUE(expect_same_reading(model, "intact"));
  const std::vector<std::string> members = {"\"period\": 12, ", "\"from\": 1, ", "\"servers\": 2, ",
                                            "\"weight\": 1, ", "\"shifts\": [], ", "\"windows\": [], ",
                                            "\"default_servers\": 1, ", "\"to\": 5, "};
  constexpr std::string_view alphabet = "\"{}[],: 0123456789.e-adefhilnoprstuvw";
  std::mt19937_64 rng(20261202);
  int parsed = 0;
  int failed = 0;
  for (int round = 0; round < 1000; ++round) {
    std::string text = model;
    const std::size_t at = rng() % (text.size() + 1);
    switch (rng() % 3) {
      case 0: text.erase(at, 1 + rng() % 4); break;
      case 1:
        if (at < text.size()) text[at] = alphabet[rng() % alphabet.size()];
        break;
      default: {
        const std::size_t brace = text.find('{', at);
        if (brace != std::string::npos) text.insert(brace + 1, members[rng() % members.size()]);
      }
    }
    if (expect_same_reading(text, fmt::format("round {}", round)))
      ++parsed;
    else
      ++failed;
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(parsed, 50);
  EXPECT_GT(failed, 300);
}

// What `to_json` writes is what the fast path is for: it must not leave it to the located
// path (that would only be slow, so no other test would notice).
TEST(JsonTest, FastPathAcceptsWhatToJsonWrites) {
  EXPECT_TRUE(detail::read_model_fast(chain_model_text(3000), false).has_value());
  std::mt19937_64 rng(20261202);
  for (int round = 0; round < 200; ++round) {
    const std::string text = varied_model_text(rng, round % 2 == 0 ? -1 : 2);
    const std::optional<organization> fast = detail::read_model_fast(text, false);
    ASSERT_TRUE(fast.has_value()) << text;
    EXPECT_TRUE(*fast == detail::parse_organization_located(text, "varied.json")) << text;
  }
}

// Every bundled model, CLI case, bad-input case and fuzzing corpus entry: the fast path
// alone accepts nothing the located path reports a problem with, and reads what it reads.
TEST(JsonTest, FastPathIsSoundOnEveryBundledFile) {
  const std::filesystem::path data = SERVICECHAIN_TEST_DATA_DIR;
  const std::vector<std::filesystem::path> folders = {SERVICECHAIN_EXAMPLES_DIR, data, data / ".." / "cli" / "data",
                                                      data / ".." / "fuzz" / "corpus"};
  int files = 0;
  int located_accepts = 0;
  int fast_accepts = 0;
  std::vector<std::string> declined;  // valid, but read by the located path
  for (const std::filesystem::path& folder : folders) {
    ASSERT_TRUE(std::filesystem::is_directory(folder)) << folder;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
      if (!entry.is_regular_file()) continue;
      const std::filesystem::path& file = entry.path();
      const bool corpus = folder.filename() == "corpus";
      if (!corpus && file.extension() != ".json") continue;
      std::ifstream in(file, std::ios::binary);
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const outcome located = read_with(detail::parse_organization_located, text);
      const bool accepted = expect_fast_path_sound(text, located, file.string());
      ++files;
      located_accepts += located.parsed ? 1 : 0;
      fast_accepts += accepted ? 1 : 0;
      if (located.parsed && !accepted && !corpus) declined.push_back(file.filename().string());
    }
  }
  std::cout << files << " files: the located path accepts " << located_accepts << ", the fast path " << fast_accepts
            << "; valid files left to the located path:";
  for (const std::string& name : declined) std::cout << ' ' << name;
  std::cout << '\n';
  EXPECT_GT(files, 1700);
  // The fast path is the one that reads valid files: it declines only the deliberate
  // oddities of the bad-input catalogue (a byte-order mark, subnormal numbers).
  EXPECT_GT(fast_accepts, 0);
  for (const std::string& name : declined)
    EXPECT_TRUE(name.starts_with("bom_") || name.find("subnormal") != std::string::npos) << name;
}

}  // namespace
}  // namespace servicechain
