#include "servicechain/io/contribution_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "detail/number_style.hpp"
#include "detail/report_json.hpp"
#include "servicechain/io/table.hpp"

namespace servicechain {

namespace {

using detail::report_json;

struct ranked {
  parameter_ref parameter;
  double value = 0;
  double derivative = 0;
  std::optional<double> elasticity;
};

// The parameters KPI k depends on, by |elasticity| (then |derivative|), largest first.
std::vector<ranked> ranking(const sensitivity_result& s, std::size_t k, std::size_t top) {
  std::vector<ranked> rows;
  for (const auto& p : s.parameters()) {
    const double d = s.derivative(k, p);
    if (d == 0.0) continue;
    rows.push_back({p, s.value(p), d, s.elasticity(k, p)});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const ranked& a, const ranked& b) {
    if (a.elasticity.has_value() != b.elasticity.has_value()) return a.elasticity.has_value();
    if (a.elasticity) return std::abs(*a.elasticity) > std::abs(*b.elasticity);
    return std::abs(a.derivative) > std::abs(b.derivative);
  });
  if (top != 0 && rows.size() > top) rows.resize(top);
  return rows;
}

// The units whose servers change KPI k, by |plus_one| (largest first); rows where neither
// change is non-zero are left out.
std::vector<const server_effect*> server_ranking(const std::vector<server_effect>& servers, std::size_t k,
                                                 std::size_t top) {
  std::vector<const server_effect*> rows;
  for (const auto& e : servers) {
    const bool minus = e.minus_one && (*e.minus_one)[k] != 0.0;
    if (e.plus_one[k] != 0.0 || minus) rows.push_back(&e);
  }
  std::stable_sort(rows.begin(), rows.end(), [k](const server_effect* a, const server_effect* b) {
    return std::abs(a->plus_one[k]) > std::abs(b->plus_one[k]);
  });
  if (top != 0 && rows.size() > top) rows.resize(top);
  return rows;
}

std::vector<std::size_t> selected(const sensitivity_result& s, const contribution_report_options& options) {
  if (!options.kpis.empty()) return options.kpis;
  std::vector<std::size_t> all(s.kpis().size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  return all;
}

std::string customer_of(const service_graph& g, const kpi_id& kpi) {
  return kpi.customer_class ? g.id(g.customers()[*kpi.customer_class]) : std::string{};
}

// "lead time of client (hour)": how a KPI is named for people.
std::string kpi_title(const service_graph& g, const kpi_id& kpi) {
  const std::string customer = customer_of(g, kpi);
  const std::string currency = g.currency().empty() ? "currency" : g.currency();
  switch (kpi.kind) {
    case kpi_kind::lead_time: return fmt::format("lead time of {} ({})", customer, g.time_unit());
    case kpi_kind::mean_lead_time: return fmt::format("mean lead time, weighted by demand ({})", g.time_unit());
    case kpi_kind::cost_to_serve: return fmt::format("cost to serve {} ({} per request)", customer, currency);
    case kpi_kind::total_cost: return fmt::format("total cost ({} per {})", currency, g.time_unit());
    case kpi_kind::defect_free: return fmt::format("defect-free probability of {}", customer);
    case kpi_kind::max_demand_scale: return "max demand scale (factor on every demand)";
  }
  return {};
}

void add_kpi_keys(report_json& j, const service_graph& g, const kpi_id& kpi) {
  j["kpi"] = std::string(to_string(kpi.kind));
  if (kpi.customer_class) j["customer"] = customer_of(g, kpi);
}

report_json contribution_json(const service_graph& g, const sensitivity_result& s,
                              const std::vector<server_effect>& servers, const contribution_report_options& options) {
  const auto kpis = selected(s, options);
  report_json j;
  j["model"] = g.name();
  j["time_unit"] = g.time_unit();
  j["currency"] = g.currency();
  j["variability"] = options.propagated_variability ? "propagate" : "poisson";
  report_json values = report_json::array();
  for (std::size_t k : kpis) {
    report_json v;
    add_kpi_keys(v, g, s.kpis()[k]);
    v["value"] = detail::json_number(s.kpi_value(k));
    values.push_back(std::move(v));
  }
  j["kpis"] = std::move(values);
  report_json rows = report_json::array();
  for (std::size_t k : kpis) {
    for (const auto& r : ranking(s, k, options.top)) {
      report_json row;
      add_kpi_keys(row, g, s.kpis()[k]);
      row["parameter"] = s.path(r.parameter);
      row["value"] = detail::json_number(r.value);
      row["derivative"] = detail::json_number(r.derivative);
      row["elasticity"] = detail::json_number(r.elasticity);
      rows.push_back(std::move(row));
    }
  }
  j["sensitivities"] = std::move(rows);
  report_json effects = report_json::array();
  for (std::size_t k : kpis) {
    for (const server_effect* ep : server_ranking(servers, k, options.top)) {
      const auto& e = *ep;
      report_json row;
      row["unit"] = g.id(e.unit);
      row["servers"] = e.servers;
      add_kpi_keys(row, g, s.kpis()[k]);
      row["plus_one"] = detail::json_number(e.plus_one[k]);
      row["minus_one"] = e.minus_one ? detail::json_number((*e.minus_one)[k]) : report_json(nullptr);
      effects.push_back(std::move(row));
    }
  }
  j["servers"] = std::move(effects);
  return j;
}

text_table contribution_csv(const service_graph& g, const sensitivity_result& s,
                            const std::vector<server_effect>& servers, const contribution_report_options& options) {
  const detail::number_style number{.exact = true};
  text_table t({"section", "kpi", "customer", "parameter", "value", "derivative", "elasticity", "plus_one",
                "minus_one"},
               4);
  const auto kpis = selected(s, options);
  for (std::size_t k : kpis) {
    const auto& kpi = s.kpis()[k];
    for (const auto& r : ranking(s, k, options.top)) {
      t.add_row({"sensitivity", std::string(to_string(kpi.kind)), customer_of(g, kpi), s.path(r.parameter),
                 number(r.value), number(r.derivative), number(r.elasticity), "", ""});
    }
  }
  for (std::size_t k : kpis) {
    for (const server_effect* ep : server_ranking(servers, k, options.top)) {
      const auto& e = *ep;
      const auto& kpi = s.kpis()[k];
      t.add_row({"servers", std::string(to_string(kpi.kind)), customer_of(g, kpi), fmt::format("units/{}/servers", g.id(e.unit)),
                 number(static_cast<double>(e.servers)), "", "", number(e.plus_one[k]),
                 e.minus_one ? number((*e.minus_one)[k]) : std::string{}});
    }
  }
  return t;
}

std::string contribution_text(const service_graph& g, const sensitivity_result& s,
                              const std::vector<server_effect>& servers, const contribution_report_options& options) {
  const detail::number_style number{};
  std::string out =
      fmt::format("Model: {}  (time unit: {})\n", g.name().empty() ? "(unnamed)" : g.name(), g.time_unit());
  if (options.propagated_variability) out += "Arrival variability propagated (QNA); the derivatives include it.\n";
  const auto kpis = selected(s, options);
  for (std::size_t k : kpis) {
    const auto rows = ranking(s, k, options.top);
    out += fmt::format("\n{} = {}: what to fix first (ranked by |elasticity| = |dK/dp · p/K|)\n",
                       kpi_title(g, s.kpis()[k]), number(s.kpi_value(k), 6));
    if (rows.empty()) {
      out += "  no parameter changes it\n";
      continue;
    }
    text_table t({"rank", "parameter", "value", "derivative", "elasticity"}, 2);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      t.add_row({std::to_string(r + 1), s.path(rows[r].parameter), number(rows[r].value), number(rows[r].derivative),
                 number(rows[r].elasticity)});
    }
    out += t.to_text();
  }
  if (!servers.empty()) {
    out += "\nOne server more (+1) or less (-1): change of each KPI, units by |+1| ('-': the unit would saturate or has "
           "one server; KPIs that servers do not change are left out)\n";
    text_table t({"unit", "servers", "kpi", "+1", "-1"}, 3);
    for (std::size_t k : kpis) {
      for (const server_effect* ep : server_ranking(servers, k, options.top)) {
        const auto& e = *ep;
        const auto& kpi = s.kpis()[k];
        std::string name(to_string(kpi.kind));
        if (kpi.customer_class) name += fmt::format(" {}", customer_of(g, kpi));
        t.add_row({g.id(e.unit), std::to_string(e.servers), name, number(e.plus_one[k]),
                   e.minus_one ? number((*e.minus_one)[k]) : number.none()});
      }
    }
    out += t.to_text();
  }
  return out;
}

}  // namespace

std::string contribution_report(const service_graph& g, const sensitivity_result& s,
                                const std::vector<server_effect>& servers, const contribution_report_options& options,
                                report_format format) {
  switch (format) {
    case report_format::json:
      return contribution_json(g, s, servers, options).dump(2) + "\n";
    case report_format::csv:
      return contribution_csv(g, s, servers, options).to_csv();
    case report_format::table:
      break;
  }
  return contribution_text(g, s, servers, options);
}

}  // namespace servicechain
