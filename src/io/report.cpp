#include "servicechain/io/report.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "servicechain/io/table.hpp"

namespace servicechain {

namespace {

using json = nlohmann::ordered_json;

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

// Tables for people round to a few significant digits; CSV for tools keeps every digit
// (the shortest text that round-trips to the same double).
struct number_style {
  bool exact = false;
  [[nodiscard]] std::string operator()(double v, int significant = 4) const {
    return exact ? fmt::format("{}", v) : format_number(v, significant);
  }
  [[nodiscard]] std::string operator()(const std::optional<double>& v, int significant = 4) const {
    return v ? (*this)(*v, significant) : std::string(exact ? "" : "-");
  }
};

std::string servers_cell(const unit_parameters& p) {
  return p.unlimited_servers ? std::string("unlimited") : fmt::format("{}", static_cast<long long>(p.servers));
}

json capacity_json(const service_graph& g, const load_result& load, const capacity_result& cap) {
  json j;
  j["model"] = g.name();
  j["time_unit"] = g.time_unit();
  j["currency"] = g.currency();
  j["stable"] = cap.stable();
  j["bottleneck"] = cap.bottleneck ? json(g.id(*cap.bottleneck)) : json(nullptr);
  j["max_demand_scale"] = optional_number(cap.max_demand_scale);
  json units = json::array();
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const auto& p = g.unit(unit_index{i});
    if (p.external) continue;
    const auto& u = cap.units[i];
    json ju;
    ju["id"] = g.id(unit_index{i});
    ju["name"] = g.display_name(unit_index{i});
    ju["servers"] = p.unlimited_servers ? json("unlimited") : json(static_cast<long long>(p.servers));
    ju["load"] = u.load;
    ju["utilization"] = u.utilization;
    ju["busy_servers"] = u.busy_servers;
    ju["headroom"] = optional_number(u.headroom);
    ju["saturation_scale"] = optional_number(u.saturation_scale);
    units.push_back(std::move(ju));
  }
  j["units"] = std::move(units);
  json customers = json::array();
  for (const auto& c : cap.customers) {
    json jc;
    jc["id"] = g.id(c.customer);
    jc["demand"] = optional_number(c.demand);
    jc["max_demand"] = optional_number(c.max_demand);
    jc["max_demand_alone"] = optional_number(c.max_demand_alone);
    jc["limiting_unit"] = c.limiting_unit ? json(g.id(*c.limiting_unit)) : json(nullptr);
    customers.push_back(std::move(jc));
  }
  j["customers"] = std::move(customers);
  json links = json::array();
  for (std::uint32_t l = 0; l < g.link_count(); ++l) {
    const auto& p = g.link(link_index{l});
    links.push_back({{"from", g.id(p.provider)},
                     {"to", g.id(p.consumer)},
                     {"flow", load.link_flow[l]},
                     {"rework_flow", load.link_rework_flow[l]}});
  }
  j["links"] = std::move(links);
  if (!cap.saturated.empty()) {
    json saturated = json::array();
    for (const auto& s : cap.saturated)
      saturated.push_back({{"id", s.id}, {"utilization", s.utilization}, {"load", s.load}, {"capacity", s.capacity}});
    j["saturated"] = std::move(saturated);
  }
  return j;
}

struct capacity_tables {
  text_table units, customers, links;
};

capacity_tables make_tables(const service_graph& g, const load_result& load, const capacity_result& cap,
                            number_style num) {
  const std::string per_time = "/" + g.time_unit();
  capacity_tables t{text_table({"unit", "servers", "load (" + per_time + ")", "utilization", "busy servers",
                                "headroom", "saturation scale"}),
                    text_table({"customer", "demand (" + per_time + ")", "max demand (" + per_time + ")",
                                "max demand alone (" + per_time + ")", "limited by"}),
                    text_table({"from", "to", "flow (" + per_time + ")", "rework flow (" + per_time + ")"})};
  // Bottleneck first: the order a manager reads in. Unlimited units follow.
  std::vector<unit_index> order = cap.ranking;
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const auto& p = g.unit(unit_index{i});
    if (!p.external && p.unlimited_servers) order.push_back(unit_index{i});
  }
  for (unit_index u : order) {
    const auto& p = g.unit(u);
    const auto& c = cap.units[u.value()];
    t.units.add_row({g.id(u), servers_cell(p), num(c.load),
                     p.unlimited_servers ? std::string(num.exact ? "" : "-") : num(c.utilization, 3),
                     num(c.busy_servers), num(c.headroom, 3), num(c.saturation_scale, 3)});
  }
  for (const auto& c : cap.customers) {
    t.customers.add_row({g.id(c.customer), num(c.demand), num(c.max_demand), num(c.max_demand_alone),
                         c.limiting_unit ? g.id(*c.limiting_unit) : std::string(num.exact ? "" : "-")});
  }
  for (std::uint32_t l = 0; l < g.link_count(); ++l) {
    const auto& p = g.link(link_index{l});
    t.links.add_row({g.id(p.provider), g.id(p.consumer), num(load.link_flow[l]), num(load.link_rework_flow[l])});
  }
  return t;
}

std::string capacity_text(const service_graph& g, const load_result& load, const capacity_result& cap) {
  const number_style num{.exact = false};
  const auto t = make_tables(g, load, cap, num);
  std::string out = fmt::format("Model: {}  (time unit: {})\n\n", g.name().empty() ? "(unnamed)" : g.name(),
                                g.time_unit());
  out += "Capacity by unit (bottleneck first)\n" + t.units.to_text() + "\n";
  out += "Customers\n" + t.customers.to_text() + "\n";
  out += "Links\n" + t.links.to_text() + "\n";
  if (cap.bottleneck) {
    const auto& b = cap.units[cap.bottleneck->value()];
    out += fmt::format("Bottleneck: {} (utilization {}); every demand can grow by a factor of {} before it saturates.\n",
                       g.id(*cap.bottleneck), num(b.utilization, 3), num(cap.max_demand_scale, 4));
  } else {
    out += "No unit carries load.\n";
  }
  if (!cap.stable()) {
    out += fmt::format("UNSTABLE: {} saturated unit{}:", cap.saturated.size(), cap.saturated.size() == 1 ? "" : "s");
    for (const auto& s : cap.saturated) out += fmt::format(" {} (utilization {})", s.id, format_number(s.utilization, 4));
    out += "\n";
  }
  return out;
}

std::string capacity_csv(const service_graph& g, const load_result& load, const capacity_result& cap) {
  const auto t = make_tables(g, load, cap, number_style{.exact = true});
  return "# units\n" + t.units.to_csv() + "\n# customers\n" + t.customers.to_csv() + "\n# links\n" +
         t.links.to_csv();
}

}  // namespace

std::optional<report_format> parse_report_format(std::string_view name) noexcept {
  if (name == "table") return report_format::table;
  if (name == "json") return report_format::json;
  if (name == "csv") return report_format::csv;
  return std::nullopt;
}

std::string capacity_report(const service_graph& g, const load_result& load, const capacity_result& capacity,
                            report_format format) {
  switch (format) {
    case report_format::json:
      return capacity_json(g, load, capacity).dump(2) + "\n";
    case report_format::csv:
      return capacity_csv(g, load, capacity);
    case report_format::table:
      break;
  }
  return capacity_text(g, load, capacity);
}

}  // namespace servicechain
