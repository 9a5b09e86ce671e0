#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/error.hpp"
#include "servicechain/simulation/simulation.hpp"
#include "simulation/engine.hpp"

namespace servicechain {

namespace {

[[noreturn]] void bad_option(std::string_view name, double value, std::string_view expectation) {
  throw error(error_code::invalid_argument,
              fmt::format("simulation_options.{} = {}, but must be {}", name, value, expectation));
}

detail::replication_settings resolve(const simulation_options& o) {
  if (o.replications < 1) bad_option("replications", 0, ">= 1");
  if (o.batches < 1) bad_option("batches", 0, ">= 1");
  if (o.replications * o.batches < 2) {
    throw error(error_code::invalid_argument,
                "simulation_options.replications = 1 with batches = 1, but an interval needs two observations: "
                "ask for more replications or batches");
  }
  if (!(o.horizon > 0) || !std::isfinite(o.horizon)) bad_option("horizon", o.horizon, "> 0 and finite");
  const double warmup = o.warmup ? *o.warmup : o.horizon / 10;
  if (!(warmup >= 0) || !std::isfinite(warmup)) bad_option("warmup", warmup, ">= 0 and finite");
  if (!(o.confidence > 0 && o.confidence < 1)) bad_option("confidence", o.confidence, "in (0, 1)");
  for (const double p : o.percentiles)
    if (!(p > 0 && p < 100)) bad_option("percentiles", p, "in (0, 100)");
  if (o.sla && (!(*o.sla >= 0) || !std::isfinite(*o.sla))) bad_option("sla", *o.sla, ">= 0 and finite");
  if (o.max_items_in_progress < 1 || o.max_items_in_progress > detail::no_index) {
    bad_option("max_items_in_progress", static_cast<double>(o.max_items_in_progress), "in [1, 2^32 - 1)");
  }
  return {.seed = o.seed,
          .warmup = warmup,
          .horizon = o.horizon,
          .batches = o.batches,
          .percentiles = o.percentiles,
          .sla = o.sla.value_or(0),
          .has_sla = o.sla.has_value(),
          .lead_time_by_unit = o.lead_time_by_unit,
          .max_items = o.max_items_in_progress};
}

/// The simulation needs a steady state to estimate: the same check as analyze_open.
void require_stable(const service_graph& g, const model_numbers& numbers) {
  auto saturated = saturated_units(g, numbers, compute_load(g, numbers));
  if (!saturated.empty()) throw unstable_error(std::move(saturated));
}

/// A closed class that neither thinks nor asks anything would repeat its requests without time
/// passing: the one model the engine cannot run.
void require_simulable(const service_graph& g, const model_numbers& numbers) {
  std::vector<diagnostic> problems;
  for (const unit_index c : g.customers()) {
    const auto& p = numbers.unit(c);
    if (p.open_class || p.think_time > 0) continue;
    bool asks = false;
    for (const link_index l : g.in_links(c)) asks = asks || numbers.link(l).requests > 0;
    if (!asks) {
      problems.push_back({fmt::format("unit '{}' (/units/{})", g.id(c), c.value()),
                          "think_time = 0 and no requests to any provider, but a closed class must take some time: "
                          "its requests would repeat without end in a simulation"});
    }
  }
  if (!problems.empty()) throw invalid_model_error(std::move(problems));
}

// The fields of each figure, as pairs of members (one replication, the summary).
template <template <typename> class Kpis>
using field = std::pair<double Kpis<double>::*, estimate Kpis<estimate>::*>;

constexpr std::array<field<unit_kpis>, 8> unit_fields{{
    {&unit_kpis<double>::load, &unit_kpis<estimate>::load},
    {&unit_kpis<double>::utilization, &unit_kpis<estimate>::utilization},
    {&unit_kpis<double>::busy_servers, &unit_kpis<estimate>::busy_servers},
    {&unit_kpis<double>::p_wait, &unit_kpis<estimate>::p_wait},
    {&unit_kpis<double>::wait, &unit_kpis<estimate>::wait},
    {&unit_kpis<double>::sojourn, &unit_kpis<estimate>::sojourn},
    {&unit_kpis<double>::queue_length, &unit_kpis<estimate>::queue_length},
    {&unit_kpis<double>::number_in_unit, &unit_kpis<estimate>::number_in_unit},
}};
constexpr std::array<field<link_kpis>, 5> link_fields{{
    {&link_kpis<double>::load, &link_kpis<estimate>::load},
    {&link_kpis<double>::flow, &link_kpis<estimate>::flow},
    {&link_kpis<double>::rework_flow, &link_kpis<estimate>::rework_flow},
    {&link_kpis<double>::wait, &link_kpis<estimate>::wait},
    {&link_kpis<double>::sojourn, &link_kpis<estimate>::sojourn},
}};
constexpr std::array<field<customer_kpis>, 4> customer_fields{{
    {&customer_kpis<double>::throughput, &customer_kpis<estimate>::throughput},
    {&customer_kpis<double>::lead_time, &customer_kpis<estimate>::lead_time},
    {&customer_kpis<double>::cost_to_serve, &customer_kpis<estimate>::cost_to_serve},
    {&customer_kpis<double>::sla_share, &customer_kpis<estimate>::sla_share},
}};

/// Every figure's mean and confidence interval across the replications.
void summarize(const std::vector<replication_result>& runs, double level, simulation_result& r) {
  const std::size_t n = runs.front().units.size(), links = runs.front().links.size(),
                    classes = runs.front().customers.size();
  std::vector<double> values(runs.size());
  const auto over_runs = [&](auto&& value_of) {
    for (std::size_t k = 0; k < runs.size(); ++k) values[k] = value_of(runs[k]);
    return confidence_interval(values, level);
  };
  r.units.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    for (const auto& f : unit_fields)  // no structured binding: clang 14 cannot capture one
      r.units[i].*f.second = over_runs([&](const replication_result& run) { return run.units[i].*f.first; });
  r.links.resize(links);
  for (std::size_t l = 0; l < links; ++l)
    for (const auto& f : link_fields)  // no structured binding: clang 14 cannot capture one
      r.links[l].*f.second = over_runs([&](const replication_result& run) { return run.links[l].*f.first; });
  r.customers.resize(classes);
  for (std::size_t c = 0; c < classes; ++c) {
    auto& cust = r.customers[c];
    for (const auto& f : customer_fields)  // no structured binding: clang 14 cannot capture one
      cust.*f.second = over_runs([&](const replication_result& run) { return run.customers[c].*f.first; });
    cust.lead_time_percentiles.resize(r.percentiles.size());
    for (std::size_t p = 0; p < r.percentiles.size(); ++p) {
      cust.lead_time_percentiles[p] =
          over_runs([&](const replication_result& run) { return run.customers[c].lead_time_percentiles[p]; });
    }
    if (!runs.front().customers[c].lead_time_by_unit.empty()) {
      cust.lead_time_by_unit.resize(n);
      for (std::size_t i = 0; i < n; ++i) {
        cust.lead_time_by_unit[i] =
            over_runs([&](const replication_result& run) { return run.customers[c].lead_time_by_unit[i]; });
      }
    }
  }
}

}  // namespace

const estimate& simulation_result::lead_time_percentile(std::size_t c, double p) const {
  for (std::size_t k = 0; k < percentiles.size(); ++k)
    if (percentiles[k] == p) return customers.at(c).lead_time_percentiles[k];
  throw error(error_code::invalid_argument,
              fmt::format("lead_time_percentile: p = {}, but only these percentiles were simulated: {}", p,
                          fmt::join(percentiles, ", ")));
}

simulation_result simulate(const service_graph& g, const model_numbers& numbers, const simulation_options& options) {
  const detail::replication_settings settings = resolve(options);
  require_stable(g, numbers);
  require_simulable(g, numbers);
  const detail::sim_model model = detail::make_sim_model(g, numbers);

  const std::size_t count = options.replications;
  const unsigned hardware = std::max(1U, std::thread::hardware_concurrency());
  const std::size_t threads = std::min<std::size_t>(count, options.threads == 0 ? hardware : options.threads);
  std::vector<std::vector<replication_result>> runs(count);  // by replication: its batches

  // Replications are handed out in order; each writes only its own slot, so the results do
  // not depend on which thread ran which replication.
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;  // guards the fields below and serializes the progress callback
  std::exception_ptr first_error;
  std::size_t done = 0;
  double simulated = 0;
  const double total_time = static_cast<double>(count) * (settings.warmup + settings.horizon);
  const auto report = [&] {  // with the mutex held
    if (options.progress) {
      options.progress(
          {.replications_done = done, .replications = count, .fraction = std::min(1.0, simulated / total_time)});
    }
  };
  std::function<void(double)> hook;
  if (options.progress) {
    hook = [&](double dt) {
      const std::lock_guard lock(mutex);
      simulated += dt;
      report();
    };
  }
  const auto worker = [&] {
    for (;;) {
      const std::size_t k = next.fetch_add(1);
      if (k >= count || failed.load()) return;
      try {
        runs[k] = detail::run_replication(model, settings, k, hook);
        const std::lock_guard lock(mutex);
        ++done;
        report();
      } catch (...) {
        const std::lock_guard lock(mutex);
        if (!first_error) first_error = std::current_exception();
        failed = true;
        return;
      }
    }
  };
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  if (first_error) std::rethrow_exception(first_error);

  std::vector<replication_result> observations;
  observations.reserve(count * options.batches);
  for (auto& batches : runs)
    for (auto& batch : batches) observations.push_back(std::move(batch));

  simulation_result r;
  r.directory = g.directory();
  r.replications = count;
  r.batches = options.batches;
  r.warmup = settings.warmup;
  r.horizon = settings.horizon;
  r.seed = options.seed;
  r.confidence = options.confidence;
  r.percentiles = options.percentiles;
  r.sla = options.sla;
  for (const auto& run : observations) r.events += run.events;
  summarize(observations, options.confidence, r);
  if (options.keep_replications) r.runs = std::move(observations);
  return r;
}

simulation_result simulate(const service_graph& g, const simulation_options& options) {
  return simulate(g, g.numbers(), options);
}

std::vector<replication_result> simulate_replication(const service_graph& g, const model_numbers& numbers,
                                                     const simulation_options& options, std::size_t replication) {
  const detail::replication_settings settings = resolve(options);
  require_stable(g, numbers);
  require_simulable(g, numbers);
  const detail::sim_model model = detail::make_sim_model(g, numbers);
  return detail::run_replication(model, settings, replication, {});
}

}  // namespace servicechain
