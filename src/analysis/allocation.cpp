#include "servicechain/analysis/allocation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/closed_network.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/error.hpp"

namespace servicechain {

namespace {

// Per class: the weight of its lead time in the objective (0 for closed classes).
std::vector<double> class_weights(const service_graph& g, const model_numbers& numbers, lead_time_weighting weighting) {
  std::vector<double> w(g.class_count(), 0.0);
  double total = 0;
  for (std::size_t c = 0; c < w.size(); ++c) {
    const auto& p = numbers.unit(g.customers()[c]);
    if (!p.open_class) continue;
    w[c] = p.demand * (weighting == lead_time_weighting::value ? p.value_per_request : 1.0);
    total += w[c];
  }
  if (!(total > 0)) {
    throw error(error_code::invalid_argument,
                weighting == lead_time_weighting::value
                    ? "the value-weighted mean lead time needs a customer with demand > 0 and value_per_request > 0"
                    : "the mean lead time needs a customer with demand > 0");
  }
  for (double& x : w) x /= total;
  return w;
}

double objective_of(const open_result& open, const std::vector<double>& weights) {
  double sum = 0;
  for (std::size_t c = 0; c < weights.size(); ++c) sum += weights[c] * open.customers[c].lead_time;
  return sum;
}

std::string budget_text(budget_kind kind, double amount) {
  return kind == budget_kind::servers ? fmt::format("{} server{}", amount, amount == 1 ? "" : "s")
                                      : fmt::format("{} (currency per time unit)", amount);
}

struct candidate {
  unit_index unit;
  double price = 1;
};

// Checks the options and lists the candidates with their prices; notes those skipped.
std::vector<candidate> candidates_of(const service_graph& g, const model_numbers& numbers,
                                     const allocation_options& options, std::vector<std::string>& notes) {
  if (!std::isfinite(options.budget) || options.budget < 0 ||
      (options.kind == budget_kind::servers && options.budget != std::floor(options.budget))) {
    throw error(error_code::invalid_argument,
                fmt::format("budget = {}, but must be {}", options.budget,
                            options.kind == budget_kind::servers ? "a whole number of servers ≥ 0"
                                                                 : "an amount ≥ 0 (currency per time unit)"));
  }
  if (has_closed_classes(g, numbers)) {
    throw error(error_code::invalid_argument,
                "allocation minimizes open-network lead times, but the model has closed classes (population)");
  }
  std::vector<unit_index> units = options.candidates;
  if (units.empty()) {
    for (std::uint32_t i = 0; i < g.unit_count(); ++i)
      if (capacity_limited(g, numbers, unit_index{i})) units.push_back(unit_index{i});
  }
  std::sort(units.begin(), units.end());
  units.erase(std::unique(units.begin(), units.end()), units.end());
  std::vector<candidate> out;
  for (unit_index u : units) {
    if (u.value() >= g.unit_count()) throw error(error_code::invalid_argument, "candidate unit index out of range");
    if (!capacity_limited(g, numbers, u)) {
      throw error(error_code::invalid_argument,
                  fmt::format("unit '{}' cannot receive servers: it is {}", g.id(u),
                              g.is_external(u) ? "an external customer" : "a unit with unlimited servers"));
    }
    const auto& p = numbers.unit(u);
    double price = 1;
    if (options.kind == budget_kind::money) {
      if (!(p.cost_per_time > 0)) {
        if (!options.candidates.empty()) {
          throw error(error_code::invalid_argument,
                      fmt::format("unit '{}' has cost_per_time = 0, so a server of it has no price", g.id(u)));
        }
        notes.push_back(fmt::format("'{}' skipped: cost_per_time = 0, so a server has no price", g.id(u)));
        continue;
      }
      price = p.cost_per_time / p.servers;
    }
    out.push_back({u, price});
  }
  if (out.empty()) throw error(error_code::invalid_argument, "no unit can receive servers");
  return out;
}

}  // namespace

double weighted_mean_lead_time(const service_graph& g, const model_numbers& numbers, lead_time_weighting weighting,
                               const open_options& analysis) {
  if (has_closed_classes(g, numbers)) {
    throw error(error_code::invalid_argument,
                "the mean lead time here is an open-network figure, but the model has closed classes (population)");
  }
  return objective_of(analyze_open(g, numbers, analysis), class_weights(g, numbers, weighting));
}

allocation_result allocate_servers(const service_graph& g, const model_numbers& numbers,
                                   const allocation_options& options) {
  allocation_result r{.numbers = numbers};
  const std::vector<candidate> candidates = candidates_of(g, numbers, options, r.notes);
  const std::vector<double> weights = class_weights(g, numbers, options.weighting);
  const load_result flows = compute_load(g, numbers);
  double budget = options.budget;

  for (const auto& cand : candidates) {
    r.allocation.push_back({.unit = cand.unit,
                            .servers_before = static_cast<std::int64_t>(numbers.unit(cand.unit).servers),
                            .price = cand.price});
  }

  // Phase 1: the fewest servers that make every saturated candidate stable, ⌊a⌋ + 1.
  const auto saturated = saturated_units(g, numbers, flows);
  if (!saturated.empty()) {
    std::vector<saturated_unit> others;
    double needed = 0;
    std::string list;
    for (const auto& s : saturated) {
      const unit_index u = g.index_of(s.id);
      auto it = std::find_if(r.allocation.begin(), r.allocation.end(), [u](const auto& a) { return a.unit == u; });
      if (it == r.allocation.end()) {
        others.push_back(s);
        continue;
      }
      const double work = flows.total_work[u.value()];
      const auto need = static_cast<std::int64_t>(std::floor(work)) + 1 - it->servers_before;
      it->added_to_stabilize = need;
      needed += static_cast<double>(need) * it->price;
      list += fmt::format("{}'{}' {} more (ρ = {:.4g})", list.empty() ? "" : ", ", s.id, need, s.utilization);
    }
    if (!others.empty()) throw unstable_error(std::move(others));
    if (needed > budget * (1 + 1e-12)) {
      throw error(error_code::unstable,
                  fmt::format("a budget of {} cannot make every unit stable: {} needs {} in all ({})",
                              budget_text(options.kind, options.budget),
                              saturated.size() == 1 ? "the saturated unit" : "the saturated units",
                              budget_text(options.kind, needed), list));
    }
    for (auto& a : r.allocation) {
      if (a.added_to_stabilize == 0) continue;
      a.servers_added = a.added_to_stabilize;
      r.numbers.set_servers(g, a.unit, a.servers_before + a.added_to_stabilize);
    }
    budget = std::max(0.0, budget - needed);
    r.notes.push_back(fmt::format("made stable first: {}; that used {}", list, budget_text(options.kind, needed)));
  } else {
    r.objective_before = objective_of(analyze_open(g, numbers, flows, options.analysis), weights);
  }

  auto evaluate = [&](const model_numbers& trial) {
    return objective_of(analyze_open(g, trial, flows, options.analysis), weights);
  };
  double current = evaluate(r.numbers);

  // Phase 2: marginal allocation. With Poisson arrivals a unit's gain depends on its own
  // servers only (the objective is separable), so a gain is recomputed only when its
  // unit changed; with propagated variability every gain is recomputed at every step.
  const bool separable = options.analysis.variability == arrival_variability::poisson;
  std::vector<std::optional<double>> gain(r.allocation.size());
  const double tolerance = 1e-9;  // budget rounding when summing prices
  for (;;) {
    std::optional<std::size_t> best;
    double best_ratio = 0;
    for (std::size_t k = 0; k < r.allocation.size(); ++k) {
      auto& a = r.allocation[k];
      if (a.price > budget + tolerance * std::max(1.0, options.budget)) continue;
      if (!gain[k] || !separable) {
        model_numbers trial = r.numbers;
        trial.set_servers(g, a.unit, a.servers_before + a.servers_added + 1);
        gain[k] = current - evaluate(trial);
      }
      const double ratio = *gain[k] / a.price;
      if (ratio > best_ratio) {  // strictly better: ties go to the lower index
        best_ratio = ratio;
        best = k;
      }
    }
    if (!best) {
      const bool affordable = std::any_of(r.allocation.begin(), r.allocation.end(), [&](const auto& a) {
        return a.price <= budget + tolerance * std::max(1.0, options.budget);
      });
      if (affordable) r.notes.push_back("stopped: no further server reduces the objective");
      break;
    }
    auto& a = r.allocation[*best];
    ++a.servers_added;
    r.numbers.set_servers(g, a.unit, a.servers_before + a.servers_added);
    budget = std::max(0.0, budget - a.price);
    const double before = current;
    current = evaluate(r.numbers);
    r.steps.push_back({.unit = a.unit, .objective = current, .gain = before - current});
    gain[*best].reset();
  }
  r.objective_after = current;
  r.budget_left = options.kind == budget_kind::servers ? std::round(budget) : budget;
  r.budget_used = options.budget - r.budget_left;
  return r;
}

square_root_result square_root_assignment(std::span<const double> arrival_rates, double budget,
                                          std::span<const double> weights, std::span<const double> prices) {
  const std::size_t n = arrival_rates.size();
  if ((!weights.empty() && weights.size() != n) || (!prices.empty() && prices.size() != n)) {
    throw error(error_code::invalid_argument, "square-root assignment: rates, weights and prices differ in length");
  }
  double cost_of_load = 0, sum_w = 0, sum_sqrt = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double lambda = arrival_rates[i];
    const double w = weights.empty() ? lambda : weights[i];
    const double p = prices.empty() ? 1.0 : prices[i];
    if (!std::isfinite(lambda) || lambda < 0 || !std::isfinite(w) || w < 0 || !std::isfinite(p) || !(p > 0)) {
      throw error(error_code::invalid_argument,
                  fmt::format("square-root assignment: queue {} has rate {}, weight {}, price {}, but rates and "
                              "weights must be ≥ 0 and prices > 0, all finite",
                              i, lambda, w, p));
    }
    cost_of_load += p * lambda;
    sum_w += w;
    sum_sqrt += std::sqrt(w * p);
  }
  if (!(sum_w > 0)) throw error(error_code::invalid_argument, "square-root assignment: the weights sum to 0");
  const double excess = budget - cost_of_load;
  if (!std::isfinite(budget) || !(excess > 0)) {
    throw error(error_code::unstable, fmt::format("square-root assignment: the budget {} does not exceed the cost of "
                                                  "the load, Σ p_i λ_i = {}, so some queue would saturate",
                                                  budget, cost_of_load));
  }
  square_root_result r;
  r.capacity.resize(n);
  double delay = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double w = weights.empty() ? arrival_rates[i] : weights[i];
    const double p = prices.empty() ? 1.0 : prices[i];
    const double spare = excess * std::sqrt(w / p) / sum_sqrt;
    r.capacity[i] = arrival_rates[i] + spare;
    if (w > 0) delay += w / spare;
  }
  r.mean_delay = delay / sum_w;
  return r;
}

square_root_allocation square_root_servers(const service_graph& g, const model_numbers& numbers,
                                           const allocation_options& options) {
  std::vector<std::string> notes;
  const std::vector<candidate> candidates = candidates_of(g, numbers, options, notes);
  const std::vector<double> class_w = class_weights(g, numbers, options.weighting);
  const load_result flows = compute_load(g, numbers);
  // Each unit as an M/M/1 of rate x/s: T_i = s/(x − a). In the capacity variables μ = x
  // (servers) with "rate" a and weight w·s the general rule applies unchanged.
  std::vector<double> work, weight, price;
  double total = options.budget;
  square_root_allocation r;
  for (const auto& cand : candidates) {
    const std::uint32_t i = cand.unit.value();
    const auto& p = numbers.unit(cand.unit);
    const double lambda = flows.total_load[i];
    const double a = flows.total_work[i];
    const double s = lambda > 0 ? a / lambda : p.service_time;  // mean service time, time units
    double w = 0;  // weighted services of the unit per request, customers' weights
    for (std::size_t c = 0; c < class_w.size(); ++c)
      w += class_w[c] * flows.load_per_request(i, static_cast<Eigen::Index>(c));
    work.push_back(a);
    weight.push_back(w * s);
    price.push_back(cand.price);
    total += cand.price * p.servers;
    r.units.push_back({.unit = cand.unit, .servers_before = p.servers, .price = cand.price});
  }
  const square_root_result sr = square_root_assignment(work, total, weight, price);
  for (std::size_t k = 0; k < r.units.size(); ++k) r.units[k].servers = sr.capacity[k];
  r.total = total;
  double sum_w = 0;
  for (double w : weight) sum_w += w;
  r.relaxed_objective = sr.mean_delay * sum_w;  // Σ w_i s_i/(x_i − a_i), the weights normalized by demand
  return r;
}

}  // namespace servicechain
