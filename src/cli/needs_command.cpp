// `servicechain needs MODEL [--importance lead_time|flow|rework_cost]
// [--importance-threshold SHARE] [--performance-threshold SCORE] [--format table|json|csv]`:
// six-needs indices per unit and the importance–performance table of the links
// (docs/contribution.md; src/analysis/needs.cpp).

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "servicechain/analysis/closed_network.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/open_network.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/io/improvement_report.hpp"
#include "servicechain/io/json.hpp"

namespace servicechain::cli {

self_registered add_needs_command(CLI::App& app) {
  struct options {
    std::string model, format = "table", importance = "lead_time";
    double importance_threshold = 0, performance_threshold = 3;
    CLI::Option* threshold_option = nullptr;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand(
      "needs", "six needs: each unit's internal service index from its consumers' ratings, and an "
               "importance-performance table of the links");
  sub->add_option("MODEL", o->model, "model file (JSON)")->required();
  sub->add_option("--importance", o->importance,
                  "what makes a link important: its share of the customers' lead time, of the flow, or of the "
                  "cost of poor internal service")
      ->check(CLI::IsMember({"lead_time", "flow", "rework_cost"}))
      ->default_val("lead_time");
  o->threshold_option = sub->add_option("--importance-threshold", o->importance_threshold,
                                        "share (0-1) from which a link is important; default: the rated links' mean")
                            ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--performance-threshold", o->performance_threshold,
                  "mean rating (1-5) from which a link performs well")
      ->check(CLI::Range(1.0, 5.0))
      ->default_val(3);
  sub->add_option("--format", o->format, "output format")->check(CLI::IsMember({"table", "json", "csv"}))->default_val("table");
  return {sub, [o] {
            const organization org = load_organization(o->model);
            const service_graph g = compile(org);
            const needs_options opts{
                .importance = *parse_importance_basis(o->importance),
                .importance_threshold =
                    o->threshold_option->count() > 0 ? std::optional<double>(o->importance_threshold) : std::nullopt,
                .performance_threshold = o->performance_threshold};
            std::optional<open_result> open;
            std::optional<load_result> load;
            if (opts.importance != importance_basis::flow) {
              // analyze_needs refuses closed classes for these bases (no open lead times).
              if (!has_closed_classes(g, g.numbers())) open = analyze_open(g);  // unstable_error: exit 3
              if (open) load = open->load;
            } else if (has_closed_classes(g, g.numbers())) {
              // The flows at the closed classes' throughputs (mean-value analysis), as `analyze` shows them.
              const closed_result closed = analyze_closed(g);
              std::vector<double> rates;
              for (const auto& c : closed.customers) rates.push_back(c.throughput);
              load = compute_load(g, g.numbers(), rates);
            }
            if (!load) load = compute_load(g);
            const needs_result result = analyze_needs(g, org, *load, open ? &*open : nullptr, opts);
            const std::string report = needs_report(g, org, result, *parse_report_format(o->format));
            std::fwrite(report.data(), 1, report.size(), stdout);
            return exit_ok;
          }};
}

}  // namespace servicechain::cli
