#include "servicechain/analysis/contribution.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <cstdio>
#include <random>

#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/closed_network.hpp"
#include "servicechain/analysis/open_network.hpp"
#include "servicechain/io/json.hpp"
#include "support/oracles.hpp"

namespace sc = servicechain;

namespace {

// ---------------------------------------------------------------- KPIs by the library's own analysis

// Every KPI of `kpis` by the open analysis (analyze_open, analyze_capacity).
std::vector<double> kpis_of(const sc::service_graph& g, const sc::model_numbers& numbers,
                            const std::vector<sc::kpi_id>& kpis, sc::arrival_variability variability) {
  sc::load_result flows = sc::compute_load(g, numbers);
  const auto open = sc::analyze_open(g, numbers, {.variability = variability});
  const std::vector<sc::customer_performance>& customers = open.customers;
  const double total_cost = open.total_cost;
  const auto capacity = sc::analyze_capacity(g, numbers, flows);
  double demand = 0, weighted = 0;
  for (std::size_t c = 0; c < g.class_count(); ++c) {
    if (!numbers.unit(g.customers()[c]).open_class) continue;
    demand += flows.demand[c];
    weighted += flows.demand[c] * customers[c].lead_time;
  }
  std::vector<double> out;
  for (const auto& k : kpis) {
    const std::size_t c = k.customer_class.value_or(0);
    switch (k.kind) {
      case sc::kpi_kind::lead_time: out.push_back(customers[c].lead_time); break;
      case sc::kpi_kind::mean_lead_time: out.push_back(weighted / demand); break;
      case sc::kpi_kind::cost_to_serve: out.push_back(customers[c].cost_to_serve); break;
      case sc::kpi_kind::total_cost: out.push_back(total_cost); break;
      case sc::kpi_kind::defect_free: out.push_back(customers[c].defect_free); break;
      case sc::kpi_kind::max_demand_scale: out.push_back(*capacity.max_demand_scale); break;
    }
  }
  return out;
}

void set_parameter(const sc::service_graph& g, sc::model_numbers& numbers, sc::parameter_ref p, double v) {
  const sc::unit_index u{p.index};
  const sc::link_index l{p.index};
  switch (p.kind) {
    case sc::parameter_kind::unit_service_time: numbers.set(g, u, sc::unit_field::service_time, v); break;
    case sc::parameter_kind::unit_service_scv: numbers.set(g, u, sc::unit_field::service_scv, v); break;
    case sc::parameter_kind::unit_cost_per_time: numbers.set(g, u, sc::unit_field::cost_per_time, v); break;
    case sc::parameter_kind::unit_cost_per_request: numbers.set(g, u, sc::unit_field::cost_per_request, v); break;
    case sc::parameter_kind::unit_yield: numbers.set(g, u, sc::unit_field::yield, v); break;
    case sc::parameter_kind::link_requests: numbers.set(g, l, sc::link_field::requests, v); break;
    case sc::parameter_kind::link_acceptance: numbers.set(g, l, sc::link_field::acceptance, v); break;
    case sc::parameter_kind::link_service_time: numbers.set(g, l, sc::link_field::service_time, v); break;
    case sc::parameter_kind::customer_demand: numbers.set(g, u, sc::unit_field::demand, v); break;
  }
}

bool bounded_by_one(sc::parameter_kind k) {
  return k == sc::parameter_kind::unit_yield || k == sc::parameter_kind::link_acceptance;
}

// Central differences (three-point one-sided ones at a bound: acceptance and yield ≤ 1,
// every parameter ≥ 0), step 1e-5 relative, compared with every analytic derivative.
// Where the analysis has a kink (QNA's routing probability q = min(1, ·) at q = 1, which
// requests = acceptance = 1 hit exactly), the two one-sided derivatives differ: there the
// analytic one must equal one of them (docs/sensitivities.md: the side q < 1).
void expect_matches_finite_differences(const sc::service_graph& g, const sc::model_numbers& numbers,
                                       const sc::contribution_options& options = {}) {
  const auto s = sc::sensitivities(g, numbers, options);
  const auto& kpis = s.kpis();
  ASSERT_FALSE(kpis.empty());
  const auto base = kpis_of(g, numbers, kpis, options.variability);
  for (std::size_t k = 0; k < kpis.size(); ++k) EXPECT_NEAR(s.kpi_value(k), base[k], 1e-9 * std::abs(base[k]));
  std::size_t checked = 0, kinks = 0;
  for (const auto& p : s.parameters()) {
    const double x = s.value(p);
    const double h = 1e-5 * std::max(std::abs(x), 1e-2);
    auto at = [&](double v) {
      sc::model_numbers edited = numbers;
      set_parameter(g, edited, p, v);
      return kpis_of(g, edited, kpis, options.variability);
    };
    const std::size_t m = kpis.size();
    std::vector<double> fd(m), forward(m), backward(m);
    bool interior = false;
    if (bounded_by_one(p.kind) && x + h > 1) {
      const auto f1 = at(x - h), f2 = at(x - 2 * h);
      for (std::size_t k = 0; k < m; ++k) fd[k] = (3 * base[k] - 4 * f1[k] + f2[k]) / (2 * h);
    } else if (x - 2 * h <= 0) {
      const auto f1 = at(x + h), f2 = at(x + 2 * h);
      for (std::size_t k = 0; k < m; ++k) fd[k] = (-3 * base[k] + 4 * f1[k] - f2[k]) / (2 * h);
    } else {
      interior = true;
      const auto up = at(x + h), down = at(x - h), up2 = at(x + 2 * h), down2 = at(x - 2 * h);
      for (std::size_t k = 0; k < m; ++k) {
        fd[k] = (up[k] - down[k]) / (2 * h);
        forward[k] = (-3 * base[k] + 4 * up[k] - up2[k]) / (2 * h);
        backward[k] = (3 * base[k] - 4 * down[k] + down2[k]) / (2 * h);
      }
    }
    for (std::size_t k = 0; k < m; ++k) {
      const double analytic = s.derivative(k, p);
      // Relative 1e-5, with a floor of 1e-7 in elasticity for derivatives that are ~0.
      const double floor = 1e-7 * std::abs(base[k]) / std::max(std::abs(x), 1e-2);
      auto close = [&](double reference) {
        return std::abs(analytic - reference) <= 1e-5 * std::abs(reference) + floor;
      };
      // A kink: the one-sided differences (each O(h²)) differ beyond their error.
      // (Below twice the tolerance, a derivative equal to either side is within it of the
      // central difference, their mean.)
      const bool kink = interior && std::abs(forward[k] - backward[k]) > 2 * (1e-5 * std::abs(fd[k]) + floor);
      if (kink) {
        ++kinks;
        EXPECT_TRUE(close(forward[k]) || close(backward[k]))
            << s.path(p) << " = " << x << " at a kink: analytic " << analytic << ", one-sided " << backward[k]
            << " and " << forward[k];
      } else {
        EXPECT_TRUE(close(fd[k])) << s.path(p) << " = " << x << " of " << sc::to_string(kpis[k].kind)
                                  << (kpis[k].customer_class ? " of " + g.id(g.customers()[*kpis[k].customer_class])
                                                             : std::string{})
                                  << ": analytic " << analytic << ", finite differences " << fd[k];
      }
      ++checked;
    }
  }
  if (options.variability == sc::arrival_variability::poisson) {
    EXPECT_EQ(kinks, 0u);
  }
  EXPECT_GT(checked, 0u);
  std::printf("[ checked  ] %zu derivatives (%zu KPIs x %zu parameters), %zu at kinks\n", checked, kpis.size(),
              s.parameters().size(), kinks);
}

// ---------------------------------------------------------------- random models

// A random organization with rework loops, rejections, async links, several servers,
// SCVs ≠ 1, per-link service times, disciplines and costs; utilizations in [0.3, 0.8].
sc::organization random_model(std::uint64_t seed, bool disciplines) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  auto chance = [&](double p) { return uniform(0, 1) < p; };
  const int internal = 4 + static_cast<int>(rng() % 6);
  const int customers = 1 + static_cast<int>(rng() % 3);
  sc::organization org{.name = "random"};
  for (int i = 0; i < internal; ++i) {
    sc::unit u{.id = fmt::format("u{}", i)};
    u.servers = chance(0.1) ? sc::server_count::unlimited() : sc::server_count(1 + static_cast<std::int64_t>(rng() % 3));
    u.service_time = 1.0;
    u.service_scv = chance(0.3) ? 1.0 : uniform(0.2, 2.5);
    u.cost_per_time = chance(0.3) ? 0.0 : uniform(1, 20);
    u.cost_per_request = uniform(0, 5);
    u.yield = chance(0.3) ? 1.0 : uniform(0.95, 0.999);
    if (disciplines) {
      const int d = static_cast<int>(rng() % 5);
      u.queue_discipline = d == 0 ? sc::discipline::external_first
                           : d == 1 ? sc::discipline::priority
                           : d == 2 ? sc::discipline::shared
                                    : sc::discipline::fifo;
      u.preemptive = u.queue_discipline == sc::discipline::priority && chance(0.5);
    }
    org.add_unit(u);
  }
  for (int c = 0; c < customers; ++c) {
    org.add_unit({.id = fmt::format("c{}", c), .external = true, .demand = uniform(0.5, 2.0)});
  }
  auto add_link = [&](int from, const std::string& to) {
    sc::link l{.from = fmt::format("u{}", from), .to = to, .requests = uniform(0.5, 1.8)};
    l.mode = chance(0.2) ? sc::link_mode::async : sc::link_mode::sync;
    if (chance(0.3)) l.acceptance = uniform(0.7, 0.97);
    l.priority = static_cast<std::int64_t>(rng() % 3);
    if (chance(0.15)) l.service_time = uniform(0.5, 1.5);  // relative; scaled below
    if (chance(0.1)) l.service_scv = uniform(0.3, 2.0);
    org.add_link(l);
  };
  for (int i = 0; i < internal; ++i) {
    // One consumer further down the chain (or a customer) keeps every unit aligned.
    if (i == internal - 1 || chance(0.3)) {
      add_link(i, fmt::format("c{}", rng() % static_cast<std::uint64_t>(customers)));
    } else {
      add_link(i, fmt::format("u{}", i + 1 + static_cast<int>(rng() % static_cast<std::uint64_t>(internal - i - 1))));
    }
    for (int j = i + 2; j < internal; ++j)
      if (chance(0.2)) add_link(i, fmt::format("u{}", j));
  }
  // Rework loops: a consumer asks its provider's provider back (small requests).
  const std::size_t forward = org.links.size();
  for (std::size_t k = 0; k < forward; ++k) {
    const auto& l = org.links[k];
    if (l.to[0] != 'u' || !chance(0.25)) continue;
    sc::link back{.from = l.to, .to = l.from, .requests = uniform(0.03, 0.2)};
    if (chance(0.3)) back.acceptance = uniform(0.8, 0.97);
    org.add_link(back);
  }
  // Loops of gain < 1: halve the rework requests until they are.
  for (;;) {
    try {
      (void)sc::compile(org);
      break;
    } catch (const sc::loop_gain_error&) {
      for (std::size_t k = forward; k < org.links.size(); ++k) org.links[k].requests /= 2;
    }
  }
  // Service times for utilizations in [0.3, 0.8]: the loads at service time 1 and the
  // per-link factors give the work; then scale.
  const auto g = sc::compile(org);
  const auto flows = sc::compute_load(g);
  std::vector<double> work(static_cast<std::size_t>(internal), 0.0);
  for (std::size_t l = 0; l < org.links.size(); ++l) {
    const auto& t = g.link(sc::link_index{static_cast<std::uint32_t>(l)});
    work[t.provider.value()] += flows.link_load[l] * org.links[l].service_time.value_or(1.0);
  }
  for (int i = 0; i < internal; ++i) {
    auto& u = org.units[static_cast<std::size_t>(i)];
    const double servers = u.servers.is_unlimited() ? 2.0 : static_cast<double>(u.servers.count());
    const double scale = uniform(0.3, 0.8) * servers / std::max(work[static_cast<std::size_t>(i)], 1e-9);
    u.service_time = scale;
  }
  for (auto& l : org.links) {
    if (!l.service_time) continue;
    const auto* provider = org.find_unit(l.from);
    l.service_time = *l.service_time * *provider->service_time;
  }
  return org;
}

}  // namespace

// The rework network of docs/semantics.md (μ = 2, 2.5, 1.5; demand 1; acceptance 0.8 at
// processing → qa): L = 1/(μ₁ − 1) + 1.25/(μ₂ − 1.25) + 1.25/(μ₃ − 1.25), so
// dL/dμ = −1/(μ₁ − 1)², −1.25/(μ₂ − 1.25)², −1.25/(μ₃ − 1.25)² = (−1, −0.8, −20), elasticities
// with respect to μ of (−2/7, −2/7, −30/7).
TEST(ContributionTest, ReworkNetworkDerivativesByServiceRate) {
  const auto g = sc::compile(sc::load_organization(sc_test::model_path("rework.json")));
  const auto s = sc::sensitivities(g);
  const std::size_t lead = *s.find({sc::kpi_kind::lead_time, 0});
  EXPECT_NEAR(s.kpi_value(lead), 7.0, 1e-12);
  const char* ids[] = {"intake", "processing", "qa"};
  const double expected_dmu[] = {-1.0, -0.8, -20.0};
  const double expected_elasticity_mu[] = {-2.0 / 7, -2.0 / 7, -30.0 / 7};
  for (int k = 0; k < 3; ++k) {
    const sc::parameter_ref p{sc::parameter_kind::unit_service_time, g.index_of(ids[k]).value()};
    const double st = s.value(p);
    const double dmu = -st * st * s.derivative(lead, p);  // μ = 1/s: dL/dμ = −s² dL/ds
    EXPECT_NEAR(dmu, expected_dmu[k], 1e-10) << ids[k];
    // Elasticity with respect to μ is minus that with respect to s.
    EXPECT_NEAR(-*s.elasticity(lead, p), expected_elasticity_mu[k], 1e-10) << ids[k];
  }
  EXPECT_NEAR(-*s.elasticity(lead, {sc::parameter_kind::unit_service_time, g.index_of("qa").value()}), -4.286, 5e-4);
}

// M/M/1: L = s/(1 − λs), dL/ds = 1/(1 − λs)², dL/dλ = s²/(1 − λs)²; the cost to serve
// k = cpr + cpt/λ; Q = yield; max scale 1/(λs).
TEST(ContributionTest, SingleQueueClosedForms) {
  sc::organization org{.name = "mm1"};
  org.add_unit({.id = "desk", .service_time = 0.5, .cost_per_time = 10, .cost_per_request = 2, .yield = 0.9});
  org.add_unit({.id = "client", .external = true, .demand = 1.2});
  org.add_link({.from = "desk", .to = "client"});
  const auto g = sc::compile(org);
  const auto s = sc::sensitivities(g);
  const double lambda = 1.2, st = 0.5, rho = lambda * st;
  const sc::parameter_ref service{sc::parameter_kind::unit_service_time, 0};
  const sc::parameter_ref demand{sc::parameter_kind::customer_demand, 1};
  const sc::parameter_ref cpt{sc::parameter_kind::unit_cost_per_time, 0};
  const sc::parameter_ref yield{sc::parameter_kind::unit_yield, 0};
  const std::size_t lead = *s.find({sc::kpi_kind::lead_time, 0});
  EXPECT_NEAR(s.kpi_value(lead), st / (1 - rho), 1e-12);
  EXPECT_NEAR(s.derivative(lead, service), 1 / ((1 - rho) * (1 - rho)), 1e-10);
  EXPECT_NEAR(s.derivative(lead, demand), st * st / ((1 - rho) * (1 - rho)), 1e-10);
  const std::size_t cost = *s.find({sc::kpi_kind::cost_to_serve, 0});
  EXPECT_NEAR(s.derivative(cost, demand), -10 / (lambda * lambda), 1e-10);
  EXPECT_NEAR(s.derivative(cost, cpt), 1 / lambda, 1e-12);
  const std::size_t total = *s.find({sc::kpi_kind::total_cost, {}});
  EXPECT_NEAR(s.derivative(total, demand), 2.0, 1e-12);
  const std::size_t quality = *s.find({sc::kpi_kind::defect_free, 0});
  EXPECT_NEAR(s.derivative(quality, yield), 1.0, 1e-12);
  const std::size_t scale = *s.find({sc::kpi_kind::max_demand_scale, {}});
  EXPECT_NEAR(s.derivative(scale, service), -1 / (lambda * st * st), 1e-10);
  EXPECT_NEAR(*s.elasticity(scale, demand), -1.0, 1e-12);
}

// Every derivative against central differences of the library's own analysis (Poisson
// arrivals and QNA), on every bundled model with open classes only (claims_office has closed classes: skipped, its
// KPIs come from mean-value analysis, not from the open analysis differentiated here).
TEST(ContributionTest, BundledModelsMatchFiniteDifferences) {
  std::size_t models = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SERVICECHAIN_EXAMPLES_DIR)) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().filename().string());
    const auto g = sc::compile(sc::load_organization(entry.path()));
    if (sc::has_closed_classes(g, g.numbers())) continue;
    expect_matches_finite_differences(g, g.numbers());
    expect_matches_finite_differences(g, g.numbers(), {.variability = sc::arrival_variability::propagate});
    ++models;
  }
  EXPECT_GE(models, 4u);
}

TEST(ContributionTest, RandomModelsMatchFiniteDifferences) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(fmt::format("seed {}", seed));
    const auto g = sc::compile(random_model(seed, /*disciplines=*/seed % 2 == 0));
    expect_matches_finite_differences(g, g.numbers());
  }
}

// With QNA the derivatives include the arrival SCVs' dependence on every parameter.
TEST(ContributionTest, QnaVariabilityMatchesFiniteDifferences) {
  for (std::uint64_t seed = 101; seed <= 112; ++seed) {
    SCOPED_TRACE(fmt::format("seed {}", seed));
    const auto g = sc::compile(random_model(seed, /*disciplines=*/seed % 2 == 0));
    expect_matches_finite_differences(g, g.numbers(), {.variability = sc::arrival_variability::propagate});
  }
}

// One server more or less at an M/M/c unit: λ = 1, s = 0.5. M/M/1: W = 1; M/M/2: C = 0.1,
// W = 0.5 + 0.1·0.5/1.5 = 0.53333; M/M/3 by Erlang C. A unit whose c − 1 servers would
// saturate has no minus_one.
TEST(ContributionTest, ServerEffectsAreExact) {
  sc::organization org{.name = "servers"};
  org.add_unit({.id = "a", .servers = 2, .service_time = 0.5});
  org.add_unit({.id = "b", .servers = 2, .service_time = 1.2});
  org.add_unit({.id = "client", .external = true, .demand = 1});
  org.add_link({.from = "a", .to = "b"});
  org.add_link({.from = "b", .to = "client"});
  const auto g = sc::compile(org);
  const auto s = sc::sensitivities(g);
  const auto effects = sc::server_effects(g, g.numbers(), s.kpis());
  ASSERT_EQ(effects.size(), 2u);
  const std::size_t lead = *s.find({sc::kpi_kind::lead_time, 0});
  const auto& a = effects[0];
  EXPECT_EQ(a.servers, 2);
  ASSERT_TRUE(a.minus_one);
  EXPECT_NEAR((*a.minus_one)[lead], 1.0 - (0.5 + 0.1 * 0.5 / 1.5), 1e-12);
  // M/M/3 at a = 0.5: C = (a³/3!)/(1 − a/3) / (1 + a + a²/2 + (a³/3!)/(1 − a/3)).
  const double top = 0.125 / 6 / (1 - 0.5 / 3);
  const double c3 = top / (1 + 0.5 + 0.125 + top);
  EXPECT_NEAR(a.plus_one[lead], (0.5 + c3 * 0.5 / 2.5) - (0.5 + 0.1 * 0.5 / 1.5), 1e-12);
  EXPECT_FALSE(effects[1].minus_one);  // b with one server: ρ = 1.2
  const std::size_t cost = *s.find({sc::kpi_kind::total_cost, {}});
  EXPECT_EQ(a.plus_one[cost], 0.0);
  // The same by re-analysis of the whole model, with Poisson arrivals and with QNA (where
  // a unit's servers change the variability it sends on).
  for (auto variability : {sc::arrival_variability::poisson, sc::arrival_variability::propagate}) {
    const auto random = sc::compile(random_model(7, true));
    const auto ks = sc::sensitivities(random, {.variability = variability});
    const auto changes = sc::server_effects(random, random.numbers(), ks.kpis(), {.variability = variability});
    const auto before = sc::analyze_open(random, {.variability = variability});
    for (const auto& e : changes) {
      auto edited = random.numbers();
      edited.set_servers(random, e.unit, e.servers + 1);
      const auto after = sc::analyze_open(random, edited, {.variability = variability});
      for (std::size_t k = 0; k < ks.kpis().size(); ++k) {
        if (ks.kpis()[k].kind != sc::kpi_kind::lead_time) continue;
        const std::size_t c = *ks.kpis()[k].customer_class;
        EXPECT_NEAR(e.plus_one[k], after.customers[c].lead_time - before.customers[c].lead_time,
                    1e-10 * before.customers[c].lead_time);
      }
    }
  }
}

TEST(ContributionTest, RefusesSaturatedAndClosedModels) {
  sc::organization org{.name = "busy"};
  org.add_unit({.id = "desk", .service_time = 0.5});
  org.add_unit({.id = "walk_in", .external = true, .demand = 3});
  org.add_link({.from = "desk", .to = "walk_in"});
  EXPECT_THROW((void)sc::sensitivities(sc::compile(org)), sc::unstable_error);
  const auto closed = sc::compile(sc::load_organization(std::string(SERVICECHAIN_EXAMPLES_DIR) + "/claims_office.json"));
  try {
    (void)sc::sensitivities(closed);
    ADD_FAILURE() << "no error for a model with closed classes";
  } catch (const sc::error& e) {
    EXPECT_EQ(e.code(), std::string(sc::error_code::invalid_argument));
    EXPECT_NE(std::string(e.what()).find("closed class"), std::string::npos) << e.what();
  }
}
