// `servicechain contributions MODEL [--kpi lead_time|cost|defects|throughput] [--customer ID]
// [--top N] [--format table|json|csv] [--variability poisson|propagate]`: the sensitivity
// of every KPI to every parameter by reverse (adjoint) propagation, ranked by elasticity,
// and the exact effect of one server more or less at each unit (docs/sensitivities.md).

#include <cstdint>
#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "servicechain/analysis/closed_network.hpp"
#include "servicechain/analysis/contribution.hpp"
#include "servicechain/error.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/io/contribution_report.hpp"
#include "servicechain/io/json.hpp"

#include <fmt/format.h>

namespace servicechain::cli {

namespace {

// --kpi names a family of KPIs.
bool in_family(kpi_kind kind, const std::string& family) {
  if (family.empty()) return true;
  if (family == "lead_time") return kind == kpi_kind::lead_time || kind == kpi_kind::mean_lead_time;
  if (family == "cost") return kind == kpi_kind::cost_to_serve || kind == kpi_kind::total_cost;
  if (family == "defects") return kind == kpi_kind::defect_free;
  return kind == kpi_kind::max_demand_scale;  // throughput
}

}  // namespace

int contributions_command(const command_options& options) {
  const service_graph g = compile(load_organization(options.model));
  if (has_closed_classes(g, g.numbers())) {
    throw error(error_code::invalid_argument,
                fmt::format("{}: the model has closed classes; contributions differentiates the open analysis only",
                            options.model));
  }
  std::optional<std::size_t> customer;
  if (!options.customer.empty()) {
    const unit_index u = g.index_of(options.customer);  // unknown_id error naming it
    customer = g.class_of(u);
    if (!customer) {
      throw error(error_code::invalid_argument,
                  fmt::format("--customer = '{}', but it is an internal unit, not an external customer", options.customer));
    }
  }
  const contribution_options opts{.variability = options.variability == "propagate" ? arrival_variability::propagate
                                                                                     : arrival_variability::poisson};
  const sensitivity_result s = sensitivities(g, opts);  // unstable_error (exit 3) on a saturated model
  contribution_report_options report{.kpis = {},
                                     .top = options.top != SIZE_MAX ? options.top
                                            : options.format == "table" ? std::size_t{10}
                                                                        : std::size_t{0},
                                     .propagated_variability = opts.variability == arrival_variability::propagate};
  for (std::size_t k = 0; k < s.kpis().size(); ++k) {
    const auto& kpi = s.kpis()[k];
    if (!in_family(kpi.kind, options.kpi)) continue;
    if (customer && kpi.customer_class != customer) continue;
    report.kpis.push_back(k);
  }
  if (report.kpis.empty()) {
    throw error(error_code::invalid_argument,
                fmt::format("no KPI of the model matches --kpi {}{}", options.kpi.empty() ? "(all)" : options.kpi,
                            customer ? fmt::format(" --customer {}", options.customer) : std::string{}));
  }
  const auto servers = server_effects(g, g.numbers(), s.kpis(), opts);
  const std::string text = contribution_report(g, s, servers, report, *parse_report_format(options.format));
  std::fwrite(text.data(), 1, text.size(), stdout);
  return exit_ok;
}

}  // namespace servicechain::cli
