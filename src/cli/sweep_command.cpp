// `servicechain sweep MODEL (--scale-demand FROM:TO:STEP | --set PATH=FROM:TO:STEP) [--top N]
// [--chart FILE.svg] [--format table|json|csv] [--variability poisson|propagate]`: every
// customer's lead time and the busiest units at each step, saturated steps named; the
// chart is rendered by gnuplot (src/io/sweep_chart.cpp; docs/whatif.md).

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/open_model_command.hpp"
#include "servicechain/analysis/closed_network.hpp"
#include "servicechain/analysis/sweep.hpp"
#include "servicechain/error.hpp"
#include "servicechain/io/json.hpp"
#include "servicechain/io/scenario_report.hpp"

namespace servicechain::cli {

namespace {

struct sweep_arguments {
  std::string model;
  std::string scale_range;  ///< --scale-demand
  std::string set_range;    ///< --set PATH=FROM:TO:STEP
  std::size_t top = 5;
  std::string chart;
  std::string format = "table";
  std::string variability = "poisson";
};

int sweep_model(const sweep_arguments& args) {
  const service_graph g = compile_open_model(args.model, "sweep");
  sweep_options options{.top_units = args.top};
  options.open = open_options_for(args.variability);
  sweep_range range;
  if (!args.set_range.empty()) {
    const std::size_t equals = args.set_range.rfind('=');
    if (equals == std::string::npos) {
      throw error(error_code::invalid_argument,
                  fmt::format("--set '{}': a swept parameter is PATH=FROM:TO:STEP, e.g. units/desk/service_time=0.1:0.5:0.05",
                              args.set_range));
    }
    options.target = parse_parameter(g, std::string_view(args.set_range).substr(0, equals));
    range = parse_sweep_range(std::string_view(args.set_range).substr(equals + 1),
                              fmt::format("--set {}", parameter_path(g, *options.target)));
  } else {
    range = parse_sweep_range(args.scale_range, "--scale-demand");
  }
  const sweep_result result = sweep(g, g.numbers(), range, options);
  if (!args.chart.empty()) render_sweep_chart(g, result, args.chart);  // before stdout: nothing printed on failure
  const std::string report = sweep_report(g, result, *parse_report_format(args.format));
  std::fwrite(report.data(), 1, report.size(), stdout);
  return exit_ok;
}

}  // namespace

void add_sweep_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<sweep_arguments>();
  auto* cmd = app.add_subcommand(
      "sweep", "every customer's lead time and the busiest units as demand or one parameter steps over a range");
  cmd->add_option("MODEL", args->model, "model file (JSON, see docs/model-format.md)")->required();
  auto* scale = cmd->add_option("--scale-demand", args->scale_range,
                                "FROM:TO:STEP: every open class's demand times each value, e.g. 0.5:1.2:0.05");
  auto* set = cmd->add_option("--set", args->set_range,
                              "PATH=FROM:TO:STEP: one parameter over a range, e.g. units/desk/service_time=0.1:0.5:0.05");
  scale->excludes(set);
  set->excludes(scale);
  cmd->add_option("--top", args->top, "busiest units reported per step")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100}))
      ->default_val(5);
  cmd->add_option("--chart", args->chart, "also render a line chart to this SVG file with gnuplot (gnuplot-nox)");
  add_format_and_variability(*cmd, args->format, args->variability);
  cmd->callback([args, &exit_code, scale, set] {
    if (scale->count() == 0 && set->count() == 0)
      throw CLI::RequiredError("sweep needs --scale-demand FROM:TO:STEP or --set PATH=FROM:TO:STEP");
    exit_code = run_guarded([&] { return sweep_model(*args); });
  });
}

}  // namespace servicechain::cli
