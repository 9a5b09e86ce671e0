#include "servicechain/io/scenario_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "detail/number_style.hpp"
#include "detail/report_json.hpp"
#include "servicechain/io/table.hpp"

namespace servicechain {

namespace {

using detail::json_number;
using json = detail::report_json;

std::string model_title(const service_graph& g) { return g.name().empty() ? std::string("(unnamed)") : g.name(); }

json change_json(const kpi_change& k) {
  return json{{"before", json_number(k.before)}, {"after", json_number(k.after)}, {"difference", json_number(k.difference)}};
}

// A parameter's value for people and tools: `unlimited` for infinitely many servers.
json value_json(double v) { return std::isinf(v) ? json("unlimited") : json_number(v); }
std::string value_text(double v, const detail::number_style& style) {
  return std::isinf(v) ? std::string("unlimited") : style(v, 6);
}

std::string link_name(const service_graph& g, link_index l) {
  return fmt::format("{}->{}", g.id(g.link(l).provider), g.id(g.link(l).consumer));
}

// ---------------------------------------------------------------- what-if

struct edit_line {
  std::string path;
  double before, after;
};

// Each edited parameter once, in order of first edit, with its base and final values.
std::vector<edit_line> edit_lines(const service_graph& g, const model_numbers& base, const scenario& s) {
  const model_numbers after = apply_edits(g, base, s.edits);
  std::vector<edit_line> lines;
  std::vector<parameter> seen;
  for (const auto& e : s.edits) {
    if (std::find(seen.begin(), seen.end(), e.target) != seen.end()) continue;
    seen.push_back(e.target);
    lines.push_back({parameter_path(g, e.target), parameter_value(g, base, e.target), parameter_value(g, after, e.target)});
  }
  return lines;
}

bool changed(const kpi_change& k) { return k.difference != 0.0; }
bool queue_changed(const unit_change& u) {
  return changed(u.load) || changed(u.utilization) || changed(u.wait) || changed(u.sojourn) || changed(u.number_in_unit);
}

json whatif_head(const service_graph& g) {
  json j;
  j["model"] = g.name();
  j["time_unit"] = g.time_unit();
  j["currency"] = g.currency();
  return j;
}

json ids_json(const std::vector<std::string>& ids) {
  json a = json::array();
  for (const auto& id : ids) a.push_back(id);
  return a;
}

void add_comparison(json& j, const service_graph& g, const scenario_comparison& c);

json whatif_json(const service_graph& g, const model_numbers& base, const scenario& s, const scenario_comparison& c) {
  json j = whatif_head(g);
  json edits = json::array();
  for (const auto& e : edit_lines(g, base, s))
    edits.push_back({{"parameter", e.path}, {"before", value_json(e.before)}, {"after", value_json(e.after)}});
  j["scenario"] = {{"set", std::move(edits)}, {"demand_scale", s.demand_scale}};
  add_comparison(j, g, c);
  return j;
}

json against_json(const service_graph& g, const organization_comparison& o, std::string_view base_name) {
  json j = whatif_head(g);
  j["against"] = {{"base", std::string(base_name)},
                  {"added_units", ids_json(o.added_units)},
                  {"removed_units", ids_json(o.removed_units)},
                  {"added_links", ids_json(o.added_links)},
                  {"removed_links", ids_json(o.removed_links)}};
  add_comparison(j, g, o.common);
  return j;
}

void add_comparison(json& j, const service_graph& g, const scenario_comparison& c) {
  j["total_cost"] = change_json(c.total_cost);
  j["mean_lead_time"] = change_json(c.mean_lead_time);
  json customers = json::array();
  for (const auto& cu : c.customers) {
    customers.push_back({{"customer", g.id(cu.customer)},
                         {"demand", change_json(cu.demand)},
                         {"lead_time", change_json(cu.lead_time)},
                         {"cost_to_serve", change_json(cu.cost_to_serve)},
                         {"defect_free", change_json(cu.defect_free)}});
  }
  j["customers"] = std::move(customers);
  json units = json::array();
  for (const auto& u : c.units) {
    if (g.is_external(u.unit)) continue;
    units.push_back({{"unit", g.id(u.unit)},
                     {"load", change_json(u.load)},
                     {"utilization", change_json(u.utilization)},
                     {"wait", change_json(u.wait)},
                     {"sojourn", change_json(u.sojourn)},
                     {"number_in_unit", change_json(u.number_in_unit)},
                     {"cost_per_service", change_json(u.cost_per_service)},
                     {"cost_per_item", change_json(u.cost_per_item)},
                     {"lead_time_per_item", change_json(u.lead_time_per_item)},
                     {"defect_free_per_item", change_json(u.defect_free_per_item)}});
  }
  j["units"] = std::move(units);
  json links = json::array();
  for (const auto& l : c.links) {
    links.push_back({{"from", g.id(g.link(l.link).provider)},
                     {"to", g.id(g.link(l.link).consumer)},
                     {"load", change_json(l.load)},
                     {"wait", change_json(l.wait)},
                     {"sojourn", change_json(l.sojourn)}});
  }
  j["links"] = std::move(links);
}

// Long format for tools: one row per (scope, id, KPI).
std::string whatif_csv(const service_graph& g, const scenario_comparison& c) {
  const detail::number_style exact{.exact = true};
  text_table t({"scope", "id", "kpi", "before", "after", "difference"}, 3);
  const auto row = [&](const char* scope, const std::string& id, const char* kpi, const kpi_change& k) {
    t.add_row({scope, id, kpi, exact(k.before), exact(k.after), exact(k.difference)});
  };
  row("model", g.name(), "total_cost", c.total_cost);
  row("model", g.name(), "mean_lead_time", c.mean_lead_time);
  for (const auto& cu : c.customers) {
    const std::string& id = g.id(cu.customer);
    row("customer", id, "demand", cu.demand);
    row("customer", id, "lead_time", cu.lead_time);
    row("customer", id, "cost_to_serve", cu.cost_to_serve);
    row("customer", id, "defect_free", cu.defect_free);
  }
  for (const auto& u : c.units) {
    if (g.is_external(u.unit)) continue;
    const std::string& id = g.id(u.unit);
    row("unit", id, "load", u.load);
    row("unit", id, "utilization", u.utilization);
    row("unit", id, "wait", u.wait);
    row("unit", id, "sojourn", u.sojourn);
    row("unit", id, "number_in_unit", u.number_in_unit);
    row("unit", id, "cost_per_service", u.cost_per_service);
    row("unit", id, "cost_per_item", u.cost_per_item);
    row("unit", id, "lead_time_per_item", u.lead_time_per_item);
    row("unit", id, "defect_free_per_item", u.defect_free_per_item);
  }
  for (const auto& l : c.links) {
    const std::string id = link_name(g, l.link);
    row("link", id, "load", l.load);
    row("link", id, "wait", l.wait);
    row("link", id, "sojourn", l.sojourn);
  }
  return t.to_csv();
}

std::string percent(const kpi_change& k) {
  if (k.difference == 0.0) return "0%";
  if (k.before == 0.0) return "-";
  return fmt::format("{:+.1f}%", 100.0 * k.difference / k.before);
}

std::string whatif_body(const service_graph& g, const scenario_comparison& c);

std::string whatif_text(const service_graph& g, const model_numbers& base, const scenario& s,
                        const scenario_comparison& c) {
  const detail::number_style style;
  std::string out = fmt::format("What-if: {}  (time unit: {}, currency: {})\n", model_title(g), g.time_unit(),
                                g.currency().empty() ? "-" : g.currency());
  const auto lines = edit_lines(g, base, s);
  if (lines.empty() && s.demand_scale == 1) out += "No edits: the scenario is the model as given.\n";
  for (const auto& e : lines)
    out += fmt::format("  set {}: {} -> {}\n", e.path, value_text(e.before, style), value_text(e.after, style));
  if (s.demand_scale != 1) out += fmt::format("  every open class's demand x {}\n", s.demand_scale);
  return out + whatif_body(g, c);
}

std::string id_list(const std::vector<std::string>& ids) {
  std::string text;
  for (const auto& id : ids) {
    if (!text.empty()) text += ", ";
    text += id;
  }
  return text.empty() ? std::string("none") : text;
}

std::string against_text(const service_graph& g, const organization_comparison& o, std::string_view base_name) {
  std::string out = fmt::format("What-if: {} against the base {}  (time unit: {}, currency: {})\n", model_title(g),
                                base_name, g.time_unit(), g.currency().empty() ? "-" : g.currency());
  out += fmt::format("  units added: {}; removed: {}\n", id_list(o.added_units), id_list(o.removed_units));
  out += fmt::format("  links added: {}; removed: {}\n", id_list(o.added_links), id_list(o.removed_links));
  out += "  (figures of the units, links and customers both have)\n";
  return out + whatif_body(g, o.common);
}

std::string whatif_body(const service_graph& g, const scenario_comparison& c) {
  const detail::number_style style;
  std::string out;
  const std::string tu = g.time_unit();
  text_table customers({"customer", fmt::format("lead time ({})", tu), "after", "change", "%", "cost to serve",
                        "after", "change", "defect-free", "after"});
  for (const auto& cu : c.customers) {
    customers.add_row({g.id(cu.customer), style(cu.lead_time.before), style(cu.lead_time.after),
                       style(cu.lead_time.difference), percent(cu.lead_time), style(cu.cost_to_serve.before),
                       style(cu.cost_to_serve.after), style(cu.cost_to_serve.difference), style(cu.defect_free.before),
                       style(cu.defect_free.after)});
  }
  out += fmt::format("\nCustomers\n{}", customers.to_text());
  out += fmt::format("\nMean lead time (weighted by demand): {} -> {} {} ({})\n", style(c.mean_lead_time.before),
                     style(c.mean_lead_time.after), tu, percent(c.mean_lead_time));
  out += fmt::format("Total cost: {} -> {} per {} ({})\n", style(c.total_cost.before), style(c.total_cost.after), tu,
                     percent(c.total_cost));

  // Units whose queue changed, the largest change of sojourn first (per-item figures,
  // which follow their providers' changes, are in the JSON and CSV).
  std::vector<const unit_change*> moved;
  for (const auto& u : c.units)
    if (!g.is_external(u.unit) && queue_changed(u)) moved.push_back(&u);
  std::stable_sort(moved.begin(), moved.end(), [](const unit_change* a, const unit_change* b) {
    return std::abs(a->sojourn.difference) > std::abs(b->sojourn.difference);
  });
  constexpr std::size_t shown = 20;
  if (moved.empty()) {
    out += "\nNo unit's queue changes.\n";
    return out;
  }
  text_table units({"unit", "utilization", "after", "load", "after", fmt::format("sojourn ({})", tu), "after", "change",
                    "%"});
  for (std::size_t k = 0; k < std::min(shown, moved.size()); ++k) {
    const unit_change& u = *moved[k];
    units.add_row({g.id(u.unit), style(u.utilization.before), style(u.utilization.after), style(u.load.before),
                   style(u.load.after), style(u.sojourn.before), style(u.sojourn.after), style(u.sojourn.difference),
                   percent(u.sojourn)});
  }
  std::size_t internal = 0;
  for (const auto& u : c.units) internal += g.is_external(u.unit) ? 0 : 1;
  out += fmt::format("\nUnits whose queue changes ({} of {}, largest change of sojourn first)\n{}", moved.size(),
                     internal, units.to_text());
  if (moved.size() > shown) out += fmt::format("... {} more (see --format json or csv)\n", moved.size() - shown);
  return out;
}

// ---------------------------------------------------------------- sweep

std::string swept_name(const service_graph& g, const sweep_result& r) {
  return r.target ? parameter_path(g, *r.target) : std::string("demand_scale");
}

json saturated_json(const std::vector<saturated_unit>& units) {
  json a = json::array();
  for (const auto& s : units) {
    a.push_back({{"unit", s.id},
                 {"utilization", json_number(s.utilization)},
                 {"load", json_number(s.load)},
                 {"capacity", json_number(s.capacity)}});
  }
  return a;
}

json sweep_json(const service_graph& g, const sweep_result& r) {
  json j;
  j["model"] = g.name();
  j["time_unit"] = g.time_unit();
  j["parameter"] = swept_name(g, r);
  if (r.first_saturated) {
    const sweep_step& s = r.steps[*r.first_saturated];
    json ids = json::array();
    for (const auto& u : s.saturated) ids.push_back(u.id);
    j["first_saturated"] = {{"value", s.value}, {"units", std::move(ids)}};
  } else {
    j["first_saturated"] = nullptr;
  }
  json steps = json::array();
  for (const auto& s : r.steps) {
    json step;
    step["value"] = json_number(s.value);
    step["saturated"] = s.is_saturated;
    if (s.is_saturated) {
      step["lead_time"] = nullptr;
      step["mean_lead_time"] = nullptr;
    } else {
      json lead = json::object();
      for (std::size_t c = 0; c < s.lead_time.size(); ++c) lead[g.id(g.customers()[c])] = json_number(s.lead_time[c]);
      step["lead_time"] = std::move(lead);
      step["mean_lead_time"] = json_number(s.mean_lead_time);
    }
    json busiest = json::array();
    for (const auto& b : s.busiest) busiest.push_back({{"unit", g.id(b.unit)}, {"utilization", json_number(b.utilization)}});
    step["busiest"] = std::move(busiest);
    step["saturated_units"] = saturated_json(s.saturated);
    steps.push_back(std::move(step));
  }
  j["steps"] = std::move(steps);
  return j;
}

std::string saturated_list(const std::vector<saturated_unit>& units, const detail::number_style& style) {
  std::string text;
  for (const auto& u : units) {
    if (!text.empty()) text += "; ";
    text += fmt::format("{} (utilization {})", u.id, style(u.utilization));
  }
  return text;
}

text_table sweep_table(const service_graph& g, const sweep_result& r, bool exact) {
  const detail::number_style style{.exact = exact};
  std::size_t top = 0;
  for (const auto& s : r.steps) top = std::max(top, s.busiest.size());
  std::vector<std::string> headers{swept_name(g, r)};
  const std::string tu = exact ? "" : fmt::format(" ({})", g.time_unit());
  for (unit_index c : g.customers())
    headers.push_back(exact ? fmt::format("lead_time:{}", g.id(c)) : fmt::format("lead time {}{}", g.id(c), tu));
  headers.push_back(exact ? std::string("mean_lead_time") : fmt::format("mean{}", tu));
  for (std::size_t k = 0; k < top; ++k) {
    if (exact) {
      headers.push_back(fmt::format("busiest_{}", k + 1));
      headers.push_back(fmt::format("utilization_{}", k + 1));
    } else {
      headers.push_back(fmt::format("busiest #{}", k + 1));
    }
  }
  headers.push_back(exact ? "saturated_units" : "saturated");
  text_table t(headers);
  for (const auto& s : r.steps) {
    std::vector<std::string> row{style(s.value, 6)};
    for (std::size_t c = 0; c < g.class_count(); ++c)
      row.push_back(s.is_saturated ? (exact ? "" : "saturated") : style(s.lead_time[c]));
    row.push_back(s.is_saturated ? (exact ? "" : "saturated") : style(s.mean_lead_time));
    for (std::size_t k = 0; k < top; ++k) {
      const bool has = k < s.busiest.size();
      if (exact) {
        row.push_back(has ? g.id(s.busiest[k].unit) : "");
        row.push_back(has ? style(s.busiest[k].utilization) : "");
      } else {
        row.push_back(has ? fmt::format("{} {}", g.id(s.busiest[k].unit), style(s.busiest[k].utilization, 3)) : "");
      }
    }
    if (exact) {
      std::string ids;
      for (const auto& u : s.saturated) {
        if (!ids.empty()) ids += ';';
        ids += u.id;
      }
      row.push_back(ids);
    } else {
      row.push_back(s.is_saturated ? saturated_list(s.saturated, style) : "");
    }
    t.add_row(std::move(row));
  }
  return t;
}

std::string sweep_text(const service_graph& g, const sweep_result& r) {
  const detail::number_style style;
  std::string out = fmt::format("Sweep of {}: {}  (time unit: {}; busiest units by utilization)\n\n", swept_name(g, r),
                                model_title(g), g.time_unit());
  out += sweep_table(g, r, false).to_text();
  if (r.first_saturated) {
    const sweep_step& s = r.steps[*r.first_saturated];
    out += fmt::format("\nFirst saturated step: {} = {}: {}\n", swept_name(g, r), style(s.value, 6), saturated_list(s.saturated, style));
  } else {
    out += "\nNo step saturates a unit.\n";
  }
  return out;
}

// ---------------------------------------------------------------- knock-out

std::string loss_name(const knockout_result& r) {
  return r.capacity_loss ? fmt::format("{}% of its capacity", 100.0 * *r.capacity_loss) : std::string("one server");
}

json knockout_json(const service_graph& g, const knockout_result& r) {
  json j;
  j["model"] = g.name();
  j["time_unit"] = g.time_unit();
  j["loss"] = r.capacity_loss ? json{{"capacity_loss", *r.capacity_loss}} : json("one_server");
  json lead = json::object();
  for (std::size_t c = 0; c < r.lead_time.size(); ++c) lead[g.id(g.customers()[c])] = json_number(r.lead_time[c]);
  j["lead_time"] = std::move(lead);
  j["mean_lead_time"] = json_number(r.mean_lead_time);
  json units = json::array();
  for (const auto& k : r.units) {
    json u;
    u["unit"] = g.id(k.unit);
    u["applicable"] = k.applicable;
    u["loses_all_servers"] = k.loses_all_servers;
    u["unstable"] = k.unstable;
    u["utilization_before"] = json_number(k.utilization_before);
    u["utilization_after"] = k.loses_all_servers && k.unstable ? json(nullptr) : json_number(k.utilization_after);
    if (k.unstable) {
      u["lead_time"] = nullptr;
      u["lead_time_change"] = nullptr;
      u["mean_lead_time_change"] = nullptr;
    } else {
      json after = json::object(), change = json::object();
      for (std::size_t c = 0; c < k.lead_time.size(); ++c) {
        after[g.id(g.customers()[c])] = json_number(k.lead_time[c]);
        change[g.id(g.customers()[c])] = json_number(k.lead_time_change[c]);
      }
      u["lead_time"] = std::move(after);
      u["lead_time_change"] = std::move(change);
      u["mean_lead_time_change"] = json_number(k.mean_lead_time_change);
    }
    u["saturated_units"] = saturated_json(k.saturated);
    units.push_back(std::move(u));
  }
  j["units"] = std::move(units);
  json unstable = json::array();
  for (unit_index u : r.unstable) unstable.push_back(g.id(u));
  j["unstable"] = std::move(unstable);
  return j;
}

std::string knockout_status(const service_graph& g, const unit_knockout& k, const detail::number_style& style) {
  if (!k.applicable) return "unlimited servers";
  if (k.loses_all_servers) return k.unstable ? "unstable: loses its only server" : "no load";
  if (k.unstable) return fmt::format("unstable: {}", saturated_list(k.saturated, style));
  (void)g;
  return "";
}

// Units in report order: unstable first, then by the change of the mean lead time, largest first.
std::vector<const unit_knockout*> knockout_order(const knockout_result& r) {
  std::vector<const unit_knockout*> order;
  for (const auto& k : r.units) order.push_back(&k);
  std::stable_sort(order.begin(), order.end(), [](const unit_knockout* a, const unit_knockout* b) {
    if (a->unstable != b->unstable) return a->unstable;
    return a->mean_lead_time_change > b->mean_lead_time_change;
  });
  return order;
}

text_table knockout_table(const service_graph& g, const knockout_result& r, bool exact) {
  const detail::number_style style{.exact = exact};
  const std::string tu = exact ? "" : fmt::format(" ({})", g.time_unit());
  std::vector<std::string> headers{"unit", "status", "utilization_before", "utilization_after"};
  if (!exact) headers = {"unit", "status", "utilization", "after"};
  for (unit_index c : g.customers())
    headers.push_back(exact ? fmt::format("lead_time_change:{}", g.id(c)) : fmt::format("lead time change {}{}", g.id(c), tu));
  headers.push_back(exact ? std::string("mean_lead_time_change") : fmt::format("mean change{}", tu));
  text_table t(headers, 2);
  std::vector<const unit_knockout*> order;  // model order for tools, report order for people
  if (exact) {
    for (const auto& k : r.units) order.push_back(&k);
  } else {
    order = knockout_order(r);
  }
  for (const unit_knockout* k : order) {
    std::vector<std::string> row{g.id(k->unit), knockout_status(g, *k, style), style(k->utilization_before),
                                 k->loses_all_servers && k->unstable ? style.none() : style(k->utilization_after)};
    for (std::size_t c = 0; c < g.class_count(); ++c)
      row.push_back(k->unstable ? style.none() : style(k->lead_time_change[c]));
    row.push_back(k->unstable ? style.none() : style(k->mean_lead_time_change));
    t.add_row(std::move(row));
  }
  return t;
}

std::string knockout_text(const service_graph& g, const knockout_result& r) {
  const detail::number_style style;
  std::string out = fmt::format("Knock-out: every unit losing {}, one at a time: {}  (time unit: {})\n",
                                loss_name(r), model_title(g), g.time_unit());
  out += "Lead time as given:";
  for (std::size_t c = 0; c < r.lead_time.size(); ++c)
    out += fmt::format(" {} {}", g.id(g.customers()[c]), style(r.lead_time[c]));
  out += fmt::format("; mean {}\n\n", style(r.mean_lead_time));
  out += knockout_table(g, r, false).to_text();
  if (r.unstable.empty()) {
    out += fmt::format("\nNo unit's loss of {} makes the system unstable.\n", loss_name(r));
  } else {
    std::string ids;
    for (unit_index u : r.unstable) {
      if (!ids.empty()) ids += ", ";
      ids += g.id(u);
    }
    out += fmt::format("\nUnits whose loss of {} makes the system unstable ({}): {}\n", loss_name(r), r.unstable.size(), ids);
  }
  return out;
}

}  // namespace

std::string whatif_report(const service_graph& g, const model_numbers& base, const scenario& s,
                          const scenario_comparison& comparison, report_format format) {
  switch (format) {
    case report_format::json: return whatif_json(g, base, s, comparison).dump(2) + "\n";
    case report_format::csv: return whatif_csv(g, comparison);
    case report_format::table: break;
  }
  return whatif_text(g, base, s, comparison);
}

std::string whatif_report(const service_graph& edited_graph, const organization_comparison& comparison,
                          std::string_view base_name, report_format format) {
  switch (format) {
    case report_format::json: return against_json(edited_graph, comparison, base_name).dump(2) + "\n";
    case report_format::csv: return whatif_csv(edited_graph, comparison.common);
    case report_format::table: break;
  }
  return against_text(edited_graph, comparison, base_name);
}

std::string sweep_report(const service_graph& g, const sweep_result& sweep, report_format format) {
  switch (format) {
    case report_format::json: return sweep_json(g, sweep).dump(2) + "\n";
    case report_format::csv: return sweep_table(g, sweep, true).to_csv();
    case report_format::table: break;
  }
  return sweep_text(g, sweep);
}

std::string knockout_report(const service_graph& g, const knockout_result& knockout, report_format format) {
  switch (format) {
    case report_format::json: return knockout_json(g, knockout).dump(2) + "\n";
    case report_format::csv: return knockout_table(g, knockout, true).to_csv();
    case report_format::table: break;
  }
  return knockout_text(g, knockout);
}

}  // namespace servicechain
