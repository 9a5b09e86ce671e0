#include "servicechain/analysis/propagation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <random>

#include "support/oracles.hpp"

namespace sc = servicechain;

namespace {

// A random model with loops: internal units 0..n-1, customers; links with random requests
// scaled so that every row sum of R stays below 0.9 (hence every loop gain < 0.9).
struct random_model {
  sc::organization org;
  Eigen::MatrixXd r;  // r(i, j) = Σ requests of links i -> j
};

random_model make_random(int internal, int customers, int links_per_unit, bool one_big_loop, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> pick(0, internal - 1);
  std::uniform_real_distribution<double> weight(0.05, 1.0);
  random_model m;
  const int n = internal + customers;
  m.r = Eigen::MatrixXd::Zero(n, n);
  for (int i = 0; i < internal; ++i) m.org.add_unit({.id = fmt::format("u{}", i), .service_time = 0.01});
  for (int c = 0; c < customers; ++c)
    m.org.add_unit({.id = fmt::format("c{}", c), .external = true, .demand = 1.0 + c});
  std::vector<std::tuple<int, int, double>> edges;
  for (int j = 0; j < internal; ++j) {
    for (int k = 0; k < links_per_unit; ++k) {
      const int i = pick(rng);
      if (i != j) edges.emplace_back(i, j, weight(rng));  // i serves j
    }
  }
  if (one_big_loop)
    for (int i = 0; i < internal; ++i) edges.emplace_back(i, (i + 1) % internal, weight(rng));
  for (int c = 0; c < customers; ++c)
    for (int k = 0; k < 3; ++k) edges.emplace_back(pick(rng), internal + c, weight(rng));
  // Scale each consumer's column so that Σ_i r_ij ≤ 0.9: the column sums bound ρ(R).
  Eigen::VectorXd column(n);
  column.setZero();
  for (auto [i, j, w] : edges) column(j) += w;
  for (auto& [i, j, w] : edges) {
    if (j < internal) w *= 0.9 / column(j);
    m.r(i, j) += w;
    m.org.add_link({.from = m.org.units[static_cast<std::size_t>(i)].id,
                    .to = m.org.units[static_cast<std::size_t>(j)].id,
                    .requests = w});
  }
  return m;
}

double max_rel_error(const sc::unit_matrix& got, const Eigen::MatrixXd& want) {
  double worst = 0;
  for (Eigen::Index i = 0; i < want.rows(); ++i)
    for (Eigen::Index j = 0; j < want.cols(); ++j) {
      const double scale = std::max({std::abs(got(i, j)), std::abs(want(i, j)), 1e-300});
      worst = std::max(worst, std::abs(got(i, j) - want(i, j)) / scale);
    }
  return worst;
}

}  // namespace

// a 200-unit random cyclic model matches an independent dense solve.
TEST(PropagationTest, RandomCyclicModelMatchesDenseSolve) {
  const auto m = make_random(200, 3, 4, /*one_big_loop=*/false, 42);
  const auto g = sc::compile(m.org);
  EXPECT_FALSE(g.loops().empty());
  const Eigen::Index n = m.r.rows();
  Eigen::MatrixXd b = Eigen::MatrixXd::Random(n, 3).cwiseAbs();

  // with_demand: x = b + R x  <=>  (I − R) x = b.
  const Eigen::MatrixXd want_demand = (Eigen::MatrixXd::Identity(n, n) - m.r).fullPivLu().solve(b);
  const sc::unit_matrix got_demand = sc::propagate(g, sc::direction::with_demand, b);
  EXPECT_LT(max_rel_error(got_demand, want_demand), 1e-12);

  // with_service: x = b + Rᵀ x.
  const Eigen::MatrixXd want_service = (Eigen::MatrixXd::Identity(n, n) - m.r.transpose()).fullPivLu().solve(b);
  const sc::unit_matrix got_service = sc::propagate(g, sc::direction::with_service, b);
  EXPECT_LT(max_rel_error(got_service, want_service), 1e-12);
}

TEST(PropagationTest, LargeLoopUsesSparseSolveAndMatchesDenseSolve) {
  // A ring through all 700 units makes one component larger than the dense limit.
  const auto m = make_random(700, 2, 2, /*one_big_loop=*/true, 7);
  const auto g = sc::compile(m.org);
  ASSERT_EQ(g.loops().size(), 1u);
  EXPECT_EQ(g.loops()[0].units.size(), 700u);
  const Eigen::Index n = m.r.rows();
  Eigen::MatrixXd b = Eigen::MatrixXd::Random(n, 2).cwiseAbs();
  const Eigen::MatrixXd want = (Eigen::MatrixXd::Identity(n, n) - m.r).partialPivLu().solve(b);
  EXPECT_LT(max_rel_error(sc::propagate(g, sc::direction::with_demand, b), want), 1e-11);
}

TEST(PropagationTest, CustomWeightsReplaceRequests) {
  const auto m = make_random(60, 2, 3, false, 3);
  const auto g = sc::compile(m.org);
  // Half of every request: x = b + (R/2)ᵀ x.
  std::vector<double> half(g.link_count());
  for (std::size_t l = 0; l < half.size(); ++l) half[l] = 0.5 * g.numbers().link(sc::link_index{static_cast<std::uint32_t>(l)}).requests;
  const Eigen::Index n = m.r.rows();
  Eigen::MatrixXd b = Eigen::MatrixXd::Ones(n, 1);
  const Eigen::MatrixXd want = (Eigen::MatrixXd::Identity(n, n) - 0.5 * m.r.transpose()).fullPivLu().solve(b);
  EXPECT_LT(max_rel_error(sc::propagate(g, sc::direction::with_service, b, half), want), 1e-12);
}

TEST(PropagationTest, BadArgumentsAreReported) {
  const auto m = make_random(10, 1, 2, false, 1);
  const auto g = sc::compile(m.org);
  EXPECT_THROW((void)sc::propagate(g, sc::direction::with_demand, sc::unit_matrix::Zero(3, 1)), sc::error);
  std::vector<double> wrong(g.link_count(), 0.1);
  wrong[0] = -1;
  EXPECT_THAT([&] { (void)sc::propagate(g, sc::direction::with_demand, sc::unit_matrix::Zero(11, 1), wrong); },
              ::testing::ThrowsMessage<sc::error>(::testing::HasSubstr("weight = -1")));
  // Weights whose loop gain exceeds 1 make a loop's system singular or negative: reported.
  sc::organization org;
  org.add_unit({.id = "a", .service_time = 1});
  org.add_unit({.id = "b", .service_time = 1});
  org.add_link({.from = "a", .to = "b", .requests = 0.5});
  org.add_link({.from = "b", .to = "a", .requests = 0.5});
  const auto loop = sc::compile(org);
  const std::vector<double> unit_gain{1.0, 1.0};
  EXPECT_THAT([&] { (void)sc::propagate(loop, sc::direction::with_demand, sc::unit_matrix::Ones(2, 1), unit_gain); },
              ::testing::ThrowsMessage<sc::solver_error>(::testing::HasSubstr("'a', 'b'")));
}
