// Working hours and demand profiles (issue 11, point 2): the simulation against conservation
// (a single server open 8 of every 24 hours carries exactly the demand, and is busy λ·s of
// the calendar time), two deterministic cases whose every figure is worked by hand (a closed
// request cycling through a shift; items arriving every 6 hours at a unit open 8), the demand
// profile's rates per window of the day, the analytic time-average rule and its
// `time_varying` flag, and the JSON format (both readers, writing back).

#include "servicechain/simulation/simulation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/open_network.hpp"
#include "servicechain/graph/model_numbers.hpp"
#include "servicechain/io/json.hpp"
#include "servicechain/io/report.hpp"
#include "simulation/support.hpp"

namespace servicechain::detail {
// Defined in src/io/json.cpp and deliberately in no header: the located path alone.
organization parse_organization_located(std::string_view json_text, std::string_view source_name);
}  // namespace servicechain::detail

namespace sc = servicechain;
using sc_test::inside;
using sc_test::precise;
using ::testing::HasSubstr;

namespace {

/// One server open [9, 17) every 24 hours (8 of 24: c̄ = 1/3), mean service `s`, Poisson demand λ.
sc::organization office_hours(double lambda, double s, double scv = 1) {
  sc::organization org{.name = "office"};
  org.add_unit({.id = "office",
                .service_time = s,
                .service_scv = scv,
                .schedule = sc::periodic_schedule{.period = 24, .windows = {{.from = 9, .to = 17, .value = 1}}}});
  org.add_unit({.id = "client", .external = true, .demand = lambda});
  org.add_link({.from = "office", .to = "client"});
  return org;
}

}  // namespace

// Conservation: over a long run every request is served (the unit is stable: λ·s = 0.2 < c̄
// = 1/3), so the throughput is the demand λ = 0.2 per hour, and the server is busy λ·s = 0.2
// of the calendar time (busy_servers) — services started in a shift and finishing after it
// included. Busy time over open time (c̄ = 8/24 of the time) is utilization = λ·s / c̄ = 0.6,
// the analytic time-average utilization. Runs and warm-up are whole days.
// The same holds with a demand profile (3 times the rate 8–18 as at night): conservation does
// not depend on when the requests come, only on their mean rate.
class HoursConservation : public ::testing::TestWithParam<bool> {};

TEST_P(HoursConservation, OfficeHoursConserveDemandAndWork) {
  const double lambda = 0.2, s = 1;
  auto org = office_hours(lambda, s);
  if (GetParam())
    org.units[1].profile = sc::periodic_schedule{.period = 24, .base = 1, .windows = {{.from = 8, .to = 18, .value = 3}}};
  const auto g = sc::compile(org);
  sc::simulation_options options{.replications = 20,
                                 .horizon = 24 * std::ceil(20000 * sc_test::run_scale),
                                 .warmup = 24 * 100,
                                 .seed = GetParam() ? 2025U : 2024U,  // not common random numbers: independent checks
                                 .confidence = 0.999};
  const auto r = sc::simulate(g, options);
  const auto& office = r.unit("office");
  EXPECT_TRUE(inside(r.customer("client").throughput, lambda, "throughput"));
  EXPECT_TRUE(inside(office.load, lambda, "load"));
  EXPECT_TRUE(inside(office.busy_servers, lambda * s, "busy per calendar time"));
  EXPECT_TRUE(inside(office.utilization, lambda * s / (8.0 / 24.0), "busy per open time"));
  EXPECT_TRUE(precise(office.utilization, 0.01, "utilization"));
  // Requests arriving overnight wait for the morning: far more waiting than the M/M/1 with
  // the same utilization and a full-time server three times slower (W = 3·0.6/0.4 = 4.5 h).
  EXPECT_GT(office.wait.low, 4.5);
}
INSTANTIATE_TEST_SUITE_P(HoursTest, HoursConservation, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "DemandProfile" : "ConstantDemand"; });

// Hand-checkable: one server open [0, 8) every 24 hours, a deterministic service of 2 hours
// (SCV 0), and one request in the system at all times (a closed class of population 1 with
// think time 0: each request arrives the instant the previous one is delivered, so arrivals
// are deterministic too). Day k (hours from 24k):
//   0–2, 2–4, 4–6, 6–8: four services; the one ending at 8 delivers as the shift ends, its
//   successor arrives at 8 and finds no server: it waits until 24 and is served 24–26.
// So each day completes 4 requests with lead times 18 (8 → 26), 2, 2, 2:
//   mean lead time 24/4 = 6 h; throughput 4/24 = 1/6 per hour (Little: 1 = 1/6 · 6);
//   busy 8 h of 24: busy_servers 1/3, utilization (busy over open time) 8/8 = 1;
//   one service in four waits (p_wait 1/4), mean wait 16/4 = 4 h; one request always in the
//   unit; lead-time p50 = 2 and p90 = 18 (3 in 4 are 2); share above 10 h = 1/4.
// The observed window is days 1–10 (warm-up: day 0), so nothing is random and every
// replication is the same: the figures are exact.
// The same figures when the 2 hours are the link's own service time (the unit's is 5): the
// simulation uses the model's times, not the analysis's time-average ones.
class HoursDeterministic : public ::testing::TestWithParam<bool> {};

TEST_P(HoursDeterministic, ShiftGivesTheHandWorkedLeadTime) {
  const bool on_link = GetParam();
  sc::organization org{.name = "night_queue"};
  org.add_unit({.id = "office",
                .service_time = on_link ? 5.0 : 2.0,
                .service_scv = 0,
                .schedule = sc::periodic_schedule{.period = 24, .windows = {{.from = 0, .to = 8, .value = 1}}}});
  org.add_unit({.id = "client", .external = true, .population = 1, .think_time = 0});
  org.add_link({.from = "office", .to = "client", .service_time = on_link ? std::optional<double>(2.0) : std::nullopt});
  const auto g = sc::compile(org);
  sc::simulation_options options{.replications = 2, .horizon = 240, .warmup = 24, .seed = 7};
  options.percentiles = {50, 90};
  options.sla = 10;
  const auto r = sc::simulate(g, options);
  const auto& client = r.customer("client");
  const auto& office = r.unit("office");
  constexpr double tol = 1e-9;
  EXPECT_NEAR(client.lead_time.mean, 6, tol);
  EXPECT_NEAR(client.lead_time.half_width, 0, tol);
  EXPECT_NEAR(client.throughput.mean, 1.0 / 6, tol);
  EXPECT_NEAR(client.lead_time_percentiles[0].mean, 2, tol);
  EXPECT_NEAR(client.lead_time_percentiles[1].mean, 18, tol);
  EXPECT_NEAR(client.sla_share.mean, 0.25, tol);
  EXPECT_NEAR(office.busy_servers.mean, 1.0 / 3, tol);
  EXPECT_NEAR(office.utilization.mean, 1, tol);
  EXPECT_NEAR(office.p_wait.mean, 0.25, tol);
  EXPECT_NEAR(office.wait.mean, 4, tol);
  EXPECT_NEAR(office.sojourn.mean, 6, tol);
  EXPECT_NEAR(office.number_in_unit.mean, 1, tol);
}
INSTANTIATE_TEST_SUITE_P(HoursTest, HoursDeterministic, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "LinkServiceTime" : "UnitServiceTime"; });

// Deterministic arrivals, independent of the office: one request in the system at all times,
// each taking exactly 6 hours at a `clock` (unlimited servers, SCV 0) and sending, as it
// starts, an async item to the office (open [0, 8) every 24 hours, one server, 1.5 hours
// exactly). So items reach the office every 6 hours, at 0, 6, 12, 18 (mod 24), whatever it
// does. Day k ≥ 1 (hours from 24k):
//   the items of 12 and 18 the day before waited overnight; at 0 the shift starts and a new
//   item comes: 0–1.5 (item of 12: sojourn 13.5), 1.5–3 (item of 18: 9), 3–4.5 (item of 0:
//   4.5); the item of 6 finds the server free: 6–7.5 (1.5); the items of 12 and 18 find the
//   office closed.
// So per day: 4 services, sojourns 13.5 + 9 + 4.5 + 1.5 = 28.5 (mean 7.125), waits 12, 7.5, 3,
// 0 (mean 5.625); 3 of 4 wait (p_wait 0.75); busy 6 h of 24 (busy_servers 0.25, utilization
// 0.25 / (1/3) = 0.75); 28.5 item-hours per 24 h in the unit (1.1875 = λW = 1/6 · 7.125). The
// customer's lead time is the clock's 6 hours (async work is not waited for).
TEST(HoursTest, DeterministicArrivalsWaitForTheMorning) {
  sc::organization org{.name = "overnight"};
  org.add_unit({.id = "office",
                .service_time = 1.5,
                .service_scv = 0,
                .schedule = sc::periodic_schedule{.period = 24, .windows = {{.from = 0, .to = 8, .value = 1}}}});
  org.add_unit({.id = "clock", .servers = sc::server_count::unlimited(), .service_time = 6, .service_scv = 0});
  org.add_unit({.id = "client", .external = true, .population = 1, .think_time = 0});
  org.add_link({.from = "office", .to = "client", .mode = sc::link_mode::async});  // issued first
  org.add_link({.from = "clock", .to = "client"});
  const auto g = sc::compile(org);
  const auto r = sc::simulate(g, {.replications = 2, .horizon = 240, .warmup = 24, .seed = 3});
  const auto& office = r.unit("office");
  constexpr double tol = 1e-9;
  EXPECT_NEAR(office.load.mean, 1.0 / 6, tol);
  EXPECT_NEAR(office.sojourn.mean, 7.125, tol);
  EXPECT_NEAR(office.wait.mean, 5.625, tol);
  EXPECT_NEAR(office.p_wait.mean, 0.75, tol);
  EXPECT_NEAR(office.busy_servers.mean, 0.25, tol);
  EXPECT_NEAR(office.utilization.mean, 0.75, tol);
  EXPECT_NEAR(office.number_in_unit.mean, 28.5 / 24, tol);
  EXPECT_NEAR(r.customer("client").lead_time.mean, 6, tol);
  EXPECT_NEAR(r.customer("client").throughput.mean, 1.0 / 6, tol);
}

// A demand profile: weights 2 in [0, 8), 1 in [8, 16), 0 in [16, 24) (mean 1), demand 10 per
// hour, so arrivals come at 20, 10 and 0 per hour in the three windows (160, 80 and 0 in
// each). The unit has unlimited servers and a tiny deterministic service (0.001 h), so
// completions follow arrivals. Each replication observes one day cut into three batches, the
// three windows; over 400 replications the mean per-window rate has a standard error of
// √160/8/√400 = 0.079 (first window): 5 standard errors is 0.4.
TEST(HoursTest, DemandProfileShapesTheArrivalRate) {
  sc::organization org{.name = "profile"};
  org.add_unit({.id = "desk", .servers = sc::server_count::unlimited(), .service_time = 0.001, .service_scv = 0});
  org.add_unit({.id = "client",
                .external = true,
                .demand = 10,
                .profile = sc::periodic_schedule{.period = 24,
                                                 .windows = {{.from = 0, .to = 8, .value = 2}, {.from = 8, .to = 16, .value = 1}}}});
  org.add_link({.from = "desk", .to = "client"});
  const auto g = sc::compile(org);
  sc::simulation_options options{
      .replications = 400, .horizon = 24, .batches = 3, .warmup = 48, .seed = 99, .keep_replications = true};
  options.percentiles = {};
  const auto r = sc::simulate(g, options);
  ASSERT_EQ(r.runs.size(), 1200U);
  double rate[3] = {0, 0, 0};
  for (std::size_t k = 0; k < r.runs.size(); ++k) rate[k % 3] += r.runs[k].customers[0].throughput / 400;
  EXPECT_NEAR(rate[0], 20, 0.4);
  EXPECT_NEAR(rate[1], 10, 0.3);
  EXPECT_NEAR(rate[2], 0, 0.01);  // only completions of services started before 16:00
  EXPECT_TRUE(inside(r.customer("client").throughput, 10, "throughput"));
}

// The analytic time-average rule: c̄ = 1/3 → ⌈c̄⌉ = 1 server at speed 1/3, i.e. an M/M/1 with
// service time 3 s: utilization λ·3s = 0.6, wait 3s·ρ/(1 − ρ) = 4.5; the report says the
// analysis is time-varying and names the unit; editing the service time keeps the rule.
TEST(HoursTest, AnalysisUsesTimeAveragesAndSaysSo) {
  const auto g = sc::compile(office_hours(0.2, 1));
  const auto office = g.index_of("office");
  EXPECT_EQ(g.numbers().unit(office).servers, 1);
  EXPECT_NEAR(g.numbers().unit(office).service_time, 3, 1e-12);
  const auto a = sc::analyze_open(g);
  EXPECT_NEAR(a.units[office.value()].utilization, 0.6, 1e-12);
  EXPECT_NEAR(a.units[office.value()].wait, 4.5, 1e-9);

  const auto load = sc::compute_load(g);
  const auto cap = sc::analyze_capacity(g, load);
  const auto report = nlohmann::json::parse(
      sc::analysis_report(g, g.numbers(), cap, load, &a, sc::report_format::json));
  EXPECT_EQ(report.at("time_varying"), true);
  ASSERT_EQ(report.at("warnings").size(), 1U);
  EXPECT_THAT(report.at("warnings")[0].get<std::string>(), HasSubstr("office"));
  EXPECT_EQ(report.at("units")[0].at("time_varying"), true);
  EXPECT_NEAR(report.at("units")[0].at("average_servers").get<double>(), 1.0 / 3, 1e-12);

  auto numbers = g.numbers();
  numbers.set(g, office, sc::unit_field::service_time, 0.5);  // the model's value: 1.5 after the rule
  EXPECT_NEAR(sc::analyze_open(g, numbers).units[office.value()].utilization, 0.3, 1e-12);
  EXPECT_THROW(numbers.set_servers(g, office, 2), sc::invalid_model_error);

  // A link's own service time at the unit follows the same rule, and reads back as the model's.
  auto with_link = office_hours(0.2, 1);
  with_link.links[0].service_time = 2;
  const auto h = sc::compile(with_link);
  const sc::link_index l{0};
  EXPECT_NEAR(h.numbers().service_time(l), 6, 1e-12);
  auto edited = h.numbers();
  edited.set(h, l, sc::link_field::acceptance, 1);  // an edit of another field keeps it
  EXPECT_NEAR(edited.service_time(l), 6, 1e-12);
  edited.set(h, l, sc::link_field::service_time, 0.5);
  EXPECT_NEAR(sc::analyze_open(h, edited).units[office.value()].utilization, 0.3, 1e-12);

  const auto plain = sc::compile(sc::organization{
      .name = "plain",
      .units = {{.id = "desk", .service_time = 1}, {.id = "client", .external = true, .demand = 0.5}},
      .links = {{.from = "desk", .to = "client"}}});
  const auto plain_load = sc::compute_load(plain);
  const auto plain_report = nlohmann::json::parse(sc::analysis_report(
      plain, plain.numbers(), sc::analyze_capacity(plain, plain_load), plain_load, nullptr, sc::report_format::json));
  EXPECT_EQ(plain_report.at("time_varying"), false);
  EXPECT_TRUE(plain_report.at("warnings").empty());
}

// The format: both readers read a schedule and a profile alike, and writing reads back equal.
TEST(HoursTest, JsonRoundTrip) {
  const std::string text = R"({"name": "hours", "units": [
    {"id": "office", "service_time": 0.5, "schedule": {"period": 168, "default_servers": 0,
       "shifts": [{"from": 9, "to": 17, "servers": 3}, {"from": 33, "to": 41, "servers": 2}]}},
    {"id": "client", "external": true, "demand": 2, "profile": {"period": 24, "default_weight": 0.5,
       "windows": [{"from": 8, "to": 18, "weight": 2}]}}],
    "links": [{"from": "office", "to": "client"}]})";
  const auto fast = sc::parse_organization(text);
  const auto located = sc::detail::parse_organization_located(text, "hours.json");
  EXPECT_EQ(fast, located);
  ASSERT_TRUE(fast.units[0].schedule.has_value());
  EXPECT_EQ(fast.units[0].schedule->period, 168);
  ASSERT_EQ(fast.units[0].schedule->windows.size(), 2U);
  EXPECT_EQ(fast.units[0].schedule->windows[1], (sc::time_window{.from = 33, .to = 41, .value = 2}));
  ASSERT_TRUE(fast.units[1].profile.has_value());
  EXPECT_EQ(fast.units[1].profile->base, 0.5);
  EXPECT_NEAR(fast.units[0].schedule->time_average(), (3 * 8 + 2 * 8) / 168.0, 1e-15);
  EXPECT_NEAR(fast.units[1].profile->time_average(), (0.5 * 14 + 2 * 10) / 24.0, 1e-15);
  EXPECT_EQ(sc::parse_organization(sc::to_json(fast)), fast);
  EXPECT_EQ(sc::parse_organization(sc::to_json(fast, -1)), fast);
}

// Shape errors are located: a missing period, a window without its value, an unknown key.
TEST(HoursTest, JsonShapeErrorsAreLocated) {
  const std::string text = R"({"units": [
    {"id": "office", "service_time": 1, "schedule": {"shifts": [{"from": 9, "to": 17}], "perod": 24}}]})";
  try {
    (void)sc::parse_organization(text, "bad.json");
    FAIL() << "no error";
  } catch (const sc::parse_error& e) {
    const std::string what = e.what();
    EXPECT_THAT(what, HasSubstr("missing key 'period'"));
    EXPECT_THAT(what, HasSubstr("missing key 'servers'"));
    EXPECT_THAT(what, HasSubstr("'perod'"));
    EXPECT_THAT(what, HasSubstr("/units/0/schedule"));
  }
}
