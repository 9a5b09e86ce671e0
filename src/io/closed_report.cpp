#include "servicechain/io/closed_report.hpp"
#include "detail/time_varying.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ostream>
#include <span>
#include <sstream>
#include <string>
#include <thread>

#include "detail/capacity_cells.hpp"
#include "detail/json_stream.hpp"
#include "detail/number_style.hpp"
#include "detail/report_json.hpp"
#include "detail/table_stream.hpp"
#include "servicechain/io/table.hpp"

namespace servicechain {

namespace {

using json = detail::report_json;
using detail::append_unique;
using detail::json_interval;
using detail::json_number;
using detail::number_style;

// Up to this many customers, the units table has one queue-length column per customer.
constexpr std::size_t per_customer_columns = 6;

std::string quoted_ids(const service_graph& g, std::span<const unit_index> units) {
  std::string out;
  for (unit_index u : units) out += fmt::format("{}'{}'", out.empty() ? "" : ", ", g.id(u));
  return out;
}

std::vector<unit_index> closed_customers(const service_graph& g, const model_numbers& numbers) {
  std::vector<unit_index> closed;
  for (unit_index c : g.customers())
    if (!numbers.unit(c).open_class) closed.push_back(c);
  return closed;
}

// Internal units that carry work, busiest first (ties by index), unlimited-server units last.
std::vector<unit_index> busiest_first(const service_graph& g, const model_numbers& numbers, const capacity_result& cap) {
  std::vector<unit_index> order;
  for (std::uint32_t i = 0; i < g.unit_count(); ++i)
    if (!g.is_external(unit_index{i}) && cap.units[i].load > 0) order.push_back(unit_index{i});
  std::stable_sort(order.begin(), order.end(), [&](unit_index a, unit_index b) {
    const bool ua = numbers.unit(a).unlimited_servers, ub = numbers.unit(b).unlimited_servers;
    if (ua != ub) return ub;
    return cap.units[a.value()].utilization > cap.units[b.value()].utilization;
  });
  return order;
}

json customer_json(const service_graph& g, const model_numbers& numbers, const closed_result& r, std::size_t c) {
  const closed_customer& cc = r.customers[c];
  json j;
  j["id"] = g.id(cc.customer);
  j["kind"] = cc.closed ? "closed" : "open";
  if (cc.closed) {
    j["population"] = cc.population;
    j["think_time"] = cc.think_time;
  } else {
    j["demand"] = numbers.unit(cc.customer).demand;
  }
  j["throughput"] = cc.throughput;
  j["throughput_bounds"] = json_interval(cc.throughput_bounds);
  j["lead_time"] = cc.lead_time;
  j["lead_time_bounds"] = json_interval(cc.lead_time_bounds);
  json by_unit = json::object();
  for (unit_index u : r.station_units) {
    const double v = r.residence_time(u, c);
    if (v != 0) append_unique(by_unit, g.id(u), v);
  }
  j["lead_time_by_unit"] = std::move(by_unit);
  j["knee_population"] = cc.closed ? json(cc.knee_population) : json(nullptr);
  j["max_throughput"] = cc.max_throughput > 0 ? json(cc.max_throughput) : json(nullptr);
  j["method"] = r.method;
  return j;
}

// Streamed (detail/json_stream.hpp): one small DOM per unit, customer and link.
void write_closed_json(std::ostream& out, const service_graph& g, const model_numbers& numbers, const capacity_result& cap,
                       const load_result& load, const closed_result& r) {
  detail::json_stream w(out);
  detail::begin_model_report(w, g);
  w.member("analysis", "mean-value analysis");
  w.member("method", r.method);
  w.member("stable", true);
  w.member("time_varying", !detail::time_varying_warning(g, numbers).empty());
  w.member("bottleneck", cap.bottleneck ? json(g.id(*cap.bottleneck)) : json(nullptr));

  w.key("units");
  w.begin_array();
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const unit_index u{i};
    if (g.is_external(u)) continue;
    const auto& p = numbers.unit(u);
    const auto& c = cap.units[i];
    json ju;
    ju["id"] = g.id(u);
    ju["name"] = g.display_name(u);
    ju["servers"] = p.unlimited_servers ? json("unlimited") : json(static_cast<long long>(p.servers));
    ju["discipline"] = std::string(to_string(p.queue_discipline));
    ju["load"] = c.load;
    ju["utilization"] = c.utilization;
    ju["busy_servers"] = c.busy_servers;
    ju["queue_length"] = r.queue_length(u);
    json by_customer = json::object();
    for (std::size_t k = 0; k < r.customers.size(); ++k) {
      const double q = r.queue_length(u, k);
      if (q != 0) append_unique(by_customer, g.id(r.customers[k].customer), q);
    }
    ju["queue_length_by_customer"] = std::move(by_customer);
    w.value(ju);
  }
  w.end_array();

  w.key("customers");
  w.begin_array();
  for (std::size_t c = 0; c < r.customers.size(); ++c) w.value(customer_json(g, numbers, r, c));
  w.end_array();

  w.key("links");
  w.begin_array();
  for (std::uint32_t l = 0; l < g.link_count(); ++l) {
    const auto& p = g.link(link_index{l});
    w.value({{"from", g.id(p.provider)},
             {"to", g.id(p.consumer)},
             {"flow", load.link_flow[l]},
             {"rework_flow", load.link_rework_flow[l]}});
  }
  w.end_array();
  w.member("approximations", r.approximations);
  w.member("warnings", closed_model_warnings(g, numbers));
  w.end_object();
  w.finish();
}

using detail::table_rows;
using detail::table_shape;

// The tables of the text and CSV reports: customers (a row each, held), units and links
// (written as their rows are made, detail/table_stream.hpp); numbers in the rows' style.
class closed_tables {
 public:
  closed_tables(const service_graph& g, const model_numbers& numbers, const capacity_result& cap,
                const load_result& load, const closed_result& r, bool exact)
      : g_(g), numbers_(numbers), cap_(cap), load_(load), r_(r), order_(busiest_first(g, numbers, cap)) {
    const std::string per_time = "/" + g.time_unit();
    units_ = {{"unit", "servers", "load (" + per_time + ")", "utilization", "busy servers", "queue length"}};
    // Text only: the CSV has the queue by unit and customer as rows (lead_time_by_unit).
    columns_ = !exact && r.customers.size() <= per_customer_columns;
    if (columns_)
      for (const auto& cc : r.customers) units_.headers.push_back("queue " + g.id(cc.customer));
    links_ = {{"from", "to", "flow (" + per_time + ")", "rework flow (" + per_time + ")"}, 2};
  }

  [[nodiscard]] text_table customers(number_style num) const {
    const std::string time = g_.time_unit(), per_time = "/" + g_.time_unit();
    text_table t({"customer", "kind", "population", "think time (" + time + ")", "demand (" + per_time + ")",
                  "throughput (" + per_time + ")", "throughput low", "throughput high", "lead time (" + time + ")",
                  "lead time low", "lead time high", "knee population"},
                 2);
    auto bound = [&](double v) { return std::isfinite(v) ? num(v) : num.none(); };
    for (const closed_customer& cc : r_.customers) {
      t.add_row({g_.id(cc.customer), cc.closed ? "closed" : "open",
                 cc.closed ? fmt::format("{}", cc.population) : num.none(), cc.closed ? num(cc.think_time) : num.none(),
                 cc.closed ? num.none() : num(numbers_.unit(cc.customer).demand), num(cc.throughput),
                 bound(cc.throughput_bounds.first), bound(cc.throughput_bounds.second), num(cc.lead_time),
                 bound(cc.lead_time_bounds.first), bound(cc.lead_time_bounds.second),
                 cc.closed ? num(cc.knee_population) : num.none()});
    }
    return t;
  }

  [[nodiscard]] const table_shape& units() const { return units_; }
  [[nodiscard]] std::size_t unit_slots() const { return order_.size(); }
  void unit_row(table_rows& rows, std::size_t k) const {
    const unit_index u = order_[k];
    detail::append_capacity_cells(rows, g_, numbers_, cap_, u);
    rows.number(r_.queue_length(u));
    if (columns_)
      for (std::size_t k2 = 0; k2 < r_.customers.size(); ++k2) rows.number(r_.queue_length(u, k2));
    rows.end_row();
  }

  [[nodiscard]] const table_shape& links() const { return links_; }
  void link_row(table_rows& rows, std::size_t l) const {
    const auto& p = g_.link(link_index{static_cast<std::uint32_t>(l)});
    rows.text(g_.id(p.provider)).text(g_.id(p.consumer)).number(load_.link_flow[l]).number(load_.link_rework_flow[l]);
    rows.end_row();
  }

 private:
  const service_graph& g_;
  const model_numbers& numbers_;
  const capacity_result& cap_;
  const load_result& load_;
  const closed_result& r_;
  std::vector<unit_index> order_;
  bool columns_ = false;
  table_shape units_, links_;
};

// Residence times of one customer, largest first: the exact decomposition of its lead time.
void write_lead_time_by_unit(std::ostream& out, const service_graph& g, const closed_result& r, std::size_t c,
                             unsigned threads) {
  std::vector<unit_index> units = r.station_units;
  std::stable_sort(units.begin(), units.end(),
                   [&](unit_index a, unit_index b) { return r.residence_time(a, c) > r.residence_time(b, c); });
  const double total = r.customers[c].lead_time;
  detail::write_text_table(out, {{"unit", "residence time (" + g.time_unit() + ")", "share", "queue length"}},
                           units.size(), threads, [&](table_rows& rows, std::size_t k) {
                             const unit_index u = units[k];
                             const double v = r.residence_time(u, c);
                             if (v == 0) return;
                             rows.text(g.id(u)).number(v);
                             if (total > 0)
                               rows.text(format_number(100 * v / total, 3) + "%");
                             else
                               rows.none();
                             rows.number(r.queue_length(u, c)).end_row();
                           });
}

void write_closed_text(std::ostream& out, const service_graph& g, const model_numbers& numbers,
                       const capacity_result& cap, const load_result& load, const closed_result& r, unsigned threads) {
  const number_style num{.exact = false};
  const closed_tables t(g, numbers, cap, load, r, false);
  out << fmt::format("Model: {}  (time unit: {})\nMean-value analysis: {}\n\n",
                     g.name().empty() ? "(unnamed)" : g.name(), g.time_unit(), r.method);
  out << "What each customer receives (lead time excludes think time)\n" << t.customers(num).to_text() << '\n';
  out << "Units at these throughputs (busiest first)\n";
  detail::write_text_table(out, t.units(), t.unit_slots(), threads,
                           [&](table_rows& rows, std::size_t k) { t.unit_row(rows, k); });
  out << '\n';
  for (std::size_t c = 0; c < r.customers.size(); ++c) {
    if (r.customers[c].lead_time <= 0) continue;
    out << fmt::format("Lead time of {}: {} {}, by unit\n", g.id(r.customers[c].customer),
                       num(r.customers[c].lead_time), g.time_unit());
    write_lead_time_by_unit(out, g, r, c, threads);
    out << '\n';
  }
  out << "Links\n";
  detail::write_text_table(out, t.links(), g.link_count(), threads,
                           [&](table_rows& rows, std::size_t l) { t.link_row(rows, l); });
  out << '\n';
  if (cap.bottleneck)
    out << fmt::format("Bottleneck: {} (utilization {}).\n", g.id(*cap.bottleneck),
                       num(cap.units[cap.bottleneck->value()].utilization, 3));
  for (const auto& a : r.approximations) out << fmt::format("Approximation: {}\n", a);
  for (const auto& w : closed_model_warnings(g, numbers)) out << fmt::format("Note: {}\n", w);
}

void write_closed_csv(std::ostream& out, const service_graph& g, const model_numbers& numbers,
                      const capacity_result& cap, const load_result& load, const closed_result& r, unsigned threads) {
  const number_style num{.exact = true};
  const closed_tables t(g, numbers, cap, load, r, true);
  out << "# customers\n" << t.customers(num).to_csv() << "\n# units\n";
  detail::write_csv_table(out, t.units(), t.unit_slots(), num, threads,
                          [&](table_rows& rows, std::size_t k) { t.unit_row(rows, k); });
  out << "\n# lead_time_by_unit\n";
  const std::size_t stations = r.station_units.size();
  detail::write_csv_table(out, {{"customer", "unit", "residence_time", "queue_length"}, 2},
                          r.customers.size() * stations, num, threads, [&](table_rows& rows, std::size_t slot) {
                            const std::size_t c = slot / stations;
                            const unit_index u = r.station_units[slot % stations];
                            rows.text(g.id(r.customers[c].customer)).text(g.id(u)).number(r.residence_time(u, c));
                            rows.number(r.queue_length(u, c)).end_row();
                          });
  out << "\n# links\n";
  detail::write_csv_table(out, t.links(), g.link_count(), num, threads,
                          [&](table_rows& rows, std::size_t l) { t.link_row(rows, l); });
}

// ------------------------------------------------------------------ mix

std::string mix_of(const service_graph& g, const std::vector<double>& shares, number_style num) {
  std::string out;
  for (std::size_t c = 0; c < shares.size(); ++c)
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", g.id(g.customers()[c]), num(shares[c], 3));
  return out;
}

std::string mix_text_or_csv(const service_graph& g, const std::vector<mix_bottleneck_unit>& units, bool csv) {
  const number_style num{.exact = csv};
  const bool two = g.class_count() == 2;
  std::vector<std::string> headers{"unit", "strict"};
  if (two) {
    const std::string first = g.id(g.customers()[0]);
    headers.push_back("share of " + first + " from");
    headers.push_back("share of " + first + " to");
  }
  headers.push_back("witness mix");
  headers.push_back("margin");
  text_table t(headers, 2);
  for (const auto& b : units) {
    std::vector<std::string> row{b.id, b.strict ? "yes" : "tie only"};
    if (two) {
      row.push_back(b.strict ? num(b.share_of_first_class.first) : num.none());
      row.push_back(b.strict ? num(b.share_of_first_class.second) : num.none());
    }
    row.push_back(b.witness_mix.empty() ? num.none() : mix_of(g, b.witness_mix, num));
    row.push_back(num(b.margin));
    t.add_row(std::move(row));
  }
  if (csv) return t.to_csv();
  std::string out = fmt::format("Units that are the bottleneck for some mix of {} classes ({})\n{}",
                                g.class_count(), quoted_ids(g, g.customers()), t.to_text());
  if (units.empty()) out += "No unit with finite servers does work for any customer.\n";
  out += "\n";
  return out;
}

json mix_json(const service_graph& g, const std::vector<mix_bottleneck_unit>& units) {
  json j;
  j["model"] = g.name();
  json classes = json::array();
  for (unit_index c : g.customers()) classes.push_back(g.id(c));
  j["classes"] = std::move(classes);
  json list = json::array();
  for (const auto& b : units) {
    json jb;
    jb["unit"] = b.id;
    jb["strict"] = b.strict;
    json mix = json::object();
    for (std::size_t c = 0; c < b.witness_mix.size(); ++c) append_unique(mix, g.id(g.customers()[c]), b.witness_mix[c]);
    jb["witness_mix"] = std::move(mix);
    jb["margin"] = b.margin;
    if (g.class_count() == 2 && b.strict) jb["share_of_first_class"] = json_interval(b.share_of_first_class);
    list.push_back(std::move(jb));
  }
  j["bottlenecks"] = std::move(list);
  return j;
}

}  // namespace

std::vector<std::string> closed_model_warnings(const service_graph& g, const model_numbers& numbers) {
  const auto closed = closed_customers(g, numbers);
  std::vector<std::string> warnings;
  if (!closed.empty()) {
    warnings.push_back(fmt::format(
        "closed classes ({}): throughputs, lead times and queue lengths come from mean-value analysis; per-link "
        "waits, cost to serve, quality and the cost of poor internal service are not computed for models with "
        "closed classes",
        quoted_ids(g, closed)));
  }
  if (std::string varying = detail::time_varying_warning(g, numbers); !varying.empty())
    warnings.push_back(std::move(varying));
  return warnings;
}

void write_closed_analysis_report(std::ostream& out, const service_graph& g, const model_numbers& numbers,
                                  const capacity_result& capacity, const load_result& load, const closed_result& closed,
                                  report_format format) {
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  switch (format) {
    case report_format::json:
      write_closed_json(out, g, numbers, capacity, load, closed);
      return;
    case report_format::csv:
      write_closed_csv(out, g, numbers, capacity, load, closed, threads);
      return;
    case report_format::table:
      write_closed_text(out, g, numbers, capacity, load, closed, threads);
      return;
  }
}

std::string closed_analysis_report(const service_graph& g, const model_numbers& numbers, const capacity_result& capacity,
                                   const load_result& load, const closed_result& closed, report_format format) {
  std::ostringstream out;
  write_closed_analysis_report(out, g, numbers, capacity, load, closed, format);
  return std::move(out).str();
}

std::string mix_report(const service_graph& g, const std::vector<mix_bottleneck_unit>& bottlenecks,
                       report_format format) {
  switch (format) {
    case report_format::json:
      return mix_json(g, bottlenecks).dump(2) + "\n";
    case report_format::csv:
      return mix_text_or_csv(g, bottlenecks, true);
    case report_format::table:
      break;
  }
  return mix_text_or_csv(g, bottlenecks, false);
}

}  // namespace servicechain
