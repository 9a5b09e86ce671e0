// Tests of the station models against independent numbers: fractions worked by hand from
// the textbook formulas (Cobham, preemptive-resume, processor sharing), the Octave oracles
// in tests/data/oracles/expected.json, the FIFO `analyze_station` (a separate code path),
// Kleinrock's conservation law on random stations, and central finite differences for
// the jacobian.

#include "servicechain/analysis/station_model.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "servicechain/analysis/queueing.hpp"
#include "servicechain/error.hpp"
#include "support/oracles.hpp"

namespace servicechain {
namespace {

using sc_test::near_rel;
using ::testing::HasSubstr;

constexpr double exact_tol = 1e-9;  // closed forms worked by hand (the brief's acceptance tolerance)

/// A class of `links` with exponential services: rate Σλ, work Σλs, second Σλ·2s².
class_traffic exponential_class(std::initializer_list<std::pair<double, double>> rate_and_mean) {
  class_traffic k;
  for (const auto& [lambda, s] : rate_and_mean) {
    k.rate += lambda;
    k.work += lambda * s;
    k.second += lambda * 2 * s * s;
  }
  return k;
}

/// Mean sojourn of a service of mean s in class p.
double sojourn(const station_response& r, std::size_t p, double s) {
  return r.classes.at(p).stretch * s + r.classes.at(p).delay;
}

// ---------------------------------------------------------------- acceptance: hand-worked cases

// Two classes on one server, λ = 0.4 each, exponential mean 1: ρ = 0.8, W0 = Σ λE[S²]/2 = 0.8.
station_traffic two_classes_one_server(station_policy policy, bool preemptive = false) {
  return {.servers = 1,
          .policy = policy,
          .preemptive = preemptive,
          .classes = {exponential_class({{0.4, 1.0}}), exponential_class({{0.4, 1.0}})}};
}

TEST(StationPriority, CobhamTwoClassesOneServer) {
  // Cobham: Wq_p = W0/((1 − σ_{p−1})(1 − σ_p)): 0.8/(1·0.6) = 4/3, 0.8/(0.6·0.2) = 20/3.
  const auto r = solve_station(two_classes_one_server(station_policy::priority));
  EXPECT_TRUE(near_rel(r.classes[0].delay, 4.0 / 3.0, exact_tol));
  EXPECT_TRUE(near_rel(r.classes[1].delay, 20.0 / 3.0, exact_tol));
  EXPECT_EQ(r.classes[0].stretch, 1.0);
  EXPECT_EQ(r.classes[1].stretch, 1.0);
  EXPECT_TRUE(near_rel(r.utilization, 0.8, exact_tol));
  EXPECT_TRUE(near_rel(r.p_wait, 0.8, exact_tol));
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.method, "Cobham M/G/1 priority");
}

TEST(StationFifo, TwoClassesOneServerWaitAlike) {
  // M/M/1 at ρ = 0.8: Wq = ρ·s/(1 − ρ) = 4 for both classes.
  const auto r = solve_station(two_classes_one_server(station_policy::fifo));
  for (const auto& k : r.classes) {
    EXPECT_TRUE(near_rel(k.delay, 4.0, exact_tol));
    EXPECT_EQ(k.stretch, 1.0);
  }
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.method, "M/G/1 Pollaczek-Khinchine");
}

TEST(StationPriority, PreemptiveResumeTwoClassesOneServer) {
  // T_p = s/(1 − σ_{p−1}) + R_p/((1 − σ_{p−1})(1 − σ_p)):
  // class 0: 1 + 0.4/0.6 = 5/3; class 1: 1/0.6 + 0.8/(0.6·0.2) = 25/3.
  const auto r = solve_station(two_classes_one_server(station_policy::priority, true));
  EXPECT_TRUE(near_rel(sojourn(r, 0, 1.0), 5.0 / 3.0, exact_tol));
  EXPECT_TRUE(near_rel(sojourn(r, 1, 1.0), 25.0 / 3.0, exact_tol));
  // Affine in the size of one service: stretch 1/(1 − σ_{p−1}), delay R_p/((1 − σ_{p−1})(1 − σ_p)).
  EXPECT_TRUE(near_rel(r.classes[0].stretch, 1.0, exact_tol));
  EXPECT_TRUE(near_rel(r.classes[1].stretch, 1 / 0.6, exact_tol));
  EXPECT_TRUE(near_rel(r.classes[1].delay, 0.8 / (0.6 * 0.2), exact_tol));
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.method, "M/G/1 preemptive-resume priority");
}

TEST(StationShared, ProcessorSharingTwoClassesOneServer) {
  // M/G/1-PS: T(x) = x/(1 − ρ) = 5 for a service of mean 1, any class.
  const auto r = solve_station(two_classes_one_server(station_policy::shared));
  for (std::size_t p = 0; p < 2; ++p) {
    EXPECT_TRUE(near_rel(sojourn(r, p, 1.0), 5.0, exact_tol));
    EXPECT_EQ(r.classes[p].delay, 0.0);
  }
  EXPECT_TRUE(r.exact);
}

TEST(StationPriority, MM2TwoClassesEqualMeans) {
  // μ = 0.75 (s = 4/3), λ = 0.5 per class: a = 4/3, C(2, 4/3) = 8/15, σ = 1/3, 2/3;
  // Wq_p = C·s/(c(1 − σ_{p−1})(1 − σ_p)) = 8/15 and 8/5.
  const double s = 4.0 / 3.0;
  const station_traffic t{.servers = 2,
                          .policy = station_policy::priority,
                          .classes = {exponential_class({{0.5, s}}), exponential_class({{0.5, s}})}};
  const auto r = solve_station(t);
  EXPECT_TRUE(near_rel(r.classes[0].delay, 8.0 / 15.0, exact_tol));
  EXPECT_TRUE(near_rel(r.classes[1].delay, 8.0 / 5.0, exact_tol));
  EXPECT_TRUE(near_rel(r.p_wait, 8.0 / 15.0, exact_tol));
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.method, "M/M/c priority (exact, equal means)");
}

TEST(StationFifo, PerConsumerServiceTimesOneServer) {
  // λ = (0.3, 0.2), exponential means (0.5, 2): M = 0.3·2·0.25 + 0.2·2·4 = 1.75, ρ = 0.55;
  // P-K with the mixture: Wq = M/(2(1 − ρ)) = 1.75/0.9.
  const station_traffic t{.servers = 1, .classes = {exponential_class({{0.3, 0.5}, {0.2, 2.0}})}};
  const auto r = solve_station(t);
  EXPECT_TRUE(near_rel(r.classes[0].delay, 1.75 / 0.9, exact_tol));
  EXPECT_TRUE(near_rel(r.utilization, 0.55, exact_tol));
  EXPECT_TRUE(r.exact);  // M/G/1: exact for the hyperexponential mixture too
}

// ---------------------------------------------------------------- FIFO agrees with analyze_station

TEST(StationFifo, SingleClassReproducesAnalyzeStationOnOracles) {
  for (const char* name : {"mm1_basic", "mmc_c2", "mmc_c3", "mmc_c5"}) {
    SCOPED_TRACE(name);
    const auto& q = sc_test::queueing_case(name);
    const double lambda = q.at("inputs").at("lambda").get<double>();
    const double s = 1 / q.at("inputs").at("mu").get<double>();
    const auto servers = q.at("inputs").at("servers").get<std::int64_t>();
    const auto fifo = analyze_station({.arrival_rate = lambda, .service_time = s, .servers = servers});
    const auto r = solve_station({.servers = servers, .classes = {exponential_class({{lambda, s}})}});
    EXPECT_TRUE(near_rel(r.classes[0].delay, fifo.wait, 1e-14));
    EXPECT_TRUE(near_rel(r.p_wait, fifo.p_wait, 1e-14));
    EXPECT_TRUE(near_rel(r.utilization, fifo.utilization, 1e-14));
    EXPECT_TRUE(near_rel(r.classes[0].delay, q.at("outputs").at("Wq").get<double>(), 1e-9));
    EXPECT_TRUE(r.exact);
  }
}

TEST(StationFifo, SingleClassReproducesAnalyzeStationOnAGrid) {
  // G/G/c by Allen–Cunneen, rewritten as C·R/(a(c − a)) here: the same number to rounding.
  for (const std::int64_t c : {1, 2, 5, 20, 300}) {
    for (const double rho : {0.01, 0.3, 0.7, 0.95, 0.9999}) {
      for (const double ca2 : {0.0, 0.5, 1.0, 4.0}) {
        for (const double cs2 : {0.0, 1.0, 2.5}) {
          SCOPED_TRACE(fmt::format("c = {}, rho = {}, ca2 = {}, cs2 = {}", c, rho, ca2, cs2));
          const double s = 0.37;
          const double lambda = rho * static_cast<double>(c) / s;
          const auto fifo = analyze_station(
              {.arrival_rate = lambda, .service_time = s, .servers = c, .arrival_scv = ca2, .service_scv = cs2});
          const auto r =
              solve_station({.servers = c,
                             .arrival_scv = ca2,
                             .classes = {{.rate = lambda, .work = lambda * s, .second = lambda * s * s * (1 + cs2)}}});
          EXPECT_TRUE(near_rel(r.classes[0].delay, fifo.wait, 1e-13));
          EXPECT_TRUE(near_rel(r.p_wait, fifo.p_wait, 1e-14));
          EXPECT_EQ(r.exact, ca2 == 1 && (c == 1 || cs2 == 1));
        }
      }
    }
  }
}

// ---------------------------------------------------------------- random stations

/// A random station: P classes of 1–3 links each, loads scaled to utilization `rho`.
struct random_station {
  std::mt19937_64 rng;
  explicit random_station(std::uint64_t seed) : rng(seed) {}

  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }
  std::int64_t integer(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  }

  /// `equal_mean` > 0: every link has that mean; `exponential`: every cs² = 1.
  station_traffic make(std::int64_t servers, station_policy policy, bool preemptive, double equal_mean = 0,
                       bool exponential = false) {
    station_traffic t{.servers = servers, .policy = policy, .preemptive = preemptive};
    const auto classes = integer(1, 4);
    double work = 0;
    for (std::int64_t p = 0; p < classes; ++p) {
      class_traffic k;
      for (auto links = integer(1, 3); links > 0; --links) {
        const double lambda = uniform(0.1, 1.0);
        const double s = equal_mean > 0 ? equal_mean : uniform(0.2, 3.0);
        const double cs2 = exponential ? 1.0 : uniform(0.2, 3.0);
        k.rate += lambda;
        k.work += lambda * s;
        k.second += lambda * s * s * (1 + cs2);
      }
      work += k.work;
      t.classes.push_back(k);
    }
    const double scale = uniform(0.05, 0.95) * static_cast<double>(servers) / work;
    for (auto& k : t.classes) {
      k.rate *= scale;
      k.work *= scale;
      k.second *= scale;
    }
    return t;
  }
};

TEST(StationConservation, KleinrockSingleServerNonPreemptive) {
  // Σ_p ρ_p Wq_p = ρ·W0/(1 − ρ), W0 = Σ λE[S²]/2, for every work-conserving non-preemptive
  // discipline of M/G/1 (Kleinrock 1965). FIFO and Cobham priority both satisfy it.
  random_station gen(20240611);
  for (int trial = 0; trial < 200; ++trial) {
    for (const auto policy : {station_policy::fifo, station_policy::priority}) {
      const auto t = gen.make(1, policy, false);
      const auto r = solve_station(t);
      double weighted = 0;
      double rho = 0;
      double w0 = 0;
      for (std::size_t p = 0; p < t.classes.size(); ++p) {
        weighted += t.classes[p].work * r.classes[p].delay;
        rho += t.classes[p].work;
        w0 += t.classes[p].second / 2;
      }
      SCOPED_TRACE(fmt::format("trial {}, {} classes, rho {}", trial, t.classes.size(), rho));
      EXPECT_TRUE(near_rel(weighted, rho * w0 / (1 - rho), 1e-9));
      EXPECT_TRUE(r.exact);
    }
  }
}

TEST(StationConservation, MultiServerEqualMeans) {
  // With equal means the number in an M/M/c is the same under every non-preemptive
  // discipline: Σ_p Λ_p Wq_p = Λ·Wq_FIFO, with Wq_FIFO from analyze_station. Exact for
  // exponential service; the Bondi–Buzen scaling keeps it for any cs² too.
  random_station gen(7);
  for (int trial = 0; trial < 200; ++trial) {
    const auto c = gen.integer(2, 12);
    const double s = gen.uniform(0.1, 5.0);
    const bool exponential = trial % 2 == 0;
    const auto t = gen.make(c, station_policy::priority, false, s, exponential);
    const auto r = solve_station(t);
    double weighted = 0;
    double rate = 0;
    double second = 0;
    for (std::size_t p = 0; p < t.classes.size(); ++p) {
      weighted += t.classes[p].rate * r.classes[p].delay;
      rate += t.classes[p].rate;
      second += t.classes[p].second;
    }
    const double cs2 = second / (rate * s * s) - 1;
    const auto fifo = analyze_station({.arrival_rate = rate, .service_time = s, .servers = c, .service_scv = cs2});
    SCOPED_TRACE(fmt::format("trial {}, c = {}, rho {}", trial, c, fifo.utilization));
    EXPECT_TRUE(near_rel(weighted, rate * fifo.wait, 1e-9));
    EXPECT_EQ(r.exact, exponential);
  }
}

TEST(StationPriority, PreemptiveMultiServerEqualMeansIsExact) {
  // Class p sees classes 0..p as one M/M/c: Λ_p(T_p − s) = Λ_{≤p}Wq(Λ_{≤p}) − Λ_{<p}Wq(Λ_{<p})
  // with the M/M/c waits from analyze_station (Buzen & Bondi 1983).
  random_station gen(11);
  for (int trial = 0; trial < 100; ++trial) {
    const auto c = gen.integer(2, 10);
    const double s = gen.uniform(0.1, 5.0);
    const auto t = gen.make(c, station_policy::priority, true, s, true);
    const auto r = solve_station(t);
    EXPECT_TRUE(r.exact);
    double higher_rate = 0;
    double higher_queue = 0;  // Λ_{<p}·Wq(Λ_{<p})
    for (std::size_t p = 0; p < t.classes.size(); ++p) {
      const double rate = higher_rate + t.classes[p].rate;
      const double queue = rate * analyze_station({.arrival_rate = rate, .service_time = s, .servers = c}).wait;
      SCOPED_TRACE(fmt::format("trial {}, c = {}, class {}", trial, c, p));
      EXPECT_TRUE(near_rel(sojourn(r, p, s), s + (queue - higher_queue) / t.classes[p].rate, 1e-9));
      higher_rate = rate;
      higher_queue = queue;
    }
  }
}

TEST(StationPriority, PreemptiveTopClassIgnoresTheOthers) {
  // Under preemption the first class never sees the others: its own FIFO station.
  random_station gen(5);
  for (int trial = 0; trial < 100; ++trial) {
    const auto c = gen.integer(1, 6);
    auto t = gen.make(c, station_policy::priority, true);
    t.arrival_scv = gen.uniform(0.3, 2.0);
    const auto r = solve_station(t);
    const auto alone = solve_station({.servers = c, .arrival_scv = t.arrival_scv, .classes = {t.classes[0]}});
    EXPECT_TRUE(near_rel(r.classes[0].stretch, 1.0, 1e-12));
    EXPECT_TRUE(near_rel(r.classes[0].delay, alone.classes[0].delay, 1e-9));
  }
}

TEST(StationPriority, OneClassIsFifo) {
  // With a single class every discipline but processor sharing is FIFO, for any c and ca².
  random_station gen(3);
  for (int trial = 0; trial < 100; ++trial) {
    const auto c = gen.integer(1, 8);
    auto t = gen.make(c, station_policy::fifo, false);
    t.classes.resize(1);
    t.arrival_scv = trial % 3 == 0 ? 1.0 : gen.uniform(0.0, 3.0);
    const auto fifo = solve_station(t);
    for (const bool preemptive : {false, true}) {
      t.policy = station_policy::priority;
      t.preemptive = preemptive;
      const auto r = solve_station(t);
      SCOPED_TRACE(fmt::format("trial {}, c = {}, preemptive {}", trial, c, preemptive));
      EXPECT_TRUE(near_rel(r.classes[0].stretch, 1.0, 1e-12));
      EXPECT_TRUE(near_rel(r.classes[0].delay, fifo.classes[0].delay, 1e-9));
    }
  }
}

TEST(StationShared, MultiServerIsTheMMcRatio) {
  // Insensitive: stretch = W/s̄ of the M/M/c with the same load, whatever the service law.
  const station_traffic t{.servers = 3,
                          .policy = station_policy::shared,
                          .classes = {{.rate = 1.0, .work = 0.9, .second = 4.0}, exponential_class({{0.5, 2.5}})}};
  const auto r = solve_station(t);
  const double rate = 1.5;
  const double mean = (0.9 + 1.25) / rate;
  const auto mmc = analyze_station({.arrival_rate = rate, .service_time = mean, .servers = 3});
  for (const auto& k : r.classes) {
    EXPECT_TRUE(near_rel(k.stretch, mmc.sojourn / mean, 1e-12));
    EXPECT_EQ(k.delay, 0.0);
  }
  EXPECT_TRUE(r.exact);
  EXPECT_TRUE(near_rel(r.p_wait, mmc.p_wait, 1e-14));
}

// ---------------------------------------------------------------- edge cases

TEST(StationModel, NoClassesAndNoRateMeanNoWait) {
  for (const auto policy : {station_policy::fifo, station_policy::priority, station_policy::shared}) {
    const auto empty = solve_station({.servers = 2, .policy = policy}, "idle", true);
    EXPECT_TRUE(empty.classes.empty());
    EXPECT_TRUE(empty.jacobian.empty());
    EXPECT_EQ(empty.utilization, 0.0);
    const auto idle = solve_station({.servers = 1, .policy = policy, .preemptive = true, .classes = {{}, {}}});
    for (const auto& k : idle.classes) {
      EXPECT_EQ(k.stretch, 1.0);
      EXPECT_EQ(k.delay, 0.0);
    }
    EXPECT_EQ(idle.p_wait, 0.0);
  }
}

TEST(StationModel, UnlimitedServersNeverWait) {
  for (const auto policy : {station_policy::fifo, station_policy::priority, station_policy::shared}) {
    const station_traffic t{.servers = server_count::unlimited(),
                            .arrival_scv = 3,
                            .policy = policy,
                            .classes = {exponential_class({{5, 2}}), exponential_class({{1, 7}})}};
    const auto r = solve_station(t, "delay", true);
    for (const auto& k : r.classes) {
      EXPECT_EQ(k.stretch, 1.0);
      EXPECT_EQ(k.delay, 0.0);
    }
    EXPECT_EQ(r.utilization, 0.0);
    EXPECT_EQ(r.p_wait, 0.0);
    EXPECT_TRUE(r.exact);
    EXPECT_EQ(r.jacobian, std::vector<double>(4 * 7, 0.0));
  }
}

TEST(StationPriority, ZeroRateClassSeesTheLimitOfAVanishingClass) {
  // The response of a class without traffic is what a vanishing stream of it would see,
  // including the midpoint branch of the preemptive multi-server scaling.
  for (const std::int64_t c : {1, 3}) {
    for (const bool preemptive : {false, true}) {
      for (const double tiny : {3e-6, 1e-7, 1e-12}) {  // 3e-6: at the switch of the midpoint branch
        station_traffic t{.servers = c,
                          .policy = station_policy::priority,
                          .preemptive = preemptive,
                          .classes = {exponential_class({{0.6 * static_cast<double>(c), 1.0}}), class_traffic{},
                                      exponential_class({{0.2, 1.5}})}};
        const auto zero = solve_station(t);
        t.classes[1] = exponential_class({{tiny, 2.0}});
        const auto small = solve_station(t);
        SCOPED_TRACE(fmt::format("c = {}, preemptive {}, tiny {}", c, preemptive, tiny));
        // The response moves by O(tiny), amplified near saturation (ρ = 0.9 here) by ~1/(1 − ρ)².
        const double tol = std::max(1e-10, 1e3 * tiny);
        for (std::size_t p = 0; p < 3; ++p) {
          EXPECT_TRUE(near_rel(small.classes[p].stretch, zero.classes[p].stretch, tol));
          EXPECT_TRUE(near_rel(small.classes[p].delay, zero.classes[p].delay, tol));
        }
        EXPECT_GT(zero.classes[1].delay, zero.classes[0].delay);
      }
    }
  }
}

TEST(StationModel, NearSaturationStaysFinite) {
  const double a = 1000 * (1 - 1e-9);
  for (const auto policy : {station_policy::fifo, station_policy::priority, station_policy::shared}) {
    const station_traffic t{.servers = 1000,
                            .policy = policy,
                            .preemptive = true,
                            .classes = {exponential_class({{a / 2, 1}}), exponential_class({{a / 2, 1}})}};
    const auto r = solve_station(t, {}, true);
    for (const auto& k : r.classes) {
      EXPECT_TRUE(std::isfinite(k.stretch));
      EXPECT_TRUE(std::isfinite(k.delay));
    }
    for (const double d : r.jacobian) EXPECT_TRUE(std::isfinite(d));
  }
}

TEST(StationModel, MethodNamesAndExactness) {
  station_traffic t = two_classes_one_server(station_policy::priority);
  t.arrival_scv = 2;
  auto r = solve_station(t);
  EXPECT_FALSE(r.exact);
  EXPECT_THAT(std::string(r.method), HasSubstr("approximation"));
  t.servers = 2;
  t.arrival_scv = 1;
  t.classes[1] = exponential_class({{0.4, 2.0}});  // unequal means
  r = solve_station(t);
  EXPECT_FALSE(r.exact);
  EXPECT_EQ(r.method, "Bondi-Buzen M/G/c priority (approximation)");
  t.preemptive = true;
  EXPECT_EQ(solve_station(t).method, "Bondi-Buzen M/G/c preemptive-resume priority (approximation)");
  t.policy = station_policy::fifo;
  EXPECT_EQ(solve_station(t).method, "Allen-Cunneen G/G/c");  // a mixture of two exponentials
  t.policy = station_policy::shared;
  EXPECT_TRUE(solve_station(t).exact);  // insensitive
  EXPECT_EQ(to_string(station_policy::shared), "shared");
}

// ---------------------------------------------------------------- errors

TEST(StationErrors, SaturationThrowsUnstableWithTheUnit) {
  // Two classes of 0.6 erlangs on one server: ρ = 1.2.
  const station_traffic t{.servers = 1,
                          .policy = station_policy::priority,
                          .classes = {exponential_class({{0.3, 2}}), exponential_class({{0.6, 1}})}};
  try {
    (void)solve_station(t, "legal");
    FAIL() << "expected servicechain::unstable_error";
  } catch (const unstable_error& e) {
    EXPECT_EQ(e.code(), "servicechain.unstable");
    EXPECT_THAT(e.what(), HasSubstr("unit 'legal': utilization = 1.2, but must be < 1"));
    ASSERT_EQ(e.units().size(), 1u);
    EXPECT_EQ(e.units()[0].id, "legal");
    EXPECT_TRUE(near_rel(e.units()[0].utilization, 1.2, 1e-12));
    EXPECT_TRUE(near_rel(e.units()[0].load, 0.9, 1e-12));
    EXPECT_TRUE(near_rel(e.units()[0].capacity, 0.75, 1e-12));  // c / s̄, s̄ = 1.2/0.9
  }
  // Unlimited servers never saturate.
  station_traffic delay = t;
  delay.servers = server_count::unlimited();
  EXPECT_NO_THROW((void)solve_station(delay, "legal"));
}

void expect_invalid(const station_traffic& t, const std::string& fragment) {
  SCOPED_TRACE(fragment);
  try {
    (void)solve_station(t, "legal");
    FAIL() << "expected servicechain::error";
  } catch (const unstable_error&) {
    FAIL() << "expected invalid_argument, got unstable";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), "servicechain.invalid_argument");
    EXPECT_THAT(e.what(), HasSubstr("unit 'legal'"));
    EXPECT_THAT(e.what(), HasSubstr(fragment));
  }
}

TEST(StationErrors, BadInputsThrowWithTheField) {
  const station_traffic good = two_classes_one_server(station_policy::priority);
  auto t = good;
  t.classes[1].rate = -1;
  expect_invalid(t, "classes[1].rate = -1, but must be finite and >= 0");
  t = good;
  t.classes[0].work = std::nan("");
  expect_invalid(t, "classes[0].work = nan");
  t = good;
  t.classes[1].second = std::numeric_limits<double>::infinity();
  expect_invalid(t, "classes[1].second = inf");
  t = good;
  t.classes[1].second = 0.2;  // below work²/rate = 0.4
  expect_invalid(t, "classes[1].second = 0.2, but must be >= work^2/rate = 0.4");
  t = good;
  t.classes[1] = {.rate = 0, .work = 0.5, .second = 1};
  expect_invalid(t, "classes[1].work = 0.5, but must be 0 when rate = 0");
  t = good;
  t.classes[1] = {.rate = 1, .work = 0, .second = 1};
  expect_invalid(t, "classes[1].second = 1, but must be 0 when work = 0");
  t = good;
  t.servers = 0;
  expect_invalid(t, "servers = 0, but must be a positive integer");
  t = good;
  t.arrival_scv = -0.5;
  expect_invalid(t, "arrival_scv = -0.5, but must be finite and >= 0");
  t = good;
  t.policy = static_cast<station_policy>(7);
  expect_invalid(t, "policy = 7");
}

TEST(StationErrors, RoundingBelowTheSquareOfTheMeanIsAccepted) {
  // A deterministic service summed link by link may land an ulp below work²/rate.
  const double lambda = 0.3;
  const double s = 0.7;
  const class_traffic k{.rate = lambda, .work = lambda * s, .second = lambda * s * s * (1 - 1e-15)};
  const auto r = solve_station({.servers = 1, .arrival_scv = 0, .classes = {k}});
  EXPECT_GE(r.classes[0].delay, 0.0);
  EXPECT_LT(r.classes[0].delay, 1e-12);  // D/D/1 never waits
}

// ---------------------------------------------------------------- jacobian

/// The input that column `k` of the jacobian differentiates.
double& input(station_traffic& t, std::size_t k) {
  if (k == 3 * t.classes.size()) return t.arrival_scv;
  auto& c = t.classes[k / 3];
  return k % 3 == 0 ? c.rate : k % 3 == 1 ? c.work : c.second;
}

/// Central differences with a relative step 1e-5: truncation ~1e-10, rounding ~1e-11.
void expect_jacobian_matches_differences(const station_traffic& t, const std::string& label) {
  const auto r = solve_station(t, {}, true);
  const std::size_t classes = t.classes.size();
  const std::size_t columns = 3 * classes + 1;
  ASSERT_EQ(r.jacobian.size(), 2 * classes * columns);
  for (std::size_t k = 0; k < columns; ++k) {
    station_traffic up = t;
    station_traffic down = t;
    const double x = input(up, k);
    const double h = 1e-5 * std::max(std::abs(x), 1e-3);
    input(up, k) = x + h;
    input(down, k) = x - h;
    const auto ru = solve_station(up);
    const auto rd = solve_station(down);
    for (std::size_t row = 0; row < 2 * classes; ++row) {
      const auto value = [row](const station_response& s) {
        return row % 2 == 0 ? s.classes[row / 2].stretch : s.classes[row / 2].delay;
      };
      const double exact = r.jacobian[row * columns + k];
      const double difference = (value(ru) - value(rd)) / (2 * h);
      // Relative 1e-6, with a floor for entries that vanish: 1e-9 of value/input.
      const double floor = 1e-9 * std::abs(value(r)) / std::max(std::abs(x), 1e-3);
      EXPECT_LE(std::abs(exact - difference), 1e-6 * std::abs(exact) + floor)
          << label << ": row " << row << ", column " << k << ": jacobian " << exact << ", differences " << difference;
    }
  }
}

TEST(StationJacobian, MatchesCentralDifferencesForEveryPolicy) {
  random_station gen(42);
  struct policy_case {
    station_policy policy;
    bool preemptive;
  };
  for (const policy_case pc :
       {policy_case{station_policy::fifo, false}, policy_case{station_policy::priority, false},
        policy_case{station_policy::priority, true}, policy_case{station_policy::shared, false}}) {
    for (const std::int64_t c : {1, 2, 3, 7}) {
      for (int trial = 0; trial < 12; ++trial) {
        auto t = gen.make(c, pc.policy, pc.preemptive, trial % 4 == 3 ? 1.3 : 0.0, trial % 4 == 3);
        t.arrival_scv = trial % 2 == 0 ? 1.0 : gen.uniform(0.2, 3.0);
        expect_jacobian_matches_differences(t, fmt::format("{}{}, c = {}, trial {}", to_string(pc.policy),
                                                           pc.preemptive ? " preemptive" : "", c, trial));
      }
    }
  }
}

TEST(StationJacobian, LightTrafficAtAnIdleStation) {
  // M/G/1 at zero load: Wq = M/(2(1 − ρ)), so ∂Wq/∂second = 1/2; PS: ∂stretch/∂work = 1.
  const station_traffic fifo{.servers = 1, .classes = {{}}};
  const auto r = solve_station(fifo, {}, true);
  ASSERT_EQ(r.jacobian.size(), 2u * 4u);
  EXPECT_EQ(r.jacobian[4 + 2], 0.5);  // row 1 (delay), column 2 (second)
  station_traffic shared = fifo;
  shared.policy = station_policy::shared;
  EXPECT_EQ(solve_station(shared, {}, true).jacobian[1], 1.0);  // row 0 (stretch), column 1 (work)
}

TEST(StationJacobian, LayoutRowsByClassColumnsByInput) {
  // Non-preemptive: stretch rows are 0; the first class's wait does not depend on the
  // second class's rate (only through its work and second moment).
  const auto t = two_classes_one_server(station_policy::priority);
  const auto r = solve_station(t, {}, true);
  constexpr std::size_t columns = 7;
  ASSERT_EQ(r.jacobian.size(), 4 * columns);
  for (std::size_t k = 0; k < columns; ++k) {
    EXPECT_EQ(r.jacobian[0 * columns + k], 0.0);
    EXPECT_EQ(r.jacobian[2 * columns + k], 0.0);
  }
  EXPECT_EQ(r.jacobian[1 * columns + 3], 0.0);  // ∂delay_0/∂rate_1
  // ∂Wq_0/∂second_1 = 1/(2(1 − σ_0)) = 1/1.2 (Cobham: W0 = Σ second/2).
  EXPECT_TRUE(near_rel(r.jacobian[1 * columns + 5], 1 / 1.2, 1e-12));
}

}  // namespace
}  // namespace servicechain
