// Tests of mean-value analysis, bounds and mix bottlenecks against independent numbers:
// textbook examples (Lazowska et al. QSP; Bolch et al.; Schwetman), fractions worked by
// hand, the Octave oracles in tests/data/oracles/expected.json, brute-force sampling,
// and conservation laws. Every comparison states its tolerance and prints expected vs got.

#include "servicechain/analysis/mva.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "servicechain/error.hpp"
#include "support/oracles.hpp"

namespace servicechain {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;
using sc_test::near_rel;

constexpr double exact_tol = 1e-12;  // fractions worked by hand
constexpr double oracle_tol = 1e-9;  // independent tools, per the oracle README

mva_station queueing() { return {}; }
mva_station delay() { return {mva_station_kind::delay, 1}; }
mva_station multi(std::int64_t c) { return {mva_station_kind::multi_server, c}; }

std::vector<double> get_vector(const json& j) { return j.get<std::vector<double>>(); }

// Oracle servers: 0 = infinite server (delay), 1 = queueing, c > 1 = multi-server.
std::vector<mva_station> oracle_stations(const json& servers) {
  std::vector<mva_station> out;
  for (const auto& s : servers) {
    const auto c = s.get<std::int64_t>();
    out.push_back(c == 0 ? delay() : c == 1 ? queueing() : multi(c));
  }
  return out;
}

// ---------------------------------------------------------------- exact single class

// Lazowska, Zahorjan, Graham & Sevcik, Quantitative System Performance (1984), p. 117:
// N = 3 terminals, Z = 15 s, S = [0.005, 0.03, 0.027] s, V = [121, 70, 50].
TEST(MvaExact, LazowskaQspPage117) {
  const mva_input in{.stations = {queueing(), queueing(), queueing()},
                     .demand = {{0.005 * 121, 0.03 * 70, 0.027 * 50}},
                     .population = {3},
                     .think_time = {15}};
  const auto r = solve_mva(in);
  EXPECT_TRUE(near_rel(r.throughput[0], 0.15151649, 1e-6));
  EXPECT_TRUE(near_rel(r.response_time[0], 4.7998, 1e-4));  // published to 5 digits
  EXPECT_EQ(r.method, "exact MVA");
}

// Worked by hand with fractions: D = (1, 1/2), Z = 2.
// N=1: R = (1, 1/2), X = 1/(7/2) = 2/7, Q = (2/7, 1/7).
// N=2: R = (9/7, 4/7), X = 2/(2 + 13/7) = 14/27, Q = (2/3, 8/27).
// N=3: R = (5/3, 35/54), ΣR = 125/54, X = 3/(2 + 125/54) = 162/233.
TEST(MvaExact, HandWorkedFraction) {
  const mva_input in{
      .stations = {queueing(), queueing()}, .demand = {{1.0, 0.5}}, .population = {3}, .think_time = {2}};
  const auto r = solve_mva(in);
  EXPECT_TRUE(near_rel(r.throughput[0], 162.0 / 233.0, exact_tol));
  EXPECT_TRUE(near_rel(r.response_time[0], 125.0 / 54.0, exact_tol));
}

// Bolch, Greiner, de Meer & Trivedi, Queueing Networks and Markov Chains, Example 8.4:
// S = [0.5, 0.6, 0.8, 1], V = [1, 0.5, 0.5, 1], a 2-server station, two single servers
// and an infinite server, N = 3. Published to 3 decimals.
TEST(MvaExact, BolchExample8_4MultiServerAndDelay) {
  const mva_input in{.stations = {multi(2), queueing(), queueing(), delay()},
                     .demand = {{0.5 * 1, 0.6 * 0.5, 0.8 * 0.5, 1.0 * 1}},
                     .population = {3}};
  const auto r = solve_mva(in);
  const std::vector<double> q{0.624, 0.473, 0.686, 1.217};
  for (std::size_t k = 0; k < q.size(); ++k) EXPECT_NEAR(r.queue_length[0][k], q[k], 0.5e-3) << "station " << k;
  // Published 1.218; the Octave package's own test of this example allows 1e-3 (exact: 1.21746).
  EXPECT_NEAR(r.throughput[0], 1.218, 1e-3);
  EXPECT_EQ(r.method, "exact load-dependent MVA");
}

void expect_single_class_oracle(const json& c, const mva_input& in, std::size_t first_station) {
  const auto& out = c.at("outputs");
  const auto populations = c.at("inputs").at("populations").get<std::vector<std::int64_t>>();
  const auto visits = c.at("inputs").contains("visit_ratio") ? get_vector(c.at("inputs").at("visit_ratio"))
                                                             : get_vector(out.at("visit_ratio"));
  for (std::size_t row = 0; row < populations.size(); ++row) {
    auto at_n = in;
    at_n.population = {populations[row]};
    const auto r = solve_mva(at_n);
    const std::string where = fmt::format("{} N={}", c.at("name").get<std::string>(), populations[row]);
    EXPECT_TRUE(near_rel(r.throughput[0], out.at("X_sys")[row].get<double>(), oracle_tol)) << where;
    for (std::size_t k = first_station; k < visits.size(); ++k) {
      const std::size_t s = k - first_station;
      EXPECT_TRUE(near_rel(r.queue_length[0][s], out.at("Q")[row][k].get<double>(), oracle_tol)) << where << " Q" << k;
      EXPECT_TRUE(near_rel(r.utilization[0][s], out.at("U")[row][k].get<double>(), oracle_tol)) << where << " U" << k;
      EXPECT_TRUE(near_rel(r.residence_time[0][s], out.at("R")[row][k].get<double>() * visits[k], oracle_tol))
          << where << " R" << k;
    }
  }
}

mva_input single_class_input(const json& inputs, const std::vector<double>& visits) {
  const auto s = get_vector(inputs.at("service_time"));
  mva_input in{.stations = oracle_stations(inputs.at("servers"))};
  in.demand.emplace_back();
  for (std::size_t k = 0; k < s.size(); ++k) in.demand[0].push_back(s[k] * visits[k]);
  if (inputs.contains("think_time_Z")) in.think_time = {inputs.at("think_time_Z").get<double>()};
  return in;
}

TEST(MvaOracle, ClosedDelayStation) {
  const auto& c = sc_test::queueing_case("closed_mva_delay_station");
  expect_single_class_oracle(c, single_class_input(c.at("inputs"), get_vector(c.at("outputs").at("visit_ratio"))), 0);
}

TEST(MvaOracle, ClosedThinkTime) {
  const auto& c = sc_test::queueing_case("closed_mva_think_time_Z");
  expect_single_class_oracle(c, single_class_input(c.at("inputs"), get_vector(c.at("inputs").at("visit_ratio"))), 0);
}

TEST(MvaOracle, ClosedMultiServer) {
  const auto& c = sc_test::queueing_case("closed_mva_multiserver");
  expect_single_class_oracle(c, single_class_input(c.at("inputs"), get_vector(c.at("inputs").at("visit_ratio"))), 0);
}

// ---------------------------------------------------------------- exact multiclass

// QSP p. 142 (multiclass MVA worked by hand): two classes of one request each, two
// queueing stations, D_A = (1, 3), D_B = (2, 4), no think time. By hand: at (1,0)
// Q_A = (1/4, 3/4); at (0,1) Q_B = (1/3, 2/3); at (1,1) R_A = 1·(4/3) + 3·(5/3) = 19/3,
// R_B = 2·(5/4) + 4·(7/4) = 19/2, so X = (3/19, 2/19).
TEST(MvaMulticlass, LazowskaQspPage142) {
  const mva_input in{.stations = {queueing(), queueing()}, .demand = {{1, 3}, {2, 4}}, .population = {1, 1}};
  const auto r = solve_mva(in);
  EXPECT_TRUE(near_rel(r.throughput[0], 3.0 / 19.0, exact_tol));
  EXPECT_TRUE(near_rel(r.throughput[1], 2.0 / 19.0, exact_tol));
}

// Schwetman, CSD-TR-330 (Purdue 1980), example 5(b): one queueing station, D = 0.025
// and 0.5, Z = 1 and 15, N = (15, 5). The published X = (14.323, 0.314) is reproduced by
// exact MVA on this one-station model (brute force in Python: 14.3231, 0.31380).
TEST(MvaMulticlass, SchwetmanExample5b) {
  const mva_input in{
      .stations = {queueing()}, .demand = {{0.025}, {0.5}}, .population = {15, 5}, .think_time = {1, 15}};
  const auto r = solve_mva(in);
  EXPECT_NEAR(r.throughput[0], 14.323, 0.5e-3);
  EXPECT_NEAR(r.throughput[1], 0.314, 0.5e-3);
}

TEST(MvaOracle, ClosedMulticlass) {
  const auto& c = sc_test::queueing_case("closed_multiclass_2cls");
  const auto& inputs = c.at("inputs");
  mva_input in{.stations = oracle_stations(inputs.at("servers"))};
  const auto& s = inputs.at("service_time");
  const auto& v = inputs.at("visit_ratio");
  for (std::size_t cl = 0; cl < 2; ++cl) {
    in.demand.emplace_back();
    for (std::size_t k = 0; k < in.stations.size(); ++k)
      in.demand[cl].push_back(s[cl][k].get<double>() * v[cl][k].get<double>());
  }
  for (const auto& result : c.at("outputs").at("results")) {
    in.population = result.at("N").get<std::vector<std::int64_t>>();
    const auto r = solve_mva(in);
    for (std::size_t cl = 0; cl < 2; ++cl) {
      const std::string where = fmt::format("N={} class {}", result.at("N").dump(), cl);
      EXPECT_TRUE(near_rel(r.throughput[cl], result.at("class_throughput")[cl].get<double>(), oracle_tol)) << where;
      for (std::size_t k = 0; k < in.stations.size(); ++k) {
        EXPECT_TRUE(near_rel(r.queue_length[cl][k], result.at("Q")[cl][k].get<double>(), oracle_tol)) << where;
        EXPECT_TRUE(near_rel(r.utilization[cl][k], result.at("U")[cl][k].get<double>(), oracle_tol)) << where;
        EXPECT_TRUE(
            near_rel(r.residence_time[cl][k], result.at("R")[cl][k].get<double>() * v[cl][k].get<double>(), oracle_tol))
            << where;
      }
    }
  }
}

// ---------------------------------------------------------------- mixed

TEST(MvaOracle, MixedOneOpenOneClosed) {
  const auto& c = sc_test::queueing_case("mixed_1open_1closed");
  const auto& inputs = c.at("inputs");
  const auto& out = c.at("outputs");
  mva_input in{.stations = {queueing(), queueing(), queueing()},
               .population = {0, 4},
               .arrival_rate = {inputs.at("class_arrival_rate")[0].get<double>(), std::nullopt}};
  for (std::size_t cl = 0; cl < 2; ++cl) {
    in.demand.emplace_back();
    for (std::size_t k = 0; k < 3; ++k)
      in.demand[cl].push_back(inputs.at("service_time")[cl][k].get<double>() *
                              inputs.at("visit_ratio")[cl][k].get<double>());
  }
  const auto r = solve_mva(in);
  EXPECT_THAT(r.method, HasSubstr("mixed"));
  EXPECT_TRUE(near_rel(r.throughput[1], out.at("closed_class_throughput").get<double>(), oracle_tol));
  EXPECT_TRUE(near_rel(r.response_time[1], out.at("closed_class_response_time").get<double>(), oracle_tol));
  EXPECT_TRUE(near_rel(r.response_time[0], out.at("open_class_response_time").get<double>(), oracle_tol));
  for (std::size_t cl = 0; cl < 2; ++cl)
    for (std::size_t k = 0; k < 3; ++k) {
      const double v = inputs.at("visit_ratio")[cl][k].get<double>();
      EXPECT_TRUE(near_rel(r.residence_time[cl][k], out.at("R")[cl][k].get<double>() * v, oracle_tol));
      EXPECT_TRUE(near_rel(r.queue_length[cl][k], out.at("Q")[cl][k].get<double>(), oracle_tol));
      // The oracle's corrected U = X·S is per visit-stream: X_station·S = X_class·V·S = X·D.
      EXPECT_TRUE(near_rel(r.utilization[cl][k], out.at("U")[cl][k].get<double>(), oracle_tol));
    }
}

TEST(MvaMixed, OpenSaturationNamesTheStation) {
  const mva_input in{.stations = {queueing(), queueing()},
                     .demand = {{0.5, 0.9}, {1, 1}},
                     .population = {0, 2},
                     .arrival_rate = {1.25, std::nullopt},
                     .station_names = {"web", "db"}};
  try {
    (void)solve_mva(in);
    FAIL() << "expected unstable_error";
  } catch (const unstable_error& e) {
    ASSERT_EQ(e.units().size(), 1U);
    EXPECT_EQ(e.units()[0].id, "db");
    EXPECT_TRUE(near_rel(e.units()[0].utilization, 1.125, exact_tol));
    EXPECT_THAT(e.what(), HasSubstr("'db'"));
  }
  auto unnamed = in;
  unnamed.station_names.clear();
  try {
    (void)solve_mva(unnamed);
    FAIL() << "expected unstable_error";
  } catch (const unstable_error& e) {
    EXPECT_EQ(e.units()[0].id, "station 1");
  }
}

// Open only, one class: R = Σ D/(1 − λD) at single servers (M/M/1), the oracle's exact R.
TEST(MvaOracle, OpenExactResponse) {
  const auto& c = sc_test::queueing_case("bounds_open");
  const auto d = get_vector(c.at("outputs").at("demand"));
  const auto rates = get_vector(c.at("inputs").at("arrival_rates"));
  for (std::size_t i = 0; i < rates.size(); ++i) {
    const mva_input in{.stations = std::vector<mva_station>(d.size()), .demand = {d}, .arrival_rate = {rates[i]}};
    const auto r = solve_mva(in);
    EXPECT_TRUE(near_rel(r.response_time[0], c.at("outputs").at("exact_R")[i].get<double>(), oracle_tol));
  }
}

// Open only, M/M/2 with a = λ·D = 1.5, D = 1: B(2, 1.5) = 1.125/3.625 = 9/29,
// C = 2B/((2 − a) + aB) = 9/14, R = D(1 + C/(c − a)) = 1 + 9/7 = 16/7 (Gross & Harris).
TEST(MvaMixed, OpenOnlyMultiServerIsErlangC) {
  const mva_input in{.stations = {multi(2)}, .demand = {{1.0}}, .arrival_rate = {1.5}};
  const auto r = solve_mva(in);
  EXPECT_TRUE(near_rel(r.response_time[0], 16.0 / 7.0, exact_tol));
  EXPECT_TRUE(near_rel(r.utilization[0][0], 0.75, exact_tol));
  EXPECT_TRUE(near_rel(r.queue_length[0][0], 1.5 * 16.0 / 7.0, exact_tol));
}

// Seidmann's approximation is exactly "a queueing station of D/c plus a delay of
// D(c−1)/c": the same network written out that way gives the same numbers.
TEST(MvaMixed, SeidmannEqualsTheExplicitSplit) {
  const mva_input in{.stations = {multi(4), queueing(), delay()},
                     .demand = {{0.8, 0.3, 2.0}, {0.4, 0.5, 1.0}, {0.2, 0.1, 0.0}},
                     .population = {6, 4, 0},
                     .think_time = {1, 3, 0},
                     .arrival_rate = {std::nullopt, std::nullopt, 0.5}};
  const auto r = solve_mva(in);
  EXPECT_THAT(r.method, HasSubstr("Seidmann"));
  EXPECT_THAT(r.method, HasSubstr("mixed"));
  const mva_input split{.stations = {queueing(), delay(), queueing(), delay()},
                        .demand = {{0.2, 0.6, 0.3, 2.0}, {0.1, 0.3, 0.5, 1.0}, {0.05, 0.15, 0.1, 0.0}},
                        .population = {6, 4, 0},
                        .think_time = {1, 3, 0},
                        .arrival_rate = {std::nullopt, std::nullopt, 0.5}};
  const auto e = solve_mva(split);
  for (std::size_t c = 0; c < 3; ++c) {
    EXPECT_TRUE(near_rel(r.throughput[c], e.throughput[c], 1e-12)) << "class " << c;
    EXPECT_TRUE(near_rel(r.residence_time[c][0], e.residence_time[c][0] + e.residence_time[c][1], 1e-12)) << c;
    EXPECT_TRUE(near_rel(r.response_time[c], e.response_time[c], 1e-12)) << "class " << c;
  }
  // Per-server utilization at the 4-server station: X·D/4.
  EXPECT_TRUE(near_rel(r.utilization[0][0], r.throughput[0] * 0.8 / 4, 1e-12));
}

// Async demand: with async work the closed class slows down; with zero async demand the
// result equals the plain solution; the fixed point satisfies its own equations.
TEST(MvaAsync, FixedPointIsConsistent) {
  mva_input in{
      .stations = {queueing(), queueing(), delay()}, .demand = {{0.2, 0.1, 1.0}}, .population = {5}, .think_time = {2}};
  const auto plain = solve_mva(in);
  in.async_demand = {{0.1, 0.0, 0.0}};
  const auto r = solve_mva(in);
  EXPECT_LT(r.throughput[0], plain.throughput[0]);
  EXPECT_THAT(r.method, HasSubstr("async"));
  // The async work acts as an open class of rate X: solving the mixed network with that
  // rate gives the same closed throughput.
  mva_input mixed{.stations = in.stations,
                  .demand = {{0.2, 0.1, 1.0}, {0.1, 0.0, 0.0}},
                  .population = {5, 0},
                  .think_time = {2, 0},
                  .arrival_rate = {std::nullopt, r.throughput[0]}};
  const auto check = solve_mva(mixed);
  EXPECT_TRUE(near_rel(check.throughput[0], r.throughput[0], 1e-8));
  EXPECT_TRUE(near_rel(r.utilization[0][0], r.throughput[0] * 0.3, 1e-12));
}

// ---------------------------------------------------------------- bounds

TEST(MvaBounds, OracleClosed) {
  const auto& c = sc_test::queueing_case("bounds_closed");
  const auto& out = c.at("outputs");
  const auto d = get_vector(out.at("demand"));
  const auto populations = c.at("inputs").at("populations").get<std::vector<std::int64_t>>();
  for (std::size_t i = 0; i < populations.size(); ++i) {
    const mva_input in{.stations = std::vector<mva_station>(d.size()),
                       .demand = {d},
                       .population = {populations[i]},
                       .think_time = {c.at("inputs").at("think_time_Z").get<double>()}};
    const auto b = compute_bounds(in);
    const std::string where = fmt::format("N={}", populations[i]);
    EXPECT_TRUE(near_rel(b.aba_throughput[0].first, out.at("aba_X_lower")[i].get<double>(), oracle_tol)) << where;
    EXPECT_TRUE(near_rel(b.aba_throughput[0].second, out.at("aba_X_upper")[i].get<double>(), oracle_tol)) << where;
    EXPECT_TRUE(near_rel(b.aba_response_time[0].first, out.at("aba_R_lower")[i].get<double>(), oracle_tol)) << where;
    EXPECT_TRUE(near_rel(b.aba_response_time[0].second, out.at("aba_R_upper")[i].get<double>(), oracle_tol)) << where;
    EXPECT_TRUE(near_rel(b.bjb_throughput[0].first, out.at("bjb_X_lower")[i].get<double>(), oracle_tol)) << where;
    EXPECT_TRUE(near_rel(b.bjb_throughput[0].second, out.at("bjb_X_upper")[i].get<double>(), oracle_tol)) << where;
    EXPECT_TRUE(near_rel(b.bjb_response_time[0].first, out.at("bjb_R_lower")[i].get<double>(), oracle_tol)) << where;
    EXPECT_TRUE(near_rel(b.bjb_response_time[0].second, out.at("bjb_R_upper")[i].get<double>(), oracle_tol)) << where;
    EXPECT_TRUE(near_rel(b.knee_population[0], out.at("N_star").get<double>(), oracle_tol));
    const double x = out.at("mva_X")[i].get<double>();
    const double r = out.at("mva_R")[i].get<double>();
    EXPECT_LE(b.throughput[0].first, x * (1 + 1e-12)) << where;
    EXPECT_GE(b.throughput[0].second, x * (1 - 1e-12)) << where;
    EXPECT_LE(b.response_time[0].first, r * (1 + 1e-12)) << where;
    EXPECT_GE(b.response_time[0].second, r * (1 - 1e-12)) << where;
  }
}

TEST(MvaBounds, OracleOpen) {
  const auto& c = sc_test::queueing_case("bounds_open");
  const auto& out = c.at("outputs");
  const auto d = get_vector(out.at("demand"));
  const auto rates = get_vector(c.at("inputs").at("arrival_rates"));
  for (std::size_t i = 0; i < rates.size(); ++i) {
    const mva_input in{.stations = std::vector<mva_station>(d.size()), .demand = {d}, .arrival_rate = {rates[i]}};
    const auto b = compute_bounds(in);
    EXPECT_TRUE(near_rel(b.saturation_throughput[0], out.at("saturation_throughput").get<double>(), oracle_tol));
    EXPECT_TRUE(near_rel(b.aba_response_time[0].first, out.at("aba_R_lower")[i].get<double>(), oracle_tol));
    EXPECT_TRUE(near_rel(b.bjb_response_time[0].first, out.at("bjb_R_lower")[i].get<double>(), oracle_tol));
    EXPECT_TRUE(near_rel(b.bjb_response_time[0].second, out.at("bjb_R_upper")[i].get<double>(), oracle_tol));
    const double exact = out.at("exact_R")[i].get<double>();
    EXPECT_LE(b.response_time[0].first, exact);
    EXPECT_GE(b.response_time[0].second, exact);
  }
}

// Lazowska et al., QSP ch. 5 example: N = 20, D = (9.2, 8), Z = 120 →
// X ≤ 1/9.2 = 0.109, R ≥ 20·9.2 − 120 = 64.
TEST(MvaBounds, LazowskaChapter5Example) {
  const mva_input in{
      .stations = {queueing(), queueing()}, .demand = {{9.2, 8}}, .population = {20}, .think_time = {120}};
  const auto b = compute_bounds(in);
  EXPECT_NEAR(b.throughput[0].second, 0.109, 0.5e-3);
  EXPECT_TRUE(near_rel(b.throughput[0].second, 1 / 9.2, exact_tol));
  EXPECT_TRUE(near_rel(b.response_time[0].first, 64, exact_tol));
}

void expect_brackets(const mva_input& in, const std::string& name) {
  const auto b = compute_bounds(in);
  const auto r = solve_mva(in);
  for (std::size_t c = 0; c < in.demand.size(); ++c) {
    const double slack = 1e-12;
    EXPECT_LE(b.throughput[c].first, r.throughput[c] * (1 + slack)) << name << " class " << c;
    EXPECT_GE(b.throughput[c].second, r.throughput[c] * (1 - slack)) << name << " class " << c;
    EXPECT_LE(b.response_time[c].first, r.response_time[c] * (1 + slack)) << name << " class " << c;
    EXPECT_GE(b.response_time[c].second, r.response_time[c] * (1 - slack)) << name << " class " << c;
  }
}

// The bounds bracket the exact value in every closed or mixed oracle case.
TEST(MvaBounds, BracketEveryOracleCase) {
  for (const char* name : {"closed_mva_delay_station", "closed_mva_multiserver"}) {
    const auto& c = sc_test::queueing_case(name);
    const auto visits = c.at("inputs").contains("visit_ratio") ? get_vector(c.at("inputs").at("visit_ratio"))
                                                               : get_vector(c.at("outputs").at("visit_ratio"));
    auto in = single_class_input(c.at("inputs"), visits);
    for (std::int64_t n = 1; n <= 20; ++n) {
      in.population = {n};
      expect_brackets(in, fmt::format("{} N={}", name, n));
    }
  }
  const auto& m = sc_test::queueing_case("closed_multiclass_2cls");
  mva_input in{.stations = oracle_stations(m.at("inputs").at("servers"))};
  for (std::size_t cl = 0; cl < 2; ++cl) {
    in.demand.emplace_back();
    for (std::size_t k = 0; k < in.stations.size(); ++k)
      in.demand[cl].push_back(m.at("inputs").at("service_time")[cl][k].get<double>() *
                              m.at("inputs").at("visit_ratio")[cl][k].get<double>());
  }
  for (const auto& result : m.at("outputs").at("results")) {
    in.population = result.at("N").get<std::vector<std::int64_t>>();
    expect_brackets(in, "closed_multiclass_2cls N=" + result.at("N").dump());
  }
  const auto& x = sc_test::queueing_case("mixed_1open_1closed");
  mva_input mixed{.stations = {queueing(), queueing(), queueing()},
                  .population = {0, 4},
                  .arrival_rate = {x.at("inputs").at("class_arrival_rate")[0].get<double>(), std::nullopt}};
  for (std::size_t cl = 0; cl < 2; ++cl) {
    mixed.demand.emplace_back();
    for (std::size_t k = 0; k < 3; ++k)
      mixed.demand[cl].push_back(x.at("inputs").at("service_time")[cl][k].get<double>() *
                                 x.at("inputs").at("visit_ratio")[cl][k].get<double>());
  }
  expect_brackets(mixed, "mixed_1open_1closed");
}

// ---------------------------------------------------------------- mix bottlenecks

// Station × class: A = (0.6, 0.2), B = (0.2, 0.5), C = (0.45, 0.4). Loads at share β of
// class 0: A = 0.2 + 0.4β, B = 0.5 − 0.3β, C = 0.4 + 0.05β; B = C at β = 2/7, C = A at 4/7.
TEST(MvaMix, TwoClassSwitchingPoints) {
  const auto r = mix_bottlenecks({{0.6, 0.2, 0.45}, {0.2, 0.5, 0.4}});
  EXPECT_EQ(r.stations, (std::vector<std::size_t>{0, 1, 2}));
  ASSERT_EQ(r.intervals.size(), 3U);
  EXPECT_EQ(r.intervals[0].station, 1U);
  EXPECT_EQ(r.intervals[1].station, 2U);
  EXPECT_EQ(r.intervals[2].station, 0U);
  EXPECT_EQ(r.intervals[0].low, 0.0);
  EXPECT_TRUE(near_rel(r.intervals[0].high, 2.0 / 7.0, exact_tol));
  EXPECT_TRUE(near_rel(r.intervals[1].low, 2.0 / 7.0, exact_tol));
  EXPECT_TRUE(near_rel(r.intervals[1].high, 4.0 / 7.0, exact_tol));
  EXPECT_TRUE(near_rel(r.intervals[2].low, 4.0 / 7.0, exact_tol));
  EXPECT_EQ(r.intervals[2].high, 1.0);
  for (std::size_t i = 0; i < r.stations.size(); ++i) EXPECT_GT(r.margin[i], 0);
}

TEST(MvaMix, DuplicateStationIsTiedOnly) {
  const auto r = mix_bottlenecks({{0.6, 0.6, 0.1}, {0.2, 0.2, 0.5}});
  EXPECT_EQ(r.stations, (std::vector<std::size_t>{2}));
  EXPECT_EQ(r.tied_only, (std::vector<std::size_t>{0, 1}));
}

std::size_t argmax_load(const std::vector<std::vector<double>>& d, const std::vector<double>& mix) {
  std::size_t best = 0;
  double best_load = -1;
  for (std::size_t k = 0; k < d[0].size(); ++k) {
    double load = 0;
    for (std::size_t c = 0; c < d.size(); ++c) load += mix[c] * d[c][k];
    if (load > best_load) best_load = load, best = k;
  }
  return best;
}

// Five classes, 12 random stations: the LP's set equals the set of bottlenecks of 10⁵
// uniformly sampled mixes (Dirichlet(1,…,1) via normalized exponentials), and every
// witness makes its station the strict bottleneck.
TEST(MvaMix, FiveClassesAgreeWithSampling) {
  std::mt19937_64 rng(20240611);
  std::uniform_real_distribution<double> uniform(0.05, 1.0);
  std::vector<std::vector<double>> d(5, std::vector<double>(12));
  for (auto& row : d)
    for (auto& v : row) v = uniform(rng);
  const auto r = mix_bottlenecks(d);
  std::exponential_distribution<double> expo(1.0);
  std::set<std::size_t> sampled;
  for (int i = 0; i < 100000; ++i) {
    std::vector<double> mix(5);
    double sum = 0;
    for (auto& m : mix) sum += m = expo(rng);
    for (auto& m : mix) m /= sum;
    sampled.insert(argmax_load(d, mix));
  }
  const std::set<std::size_t> found(r.stations.begin(), r.stations.end());
  for (const auto k : sampled) EXPECT_TRUE(found.count(k)) << "sampled bottleneck " << k << " missing";
  EXPECT_EQ(found, sampled);
  for (std::size_t i = 0; i < r.stations.size(); ++i) {
    EXPECT_EQ(argmax_load(d, r.witness_mix[i]), r.stations[i]);
    EXPECT_GT(r.margin[i], 0);
  }
}

TEST(MvaMix, OneStationOrOneClass) {
  const auto one_station = mix_bottlenecks({{0.3}, {0.1}, {0.7}});
  EXPECT_EQ(one_station.stations, (std::vector<std::size_t>{0}));
  const auto one_class = mix_bottlenecks({{0.3, 0.9, 0.9, 0.2}});
  EXPECT_TRUE(one_class.stations.empty());
  EXPECT_EQ(one_class.tied_only, (std::vector<std::size_t>{1, 2}));
  const auto unique = mix_bottlenecks({{0.3, 0.9, 0.2}});
  EXPECT_EQ(unique.stations, (std::vector<std::size_t>{1}));
  EXPECT_TRUE(near_rel(unique.margin[0], 0.6, exact_tol));
}

TEST(MvaMix, RejectsBadDemand) {
  try {
    (void)mix_bottlenecks({{0.1, -0.2}});
    FAIL() << "expected servicechain::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), "servicechain.invalid_argument");
    EXPECT_THAT(e.what(), HasSubstr("class 0, station 1"));
  }
}

// ---------------------------------------------------------------- approximations

struct error_stats {
  double max = 0;
  double sum = 0;
  int count = 0;
  void add(double e) {
    max = std::max(max, e);
    sum += e;
    ++count;
  }
  double mean() const { return count ? sum / count : 0.0; }
};

// 50 random models (fixed seed): 2–4 classes, 2–6 queueing or delay stations,
// populations 1–8, think times 0–5, demands 0.05–2. Exact MVA is the reference.
// Measured (seed 7): Schweitzer–Bard X max 9.34%, mean 2.59%; R max 12.75%, mean 3.36%;
// Linearizer X max 0.60%, mean 0.14%; R max 0.79%, mean 0.17%. Asserted bounds, with
// room for other compilers' rounding: Schweitzer–Bard ≤ 15% max and ≤ 4% mean,
// Linearizer ≤ 2% max and ≤ 0.5% mean (Chandy & Neuse report errors around 1%).
TEST(MvaApproximate, AgainstExactOnRandomModels) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> classes_of(2, 4), stations_of(2, 6), population_of(1, 8);
  std::uniform_real_distribution<double> demand_of(0.05, 2.0), think_of(0.0, 5.0), coin(0.0, 1.0);
  error_stats sx, sr, lx, lr;
  for (int model = 0; model < 50; ++model) {
    const int classes = classes_of(rng);
    const int stations = stations_of(rng);
    mva_input in;
    for (int k = 0; k < stations; ++k) in.stations.push_back(coin(rng) < 0.2 ? delay() : queueing());
    for (int c = 0; c < classes; ++c) {
      in.demand.emplace_back();
      for (int k = 0; k < stations; ++k) in.demand.back().push_back(demand_of(rng));
      in.population.push_back(population_of(rng));
      in.think_time.push_back(think_of(rng));
    }
    const auto exact = solve_mva(in);
    ASSERT_EQ(exact.method, "exact MVA");
    const auto s = solve_mva(in, {.exact_lattice_limit = 0, .method = mva_options::approximation::schweitzer});
    const auto l = solve_mva(in, {.exact_lattice_limit = 0, .method = mva_options::approximation::linearizer});
    ASSERT_EQ(s.method, "Schweitzer-Bard");
    ASSERT_EQ(l.method, "Linearizer");
    for (int c = 0; c < classes; ++c) {
      const auto rel = [](double a, double b) { return std::abs(a - b) / b; };
      sx.add(rel(s.throughput[c], exact.throughput[c]));
      sr.add(rel(s.response_time[c], exact.response_time[c]));
      lx.add(rel(l.throughput[c], exact.throughput[c]));
      lr.add(rel(l.response_time[c], exact.response_time[c]));
    }
  }
  std::cout << fmt::format(
      "approximate MVA vs exact, 50 random models ({} classes in all):\n"
      "  Schweitzer-Bard: X max {:.3f}% mean {:.3f}%; R max {:.3f}% mean {:.3f}%\n"
      "  Linearizer:      X max {:.3f}% mean {:.3f}%; R max {:.3f}% mean {:.3f}%\n",
      sx.count, 100 * sx.max, 100 * sx.mean(), 100 * sr.max, 100 * sr.mean(), 100 * lx.max, 100 * lx.mean(),
      100 * lr.max, 100 * lr.mean());
  EXPECT_LE(sx.max, 0.15);
  EXPECT_LE(sr.max, 0.15);
  EXPECT_LE(sx.mean(), 0.04);
  EXPECT_LE(sr.mean(), 0.04);
  EXPECT_LE(lx.max, 0.02);
  EXPECT_LE(lr.max, 0.02);
  EXPECT_LE(lx.mean(), 0.005);
  EXPECT_LE(lr.mean(), 0.005);
  EXPECT_LT(lx.mean(), sx.mean());
}

TEST(MvaApproximate, AutomaticBeyondTheLattice) {
  const mva_input in{.stations = {queueing(), queueing(), multi(4)},
                     .demand = {{0.1, 0.2, 0.8}, {0.3, 0.1, 0.4}},
                     .population = {2000, 3000},
                     .think_time = {1, 2}};
  const auto r = solve_mva(in);
  EXPECT_THAT(r.method, HasSubstr("Linearizer"));
  EXPECT_THAT(r.method, HasSubstr("Seidmann"));
  EXPECT_GT(r.iterations, 0);
  for (std::size_t c = 0; c < 2; ++c) {
    double q = 0;
    for (const double v : r.queue_length[c]) q += v;
    EXPECT_TRUE(near_rel(q + r.throughput[c] * in.think_time[c], static_cast<double>(in.population[c]), 1e-8));
  }
}

TEST(MvaApproximate, NonConvergenceIsAnError) {
  const mva_input in{.stations = {queueing(), queueing()}, .demand = {{1, 2}, {2, 1}}, .population = {5, 5}};
  try {
    (void)solve_mva(in,
                    {.exact_lattice_limit = 0, .method = mva_options::approximation::schweitzer, .max_iterations = 2});
    FAIL() << "expected solver_error";
  } catch (const solver_error& e) {
    EXPECT_EQ(e.code(), "servicechain.solver");
    EXPECT_THAT(e.what(), HasSubstr("Schweitzer-Bard MVA: no convergence after 2 sweeps"));
  }
}

// ---------------------------------------------------------------- large populations

// N = 10 000 with several multi-server stations (up to 64 servers, the 64-server one
// saturated): Little's law Σ_k Q_k = N − X·Z to 1e-9 relative, U ≤ 1, everything
// finite. On this model the textbook recursion p(0) = 1 − (X·D + Σ (c−j)·p(j))/c gives
// p(0) < 0 at the 64-server station from N = 888 on and X = −22.7 at N = 10 000
// (checked with a Python transcription of Bolch et al. §8.2.1).
TEST(MvaLarge, TenThousandWithMultiServers) {
  mva_input in{.stations = {queueing(), multi(8), multi(64), multi(3), delay(), multi(16)},
               .demand = {{0.005, 0.05, 0.5, 0.015, 3.0, 0.1}},
               .population = {10000},
               .think_time = {20}};
  const auto r = solve_mva(in);
  EXPECT_EQ(r.method, "exact load-dependent MVA");
  double q = 0;
  for (const double v : r.queue_length[0]) q += v;
  EXPECT_TRUE(near_rel(q, 10000 - r.throughput[0] * 20, 1e-9));
  for (std::size_t k = 0; k < in.stations.size(); ++k) {
    if (in.stations[k].kind == mva_station_kind::delay) continue;
    EXPECT_LE(r.utilization[0][k], 1 + 1e-12) << "station " << k;
    EXPECT_TRUE(std::isfinite(r.residence_time[0][k]));
  }
  // The 64-server station is the bottleneck (capacity 64/0.5 = 128 per time unit).
  EXPECT_TRUE(near_rel(r.throughput[0], 128, 1e-9));
}

// The exact load-dependent MVA agrees with itself written as single servers when c = 1,
// and with an independent brute-force product form on a small model.
TEST(MvaExact, LoadDependentAgreesWithProductForm) {
  // Product form by enumeration: states (n0, n1, n2) with n0 + n1 + n2 = N, weights
  // f0(n0)·f1(n1)·f2(n2), f(j) = D^j / Π min(i, c) and Z^j/j! for the think time.
  const std::vector<double> d{0.3, 0.9, 0.4};
  const std::vector<std::int64_t> c{1, 3, 2};
  const double z = 1.5;
  const std::int64_t n = 9;
  const auto f = [](double demand, std::int64_t servers, std::int64_t j) {
    double w = 1;
    for (std::int64_t i = 1; i <= j; ++i) w *= demand / static_cast<double>(std::min(i, servers));
    return w;
  };
  double g = 0, g_minus = 0;
  std::vector<double> queue(3, 0.0);
  for (std::int64_t a = 0; a <= n; ++a)
    for (std::int64_t b = 0; a + b <= n; ++b)
      for (std::int64_t e = 0; a + b + e <= n; ++e) {
        const std::int64_t think = n - a - b - e;
        const double w =
            f(d[0], c[0], a) * f(d[1], c[1], b) * f(d[2], c[2], e) * std::pow(z, think) / std::tgamma(think + 1.0);
        g += w;
        queue[0] += a * w, queue[1] += b * w, queue[2] += e * w;
      }
  for (std::int64_t a = 0; a <= n - 1; ++a)
    for (std::int64_t b = 0; a + b <= n - 1; ++b)
      for (std::int64_t e = 0; a + b + e <= n - 1; ++e) {
        const std::int64_t think = n - 1 - a - b - e;
        g_minus +=
            f(d[0], c[0], a) * f(d[1], c[1], b) * f(d[2], c[2], e) * std::pow(z, think) / std::tgamma(think + 1.0);
      }
  const mva_input in{.stations = {multi(1), multi(3), multi(2)}, .demand = {d}, .population = {n}, .think_time = {z}};
  const auto r = solve_mva(in);
  EXPECT_TRUE(near_rel(r.throughput[0], g_minus / g, 1e-12));
  for (std::size_t k = 0; k < 3; ++k) EXPECT_TRUE(near_rel(r.queue_length[0][k], queue[k] / g, 1e-12)) << k;
}

// ---------------------------------------------------------------- bad input

void expect_invalid(const mva_input& in, const std::string& fragment) {
  try {
    (void)solve_mva(in);
    FAIL() << "expected servicechain::error containing " << fragment;
  } catch (const error& e) {
    EXPECT_EQ(e.code(), "servicechain.invalid_argument");
    EXPECT_THAT(e.what(), HasSubstr(fragment));
  }
}

TEST(MvaInput, RejectsBadData) {
  const mva_input good{.stations = {queueing(), queueing()}, .demand = {{1, 2}}, .population = {3}, .think_time = {1}};
  auto in = good;
  in.demand[0][1] = -0.5;
  expect_invalid(in, "class 0, station 1: demand = -0.5");
  in = good;
  in.demand[0][0] = std::nan("");
  in.station_names = {"cpu", "disk"};
  expect_invalid(in, "class 0, station 'cpu': demand = nan");
  in = good;
  in.demand[0].push_back(1);
  expect_invalid(in, "demand[0] (class 0) has 3 entries, but must have 2");
  in = good;
  in.population = {-1};
  expect_invalid(in, "class 0: population = -1");
  in = good;
  in.think_time = {1, 2};
  expect_invalid(in, "think_time has 2 entries");
  in = good;
  in.stations[1] = multi(0);
  expect_invalid(in, "station 1: servers = 0");
  in = good;
  in.demand = {{0, 0}};
  in.think_time = {0};
  expect_invalid(in, "class 0: population = 3 but think time and every demand are 0");
  in = good;
  in.arrival_rate = {-1.0};
  expect_invalid(in, "class 0: arrival_rate = -1");
  in = good;
  in.async_demand = {{0.1, std::numeric_limits<double>::infinity()}};
  expect_invalid(in, "class 0, station 1: async_demand = inf");
}

TEST(MvaInput, EmptyClassesAreZero) {
  const mva_input in{.stations = {queueing()}, .demand = {{1}, {2}}, .population = {0, 2}};
  const auto r = solve_mva(in);
  EXPECT_EQ(r.throughput[0], 0.0);
  EXPECT_EQ(r.response_time[0], 0.0);
  EXPECT_TRUE(near_rel(r.throughput[1], 0.5, exact_tol));
}

}  // namespace
}  // namespace servicechain
