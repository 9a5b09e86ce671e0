#include "cli/commands.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "servicechain/servicechain.hpp"
#include "servicechain/io/closed_report.hpp"
#include "servicechain/io/report.hpp"
#include "servicechain/io/policy_report.hpp"
#include "servicechain/io/structure_report.hpp"

namespace servicechain::cli {

namespace {

// Warnings and approximations go to stderr too, one line each, so that a reader of the
// table or a pipeline consuming the JSON both learn what the figures are.
void print_warnings(const std::vector<std::string>& lines) {
  for (const auto& line : lines) fmt::print(stderr, "servicechain: warning: {}\n", line);
}

// A model with closed classes: mean-value analysis, with the loads at its throughputs.
int analyze_closed_model(const service_graph& g, const command_options& options) {
  const closed_result closed = analyze_closed(g);  // unstable_error (exit 3) if open classes saturate a unit
  std::vector<double> rates;
  for (const auto& c : closed.customers) rates.push_back(c.throughput);
  const load_result load = compute_load(g, g.numbers(), rates);
  const capacity_result capacity = analyze_capacity(g, g.numbers(), load);
  const auto write = [&](std::ostream& out) {
    write_closed_analysis_report(out, g, g.numbers(), capacity, load, closed, *parse_report_format(options.format));
  };
  const int code = write_report(write, options, "analyze");
  print_warnings(closed.approximations);
  print_warnings(closed_model_warnings(g, g.numbers()));
  return code;
}

int analyze(const command_options& options) {
  // The organization is dropped once compiled: at 10⁵ units it is 100 MB the analysis never reads.
  const service_graph g = compile(load_model(options.model));
  if (has_closed_classes(g, g.numbers())) return analyze_closed_model(g, options);
  const open_options open_opts{.variability = options.variability == "propagate" ? arrival_variability::propagate
                                                                                  : arrival_variability::poisson};
  // Throws unstable_error (exit 3) listing every saturated unit.
  const open_result open = analyze_open(g, open_opts);
  const capacity_result capacity = analyze_capacity(g, open.load);
  return write_report(
      [&](std::ostream& out) {
        write_analysis_report(out, g, g.numbers(), capacity, open.load, &open, *parse_report_format(options.format),
                              {.threads = options.report_threads});
      },
      options, "analyze");
}

int structure(const command_options& options) {
  const service_graph g = compile(load_model(options.model));
  const structure_options structure_opts{.k = options.k, .fragile_gain = options.fragile_gain};
  const structure_result result = analyze_structure(g, structure_opts);
  return write_report(
      [&](std::ostream& out) {
        write_structure_report(out, g, result, *parse_report_format(options.format), structure_opts.chains_unit_limit);
      },
      options, "structure");
}

int policy(const command_options& options) {
  const service_graph g = compile(load_model(options.model));
  const open_result given = analyze_open(g);  // unstable_error (exit 3) on a saturated model
  policy_options policy_opts;
  for (const auto& id : options.units) policy_opts.units.push_back(g.index_of(id));
  const std::string report = policy_report(g, compare_policies(g, g.numbers(), given, policy_opts),
                                           *parse_report_format(options.format));
  return print_report(report, options, "policy");
}

int mix(const command_options& options) {
  const service_graph g = compile(load_model(options.model));
  const std::string report = mix_report(g, mix_bottlenecks(g), *parse_report_format(options.format));
  return print_report(report, options, "mix");
}

int validate_model(const command_options& options) {
  const organization org = load_model(options.model);
  const auto problems = validate(org);
  if (!problems.empty()) throw invalid_model_error(problems);
  const service_graph g = compile(org);  // also checks loop gains
  fmt::print("{}: valid ({} units, {} links, {} customers, {} loops of mutual service)\n", options.model,
             g.unit_count(), g.link_count(), g.class_count(), g.loops().size());
  return exit_ok;
}

}  // namespace

int run_guarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (const unstable_error& e) {
    fmt::print(stderr, "servicechain: {}\n", e.what());
    return exit_unstable;
  } catch (const error& e) {
    fmt::print(stderr, "servicechain: {}\n", e.what());
    return exit_invalid;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "servicechain: out of memory\n");
    return exit_invalid;
  }
}

int run_command(command which, const command_options& options) {
  return run_guarded([&] {
    switch (which) {
      case command::analyze:
        return analyze(options);
      case command::validate:
        return validate_model(options);
      case command::structure:
        return structure(options);
      case command::dot:
        return dot_command(options);
      case command::policy:
        return policy(options);
      case command::mix:
        return mix(options);
      case command::simulate:
        return simulate_command(options);
      case command::check:
        return check_command(options);
      case command::contributions:
        return contributions_command(options);
    }
    return exit_usage;
  });
}

}  // namespace servicechain::cli
