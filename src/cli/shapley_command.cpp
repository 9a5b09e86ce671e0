// `servicechain shapley MODEL --programme FILE [--seed N] [--standard-error E] [--max-pairs N]
// [--format table|json|csv]`: Shapley values of an improvement programme
// (docs/contribution.md; src/analysis/shapley.cpp, src/io/improvement_report.cpp).

#include <CLI/CLI.hpp>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/io/improvement_report.hpp"
#include "servicechain/io/json.hpp"

namespace servicechain::cli {

self_registered add_shapley_command(CLI::App& app) {
  struct options {
    std::string model, programme, format = "table";
    std::uint64_t seed = 1;
    double standard_error = 0;
    std::size_t max_pairs = 0;
    CLI::Option *seed_option = nullptr, *error_option = nullptr, *pairs_option = nullptr;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand(
      "shapley", "Shapley values of an improvement programme: how much of its KPI gain is whose, stand-alone gains, "
                 "knock-out and interaction");
  sub->add_option("MODEL", o->model, "model file (JSON)")->required();
  sub->add_option("--programme", o->programme, "programme file (JSON, see docs/contribution.md)")->required();
  sub->add_option("--format", o->format, "output format")->check(CLI::IsMember({"table", "json", "csv"}))->default_val("table");
  o->seed_option = sub->add_option("--seed", o->seed, "seed of the sampled orders (more than 20 players)");
  o->error_option = sub->add_option("--standard-error", o->standard_error,
                                    "sample until every standard error is at most this (KPI units)")
                        ->check(CLI::NonNegativeNumber);
  o->pairs_option = sub->add_option("--max-pairs", o->max_pairs, "most antithetic pairs of orders to sample")
                        ->check(CLI::Range(std::size_t{2}, std::size_t{100000000}));
  return {sub, [o] {
            const service_graph g = compile(load_organization(o->model));
            programme_file file = load_programme(o->programme, g);
            if (o->seed_option->count() > 0) file.sampling.seed = o->seed;
            if (o->error_option->count() > 0) file.sampling.target_standard_error = o->standard_error;
            if (o->pairs_option->count() > 0) file.sampling.max_pairs = o->max_pairs;
            const programme_result result = programme_shapley(g, g.numbers(), file.programme, file.sampling);
            const std::string report = shapley_report(g, file.programme, result, *parse_report_format(o->format));
            std::fwrite(report.data(), 1, report.size(), stdout);
            return exit_ok;
          }};
}

}  // namespace servicechain::cli
