#include "servicechain/io/policy_report.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "servicechain/io/table.hpp"

namespace servicechain {

namespace {

// Beyond this many customers, per-customer columns of the text table become rows (as in
// closed_report.cpp), so that the table stays readable and narrow.
constexpr std::size_t many_customers = 6;

using json = nlohmann::ordered_json;

json lead_times(const service_graph& g, std::span<const double> lead_time) {
  json j = json::object();
  for (std::size_t c = 0; c < lead_time.size(); ++c) j[g.id(g.customers()[c])] = lead_time[c];
  return j;
}

json policy_json(const service_graph& g, const policy_result& r) {
  json j;
  j["model"] = g.name();
  j["time_unit"] = g.time_unit();
  j["lead_time"] = lead_times(g, r.lead_time);
  j["mean_lead_time"] = r.mean_lead_time;
  json units = json::array();
  for (const auto& up : r.units) {
    json ju;
    ju["unit"] = g.id(up.unit);
    json alternatives = json::array();
    for (const auto& a : up.alternatives) {
      alternatives.push_back({{"name", a.name},
                              {"discipline", std::string(to_string(a.queue_discipline))},
                              {"preemptive", a.preemptive},
                              {"lead_time", lead_times(g, a.lead_time)},
                              {"mean_lead_time", a.mean_lead_time}});
    }
    ju["alternatives"] = std::move(alternatives);
    ju["best"] = up.alternatives[up.best].name;
    if (!up.cmu_order.empty()) {
      json order = json::array();
      for (std::size_t k = 0; k < up.cmu_order.size(); ++k)
        order.push_back({{"to", g.id(g.link(up.cmu_order[k]).consumer)}, {"delay_cost", up.delay_cost[k]}});
      ju["cmu_order"] = std::move(order);
    }
    units.push_back(std::move(ju));
  }
  j["units"] = std::move(units);
  return j;
}

// One row per (unit, alternative): each customer's lead time and the mean.
text_table policy_table(const service_graph& g, const policy_result& r, bool exact) {
  std::vector<std::string> headers{"unit", "discipline"};
  const bool columns = g.class_count() <= many_customers;  // else policy_by_customer has them
  if (columns)
    for (unit_index c : g.customers()) headers.push_back(fmt::format("lead time {} ({})", g.id(c), g.time_unit()));
  headers.push_back(fmt::format("mean lead time ({})", g.time_unit()));
  headers.push_back("best");
  text_table t(headers);
  auto number = [exact](double v) { return exact ? fmt::format("{}", v) : format_number(v, 4); };
  for (const auto& up : r.units) {
    for (std::size_t k = 0; k < up.alternatives.size(); ++k) {
      const auto& a = up.alternatives[k];
      std::vector<std::string> row{g.id(up.unit), a.name};
      if (columns)
        for (double v : a.lead_time) row.push_back(number(v));
      row.push_back(number(a.mean_lead_time));
      row.push_back(k == up.best ? "*" : "");
      t.add_row(std::move(row));
    }
  }
  return t;
}

// Tidy: one row per unit, alternative and customer (the text table has a column per customer).
std::string policy_csv(const service_graph& g, const policy_result& r) {
  const std::string time = g.time_unit();
  text_table t({"unit", "discipline", "customer", "lead time (" + time + ")", "mean lead time (" + time + ")", "best"}, 3);
  for (const auto& up : r.units) {
    for (std::size_t k = 0; k < up.alternatives.size(); ++k) {
      const auto& a = up.alternatives[k];
      for (std::size_t c = 0; c < a.lead_time.size(); ++c)
        t.add_row({g.id(up.unit), a.name, g.id(g.customers()[c]), fmt::format("{}", a.lead_time[c]),
                   fmt::format("{}", a.mean_lead_time), k == up.best ? "true" : "false"});
    }
  }
  return t.to_csv();
}

// With many customers: one row per unit, alternative and customer.
text_table policy_by_customer(const service_graph& g, const policy_result& r) {
  text_table t({"unit", "discipline", "customer", fmt::format("lead time ({})", g.time_unit())}, 3);
  for (const auto& up : r.units)
    for (const auto& a : up.alternatives)
      for (std::size_t c = 0; c < a.lead_time.size(); ++c)
        t.add_row({g.id(up.unit), a.name, g.id(g.customers()[c]), format_number(a.lead_time[c], 4)});
  return t;
}

std::string policy_text(const service_graph& g, const policy_result& r) {
  std::string out = fmt::format("Model: {}  (time unit: {})\n\n", g.name().empty() ? "(unnamed)" : g.name(), g.time_unit());
  if (r.units.empty()) {
    return out + "No unit serves both internal and external consumers; name units with --unit to compare disciplines.\n";
  }
  out += fmt::format("Lead time with each discipline at one unit, the rest as given (mean weighted by demand)\n{}\n",
                     policy_table(g, r, false).to_text());
  if (g.class_count() > many_customers)
    out += fmt::format("Lead time by customer with each discipline\n{}\n", policy_by_customer(g, r).to_text());
  for (const auto& up : r.units) {
    if (up.cmu_order.empty()) continue;
    out += fmt::format("cμ order at {} (serve first the largest delay cost per unit of service time):", g.id(up.unit));
    for (std::size_t k = 0; k < up.cmu_order.size(); ++k)
      out += fmt::format(" {}{}", k == 0 ? "" : "> ", g.id(g.link(up.cmu_order[k]).consumer));
    out += "\n";
  }
  return out;
}

}  // namespace

std::string policy_report(const service_graph& g, const policy_result& policies, report_format format) {
  switch (format) {
    case report_format::json:
      return policy_json(g, policies).dump(2) + "\n";
    case report_format::csv:
      return policy_csv(g, policies);
    case report_format::table:
      break;
  }
  return policy_text(g, policies);
}

}  // namespace servicechain
