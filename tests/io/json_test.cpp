// The JSON model format (docs/model-format.md): loading the oracle models, located parse
// errors, what saving writes, lossless round trips, and the documentation's example.

#include "servicechain/io/json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "servicechain/error.hpp"
#include "servicechain/model/validate.hpp"

namespace servicechain {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const fs::path oracle_models = fs::path(SERVICECHAIN_ORACLES_DIR) / "models";
const fs::path io_data = fs::path(SERVICECHAIN_TEST_DATA_DIR) / "io";

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << file;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Parses `text` expecting a parse_error, and returns it.
parse_error parse_failure(std::string_view text) {
  try {
    (void)parse_organization(text, "test.json");
  } catch (const parse_error& e) {
    return e;
  }
  ADD_FAILURE() << "no parse_error for:\n" << text;
  return parse_error("", "", 0, 0, "");
}

// ------------------------------------------------------------------ oracle models

TEST(JsonTest, LoadsTheReworkOracleModel) {
  // Values as written in tests/data/oracles/models/rework.json (docs/semantics.md worked example).
  const organization org = load_organization(oracle_models / "rework.json");
  EXPECT_EQ(org.name, "design_rework");
  EXPECT_EQ(org.time_unit, "hour");
  EXPECT_EQ(org.currency, "EUR");
  ASSERT_EQ(org.units.size(), 4u);
  EXPECT_EQ(org.units[0].id, "intake");
  EXPECT_EQ(org.units[0].service_time, 0.5);
  EXPECT_EQ(org.units[1].id, "processing");
  EXPECT_EQ(org.units[1].service_time, 0.4);
  EXPECT_EQ(org.units[2].id, "qa");
  EXPECT_EQ(org.units[2].service_time, 2.0 / 3.0);  // 0.6666666666666666 is the shortest text of 2/3
  EXPECT_EQ(org.units[3].id, "customer");
  EXPECT_TRUE(org.units[3].external);
  EXPECT_EQ(org.units[3].demand, 1.0);
  EXPECT_FALSE(org.units[3].service_time.has_value());
  for (int i = 0; i < 3; ++i) {
    const unit& u = org.units[static_cast<std::size_t>(i)];
    EXPECT_FALSE(u.external) << u.id;
    EXPECT_EQ(u.servers, server_count(1)) << u.id;  // defaults
    EXPECT_EQ(u.service_scv, 1.0) << u.id;
    EXPECT_EQ(u.queue_discipline, discipline::fifo) << u.id;
    EXPECT_EQ(u.name, "") << u.id;
    EXPECT_EQ(u.display_name(), u.id);
  }
  ASSERT_EQ(org.links.size(), 3u);
  EXPECT_EQ(org.links[0].from, "intake");
  EXPECT_EQ(org.links[0].to, "processing");
  EXPECT_EQ(org.links[1].from, "processing");
  EXPECT_EQ(org.links[1].to, "qa");
  EXPECT_EQ(org.links[1].acceptance, 0.8);
  EXPECT_EQ(org.links[1].requests, 1.0);
  EXPECT_EQ(org.links[1].mode, link_mode::sync);
  EXPECT_EQ(org.links[2].from, "qa");
  EXPECT_EQ(org.links[2].to, "customer");
  EXPECT_EQ(org.links[2].acceptance, 1.0);
  EXPECT_THAT(validate(org), IsEmpty());
}

TEST(JsonTest, LoadsTheReworkJacksonOracleModel) {
  const organization org = load_organization(oracle_models / "rework_jackson.json");
  EXPECT_EQ(org.name, "design_rework_jackson");
  ASSERT_EQ(org.units.size(), 4u);
  ASSERT_EQ(org.links.size(), 4u);
  const std::pair<const char*, const char*> arrows[] = {
      {"intake", "customer"}, {"processing", "intake"}, {"qa", "processing"}, {"processing", "qa"}};
  const double requests[] = {1, 1, 1, 0.2};
  for (std::size_t j = 0; j < 4; ++j) {
    EXPECT_EQ(org.links[j].from, arrows[j].first) << "link " << j;
    EXPECT_EQ(org.links[j].to, arrows[j].second) << "link " << j;
    EXPECT_EQ(org.links[j].requests, requests[j]) << "link " << j;
    EXPECT_EQ(org.links[j].acceptance, 1.0) << "link " << j;
  }
  EXPECT_THAT(validate(org), IsEmpty());
}

// ------------------------------------------------------------------ defaults

TEST(JsonTest, OmittedKeysTakeTheDocumentedDefaults) {
  const organization org = parse_organization(R"({
    "units": [{"id": "desk", "service_time": 0.25}, {"id": "c", "external": true, "population": 4}]
  })");
  EXPECT_EQ(org.name, "");
  EXPECT_EQ(org.description, "");
  EXPECT_EQ(org.time_unit, "hour");
  EXPECT_EQ(org.currency, "");
  EXPECT_TRUE(org.links.empty());
  const unit& u = org.units[0];
  EXPECT_EQ(u.name, "");
  EXPECT_EQ(u.display_name(), "desk");
  EXPECT_FALSE(u.external);
  EXPECT_EQ(u.servers, server_count(1));
  EXPECT_EQ(u.service_scv, 1.0);
  EXPECT_EQ(u.queue_discipline, discipline::fifo);
  EXPECT_FALSE(u.preemptive);
  EXPECT_EQ(u.cost_per_time, 0.0);
  EXPECT_EQ(u.cost_per_request, 0.0);
  EXPECT_EQ(u.yield, 1.0);
  EXPECT_FALSE(u.demand.has_value());
  EXPECT_FALSE(u.population.has_value());
  EXPECT_FALSE(u.think_time.has_value());
  EXPECT_EQ(u.value_per_request, 0.0);
  EXPECT_EQ(org.units[1].population, 4);
  EXPECT_FALSE(org.units[1].think_time.has_value());
}

TEST(JsonTest, LinkDefaultsAndEveryField) {
  const organization org = parse_organization(R"({
    "units": [],
    "links": [
      {"from": "a", "to": "b"},
      {"from": "a", "to": "c", "requests": 2.5, "mode": "async", "acceptance": 0.9, "group": "printers",
       "priority": -3, "ratings": {"knowledgeable": 4.5, "informed": 2}}
    ]
  })");
  ASSERT_EQ(org.links.size(), 2u);
  EXPECT_EQ(org.links[0], (link{.from = "a", .to = "b"}));
  const link& l = org.links[1];
  EXPECT_EQ(l.requests, 2.5);
  EXPECT_EQ(l.mode, link_mode::async);
  EXPECT_EQ(l.acceptance, 0.9);
  EXPECT_EQ(l.group, "printers");
  EXPECT_EQ(l.priority, -3);
  // Order as written: ratings are a list, not a set.
  EXPECT_EQ(l.ratings, (need_ratings{{"knowledgeable", 4.5}, {"informed", 2}}));
}

TEST(JsonTest, ServersAcceptsUnlimitedAndWholeNumbers) {
  const organization org = parse_organization(R"({"units": [
    {"id": "a", "servers": "unlimited", "service_time": 1},
    {"id": "b", "servers": 3, "service_time": 1},
    {"id": "c", "servers": 2.0, "service_time": 1},
    {"id": "d", "servers": 0, "service_time": 1}
  ]})");
  EXPECT_TRUE(org.units[0].servers.is_unlimited());
  EXPECT_EQ(org.units[1].servers, server_count(3));
  EXPECT_EQ(org.units[2].servers, server_count(2));  // JSON has one number type; 2.0 is a whole number
  // A count below 1 is a rule, not a shape problem: it loads, and validate() names it.
  EXPECT_EQ(org.units[3].servers, server_count(0));
  const auto d = validate(org);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].to_string(), "unit 'd' (/units/3): servers = 0, but must be a positive integer or \"unlimited\"");
}

// ------------------------------------------------------------------ located parse errors

TEST(JsonTest, TruncatedFileNamesPointerLineAndColumn) {
  // The file stops after `"service_time":` of the second unit, followed by a newline:
  // the value would start on line 6, column 1.
  const fs::path file = io_data / "truncated.json";
  try {
    (void)load_organization(file);
    FAIL() << "a truncated file loaded";
  } catch (const parse_error& e) {
    EXPECT_EQ(e.code(), "servicechain.parse_error");
    EXPECT_EQ(e.pointer(), "/units/1/service_time");
    EXPECT_EQ(e.line(), 6u);
    EXPECT_EQ(e.column(), 1u);
    const std::string what = e.what();
    EXPECT_THAT(what, HasSubstr(file.string()));
    EXPECT_THAT(what, HasSubstr("(/units/1/service_time) at line 6, column 1"));
    EXPECT_THAT(what, HasSubstr("unexpected end of input"));
    EXPECT_THAT(what, HasSubstr("is the file truncated?"));
    EXPECT_THAT(what, Not(HasSubstr("json.exception")));
  }
}

TEST(JsonTest, SyntaxErrorInsideTheFileIsLocated) {
  // Missing comma between two units; the second '{' is on line 3, column 3.
  const parse_error e = parse_failure(
      "{\"units\": [\n"
      "  {\"id\": \"a\", \"service_time\": 1}\n"
      "  {\"id\": \"b\"}]}");
  EXPECT_EQ(e.pointer(), "/units/1");
  EXPECT_EQ(e.line(), 3u);
  EXPECT_EQ(e.column(), 3u);
  EXPECT_THAT(e.what(), HasSubstr("invalid JSON"));
  EXPECT_THAT(e.what(), Not(HasSubstr("truncated")));
}

TEST(JsonTest, EmptyTextAndTrailingGarbageAreSyntaxErrors) {
  const parse_error empty = parse_failure("");
  EXPECT_EQ(empty.line(), 1u);
  EXPECT_EQ(empty.column(), 1u);
  EXPECT_THAT(empty.what(), HasSubstr("truncated"));

  const parse_error trailing = parse_failure("{\"units\": []}\n}");
  EXPECT_EQ(trailing.line(), 2u);
  EXPECT_EQ(trailing.column(), 1u);
  EXPECT_THAT(trailing.what(), HasSubstr("expected end of input"));
}

TEST(JsonTest, EveryTruncationOfAModelIsALocatedParseError) {
  const std::string text = read_text(oracle_models / "rework.json");
  const auto last_brace = text.rfind('}');
  ASSERT_NE(last_brace, std::string::npos);
  for (std::size_t n = 0; n <= last_brace; ++n) {
    const std::string prefix = text.substr(0, n);
    try {
      (void)parse_organization(prefix, "prefix");
      ADD_FAILURE() << "a " << n << "-byte prefix parsed";
    } catch (const parse_error& e) {
      // The position is at the end of the prefix (on its last line), and says so.
      const auto lines = static_cast<std::size_t>(std::count(prefix.begin(), prefix.end(), '\n')) + 1;
      EXPECT_EQ(e.line(), lines) << "prefix of " << n << " bytes: " << e.what();
      EXPECT_GE(e.column(), 1u) << e.what();
      EXPECT_THAT(e.what(), HasSubstr("truncated")) << "prefix of " << n << " bytes";
    }
  }
}

TEST(JsonTest, ColumnsCountEscapedQuotesInsideStrings) {
  // `"x\"y"` starts on column 38; the escaped quotes must not confuse the position.
  const parse_error e = parse_failure(R"({"units": [{"id": "a\"b", "servers": "x\"y"}]})");
  EXPECT_EQ(e.pointer(), "/units/0/servers");
  EXPECT_EQ(e.line(), 1u);
  EXPECT_EQ(e.column(), 38u);
}

TEST(JsonTest, NumberOverflowIsLocated) {
  const parse_error e = parse_failure("{\"units\": [{\"id\": \"a\", \"service_time\": 1e400}]}");
  EXPECT_EQ(e.pointer(), "/units/0/service_time");
  EXPECT_EQ(e.line(), 1u);
  EXPECT_THAT(e.what(), HasSubstr("1e400"));
}

TEST(JsonTest, WrongTypeNamesPointerValueAndExpectation) {
  // `"two"` starts on line 5, column 28.
  const parse_error e = parse_failure(R"({
  "name": "typed",
  "units": [
    {"id": "a", "service_time": 0.5},
    {"id": "b", "servers": "two", "service_time": 1}
  ]
})");
  EXPECT_EQ(e.pointer(), "/units/1/servers");
  EXPECT_EQ(e.line(), 5u);
  EXPECT_EQ(e.column(), 28u);
  EXPECT_THAT(e.what(), HasSubstr("test.json (/units/1/servers) at line 5, column 28: "
                                  "servers = \"two\", but must be a positive integer or \"unlimited\""));
}

TEST(JsonTest, NumbersWrittenAsStringsAreTypeErrors) {
  const parse_error e =
      parse_failure(R"({"units": [{"id": "c", "external": true, "demand": "3"}]})");
  EXPECT_EQ(e.pointer(), "/units/0/demand");
  EXPECT_THAT(e.what(), HasSubstr("demand = \"3\", but must be a number"));
}

TEST(JsonTest, OtherWrongTypesAreNamed) {
  EXPECT_THAT(parse_failure(R"({"units": [{"id": 7}]})").what(), HasSubstr("id = 7, but must be a string"));
  EXPECT_THAT(parse_failure(R"({"units": [{"id": "a", "external": "yes"}]})").what(),
              HasSubstr("external = \"yes\", but must be true or false"));
  EXPECT_THAT(parse_failure(R"({"units": [{"id": "a", "yield": null}]})").what(),
              HasSubstr("yield = null, but must be a number"));
  EXPECT_THAT(parse_failure(R"({"name": ["x"], "units": []})").what(), HasSubstr("name = [\"x\"], but must be a string"));
  EXPECT_THAT(parse_failure(R"({"units": [], "links": [{"from": "a", "to": "b", "ratings": [4]}]})").what(),
              HasSubstr("ratings = [4], but must be an object of scores by need"));
  EXPECT_THAT(parse_failure(R"({"units": [], "links": [{"from": "a", "to": "b", "ratings": {"informed": "good"}}]})")
                  .what(),
              AllOf(HasSubstr("/links/0/ratings/informed"), HasSubstr("ratings.informed = \"good\", but must be a score")));
}

TEST(JsonTest, NonIntegerCountsAreRejected) {
  const parse_error servers = parse_failure(R"({"units": [{"id": "a", "servers": 2.5, "service_time": 1}]})");
  EXPECT_EQ(servers.pointer(), "/units/0/servers");
  EXPECT_THAT(servers.what(), HasSubstr("servers = 2.5, but must be a positive integer or \"unlimited\""));

  const parse_error population = parse_failure(R"({"units": [{"id": "c", "external": true, "population": 2.5}]})");
  EXPECT_EQ(population.pointer(), "/units/0/population");
  EXPECT_THAT(population.what(), HasSubstr("population = 2.5, but must be an integer"));

  const parse_error priority = parse_failure(R"({"units": [], "links": [{"from": "a", "to": "b", "priority": 0.5}]})");
  EXPECT_EQ(priority.pointer(), "/links/0/priority");
  EXPECT_THAT(priority.what(), HasSubstr("priority = 0.5, but must be an integer"));

  // Beyond the range of a 64-bit count.
  EXPECT_THAT(parse_failure(R"({"units": [{"id": "a", "servers": 18446744073709551615}]})").what(),
              HasSubstr("servers = 18446744073709551615, but must be a positive integer"));
}

TEST(JsonTest, UnknownEnumValuesListTheAllowedOnes) {
  const parse_error mode = parse_failure(R"({"units": [], "links": [{"from": "a", "to": "b", "mode": "asynch"}]})");
  EXPECT_EQ(mode.pointer(), "/links/0/mode");
  EXPECT_THAT(mode.what(), HasSubstr("mode = \"asynch\", but must be one of \"sync\", \"async\" (did you mean \"async\"?)"));

  const parse_error d = parse_failure(R"({"units": [{"id": "a", "service_time": 1, "discipline": "lifo"}]})");
  EXPECT_EQ(d.pointer(), "/units/0/discipline");
  EXPECT_THAT(d.what(),
              HasSubstr("discipline = \"lifo\", but must be one of \"fifo\", \"external_first\", \"internal_first\", "
                        "\"priority\""));
  EXPECT_THAT(parse_failure(R"({"units": [{"id": "a", "discipline": 2}]})").what(),
              HasSubstr("discipline = 2, but must be one of \"fifo\""));
}

TEST(JsonTest, UnknownKeyGetsADidYouMeanHint) {
  // `"sevice_time"` starts on line 3, column 17.
  const parse_error e = parse_failure(R"({
  "units": [
    {"id": "a", "sevice_time": 0.5}
  ]
})");
  EXPECT_EQ(e.pointer(), "/units/0/sevice_time");
  EXPECT_EQ(e.line(), 3u);
  EXPECT_EQ(e.column(), 17u);
  EXPECT_THAT(e.what(), HasSubstr("unknown key 'sevice_time' in a unit (did you mean 'service_time'?)"));
}

TEST(JsonTest, UnknownKeyWithoutANearMatchListsTheKeys) {
  const parse_error top = parse_failure(R"({"units": [], "owner": "ops"})");
  EXPECT_EQ(top.pointer(), "/owner");
  EXPECT_THAT(top.what(), HasSubstr("unknown key 'owner' in the model; the keys are 'name', 'description', "
                                    "'time_unit', 'currency', 'units', 'links'"));
  EXPECT_THAT(parse_failure(R"({"units": [], "links": [{"from": "a", "to": "b", "reqests": 2}]})").what(),
              HasSubstr("unknown key 'reqests' in a link (did you mean 'requests'?)"));
  EXPECT_THAT(parse_failure(R"({"units": [], "links": [{"from": "a", "to": "b", "ratings": {"frendly": 4}}]})").what(),
              AllOf(HasSubstr("/links/0/ratings/frendly"), HasSubstr("unknown key 'frendly' in ratings (did you mean 'friendly'?)")));
}

TEST(JsonTest, ShapeProblemsAreReportedTogetherOnePerLine) {
  // Lines and columns counted by hand in tests/data/io/several_problems.json.
  try {
    (void)load_organization(io_data / "several_problems.json");
    FAIL() << "several_problems.json loaded";
  } catch (const parse_error& e) {
    EXPECT_EQ(e.pointer(), "/units/0/sevice_time");  // the first, in file order
    EXPECT_EQ(e.line(), 4u);
    EXPECT_EQ(e.column(), 22u);
    const std::string what = e.what();
    EXPECT_THAT(what, HasSubstr(": 6 problems:\n"));
    EXPECT_THAT(what, HasSubstr("\n  /units/0/sevice_time at line 4, column 22: unknown key 'sevice_time' in a unit "
                                "(did you mean 'service_time'?)\n"));
    EXPECT_THAT(what, HasSubstr("\n  /units/1/servers at line 5, column 29: servers = \"two\", but must be a positive "
                                "integer or \"unlimited\"\n"));
    EXPECT_THAT(what, HasSubstr("\n  /units/2/demand at line 6, column 52: demand = \"3\", but must be a number\n"));
    EXPECT_THAT(what, HasSubstr("\n  /links/0/mode at line 9, column 44: mode = \"asynch\", but must be one of"));
    EXPECT_THAT(what, HasSubstr("\n  /links/1/priority at line 10, column 50: priority = 1.5, but must be an integer\n"));
    EXPECT_THAT(what, HasSubstr("\n  /links/1/ratings/frendly at line 10, column 67: unknown key 'frendly' in ratings"));
  }
}

TEST(JsonTest, MissingAndMisshapenStructureIsReported) {
  EXPECT_THAT(parse_failure("[1, 2]").what(), HasSubstr("the model is [1,2], but must be a JSON object"));
  EXPECT_THAT(parse_failure(R"({"name": "x"})").what(), HasSubstr("missing key 'units'"));
  EXPECT_THAT(parse_failure(R"({"units": {"id": "a"}})").what(),
              AllOf(HasSubstr("(/units)"), HasSubstr("units = {\"id\":\"a\"}, but must be an array of units")));
  EXPECT_THAT(parse_failure(R"({"units": [], "links": {}})").what(), HasSubstr("links = {}, but must be an array of links"));
  const parse_error unit_not_object = parse_failure(R"({"units": [{"id": "a"}, "b"]})");
  EXPECT_EQ(unit_not_object.pointer(), "/units/1");
  EXPECT_THAT(unit_not_object.what(), HasSubstr("unit = \"b\", but must be a JSON object"));
  const parse_error no_id = parse_failure(R"({"units": [{"servers": 2}]})");
  EXPECT_EQ(no_id.pointer(), "/units/0");
  EXPECT_THAT(no_id.what(), HasSubstr("missing key 'id'"));
  const parse_error no_to = parse_failure(R"({"units": [], "links": [{"from": "a"}]})");
  EXPECT_EQ(no_to.pointer(), "/links/0");
  EXPECT_THAT(no_to.what(), HasSubstr("missing key 'to'"));
  EXPECT_THAT(parse_failure(R"({"units": [], "links": [7]})").what(), HasSubstr("link = 7, but must be a JSON object"));
}

TEST(JsonTest, DuplicateKeyIsAnError) {
  const parse_error e = parse_failure(R"({"units": [{"id": "a", "service_time": 1, "service_time": 2}]})");
  EXPECT_EQ(e.pointer(), "/units/0/service_time");
  EXPECT_EQ(e.column(), 43u);  // the second "service_time"
  EXPECT_THAT(e.what(), HasSubstr("key 'service_time' appears twice in the same object"));
}

TEST(JsonTest, PointerEscapesSlashAndTilde) {
  const parse_error e = parse_failure(R"({"units": [{"id": "a", "a/b~c": 1}]})");
  EXPECT_EQ(e.pointer(), "/units/0/a~1b~0c");  // RFC 6901
}

TEST(JsonTest, UnreadableFilesAreIoErrors) {
  EXPECT_THROW((void)load_organization(io_data / "does_not_exist.json"), io_error);
  EXPECT_THROW((void)load_organization(io_data), io_error);
  try {
    (void)load_organization(io_data / "does_not_exist.json");
  } catch (const io_error& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("does_not_exist.json"), HasSubstr("[servicechain.io]")));
  }
}

// ------------------------------------------------------------------ saving

TEST(JsonTest, SaveWritesOnlyNonDefaultFieldsOneUnitPerLine) {
  organization org{.name = "shop", .currency = "EUR"};
  org.add_unit({.id = "desk", .servers = 2, .service_time = 0.2});
  org.add_unit({.id = "walk_in", .name = "Walk-in customers", .external = true, .demand = 3});
  org.add_link({.from = "desk", .to = "walk_in", .acceptance = 0.95, .ratings = {{"friendly", 4}}});
  EXPECT_EQ(to_json(org),
            "{\n"
            "  \"name\": \"shop\",\n"
            "  \"currency\": \"EUR\",\n"
            "  \"units\": [\n"
            "    {\"id\": \"desk\", \"servers\": 2, \"service_time\": 0.2},\n"
            "    {\"id\": \"walk_in\", \"name\": \"Walk-in customers\", \"external\": true, \"demand\": 3}\n"
            "  ],\n"
            "  \"links\": [\n"
            "    {\"from\": \"desk\", \"to\": \"walk_in\", \"acceptance\": 0.95, \"ratings\": {\"friendly\": 4}}\n"
            "  ]\n"
            "}");
  EXPECT_EQ(to_json(org, -1),
            R"({"name":"shop","currency":"EUR","units":[{"id":"desk","servers":2,"service_time":0.2},)"
            R"({"id":"walk_in","name":"Walk-in customers","external":true,"demand":3}],)"
            R"("links":[{"from":"desk","to":"walk_in","acceptance":0.95,"ratings":{"friendly":4}}]})");
}

TEST(JsonTest, SaveOfAnEmptyModelKeepsTheRequiredKeys) {
  EXPECT_EQ(to_json(organization{}), "{\n  \"name\": \"\",\n  \"units\": []\n}");
  EXPECT_EQ(parse_organization(to_json(organization{})), organization{});
}

TEST(JsonTest, SaveRefusesNonFiniteNumbers) {
  organization org;
  org.add_unit({.id = "legal", .service_time = std::numeric_limits<double>::infinity()});
  org.add_link({.from = "legal", .to = "x", .requests = std::numeric_limits<double>::quiet_NaN()});
  try {
    (void)to_json(org);
    FAIL() << "to_json wrote a non-finite number";
  } catch (const invalid_model_error& e) {
    ASSERT_EQ(e.diagnostics().size(), 2u);
    EXPECT_EQ(e.diagnostics()[0].to_string(),
              "unit 'legal' (/units/0): service_time = inf, but must be finite to be written as JSON");
    EXPECT_EQ(e.diagnostics()[1].to_string(),
              "link 'legal' -> 'x' (/links/0): requests = nan, but must be finite to be written as JSON");
  }
}

TEST(JsonTest, SaveAndLoadThroughAFile) {
  organization org = load_organization(oracle_models / "rework.json");
  const fs::path file = fs::path(::testing::TempDir()) / "servicechain_json_test_rework.json";
  save_organization(org, file);
  EXPECT_EQ(load_organization(file), org);
  const std::string text = read_text(file);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_THAT(text, HasSubstr(R"({"id": "qa", "service_time": 0.6666666666666666})"));
  fs::remove(file);

  EXPECT_THROW(save_organization(org, io_data / "no_such_dir" / "x.json"), io_error);
}

// ------------------------------------------------------------------ round trip

/// A random valid organization using every field: unlimited servers, all disciplines,
/// open and closed classes, groups, priorities, ratings in random order, awkward strings.
organization random_organization(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  auto integer = [&](std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng); };
  auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };

  const char* awkward[] = {"", "Ops \"night\" shift", "Légal & Cömpliance", "tab\there", "back\\slash", "日本"};
  organization org{.name = "random " + std::to_string(seed),
                   .description = chance(0.5) ? "line one\nline two" : "",
                   .time_unit = chance(0.3) ? "minute" : "hour",
                   .currency = chance(0.5) ? "EUR" : ""};
  const auto internal_count = integer(2, 10);
  const auto external_count = integer(1, 4);
  for (std::int64_t i = 0; i < internal_count; ++i) {
    unit u{.id = "u" + std::to_string(i)};
    u.name = awkward[integer(0, 5)];
    u.servers = chance(0.2) ? server_count::unlimited() : server_count(integer(1, 8));
    // Full-precision doubles across many magnitudes, to test round-trip formatting (within
    // the [1e-150, 1e150] that validation accepts).
    u.service_time = chance(0.1) ? 1e-140 : uniform(0.001, 10) * (chance(0.1) ? 1e140 : 1);
    if (chance(0.5)) u.service_scv = chance(0.2) ? 0 : uniform(0, 4);
    u.queue_discipline = static_cast<discipline>(integer(0, 3));
    u.preemptive = chance(0.3);
    if (chance(0.6)) u.cost_per_time = chance(0.3) ? static_cast<double>(integer(1, 100000)) : uniform(0, 500);
    if (chance(0.4)) u.cost_per_request = uniform(0, 20);
    if (chance(0.4)) u.yield = 1 - uniform(0, 0.2);
    org.add_unit(std::move(u));
  }
  for (std::int64_t k = 0; k < external_count; ++k) {
    unit c{.id = "c" + std::to_string(k), .external = true};
    if (chance(0.5)) {
      c.demand = chance(0.2) ? 0.1 : uniform(0, 100);
    } else {
      c.population = integer(1, 1000);
      if (chance(0.7)) c.think_time = uniform(0, 50);
    }
    if (chance(0.5)) c.value_per_request = uniform(0, 1000);
    if (chance(0.2)) c.service_time = uniform(0, 1);  // allowed, ignored for a customer
    org.add_unit(std::move(c));
  }
  const auto n = static_cast<std::int64_t>(org.units.size());
  const auto link_count = integer(internal_count, 3 * n);
  for (std::int64_t j = 0; j < link_count; ++j) {
    const auto from = integer(0, internal_count - 1);
    auto to = integer(0, n - 2);
    if (to >= from) ++to;  // never a self-link
    link l{.from = org.units[static_cast<std::size_t>(from)].id, .to = org.units[static_cast<std::size_t>(to)].id};
    if (chance(0.5)) l.requests = chance(0.2) ? 0 : uniform(0, 3);
    if (chance(0.3)) l.mode = link_mode::async;
    if (chance(0.3)) l.acceptance = 1 - uniform(0, 0.5);
    if (chance(0.2)) l.group = chance(0.5) ? "printers" : "a/b~c";
    if (chance(0.3)) l.priority = integer(-5, 5);
    std::vector<std::string_view> needs(std::begin(need_names), std::end(need_names));
    std::shuffle(needs.begin(), needs.end(), rng);
    const auto rated = integer(0, 6);
    for (std::int64_t r = 0; r < rated; ++r)
      l.ratings.emplace_back(std::string(needs[static_cast<std::size_t>(r)]), chance(0.5) ? integer(1, 5) : uniform(1, 5));
    org.add_link(std::move(l));
  }
  return org;
}

TEST(JsonTest, RoundTripIsLosslessForRandomValidModels) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const organization org = random_organization(seed);
    ASSERT_THAT(validate(org), IsEmpty()) << "seed " << seed << " made an invalid model";
    const std::string text = to_json(org);
    const organization back = parse_organization(text);
    ASSERT_EQ(back, org) << "seed " << seed << " did not round-trip:\n" << text;
    ASSERT_EQ(parse_organization(to_json(org, -1)), org) << "seed " << seed << " (compact)";
    ASSERT_EQ(parse_organization(to_json(org, 0)), org) << "seed " << seed << " (indent 0)";
  }
}

TEST(JsonTest, RoundTripKeepsEveryOptionalFieldExactly) {
  organization org{.name = "edge", .description = "d", .time_unit = "", .currency = "USD"};
  org.add_unit({.id = "a",
                .name = "A",
                .servers = server_count::unlimited(),
                .service_time = 0.1,
                .service_scv = 0,
                .queue_discipline = discipline::priority,
                .preemptive = true,
                .cost_per_time = 1e-9,
                .cost_per_request = 123456789.125,
                .yield = 0.3});
  org.add_unit({.id = "c", .external = true, .population = 7, .think_time = 0, .value_per_request = 5});
  org.add_link({.from = "a", .to = "c", .requests = 0, .mode = link_mode::async, .acceptance = 0.1,
                .group = "g", .priority = std::numeric_limits<std::int64_t>::min(),
                .ratings = {{"attentive", 1}, {"choices", 4.75}}});
  EXPECT_EQ(parse_organization(to_json(org)), org) << to_json(org);
}

// ------------------------------------------------------------------ the documentation example

TEST(JsonTest, DocumentationExampleParsesAndValidates) {
  const fs::path doc = fs::path(SERVICECHAIN_TEST_DATA_DIR) / ".." / ".." / "docs" / "model-format.md";
  const std::string markdown = read_text(doc);
  const auto begin = markdown.find("<!-- example:begin -->");
  const auto end = markdown.find("<!-- example:end -->");
  ASSERT_NE(begin, std::string::npos) << "no <!-- example:begin --> marker in " << doc;
  ASSERT_NE(end, std::string::npos) << "no <!-- example:end --> marker in " << doc;
  ASSERT_LT(begin, end);
  const std::string block = markdown.substr(begin, end - begin);
  const auto fence = block.find("```json\n");
  ASSERT_NE(fence, std::string::npos) << "no ```json block between the markers";
  const auto body = fence + 8;
  const auto close = block.find("\n```", body);
  ASSERT_NE(close, std::string::npos) << "unterminated ```json block";
  const std::string example = block.substr(body, close - body + 1);

  organization org;
  ASSERT_NO_THROW(org = parse_organization(example, "docs/model-format.md example")) << example;
  EXPECT_THAT(validate(org), IsEmpty());

  // The example is meant to show most of the format: check the features it must exercise.
  bool unlimited = false, closed = false, open = false, rated = false, grouped = false, async = false,
       rework = false, priority = false;
  for (const unit& u : org.units) {
    unlimited |= u.servers.is_unlimited();
    closed |= u.population.has_value();
    open |= u.demand.has_value();
    priority |= u.queue_discipline != discipline::fifo;
  }
  for (const link& l : org.links) {
    rated |= !l.ratings.empty();
    grouped |= !l.group.empty();
    async |= l.mode == link_mode::async;
    rework |= l.acceptance < 1;
  }
  EXPECT_TRUE(unlimited && closed && open && rated && grouped && async && rework && priority)
      << "the documented example no longer shows every feature";
  // Saving the example and loading it again changes nothing.
  EXPECT_EQ(parse_organization(to_json(org)), org);
}

}  // namespace
}  // namespace servicechain
