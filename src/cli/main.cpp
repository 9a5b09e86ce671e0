// servicechain — command-line front end of the ServiceChain library.
//
// Exit codes: 0 ok; 1 invalid model or input (message on stderr, nothing on stdout);
// 2 usage error; 3 the analysis needs a stable system and a unit is saturated; 4 `import
// --check` found a figure that differs from the file's solutions.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "servicechain/servicechain.hpp"

int main(int argc, char** argv) {
  using namespace servicechain::cli;
  CLI::App app{"servicechain: contribution and bottlenecks of a chain of internal providers and consumers"};
  app.set_version_flag("--version", std::string("servicechain ") + SERVICECHAIN_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);

  command_options options;
  auto* analyze = app.add_subcommand(
      "analyze", "capacity, bottlenecks, waits, lead time, cost to serve and quality of a model, decomposed by unit and link");
  analyze->add_option("MODEL", options.model, "model file (JSON, see docs/model-format.md)")->required();
  analyze->add_option("--format", options.format, "output format")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->default_val("table");
  analyze->add_option("--variability", options.variability,
                      "arrival variability: poisson (ca2 = 1 everywhere) or propagate (Whitt's QNA)")
      ->check(CLI::IsMember({"poisson", "propagate"}))
      ->default_val("poisson");
  analyze->add_option("--threads", options.report_threads,
                      "threads formatting a JSON report, same bytes whatever the number (0: one per core)")
      ->check(CLI::Range(0U, 4096U))
      ->default_val(0);

  auto* validate = app.add_subcommand("validate", "check a model and list every problem");
  validate->add_option("MODEL", options.model, "model file (JSON)")->required();

  auto* structure = app.add_subcommand(
      "structure", "line of sight, heaviest chains, loops, gatekeepers, brokers, capacity with choices, misaligned units");
  structure->add_option("MODEL", options.model, "model file (JSON)")->required();
  structure->add_option("--format", options.format, "output format")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->default_val("table");
  structure->add_option("--k", options.k, "heaviest chains per unit and customer (chains only up to 2000 units)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}))
      ->default_val(3);
  structure->add_option("--fragile-gain", options.fragile_gain, "loop gain from which a loop is reported fragile")
      ->check(CLI::Range(0.0, 1.0))
      ->default_val(0.9);

  auto* dot = app.add_subcommand("dot", "Graphviz picture of the model, units coloured by a metric");
  dot->add_option("MODEL", options.model, "model file (JSON)")->required();
  dot->add_option("--metric", options.metric, "what colours the units")
      ->check(CLI::IsMember({"utilization", "lead_time", "cost"}))
      ->default_val("utilization");
  dot->add_option("--customer", options.customer,
                  "customer whose lead time or cost to serve is shown (lead_time: required with several customers)");
  dot->add_option("--svg", options.svg, "render SVG to this file with Graphviz 'dot' instead of printing DOT");
  dot->add_option("--highlight", options.highlight,
                  "outline units in blue: gatekeepers or critical (of --customer), or loops (all loops)")
      ->check(CLI::IsMember({"gatekeepers", "loops", "critical"}));

  auto* policy = app.add_subcommand(
      "policy", "every customer's lead time with each alternative discipline at each unit, side by side");
  policy->add_option("MODEL", options.model, "model file (JSON)")->required();
  policy->add_option("--unit", options.units,
                     "unit to vary (repeatable); default: every unit serving both internal and external consumers");
  policy->add_option("--format", options.format, "output format")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->default_val("table");

  auto* mix = app.add_subcommand(
      "mix", "units that are the bottleneck for some mix of the customers, and where the bottleneck moves");
  mix->add_option("MODEL", options.model, "model file (JSON)")->required();
  mix->add_option("--format", options.format, "output format")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->default_val("table");

  auto* contributions = app.add_subcommand(
      "contributions", "sensitivity of every KPI to every parameter (adjoint), ranked by elasticity; +/- one server");
  contributions->add_option("MODEL", options.model, "model file (JSON)")->required();
  contributions->add_option("--kpi", options.kpi, "KPIs to report (default: all)")
      ->check(CLI::IsMember({"lead_time", "cost", "defects", "throughput"}));
  contributions->add_option("--customer", options.customer, "only this customer's KPIs");
  contributions->add_option("--top", options.top,
                            "parameters per KPI, largest |elasticity| first (0 = all; default 10 in the table, all in JSON/CSV)");
  contributions->add_option("--format", options.format, "output format")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->default_val("table");
  contributions->add_option("--variability", options.variability, "arrival variability: poisson or propagate")
      ->check(CLI::IsMember({"poisson", "propagate"}))
      ->default_val("poisson");

  auto* simulate = app.add_subcommand("simulate", "discrete-event simulation: every figure with a confidence interval, lead-time percentiles");
  add_simulation_options(*simulate, options, false);
  auto* check = app.add_subcommand("check", "analysis against simulation: per figure the analytic value, simulated interval, relative error");
  add_simulation_options(*check, options, true);


  const self_registered improvement[] = {add_shapley_command(app), add_allocate_command(app), add_needs_command(app)};
  int callback_exit = -1;  // set by the subcommands that run from their callbacks
  add_whatif_command(app, callback_exit);
  add_sweep_command(app, callback_exit);
  add_knockout_command(app, callback_exit);
  add_jmva_commands(app, callback_exit);

  for (auto* sub : {analyze, structure, policy, mix}) add_csv_options(*sub, options);

  if (const auto code = reject_unknown_subcommand(app, argc, argv)) return *code;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    // --help and --version are successful exits; everything else is a usage error.
    return code == 0 ? 0 : exit_usage;
  }

  for (const auto& c : improvement)
    if (c.sub->parsed()) return run_guarded(c.run);
  if (callback_exit >= 0) return callback_exit;
  const command which = analyze->parsed()     ? command::analyze
                        : structure->parsed() ? command::structure
                        : dot->parsed()       ? command::dot
                        : policy->parsed()    ? command::policy
                        : mix->parsed()       ? command::mix
                        : simulate->parsed()  ? command::simulate
                        : check->parsed()     ? command::check
                        : contributions->parsed() ? command::contributions
                                              : command::validate;
  return run_command(which, options);
}
