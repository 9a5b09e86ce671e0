// `servicechain simulate MODEL [--replications N] [--horizon T] [--warmup T] [--seed S]
//  [--threads K] [--confidence L] [--percentiles 50,90,99] [--sla T] [--format table|json|csv]`:
// the discrete-event simulation of the model (servicechain/simulation/simulation.hpp), every
// figure with its confidence interval (src/io/simulation_report.cpp).
// `servicechain check MODEL [the same] [--variability poisson|propagate]`: the analysis beside
// the simulation, figure by figure. A report: exit 0 even when analytic values fall outside
// their simulated intervals.
// A progress bar goes to stderr when stderr is a terminal, and nothing otherwise.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/closed_network.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/open_network.hpp"
#include "servicechain/error.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/io/json.hpp"
#include "servicechain/io/report.hpp"
#include "servicechain/io/simulation_report.hpp"
#include "servicechain/simulation/simulation.hpp"

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace servicechain::cli {

namespace {

// Requests per replication the default horizon aims at: enough for intervals of a few
// percent on most models, short enough to answer in seconds.
constexpr double default_requests = 1e5;

// "50,90,99" -> {50, 90, 99}; an error message instead when a value is not a number in (0, 100).
std::string parse_percentiles(const std::string& text, std::vector<double>* out) {
  std::vector<double> values;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, end - start);
    double v = 0;
    const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc{} || ptr != item.data() + item.size() || !(v > 0 && v < 100)) {
      return fmt::format("'{}' is not a percentile: expected numbers in (0, 100) separated by commas, e.g. 50,90,99",
                         item);
    }
    values.push_back(v);
    start = end + 1;
  }
  if (out) *out = std::move(values);
  return {};
}

// A CLI11 check of a finite number: `test` decides, `expected` says what it must be. Named by
// CLI11 after the option that failed ("--horizon: '0' is not valid: expected a number > 0").
CLI::Validator number_check(bool (*test)(double), const char* expected) {
  return CLI::Validator(
      [test, expected](std::string& text) {
        double v = 0;
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(v) || !test(v))
          return fmt::format("'{}' is not valid: expected {}", text, expected);
        return std::string();
      },
      expected);
}

bool stderr_is_terminal() {
#if defined(__unix__) || defined(__APPLE__)
  return isatty(fileno(stderr)) != 0;
#else
  return false;
#endif
}

// A one-line bar redrawn in place on stderr, at most once per percent.
class progress_bar {
 public:
  void operator()(const simulation_progress& p) {
    const int percent = static_cast<int>(std::floor(100 * p.fraction));
    if (percent == shown_ && p.replications_done == done_) return;
    shown_ = percent;
    done_ = p.replications_done;
    constexpr int width = 30;
    const int filled = percent * width / 100;
    fmt::print(
        stderr, "\rsimulating [{}{}] {:3}%  {}/{} replications", std::string(static_cast<std::size_t>(filled), '#'),
        std::string(static_cast<std::size_t>(width - filled), ' '), percent, p.replications_done, p.replications);
    std::fflush(stderr);
    drawn_ = true;
  }
  // Clears the line, so that what follows starts at the left margin.
  void finish() const {
    if (drawn_) fmt::print(stderr, "\r{:70}\r", "");
  }

 private:
  int shown_ = -1;
  std::size_t done_ = 0;
  bool drawn_ = false;
};

// Requests per time unit the model's customers send: the open demands, plus for each
// closed class its analytic throughput (mean-value analysis) when there is one.
double request_rate(const service_graph& g, const model_numbers& numbers) {
  double rate = 0;
  for (unit_index c : g.customers())
    if (numbers.unit(c).open_class) rate += numbers.unit(c).demand;
  if (has_closed_classes(g, numbers)) {
    rate = 0;
    for (const auto& c : analyze_closed(g, numbers).customers) rate += c.throughput;
  }
  return rate;
}

simulation_options make_options(const service_graph& g, const simulation_command_options& o, bool check) {
  simulation_options s;
  s.replications = o.replications;
  if (o.horizon) {
    s.horizon = *o.horizon;
  } else {
    const double rate = request_rate(g, g.numbers());
    if (!(rate > 0)) {
      throw error(error_code::invalid_argument,
                  "the model's customers send no requests, so there is no default --horizon: give one");
    }
    s.horizon = default_requests / rate;
  }
  s.warmup = o.warmup;
  s.seed = o.seed;
  s.threads = o.threads;
  s.confidence = o.confidence.value_or(check ? 0.999 : 0.95);
  (void)parse_percentiles(o.percentiles, &s.percentiles);  // checked when parsed
  s.sla = o.sla;
  return s;
}

simulation_result run_simulation(const service_graph& g, const command_options& options, bool check) {
  simulation_options s = make_options(g, options.simulation, check);
  progress_bar bar;
  if (stderr_is_terminal()) s.progress = [&bar](const simulation_progress& p) { bar(p); };
  try {
    simulation_result r = simulate(g, s);
    bar.finish();
    return r;
  } catch (...) {
    bar.finish();
    throw;
  }
}

void print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

}  // namespace

void add_simulation_options(CLI::App& sub, command_options& options, bool check) {
  auto& o = options.simulation;
  sub.add_option("MODEL", options.model, "model file (JSON, see docs/model-format.md)")->required();
  sub.add_option("--replications", o.replications, "independent replications (>= 2)")
      ->check(CLI::Range(std::size_t{2}, std::size_t{1'000'000}))
      ->default_val(10);
  sub.add_option("--horizon", o.horizon,
                 "time observed per replication, in the model's time unit (default: about 100000 requests)")
      ->check(number_check([](double v) { return v > 0; }, "a number > 0"));
  sub.add_option("--warmup", o.warmup,
                 "time simulated and discarded before each replication's horizon (default: horizon/10)")
      ->check(number_check([](double v) { return v >= 0; }, "a number >= 0"));
  sub.add_option("--seed", o.seed, "seed of the random streams: same seed, same results whatever --threads")
      ->default_val(1);
  sub.add_option("--threads", o.threads, "worker threads (0: one per core)")
      ->check(CLI::Range(0U, 4096U))
      ->default_val(0);
  sub.add_option("--confidence", o.confidence,
                 check ? "confidence level of every interval, in (0, 1) (default 0.999)"
                       : "confidence level of every interval, in (0, 1) (default 0.95)")
      ->check(number_check([](double v) { return v > 0 && v < 1; }, "a number in (0, 1), e.g. 0.95"));
  sub.add_option("--percentiles", o.percentiles, "lead-time percentiles per customer, comma-separated")
      ->check(CLI::Validator([](std::string& text) { return parse_percentiles(text, nullptr); }, "P,P,..."))
      ->default_val("50,90,95,99");
  sub.add_option("--sla", o.sla, "lead-time target: each customer's share of requests above it")
      ->check(number_check([](double v) { return v >= 0; }, "a number >= 0"));
  sub.add_option("--format", options.format, "output format")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->default_val("table");
  if (check) {
    sub.add_option("--variability", options.variability,
                   "arrival variability of the analysis: poisson (ca2 = 1 everywhere) or propagate (Whitt's QNA)")
        ->check(CLI::IsMember({"poisson", "propagate"}))
        ->default_val("poisson");
  }
}

int simulate_command(const command_options& options) {
  const service_graph g = compile(load_organization(options.model));
  const simulation_result sim = run_simulation(g, options, false);
  print(simulation_report(g, g.numbers(), sim, *parse_report_format(options.format)));
  return exit_ok;
}

int check_command(const command_options& options) {
  const service_graph g = compile(load_organization(options.model));
  accuracy_result accuracy;
  if (has_closed_classes(g, g.numbers())) {
    const closed_result closed = analyze_closed(g);  // unstable_error (exit 3) if open classes saturate a unit
    std::vector<double> rates;
    for (const auto& c : closed.customers) rates.push_back(c.throughput);
    const load_result load = compute_load(g, g.numbers(), rates);
    const simulation_result sim = run_simulation(g, options, true);
    accuracy = compare_closed(g, g.numbers(), closed, load, sim);
    for (const auto& w : accuracy.warnings) fmt::print(stderr, "servicechain: warning: {}\n", w);
    print(accuracy_report(g, sim, accuracy, *parse_report_format(options.format)));
    return exit_ok;
  }
  const open_options open_opts{.variability = options.variability == "propagate" ? arrival_variability::propagate
                                                                                 : arrival_variability::poisson};
  const open_result open = analyze_open(g, open_opts);  // unstable_error (exit 3) on a saturated model
  const simulation_result sim = run_simulation(g, options, true);
  accuracy = compare_open(g, g.numbers(), open, sim);
  for (const auto& w : accuracy.warnings) fmt::print(stderr, "servicechain: warning: {}\n", w);
  print(accuracy_report(g, sim, accuracy, *parse_report_format(options.format)));
  return exit_ok;
}

}  // namespace servicechain::cli
