// `servicechain whatif MODEL [--set PATH=VALUE]... [--scale-demand F] [--format table|json|csv]
// [--variability poisson|propagate]`: the model as given against a scenario of edited
// numbers on the same structure, every KPI before, after and the difference; or
// `servicechain whatif MODEL --against EDITED`: against another model file whose structure
// may differ, matched by id (src/io/scenario_report.cpp; docs/whatif.md).

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/open_model_command.hpp"
#include "servicechain/analysis/closed_network.hpp"
#include "servicechain/analysis/scenario.hpp"
#include "servicechain/error.hpp"
#include "servicechain/io/json.hpp"
#include "servicechain/io/scenario_report.hpp"

namespace servicechain::cli {

namespace {

struct whatif_arguments {
  std::string model;
  std::string against;  ///< an edited organization (another model file); empty = edits of MODEL
  std::vector<std::string> sets;
  double demand_scale = 1;
  std::string format = "table";
  std::string variability = "poisson";
};

service_graph open_model(const std::string& file) { return compile_open_model(file, "whatif"); }

open_options open_options_of(const whatif_arguments& args) { return open_options_for(args.variability); }

// MODEL against another model file: both compiled and analysed, compared by id.
int whatif_against(const whatif_arguments& args) {
  const service_graph base_graph = open_model(args.model);
  const service_graph edited_graph = open_model(args.against);
  const open_result base = analyze_open(base_graph, open_options_of(args));  // unstable_error (exit 3)
  std::optional<open_result> edited;
  try {
    edited = analyze_open(edited_graph, open_options_of(args));
  } catch (const unstable_error&) {
    fmt::print(stderr, "servicechain: the edited organization '{}' is saturated (the base is stable)\n", args.against);
    throw;
  }
  const std::string report = whatif_report(edited_graph, compare(base_graph, base, edited_graph, *edited), args.model,
                                           *parse_report_format(args.format));
  std::fwrite(report.data(), 1, report.size(), stdout);
  return exit_ok;
}

int whatif(const whatif_arguments& args) {
  if (!args.against.empty()) return whatif_against(args);
  const service_graph g = open_model(args.model);
  scenario s{.demand_scale = args.demand_scale};
  for (const auto& text : args.sets) s.edits.push_back(parse_parameter_edit(g, text));
  const model_numbers edited = apply_scenario(g, g.numbers(), s);
  const open_options options = open_options_of(args);
  const open_result before = analyze_open(g, options);  // unstable_error (exit 3): the model as given
  std::optional<open_result> after;
  try {
    after = edited.flows_revision() == g.numbers().flows_revision() ? analyze_open(g, edited, before.load, options)
                                                                     : analyze_open(g, edited, options);
  } catch (const unstable_error&) {
    fmt::print(stderr, "servicechain: the scenario saturates the model (the model as given is stable)\n");
    throw;
  }
  const std::string report =
      whatif_report(g, g.numbers(), s, compare(g, before, *after), *parse_report_format(args.format));
  std::fwrite(report.data(), 1, report.size(), stdout);
  return exit_ok;
}

}  // namespace

void add_whatif_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<whatif_arguments>();
  auto* cmd = app.add_subcommand(
      "whatif", "the model against a scenario of edited numbers: every KPI before, after and the difference");
  cmd->add_option("MODEL", args->model, "model file (JSON, see docs/model-format.md)")->required();
  auto* set = cmd->add_option("--set", args->sets,
                  "edit PATH=VALUE, e.g. units/legal/service_time=0.4, links/legal/sales/acceptance=0.9, "
                  "customers/walk_in/demand=3 (repeatable; docs/whatif.md)")
      ->expected(1)
      ->take_all();
  auto* scale = cmd->add_option("--scale-demand", args->demand_scale, "multiply every open class's demand by this factor")
                    ->default_val(1.0);
  cmd->add_option("--against", args->against,
                  "compare MODEL with this edited organization (a model file; units, links and customers matched by id)")
      ->excludes(set)
      ->excludes(scale);
  add_format_and_variability(*cmd, args->format, args->variability);
  cmd->callback([args, &exit_code] { exit_code = run_guarded([&] { return whatif(*args); }); });
}

}  // namespace servicechain::cli
