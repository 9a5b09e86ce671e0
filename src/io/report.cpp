#include "servicechain/io/report.hpp"
#include "detail/capacity_cells.hpp"
#include "detail/json_stream.hpp"
#include "detail/number_style.hpp"
#include "detail/prefetch.hpp"
#include "detail/report_json.hpp"
#include "detail/table_stream.hpp"
#include "detail/time_varying.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <future>
#include <numeric>
#include <ostream>
#include <sstream>
#include <thread>

#include "servicechain/io/table.hpp"

namespace servicechain {

namespace {

// Beyond this many customers, per-customer columns of a text table become rows (as in
// closed_report.cpp), so that tables stay readable and narrow.
constexpr std::size_t many_customers = 6;

using json = detail::report_json;
json optional_number(const std::optional<double>& v) { return detail::json_number(v); }

using detail::number_style;

bool any_reordering(const open_result& open) {
  return std::any_of(open.stations.units.begin(), open.stations.units.end(),
                     [](const unit_station& u) { return u.queue_discipline != discipline::fifo; });
}

// Internal units, bottleneck first (the order a manager reads in), unlimited units last.
std::vector<unit_index> report_order(const service_graph& g, const model_numbers& numbers, const capacity_result& cap) {
  std::vector<unit_index> order = cap.ranking;
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const auto& p = numbers.unit(unit_index{i});
    if (!g.is_external(unit_index{i}) && p.unlimited_servers) order.push_back(unit_index{i});
  }
  return order;
}

// Rows per block formatted by a worker (JSON): a few hundred kB of text, so that a block
// is still in cache when it is handed to the stream, and the blocks held at once are small.
constexpr std::size_t rows_per_block = 512;
// Entries of a by-unit map per block: one line each, about 35 bytes.
constexpr std::size_t entries_per_block = 4096;

// Links come in model order and their ends anywhere among the units: each end's id and the
// consumer's figures are a cache miss of their own (at 10⁶ units the largest single cost of
// the links' rows). Those of the row this many rows on are asked for while a row is written,
// so that the misses overlap.
constexpr std::size_t prefetch_rows_ahead = 16;

// What the row of link `l` reads at its ends (see prefetch_rows_ahead). Inlined by force, as
// detail::prefetch says.
[[gnu::always_inline]] inline void prefetch_link_row(const service_graph& g, const open_result* open,
                                                     std::uint32_t l) noexcept {
  const link_topology& t = g.link(link_index{l});
  const auto& ids = g.directory()->ids();
  detail::prefetch(&ids[t.provider.value()]);
  detail::prefetch(&ids[t.consumer.value()]);
  if (!open) return;
  const std::uint32_t j = open->chain.link_consumer[l];
  detail::prefetch(&open->stations.units[j].sojourn);
  detail::prefetch(&open->stations.units[j].uniform);
  const unit_matrix& visits = open->chain.sync_visits.size() ? open->chain.sync_visits : open->load.visits;
  if (visits.size() != 0) detail::prefetch(visits.data() + std::size_t{j} * static_cast<std::size_t>(visits.cols()));
}

// The bits of a double as an unsigned key that sorts largest first: negative numbers
// flipped whole, the others by their sign bit, so that the keys ascend as the numbers do
// (Herf, "Radix Tricks", 2001), then complemented.
std::uint64_t descending_key(double v) {
  const auto bits = std::bit_cast<std::uint64_t>(v);
  const std::uint64_t ascending = bits >> 63 ? ~bits : bits | (std::uint64_t{1} << 63);
  return ~ascending;
}

using entry_list = std::vector<std::pair<std::uint32_t, double>>;  // (unit, value)

// Non-zero values of `value(i)` for i in [0, count), largest first, ties in index order.
// A least-significant-digit radix sort over the keys: stable, so ties keep the index order
// they were gathered in, and several times faster than a comparison sort on the 10⁵-entry
// maps of large reports.
template <typename Value>
entry_list nonzero_entries(std::size_t count, Value value) {
  struct item {
    std::uint64_t key;
    std::uint32_t unit;
    double value;
  };
  std::vector<item> items, spare;
  for (std::uint32_t i = 0; i < count; ++i) {
    const double v = value(i);
    if (v != 0.0) items.push_back({descending_key(v), i, v});
  }
  constexpr unsigned digit_bits = 11;
  constexpr std::size_t buckets = std::size_t{1} << digit_bits;
  spare.resize(items.size());
  std::vector<std::size_t> start(buckets);
  for (unsigned shift = 0; shift < 64; shift += digit_bits) {
    auto digit = [&](const item& it) { return static_cast<std::size_t>(it.key >> shift) & (buckets - 1); };
    std::fill(start.begin(), start.end(), std::size_t{0});
    for (const item& it : items) ++start[digit(it)];
    if (!items.empty() && start[digit(items.front())] == items.size()) continue;  // one digit for all
    std::exclusive_scan(start.begin(), start.end(), start.begin(), std::size_t{0});
    for (const item& it : items) spare[start[digit(it)]++] = it;
    items.swap(spare);
  }
  entry_list entries(items.size());
  for (std::size_t k = 0; k < items.size(); ++k) entries[k] = {items[k].unit, items[k].value};
  return entries;
}

// Customer c's by-unit maps of the JSON report (lead time, its waits, cost, defect share) as
// sorted entries; with threads to spare and maps large enough to pay for a thread, two are
// sorted on a second thread.
std::array<entry_list, 4> customer_maps(std::size_t units, const open_result& open, std::size_t c, unsigned threads) {
  std::array<entry_list, 4> maps;
  auto fill = [&](std::size_t k) {
    maps[k] = nonzero_entries(units, [&](std::uint32_t i) {
      const unit_index u{i};
      switch (k) {
        case 0: return open.lead_time_contribution(u, c);
        case 1: return open.lead_time_wait(u, c);
        case 2: return open.cost_by_unit(u, c);
        default: return open.defect_share(u, c);
      }
    });
  };
  if (threads > 1 && units >= 4 * rows_per_block) {
    auto half = std::async(std::launch::async, [&] { fill(2), fill(3); });
    fill(0), fill(1);
    half.get();
  } else {
    for (std::size_t k = 0; k < maps.size(); ++k) fill(k);
  }
  return maps;
}

const rework_cost* rework_of(const open_result* open, std::uint32_t l) {
  if (!open) return nullptr;
  auto it = std::lower_bound(open->rework.begin(), open->rework.end(), l,
                             [](const rework_cost& rc, std::uint32_t link) { return rc.link.value() < link; });
  return it != open->rework.end() && it->link.value() == l ? &*it : nullptr;
}

using detail::time_varying_warning;

// ------------------------------------------------------------------ JSON

// Streamed (detail/json_stream.hpp): one small DOM per unit and link row; the customers'
// by-unit maps, which can hold every unit, are written entry by entry.
void write_report_json(std::ostream& out, const service_graph& g, const model_numbers& numbers, const capacity_result& cap,
                       const load_result& load, const open_result* open, unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  detail::json_stream w(out);
  detail::begin_model_report(w, g);
  w.member("stable", cap.stable());
  w.member("bottleneck", cap.bottleneck ? json(g.id(*cap.bottleneck)) : json(nullptr));
  w.member("max_demand_scale", optional_number(cap.max_demand_scale));
  const std::string varying = time_varying_warning(g, numbers);
  w.member("time_varying", !varying.empty());
  w.member("warnings", varying.empty() ? json::array() : json::array({varying}));
  if (open) {
    w.member("total_cost", open->total_cost);
    w.member("allocated_cost", open->allocated_cost);
    w.member("unallocated_cost", open->unallocated_cost);
  }

  w.key("units");
  w.begin_array();
  detail::write_elements(w, g.unit_count(), rows_per_block, threads, [&](detail::json_stream& w, std::size_t row) {
    const auto i = static_cast<std::uint32_t>(row);
    const unit_index u{i};
    const auto& p = numbers.unit(u);
    if (g.is_external(u)) return;
    const auto& c = cap.units[i];
    w.begin_object();
    w.member("id", g.id(u));
    w.member("name", g.display_name(u));
    if (p.unlimited_servers) w.member("servers", "unlimited");
    else w.member("servers", static_cast<long long>(p.servers));
    w.member("load", c.load);
    w.member("utilization", c.utilization);
    w.member("busy_servers", c.busy_servers);
    w.member("discipline", to_string(p.queue_discipline));
    if (p.schedule) {
      w.member("time_varying", true);
      w.member("average_servers", p.servers * p.speed);
    }
    if (p.preemptive) w.member("preemptive", true);
    w.member("headroom", c.headroom);
    w.member("saturation_scale", c.saturation_scale);
    if (open) {
      const auto& perf = open->units[i];
      w.member("method", open->stations.units[i].method);
      w.member("exact", open->stations.units[i].exact);
      w.member("arrival_scv", perf.arrival_scv);
      w.member("p_wait", perf.p_wait);
      w.member("wait", perf.wait);
      w.member("sojourn", perf.sojourn);
      w.member("queue_length", perf.queue_length);
      w.member("number_in_unit", perf.number_in_unit);
      w.member("cost_per_service", perf.cost_per_service);
      w.member("cost_per_item", perf.cost_per_item);
      w.member("cost_per_time", p.cost_per_time + p.cost_per_request * c.load);
      w.member("lead_time_per_item", perf.lead_time_per_item);
      w.member("defect_free_per_item", perf.defect_free_per_item);
      w.member("aligned", perf.aligned);
    }
    w.end_object();
  });
  w.end_array();

  // An id -> value map of the non-zero values, largest first. Sorted by value, the units come
  // in random order: their keys are read from one packed copy, rendered once, which stays in
  // cache where the graph's strings (32 bytes each, apart) did not.
  const detail::quoted_keys ids(g.directory()->ids());
  auto by_unit = [&](std::string_view name, const entry_list& entries) {
    w.key(name);
    w.begin_object();
    detail::write_elements(w, entries.size(), entries_per_block, threads, [&](detail::json_stream& w, std::size_t k) {
      w.member_quoted(ids[entries[k].first], entries[k].second);
    });
    w.end_object();
  };
  w.key("customers");
  w.begin_array();
  for (std::size_t c = 0; c < cap.customers.size(); ++c) {
    const auto& cc = cap.customers[c];
    w.begin_object();
    w.key("id");
    w.string_value(g.id(cc.customer));
    w.member("demand", optional_number(cc.demand));
    if (numbers.unit(cc.customer).profile) w.member("time_varying", true);
    w.member("max_demand", optional_number(cc.max_demand));
    w.member("max_demand_alone", optional_number(cc.max_demand_alone));
    w.member("limiting_unit", cc.limiting_unit ? json(g.id(*cc.limiting_unit)) : json(nullptr));
    if (open) {
      const auto& cp = open->customers[c];
      const auto maps = customer_maps(g.unit_count(), *open, c, threads);
      w.member("lead_time", cp.lead_time);
      w.member("lead_time_fifo", cp.lead_time_fifo);
      by_unit("lead_time_by_unit", maps[0]);
      by_unit("lead_time_wait_by_unit", maps[1]);
      w.member("cost_to_serve", cp.cost_to_serve);
      by_unit("cost_by_unit", maps[2]);
      w.member("defect_free", cp.defect_free);
      by_unit("defect_share_by_unit", maps[3]);
      w.member("value_per_request", numbers.unit(cc.customer).value_per_request);
    }
    w.end_object();
  }
  w.end_array();

  w.key("links");
  w.begin_array();
  detail::write_elements(w, g.link_count(), rows_per_block, threads, [&](detail::json_stream& w, std::size_t row) {
    const auto l = static_cast<std::uint32_t>(row);
    if (row + prefetch_rows_ahead < g.link_count()) prefetch_link_row(g, open, l + prefetch_rows_ahead);
    const auto& p = g.link(link_index{l});
    w.begin_object();
    w.member("from", g.id(p.provider));
    w.member("to", g.id(p.consumer));
    w.member("flow", load.link_flow[l]);
    w.member("rework_flow", load.link_rework_flow[l]);
    if (open) {
      const auto& ls = open->stations.links[l];
      w.member("load", ls.load);
      w.member("service_time", ls.service_time);
      w.member("wait", ls.wait);
      w.member("wait_fifo", ls.wait_fifo);
      w.member("sojourn", ls.sojourn);
      const rework_cost* rc = rework_of(open, l);
      w.member("rework_cost", rc ? rc->extra_cost : 0.0);
      w.key("lead_time_share");
      w.begin_object();
      thread_local std::vector<double> carried;  // one per worker: rows are formatted on several threads
      carried.resize(g.class_count());
      open->lead_time_through(link_index{l}, carried);
      for (std::size_t c = 0; c < g.class_count(); ++c) {
        const double lead = open->customers[c].lead_time;
        if (carried[c] != 0.0 && lead > 0) w.member_quoted(ids[g.customers()[c].value()], carried[c] / lead);
      }
      w.end_object();
      if (rc) {
        w.key("rework_lead_time");
        w.begin_object();
        for (std::size_t c = 0; c < g.class_count(); ++c)
          if (rc->extra_lead_time[c] != 0.0) w.member_quoted(ids[g.customers()[c].value()], rc->extra_lead_time[c]);
        w.end_object();
      }
    }
    w.end_object();
  });
  w.end_array();

  if (open) {
    w.key("misaligned");
    w.begin_array();
    for (unit_index u : open->misaligned) w.value({{"id", g.id(u)}, {"cost", numbers.unit(u).cost_per_time}});
    w.end_array();
  }
  if (!cap.saturated.empty()) {
    w.key("saturated");
    w.begin_array();
    for (const auto& s : cap.saturated)
      w.value({{"id", s.id}, {"utilization", s.utilization}, {"load", s.load}, {"capacity", s.capacity}});
    w.end_array();
  }
  w.end_object();
  w.finish();
}

// ------------------------------------------------------------------ tables (text and CSV)

using detail::table_rows;
using detail::table_shape;

// The report's tables with a row per unit or link, each a shape and the rows of one slot,
// for both layouts: text rounds numbers for people, CSV keeps every digit (the rows' style).
// They are written as they are made (detail/table_stream.hpp), never held.
class analysis_tables {
 public:
  analysis_tables(const service_graph& g, const model_numbers& numbers, const capacity_result& cap,
                  const load_result& load, const open_result* open)
      : g_(g), numbers_(numbers), cap_(cap), load_(load), open_(open), order_(report_order(g, numbers, cap)) {
    const std::string per_time = "/" + g.time_unit(), time = g.time_unit();
    const std::string money = g.currency().empty() ? "cost" : g.currency();
    units_ = {
        {"unit", "servers", "load (" + per_time + ")", "utilization", "busy servers", "headroom", "saturation scale"}};
    performance_ = {{"unit", "P(wait)", "wait (" + time + ")", "sojourn (" + time + ")", "Lq", "L",
                     "cost/service (" + money + ")", "aligned"}};
    links_ = {{"from", "to", "flow (" + per_time + ")", "rework flow (" + per_time + ")"}, 2};
    if (open) links_.headers.push_back("rework cost (" + money + per_time + ")");
  }

  [[nodiscard]] std::size_t unit_slots() const { return order_.size(); }
  [[nodiscard]] const table_shape& units() const { return units_; }
  void unit_row(table_rows& rows, std::size_t k) const {
    const unit_index u = order_[k];
    const auto& c = cap_.units[u.value()];
    detail::append_capacity_cells(rows, g_, numbers_, cap_, u);
    rows.number(c.headroom, 3).number(c.saturation_scale, 3).end_row();
  }

  [[nodiscard]] const table_shape& performance() const { return performance_; }
  void performance_row(table_rows& rows, std::size_t k) const {
    const unit_index u = order_[k];
    const auto& perf = open_->units[u.value()];
    rows.text(g_.id(u)).number(perf.p_wait, 3).number(perf.wait).number(perf.sojourn).number(perf.queue_length);
    rows.number(perf.number_in_unit).number(perf.cost_per_service).text(perf.aligned ? "yes" : "NO").end_row();
  }

  [[nodiscard]] const table_shape& links() const { return links_; }
  void link_row(table_rows& rows, std::size_t l) const {
    const auto& p = g_.link(link_index{static_cast<std::uint32_t>(l)});
    rows.text(g_.id(p.provider)).text(g_.id(p.consumer)).number(load_.link_flow[l]).number(load_.link_rework_flow[l]);
    if (open_) {
      const rework_cost* rc = rework_of(open_, static_cast<std::uint32_t>(l));
      rows.number(rc ? rc->extra_cost : 0.0);
    }
    rows.end_row();
  }

  // The small tables, a row per customer.
  [[nodiscard]] text_table customers(number_style num) const {
    const std::string per_time = "/" + g_.time_unit();
    text_table t({"customer", "demand (" + per_time + ")", "max demand (" + per_time + ")",
                  "max demand alone (" + per_time + ")", "limited by"});
    for (const auto& cc : cap_.customers)
      t.add_row({g_.id(cc.customer), num(cc.demand), num(cc.max_demand), num(cc.max_demand_alone),
                 cc.limiting_unit ? g_.id(*cc.limiting_unit) : num.none()});
    return t;
  }
  [[nodiscard]] text_table service(number_style num) const {
    const std::string money = g_.currency().empty() ? "cost" : g_.currency();
    std::vector<std::string> headers{"customer", "lead time (" + g_.time_unit() + ")", "cost to serve (" + money + ")",
                                     "defect-free"};
    const bool reordered = any_reordering(*open_);
    if (reordered) headers.insert(headers.begin() + 2, "lead time if all FIFO (" + g_.time_unit() + ")");
    text_table t(std::move(headers));
    for (std::size_t c = 0; c < cap_.customers.size(); ++c) {
      const auto& cp = open_->customers[c];
      std::vector<std::string> row{g_.id(cap_.customers[c].customer), num(cp.lead_time), num(cp.cost_to_serve),
                                   num(cp.defect_free, 4)};
      if (reordered) row.insert(row.begin() + 2, num(cp.lead_time_fifo));
      t.add_row(std::move(row));
    }
    return t;
  }

 private:
  const service_graph& g_;
  const model_numbers& numbers_;
  const capacity_result& cap_;
  const load_result& load_;
  const open_result* open_;
  std::vector<unit_index> order_;
  table_shape units_, performance_, links_;
};

// Who pays for a priority: the per-link waits of every unit whose discipline reorders its
// queue, beside the waits under FIFO. Nothing when every unit serves first come, first served.
void write_discipline_table(std::ostream& out, const service_graph& g, const model_numbers& numbers,
                            const open_result& open, unsigned threads) {
  auto reorders = [&](std::uint32_t i) {
    return !g.is_external(unit_index{i}) && open.stations.units[i].queue_discipline != discipline::fifo;
  };
  bool any = false;
  for (std::uint32_t i = 0; i < g.unit_count() && !any; ++i) any = reorders(i) && !g.out_links(unit_index{i}).empty();
  if (!any) return;
  const std::string time = g.time_unit();
  const table_shape shape{{"unit", "discipline", "for (link to)", "class", "load (/" + time + ")",
                           "wait (" + time + ")", "wait if FIFO (" + time + ")", "method"}};
  out << "Who comes first: waits by link at units that do not serve FIFO\n";
  detail::write_text_table(out, shape, g.unit_count(), threads, [&](table_rows& rows, std::size_t slot) {
    const auto i = static_cast<std::uint32_t>(slot);
    if (!reorders(i)) return;
    const unit_index u{i};
    const auto& unit = open.stations.units[i];
    const std::string discipline =
        std::string(to_string(unit.queue_discipline)) + (numbers.unit(u).preemptive ? " (preemptive)" : "");
    for (link_index l : g.out_links(u)) {
      const auto& ls = open.stations.links[l.value()];
      rows.text(g.id(u)).text(discipline).text(g.id(g.link(l).consumer)).integer(ls.service_class);
      rows.number(ls.load).number(ls.wait).number(ls.wait_fifo).text(unit.method).end_row();
    }
  });
  out << '\n';
}

// A text waterfall: each contribution is a bar starting where the previous one ended.
std::string waterfall(const service_graph& g, const open_result& open, std::size_t c, std::size_t shown) {
  constexpr std::size_t width = 40;
  const double total = open.customers[c].lead_time;
  const auto entries =
      nonzero_entries(g.unit_count(), [&](auto i) { return open.lead_time_contribution(unit_index{i}, c); });
  text_table t({"unit", "contribution (" + g.time_unit() + ")", "share", "waterfall"});
  double before = 0;
  auto bar = [&](double from, double amount) {
    const auto start = static_cast<std::size_t>(std::lround(from / total * width));
    const auto end = std::max(start + 1, static_cast<std::size_t>(std::lround((from + amount) / total * width)));
    std::string s = fmt::format("|{:{}}", "", start);
    for (std::size_t i = start; i < std::min(end, width); ++i) s += "\u2588";
    return s + std::string(width - std::min(end, width), ' ') + "|";
  };
  for (std::size_t k = 0; k < entries.size() && k < shown; ++k) {
    const auto& [u, v] = entries[k];
    t.add_row({g.id(unit_index{u}), format_number(v), format_number(100 * v / total, 3) + "%", bar(before, v)});
    before += v;
  }
  if (entries.size() > shown) {
    const double rest = total - before;
    t.add_row({fmt::format("({} more units)", entries.size() - shown), format_number(rest),
               format_number(100 * rest / total, 3) + "%", bar(before, rest)});
  }
  double waiting = 0;
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) waiting += open.lead_time_wait(unit_index{i}, c);
  return fmt::format("Lead time of {}: {} {} (waiting {}, service {})\n{}", g.id(g.customers()[c]),
                     format_number(total), g.time_unit(), format_number(waiting), format_number(total - waiting),
                     t.to_text());
}

// The cost of poor internal service: a row per link with rework; the lead time it adds by
// customer in columns, or with many customers in a table of its own, a row per link and customer.
void write_rework_tables(std::ostream& out, const service_graph& g, const open_result& open, unsigned threads) {
  const std::string unit = g.time_unit();
  table_shape shape{{"link", "rework flow (/" + unit + ")", "extra load (/" + unit + ")",
                     "extra cost (" + (g.currency().empty() ? std::string("cost") : g.currency()) + "/" + unit + ")"}};
  const bool columns = g.class_count() <= many_customers;
  if (columns)
    for (unit_index c : g.customers()) shape.headers.push_back("extra lead time " + g.id(c) + " (" + unit + ")");
  auto link_text = [&](const rework_cost& rc) {
    const auto& p = g.link(rc.link);
    return g.id(p.provider) + " -> " + g.id(p.consumer);
  };
  out << "Cost of poor internal service (links with acceptance < 1)\n";
  detail::write_text_table(out, shape, open.rework.size(), threads, [&](table_rows& rows, std::size_t k) {
    const auto& rc = open.rework[k];
    rows.text(link_text(rc)).number(rc.rework_flow).number(rc.extra_load).number(rc.extra_cost);
    if (columns)
      for (double v : rc.extra_lead_time) rows.number(v);
    rows.end_row();
  });
  out << '\n';
  const bool any = std::any_of(open.rework.begin(), open.rework.end(), [](const rework_cost& rc) {
    return std::any_of(rc.extra_lead_time.begin(), rc.extra_lead_time.end(), [](double v) { return v != 0; });
  });
  if (columns || !any) return;
  out << "Lead time the rejections add, by customer\n";
  detail::write_text_table(
      out, {{"link", "customer", "extra lead time (" + unit + ")"}, 2}, open.rework.size(), threads,
      [&](table_rows& rows, std::size_t k) {
        const auto& rc = open.rework[k];
        for (std::size_t c = 0; c < rc.extra_lead_time.size(); ++c)
          if (rc.extra_lead_time[c] != 0)
            rows.text(link_text(rc)).text(g.id(g.customers()[c])).number(rc.extra_lead_time[c]).end_row();
      });
  out << '\n';
}

void write_report_text(std::ostream& out, const service_graph& g, const model_numbers& numbers,
                       const capacity_result& cap, const load_result& load, const open_result* open,
                       const report_options& options, unsigned threads) {
  const number_style num{.exact = false};
  const analysis_tables t(g, numbers, cap, load, open);
  const std::string money = g.currency().empty() ? "" : " " + g.currency();
  out << fmt::format("Model: {}  (time unit: {}{})\n\n", g.name().empty() ? "(unnamed)" : g.name(), g.time_unit(),
                     g.currency().empty() ? "" : ", currency: " + g.currency());
  auto unit_row = [&](table_rows& rows, std::size_t k) { t.unit_row(rows, k); };
  out << "Capacity by unit (bottleneck first)\n";
  detail::write_text_table(out, t.units(), t.unit_slots(), threads, unit_row);
  out << "\nCapacity by customer\n" << t.customers(num).to_text() << '\n';
  if (open) {
    out << "Waiting and cost by unit\n";
    detail::write_text_table(out, t.performance(), t.unit_slots(), threads,
                             [&](table_rows& rows, std::size_t k) { t.performance_row(rows, k); });
    out << "\nWhat each customer receives\n" << t.service(num).to_text() << '\n';
    write_discipline_table(out, g, numbers, *open, threads);
    for (std::size_t c = 0; c < g.class_count(); ++c) {
      if (open->customers[c].lead_time > 0) out << waterfall(g, *open, c, options.waterfall_units) << '\n';
    }
    if (!open->rework.empty()) write_rework_tables(out, g, *open, threads);
    if (!open->misaligned.empty()) {
      std::string line = "Misaligned units (no chain to any external customer):";
      for (unit_index u : open->misaligned)
        line += fmt::format(" {} ({}{}/{})", g.id(u), num(numbers.unit(u).cost_per_time), money, g.time_unit());
      out << line << '\n';
    }
    out << fmt::format("Total cost {}{}/{}: allocated to customers {}, unallocated {}.\n", num(open->total_cost), money,
                       g.time_unit(), num(open->allocated_cost), num(open->unallocated_cost));
  }
  out << "\nLinks\n";
  detail::write_text_table(out, t.links(), g.link_count(), threads,
                           [&](table_rows& rows, std::size_t l) { t.link_row(rows, l); });
  out << '\n';
  if (cap.bottleneck) {
    const auto& b = cap.units[cap.bottleneck->value()];
    out << fmt::format(
        "Bottleneck: {} (utilization {}); every demand can grow by a factor of {} before it saturates.\n",
        g.id(*cap.bottleneck), num(b.utilization, 3), num(cap.max_demand_scale, 4));
  } else {
    out << "No unit with finite servers carries load.\n";
  }
  if (const std::string varying = time_varying_warning(g, numbers); !varying.empty())
    out << fmt::format("Note: {}.\n", varying);
  if (!cap.stable()) {
    out << fmt::format("UNSTABLE: {} saturated unit{}:", cap.saturated.size(), cap.saturated.size() == 1 ? "" : "s");
    for (const auto& s : cap.saturated) out << fmt::format(" {} (utilization {})", s.id, num(s.utilization, 4));
    out << '\n';
  }
}

// Each section goes to the stream as its rows are made.
void write_report_csv(std::ostream& out, const service_graph& g, const model_numbers& numbers,
                      const capacity_result& cap, const load_result& load, const open_result* open, unsigned threads) {
  const number_style num{.exact = true};
  const analysis_tables t(g, numbers, cap, load, open);
  out << "# units\n";
  detail::write_csv_table(out, t.units(), t.unit_slots(), num, threads,
                          [&](table_rows& rows, std::size_t k) { t.unit_row(rows, k); });
  out << "\n# customers\n" << t.customers(num).to_csv() << "\n# links\n";
  detail::write_csv_table(out, t.links(), g.link_count(), num, threads,
                          [&](table_rows& rows, std::size_t l) { t.link_row(rows, l); });
  if (!open) return;
  out << "\n# unit_performance\n";
  detail::write_csv_table(out, t.performance(), t.unit_slots(), num, threads,
                          [&](table_rows& rows, std::size_t k) { t.performance_row(rows, k); });
  out << "\n# customer_service\n" << t.service(num).to_csv();
  // Tidy tables, a row per customer and unit or link (class by class) that has a share.
  const std::size_t n = g.unit_count(), links = g.link_count();
  out << "\n# contributions_by_unit\n";
  detail::write_csv_table(
      out, {{"customer", "unit", "lead_time", "wait", "service", "cost", "defect_share"}}, g.class_count() * n, num,
      threads, [&](table_rows& rows, std::size_t slot) {
        const std::size_t c = slot / n;
        const unit_index u{static_cast<std::uint32_t>(slot % n)};
        const double w = open->lead_time_wait(u, c), s = open->lead_time_service(u, c);
        const double cost = open->cost_by_unit(u, c), share = open->defect_share(u, c);
        if (w == 0 && s == 0 && cost == 0 && share == 0) return;
        rows.text(g.id(g.customers()[c])).text(g.id(u)).number(w + s).number(w).number(s).number(cost).number(share);
        rows.end_row();
      });
  out << "\n# lead_time_by_link\n";
  detail::write_csv_table(out, {{"customer", "from", "to", "lead_time", "share"}, 3}, g.class_count() * links, num,
                          threads, [&](table_rows& rows, std::size_t slot) {
                            const std::size_t c = slot / links;
                            const link_index l{static_cast<std::uint32_t>(slot % links)};
                            const double v = open->lead_time_through(l, c);
                            if (v == 0) return;
                            const auto& p = g.link(l);
                            const double lead = open->customers[c].lead_time;
                            rows.text(g.id(g.customers()[c])).text(g.id(p.provider)).text(g.id(p.consumer));
                            rows.number(v).number(lead > 0 ? v / lead : 0.0).end_row();
                          });
  out << "\n# rework\n";
  detail::write_csv_table(out,
                          {{"from", "to", "customer", "rework_flow", "extra_load", "extra_cost", "extra_lead_time"}},
                          open->rework.size(), num, threads, [&](table_rows& rows, std::size_t k) {
                            const auto& rc = open->rework[k];
                            const auto& p = g.link(rc.link);
                            for (std::size_t c = 0; c < g.class_count(); ++c) {
                              rows.text(g.id(p.provider)).text(g.id(p.consumer)).text(g.id(g.customers()[c]));
                              rows.number(rc.rework_flow)
                                  .number(rc.extra_load)
                                  .number(rc.extra_cost)
                                  .number(rc.extra_lead_time[c])
                                  .end_row();
                            }
                          });
  text_table totals({"total_cost", "allocated_cost", "unallocated_cost"});
  totals.add_row({num(open->total_cost), num(open->allocated_cost), num(open->unallocated_cost)});
  out << "\n# totals\n" << totals.to_csv();
}

}  // namespace

std::optional<report_format> parse_report_format(std::string_view name) noexcept {
  if (name == "table") return report_format::table;
  if (name == "json") return report_format::json;
  if (name == "csv") return report_format::csv;
  return std::nullopt;
}

void write_analysis_report(std::ostream& out, const service_graph& g, const model_numbers& numbers,
                           const capacity_result& capacity, const load_result& load, const open_result* open,
                           report_format format, const report_options& options) {
  const unsigned threads = options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  switch (format) {
    case report_format::json:
      write_report_json(out, g, numbers, capacity, load, open, threads);
      return;
    case report_format::csv:
      write_report_csv(out, g, numbers, capacity, load, open, threads);
      return;
    case report_format::table:
      write_report_text(out, g, numbers, capacity, load, open, options, threads);
      return;
  }
}

std::string analysis_report(const service_graph& g, const model_numbers& numbers, const capacity_result& capacity, const load_result& load,
                            const open_result* open, report_format format, const report_options& options) {
  std::ostringstream out;
  write_analysis_report(out, g, numbers, capacity, load, open, format, options);
  return std::move(out).str();
}

}  // namespace servicechain
