// Tests of closed and mixed classes on the service graph (analyze_closed, mix_bottlenecks):
// the closed and mixed oracle cases of tests/data/oracles/expected.json (GNU Octave's
// queueing package) translated into organizations, Lazowska et al. QSP p. 117, a rework
// loop against the same network written as an explicit routing loop, async links against
// the MVA core fed by hand, the open analysis on an open-only model, and invariants (the
// residence times sum to the lead time, Little's law, bounds bracket the exact values).
// Every comparison states its tolerance.

#include "servicechain/analysis/closed_network.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "servicechain/servicechain.hpp"
#include "support/oracles.hpp"

namespace sc = servicechain;
using json = nlohmann::json;
using sc_test::near_rel;
using ::testing::HasSubstr;

namespace {

constexpr double oracle_tol = 1e-9;  // independent tools, per the oracle README
constexpr double exact_tol = 1e-12;  // the same numbers reached by two routes

std::vector<double> get_vector(const json& j) { return j.get<std::vector<double>>(); }

sc::server_count oracle_servers(const json& s) {
  const auto c = s.get<std::int64_t>();
  return c == 0 ? sc::server_count::unlimited() : sc::server_count(c);
}

// Low ≤ value ≤ high with a relative slack (the bounds and the values are computed by
// different formulas; at N = 1 some bounds are exact).
void expect_bracketed(const sc::closed_result& r, double slack, const std::string& where) {
  for (std::size_t c = 0; c < r.customers.size(); ++c) {
    const auto& cc = r.customers[c];
    SCOPED_TRACE(fmt::format("{} class {}", where, c));
    EXPECT_LE(cc.throughput_bounds.first, cc.throughput * (1 + slack));
    EXPECT_GE(cc.throughput_bounds.second, cc.throughput * (1 - slack));
    EXPECT_LE(cc.lead_time_bounds.first, cc.lead_time * (1 + slack));
    EXPECT_GE(cc.lead_time_bounds.second, cc.lead_time * (1 - slack));
  }
}

// Σ_u residence = lead time, and for closed classes Σ_u queue + X·Z = N (Little's law).
void expect_invariants(const sc::service_graph& g, const sc::closed_result& r, double tol) {
  for (std::size_t c = 0; c < g.class_count(); ++c) {
    SCOPED_TRACE("customer " + g.id(g.customers()[c]));
    double residence = 0, queue = 0;
    for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
      residence += r.residence_time(sc::unit_index{i}, c);
      queue += r.queue_length(sc::unit_index{i}, c);
    }
    const auto& cc = r.customers[c];
    EXPECT_TRUE(near_rel(residence, cc.lead_time, tol));
    if (cc.closed) {
      EXPECT_TRUE(near_rel(queue + cc.throughput * cc.think_time, static_cast<double>(cc.population), tol));
      EXPECT_TRUE(near_rel(cc.throughput * (cc.lead_time + cc.think_time), static_cast<double>(cc.population), tol));
    } else {
      EXPECT_TRUE(near_rel(queue, cc.throughput * cc.lead_time, tol));
    }
  }
}

// A closed routing network as a model (cf. oracles.hpp for open ones): the reference
// station's departures are a request of the customer. A job moving from station i to
// j ≠ ref with probability P_ij is a link j -> i with requests P_ij; the reference routing
// to j is a link j -> customer with requests P_ref,j; a return to the reference ends the
// request. The reference station itself is an unlimited-server unit serving the customer
// once per request (`terminal_as_unit`) or the customer's think time.
sc::organization closed_routing_model(const json& inputs, bool terminal_as_unit) {
  sc::organization org{.name = "oracle"};
  const auto& names = inputs.at("station_names");
  const auto& routing = inputs.at("routing");
  const std::size_t ref = inputs.at("reference_station_1based").get<std::size_t>() - 1;
  const auto s = get_vector(inputs.at("service_time"));
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i == ref && !terminal_as_unit) continue;
    org.add_unit(
        {.id = names[i].get<std::string>(), .servers = oracle_servers(inputs.at("servers")[i]), .service_time = s[i]});
  }
  org.add_unit({.id = "customer",
                .external = true,
                .population = 1,
                .think_time = terminal_as_unit ? std::optional<double>() : std::optional<double>(s[ref])});
  if (terminal_as_unit) org.add_link({.from = names[ref].get<std::string>(), .to = "customer"});
  for (std::size_t j = 0; j < names.size(); ++j) {
    if (j == ref) continue;
    const double entry = routing[ref][j].get<double>();
    if (entry != 0) org.add_link({.from = names[j].get<std::string>(), .to = "customer", .requests = entry});
    for (std::size_t i = 0; i < names.size(); ++i) {
      const double p = routing[i][j].get<double>();
      if (i != ref && p != 0)
        org.add_link({.from = names[j].get<std::string>(), .to = names[i].get<std::string>(), .requests = p});
    }
  }
  return org;
}

// Visit ratios given directly: station k serves the customer V_k times per request; an IS
// station with V = 1 (the oracle's think station) is the think time.
sc::organization closed_visits_model(const json& inputs, const std::vector<std::string>& names, double think_time) {
  sc::organization org{.name = "oracle"};
  const auto s = get_vector(inputs.at("service_time"));
  const auto v = get_vector(inputs.at("visit_ratio"));
  const std::size_t first = names.size() < s.size() ? 1 : 0;  // the think station is not a unit
  for (std::size_t k = first; k < s.size(); ++k) {
    const auto servers = inputs.contains("servers") ? oracle_servers(inputs.at("servers")[k]) : sc::server_count(1);
    org.add_unit({.id = names[k - first], .servers = servers, .service_time = s[k]});
  }
  org.add_unit({.id = "customer", .external = true, .population = 1, .think_time = think_time});
  for (std::size_t k = first; k < s.size(); ++k)
    org.add_link({.from = names[k - first], .to = "customer", .requests = v[k]});
  return org;
}

// ---------------------------------------------------------------- oracle cases, one class

// closed_mva_delay_station: the IS terminals as an unlimited-server unit, visit ratios
// from the routing matrix by the kernel. N = 1..20 by editing the population (no
// recompilation). Every station: X, Q, U (terminals: X·S busy servers), residence R·V;
// lead time = cycle time (no think time) and, without the terminals, the response time.
TEST(ClosedOracle, DelayStationWithRoutingVisits) {
  const auto& c = sc_test::queueing_case("closed_mva_delay_station");
  const auto& out = c.at("outputs");
  const auto g = sc::compile(closed_routing_model(c.at("inputs"), true));
  const auto names = c.at("inputs").at("station_names").get<std::vector<std::string>>();
  const auto v = get_vector(out.at("visit_ratio"));
  const auto load = sc::compute_load(g);
  for (std::size_t k = 0; k < names.size(); ++k)
    EXPECT_TRUE(near_rel(load.visit_ratio(names[k], "customer"), v[k], oracle_tol)) << names[k];
  auto numbers = g.numbers();
  const auto populations = c.at("inputs").at("populations").get<std::vector<std::int64_t>>();
  for (std::size_t row = 0; row < populations.size(); ++row) {
    numbers.set_population(g, g.index_of("customer"), populations[row]);
    const auto r = sc::analyze_closed(g, numbers);
    const std::string where = fmt::format("N={}", populations[row]);
    EXPECT_EQ(r.method, "exact MVA") << where;
    EXPECT_TRUE(r.approximations.empty());
    const auto& cust = r.customer("customer");
    EXPECT_TRUE(near_rel(cust.throughput, out.at("X_sys")[row].get<double>(), oracle_tol)) << where;
    EXPECT_TRUE(near_rel(cust.lead_time, out.at("cycle_time")[row].get<double>(), oracle_tol)) << where;
    EXPECT_TRUE(near_rel(cust.lead_time - r.residence_time("terminals", "customer"),
                         out.at("response_time_excl_delay")[row].get<double>(), oracle_tol))
        << where;
    for (std::size_t k = 0; k < names.size(); ++k) {
      const auto u = g.index_of(names[k]);
      const double util = out.at("U")[row][k].get<double>();
      EXPECT_TRUE(near_rel(r.queue_length(u, 0), out.at("Q")[row][k].get<double>(), oracle_tol)) << where << names[k];
      EXPECT_TRUE(near_rel(r.residence_time(u, 0), out.at("R")[row][k].get<double>() * v[k], oracle_tol))
          << where << names[k];
      if (k == 0) {
        EXPECT_TRUE(near_rel(r.busy_servers(u, 0), util, oracle_tol)) << where;
        EXPECT_EQ(r.utilization(u, 0), 0.0);  // unlimited servers, as in the open analysis
      } else {
        EXPECT_TRUE(near_rel(r.utilization(u, 0), util, oracle_tol)) << where << names[k];
      }
    }
    expect_invariants(g, r, oracle_tol);
    expect_bracketed(r, 1e-12, where);
  }
}

// closed_mva_think_time_Z: the same network with the terminals as think time Z and the
// visit ratios given as requests; the oracle equals the delay-station case to 4.4e-16.
TEST(ClosedOracle, ThinkTime) {
  const auto& c = sc_test::queueing_case("closed_mva_think_time_Z");
  const auto& in = c.at("inputs");
  const auto& out = c.at("outputs");
  const std::vector<std::string> names = in.at("station_names").get<std::vector<std::string>>();
  const auto g = sc::compile(closed_visits_model(in, names, in.at("think_time_Z").get<double>()));
  auto numbers = g.numbers();
  const auto v = get_vector(in.at("visit_ratio"));
  const auto populations = in.at("populations").get<std::vector<std::int64_t>>();
  for (std::size_t row = 0; row < populations.size(); ++row) {
    numbers.set_population(g, g.index_of("customer"), populations[row]);
    const auto r = sc::analyze_closed(g, numbers);
    const std::string where = fmt::format("N={}", populations[row]);
    const auto& cust = r.customers[0];
    EXPECT_TRUE(near_rel(cust.throughput, out.at("X_sys")[row].get<double>(), oracle_tol)) << where;
    EXPECT_TRUE(near_rel(cust.lead_time, out.at("response_time")[row].get<double>(), oracle_tol)) << where;
    for (std::size_t k = 0; k < names.size(); ++k) {
      EXPECT_TRUE(near_rel(r.queue_length(names[k], "customer"), out.at("Q")[row][k].get<double>(), oracle_tol))
          << where << names[k];
      EXPECT_TRUE(near_rel(r.utilization(names[k], "customer"), out.at("U")[row][k].get<double>(), oracle_tol))
          << where << names[k];
      EXPECT_TRUE(
          near_rel(r.residence_time(names[k], "customer"), out.at("R")[row][k].get<double>() * v[k], oracle_tol))
          << where << names[k];
    }
    expect_invariants(g, r, oracle_tol);
    expect_bracketed(r, 1e-12, where);
  }
}

// closed_mva_multiserver: IS think station (as think time), a 3-server app pool and a
// single-server db; exact load-dependent MVA.
TEST(ClosedOracle, MultiServer) {
  const auto& c = sc_test::queueing_case("closed_mva_multiserver");
  const auto& in = c.at("inputs");
  const auto& out = c.at("outputs");
  const auto all_names = in.at("station_names").get<std::vector<std::string>>();
  const std::vector<std::string> names(all_names.begin() + 1, all_names.end());
  const auto s = get_vector(in.at("service_time"));
  const auto g = sc::compile(closed_visits_model(in, names, s[0]));
  auto numbers = g.numbers();
  const auto v = get_vector(in.at("visit_ratio"));
  const auto populations = in.at("populations").get<std::vector<std::int64_t>>();
  for (std::size_t row = 0; row < populations.size(); ++row) {
    numbers.set_population(g, g.index_of("customer"), populations[row]);
    const auto r = sc::analyze_closed(g, numbers);
    const std::string where = fmt::format("N={}", populations[row]);
    EXPECT_EQ(r.method, "exact load-dependent MVA");
    const auto& cust = r.customers[0];
    EXPECT_TRUE(near_rel(cust.throughput, out.at("X_sys")[row].get<double>(), oracle_tol)) << where;
    EXPECT_TRUE(near_rel(cust.lead_time, out.at("response_time_excl_delay")[row].get<double>(), oracle_tol)) << where;
    for (std::size_t k = 1; k < all_names.size(); ++k) {
      const auto& id = all_names[k];
      EXPECT_TRUE(near_rel(r.queue_length(id, "customer"), out.at("Q")[row][k].get<double>(), oracle_tol))
          << where << id;
      EXPECT_TRUE(near_rel(r.utilization(id, "customer"), out.at("U")[row][k].get<double>(), oracle_tol))
          << where << id;
      EXPECT_TRUE(near_rel(r.residence_time(id, "customer"), out.at("R")[row][k].get<double>() * v[k], oracle_tol))
          << where << id;
    }
    expect_invariants(g, r, oracle_tol);
    expect_bracketed(r, 1e-12, where);
  }
}

// ---------------------------------------------------------------- oracle cases, several classes

// closed_multiclass_2cls: the IS clients as each class's think time, the two PS stations
// as `shared` units whose links to the two customers have the class's service time, the
// FCFS db as a FIFO unit whose links carry the same service time (so it stays exact).
// Population [0, 4] (a model needs population ≥ 1) is the model without `browse`.
sc::organization multiclass_model(const json& in, const std::vector<std::int64_t>& population) {
  const auto names = in.at("station_names").get<std::vector<std::string>>();
  const auto classes = in.at("class_names").get<std::vector<std::string>>();
  const auto& s = in.at("service_time");
  const auto& v = in.at("visit_ratio");
  sc::organization org{.name = "multiclass"};
  for (std::size_t k = 1; k < names.size(); ++k)
    org.add_unit({.id = names[k],
                  .service_time = s[0][k].get<double>(),
                  .queue_discipline = names[k].ends_with("_ps") ? sc::discipline::shared : sc::discipline::fifo});
  for (std::size_t c = 0; c < classes.size(); ++c) {
    if (population[c] == 0) continue;
    org.add_unit(
        {.id = classes[c], .external = true, .population = population[c], .think_time = s[c][0].get<double>()});
    for (std::size_t k = 1; k < names.size(); ++k)
      org.add_link({.from = names[k],
                    .to = classes[c],
                    .requests = v[c][k].get<double>(),
                    .service_time = s[c][k].get<double>()});
  }
  return org;
}

TEST(ClosedOracle, MulticlassSharedAndFifo) {
  const auto& c = sc_test::queueing_case("closed_multiclass_2cls");
  const auto& in = c.at("inputs");
  const auto names = in.at("station_names").get<std::vector<std::string>>();
  const auto classes = in.at("class_names").get<std::vector<std::string>>();
  const auto& v = in.at("visit_ratio");
  for (const auto& result : c.at("outputs").at("results")) {
    const auto population = result.at("N").get<std::vector<std::int64_t>>();
    const auto g = sc::compile(multiclass_model(in, population));
    const auto r = sc::analyze_closed(g);
    const std::string where = "N=" + result.at("N").dump();
    EXPECT_TRUE(r.approximations.empty()) << where;
    EXPECT_EQ(r.method, "exact MVA") << where;
    for (std::size_t cl = 0; cl < classes.size(); ++cl) {
      if (population[cl] == 0) continue;
      const auto& cust = r.customer(classes[cl]);
      EXPECT_TRUE(near_rel(cust.throughput, result.at("class_throughput")[cl].get<double>(), oracle_tol)) << where;
      EXPECT_TRUE(near_rel(cust.lead_time, result.at("class_response_time_excl_delay")[cl].get<double>(), oracle_tol))
          << where;
      for (std::size_t k = 1; k < names.size(); ++k) {
        const std::string at = fmt::format("{} {} {}", where, classes[cl], names[k]);
        EXPECT_TRUE(near_rel(r.queue_length(names[k], classes[cl]), result.at("Q")[cl][k].get<double>(), oracle_tol))
            << at;
        EXPECT_TRUE(near_rel(r.utilization(names[k], classes[cl]), result.at("U")[cl][k].get<double>(), oracle_tol))
            << at;
        EXPECT_TRUE(near_rel(r.residence_time(names[k], classes[cl]),
                             result.at("R")[cl][k].get<double>() * v[cl][k].get<double>(), oracle_tol))
            << at;
      }
    }
    expect_invariants(g, r, oracle_tol);
    expect_bracketed(r, 1e-12, where);
  }
}

// mixed_1open_1closed: one open class (λ = 0.2917) and one closed class (N = 4, Z = 0) on
// three single-server PS stations (`shared` units), class-dependent S and V ≠ 1.
TEST(ClosedOracle, MixedOpenAndClosed) {
  const auto& c = sc_test::queueing_case("mixed_1open_1closed");
  const auto& in = c.at("inputs");
  const auto& out = c.at("outputs");
  const std::vector<std::string> units{"s1", "s2", "s3"};
  const std::vector<std::string> classes{"walk_in", "members"};
  sc::organization org{.name = "mixed"};
  for (std::size_t k = 0; k < 3; ++k)
    org.add_unit({.id = units[k],
                  .service_time = in.at("service_time")[0][k].get<double>(),
                  .queue_discipline = sc::discipline::shared});
  org.add_unit({.id = classes[0], .external = true, .demand = in.at("class_arrival_rate")[0].get<double>()});
  org.add_unit({.id = classes[1], .external = true, .population = in.at("class_population")[1].get<std::int64_t>()});
  for (std::size_t cl = 0; cl < 2; ++cl)
    for (std::size_t k = 0; k < 3; ++k)
      org.add_link({.from = units[k],
                    .to = classes[cl],
                    .requests = in.at("visit_ratio")[cl][k].get<double>(),
                    .service_time = in.at("service_time")[cl][k].get<double>()});
  const auto g = sc::compile(org);
  ASSERT_TRUE(sc::has_closed_classes(g, g.numbers()));
  const auto r = sc::analyze_closed(g);
  EXPECT_THAT(r.method, HasSubstr("mixed"));
  EXPECT_TRUE(r.approximations.empty());
  EXPECT_FALSE(r.customer("walk_in").closed);
  EXPECT_TRUE(r.customer("members").closed);
  EXPECT_TRUE(near_rel(r.customer("members").throughput, out.at("closed_class_throughput").get<double>(), oracle_tol));
  EXPECT_TRUE(
      near_rel(r.customer("members").lead_time, out.at("closed_class_response_time").get<double>(), oracle_tol));
  EXPECT_TRUE(near_rel(r.customer("walk_in").lead_time, out.at("open_class_response_time").get<double>(), oracle_tol));
  EXPECT_EQ(r.customer("walk_in").throughput, in.at("class_arrival_rate")[0].get<double>());
  for (std::size_t cl = 0; cl < 2; ++cl)
    for (std::size_t k = 0; k < 3; ++k) {
      const double v = in.at("visit_ratio")[cl][k].get<double>();
      const std::string at = classes[cl] + " " + units[k];
      EXPECT_TRUE(near_rel(r.residence_time(units[k], classes[cl]), out.at("R")[cl][k].get<double>() * v, oracle_tol))
          << at;
      EXPECT_TRUE(near_rel(r.queue_length(units[k], classes[cl]), out.at("Q")[cl][k].get<double>(), oracle_tol)) << at;
      EXPECT_TRUE(near_rel(r.utilization(units[k], classes[cl]), out.at("U")[cl][k].get<double>(), oracle_tol)) << at;
    }
  expect_invariants(g, r, oracle_tol);
  expect_bracketed(r, 1e-12, "mixed");
  // Open class: the throughput it could sustain alone is 1/D_max over the three units.
  double d_max = 0;
  for (std::size_t k = 0; k < 3; ++k)
    d_max = std::max(d_max, in.at("service_time")[0][k].get<double>() * in.at("visit_ratio")[0][k].get<double>());
  EXPECT_TRUE(near_rel(r.customer("walk_in").max_throughput, 1 / d_max, exact_tol));
  EXPECT_EQ(r.customer("walk_in").throughput_bounds.first, 0.0);
  EXPECT_TRUE(near_rel(r.customer("walk_in").throughput_bounds.second, 1 / d_max, exact_tol));
}

// ---------------------------------------------------------------- textbook

// Lazowska, Zahorjan, Graham & Sevcik, Quantitative System Performance (1984), p. 117:
// N = 3 terminals, Z = 15 s, S = [0.005, 0.03, 0.027] s, V = [121, 70, 50] → X = 0.15151649
// (relative 1e-6, as the issue asks) and R = 4.7998 (published to 5 digits: 1e-4).
TEST(ClosedTextbook, LazowskaQspPage117) {
  sc::organization org{.name = "qsp117", .time_unit = "second"};
  org.add_unit({.id = "cpu", .service_time = 0.005});
  org.add_unit({.id = "disk1", .service_time = 0.03});
  org.add_unit({.id = "disk2", .service_time = 0.027});
  org.add_unit({.id = "terminals", .external = true, .population = 3, .think_time = 15});
  org.add_link({.from = "cpu", .to = "terminals", .requests = 121});
  org.add_link({.from = "disk1", .to = "terminals", .requests = 70});
  org.add_link({.from = "disk2", .to = "terminals", .requests = 50});
  const auto g = sc::compile(org);
  const auto r = sc::analyze_closed(g);
  EXPECT_TRUE(near_rel(r.customer("terminals").throughput, 0.15151649, 1e-6));
  EXPECT_TRUE(near_rel(r.customer("terminals").lead_time, 4.7998, 1e-4));
  EXPECT_EQ(r.method, "exact MVA");
  // D_max = 0.03·70 = 2.1: N* = (0.605 + 2.1 + 1.35 + 15)/2.1, X ≤ 1/2.1.
  EXPECT_TRUE(near_rel(r.customer("terminals").knee_population, (0.605 + 2.1 + 1.35 + 15) / 2.1, exact_tol));
  EXPECT_TRUE(near_rel(r.customer("terminals").max_throughput, 1 / 2.1, exact_tol));
  expect_bracketed(r, 1e-12, "qsp117");
  expect_invariants(g, r, exact_tol);
}

// ---------------------------------------------------------------- rework

sc::organization as_closed(sc::organization org, std::int64_t population, double think_time) {
  for (auto& u : org.units)
    if (u.external) {
      u.demand.reset();
      u.population = population;
      u.think_time = think_time;
    }
  return org;
}

// The worked example of docs/semantics.md as a closed class: QA accepts 80% of Processing's deliveries
// (visits from the kernel: services per request (1, 1.25, 1.25)) against the same network
// written as an explicit routing loop (QA sends 20% back to Processing); both equal the
// MVA core fed with D = (0.5, 0.4·1.25, (2/3)·1.25) by hand.
TEST(ClosedRework, KernelVisitsEqualTheExplicitLoop) {
  const auto kernel = sc::compile(as_closed(sc::load_organization(sc_test::model_path("rework.json")), 4, 3));
  const auto loop = sc::compile(as_closed(sc::load_organization(sc_test::model_path("rework_jackson.json")), 4, 3));
  const auto a = sc::analyze_closed(kernel);
  const auto b = sc::analyze_closed(loop);
  const sc::mva_input hand{.stations = std::vector<sc::mva_station>(3),
                           .demand = {{0.5, 0.4 * 1.25, 0.6666666666666666 * 1.25}},
                           .population = {4},
                           .think_time = {3}};
  const auto core = sc::solve_mva(hand);
  EXPECT_TRUE(near_rel(a.customers[0].throughput, b.customers[0].throughput, exact_tol));
  EXPECT_TRUE(near_rel(a.customers[0].throughput, core.throughput[0], exact_tol));
  EXPECT_TRUE(near_rel(a.customers[0].lead_time, b.customers[0].lead_time, exact_tol));
  EXPECT_TRUE(near_rel(a.customers[0].lead_time, core.response_time[0], exact_tol));
  const std::vector<std::string> units{"intake", "processing", "qa"};
  for (std::size_t k = 0; k < units.size(); ++k) {
    EXPECT_TRUE(near_rel(a.residence_time(units[k], "customer"), b.residence_time(units[k], "customer"), exact_tol))
        << units[k];
    EXPECT_TRUE(near_rel(a.residence_time(units[k], "customer"), core.residence_time[0][k], exact_tol)) << units[k];
    EXPECT_TRUE(near_rel(a.queue_length(units[k], "customer"), b.queue_length(units[k], "customer"), exact_tol))
        << units[k];
    EXPECT_TRUE(near_rel(a.queue_length(units[k], "customer"), core.queue_length[0][k], exact_tol)) << units[k];
  }
  expect_invariants(kernel, a, exact_tol);
}

// ---------------------------------------------------------------- async links

// customer ← front (sync); front ← back (sync); front ← archive (async, 0.5 per item);
// archive ← store (sync, 2 per item) and archive ← back (sync): the customer waits for
// front and back only. By hand: D = (front 0.2, back 0.1, archive 0, store 0) and async
// D = (0, 0.5·0.1 = 0.05, 0.5·0.2 = 0.1, 0.5·2·0.05 = 0.05) — back does both kinds.
TEST(ClosedAsync, AddsLoadButNoLeadTime) {
  sc::organization org{.name = "async"};
  org.add_unit({.id = "front", .service_time = 0.2});
  org.add_unit({.id = "back", .service_time = 0.1});
  org.add_unit({.id = "archive", .service_time = 0.2});
  org.add_unit({.id = "store", .service_time = 0.05});
  org.add_unit({.id = "customer", .external = true, .population = 5, .think_time = 2});
  org.add_link({.from = "front", .to = "customer"});
  org.add_link({.from = "back", .to = "front"});
  org.add_link({.from = "archive", .to = "front", .requests = 0.5, .mode = sc::link_mode::async});
  org.add_link({.from = "store", .to = "archive", .requests = 2});
  org.add_link({.from = "back", .to = "archive"});
  const auto g = sc::compile(org);
  const auto r = sc::analyze_closed(g);
  const sc::mva_input hand{.stations = std::vector<sc::mva_station>(4),
                           .demand = {{0.2, 0.1, 0.0, 0.0}},
                           .population = {5},
                           .think_time = {2},
                           .async_demand = {{0.0, 0.05, 0.1, 0.05}}};
  const auto core = sc::solve_mva(hand);
  EXPECT_THAT(r.method, HasSubstr("async"));
  const auto& cust = r.customer("customer");
  EXPECT_TRUE(near_rel(cust.throughput, core.throughput[0], 1e-12));
  EXPECT_TRUE(near_rel(cust.lead_time, core.response_time[0], 1e-12));
  const std::vector<std::string> units{"front", "back", "archive", "store"};
  for (std::size_t k = 0; k < units.size(); ++k) {
    EXPECT_TRUE(near_rel(r.residence_time(units[k], "customer"), core.residence_time[0][k], 1e-12)) << units[k];
    EXPECT_TRUE(near_rel(r.queue_length(units[k], "customer"), core.queue_length[0][k], 1e-12)) << units[k];
    EXPECT_TRUE(near_rel(r.utilization(units[k], "customer"), core.utilization[0][k], 1e-12)) << units[k];
    EXPECT_TRUE(near_rel(r.async_queue_length(g.index_of(units[k]), 0), core.async_queue_length[0][k], 1e-12))
        << units[k];
  }
  EXPECT_EQ(r.residence_time("archive", "customer"), 0.0);
  EXPECT_EQ(r.residence_time("store", "customer"), 0.0);
  EXPECT_GT(r.utilization("store", "customer"), 0.0);
  // The async work slows the class down compared with the same network without it.
  auto sync_only = hand;
  sync_only.async_demand.clear();
  EXPECT_LT(cust.throughput, sc::solve_mva(sync_only).throughput[0]);
  expect_invariants(g, r, 1e-9);
  // Bounds take the async work at the throughput found, so they bracket this solution.
  expect_bracketed(r, 1e-8, "async");
}

// ---------------------------------------------------------------- invariants

// Rework, per-link service times at a `shared` unit, a 2-server FIFO unit, an unlimited
// courier, an async archive, two closed classes and one open class: Seidmann and the
// mixed equations are used, yet the decomposition and Little's law hold exactly.
TEST(ClosedInvariants, ResidenceSumsAndLittlesLaw) {
  sc::organization org{.name = "mixed_org"};
  org.add_unit({.id = "intake", .service_time = 0.3});
  org.add_unit({.id = "processing", .servers = 2, .service_time = 0.5});
  org.add_unit({.id = "qa", .service_time = 0.2, .queue_discipline = sc::discipline::shared});
  org.add_unit({.id = "courier", .servers = sc::server_count::unlimited(), .service_time = 2});
  org.add_unit({.id = "archive", .service_time = 0.1});
  org.add_unit({.id = "brokers", .external = true, .population = 6, .think_time = 10});
  org.add_unit({.id = "branches", .external = true, .population = 3, .think_time = 4});
  org.add_unit({.id = "walk_in", .external = true, .demand = 0.2});
  org.add_link({.from = "intake", .to = "processing"});
  org.add_link({.from = "processing", .to = "qa", .acceptance = 0.8});
  org.add_link({.from = "qa", .to = "brokers"});
  org.add_link({.from = "qa", .to = "branches", .requests = 2, .service_time = 0.35});
  org.add_link({.from = "courier", .to = "branches"});
  org.add_link({.from = "archive", .to = "qa", .mode = sc::link_mode::async});
  org.add_link({.from = "intake", .to = "walk_in", .requests = 1.5});
  const auto g = sc::compile(org);
  const auto r = sc::analyze_closed(g);
  EXPECT_THAT(r.method, HasSubstr("mixed"));
  EXPECT_THAT(r.method, HasSubstr("Seidmann"));
  expect_invariants(g, r, 1e-9);
  EXPECT_EQ(r.residence_time("archive", "brokers"), 0.0);
  EXPECT_GT(r.utilization("archive", "brokers"), 0.0);
  EXPECT_TRUE(near_rel(r.residence_time("courier", "branches"), 2.0, exact_tol));  // a pure delay
  EXPECT_EQ(r.utilization("courier", "branches"), 0.0);
  EXPECT_TRUE(near_rel(r.busy_servers(g.index_of("courier"), 1), 2.0 * r.customer("branches").throughput, exact_tol));
  // Utilization per server = X·(D + async D)/servers; the unit's total is the sum over classes.
  const auto& in = r.network;
  for (std::size_t k = 0; k < r.station_units.size(); ++k) {
    double total = 0;
    for (std::size_t c = 0; c < g.class_count(); ++c) total += r.utilization(r.station_units[k], c);
    EXPECT_TRUE(near_rel(r.utilization(r.station_units[k]), total, exact_tol));
    EXPECT_EQ(in.station_names[k], g.id(r.station_units[k]));
  }
}

// ---------------------------------------------------------------- open classes only

// Open-only (open_jackson_6_multiserver: M/M/1, M/M/2, M/M/3 and IS units with feedback):
// the core's product form equals the open analysis, lead time and its decomposition.
TEST(ClosedOpenOnly, AgreesWithTheOpenAnalysis) {
  const auto g =
      sc::compile(sc_test::open_network_model(sc_test::queueing_case("open_jackson_6_multiserver").at("inputs")));
  ASSERT_FALSE(sc::has_closed_classes(g, g.numbers()));
  const auto r = sc::analyze_closed(g);
  const auto open = sc::analyze_open(g);
  EXPECT_THAT(r.method, HasSubstr("open"));
  EXPECT_TRUE(r.approximations.empty());
  EXPECT_TRUE(near_rel(r.customers[0].lead_time, open.customers[0].lead_time, 1e-12));
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const sc::unit_index u{i};
    EXPECT_TRUE(near_rel(r.residence_time(u, 0), open.lead_time_contribution(u, 0), 1e-12)) << g.id(u);
    EXPECT_TRUE(near_rel(r.queue_length(u, 0), open.units[i].number_in_unit, 1e-12)) << g.id(u);
    EXPECT_TRUE(near_rel(r.utilization(u), open.units[i].utilization, 1e-12)) << g.id(u);
  }
  expect_bracketed(r, 1e-12, "open only");
}

// ---------------------------------------------------------------- errors

TEST(ClosedErrors, OpenSaturationNamesTheUnit) {
  sc::organization org{.name = "saturated"};
  org.add_unit({.id = "desk", .service_time = 0.1});
  org.add_unit({.id = "legal", .service_time = 0.5});
  org.add_unit({.id = "walk_in", .external = true, .demand = 2.5});
  org.add_unit({.id = "brokers", .external = true, .population = 3, .think_time = 1});
  org.add_link({.from = "legal", .to = "walk_in"});
  org.add_link({.from = "desk", .to = "walk_in"});
  org.add_link({.from = "legal", .to = "brokers"});
  const auto g = sc::compile(org);
  try {
    (void)sc::analyze_closed(g);
    FAIL() << "expected unstable_error";
  } catch (const sc::unstable_error& e) {
    ASSERT_EQ(e.units().size(), 1U);
    EXPECT_EQ(e.units()[0].id, "legal");
    EXPECT_TRUE(near_rel(e.units()[0].utilization, 1.25, exact_tol));
    EXPECT_TRUE(near_rel(e.units()[0].load, 2.5, exact_tol));      // services per time unit
    EXPECT_TRUE(near_rel(e.units()[0].capacity, 2.0, exact_tol));  // 1 server / 0.5
    EXPECT_THAT(e.what(), HasSubstr("'legal'"));
  }
}

// A closed class with think time 0 that waits for nothing (its only provider is async).
TEST(ClosedErrors, ClosedClassWithNoCycleTime) {
  sc::organization org{.name = "no_cycle"};
  org.add_unit({.id = "archive", .service_time = 0.1});
  org.add_unit({.id = "brokers", .external = true, .population = 3});
  org.add_link({.from = "archive", .to = "brokers", .mode = sc::link_mode::async});
  const auto g = sc::compile(org);
  try {
    (void)sc::analyze_closed(g);
    FAIL() << "expected invalid_model_error";
  } catch (const sc::invalid_model_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("unit 'brokers' (/units/1)"));
    EXPECT_THAT(e.what(), HasSubstr("think_time = 0"));
  }
}

TEST(ClosedErrors, UnknownIds) {
  const auto g = sc::compile(closed_visits_model(json{{"service_time", {0.5}}, {"visit_ratio", {1.0}}},
                                                 std::vector<std::string>{"desk"}, 1.0));
  const auto r = sc::analyze_closed(g);
  try {
    (void)r.residence_time("nobody", "customer");
    FAIL() << "expected servicechain::error";
  } catch (const sc::error& e) {
    EXPECT_EQ(e.code(), "servicechain.unknown_id");
  }
  try {
    (void)r.customer("desk");  // a unit, not a customer
    FAIL() << "expected servicechain::error";
  } catch (const sc::error& e) {
    EXPECT_EQ(e.code(), "servicechain.unknown_id");
  }
}

// ---------------------------------------------------------------- what is not exact

// 'assessment' serves a customer and an internal unit under external_first (two priority
// levels in use), 'billing' serves two customers at different per-link service times
// under FIFO, 'review' has SCV 0.5 under FIFO: three approximations. Not listed:
// 'desk' (shared, per-link times differ: PS is exact), 'counter' (external_first with only
// customers: one level), 'case_team' (FIFO, one exponential service time).
TEST(ClosedApproximations, NameEveryUnitThatIsNotExact) {
  sc::organization org{.name = "approx"};
  org.add_unit({.id = "assessment", .service_time = 0.3, .queue_discipline = sc::discipline::external_first});
  org.add_unit({.id = "case_team", .service_time = 0.5});
  org.add_unit({.id = "billing", .service_time = 0.2});
  org.add_unit({.id = "review", .service_time = 0.4, .service_scv = 0.5});
  org.add_unit({.id = "desk", .service_time = 0.2, .queue_discipline = sc::discipline::shared});
  org.add_unit({.id = "counter", .service_time = 0.1, .queue_discipline = sc::discipline::external_first});
  org.add_unit({.id = "walk_in", .external = true, .demand = 0.5});
  org.add_unit({.id = "brokers", .external = true, .population = 4, .think_time = 6});
  org.add_link({.from = "assessment", .to = "walk_in"});
  org.add_link({.from = "assessment", .to = "case_team"});
  org.add_link({.from = "case_team", .to = "brokers"});
  org.add_link({.from = "billing", .to = "brokers"});
  org.add_link({.from = "billing", .to = "walk_in", .service_time = 0.4});
  org.add_link({.from = "review", .to = "brokers"});
  org.add_link({.from = "desk", .to = "brokers", .service_time = 0.1});
  org.add_link({.from = "desk", .to = "walk_in", .service_time = 0.3});
  org.add_link({.from = "counter", .to = "brokers"});
  org.add_link({.from = "counter", .to = "walk_in"});
  const auto g = sc::compile(org);
  const auto r = sc::analyze_closed(g);
  ASSERT_EQ(r.approximations.size(), 3U);
  EXPECT_THAT(r.approximations[0], HasSubstr("unit 'assessment': external_first discipline with 2 priority levels"));
  EXPECT_THAT(r.approximations[0], HasSubstr("FIFO/shared"));
  EXPECT_THAT(r.approximations[1], HasSubstr("unit 'billing': per-link mean service times from 0.2 to 0.4"));
  EXPECT_THAT(r.approximations[2], HasSubstr("unit 'review': service SCV 0.5"));
  EXPECT_THAT(r.method, HasSubstr("product-form approximation at 3 units"));
  expect_invariants(g, r, 1e-9);

  // The same model under FIFO everywhere, one service time and SCV 1: nothing approximated.
  auto numbers = g.numbers();
  numbers.set_discipline(g, g.index_of("assessment"), sc::discipline::fifo);
  numbers.clear_link_service(g.link_between("billing", "walk_in"));
  numbers.set(g, g.index_of("review"), sc::unit_field::service_scv, 1.0);
  const auto exact = sc::analyze_closed(g, numbers);
  EXPECT_TRUE(exact.approximations.empty());
  EXPECT_THAT(exact.method, ::testing::Not(HasSubstr("approximation")));

  // `priority` with one priority in use is FIFO; with two it is listed.
  numbers.set_discipline(g, g.index_of("counter"), sc::discipline::priority);
  EXPECT_TRUE(sc::analyze_closed(g, numbers).approximations.empty());
  numbers.set_priority(g.link_between("counter", "walk_in"), 1);
  const auto prioritized = sc::analyze_closed(g, numbers);
  ASSERT_EQ(prioritized.approximations.size(), 1U);
  EXPECT_THAT(prioritized.approximations[0], HasSubstr("unit 'counter': priority discipline with 2 priority levels"));
}

// ---------------------------------------------------------------- mix bottlenecks

// Utilization per request (class c0, class c1): A = (0.6, 0.2) by a per-link service
// time, B = (0.2, 0.5) by requests, C = (0.45, 0.4) as 2 servers; D has unlimited servers
// and the largest demand, but never saturates. Loads at share β of c0: A = 0.2 + 0.4β,
// B = 0.5 − 0.3β, C = 0.4 + 0.05β; B = C at β = 2/7, C = A at β = 4/7.
TEST(ClosedMix, TwoClassSwitchingPoints) {
  sc::organization org{.name = "mix"};
  org.add_unit({.id = "A", .service_time = 0.6});
  org.add_unit({.id = "B", .service_time = 0.1});
  org.add_unit({.id = "C", .servers = 2, .service_time = 0.1});
  org.add_unit({.id = "D", .servers = sc::server_count::unlimited(), .service_time = 5});
  org.add_unit({.id = "c0", .external = true, .demand = 1});
  org.add_unit({.id = "c1", .external = true, .population = 3, .think_time = 1});
  org.add_link({.from = "A", .to = "c0"});
  org.add_link({.from = "A", .to = "c1", .service_time = 0.2});
  org.add_link({.from = "B", .to = "c0", .requests = 2});
  org.add_link({.from = "B", .to = "c1", .requests = 5});
  org.add_link({.from = "C", .to = "c0", .requests = 9});
  org.add_link({.from = "C", .to = "c1", .requests = 8});
  org.add_link({.from = "D", .to = "c0"});
  const auto g = sc::compile(org);
  const auto mix = sc::mix_bottlenecks(g);
  ASSERT_EQ(mix.size(), 3U);
  EXPECT_EQ(mix[0].id, "B");
  EXPECT_EQ(mix[1].id, "C");
  EXPECT_EQ(mix[2].id, "A");
  EXPECT_EQ(mix[2].unit, g.index_of("A"));
  EXPECT_EQ(mix[0].share_of_first_class.first, 0.0);
  EXPECT_TRUE(near_rel(mix[0].share_of_first_class.second, 2.0 / 7.0, exact_tol));
  EXPECT_TRUE(near_rel(mix[1].share_of_first_class.first, 2.0 / 7.0, exact_tol));
  EXPECT_TRUE(near_rel(mix[1].share_of_first_class.second, 4.0 / 7.0, exact_tol));
  EXPECT_TRUE(near_rel(mix[2].share_of_first_class.first, 4.0 / 7.0, exact_tol));
  EXPECT_EQ(mix[2].share_of_first_class.second, 1.0);
  for (const auto& m : mix) {
    EXPECT_TRUE(m.strict) << m.id;
    EXPECT_GT(m.margin, 0) << m.id;
    ASSERT_EQ(m.witness_mix.size(), 2U);
    EXPECT_GE(m.witness_mix[0], m.share_of_first_class.first - exact_tol) << m.id;
    EXPECT_LE(m.witness_mix[0], m.share_of_first_class.second + exact_tol) << m.id;
  }
}

// Three classes (LP path) with a tie: B duplicates A's demands, so neither is ever the
// bottleneck alone; C is. One class: the largest demand.
TEST(ClosedMix, TiesAndOneClass) {
  sc::organization org{.name = "mix3"};
  org.add_unit({.id = "A", .service_time = 0.5});
  org.add_unit({.id = "B", .service_time = 0.5});
  org.add_unit({.id = "C", .service_time = 0.9});
  for (const char* c : {"x", "y", "z"}) {
    org.add_unit({.id = c, .external = true, .demand = 0.1});
    org.add_link({.from = "A", .to = c});
    org.add_link({.from = "B", .to = c});
  }
  org.add_link({.from = "C", .to = "z"});
  const auto g = sc::compile(org);
  const auto mix = sc::mix_bottlenecks(g);
  ASSERT_EQ(mix.size(), 3U);
  EXPECT_EQ(mix[0].id, "C");
  EXPECT_TRUE(mix[0].strict);
  EXPECT_GT(mix[0].witness_mix[2], 5.0 / 9.0);  // C leads only where z's share exceeds 5/9
  EXPECT_EQ(mix[1].id, "A");
  EXPECT_FALSE(mix[1].strict);
  EXPECT_EQ(mix[2].id, "B");
  EXPECT_FALSE(mix[2].strict);

  sc::organization one{.name = "mix1"};
  one.add_unit({.id = "A", .service_time = 0.5});
  one.add_unit({.id = "B", .service_time = 0.7});
  one.add_unit({.id = "x", .external = true, .population = 2});
  one.add_link({.from = "A", .to = "x"});
  one.add_link({.from = "B", .to = "x"});
  const auto single = sc::mix_bottlenecks(sc::compile(one));
  ASSERT_EQ(single.size(), 1U);
  EXPECT_EQ(single[0].id, "B");
  EXPECT_TRUE(near_rel(single[0].margin, 0.2, exact_tol));
}

}  // namespace

// The flows stage at the classes' throughputs reproduces the mean-value analysis's
// utilizations (Little's law at every server: U = X·D), which is what `analyze` reports
// for closed models; exact MVA by hand for the two-unit case: X(3) = 162/233.
TEST(ClosedNetwork, LoadAtThroughputsGivesTheUtilizations) {
  sc::organization org;
  org.add_unit({.id = "a", .service_time = 1});
  org.add_unit({.id = "b", .service_time = 0.5});
  org.add_unit({.id = "users", .external = true, .population = 3, .think_time = 2});
  org.add_link({.from = "a", .to = "users"});
  org.add_link({.from = "b", .to = "a"});
  const auto g = sc::compile(org);
  const auto r = sc::analyze_closed(g);
  EXPECT_TRUE(near_rel(r.customer("users").throughput, 162.0 / 233.0, 1e-12)) << r.customer("users").throughput;
  const std::vector<double> rates{r.customer("users").throughput};
  const auto cap = sc::analyze_capacity(g, g.numbers(), sc::compute_load(g, g.numbers(), rates));
  EXPECT_TRUE(near_rel(cap.unit("a").utilization, 162.0 / 233.0, 1e-12)) << cap.unit("a").utilization;
  EXPECT_TRUE(near_rel(cap.unit("b").utilization, 81.0 / 233.0, 1e-12)) << cap.unit("b").utilization;
  for (const char* u : {"a", "b"})
    EXPECT_TRUE(near_rel(cap.unit(u).utilization, r.utilization(g.index_of(u)), 1e-12)) << u;

  const std::vector<double> negative{-1.0}, two{1.0, 1.0};
  EXPECT_THAT([&] { (void)sc::compute_load(g, g.numbers(), negative); },
              ::testing::ThrowsMessage<sc::error>(HasSubstr("rate of customer 'users' = -1")));
  EXPECT_THAT([&] { (void)sc::compute_load(g, g.numbers(), two); },
              ::testing::ThrowsMessage<sc::error>(HasSubstr("2 class rates given for 1 classes")));
}
