#include "servicechain/io/simulation_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "detail/number_style.hpp"
#include "detail/report_json.hpp"
#include "servicechain/io/table.hpp"

namespace servicechain {

namespace {

using json = detail::report_json;
using detail::append_unique;
using detail::json_number;
using detail::number_style;

// An analytic value counts as inside an interval up to rounding: a figure the simulation
// reproduces exactly (zero half-width) may differ from the formula in the last digits.
constexpr double rounding = 1e-9;

json estimate_json(const estimate& e) {
  json j;
  j["mean"] = json_number(e.mean);
  j["half_width"] = json_number(e.half_width);
  j["low"] = json_number(e.low);
  j["high"] = json_number(e.high);
  return j;
}

// "p90", "p99.9": the key of a lead-time percentile.
std::string percentile_key(double p) { return fmt::format("p{}", p); }

// Units of the simulated lead time of customer c with a non-zero mean, largest first.
std::vector<std::pair<std::uint32_t, estimate>> lead_time_units(const simulation_result& sim, std::size_t c) {
  std::vector<std::pair<std::uint32_t, estimate>> out;
  const auto& by_unit = sim.customers[c].lead_time_by_unit;
  for (std::uint32_t i = 0; i < by_unit.size(); ++i)
    if (by_unit[i].mean != 0) out.emplace_back(i, by_unit[i]);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second.mean > b.second.mean; });
  return out;
}

json run_json(const simulation_result& sim) {
  json j;
  j["replications"] = sim.replications;
  j["batches"] = sim.batches;
  j["warmup"] = sim.warmup;
  j["horizon"] = sim.horizon;
  j["seed"] = sim.seed;
  j["confidence"] = sim.confidence;
  j["percentiles"] = sim.percentiles;
  j["sla"] = json_number(sim.sla);
  j["events"] = sim.events;
  return j;
}

std::string run_text(const service_graph& g, const simulation_result& sim) {
  const std::string& t = g.time_unit();
  std::string out = fmt::format(
      "Simulation: {} replication{}, each a warm-up of {} then {} observed ({}); seed {}; {}% confidence intervals; "
      "{} events",
      sim.replications, sim.replications == 1 ? "" : "s", format_number(sim.warmup, 6), format_number(sim.horizon, 6),
      t, sim.seed, format_number(100 * sim.confidence, 6), sim.events);
  if (sim.batches > 1) out += fmt::format(" (batch means: {} batches per replication)", sim.batches);
  return out + "\n";
}

// ------------------------------------------------------------------ simulate: JSON

json simulation_json(const service_graph& g, const model_numbers& numbers, const simulation_result& sim) {
  json j;
  j["model"] = g.name();
  j["time_unit"] = g.time_unit();
  j["currency"] = g.currency();
  j["simulation"] = run_json(sim);

  json units = json::array();
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const unit_index u{i};
    if (g.is_external(u)) continue;
    const auto& p = numbers.unit(u);
    const auto& k = sim.units[i];
    json ju;
    ju["id"] = g.id(u);
    ju["name"] = g.display_name(u);
    ju["servers"] = p.unlimited_servers ? json("unlimited") : json(static_cast<long long>(p.servers));
    ju["load"] = estimate_json(k.load);
    ju["utilization"] = estimate_json(k.utilization);
    ju["busy_servers"] = estimate_json(k.busy_servers);
    ju["discipline"] = std::string(to_string(p.queue_discipline));
    if (p.preemptive) ju["preemptive"] = true;
    ju["p_wait"] = estimate_json(k.p_wait);
    ju["wait"] = estimate_json(k.wait);
    ju["sojourn"] = estimate_json(k.sojourn);
    ju["queue_length"] = estimate_json(k.queue_length);
    ju["number_in_unit"] = estimate_json(k.number_in_unit);
    units.push_back(std::move(ju));
  }
  j["units"] = std::move(units);

  json customers = json::array();
  for (std::size_t c = 0; c < g.class_count(); ++c) {
    const unit_index cu = g.customers()[c];
    const auto& p = numbers.unit(cu);
    const auto& k = sim.customers[c];
    json jc;
    jc["id"] = g.id(cu);
    jc["kind"] = p.open_class ? "open" : "closed";
    if (p.open_class) {
      jc["demand"] = p.demand;
    } else {
      jc["population"] = p.population;
      jc["think_time"] = p.think_time;
    }
    jc["throughput"] = estimate_json(k.throughput);
    jc["lead_time"] = estimate_json(k.lead_time);
    json by_unit = json::object();
    for (const auto& [i, e] : lead_time_units(sim, c)) append_unique(by_unit, g.id(unit_index{i}), estimate_json(e));
    jc["lead_time_by_unit"] = std::move(by_unit);
    json percentiles = json::object();
    for (std::size_t q = 0; q < sim.percentiles.size(); ++q)
      append_unique(percentiles, percentile_key(sim.percentiles[q]), estimate_json(k.lead_time_percentiles[q]));
    jc["lead_time_percentiles"] = std::move(percentiles);
    if (sim.sla) jc["sla_share"] = estimate_json(k.sla_share);
    jc["cost_to_serve"] = estimate_json(k.cost_to_serve);
    customers.push_back(std::move(jc));
  }
  j["customers"] = std::move(customers);

  json links = json::array();
  for (std::uint32_t l = 0; l < g.link_count(); ++l) {
    const auto& t = g.link(link_index{l});
    const auto& k = sim.links[l];
    json jl;
    jl["from"] = g.id(t.provider);
    jl["to"] = g.id(t.consumer);
    jl["flow"] = estimate_json(k.flow);
    jl["rework_flow"] = estimate_json(k.rework_flow);
    jl["load"] = estimate_json(k.load);
    jl["wait"] = estimate_json(k.wait);
    jl["sojourn"] = estimate_json(k.sojourn);
    links.push_back(std::move(jl));
  }
  j["links"] = std::move(links);
  return j;
}

// ------------------------------------------------------------------ simulate: tables

// "mean ± half-width" for people.
std::string pm(const estimate& e) {
  return fmt::format("{} \u00b1 {}", format_number(e.mean), format_number(e.half_width, 2));
}

std::string simulation_text(const service_graph& g, const model_numbers& numbers, const simulation_result& sim) {
  const std::string& time = g.time_unit();
  const std::string per_time = "/" + time;
  const std::string money = g.currency().empty() ? "cost" : g.currency();
  std::string out = fmt::format("Model: {}  (time unit: {}{})\n", g.name().empty() ? "(unnamed)" : g.name(), time,
                                g.currency().empty() ? "" : ", currency: " + g.currency());
  out += run_text(g, sim) + "Every figure: mean \u00b1 half-width of its confidence interval.\n\n";

  text_table units({"unit", "servers", "load (" + per_time + ")", "utilization", "busy servers", "P(wait)",
                    "wait (" + time + ")", "sojourn (" + time + ")", "Lq", "L"});
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const unit_index u{i};
    if (g.is_external(u)) continue;
    const auto& p = numbers.unit(u);
    const auto& k = sim.units[i];
    units.add_row({g.id(u), p.unlimited_servers ? "unlimited" : fmt::format("{}", static_cast<long long>(p.servers)),
                   pm(k.load), p.unlimited_servers ? "-" : pm(k.utilization), pm(k.busy_servers), pm(k.p_wait),
                   pm(k.wait), pm(k.sojourn), pm(k.queue_length), pm(k.number_in_unit)});
  }
  out += fmt::format("Units\n{}\n", units.to_text());

  std::vector<std::string> headers{"customer", "throughput (" + per_time + ")", "lead time (" + time + ")"};
  for (double q : sim.percentiles) headers.push_back(fmt::format("{} ({})", percentile_key(q), time));
  if (sim.sla) headers.push_back(fmt::format("share above {}", format_number(*sim.sla)));
  headers.push_back("cost to serve (" + money + ")");
  text_table customers(headers);
  for (std::size_t c = 0; c < g.class_count(); ++c) {
    const auto& k = sim.customers[c];
    std::vector<std::string> row{g.id(g.customers()[c]), pm(k.throughput), pm(k.lead_time)};
    for (const auto& e : k.lead_time_percentiles) row.push_back(pm(e));
    if (sim.sla) row.push_back(pm(k.sla_share));
    row.push_back(pm(k.cost_to_serve));
    customers.add_row(std::move(row));
  }
  out += fmt::format("Customers\n{}\n", customers.to_text());

  text_table by_unit({"customer", "unit", "lead time (" + time + ")"}, 2);
  for (std::size_t c = 0; c < g.class_count(); ++c)
    for (const auto& [i, e] : lead_time_units(sim, c))
      by_unit.add_row({g.id(g.customers()[c]), g.id(unit_index{i}), pm(e)});
  if (by_unit.row_count() > 0) out += fmt::format("Lead time by unit\n{}\n", by_unit.to_text());

  text_table links({"from", "to", "flow (" + per_time + ")", "rework flow (" + per_time + ")",
                    "load (" + per_time + ")", "wait (" + time + ")", "sojourn (" + time + ")"},
                   2);
  for (std::uint32_t l = 0; l < g.link_count(); ++l) {
    const auto& t = g.link(link_index{l});
    const auto& k = sim.links[l];
    links.add_row(
        {g.id(t.provider), g.id(t.consumer), pm(k.flow), pm(k.rework_flow), pm(k.load), pm(k.wait), pm(k.sojourn)});
  }
  out += fmt::format("Links\n{}", links.to_text());
  return out;
}

// ------------------------------------------------------------------ simulate: CSV

using named_estimate = std::pair<const char*, const estimate*>;

void add_estimate_row(text_table& t, std::vector<std::string> keys, const estimate& e) {
  const number_style num{.exact = true};
  keys.insert(keys.end(), {num(e.mean), num(e.half_width), num(e.low), num(e.high)});
  t.add_row(std::move(keys));
}

std::string simulation_csv(const service_graph& g, const simulation_result& sim) {
  const number_style num{.exact = true};
  text_table run({"replications", "batches", "warmup", "horizon", "seed", "confidence", "sla", "events"});
  run.add_row({fmt::format("{}", sim.replications), fmt::format("{}", sim.batches), num(sim.warmup), num(sim.horizon),
               fmt::format("{}", sim.seed), num(sim.confidence), num(sim.sla), fmt::format("{}", sim.events)});
  text_table units({"unit", "figure", "mean", "half_width", "low", "high"}, 2);
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    if (g.is_external(unit_index{i})) continue;
    const auto& k = sim.units[i];
    const std::string& id = g.id(unit_index{i});
    const named_estimate fields[] = {{"load", &k.load},
                                     {"utilization", &k.utilization},
                                     {"busy_servers", &k.busy_servers},
                                     {"p_wait", &k.p_wait},
                                     {"wait", &k.wait},
                                     {"sojourn", &k.sojourn},
                                     {"queue_length", &k.queue_length},
                                     {"number_in_unit", &k.number_in_unit}};
    for (const auto& [name, e] : fields) add_estimate_row(units, {id, name}, *e);
  }
  text_table customers({"customer", "figure", "mean", "half_width", "low", "high"}, 2);
  text_table by_unit({"customer", "unit", "mean", "half_width", "low", "high"}, 2);
  for (std::size_t c = 0; c < g.class_count(); ++c) {
    const auto& k = sim.customers[c];
    const std::string& id = g.id(g.customers()[c]);
    add_estimate_row(customers, {id, "throughput"}, k.throughput);
    add_estimate_row(customers, {id, "lead_time"}, k.lead_time);
    for (std::size_t q = 0; q < sim.percentiles.size(); ++q)
      add_estimate_row(customers, {id, "lead_time_" + percentile_key(sim.percentiles[q])}, k.lead_time_percentiles[q]);
    if (sim.sla) add_estimate_row(customers, {id, "sla_share"}, k.sla_share);
    add_estimate_row(customers, {id, "cost_to_serve"}, k.cost_to_serve);
    for (const auto& [i, e] : lead_time_units(sim, c)) add_estimate_row(by_unit, {id, g.id(unit_index{i})}, e);
  }
  text_table links({"from", "to", "figure", "mean", "half_width", "low", "high"}, 3);
  for (std::uint32_t l = 0; l < g.link_count(); ++l) {
    const auto& t = g.link(link_index{l});
    const auto& k = sim.links[l];
    const named_estimate fields[] = {{"flow", &k.flow},
                                     {"rework_flow", &k.rework_flow},
                                     {"load", &k.load},
                                     {"wait", &k.wait},
                                     {"sojourn", &k.sojourn}};
    for (const auto& [name, e] : fields) add_estimate_row(links, {g.id(t.provider), g.id(t.consumer), name}, *e);
  }
  return fmt::format("# simulation\n{}\n# units\n{}\n# customers\n{}\n# lead_time_by_unit\n{}\n# links\n{}",
                     run.to_csv(), units.to_csv(), customers.to_csv(), by_unit.to_csv(), links.to_csv());
}

// ------------------------------------------------------------------ check: comparisons

// Adds one figure. `scale` is a magnitude the figure is naturally measured against (a wait:
// the unit's sojourn); below `rounding` times it, a simulated value is rounding noise, as
// the waits (sojourn − requirement) of unlimited servers are.
struct comparer {
  accuracy_result& out;
  void operator()(std::string scope, std::string id, std::string kpi, double analytic, const estimate& simulated,
                  std::string_view method, bool exact, double scale = 0, std::string part = {}) const {
    const double slack = rounding * std::max(std::abs(analytic), std::abs(scale));
    const bool simulated_zero = std::abs(simulated.low) <= slack && std::abs(simulated.high) <= slack;
    if (std::abs(analytic) <= slack && simulated_zero) return;
    accuracy_entry e;
    e.scope = std::move(scope);
    e.id = std::move(id);
    e.kpi = std::move(kpi);
    e.part = std::move(part);
    e.analytic = analytic;
    e.simulated = simulated;
    if (std::abs(simulated.mean) > slack) {
      e.relative_error = (analytic - simulated.mean) / std::abs(simulated.mean);
    } else if (std::abs(analytic) <= slack) {
      e.relative_error = 0.0;
    }
    e.inside = simulated.low - slack <= analytic && analytic <= simulated.high + slack;
    e.method = std::string(method);
    e.exact = exact;
    out.entries.push_back(std::move(e));
  }
};

std::string link_id(const service_graph& g, link_index l) {
  const auto& t = g.link(l);
  return g.id(t.provider) + " -> " + g.id(t.consumer);
}

}  // namespace

std::size_t accuracy_result::outside() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(entries.begin(), entries.end(), [](const auto& e) { return !e.inside; }));
}

accuracy_result compare_open(const service_graph& g, const model_numbers& numbers, const open_result& open,
                             const simulation_result& sim) {
  accuracy_result r{.analysis = "open", .entries = {}, .warnings = {}};
  const comparer add{r};
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const unit_index u{i};
    if (g.is_external(u)) continue;
    const auto& a = open.units[i];
    const auto& s = sim.units[i];
    const auto& station = open.stations.units[i];
    const std::string& id = g.id(u);
    add("unit", id, "load", a.load, s.load, "flows", true);
    // A unit or link without load has nothing to queue for: the analysis and the simulation
    // then report conventional values (its mean service time as the sojourn), not estimates.
    if (a.load == 0) continue;
    if (!numbers.unit(u).unlimited_servers) add("unit", id, "utilization", a.utilization, s.utilization, "flows", true);
    add("unit", id, "busy_servers", a.busy_servers, s.busy_servers, "flows", true);
    add("unit", id, "p_wait", a.p_wait, s.p_wait, station.method, station.exact);
    add("unit", id, "wait", a.wait, s.wait, station.method, station.exact, a.sojourn);
    add("unit", id, "sojourn", a.sojourn, s.sojourn, station.method, station.exact);
    add("unit", id, "queue_length", a.queue_length, s.queue_length, station.method, station.exact, a.number_in_unit);
    add("unit", id, "number_in_unit", a.number_in_unit, s.number_in_unit, station.method, station.exact);
  }
  for (std::uint32_t l = 0; l < g.link_count(); ++l) {
    const link_index li{l};
    const auto& a = open.stations.links[l];
    const auto& s = sim.links[l];
    const auto& station = open.stations.units[g.link(li).provider.value()];
    const std::string id = link_id(g, li);
    add("link", id, "flow", open.load.link_flow[l], s.flow, "flows", true);
    add("link", id, "rework_flow", open.load.link_rework_flow[l], s.rework_flow, "flows", true);
    add("link", id, "load", a.load, s.load, "flows", true);
    if (a.load == 0) continue;
    add("link", id, "wait", a.wait, s.wait, station.method, station.exact, a.sojourn);
    add("link", id, "sojourn", a.sojourn, s.sojourn, station.method, station.exact);
  }
  for (std::size_t c = 0; c < g.class_count(); ++c) {
    const unit_index cu = g.customers()[c];
    const auto& a = open.customers[c];
    const auto& s = sim.customers[c];
    const std::string& id = g.id(cu);
    // The chain stage adds the stations' sojourns exactly (linearity of the mean): the lead
    // time is as exact as the stations it passes through.
    bool exact = true;
    for (std::uint32_t i = 0; i < g.unit_count(); ++i)
      if (open.lead_time_contribution(unit_index{i}, c) != 0) exact = exact && open.stations.units[i].exact;
    add("customer", id, "throughput", numbers.unit(cu).demand, s.throughput, "demand", true);
    add("customer", id, "lead_time", a.lead_time, s.lead_time, "chain", exact);
    add("customer", id, "cost_to_serve", a.cost_to_serve, s.cost_to_serve, "chain", true);
    if (!s.lead_time_by_unit.empty()) {
      for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
        const unit_index u{i};
        const auto& station = open.stations.units[i];
        add("customer", id, "lead_time_by_unit", open.lead_time_contribution(u, c), s.lead_time_by_unit[i],
            station.method, station.exact, 0, g.id(u));
      }
    }
  }
  return r;
}

accuracy_result compare_closed(const service_graph& g, const model_numbers& numbers, const closed_result& closed,
                               const load_result& load, const simulation_result& sim) {
  accuracy_result r{.analysis = "closed", .entries = {}, .warnings = {}};
  r.warnings.push_back("the mean-value analysis used: " + closed.method);
  r.warnings.insert(r.warnings.end(), closed.approximations.begin(), closed.approximations.end());
  const comparer add{r};
  const bool exact = closed.approximations.empty() && closed.method.find("exact") != std::string::npos &&
                     closed.method.find("approximation") == std::string::npos;
  // The entries name the analysis briefly; its full description is the first warning.
  const std::string mva = "mean-value analysis";
  const std::size_t classes = g.class_count();
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const unit_index u{i};
    if (g.is_external(u)) continue;
    const auto& s = sim.units[i];
    const std::string& id = g.id(u);
    double busy = 0, in_unit = 0;
    for (std::size_t c = 0; c < classes; ++c) {
      busy += closed.busy_servers(u, c);
      in_unit += closed.queue_length(u, c) + closed.async_queue_length(u, c);
    }
    add("unit", id, "load", load.total_load[i], s.load, "flows at the throughputs", exact);
    if (!numbers.unit(u).unlimited_servers)
      add("unit", id, "utilization", closed.utilization(u), s.utilization, mva, exact);
    add("unit", id, "busy_servers", busy, s.busy_servers, mva, exact);
    add("unit", id, "number_in_unit", in_unit, s.number_in_unit, mva, exact);
  }
  for (std::uint32_t l = 0; l < g.link_count(); ++l) {
    const std::string id = link_id(g, link_index{l});
    add("link", id, "flow", load.link_flow[l], sim.links[l].flow, "flows at the throughputs", exact);
    add("link", id, "rework_flow", load.link_rework_flow[l], sim.links[l].rework_flow, "flows at the throughputs",
        exact);
  }
  for (std::size_t c = 0; c < classes; ++c) {
    const auto& a = closed.customers[c];
    const auto& s = sim.customers[c];
    const std::string& id = g.id(a.customer);
    add("customer", id, "throughput", a.throughput, s.throughput, mva, exact);
    add("customer", id, "lead_time", a.lead_time, s.lead_time, mva, exact);
    if (!s.lead_time_by_unit.empty()) {
      for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
        const unit_index u{i};
        add("customer", id, "lead_time_by_unit", closed.residence_time(u, c), s.lead_time_by_unit[i], mva, exact, 0,
            g.id(u));
      }
    }
  }
  r.warnings.push_back(
      "closed classes: compared with the mean-value analysis (throughput, lead time, residence times, utilization, "
      "number in unit); per-unit waits, sojourns and P(wait), per-link waits and the cost to serve are not computed "
      "by it and are not compared");
  return r;
}

// ------------------------------------------------------------------ check: report

namespace {

const accuracy_entry* worst_entry(const accuracy_result& a) {
  const accuracy_entry* worst = nullptr;
  for (const auto& e : a.entries) {
    if (!e.relative_error) continue;
    if (!worst || std::abs(*e.relative_error) > std::abs(*worst->relative_error)) worst = &e;
  }
  return worst;
}

std::string figure_name(const accuracy_entry& e) { return e.part.empty() ? e.kpi : e.kpi + " " + e.part; }

json accuracy_json(const service_graph& g, const simulation_result& sim, const accuracy_result& a) {
  json j;
  j["model"] = g.name();
  j["time_unit"] = g.time_unit();
  j["currency"] = g.currency();
  j["analysis"] = a.analysis;
  j["simulation"] = run_json(sim);
  json summary;
  summary["compared"] = a.entries.size();
  summary["inside"] = a.entries.size() - a.outside();
  summary["outside"] = a.outside();
  const accuracy_entry* worst = worst_entry(a);
  summary["max_abs_relative_error"] = worst ? json_number(std::abs(*worst->relative_error)) : json(nullptr);
  if (worst) {
    summary["worst"] = json{{"scope", worst->scope}, {"id", worst->id}, {"kpi", worst->kpi}};
    if (!worst->part.empty()) summary["worst"]["unit"] = worst->part;
  } else {
    summary["worst"] = nullptr;
  }
  j["summary"] = std::move(summary);
  j["warnings"] = a.warnings;
  json figures = json::array();
  for (const auto& e : a.entries) {
    json f;
    f["scope"] = e.scope;
    f["id"] = e.id;
    f["kpi"] = e.kpi;
    if (!e.part.empty()) f["unit"] = e.part;
    f["analytic"] = json_number(e.analytic);
    f["simulated"] = estimate_json(e.simulated);
    f["relative_error"] = json_number(e.relative_error);
    f["inside"] = e.inside;
    f["method"] = e.method;
    f["exact"] = e.exact;
    figures.push_back(std::move(f));
  }
  j["figures"] = std::move(figures);
  return j;
}

std::string relative_text(const std::optional<double>& v) {
  return v ? format_number(100 * *v, 3) + "%" : std::string("-");
}

std::string accuracy_text(const service_graph& g, const simulation_result& sim, const accuracy_result& a) {
  std::string out = fmt::format("Check: {}  (time unit: {}{})\n", g.name().empty() ? "(unnamed)" : g.name(),
                                g.time_unit(), g.currency().empty() ? "" : ", currency: " + g.currency());
  out += fmt::format("Analysis: {}\n", a.analysis == "open" ? "open network" : "mean-value analysis (closed classes)");
  out += run_text(g, sim);
  const accuracy_entry* worst = worst_entry(a);
  out += fmt::format("{} figures compared; {} outside the simulated interval", a.entries.size(), a.outside());
  if (worst) {
    out += fmt::format("; largest relative error {} ({} {} {})", relative_text(worst->relative_error), worst->scope,
                       worst->id, figure_name(*worst));
  }
  out += ".\n\n";
  text_table t(
      {"scope", "id", "figure", "method", "analytic", "simulated mean", "\u00b1 half-width", "rel. error", "inside"},
      4);
  for (const auto& e : a.entries) {
    t.add_row({e.scope, e.id, figure_name(e), e.method + (e.exact ? " (exact)" : ""), format_number(e.analytic, 5),
               format_number(e.simulated.mean, 5), format_number(e.simulated.half_width, 2),
               relative_text(e.relative_error), e.inside ? "yes" : "NO"});
  }
  out += t.to_text();
  for (const auto& w : a.warnings) out += fmt::format("Note: {}\n", w);
  return out;
}

std::string accuracy_csv(const accuracy_result& a) {
  const number_style num{.exact = true};
  text_table t({"scope", "id", "figure", "unit", "analytic", "mean", "half_width", "low", "high", "relative_error",
                "inside", "method", "exact"},
               4);
  for (const auto& e : a.entries) {
    t.add_row({e.scope, e.id, e.kpi, e.part, num(e.analytic), num(e.simulated.mean), num(e.simulated.half_width),
               num(e.simulated.low), num(e.simulated.high), num(e.relative_error), e.inside ? "true" : "false",
               e.method, e.exact ? "true" : "false"});
  }
  return "# figures\n" + t.to_csv();
}

}  // namespace

std::string simulation_report(const service_graph& g, const model_numbers& numbers, const simulation_result& sim,
                              report_format format) {
  switch (format) {
    case report_format::json:
      return simulation_json(g, numbers, sim).dump(2) + "\n";
    case report_format::csv:
      return simulation_csv(g, sim);
    case report_format::table:
      break;
  }
  return simulation_text(g, numbers, sim);
}

std::string accuracy_report(const service_graph& g, const simulation_result& sim, const accuracy_result& accuracy,
                            report_format format) {
  switch (format) {
    case report_format::json:
      return accuracy_json(g, sim, accuracy).dump(2) + "\n";
    case report_format::csv:
      return accuracy_csv(accuracy);
    case report_format::table:
      break;
  }
  return accuracy_text(g, sim, accuracy);
}

}  // namespace servicechain
