#include "servicechain/analysis/sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "detail/work.hpp"
#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/scenario.hpp"

namespace servicechain {

namespace {

double parse_number(std::string_view part, std::string_view text, std::string_view what) {
  double value = 0;
  const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
  if (part.empty() || ec != std::errc{} || end != part.data() + part.size() || !std::isfinite(value)) {
    throw error(error_code::invalid_argument,
                fmt::format("{} = '{}': '{}' is not a finite number; a range is FROM:TO:STEP, e.g. 0.5:1.2:0.05",
                            what, text, part));
  }
  return value;
}

// ρ = Σ λ_l s_l / servers of every capacity-limited internal unit, from the flows stage
// (known for saturated steps too), the `top` highest first.
std::vector<unit_utilization> busiest_units(const service_graph& g, const model_numbers& numbers,
                                            const load_result& load, std::size_t top) {
  std::vector<unit_utilization> all;
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const unit_index u{i};
    if (g.is_external(u) || numbers.unit(u).unlimited_servers) continue;
    all.push_back({u, load.total_work[i] / numbers.unit(u).servers});
  }
  const std::size_t k = std::min(top, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end(),
                    [](const unit_utilization& a, const unit_utilization& b) {
                      return a.utilization > b.utilization || (a.utilization == b.utilization && a.unit < b.unit);
                    });
  all.resize(k);
  return all;
}

}  // namespace

std::vector<double> sweep_range::values() const {
  std::vector<double> out;
  if (to == from || step <= 0) return {from};
  // Values within a millionth of a step past `to` count as `to` (0.5:1.2:0.05 ends at 1.2).
  const auto count = static_cast<std::size_t>(std::floor((to - from) / step + 1e-6)) + 1;
  out.reserve(count);
  for (std::size_t k = 0; k < count; ++k) {
    // from + k·step, rounded to 15 significant digits so that 0.5 + 13·0.05 is 1.15, not
    // 1.1500000000000001: the grid the user typed, to the precision a double carries.
    const double raw = std::min(from + static_cast<double>(k) * step, to);
    out.push_back(std::stod(fmt::format("{:.15g}", raw)));
  }
  return out;
}

sweep_range parse_sweep_range(std::string_view text, std::string_view what) {
  const std::size_t first = text.find(':');
  if (first == std::string_view::npos) {
    const double v = parse_number(text, text, what);
    return {v, v, 0};
  }
  const std::size_t second = text.find(':', first + 1);
  if (second == std::string_view::npos || text.find(':', second + 1) != std::string_view::npos) {
    throw error(error_code::invalid_argument,
                fmt::format("{} = '{}': a range is FROM:TO:STEP, e.g. 0.5:1.2:0.05", what, text));
  }
  sweep_range r{parse_number(text.substr(0, first), text, what),
                parse_number(text.substr(first + 1, second - first - 1), text, what),
                parse_number(text.substr(second + 1), text, what)};
  if (r.to < r.from) {
    throw error(error_code::invalid_argument, fmt::format("{} = '{}': TO = {} is below FROM = {}", what, text, r.to, r.from));
  }
  if (r.to > r.from && !(r.step > 0)) {
    throw error(error_code::invalid_argument, fmt::format("{} = '{}': STEP = {} must be > 0", what, text, r.step));
  }
  if (r.to > r.from && (r.to - r.from) / r.step + 1 > static_cast<double>(max_sweep_steps)) {
    throw error(error_code::too_large, fmt::format("{} = '{}': more than {} steps", what, text, max_sweep_steps));
  }
  return r;
}

sweep_result sweep(const service_graph& g, const model_numbers& base, const sweep_range& range,
                   const sweep_options& options) {
  sweep_result out;
  out.directory = g.directory();
  out.target = options.target;
  std::optional<load_result> reusable;  // the flows of a step, for the next steps with the same flows
  for (const double value : range.values()) {
    model_numbers numbers = base;
    if (options.target) {
      set_parameter(g, numbers, *options.target, value);
    } else {
      numbers.scale_demand(value);
    }
    load_result load;
    if (reusable && reusable->flows_revision == numbers.flows_revision()) {
      load = *reusable;
      detail::compute_work(g, numbers, load);  // the busy-server time follows the step's service times
    } else {
      load = compute_load(g, numbers);
      if (numbers.flows_revision() == base.flows_revision()) reusable = load;
    }
    sweep_step step{.value = value};
    step.busiest = busiest_units(g, numbers, load, options.top_units);
    // Saturated units are found from the flows (as analyze_open finds them) and recorded.
    step.saturated = saturated_units(g, numbers, load);
    if (step.saturated.empty()) {
      try {
        const open_result r = analyze_open(g, numbers, std::move(load), options.open);
        for (const auto& c : r.customers) step.lead_time.push_back(c.lead_time);
        step.mean_lead_time = mean_lead_time(r);
      } catch (const unstable_error& e) {  // a station model's own stability condition
        step.saturated = e.units();
      }
    }
    if (!step.saturated.empty()) {
      step.is_saturated = true;
      if (!out.first_saturated) out.first_saturated = out.steps.size();
    }
    out.steps.push_back(std::move(step));
  }
  return out;
}

}  // namespace servicechain
