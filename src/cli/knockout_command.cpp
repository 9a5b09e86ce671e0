// `servicechain knockout MODEL [--capacity-loss F] [--format table|json|csv]
// [--variability poisson|propagate]`: every internal unit losing one server (or the
// fraction F of its capacity) in turn, each customer's lead-time change, and the units
// whose loss makes the system unstable (src/io/scenario_report.cpp; docs/whatif.md).

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "cli/open_model_command.hpp"
#include "servicechain/analysis/closed_network.hpp"
#include "servicechain/analysis/knockout.hpp"
#include "servicechain/error.hpp"
#include "servicechain/io/json.hpp"
#include "servicechain/io/scenario_report.hpp"

namespace servicechain::cli {

namespace {

struct knockout_arguments {
  std::string model;
  std::optional<double> capacity_loss;
  std::string format = "table";
  std::string variability = "poisson";
};

int knockout_model(const knockout_arguments& args) {
  const service_graph g = compile_open_model(args.model, "knockout");
  const knockout_options options{.capacity_loss = args.capacity_loss, .open = open_options_for(args.variability)};
  const std::string report = knockout_report(g, knockout(g, g.numbers(), options), *parse_report_format(args.format));
  std::fwrite(report.data(), 1, report.size(), stdout);
  return exit_ok;
}

}  // namespace

void add_knockout_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<knockout_arguments>();
  auto* cmd = app.add_subcommand(
      "knockout", "each unit losing a server (or a fraction of its capacity): lead-time changes and unstable losses");
  cmd->add_option("MODEL", args->model, "model file (JSON, see docs/model-format.md)")->required();
  cmd->add_option("--capacity-loss", args->capacity_loss,
                  "fraction of capacity lost, in (0, 1): service times / (1 - F); default: one server lost")
      ->check(CLI::Range(0.0, 1.0));
  add_format_and_variability(*cmd, args->format, args->variability);
  cmd->callback([args, &exit_code] { exit_code = run_guarded([&] { return knockout_model(*args); }); });
}

}  // namespace servicechain::cli
