#include "servicechain/simulation/random.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "servicechain/simulation/statistics.hpp"
#include "support/oracles.hpp"

namespace sc = servicechain;
using sc_test::near_rel;

namespace {

struct moments {
  double mean = 0, scv = 0;
};

moments sample_moments(const sc::service_distribution& law, std::uint64_t seed, int n) {
  sc::random_stream stream(seed);
  double sum = 0, squares = 0;
  for (int k = 0; k < n; ++k) {
    const double x = law.sample(stream);
    sum += x;
    squares += x * x;
  }
  const double mean = sum / n;
  return {mean, (squares / n - mean * mean) / (mean * mean)};
}

}  // namespace

// The generator is the published xoshiro256++, bit for bit: from the state {1, 2, 3, 4} it
// gives the outputs of the authors' reference C code (https://prng.di.unimi.it/), as listed in
// the test vectors of the Rust crate rand_xoshiro; SplitMix64 from seed 0 starts with
// 0xe220a8397b1dcdaf (the reference splitmix64.c).
TEST(SimulationRandomTest, GeneratorsMatchTheirReferenceImplementations) {
  auto stream = sc::random_stream::from_state(1, 2, 3, 4);
  const std::uint64_t expected[] = {41943041ULL,
                                    58720359ULL,
                                    3588806011781223ULL,
                                    3591011842654386ULL,
                                    9228616714210784205ULL,
                                    9973669472204895162ULL,
                                    14011001112246962877ULL,
                                    12406186145184390807ULL,
                                    15849039046786891736ULL,
                                    10450023813501588000ULL};
  for (const std::uint64_t x : expected) EXPECT_EQ(stream.next(), x);
  std::uint64_t state = 0;
  EXPECT_EQ(sc::splitmix64(state), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(sc::random_stream(5).next(), sc::random_stream(5).next());
  EXPECT_NE(sc::random_stream(5).next(), sc::random_stream(6).next());
}

TEST(SimulationRandomTest, StreamSeedsDifferByEveryPart) {
  std::set<std::uint64_t> seeds;
  for (std::uint64_t seed : {0ULL, 1ULL, 2ULL})
    for (std::uint64_t rep = 0; rep < 4; ++rep)
      for (auto purpose : {sc::stream_purpose::arrivals, sc::stream_purpose::service, sc::stream_purpose::requests,
                           sc::stream_purpose::acceptance})
        for (std::uint64_t index = 0; index < 4; ++index) seeds.insert(sc::stream_seed(seed, rep, purpose, index));
  EXPECT_EQ(seeds.size(), 3U * 4 * 4 * 4);
}

TEST(SimulationRandomTest, UniformIsInTheOpenUnitInterval) {
  sc::random_stream stream(7);
  double low = 1, high = 0, sum = 0;
  for (int k = 0; k < 1'000'000; ++k) {
    const double u = stream.uniform();
    low = std::min(low, u);
    high = std::max(high, u);
    sum += u;
  }
  EXPECT_GT(low, 0.0);
  EXPECT_LT(high, 1.0);
  EXPECT_NEAR(sum / 1e6, 0.5, 5 * std::sqrt(1.0 / 12 / 1e6));
}

// Each law has the mean and SCV it was built from (10^6 draws; the tolerances are about five
// standard errors of the sample mean and SCV).
TEST(SimulationRandomTest, ServiceLawsHaveTheirMeanAndScv) {
  struct law_case {
    double mean, scv;
    sc::service_distribution::kind kind;
  };
  for (const law_case& c : {law_case{2.0, 0.0, sc::service_distribution::kind::deterministic},
                            law_case{0.7, 0.25, sc::service_distribution::kind::erlang},
                            law_case{1.3, 0.02, sc::service_distribution::kind::erlang},
                            law_case{1.0, 0.3, sc::service_distribution::kind::gamma},
                            law_case{0.4, 0.9, sc::service_distribution::kind::gamma},
                            law_case{1.5, 1.0, sc::service_distribution::kind::exponential},
                            law_case{1.0, 2.0, sc::service_distribution::kind::hyperexponential},
                            law_case{3.0, 4.0, sc::service_distribution::kind::hyperexponential}}) {
    SCOPED_TRACE(::testing::Message() << "mean " << c.mean << " scv " << c.scv);
    const auto law = sc::service_distribution::from_moments(c.mean, c.scv);
    EXPECT_EQ(law.law(), c.kind);
    const auto m = sample_moments(law, 11, 1'000'000);
    EXPECT_TRUE(near_rel(m.mean, c.mean, 5 * std::sqrt(c.scv / 1e6) + 1e-12));
    // The SCV's standard error grows with the fourth moment: 3% covers every law here.
    EXPECT_NEAR(m.scv, c.scv, 0.03 * std::max(c.scv, 0.1));
  }
}

TEST(SimulationStatisticsTest, StudentQuantilesMatchTables) {
  // Abramowitz & Stegun, Table 26.10.
  EXPECT_TRUE(near_rel(sc::student_t_quantile(0.975, 10), 2.228138852, 1e-8));
  EXPECT_TRUE(near_rel(sc::student_t_quantile(0.9995, 9), 4.780912586, 1e-8));
  EXPECT_TRUE(near_rel(sc::student_t_quantile(0.975, 1), 12.70620474, 1e-8));
  EXPECT_THROW((void)sc::student_t_quantile(1.0, 3), sc::error);
}

TEST(SimulationStatisticsTest, ConfidenceIntervalByHand) {
  const std::vector<double> x{1, 2, 3, 4, 5};
  const auto e = sc::confidence_interval(x, 0.95);
  // mean 3, s = √2.5, t_{4, 0.975} = 2.776445105
  EXPECT_DOUBLE_EQ(e.mean, 3.0);
  EXPECT_TRUE(near_rel(e.half_width, 2.776445105 * std::sqrt(2.5 / 5), 1e-9));
  EXPECT_DOUBLE_EQ(e.low, e.mean - e.half_width);
  EXPECT_DOUBLE_EQ(e.high, e.mean + e.half_width);
  EXPECT_TRUE(e.contains(1.1));
  const std::vector<double> same{2, 2, 2};
  EXPECT_EQ(sc::confidence_interval(same, 0.999).half_width, 0.0);
  const std::vector<double> one{1};
  EXPECT_THROW((void)sc::confidence_interval(one, 0.95), sc::error);
}

TEST(SimulationStatisticsTest, SampleQuantileIsHyndmanFanSeven) {
  std::vector<double> x{10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
  // numpy.quantile(range(1, 11), q) (linear, the default)
  EXPECT_DOUBLE_EQ(sc::sample_quantile(x, 0.9), 9.1);
  EXPECT_DOUBLE_EQ(sc::sample_quantile(x, 0.5), 5.5);
  EXPECT_DOUBLE_EQ(sc::sample_quantile(x, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(sc::sample_quantile(x, 1.0), 10.0);
  std::vector<double> empty;
  EXPECT_EQ(sc::sample_quantile(empty, 0.5), 0.0);
}
