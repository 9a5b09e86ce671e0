// Validation rules of docs/semantics.md: each rule names its culprit (id and JSON pointer), the bad
// value and the expectation, and every problem is reported in one pass.

#include "servicechain/model/validate.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace servicechain {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();
constexpr double infinity = std::numeric_limits<double>::infinity();

// A valid organization exercising every kind of unit and link:
//
//   intake -> processing -> qa -> customer (open, demand 2)
//                 |         ^
//                 |  legal -+ (async)  legal -> partner (closed: population 3)
//                 +-----------------------------> partner
//
// Unit indices: intake 0, processing 1, qa 2, legal 3, customer 4, partner 5.
organization base_model() {
  organization org{.name = "validation base", .time_unit = "hour", .currency = "EUR"};
  org.add_unit({.id = "intake", .service_time = 0.5});
  org.add_unit({.id = "processing", .servers = 2, .service_time = 0.4, .cost_per_time = 50});
  org.add_unit({.id = "qa", .service_time = 0.3, .yield = 0.99});
  org.add_unit({.id = "legal", .servers = server_count::unlimited(), .service_time = 1.5});
  org.add_unit({.id = "customer", .external = true, .demand = 2, .value_per_request = 100});
  org.add_unit({.id = "partner", .external = true, .population = 3, .think_time = 4});
  org.add_link({.from = "intake", .to = "processing"});
  org.add_link({.from = "processing", .to = "qa", .acceptance = 0.8, .ratings = {{"informed", 4}, {"friendly", 5}}});
  org.add_link({.from = "qa", .to = "customer"});
  org.add_link({.from = "legal", .to = "qa", .requests = 0.1, .mode = link_mode::async});
  org.add_link({.from = "legal", .to = "partner"});
  org.add_link({.from = "processing", .to = "partner", .requests = 2});
  return org;
}

// A diagnostic whose location and message contain the given texts.
auto has_diagnostic(const std::string& location, const std::string& message) {
  return Contains(AllOf(Field(&diagnostic::location, HasSubstr(location)), Field(&diagnostic::message, HasSubstr(message))));
}

TEST(ValidateTest, BaseModelIsValid) {
  const organization org = base_model();
  EXPECT_THAT(validate(org), IsEmpty());
  EXPECT_NO_THROW(require_valid(org));
}

TEST(ValidateTest, EmptyIdIsNamedByIndex) {
  organization org = base_model();
  org.units[3].id.clear();
  const auto d = validate(org);
  EXPECT_THAT(d, has_diagnostic("unit #3 (/units/3)", "id is empty, but must be a non-empty string"));
}

TEST(ValidateTest, DuplicateIdNamesBothPositions) {
  organization org = base_model();
  org.units[3].id = "qa";  // 'legal' becomes a second 'qa'
  const auto d = validate(org);
  EXPECT_THAT(d, has_diagnostic("unit 'qa' (/units/3)", "id 'qa' is already used by unit #2 (/units/2)"));
  EXPECT_THAT(d, has_diagnostic("unit 'qa' (/units/3)", "ids must be unique"));
}

TEST(ValidateTest, UnknownLinkEndpointSuggestsTheClosestId) {
  organization org = base_model();
  org.links[1].to = "qaa";
  org.links[0].from = "nobody_at_all";
  const auto d = validate(org);
  EXPECT_THAT(d, has_diagnostic("link 'processing' -> 'qaa' (/links/1)",
                                "to = 'qaa', but there is no unit with this id (did you mean 'qa'?)"));
  // No plausible typo: no hint.
  EXPECT_THAT(d, has_diagnostic("link 'nobody_at_all' -> 'processing' (/links/0)",
                                "from = 'nobody_at_all', but there is no unit with this id"));
  EXPECT_THAT(d, Contains(Field(&diagnostic::message, AllOf(HasSubstr("nobody_at_all"), Not(HasSubstr("did you mean"))))));
}

TEST(ValidateTest, EmptyEndpointIsReported) {
  organization org = base_model();
  org.links[2].to.clear();
  const auto d = validate(org);
  EXPECT_THAT(d, has_diagnostic("link 'qa' -> '' (/links/2)", "to is empty, but must be the id of the consuming unit"));
}

TEST(ValidateTest, LinkWithBothEndpointsEmptyIsNamedByIndex) {
  organization org = base_model();
  org.add_link({});
  const auto d = validate(org);
  EXPECT_THAT(d, has_diagnostic("link #6 (/links/6)", "from is empty"));
  EXPECT_THAT(d, has_diagnostic("link #6 (/links/6)", "to is empty"));
}

TEST(ValidateTest, SelfLinkIsRejected) {
  organization org = base_model();
  org.add_link({.from = "legal", .to = "legal"});
  EXPECT_THAT(validate(org), has_diagnostic("link 'legal' -> 'legal' (/links/6)",
                                            "from = to = 'legal', but a unit cannot be its own provider"));
}

TEST(ValidateTest, ExternalCustomerCannotProvide) {
  organization org = base_model();
  org.add_link({.from = "customer", .to = "legal"});
  EXPECT_THAT(validate(org), has_diagnostic("link 'customer' -> 'legal' (/links/6)",
                                            "from = 'customer' is an external customer, but an external customer never provides"));
}

TEST(ValidateTest, ServersMustBePositiveUnlessUnlimited) {
  organization org = base_model();
  org.units[3].servers = 0;
  org.units[0].servers = -2;
  const auto d = validate(org);
  EXPECT_THAT(d, has_diagnostic("unit 'legal' (/units/3)", "servers = 0, but must be a positive integer or \"unlimited\""));
  EXPECT_THAT(d, has_diagnostic("unit 'intake' (/units/0)", "servers = -2, but must be a positive integer or \"unlimited\""));
  EXPECT_THAT(d, SizeIs(2));
}

TEST(ValidateTest, InternalUnitNeedsAPositiveServiceTime) {
  organization org = base_model();
  org.units[3].service_time.reset();
  org.units[0].service_time = 0;
  org.units[1].service_time = -0.1;
  org.units[2].service_time = nan_value;
  const auto d = validate(org);
  EXPECT_THAT(d, has_diagnostic("unit 'legal' (/units/3)", "service_time is missing, but an internal unit needs one"));
  EXPECT_THAT(d, has_diagnostic("unit 'intake' (/units/0)", "service_time = 0, but must be a finite number > 0"));
  EXPECT_THAT(d, has_diagnostic("unit 'processing' (/units/1)", "service_time = -0.1, but must be a finite number > 0"));
  EXPECT_THAT(d, has_diagnostic("unit 'qa' (/units/2)", "service_time = nan, but must be a finite number > 0"));
  EXPECT_THAT(d, SizeIs(4));
}

TEST(ValidateTest, ExternalUnitNeedsNoServiceTime) {
  organization org = base_model();
  ASSERT_FALSE(org.units[4].service_time.has_value());
  EXPECT_THAT(validate(org), IsEmpty());
  org.units[4].service_time = -1;  // ignored by the analyses, but still not a valid number
  EXPECT_THAT(validate(org), has_diagnostic("unit 'customer' (/units/4)", "service_time = -1, but must be a finite number >= 0"));
}

// One row per numeric field: how to break it, and what the diagnostic must say.
struct numeric_case {
  std::string name;
  std::function<void(organization&)> mutate;
  std::string location;
  std::string message;
};

// Stable, readable test names in ctest instead of the parameter's raw bytes.
[[maybe_unused]] void PrintTo(const numeric_case& c, std::ostream* os) { *os << c.name; }

class ValidateNumericTest : public ::testing::TestWithParam<numeric_case> {};

TEST_P(ValidateNumericTest, NamesTheFieldTheValueAndTheExpectation) {
  const numeric_case& c = GetParam();
  organization org = base_model();
  c.mutate(org);
  const auto d = validate(org);
  EXPECT_THAT(d, has_diagnostic(c.location, c.message));
  EXPECT_THAT(d, SizeIs(1)) << "only the broken field should be reported";
}

INSTANTIATE_TEST_SUITE_P(
    AllNumericFields, ValidateNumericTest,
    ::testing::Values(
        numeric_case{"requests_negative", [](organization& o) { o.links[5].requests = -1; },
                     "link 'processing' -> 'partner' (/links/5)", "requests = -1, but must be a finite number >= 0"},
        numeric_case{"requests_nan", [](organization& o) { o.links[5].requests = nan_value; },
                     "link 'processing' -> 'partner' (/links/5)", "requests = nan, but must be a finite number >= 0"},
        numeric_case{"requests_infinite", [](organization& o) { o.links[0].requests = infinity; },
                     "link 'intake' -> 'processing' (/links/0)", "requests = inf, but must be a finite number >= 0"},
        numeric_case{"service_scv_negative", [](organization& o) { o.units[3].service_scv = -0.5; },
                     "unit 'legal' (/units/3)", "service_scv = -0.5, but must be a finite number >= 0"},
        numeric_case{"service_scv_infinite", [](organization& o) { o.units[3].service_scv = infinity; },
                     "unit 'legal' (/units/3)", "service_scv = inf, but must be a finite number >= 0"},
        numeric_case{"cost_per_time_negative", [](organization& o) { o.units[3].cost_per_time = -10; },
                     "unit 'legal' (/units/3)", "cost_per_time = -10, but must be a finite number >= 0"},
        numeric_case{"cost_per_request_nan", [](organization& o) { o.units[3].cost_per_request = nan_value; },
                     "unit 'legal' (/units/3)", "cost_per_request = nan, but must be a finite number >= 0"},
        numeric_case{"service_time_infinite", [](organization& o) { o.units[3].service_time = infinity; },
                     "unit 'legal' (/units/3)", "service_time = inf, but must be a finite number > 0"},
        numeric_case{"demand_negative", [](organization& o) { o.units[4].demand = -2; },
                     "unit 'customer' (/units/4)", "demand = -2, but must be a finite number >= 0"},
        numeric_case{"demand_nan", [](organization& o) { o.units[4].demand = nan_value; },
                     "unit 'customer' (/units/4)", "demand = nan, but must be a finite number >= 0"},
        numeric_case{"think_time_negative", [](organization& o) { o.units[5].think_time = -4; },
                     "unit 'partner' (/units/5)", "think_time = -4, but must be a finite number >= 0"},
        numeric_case{"value_per_request_negative", [](organization& o) { o.units[4].value_per_request = -1; },
                     "unit 'customer' (/units/4)", "value_per_request = -1, but must be a finite number >= 0"},
        numeric_case{"value_per_request_infinite", [](organization& o) { o.units[4].value_per_request = infinity; },
                     "unit 'customer' (/units/4)", "value_per_request = inf, but must be a finite number >= 0"},
        numeric_case{"yield_zero", [](organization& o) { o.units[3].yield = 0; }, "unit 'legal' (/units/3)",
                     "yield = 0, but must be in (0, 1]"},
        numeric_case{"yield_above_one", [](organization& o) { o.units[3].yield = 1.01; }, "unit 'legal' (/units/3)",
                     "yield = 1.01, but must be in (0, 1]"},
        numeric_case{"yield_nan", [](organization& o) { o.units[3].yield = nan_value; }, "unit 'legal' (/units/3)",
                     "yield = nan, but must be in (0, 1]"},
        numeric_case{"acceptance_zero", [](organization& o) { o.links[1].acceptance = 0; },
                     "link 'processing' -> 'qa' (/links/1)", "acceptance = 0, but must be in (0, 1]"},
        numeric_case{"acceptance_above_one", [](organization& o) { o.links[1].acceptance = 1.5; },
                     "link 'processing' -> 'qa' (/links/1)", "acceptance = 1.5, but must be in (0, 1]"},
        numeric_case{"acceptance_negative", [](organization& o) { o.links[1].acceptance = -0.2; },
                     "link 'processing' -> 'qa' (/links/1)", "acceptance = -0.2, but must be in (0, 1]"},
        numeric_case{"rating_above_five", [](organization& o) { o.links[1].ratings[1].second = 6; },
                     "link 'processing' -> 'qa' (/links/1)", "ratings.friendly = 6, but must be a score between 1 and 5"},
        numeric_case{"rating_below_one", [](organization& o) { o.links[1].ratings[0].second = 0.5; },
                     "link 'processing' -> 'qa' (/links/1)", "ratings.informed = 0.5, but must be a score between 1 and 5"},
        numeric_case{"rating_nan", [](organization& o) { o.links[1].ratings[0].second = nan_value; },
                     "link 'processing' -> 'qa' (/links/1)", "ratings.informed = nan, but must be a score between 1 and 5"}),
    [](const ::testing::TestParamInfo<numeric_case>& info) { return info.param.name; });

TEST(ValidateTest, BoundaryValuesAreAccepted) {
  organization org = base_model();
  org.links[3].requests = 0;        // a link that carries nothing
  org.links[1].acceptance = 1;      // the upper end of (0, 1]
  org.units[2].yield = 1;
  org.units[3].service_scv = 0;     // deterministic service
  org.units[4].demand = 0;          // a customer with no requests this scenario
  org.units[5].population = 1;
  org.units[5].think_time = 0;
  org.links[1].ratings = {{"informed", 1}, {"in_control", 5}, {"choices", 2.5},
                          {"friendly", 3}, {"knowledgeable", 4}, {"attentive", 1}};
  EXPECT_THAT(validate(org), IsEmpty());
}

TEST(ValidateTest, ExternalCustomerWithoutIncomingLinkIsFine) {
  organization org = base_model();
  org.add_unit({.id = "prospect", .external = true, .demand = 5});
  EXPECT_THAT(validate(org), IsEmpty());
}

TEST(ValidateTest, ExternalCustomerNeedsExactlyOneOfDemandAndPopulation) {
  organization org = base_model();
  org.units[4].demand.reset();        // customer: neither
  org.units[5].demand = 1.5;          // partner: both
  const auto d = validate(org);
  EXPECT_THAT(d, has_diagnostic("unit 'customer' (/units/4)", "neither demand nor population is set"));
  EXPECT_THAT(d, has_diagnostic("unit 'partner' (/units/5)", "demand = 1.5 and population = 3 are both set"));
  EXPECT_THAT(d, SizeIs(2));
}

TEST(ValidateTest, PopulationMustBeAtLeastOne) {
  organization org = base_model();
  org.units[5].population = 0;
  EXPECT_THAT(validate(org), has_diagnostic("unit 'partner' (/units/5)", "population = 0, but must be an integer >= 1"));
  org.units[5].population = -3;
  EXPECT_THAT(validate(org), has_diagnostic("unit 'partner' (/units/5)", "population = -3, but must be an integer >= 1"));
}

TEST(ValidateTest, ThinkTimeNeedsPopulation) {
  organization org = base_model();
  org.units[4].think_time = 2;  // customer is an open class
  EXPECT_THAT(validate(org), has_diagnostic("unit 'customer' (/units/4)",
                                            "think_time = 2 is set without population, but think time belongs to a closed class"));
}

TEST(ValidateTest, CustomerFieldsOnAnInternalUnitAreRejected) {
  organization org = base_model();
  org.units[3].demand = 3;
  org.units[3].population = 2;
  org.units[3].think_time = 1;
  org.units[3].value_per_request = 7;
  const auto d = validate(org);
  EXPECT_THAT(d, has_diagnostic("unit 'legal' (/units/3)", "demand = 3, but only an external customer (external = true) has demand"));
  EXPECT_THAT(d, has_diagnostic("unit 'legal' (/units/3)", "population = 2, but only an external customer"));
  EXPECT_THAT(d, has_diagnostic("unit 'legal' (/units/3)", "think_time = 1, but only an external customer"));
  EXPECT_THAT(d, has_diagnostic("unit 'legal' (/units/3)", "value_per_request = 7, but only an external customer"));
  EXPECT_THAT(d, SizeIs(4));
}

TEST(ValidateTest, UnknownNeedIsNamedWithAHint) {
  organization org = base_model();
  org.links[1].ratings.emplace_back("frendly", 3);
  org.links[1].ratings.emplace_back("speed", 3);
  const auto d = validate(org);
  EXPECT_THAT(d, has_diagnostic("link 'processing' -> 'qa' (/links/1)",
                                "ratings has unknown need 'frendly' (did you mean 'friendly'?)"));
  EXPECT_THAT(d, has_diagnostic("link 'processing' -> 'qa' (/links/1)",
                                "the needs are informed, in_control, choices, friendly, knowledgeable, attentive"));
  EXPECT_THAT(d, has_diagnostic("link 'processing' -> 'qa' (/links/1)", "ratings has unknown need 'speed', but"));
}

TEST(ValidateTest, NeedRatedTwiceIsRejected) {
  organization org = base_model();
  org.links[1].ratings.emplace_back("informed", 2);
  EXPECT_THAT(validate(org), has_diagnostic("link 'processing' -> 'qa' (/links/1)",
                                            "ratings rates 'informed' twice, but each need may be rated once"));
}

TEST(ValidateTest, ReportsEveryProblemInOnePass) {
  organization org = base_model();
  org.units[3].servers = 0;               // legal
  org.units[3].service_time = -1;         // legal again: both reported
  org.units[4].demand.reset();            // customer
  org.links[1].acceptance = 0;            // processing -> qa
  org.links[2].to = "custmer";            // qa -> custmer
  org.links[5].requests = -2;             // processing -> partner
  org.add_unit({.id = "intake", .service_time = 1});  // duplicate at /units/6

  const auto d = validate(org);
  EXPECT_THAT(d, SizeIs(7));
  EXPECT_THAT(d, has_diagnostic("unit 'legal' (/units/3)", "servers = 0"));
  EXPECT_THAT(d, has_diagnostic("unit 'legal' (/units/3)", "service_time = -1"));
  EXPECT_THAT(d, has_diagnostic("unit 'customer' (/units/4)", "neither demand nor population"));
  EXPECT_THAT(d, has_diagnostic("link 'processing' -> 'qa' (/links/1)", "acceptance = 0"));
  EXPECT_THAT(d, has_diagnostic("link 'qa' -> 'custmer' (/links/2)", "did you mean 'customer'?"));
  EXPECT_THAT(d, has_diagnostic("link 'processing' -> 'partner' (/links/5)", "requests = -2"));
  EXPECT_THAT(d, has_diagnostic("unit 'intake' (/units/6)", "already used by unit #0 (/units/0)"));

  try {
    require_valid(org);
    FAIL() << "require_valid accepted an invalid model";
  } catch (const invalid_model_error& e) {
    EXPECT_EQ(e.code(), "servicechain.invalid_model");
    EXPECT_THAT(e.diagnostics(), SizeIs(7));
    const std::string what = e.what();
    EXPECT_THAT(what, HasSubstr("7 problems in the model"));
    EXPECT_THAT(what, HasSubstr("unit 'legal' (/units/3): servers = 0, but must be a positive integer or \"unlimited\""));
    EXPECT_THAT(what, HasSubstr("link 'processing' -> 'partner' (/links/5): requests = -2"));
  }
}

// Working hours and demand profiles (docs/model-format.md): every bad part named at once.
TEST(ValidateTest, BadScheduleReportsEveryProblem) {
  organization org = base_model();
  org.units[0].schedule = periodic_schedule{.period = 24,
                                            .base = -1,
                                            .windows = {{.from = 9, .to = 17, .value = 2.5},
                                                        {.from = 16, .to = 20, .value = 1},
                                                        {.from = 20, .to = 30, .value = 1}}};
  org.units[1].schedule = periodic_schedule{.period = 0, .windows = {{.from = 18, .to = 17, .value = 1}}};
  const auto problems = validate(org);
  // intake: negative default, fractional servers, window past the period; processing: servers
  // = 2 beside a schedule, period 0, a reversed window.
  EXPECT_THAT(problems, has_diagnostic("unit 'intake' (/units/0)", "schedule.default_servers = -1, but must be a whole number >= 0"));
  EXPECT_THAT(problems, has_diagnostic("unit 'intake' (/units/0)", "schedule.shifts[0].servers = 2.5, but must be a whole number"));
  EXPECT_THAT(problems, has_diagnostic("unit 'intake' (/units/0)",
                                       "schedule.shifts[2]: from = 20, to = 30, but must satisfy 0 <= from < to <= period (24)"));
  EXPECT_THAT(problems, has_diagnostic("unit 'processing' (/units/1)", "servers = 2 and a schedule are both set"));
  EXPECT_THAT(problems, has_diagnostic("unit 'processing' (/units/1)", "schedule.period = 0, but must be a finite number > 0"));
  EXPECT_THAT(problems, has_diagnostic("unit 'processing' (/units/1)", "schedule.shifts[0]: from = 18, to = 17"));
  EXPECT_THAT(problems, SizeIs(6));

  // Overlapping shifts, once the windows themselves are well formed.
  org = base_model();
  org.units[0].schedule = periodic_schedule{
      .period = 24, .windows = {{.from = 9, .to = 17, .value = 2}, {.from = 16, .to = 20, .value = 1}}};
  EXPECT_THAT(validate(org), has_diagnostic("unit 'intake' (/units/0)",
                                            "schedule.shifts[0] [9, 17) and schedule.shifts[1] [16, 20) overlap"));
}

TEST(ValidateTest, ScheduleWithNoCapacityAndMisplacedScheduleOrProfile) {
  organization org = base_model();
  org.units[0].schedule = periodic_schedule{.period = 24, .windows = {{.from = 9, .to = 17, .value = 0}}};
  org.units[3].servers = 1;  // legal: a schedule needs finite servers, and no processor sharing
  org.units[3].queue_discipline = discipline::shared;
  org.units[3].schedule = periodic_schedule{.period = 24, .base = 1};
  org.units[2].profile = periodic_schedule{.period = 24, .base = 1};     // qa is internal
  org.units[4].schedule = periodic_schedule{.period = 24, .base = 1};    // customer is external
  org.units[5].profile = periodic_schedule{.period = 24, .base = 1};     // partner is a closed class
  org.units[4].profile = periodic_schedule{.period = 24, .base = 0};     // no demand, ever
  const auto problems = validate(org);
  EXPECT_THAT(problems, has_diagnostic("unit 'intake'", "schedule has a time-average servers of 0, but must have servers > 0"));
  EXPECT_THAT(problems, has_diagnostic("unit 'legal'", "working hours are not supported with processor sharing"));
  EXPECT_THAT(problems, has_diagnostic("unit 'qa'", "profile is set, but only an external customer"));
  EXPECT_THAT(problems, has_diagnostic("unit 'customer'", "schedule is set, but an external customer has no working hours"));
  EXPECT_THAT(problems, has_diagnostic("unit 'partner'", "only an open class (with demand) has a demand profile"));
  EXPECT_THAT(problems, has_diagnostic("unit 'customer'", "profile has a time-average weight of 0"));
  EXPECT_THAT(problems, SizeIs(6));

  org = base_model();
  org.units[0].schedule = periodic_schedule{.period = 168, .windows = {{.from = 9, .to = 17, .value = 3}}};
  org.units[4].profile = periodic_schedule{.period = 24, .base = 0.5, .windows = {{.from = 8, .to = 18, .value = 2}}};
  EXPECT_THAT(validate(org), IsEmpty());
}

TEST(ValidateTest, EmptyOrganizationHasNothingToReport) {
  // Nothing is wrong with a model that has no units yet; analyses of it are simply empty.
  EXPECT_THAT(validate(organization{}), IsEmpty());
}

}  // namespace
}  // namespace servicechain
