#include "servicechain/io/structure_report.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "servicechain/analysis/structure.hpp"
#include "detail/number_style.hpp"
#include "detail/json_stream.hpp"
#include "detail/report_json.hpp"
#include "servicechain/io/json.hpp"
#include "servicechain/io/table.hpp"

namespace servicechain {

namespace {

// Beyond this many customers, per-customer columns of a text table become rows (as in
// closed_report.cpp), so that tables stay readable and narrow.
constexpr std::size_t many_customers = 6;

using json = nlohmann::ordered_json;

json optional_number(const std::optional<double>& v) { return detail::json_number(v); }

std::string_view reason_name(misalignment m) {
  return m == misalignment::no_path_to_customer ? "no_path_to_customer" : "mostly_rework";
}

std::string chain_text(const service_graph& g, const service_chain& ch) {
  std::string s;
  for (std::size_t i = 0; i < ch.units.size(); ++i) {
    if (i > 0) s += " > ";
    s += g.id(ch.units[i]);
  }
  return s;
}

// Internal units, by betweenness (highest first, ties by index).
std::vector<unit_index> broker_order(const service_graph& g, const betweenness_result& b) {
  std::vector<unit_index> order;
  for (std::uint32_t u = 0; u < g.unit_count(); ++u)
    if (!g.is_external(unit_index{u})) order.emplace_back(u);
  std::stable_sort(order.begin(), order.end(),
                   [&](unit_index x, unit_index y) { return b.normalized[x.value()] > b.normalized[y.value()]; });
  return order;
}

// Streamed (detail/json_stream.hpp): maps and lists that can hold every unit are written
// entry by entry; a unit's or a customer's small record is one small DOM.
void write_structure_json(std::ostream& out, const service_graph& g, const structure_result& s) {
  detail::json_stream w(out);
  detail::begin_model_report(w, g);

  w.key("line_of_sight");
  w.begin_object();
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const unit_index u{i};
    if (g.is_external(u)) continue;
    w.key(g.id(u));
    w.begin_object();
    if (s.line_of_sight.has_load(u)) {
      for (std::size_t c = 0; c < g.class_count(); ++c)
        w.member(g.id(g.customers()[c]), s.line_of_sight.share_of(unit_index{i}, c));
    }
    w.end_object();
  }
  w.end_object();

  w.key("chains");
  if (s.chains) {
    w.begin_object();
    for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
      if (g.is_external(unit_index{i})) continue;
      json per_customer = json::object();
      for (std::size_t c = 0; c < g.class_count(); ++c) {
        json list = json::array();
        for (const auto& ch : s.chains->chains[i][c]) {
          json units = json::array();
          for (auto u : ch.units) units.push_back(g.id(u));
          list.push_back({{"units", std::move(units)}, {"flow", ch.flow}, {"gain", ch.gain}, {"share", ch.share}});
        }
        per_customer[g.id(g.customers()[c])] = std::move(list);
      }
      w.member(g.id(unit_index{i}), per_customer);
    }
    w.end_object();
  } else {
    w.value(nullptr);  // above the unit limit: ask per unit through the library
  }

  w.key("loops");
  w.begin_array();
  for (const auto& loop : s.loops) {
    json units = json::array();
    for (auto u : loop.units) units.push_back(g.id(u));
    w.value({{"units", std::move(units)},
             {"gain", loop.gain},
             {"fragile", loop.fragile},
             {"amplification", loop.amplification}});
  }
  w.end_array();

  w.key("gatekeepers");
  w.begin_object();
  for (const auto& cg : s.gatekeepers) {
    w.key(g.id(cg.customer));
    w.begin_object();
    for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
      const auto& idom = cg.tree.immediate_dominator[i];
      if (idom && unit_index{i} != cg.customer) {
        w.key(g.id(unit_index{i}));
        w.string_value(g.id(*idom));
      }
    }
    w.end_object();
  }
  w.end_object();
  w.key("gates");
  w.begin_object();
  for (const auto& cg : s.gatekeepers) {
    w.key(g.id(cg.customer));
    w.begin_array();
    for (const auto& k : cg.gatekeepers) w.value({{"id", g.id(k.unit)}, {"gated_units", k.gated_units}});
    w.end_array();
  }
  w.end_object();

  w.key("articulation_points");
  w.begin_array();
  for (auto u : s.articulation_points) w.string_value(g.id(u));
  w.end_array();

  auto per_unit = [&](std::string_view name, const auto& values) {
    w.key(name);
    w.begin_object();
    for (std::uint32_t i = 0; i < g.unit_count(); ++i) w.member(g.id(unit_index{i}), values[i]);
    w.end_object();
  };
  per_unit("betweenness", s.betweenness.normalized);
  per_unit("betweenness_raw", s.betweenness.raw);
  w.member("betweenness_exact", s.betweenness.exact);
  if (!s.betweenness.exact) {
    per_unit("betweenness_raw_standard_error", s.betweenness.standard_error);
    w.member("betweenness_sources", s.betweenness.sources_used);
  }

  const auto& cap = s.capacity_with_choices;
  w.key("max_flow");
  w.begin_object();
  w.member("value", optional_number(cap.value));
  w.member("fixed_split_value", optional_number(cap.fixed_split_value));
  w.key("min_cut");
  w.begin_array();
  for (const auto& l : cap.limiting_units) w.string_value(g.id(l.unit));
  w.end_array();
  w.member("demand", cap.demand);
  w.member("demand_scale", optional_number(cap.demand_scale));
  w.member("fixed_split_demand_scale", optional_number(cap.fixed_split_demand_scale));
  w.key("shadow_prices");
  w.begin_object();
  for (const auto& l : cap.limiting_units) w.member(g.id(l.unit), l.shadow_price);
  w.end_object();
  w.key("splits");
  w.begin_array();
  for (const auto& sp : cap.splits) {
    const auto& p = g.link(sp.link);
    w.value({{"from", g.id(p.provider)},
             {"to", g.id(p.consumer)},
             {"group", g.group_names()[static_cast<std::size_t>(p.group)]},
             {"given_requests", sp.given_requests},
             {"optimal_requests", sp.optimal_requests},
             {"flow", sp.flow}});
  }
  w.end_array();
  w.end_object();

  w.key("misaligned");
  w.begin_array();
  for (const auto& m : s.misaligned) {
    w.value({{"id", g.id(m.unit)},
             {"reason", reason_name(m.reason)},
             {"cost", m.cost},
             {"load", m.load},
             {"rework_share", m.rework_share}});
  }
  w.end_array();

  // customer id -> chain of unit ids (deepest provider first, the customer last), with the
  // lead time it carries and every unit's slack; null when a unit is saturated.
  w.key("critical_chain");
  if (s.critical_chains) {
    auto chain_ids = [&](const critical_chain& cc) {
      w.begin_array();
      for (unit_index u : cc.units) w.string_value(g.id(u));
      w.end_array();
    };
    w.begin_object();
    for (const auto& cc : *s.critical_chains) {
      w.key(g.id(cc.customer));
      chain_ids(cc);
    }
    w.end_object();
    w.key("critical_chain_detail");
    w.begin_object();
    for (const auto& cc : *s.critical_chains) {
      w.key(g.id(cc.customer));
      w.begin_object();
      w.key("units");
      chain_ids(cc);
      w.member("lead_time", cc.lead_time);
      w.key("slack");
      w.begin_object();
      for (std::uint32_t i = 0; i < g.unit_count(); ++i)
        if (cc.slack[i]) w.member(g.id(unit_index{i}), *cc.slack[i]);
      w.end_object();
      w.end_object();
    }
    w.end_object();
  } else {
    w.value(nullptr);
  }
  w.end_object();
  w.finish();
}

using detail::number_style;

struct structure_tables {
  text_table line_of_sight, chains, loops, gatekeepers, articulation, brokers, choices, splits, misaligned;
};

structure_tables make_tables(const service_graph& g, const structure_result& s, number_style num) {
  const std::string per_time = "/" + g.time_unit();
  // A column per customer, or with many customers a row per unit and customer it works for.
  const bool los_rows = g.class_count() > many_customers;
  std::vector<std::string> los_headers{"unit", "load (" + per_time + ")"};
  if (los_rows) {
    los_headers.insert(los_headers.end(), {"customer", "share"});
  } else {
    for (auto c : g.customers()) los_headers.push_back("share " + g.id(c));
  }
  const std::string money = g.currency().empty() ? per_time : g.currency() + per_time;
  structure_tables t{
      text_table(los_headers),
      text_table({"chain (unit > ... > customer)", "rank", "flow (" + per_time + ")", "share"}),
      text_table({"loop", "units", "gain", "amplification", "fragile"}),
      text_table({"customer", "gatekeeper", "gated units"}),
      text_table({"articulation point"}),
      s.betweenness.exact ? text_table({"unit", "betweenness", "raw"})
                          : text_table({"unit", "betweenness", "raw", "std. error (raw)"}),
      text_table({"figure", "value"}),
      text_table({"from", "to", "group", "given requests", "optimal requests", "flow (" + per_time + ")"}),
      text_table({"unit", "reason", "load (" + per_time + ")", "rework share", "cost (" + money + ")"}),
  };
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const unit_index u{i};
    if (g.is_external(u)) continue;
    if (los_rows) {
      if (!s.line_of_sight.has_load(u)) t.line_of_sight.add_row({g.id(u), num(0.0), num.none(), num.none()});
      for (std::size_t c = 0; c < g.class_count() && s.line_of_sight.has_load(u); ++c) {
        const double share = s.line_of_sight.share_of(u, c);
        if (share > 0)
          t.line_of_sight.add_row({g.id(u), num(s.line_of_sight.load[i]), g.id(g.customers()[c]), num(share, 3)});
      }
      continue;
    }
    std::vector<std::string> row{g.id(u), num(s.line_of_sight.load[i])};
    for (std::size_t c = 0; c < g.class_count(); ++c)
      row.push_back(s.line_of_sight.has_load(u) ? num(s.line_of_sight.share_of(unit_index{i}, c), 3)
                                                : std::string(num.exact ? "" : "-"));
    t.line_of_sight.add_row(std::move(row));
  }
  if (s.chains) {
    for (std::uint32_t i = 0; i < g.unit_count(); ++i)
      for (std::size_t c = 0; c < g.class_count(); ++c) {
        const auto& list = s.chains->chains[i][c];
        for (std::size_t r = 0; r < list.size(); ++r)
          t.chains.add_row(
              {chain_text(g, list[r]), fmt::format("{}", r + 1), num(list[r].flow), num(list[r].share, 3)});
      }
  }
  for (std::size_t k = 0; k < s.loops.size(); ++k) {
    std::string units;
    for (auto u : s.loops[k].units) units += (units.empty() ? "" : " ") + g.id(u);
    t.loops.add_row({fmt::format("{}", k + 1), units, num(s.loops[k].gain), num(s.loops[k].amplification),
                     s.loops[k].fragile ? "yes" : "no"});
  }
  for (const auto& cg : s.gatekeepers)
    for (const auto& k : cg.gatekeepers)
      t.gatekeepers.add_row({g.id(cg.customer), g.id(k.unit), fmt::format("{}", k.gated_units)});
  for (auto u : s.articulation_points) t.articulation.add_row({g.id(u)});
  for (auto u : broker_order(g, s.betweenness)) {
    std::vector<std::string> row{g.id(u), num(s.betweenness.normalized[u.value()]), num(s.betweenness.raw[u.value()])};
    if (!s.betweenness.exact) row.push_back(num(s.betweenness.standard_error[u.value()]));
    t.brokers.add_row(std::move(row));
  }
  const auto& cap = s.capacity_with_choices;
  std::string cut;
  for (const auto& l : cap.limiting_units) cut += (cut.empty() ? "" : " ") + g.id(l.unit);
  t.choices.add_row({"throughput, splits as given (" + per_time + ")", num(cap.fixed_split_value)});
  t.choices.add_row({"throughput, splits re-optimized (" + per_time + ")", num(cap.value)});
  t.choices.add_row({"demand scale, splits as given", num(cap.fixed_split_demand_scale)});
  t.choices.add_row({"demand scale, splits re-optimized", num(cap.demand_scale)});
  t.choices.add_row({"limiting units", cut.empty() ? std::string(num.exact ? "" : "-") : cut});
  for (const auto& sp : cap.splits) {
    const auto& p = g.link(sp.link);
    t.splits.add_row({g.id(p.provider), g.id(p.consumer), g.group_names()[static_cast<std::size_t>(p.group)],
                      num(sp.given_requests), num(sp.optimal_requests), num(sp.flow)});
  }
  for (const auto& m : s.misaligned)
    t.misaligned.add_row(
        {g.id(m.unit), std::string(reason_name(m.reason)), num(m.load), num(m.rework_share, 3), num(m.cost)});
  return t;
}

std::string structure_text(const service_graph& g, const structure_result& s, std::size_t chain_limit) {
  const auto t = make_tables(g, s, number_style{.exact = false});
  std::string out =
      fmt::format("Model: {}  (time unit: {})\n\n", g.name().empty() ? "(unnamed)" : g.name(), g.time_unit());
  out += "Line of sight: share of each unit's load by customer\n" + t.line_of_sight.to_text() + "\n";
  if (s.chains) {
    out += "Heaviest chains to each customer\n" + t.chains.to_text() + "\n";
  } else {
    out += fmt::format("Heaviest chains: omitted above {} units (ask per unit through the library)\n\n", chain_limit);
  }
  out += t.loops.row_count() > 0 ? "Loops of mutual service\n" + t.loops.to_text() + "\n"
                                 : std::string("Loops of mutual service: none\n\n");
  out += t.gatekeepers.row_count() > 0
             ? "Gatekeepers (units through which every chain of others passes)\n" + t.gatekeepers.to_text() + "\n"
             : std::string("Gatekeepers: none\n\n");
  out += t.articulation.row_count() > 0 ? "Articulation points\n" + t.articulation.to_text() + "\n"
                                        : std::string("Articulation points: none\n\n");
  out +=
      fmt::format("Brokers: betweenness ({}, normalized by (n-1)(n-2))\n",
                  s.betweenness.exact ? "exact" : fmt::format("sampled from {} sources", s.betweenness.sources_used)) +
      t.brokers.to_text() + "\n";
  out += "Capacity with choices\n" + t.choices.to_text() + "\n";
  if (t.splits.row_count() > 0) out += "Optimal splits of substitutable providers\n" + t.splits.to_text() + "\n";
  if (s.critical_chains) {
    out += "Critical chain per customer (deepest provider first; slack = how much longer a unit's\n"
           "heaviest chain could take before it becomes critical)\n";
    for (const auto& cc : *s.critical_chains) {
      std::string chain;
      for (unit_index u : cc.units) {
        if (!chain.empty()) chain += " > ";
        chain += g.id(u);
      }
      out += fmt::format("  {}: {}  ({} {})\n", g.id(cc.customer), chain, format_number(cc.lead_time), g.time_unit());
    }
    out += "\n";
  } else {
    out += "Critical chain: none (a unit is saturated; see servicechain analyze)\n\n";
  }
  out += t.misaligned.row_count() > 0 ? "Misaligned units\n" + t.misaligned.to_text()
                                      : std::string("Misaligned units: none\n");
  if (out.back() != '\n') out += '\n';
  return out;
}

std::string structure_csv(const service_graph& g, const structure_result& s) {
  const auto t = make_tables(g, s, number_style{.exact = true});
  // Tidy: one row per unit and customer (the text table has a column per customer).
  text_table line_of_sight({"unit", "customer", "load (/" + g.time_unit() + ")", "share"}, 2);
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const unit_index u{i};
    if (g.is_external(u)) continue;
    for (std::size_t c = 0; c < g.class_count(); ++c)
      line_of_sight.add_row({g.id(u), g.id(g.customers()[c]), fmt::format("{}", s.line_of_sight.load[i]),
                             s.line_of_sight.has_load(u) ? fmt::format("{}", s.line_of_sight.share_of(u, c)) : ""});
  }
  std::string out = "# line_of_sight\n" + line_of_sight.to_csv();
  if (s.chains) out += "\n# chains\n" + t.chains.to_csv();
  out += "\n# loops\n" + t.loops.to_csv();
  // Every immediate dominator, as in the JSON report.
  text_table idoms({"customer", "unit", "immediate_dominator"});
  for (const auto& cg : s.gatekeepers)
    for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
      const auto& idom = cg.tree.immediate_dominator[i];
      if (idom && unit_index{i} != cg.customer) idoms.add_row({g.id(cg.customer), g.id(unit_index{i}), g.id(*idom)});
    }
  out += "\n# gatekeepers\n" + t.gatekeepers.to_csv();
  out += "\n# immediate_dominators\n" + idoms.to_csv();
  out += "\n# articulation_points\n" + t.articulation.to_csv();
  out += "\n# betweenness\n" + t.brokers.to_csv();
  out += "\n# max_flow\n" + t.choices.to_csv();
  out += "\n# splits\n" + t.splits.to_csv();
  out += "\n# misaligned\n" + t.misaligned.to_csv();
  if (s.critical_chains) {
    text_table critical({"customer", "unit", "on_chain", "slack"});
    for (const auto& cc : *s.critical_chains) {
      for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
        if (!cc.slack[i]) continue;
        const bool on_chain = std::find(cc.units.begin(), cc.units.end(), unit_index{i}) != cc.units.end();
        critical.add_row({g.id(cc.customer), g.id(unit_index{i}), on_chain ? "true" : "false",
                          fmt::format("{}", *cc.slack[i])});
      }
    }
    out += "\n# critical_chain\n";
    out += critical.to_csv();
  }
  return out;
}

}  // namespace

void write_structure_report(std::ostream& out, const service_graph& g, const structure_result& s, report_format format,
                            std::size_t chains_unit_limit) {
  switch (format) {
    case report_format::json:
      write_structure_json(out, g, s);
      return;
    case report_format::csv:
      out << structure_csv(g, s);
      return;
    case report_format::table:
      break;
  }
  out << structure_text(g, s, chains_unit_limit);
}

std::string structure_report(const service_graph& g, const structure_result& s, report_format format,
                             std::size_t chains_unit_limit) {
  std::ostringstream out;
  write_structure_report(out, g, s, format, chains_unit_limit);
  return std::move(out).str();
}

}  // namespace servicechain
