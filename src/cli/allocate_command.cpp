// `servicechain allocate MODEL --budget N [--money] [--square-root] [--weight demand|value]
// [--unit ID]... [--variability poisson|propagate] [--format table|json|csv]`: where to add
// capacity first (docs/contribution.md; src/analysis/allocation.cpp).

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/io/improvement_report.hpp"
#include "servicechain/io/json.hpp"

namespace servicechain::cli {

self_registered add_allocate_command(CLI::App& app) {
  struct options {
    std::string model, format = "table", weight = "demand", variability = "poisson";
    double budget = 0;
    bool money = false, square_root = false;
    std::vector<std::string> units;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand(
      "allocate", "where to add capacity first: greedy allocation of a budget of servers (or money) that minimizes "
                  "the mean lead time, and Kleinrock's square-root assignment");
  sub->add_option("MODEL", o->model, "model file (JSON)")->required();
  sub->add_option("--budget", o->budget, "servers to add (or money per time unit with --money)")
      ->required()
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--money", o->money, "the budget is money per time unit; a server costs cost_per_time / servers");
  sub->add_flag("--square-root", o->square_root,
                "also show the continuous square-root assignment of the present servers plus the budget");
  sub->add_option("--weight", o->weight, "weight of each customer's lead time: demand, or demand × value_per_request")
      ->check(CLI::IsMember({"demand", "value"}))
      ->default_val("demand");
  sub->add_option("--unit", o->units, "unit that may receive servers (repeatable); default: every unit with finite servers");
  sub->add_option("--variability", o->variability, "arrival variability: poisson or propagate (QNA)")
      ->check(CLI::IsMember({"poisson", "propagate"}))
      ->default_val("poisson");
  sub->add_option("--format", o->format, "output format")->check(CLI::IsMember({"table", "json", "csv"}))->default_val("table");
  return {sub, [o] {
            const service_graph g = compile(load_organization(o->model));
            allocation_options opts{
                .budget = o->budget,
                .kind = o->money ? budget_kind::money : budget_kind::servers,
                .weighting = o->weight == "value" ? lead_time_weighting::value : lead_time_weighting::demand,
                .analysis = {.variability = o->variability == "propagate" ? arrival_variability::propagate
                                                                          : arrival_variability::poisson}};
            for (const auto& id : o->units) opts.candidates.push_back(g.index_of(id));
            std::optional<square_root_allocation> square_root;
            if (o->square_root) square_root = square_root_servers(g, g.numbers(), opts);
            const allocation_result result = allocate_servers(g, g.numbers(), opts);
            const std::string report = allocation_report(g, opts, result, square_root ? &*square_root : nullptr,
                                                         *parse_report_format(o->format));
            std::fwrite(report.data(), 1, report.size(), stdout);
            return exit_ok;
          }};
}

}  // namespace servicechain::cli
