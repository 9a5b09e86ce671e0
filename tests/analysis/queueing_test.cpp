// Tests of the single-station queueing formulas against independent numbers: fractions
// worked by hand, the Octave oracles in tests/data/oracles/expected.json, and 50-digit
// mpmath references in tests/data/erlang_reference.json (scripts/erlang_reference.py).

#include "servicechain/analysis/queueing.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "servicechain/error.hpp"

namespace servicechain {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

/// Relative closeness that prints expected, actual and both errors on failure.
::testing::AssertionResult rel_near(const char* expected_expr, const char* actual_expr, const char* /*tol*/,
                                    double expected, double actual, double tolerance) {
  const double error = std::abs(actual - expected);
  const double relative = expected == 0 ? error : error / std::abs(expected);
  if (std::isfinite(actual) && relative <= tolerance) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << actual_expr << " = " << std::setprecision(17) << actual << ", expected "
                                       << expected_expr << " = " << expected << " (relative error " << relative
                                       << " > tolerance " << tolerance << ")";
}

#define EXPECT_REL(expected, actual, tol) EXPECT_PRED_FORMAT3(rel_near, expected, actual, tol)

constexpr double exact_tol = 1e-12;   // closed forms worked by hand
constexpr double oracle_tol = 1e-9;   // independent tools, per the oracle README

json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return json::parse(in);
}

const json& queueing_case(const std::string& name) {
  static const json oracles = read_json(SERVICECHAIN_ORACLES_DIR "/expected.json");
  for (const auto& c : oracles.at("queueing_cases")) {
    if (c.at("name") == name) return c;
  }
  throw std::runtime_error("no queueing case " + name);
}

// ---------------------------------------------------------------- Erlang B and C

TEST(ErlangB, HandWorkedValues) {
  // B(c, a) = (a^c / c!) / Σ_{k≤c} a^k / k!
  EXPECT_REL(0.2, erlang_b(1, 0.25), exact_tol);              // a / (1 + a)
  EXPECT_REL(8.0 / 29.0, erlang_b(2, 4.0 / 3.0), exact_tol);  // (8/9) / (1 + 4/3 + 8/9)
  EXPECT_REL(4.0 / 19.0, erlang_b(3, 2.0), exact_tol);        // (8/6) / (1 + 2 + 2 + 8/6)
  EXPECT_EQ(erlang_b(5, 0.0), 0.0);
}

TEST(ErlangC, HandWorkedValues) {
  EXPECT_REL(4.0 / 9.0, erlang_c(3, 2.0), exact_tol);         // Gross & Harris, M/M/3 with a = 2
  EXPECT_REL(8.0 / 15.0, erlang_c(2, 4.0 / 3.0), exact_tol);  // M/M/2, ρ = 2/3
  EXPECT_REL(0.7, erlang_c(1, 0.7), exact_tol);               // C(1, a) = ρ
  EXPECT_EQ(erlang_c(4, 0.0), 0.0);
}

TEST(ErlangC, RejectsLoadAtOrAboveServers) {
  try {
    (void)erlang_c(2, 2.0);
    FAIL() << "expected servicechain::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), "servicechain.invalid_argument");
    EXPECT_THAT(e.what(), HasSubstr("offered_load = 2"));
    EXPECT_THAT(e.what(), HasSubstr("< servers = 2"));
  }
}

TEST(ErlangB, RejectsBadArguments) {
  EXPECT_THROW((void)erlang_b(0, 1.0), error);
  EXPECT_THROW((void)erlang_b(3, -0.5), error);
  EXPECT_THROW((void)erlang_b(3, std::numeric_limits<double>::quiet_NaN()), error);
  EXPECT_THROW((void)erlang_b(3, std::numeric_limits<double>::infinity()), error);
  try {
    (void)erlang_b(-2, 1.0);
    FAIL() << "expected servicechain::error";
  } catch (const error& e) {
    EXPECT_THAT(e.what(), HasSubstr("servers = -2, but must be a positive integer"));
  }
}

// The stress grid c ∈ {1, 10, 100, 1000, 10000} × ρ ∈ {0.5, 0.99, 1 − 1e-9}, plus Erlang B
// in overload, against 50-digit closed-form sums. The reference is the exact Erlang
// function of the double `offered_load`, so the tolerance measures this library alone.
TEST(ErlangReference, StressGridWithin1e9) {
  const json ref = read_json(SERVICECHAIN_TEST_DATA_DIR "/erlang_reference.json");
  ASSERT_EQ(ref.at("cases").size(), 21U);
  for (const auto& c : ref.at("cases")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const auto servers = c.at("servers").get<std::int64_t>();
    const double a = c.at("offered_load").get<double>();
    const double b = erlang_b(servers, a);
    ASSERT_TRUE(std::isfinite(b)) << b;
    if (c.at("erlang_b_underflows").get<bool>()) {
      // The true value (10^erlang_b_log10) is below the smallest normal double, so no
      // double has any relative accuracy there: the right answer is a (sub)normal ~0.
      EXPECT_GE(b, 0.0);
      EXPECT_LT(b, DBL_MIN) << "log10 of the true value: " << c.at("erlang_b_log10").get<double>();
    } else {
      EXPECT_REL(c.at("erlang_b").get<double>(), b, 1e-9);
    }
    if (!c.contains("erlang_c")) continue;
    const double erl_c = erlang_c(servers, a);
    ASSERT_TRUE(std::isfinite(erl_c)) << erl_c;
    if (c.at("erlang_c_underflows").get<bool>()) {
      EXPECT_GE(erl_c, 0.0);
      EXPECT_LT(erl_c, DBL_MIN) << "log10 of the true value: " << c.at("erlang_c_log10").get<double>();
    } else {
      EXPECT_REL(c.at("erlang_c").get<double>(), erl_c, 1e-9);
    }
  }
}

TEST(ErlangOracle, TableFromOctave) {
  const json& table = queueing_case("erlang_table");
  const auto& loads = table.at("inputs").at("A");
  const auto& servers = table.at("inputs").at("servers");
  const auto& b = table.at("outputs").at("erlang_b");
  const auto& erl_c = table.at("outputs").at("erlang_c");
  ASSERT_EQ(loads.size(), servers.size());
  for (std::size_t i = 0; i < loads.size(); ++i) {
    SCOPED_TRACE("c = " + servers[i].dump() + ", A = " + loads[i].dump());
    EXPECT_REL(b[i].get<double>(), erlang_b(servers[i].get<std::int64_t>(), loads[i].get<double>()), oracle_tol);
    EXPECT_REL(erl_c[i].get<double>(), erlang_c(servers[i].get<std::int64_t>(), loads[i].get<double>()),
               oracle_tol);
  }
}

// ---------------------------------------------------------------- one station

void expect_matches_oracle(const std::string& name) {
  SCOPED_TRACE(name);
  const json& q = queueing_case(name);
  const auto& in = q.at("inputs");
  const auto& out = q.at("outputs");
  const double lambda = in.at("lambda").get<double>();
  const station_input station{.arrival_rate = lambda,
                              .service_time = 1 / in.at("mu").get<double>(),
                              .servers = in.at("servers").get<std::int64_t>()};
  const station_metrics m = analyze_station(station);
  EXPECT_REL(out.at("utilization").get<double>(), m.utilization, oracle_tol);
  EXPECT_REL(out.at("p_wait").get<double>(), m.p_wait, oracle_tol);
  EXPECT_REL(out.at("Wq").get<double>(), m.wait, oracle_tol);
  EXPECT_REL(out.at("W").get<double>(), m.sojourn, oracle_tol);
  EXPECT_REL(out.at("Lq").get<double>(), m.queue_length, oracle_tol);
  EXPECT_REL(out.at("L").get<double>(), m.number_in_unit, oracle_tol);
  if (out.contains("erlang_b")) {
    const double a = out.at("offered_load_A").get<double>();
    const auto c = in.at("servers").get<std::int64_t>();
    EXPECT_REL(out.at("erlang_b").get<double>(), erlang_b(c, a), oracle_tol);
    EXPECT_REL(out.at("erlang_c").get<double>(), erlang_c(c, a), oracle_tol);
  }
}

TEST(QueueingOracle, Mm1Basic) { expect_matches_oracle("mm1_basic"); }
TEST(QueueingOracle, MmcTwoServers) { expect_matches_oracle("mmc_c2"); }
TEST(QueueingOracle, MmcThreeServers) { expect_matches_oracle("mmc_c3"); }
TEST(QueueingOracle, MmcFiveServers) { expect_matches_oracle("mmc_c5"); }

TEST(QueueingStation, MM2ClosedForm) {
  // λ = 1, μ = 0.75: a = 4/3, ρ = 2/3, B = 8/29, C = 8/15, Wq = C·s/(c − a) = 16/15.
  const auto m = analyze_station({.arrival_rate = 1, .service_time = 4.0 / 3.0, .servers = 2});
  EXPECT_REL(2.0 / 3.0, m.utilization, exact_tol);
  EXPECT_REL(8.0 / 15.0, m.p_wait, exact_tol);
  EXPECT_REL(16.0 / 15.0, m.wait, exact_tol);
  EXPECT_REL(12.0 / 5.0, m.sojourn, exact_tol);
  EXPECT_REL(16.0 / 15.0, m.queue_length, exact_tol);
  EXPECT_REL(12.0 / 5.0, m.number_in_unit, exact_tol);
  EXPECT_REL(4.0 / 3.0, m.busy_servers, exact_tol);
}

TEST(QueueingStation, MD1PollaczekKhinchine) {
  // M/D/1, λ = 0.5, S = 1: Wq = λE[S²] / (2(1 − ρ)) = 0.5·1 / (2·0.5) = 0.5.
  const auto m = analyze_station({.arrival_rate = 0.5, .service_time = 1, .servers = 1, .service_scv = 0});
  EXPECT_REL(0.5, m.wait, exact_tol);
  EXPECT_REL(1.5, m.sojourn, exact_tol);
  EXPECT_REL(0.5, m.p_wait, exact_tol);  // M/G/1: P(wait) = ρ
  EXPECT_REL(0.25, m.queue_length, exact_tol);
  EXPECT_REL(0.75, m.number_in_unit, exact_tol);
}

TEST(QueueingStation, MG1HyperexponentialPollaczekKhinchine) {
  // λ = 0.3, s = 2, cs² = 2: E[S²] = s²(1 + cs²) = 12, Wq = 0.3·12 / (2·0.4) = 4.5.
  const auto m = analyze_station({.arrival_rate = 0.3, .service_time = 2, .servers = 1, .service_scv = 2});
  EXPECT_REL(4.5, m.wait, exact_tol);
  EXPECT_REL(6.5, m.sojourn, exact_tol);
}

TEST(QueueingStation, AllenCunneenScalesTheMMcWait) {
  // The M/M/2 above has Wq = 16/15; with ca² = 0.5, cs² = 0 the factor is 1/4: Wq = 4/15.
  const auto m = analyze_station(
      {.arrival_rate = 1, .service_time = 4.0 / 3.0, .servers = 2, .arrival_scv = 0.5, .service_scv = 0});
  EXPECT_REL(4.0 / 15.0, m.wait, exact_tol);
  EXPECT_REL(8.0 / 5.0, m.sojourn, exact_tol);
  // D/D/c never waits.
  const auto d = analyze_station(
      {.arrival_rate = 1, .service_time = 4.0 / 3.0, .servers = 2, .arrival_scv = 0, .service_scv = 0});
  EXPECT_EQ(d.wait, 0.0);
  EXPECT_REL(4.0 / 3.0, d.sojourn, exact_tol);
}

TEST(QueueingStation, LittlesLawOnAGrid) {
  for (const std::int64_t c : {1, 2, 5, 20, 1000}) {
    for (const double rho : {0.01, 0.3, 0.7, 0.95, 0.999999}) {
      for (const double ca2 : {0.0, 0.5, 1.0, 4.0}) {
        for (const double cs2 : {0.0, 1.0, 2.5}) {
          const double s = 0.37;
          const double lambda = rho * static_cast<double>(c) / s;
          SCOPED_TRACE(::testing::Message() << "c = " << c << ", rho = " << rho << ", ca2 = " << ca2
                                            << ", cs2 = " << cs2);
          const auto m = analyze_station(
              {.arrival_rate = lambda, .service_time = s, .servers = c, .arrival_scv = ca2, .service_scv = cs2});
          EXPECT_REL(lambda * m.sojourn, m.number_in_unit, exact_tol);   // L = λW
          EXPECT_REL(lambda * m.wait, m.queue_length, exact_tol);        // Lq = λWq
          EXPECT_REL(m.wait + s, m.sojourn, exact_tol);                  // W = Wq + s
          EXPECT_REL(m.queue_length + lambda * s, m.number_in_unit, exact_tol);  // L = Lq + λs
          EXPECT_GE(m.p_wait, 0.0);
          EXPECT_LE(m.p_wait, 1.0);
          EXPECT_GE(m.wait, 0.0);
        }
      }
    }
  }
}

TEST(QueueingStation, ZeroArrivalRateIsValid) {
  const auto m = analyze_station({.arrival_rate = 0, .service_time = 2.5, .servers = 3, .service_scv = 4});
  EXPECT_EQ(m.utilization, 0.0);
  EXPECT_EQ(m.p_wait, 0.0);
  EXPECT_EQ(m.wait, 0.0);
  EXPECT_EQ(m.sojourn, 2.5);
  EXPECT_EQ(m.queue_length, 0.0);
  EXPECT_EQ(m.number_in_unit, 0.0);
  EXPECT_EQ(m.busy_servers, 0.0);
}

TEST(QueueingStation, UnlimitedServersNeverWait) {
  // λ·s = 6 would saturate any c ≤ 6; a pure delay still has W = s and L = λs.
  const auto m = analyze_station(
      {.arrival_rate = 3, .service_time = 2, .servers = server_count::unlimited(), .arrival_scv = 3});
  EXPECT_EQ(m.utilization, 0.0);
  EXPECT_EQ(m.p_wait, 0.0);
  EXPECT_EQ(m.wait, 0.0);
  EXPECT_EQ(m.sojourn, 2.0);
  EXPECT_EQ(m.queue_length, 0.0);
  EXPECT_EQ(m.number_in_unit, 6.0);
  EXPECT_EQ(m.busy_servers, 6.0);
}

TEST(QueueingStation, NearSaturationStaysFinite) {
  // ρ = 1 − 1e-9 at c = 10⁴: C ≈ 0.99999987 (erlang_reference.json), Wq = C·s/(c − a).
  const double a = 10000 * (1 - 1e-9);
  const auto m = analyze_station({.arrival_rate = a, .service_time = 1, .servers = 10000});
  EXPECT_REL(0.99999987500088691, m.p_wait, 1e-9);
  EXPECT_REL(0.99999987500088691 / (10000 - a), m.wait, 1e-9);
  EXPECT_TRUE(std::isfinite(m.number_in_unit));
}

TEST(QueueingStation, SaturatedThrowsUnstableWithTheUnit) {
  // Load 50 per hour, capacity 40 per hour: ρ = 1.25.
  try {
    (void)analyze_station({.arrival_rate = 50, .service_time = 0.025, .servers = 1}, "legal");
    FAIL() << "expected servicechain::unstable_error";
  } catch (const unstable_error& e) {
    EXPECT_EQ(e.code(), "servicechain.unstable");
    ASSERT_EQ(e.units().size(), 1U);
    EXPECT_EQ(e.units()[0].id, "legal");
    EXPECT_REL(1.25, e.units()[0].utilization, exact_tol);
    EXPECT_REL(50.0, e.units()[0].load, exact_tol);
    EXPECT_REL(40.0, e.units()[0].capacity, exact_tol);
    EXPECT_THAT(e.what(), HasSubstr("unit 'legal': utilization = 1.25, but must be < 1"));
  }
  // ρ = 1 exactly is saturated too (no steady state).
  EXPECT_THROW((void)analyze_station({.arrival_rate = 2, .service_time = 1, .servers = 2}), unstable_error);
}

TEST(QueueingStation, BadInputNamesUnitValueAndExpectation) {
  try {
    (void)analyze_station({.arrival_rate = 1, .service_time = -1, .servers = 1}, "legal");
    FAIL() << "expected servicechain::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), "servicechain.invalid_argument");
    EXPECT_THAT(e.what(), HasSubstr("unit 'legal': service_time = -1, but must be finite and >= 0"));
  }
  try {
    (void)analyze_station({.arrival_rate = 1, .service_time = 1, .servers = 0}, "desk");
    FAIL() << "expected servicechain::error";
  } catch (const error& e) {
    EXPECT_THAT(e.what(), HasSubstr("unit 'desk': servers = 0, but must be a positive integer"));
  }
  EXPECT_THROW((void)analyze_station({.arrival_rate = std::nan(""), .service_time = 1}), error);
  EXPECT_THROW((void)analyze_station({.arrival_rate = 0.1, .service_time = 1, .arrival_scv = -1}), error);
  EXPECT_THROW((void)analyze_station({.arrival_rate = 0.1, .service_time = 1, .service_scv = INFINITY}), error);
}

// ---------------------------------------------------------------- QNA

TEST(Qna, DepartureScv) {
  // ρ = 0.8, c = 1, ca² = 1, cs² = 0.25: 1 + 0 + 0.64·(−0.75) = 0.52.
  EXPECT_REL(0.52, qna_departure_scv(0.8, 1, 1, 0.25), exact_tol);
  // ρ = 0.5, c = 4, ca² = 2, cs² = 0: 1 + 0.75·1 + 0.25·(−1)/2 = 1.625.
  EXPECT_REL(1.625, qna_departure_scv(0.5, 4, 2, 0), exact_tol);
  // An idle station passes its arrivals through; a saturated single server emits its service process.
  EXPECT_REL(3.0, qna_departure_scv(0, 7, 3, 0.1), exact_tol);
  EXPECT_REL(0.1, qna_departure_scv(1, 1, 3, 0.1), exact_tol);
  // M/M/c: Poisson in, Poisson out (Burke).
  EXPECT_REL(1.0, qna_departure_scv(0.9, 3, 1, 1), exact_tol);
}

TEST(Qna, SplitScv) {
  EXPECT_REL(0.856, qna_split_scv(0.52, 0.3), exact_tol);  // 0.3·0.52 + 0.7
  EXPECT_REL(0.52, qna_split_scv(0.52, 1), exact_tol);
  EXPECT_REL(1.0, qna_split_scv(0.52, 0), exact_tol);
  EXPECT_REL(1.0, qna_split_scv(1, 0.42), exact_tol);  // a thinned Poisson stream is Poisson
}

TEST(Qna, SuperpositionScv) {
  const std::vector<double> rates{1, 2, 3.5};
  const std::vector<double> poisson{1, 1, 1};
  EXPECT_REL(1.0, qna_superposition_scv(rates, poisson), exact_tol);
  const std::vector<double> one_rate{2.5};
  const std::vector<double> one_scv{0.3};
  EXPECT_REL(0.3, qna_superposition_scv(one_rate, one_scv), exact_tol);
  const std::vector<double> two_rates{1, 3};
  const std::vector<double> two_scvs{0, 2};
  EXPECT_REL(1.5, qna_superposition_scv(two_rates, two_scvs), exact_tol);  // (1·0 + 3·2) / 4
  const std::vector<double> no_flow{0, 0};
  EXPECT_EQ(qna_superposition_scv(no_flow, two_scvs), 1.0);
}

TEST(Qna, RejectsBadArguments) {
  EXPECT_THROW((void)qna_departure_scv(1.2, 1, 1, 1), error);
  EXPECT_THROW((void)qna_departure_scv(0.5, 0, 1, 1), error);
  EXPECT_THROW((void)qna_departure_scv(0.5, 1, -1, 1), error);
  EXPECT_THROW((void)qna_split_scv(1, 1.5), error);
  EXPECT_THROW((void)qna_split_scv(std::nan(""), 0.5), error);
  const std::vector<double> rates{1, 2};
  const std::vector<double> scvs{1};
  try {
    (void)qna_superposition_scv(rates, scvs);
    FAIL() << "expected servicechain::error";
  } catch (const error& e) {
    EXPECT_THAT(e.what(), HasSubstr("2 rates and 1 SCVs, but must be one SCV per rate"));
  }
  const std::vector<double> negative{1, -2};
  const std::vector<double> ok{1, 1};
  try {
    (void)qna_superposition_scv(negative, ok);
    FAIL() << "expected servicechain::error";
  } catch (const error& e) {
    EXPECT_THAT(e.what(), HasSubstr("rates[1] = -2, but must be finite and >= 0"));
  }
}

}  // namespace
}  // namespace servicechain
