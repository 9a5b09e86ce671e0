#include "servicechain/analysis/shapley.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <limits>
#include <cmath>
#include <numeric>
#include <random>
#include <unordered_map>
#include <utility>

#include "servicechain/analysis/allocation.hpp"
#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/closed_network.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/error.hpp"

namespace servicechain {

namespace {

// v with a cache by coalition, checking that every value is finite.
class cached_game {
 public:
  cached_game(const characteristic_function& v, std::size_t limit) : v_(v), limit_(limit) {}
  double operator()(const coalition& s) {
    if (auto it = cache_.find(s); it != cache_.end()) return it->second;
    const double value = v_(s);
    if (!std::isfinite(value)) {
      throw error(error_code::invalid_argument,
                  fmt::format("the characteristic function returned {} for a coalition of {} players, but must be finite",
                              value, std::count(s.begin(), s.end(), true)));
    }
    ++evaluations_;
    if (cache_.size() < limit_) cache_.emplace(s, value);
    return value;
  }
  [[nodiscard]] std::size_t evaluations() const noexcept { return evaluations_; }

 private:
  const characteristic_function& v_;
  std::size_t limit_;
  std::unordered_map<coalition, double> cache_{};
  std::size_t evaluations_ = 0;
};

// A uniform integer in [0, bound) from 64-bit words, by rejection (no modulo bias, and the
// same sequence on every platform, unlike std::uniform_int_distribution).
std::size_t uniform_below(std::mt19937_64& rng, std::size_t bound) {
  const std::uint64_t b = bound;
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % b;
  for (;;) {
    const std::uint64_t x = rng();
    if (x < limit) return static_cast<std::size_t>(x % b);
  }
}

std::vector<double> exact_shapley(std::size_t n, const characteristic_function& v, shapley_result& r) {
  const std::size_t count = std::size_t{1} << n;
  std::vector<double> value(count);
  coalition s(n);
  for (std::size_t mask = 0; mask < count; ++mask) {
    for (std::size_t i = 0; i < n; ++i) s[i] = ((mask >> i) & 1U) != 0;
    value[mask] = v(s);
    if (!std::isfinite(value[mask])) {
      throw error(error_code::invalid_argument,
                  fmt::format("the characteristic function returned {} for coalition mask {}, but must be finite",
                              value[mask], mask));
    }
  }
  // weight[k] = k!(n−k−1)!/n! = 1/(n·C(n−1, k)); C(n−1, k) ≤ C(23, 11) is exact in a double.
  // weight[n] (the grand coalition: no player to add) is never used but read.
  std::vector<double> weight(n + 1, 0.0);
  double binomial = 1;  // C(n−1, k)
  for (std::size_t k = 0; k < n; ++k) {
    weight[k] = 1.0 / (static_cast<double>(n) * binomial);
    binomial = binomial * static_cast<double>(n - 1 - k) / static_cast<double>(k + 1);
  }
  for (std::size_t mask = 0; mask < count; ++mask) {
    const double w = weight[static_cast<std::size_t>(std::popcount(mask))];
    for (std::size_t i = 0; i < n; ++i) {
      if ((mask >> i) & 1U) continue;
      r.players[i].shapley += w * (value[mask | (std::size_t{1} << i)] - value[mask]);
    }
  }
  r.evaluations = count;
  return value;
}

void sampled_shapley(std::size_t n, cached_game& v, const shapley_options& options, shapley_result& r) {
  std::mt19937_64 rng(options.seed);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::vector<double> forward(n), backward(n), mean(n, 0.0), m2(n, 0.0);
  // Marginal contributions along `order`, first to last (or last to first), into `out`.
  auto walk = [&](bool reverse, std::vector<double>& out) {
    coalition s(n, false);
    double before = r.empty_value;
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = order[reverse ? n - 1 - k : k];
      s[i] = true;
      const double after = k + 1 == n ? r.grand_value : v(s);
      out[i] = after - before;
      before = after;
    }
  };
  std::size_t pairs = 0;
  auto max_error = [&] {
    double worst = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double var = pairs > 1 ? m2[i] / static_cast<double>(pairs - 1) : 0.0;
      worst = std::max(worst, std::sqrt(var / static_cast<double>(pairs)));
    }
    return worst;
  };
  const std::size_t min_pairs = std::max<std::size_t>(2, options.min_pairs);
  const std::size_t max_pairs = std::max(min_pairs, options.max_pairs);
  while (pairs < max_pairs) {
    for (std::size_t k = n; k > 1; --k) std::swap(order[k - 1], order[uniform_below(rng, k)]);  // Fisher–Yates
    walk(false, forward);
    walk(true, backward);
    ++pairs;
    for (std::size_t i = 0; i < n; ++i) {  // Welford's running mean and sum of squares
      const double y = 0.5 * (forward[i] + backward[i]);
      const double delta = y - mean[i];
      mean[i] += delta / static_cast<double>(pairs);
      m2[i] += delta * (y - mean[i]);
    }
    if (options.target_standard_error > 0 && pairs >= min_pairs && max_error() <= options.target_standard_error) break;
  }
  for (std::size_t i = 0; i < n; ++i) {
    r.players[i].shapley = mean[i];
    r.players[i].standard_error = std::sqrt(m2[i] / static_cast<double>(pairs - 1) / static_cast<double>(pairs));
  }
  r.pairs = pairs;
  r.exact = false;
  r.converged = options.target_standard_error <= 0 || max_error() <= options.target_standard_error;
}

}  // namespace

shapley_result shapley_values(std::size_t players, const characteristic_function& v, const shapley_options& options) {
  if (players == 0) throw error(error_code::invalid_argument, "a Shapley value needs at least one player");
  if (options.exact_limit > 24) {
    throw error(error_code::invalid_argument,
                fmt::format("exact_limit = {}, but exact enumeration is limited to 24 players (2^24 coalitions)",
                            options.exact_limit));
  }
  const std::size_t n = players;
  shapley_result r;
  r.players.resize(n);
  const bool exact = n <= options.exact_limit && !options.force_sampling;
  cached_game game(v, exact ? 0 : std::size_t{1} << 18);  // bounded memory: ~30 MB at 50 players
  std::vector<double> table;  // exact: v of every coalition, by bit mask
  if (exact) table = exact_shapley(n, v, r);
  auto value = [&](const coalition& c) {
    if (!exact) return game(c);
    std::size_t mask = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (c[i]) mask |= std::size_t{1} << i;
    return table[mask];
  };
  coalition s(n, false);
  r.empty_value = value(s);
  std::fill(s.begin(), s.end(), true);
  r.grand_value = value(s);
  r.total_gain = r.grand_value - r.empty_value;
  for (std::size_t i = 0; i < n; ++i) {
    coalition alone(n, false);
    alone[i] = true;
    coalition without(n, true);
    without[i] = false;
    r.players[i].standalone = value(alone) - r.empty_value;
    r.players[i].knock_out = r.grand_value - value(without);
  }
  if (!exact) {
    sampled_shapley(n, game, options, r);
    r.evaluations = game.evaluations();
  }
  double alone = 0;
  for (const auto& p : r.players) alone += p.standalone;
  r.interaction = r.total_gain - alone;
  return r;
}

std::string_view to_string(programme_kpi kpi) noexcept {
  switch (kpi) {
    case programme_kpi::throughput:
      return "throughput";
    case programme_kpi::lead_time:
      return "lead_time";
    case programme_kpi::mean_lead_time:
      return "mean_lead_time";
    case programme_kpi::cost:
      return "cost";
    case programme_kpi::defect_free:
      return "defect_free";
  }
  return "throughput";
}

std::optional<programme_kpi> parse_programme_kpi(std::string_view name) noexcept {
  for (auto kpi : {programme_kpi::throughput, programme_kpi::lead_time, programme_kpi::mean_lead_time,
                   programme_kpi::cost, programme_kpi::defect_free}) {
    if (to_string(kpi) == name) return kpi;
  }
  return std::nullopt;
}

double programme_kpi_value(const service_graph& g, const model_numbers& numbers, const improvement_programme& programme) {
  std::optional<std::size_t> c;
  if (programme.customer) {
    c = g.class_of(*programme.customer);
    if (!c) {
      throw error(error_code::invalid_argument,
                  fmt::format("customer = '{}', but it is an internal unit, not an external customer",
                              g.id(*programme.customer)));
    }
  } else if (programme.kpi == programme_kpi::lead_time) {
    if (g.class_count() != 1) {
      throw error(error_code::invalid_argument,
                  fmt::format("kpi lead_time needs a customer: the model has {} customers", g.class_count()));
    }
    c = 0;
  }
  switch (programme.kpi) {
    case programme_kpi::throughput: {
      const load_result load = compute_load(g, numbers);
      const capacity_result cap = analyze_capacity(g, numbers, load);
      std::optional<double> bound;
      if (c) {
        bound = cap.customers[*c].max_demand;
      } else if (cap.max_demand_scale) {
        double total = 0;
        for (double d : load.demand) total += d;
        bound = *cap.max_demand_scale * total;
      }
      if (!bound) {
        throw error(error_code::unbounded, c ? fmt::format("the throughput of '{}' is unbounded (no unit limits it)",
                                                           g.id(g.customers()[*c]))
                                             : std::string{"the throughput is unbounded (no unit limits it)"});
      }
      return *bound;
    }
    case programme_kpi::mean_lead_time:
      return weighted_mean_lead_time(g, numbers, lead_time_weighting::demand, programme.analysis);
    case programme_kpi::lead_time:
      return analyze_open(g, numbers, programme.analysis).customers[*c].lead_time;
    case programme_kpi::cost: {
      const open_result open = analyze_open(g, numbers, programme.analysis);
      return c ? open.customers[*c].cost_to_serve : open.total_cost;
    }
    case programme_kpi::defect_free: {
      const open_result open = analyze_open(g, numbers, programme.analysis);
      if (c) return open.customers[*c].defect_free;
      double sum = 0, weight = 0;
      for (std::size_t k = 0; k < open.customers.size(); ++k) {
        sum += open.load.demand[k] * open.customers[k].defect_free;
        weight += open.load.demand[k];
      }
      if (!(weight > 0)) throw error(error_code::invalid_argument, "kpi defect_free needs a customer with demand > 0");
      return sum / weight;
    }
  }
  return 0;
}

programme_result programme_shapley(const service_graph& g, const model_numbers& numbers,
                                   const improvement_programme& programme, const shapley_options& options) {
  const auto& players = programme.players;
  if (players.empty()) throw error(error_code::invalid_argument, "the programme has no players");
  for (std::size_t a = 0; a < players.size(); ++a) {
    for (const auto& ea : players[a].edits) {
      for (std::size_t b = a + 1; b < players.size(); ++b) {
        for (const auto& eb : players[b].edits) {
          if (ea.target == eb.target) {
            throw error(error_code::invalid_argument,
                        fmt::format("players '{}' and '{}' both set {}, but each parameter may belong to one player "
                                    "(the value of a coalition would depend on the order)",
                                    players[a].name, players[b].name, parameter_path(g, ea.target)));
          }
        }
      }
    }
  }
  if (programme.kpi != programme_kpi::throughput && has_closed_classes(g, numbers)) {
    throw error(error_code::invalid_argument,
                fmt::format("kpi {} needs open-network waits, but the model has closed classes (population); "
                            "use kpi throughput",
                            to_string(programme.kpi)));
  }
  const bool higher_is_better =
      programme.kpi == programme_kpi::throughput || programme.kpi == programme_kpi::defect_free;
  auto names_of = [&](const coalition& s) {
    std::string names;
    for (std::size_t i = 0; i < s.size(); ++i)
      if (s[i]) names += fmt::format("{}'{}'", names.empty() ? "" : ", ", players[i].name);
    return names.empty() ? std::string{"no intervention"} : names;
  };
  auto kpi_of = [&](const coalition& s) {
    model_numbers trial = numbers;
    try {
      for (std::size_t i = 0; i < s.size(); ++i) {
        if (!s[i]) continue;
        for (const auto& e : players[i].edits) set_parameter(g, trial, e.target, e.value);
      }
      return programme_kpi_value(g, trial, programme);
    } catch (const unstable_error&) {
      throw;  // already names every saturated unit
    } catch (const error& e) {
      throw error(e.code(), fmt::format("with {}: {}", names_of(s), e.what()));
    }
  };
  programme_result r;
  r.kpi_before = kpi_of(coalition(players.size(), false));
  const double base = r.kpi_before;
  const characteristic_function v = [&](const coalition& s) {
    bool any = false;
    for (bool b : s) any = any || b;
    if (!any) return 0.0;
    const double kpi = kpi_of(s);
    return higher_is_better ? kpi - base : base - kpi;
  };
  r.shapley = shapley_values(players.size(), v, options);
  r.kpi_after = higher_is_better ? base + r.shapley.grand_value : base - r.shapley.grand_value;
  return r;
}

}  // namespace servicechain
