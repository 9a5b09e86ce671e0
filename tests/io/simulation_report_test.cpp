#include "servicechain/io/simulation_report.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "servicechain/servicechain.hpp"

namespace sc = servicechain;
using json = nlohmann::json;

namespace {

// What `simulate` adds to the keys of `analyze` (docs/simulation.md, "Command line").
const std::set<std::string> simulation_only{"throughput", "lead_time_percentiles", "sla_share", "kind", "population",
                                            "think_time"};

bool is_estimate(const json& v) {
  if (!v.is_object() || v.size() != 4) return false;
  for (const char* k : {"mean", "half_width", "low", "high"})
    if (!v.contains(k) || !v[k].is_number()) return false;
  const double mean = v["mean"], hw = v["half_width"], low = v["low"], high = v["high"];
  const double slack = 1e-12 * std::max(1.0, std::abs(mean));
  return hw >= 0 && std::abs(mean - hw - low) <= slack && std::abs(mean + hw - high) <= slack;
}

// Every key of a simulated entry is a key of the analysed entry, a number there and an
// estimate here, a map of numbers there and a map of estimates here, or an input equal on
// both sides; or one of the documented additions.
void expect_mirrors(const json& analysed, const json& simulated, const std::string& where) {
  for (const auto& [key, value] : simulated.items()) {
    const std::string at = where + "/" + key;
    if (simulation_only.count(key)) continue;
    ASSERT_TRUE(analysed.contains(key)) << at << ": not a key of analyze";
    const json& a = analysed[key];
    if (a.is_number() && value.is_object()) {
      EXPECT_TRUE(is_estimate(value)) << at << ": " << value.dump();
    } else if (a.is_object()) {
      ASSERT_TRUE(value.is_object()) << at;
      for (const auto& [id, e] : value.items()) EXPECT_TRUE(is_estimate(e)) << at << "/" << id;
    } else {
      EXPECT_EQ(value, a) << at << ": an input, reported as given";
    }
  }
}

}  // namespace

// The JSON of `simulate` has the arrays of `analyze`, entry for entry, with the same keys
// and nesting, each number an estimate {mean, half_width, low, high}; on the bank, which has
// rework, priorities, unlimited servers and async links.
TEST(SimulationReportTest, JsonMirrorsTheAnalysis) {
  const auto g = sc::compile(sc::load_organization(SERVICECHAIN_EXAMPLES_DIR "/retail_bank.json"));
  const auto open = sc::analyze_open(g);
  const auto capacity = sc::analyze_capacity(g, open.load);
  const json analysed =
      json::parse(sc::analysis_report(g, g.numbers(), capacity, open.load, &open, sc::report_format::json));
  const auto sim = sc::simulate(g, {.replications = 2, .horizon = 20, .seed = 3, .threads = 1, .sla = 0.5});
  const json simulated = json::parse(sc::simulation_report(g, g.numbers(), sim, sc::report_format::json));

  for (const char* key : {"model", "time_unit", "currency"}) EXPECT_EQ(simulated[key], analysed[key]) << key;
  EXPECT_EQ(simulated["simulation"]["replications"], 2);
  EXPECT_EQ(simulated["simulation"]["sla"], 0.5);
  for (const char* array : {"units", "customers", "links"}) {
    ASSERT_EQ(simulated[array].size(), analysed[array].size()) << array;
    for (std::size_t k = 0; k < simulated[array].size(); ++k)
      expect_mirrors(analysed[array][k], simulated[array][k], std::string(array) + "/" + std::to_string(k));
  }
  for (const auto& c : simulated["customers"]) {
    ASSERT_EQ(c["lead_time_percentiles"].size(), 4U);  // the default 50, 90, 95, 99
    for (const char* p : {"p50", "p90", "p95", "p99"}) EXPECT_TRUE(is_estimate(c["lead_time_percentiles"][p])) << p;
    EXPECT_TRUE(is_estimate(c["sla_share"]));
  }
}

// compare_open on an M/M/1 (λ = 0.5, μ = 1: W = 2, Wq = 1, U = 0.5) against hand-made
// simulated figures: the verdicts and relative errors are those worked out by hand.
TEST(SimulationReportTest, CompareOpenVerdictsByHand) {
  const auto g = sc::compile(sc::parse_organization(R"({"units": [
      {"id": "desk", "service_time": 1},
      {"id": "archive", "servers": "unlimited", "service_time": 0.5},
      {"id": "customer", "external": true, "demand": 0.5}],
    "links": [{"from": "desk", "to": "customer"}, {"from": "archive", "to": "desk"}]})"));
  const auto open = sc::analyze_open(g);
  auto sim = sc::simulate(g, {.replications = 2, .horizon = 10, .seed = 1, .threads = 1});
  const auto desk = g.index_of("desk").value(), archive = g.index_of("archive").value();
  sim.units[desk].utilization = {.mean = 0.49, .half_width = 0.02, .low = 0.47, .high = 0.51};
  sim.units[desk].wait = {.mean = 1.25, .half_width = 0.05, .low = 1.2, .high = 1.3};
  // rounding noise of an unlimited unit's wait: left out
  sim.units[archive].wait = {.mean = 3e-13, .half_width = 1e-15, .low = 2.99e-13, .high = 3.01e-13};

  const auto r = sc::compare_open(g, g.numbers(), open, sim);
  EXPECT_EQ(r.analysis, "open");
  const auto find = [&](const std::string& scope, const std::string& id, const std::string& kpi) {
    for (const auto& e : r.entries)
      if (e.scope == scope && e.id == id && e.kpi == kpi) return &e;
    return static_cast<const sc::accuracy_entry*>(nullptr);
  };
  const auto* u = find("unit", "desk", "utilization");
  ASSERT_NE(u, nullptr);
  EXPECT_DOUBLE_EQ(u->analytic, 0.5);
  EXPECT_TRUE(u->inside);
  ASSERT_TRUE(u->relative_error);
  EXPECT_NEAR(*u->relative_error, (0.5 - 0.49) / 0.49, 1e-12);
  EXPECT_EQ(u->method, "flows");

  const auto* w = find("unit", "desk", "wait");
  ASSERT_NE(w, nullptr);
  EXPECT_NEAR(w->analytic, 1.0, 1e-12);  // M/M/1: Wq = ρ/(μ − λ) = 0.5/0.5
  EXPECT_FALSE(w->inside);
  EXPECT_NEAR(*w->relative_error, (1.0 - 1.25) / 1.25, 1e-12);
  EXPECT_TRUE(w->exact);

  EXPECT_EQ(find("unit", "archive", "wait"), nullptr);
  EXPECT_EQ(find("unit", "archive", "utilization"), nullptr);  // unlimited servers: no utilization
  EXPECT_NE(find("unit", "archive", "sojourn"), nullptr);
  EXPECT_NE(find("link", "archive -> desk", "flow"), nullptr);
  EXPECT_NE(find("customer", "customer", "lead_time"), nullptr);
  EXPECT_EQ(r.outside(), static_cast<std::size_t>(std::count_if(r.entries.begin(), r.entries.end(),
                                                                [](const auto& e) { return !e.inside; })));
  EXPECT_GE(r.outside(), 1U);

  // The JSON summary counts them and names the largest relative error.
  const json report = json::parse(sc::accuracy_report(g, sim, r, sc::report_format::json));
  EXPECT_EQ(report["summary"]["compared"], r.entries.size());
  EXPECT_EQ(report["summary"]["outside"], r.outside());
  EXPECT_EQ(report["figures"].size(), r.entries.size());
}
