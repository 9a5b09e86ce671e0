#include "servicechain/io/structure_report.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "detail/json_stream.hpp"
#include "detail/number_style.hpp"
#include "detail/report_json.hpp"
#include "detail/table_stream.hpp"
#include "servicechain/analysis/structure.hpp"
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
using detail::table_rows;
using detail::table_shape;

// The tables of the text and CSV reports, each a shape and the rows of one slot (a unit, a
// customer's unit, …), written as they are made (detail/table_stream.hpp); numbers in the
// rows' style (rounded for people, every digit for tools).
class structure_tables {
 public:
  structure_tables(const service_graph& g, const structure_result& s)
      : g_(g), s_(s), brokers_(broker_order(g, s.betweenness)) {
    per_time_ = "/" + g.time_unit();
    gatekeeper_start_.push_back(0);
    for (const auto& cg : s.gatekeepers) gatekeeper_start_.push_back(gatekeeper_start_.back() + cg.gatekeepers.size());
  }

  // Line of sight for people: a column per customer, or with many customers a row per unit
  // and customer it works for.
  [[nodiscard]] table_shape line_of_sight_shape() const {
    table_shape shape{{"unit", "load (" + per_time_ + ")"}};
    if (many_rows())
      shape.headers.insert(shape.headers.end(), {"customer", "share"});
    else
      for (auto c : g_.customers()) shape.headers.push_back("share " + g_.id(c));
    return shape;
  }
  void line_of_sight_row(table_rows& rows, std::size_t i) const {
    const unit_index u{static_cast<std::uint32_t>(i)};
    if (g_.is_external(u)) return;
    const auto& los = s_.line_of_sight;
    if (many_rows()) {
      if (!los.has_load(u)) rows.text(g_.id(u)).number(0.0).none().none().end_row();
      for (std::size_t c = 0; c < g_.class_count() && los.has_load(u); ++c) {
        const double share = los.share_of(u, c);
        if (share > 0)
          rows.text(g_.id(u)).number(los.load[i]).text(g_.id(g_.customers()[c])).number(share, 3).end_row();
      }
      return;
    }
    rows.text(g_.id(u)).number(los.load[i]);
    for (std::size_t c = 0; c < g_.class_count(); ++c) {
      if (los.has_load(u))
        rows.number(los.share_of(u, c), 3);
      else
        rows.none();
    }
    rows.end_row();
  }
  // Line of sight for tools: a row per unit and customer.
  void line_of_sight_tidy_row(table_rows& rows, std::size_t slot) const {
    const std::size_t classes = g_.class_count();
    const unit_index u{static_cast<std::uint32_t>(slot / classes)};
    const std::size_t c = slot % classes;
    if (g_.is_external(u)) return;
    rows.text(g_.id(u)).text(g_.id(g_.customers()[c])).number(s_.line_of_sight.load[u.value()]);
    if (s_.line_of_sight.has_load(u))
      rows.number(s_.line_of_sight.share_of(u, c));
    else
      rows.none();
    rows.end_row();
  }

  [[nodiscard]] table_shape chains_shape() const {
    return {{"chain (unit > ... > customer)", "rank", "flow (" + per_time_ + ")", "share"}};
  }
  void chain_rows(table_rows& rows, std::size_t slot) const {
    const auto& list = s_.chains->chains[slot / g_.class_count()][slot % g_.class_count()];
    for (std::size_t r = 0; r < list.size(); ++r)
      rows.text(chain_text(g_, list[r]))
          .integer(static_cast<long long>(r + 1))
          .number(list[r].flow)
          .number(list[r].share, 3)
          .end_row();
  }

  static table_shape loops_shape() { return {{"loop", "units", "gain", "amplification", "fragile"}}; }
  void loop_row(table_rows& rows, std::size_t k) const {
    const auto& loop = s_.loops[k];
    std::string units;
    for (auto u : loop.units) units += (units.empty() ? "" : " ") + g_.id(u);
    rows.integer(static_cast<long long>(k + 1)).text(units).number(loop.gain).number(loop.amplification);
    rows.text(loop.fragile ? "yes" : "no").end_row();
  }

  static table_shape gatekeepers_shape() { return {{"customer", "gatekeeper", "gated units"}}; }
  [[nodiscard]] std::size_t gatekeeper_count() const { return gatekeeper_start_.back(); }
  void gatekeeper_row(table_rows& rows, std::size_t k) const {
    const auto c = static_cast<std::size_t>(std::upper_bound(gatekeeper_start_.begin(), gatekeeper_start_.end(), k) -
                                            gatekeeper_start_.begin() - 1);
    const auto& cg = s_.gatekeepers[c];
    const auto& keeper = cg.gatekeepers[k - gatekeeper_start_[c]];
    rows.text(g_.id(cg.customer))
        .text(g_.id(keeper.unit))
        .integer(static_cast<long long>(keeper.gated_units))
        .end_row();
  }

  static table_shape articulation_shape() { return {{"articulation point"}}; }
  void articulation_row(table_rows& rows, std::size_t k) const {
    rows.text(g_.id(s_.articulation_points[k])).end_row();
  }

  [[nodiscard]] table_shape brokers_shape() const {
    table_shape shape{{"unit", "betweenness", "raw"}};
    if (!s_.betweenness.exact) shape.headers.push_back("std. error (raw)");
    return shape;
  }
  [[nodiscard]] std::size_t broker_count() const { return brokers_.size(); }
  void broker_row(table_rows& rows, std::size_t k) const {
    const auto i = brokers_[k].value();
    rows.text(g_.id(brokers_[k])).number(s_.betweenness.normalized[i]).number(s_.betweenness.raw[i]);
    if (!s_.betweenness.exact) rows.number(s_.betweenness.standard_error[i]);
    rows.end_row();
  }

  [[nodiscard]] text_table choices(number_style num) const {
    const auto& cap = s_.capacity_with_choices;
    std::string cut;
    for (const auto& l : cap.limiting_units) cut += (cut.empty() ? "" : " ") + g_.id(l.unit);
    text_table t({"figure", "value"});
    t.add_row({"throughput, splits as given (" + per_time_ + ")", num(cap.fixed_split_value)});
    t.add_row({"throughput, splits re-optimized (" + per_time_ + ")", num(cap.value)});
    t.add_row({"demand scale, splits as given", num(cap.fixed_split_demand_scale)});
    t.add_row({"demand scale, splits re-optimized", num(cap.demand_scale)});
    t.add_row({"limiting units", cut.empty() ? num.none() : cut});
    return t;
  }

  [[nodiscard]] table_shape splits_shape() const {
    return {{"from", "to", "group", "given requests", "optimal requests", "flow (" + per_time_ + ")"}};
  }
  void split_row(table_rows& rows, std::size_t k) const {
    const auto& sp = s_.capacity_with_choices.splits[k];
    const auto& p = g_.link(sp.link);
    rows.text(g_.id(p.provider)).text(g_.id(p.consumer)).text(g_.group_names()[static_cast<std::size_t>(p.group)]);
    rows.number(sp.given_requests).number(sp.optimal_requests).number(sp.flow).end_row();
  }

  [[nodiscard]] table_shape misaligned_shape() const {
    const std::string money = g_.currency().empty() ? per_time_ : g_.currency() + per_time_;
    return {{"unit", "reason", "load (" + per_time_ + ")", "rework share", "cost (" + money + ")"}};
  }
  void misaligned_row(table_rows& rows, std::size_t k) const {
    const auto& m = s_.misaligned[k];
    rows.text(g_.id(m.unit))
        .text(reason_name(m.reason))
        .number(m.load)
        .number(m.rework_share, 3)
        .number(m.cost)
        .end_row();
  }

 private:
  [[nodiscard]] bool many_rows() const { return g_.class_count() > many_customers; }

  const service_graph& g_;
  const structure_result& s_;
  std::vector<unit_index> brokers_;
  std::string per_time_;
  std::vector<std::size_t> gatekeeper_start_;  // where each customer's gatekeepers start, in one list of all
};

// `title`, then the table made by `make`, then an empty line; `none` instead when it has no row.
template <typename Make>
void text_section(std::ostream& out, std::string_view title, std::string_view none, const table_shape& shape,
                  std::size_t slots, bool empty, unsigned threads, const Make& make) {
  if (empty) {
    out << none;
    return;
  }
  out << title << '\n';
  detail::write_text_table(out, shape, slots, threads, make);
  out << '\n';
}

void write_structure_text(std::ostream& out, const service_graph& g, const structure_result& s, std::size_t chain_limit,
                          unsigned threads) {
  const structure_tables t(g, s);
  out << fmt::format("Model: {}  (time unit: {})\n\n", g.name().empty() ? "(unnamed)" : g.name(), g.time_unit());
  out << "Line of sight: share of each unit's load by customer\n";
  detail::write_text_table(out, t.line_of_sight_shape(), g.unit_count(), threads,
                           [&](table_rows& rows, std::size_t i) { t.line_of_sight_row(rows, i); });
  out << '\n';
  if (s.chains) {
    out << "Heaviest chains to each customer\n";
    detail::write_text_table(out, t.chains_shape(), g.unit_count() * g.class_count(), threads,
                             [&](table_rows& rows, std::size_t slot) { t.chain_rows(rows, slot); });
    out << '\n';
  } else {
    out << fmt::format("Heaviest chains: omitted above {} units (ask per unit through the library)\n\n", chain_limit);
  }
  text_section(out, "Loops of mutual service", "Loops of mutual service: none\n\n", t.loops_shape(), s.loops.size(),
               s.loops.empty(), threads, [&](table_rows& rows, std::size_t k) { t.loop_row(rows, k); });
  text_section(out, "Gatekeepers (units through which every chain of others passes)", "Gatekeepers: none\n\n",
               t.gatekeepers_shape(), t.gatekeeper_count(), t.gatekeeper_count() == 0, threads,
               [&](table_rows& rows, std::size_t k) { t.gatekeeper_row(rows, k); });
  text_section(out, "Articulation points", "Articulation points: none\n\n", t.articulation_shape(),
               s.articulation_points.size(), s.articulation_points.empty(), threads,
               [&](table_rows& rows, std::size_t k) { t.articulation_row(rows, k); });
  out << fmt::format(
      "Brokers: betweenness ({}, normalized by (n-1)(n-2))\n",
      s.betweenness.exact ? "exact" : fmt::format("sampled from {} sources", s.betweenness.sources_used));
  detail::write_text_table(out, t.brokers_shape(), t.broker_count(), threads,
                           [&](table_rows& rows, std::size_t k) { t.broker_row(rows, k); });
  out << "\nCapacity with choices\n" << t.choices(number_style{.exact = false}).to_text() << '\n';
  const auto& splits = s.capacity_with_choices.splits;
  if (!splits.empty())
    text_section(out, "Optimal splits of substitutable providers", "", t.splits_shape(), splits.size(), false, threads,
                 [&](table_rows& rows, std::size_t k) { t.split_row(rows, k); });
  if (s.critical_chains) {
    out << "Critical chain per customer (deepest provider first; slack = how much longer a unit's\n"
           "heaviest chain could take before it becomes critical)\n";
    for (const auto& cc : *s.critical_chains) {
      std::string chain;
      for (unit_index u : cc.units) {
        if (!chain.empty()) chain += " > ";
        chain += g.id(u);
      }
      out << fmt::format("  {}: {}  ({} {})\n", g.id(cc.customer), chain, format_number(cc.lead_time), g.time_unit());
    }
    out << '\n';
  } else {
    out << "Critical chain: none (a unit is saturated; see servicechain analyze)\n\n";
  }
  if (s.misaligned.empty()) {
    out << "Misaligned units: none\n";
    return;
  }
  out << "Misaligned units\n";
  detail::write_text_table(out, t.misaligned_shape(), s.misaligned.size(), threads,
                           [&](table_rows& rows, std::size_t k) { t.misaligned_row(rows, k); });
}

void write_structure_csv(std::ostream& out, const service_graph& g, const structure_result& s, unsigned threads) {
  const number_style num{.exact = true};
  const structure_tables t(g, s);
  auto table = [&](std::string_view name, const table_shape& shape, std::size_t slots, const auto& make) {
    out << "# " << name << '\n';
    detail::write_csv_table(out, shape, slots, num, threads, make);
  };
  // Tidy: one row per unit and customer (the text table has a column per customer).
  table("line_of_sight", {{"unit", "customer", "load (/" + g.time_unit() + ")", "share"}, 2},
        g.unit_count() * g.class_count(),
        [&](table_rows& rows, std::size_t slot) { t.line_of_sight_tidy_row(rows, slot); });
  if (s.chains) {
    out << '\n';
    table("chains", t.chains_shape(), g.unit_count() * g.class_count(),
          [&](table_rows& rows, std::size_t slot) { t.chain_rows(rows, slot); });
  }
  out << '\n';
  table("loops", t.loops_shape(), s.loops.size(), [&](table_rows& rows, std::size_t k) { t.loop_row(rows, k); });
  out << '\n';
  table("gatekeepers", t.gatekeepers_shape(), t.gatekeeper_count(),
        [&](table_rows& rows, std::size_t k) { t.gatekeeper_row(rows, k); });
  // Every immediate dominator, as in the JSON report.
  out << '\n';
  const std::size_t n = g.unit_count();
  table("immediate_dominators", {{"customer", "unit", "immediate_dominator"}}, s.gatekeepers.size() * n,
        [&](table_rows& rows, std::size_t slot) {
          const auto& cg = s.gatekeepers[slot / n];
          const unit_index u{static_cast<std::uint32_t>(slot % n)};
          const auto& idom = cg.tree.immediate_dominator[u.value()];
          if (idom && u != cg.customer) rows.text(g.id(cg.customer)).text(g.id(u)).text(g.id(*idom)).end_row();
        });
  out << '\n';
  table("articulation_points", t.articulation_shape(), s.articulation_points.size(),
        [&](table_rows& rows, std::size_t k) { t.articulation_row(rows, k); });
  out << '\n';
  table("betweenness", t.brokers_shape(), t.broker_count(),
        [&](table_rows& rows, std::size_t k) { t.broker_row(rows, k); });
  out << "\n# max_flow\n" << t.choices(num).to_csv() << '\n';
  table("splits", t.splits_shape(), s.capacity_with_choices.splits.size(),
        [&](table_rows& rows, std::size_t k) { t.split_row(rows, k); });
  out << '\n';
  table("misaligned", t.misaligned_shape(), s.misaligned.size(),
        [&](table_rows& rows, std::size_t k) { t.misaligned_row(rows, k); });
  if (!s.critical_chains) return;
  out << '\n';
  const auto& chains = *s.critical_chains;
  table("critical_chain", {{"customer", "unit", "on_chain", "slack"}}, chains.size() * n,
        [&](table_rows& rows, std::size_t slot) {
          const auto& cc = chains[slot / n];
          const unit_index u{static_cast<std::uint32_t>(slot % n)};
          if (!cc.slack[u.value()]) return;
          const bool on_chain = std::find(cc.units.begin(), cc.units.end(), u) != cc.units.end();
          rows.text(g.id(cc.customer))
              .text(g.id(u))
              .text(on_chain ? "true" : "false")
              .number(*cc.slack[u.value()])
              .end_row();
        });
}

}  // namespace

void write_structure_report(std::ostream& out, const service_graph& g, const structure_result& s, report_format format,
                            std::size_t chains_unit_limit) {
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  switch (format) {
    case report_format::json:
      write_structure_json(out, g, s);
      return;
    case report_format::csv:
      write_structure_csv(out, g, s, threads);
      return;
    case report_format::table:
      write_structure_text(out, g, s, chains_unit_limit, threads);
      return;
  }
}

std::string structure_report(const service_graph& g, const structure_result& s, report_format format,
                             std::size_t chains_unit_limit) {
  std::ostringstream out;
  write_structure_report(out, g, s, format, chains_unit_limit);
  return std::move(out).str();
}

}  // namespace servicechain
