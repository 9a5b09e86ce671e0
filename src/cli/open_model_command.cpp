#include "cli/open_model_command.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "servicechain/analysis/closed_network.hpp"
#include "servicechain/error.hpp"
#include "servicechain/io/json.hpp"

namespace servicechain::cli {

service_graph compile_open_model(const std::string& file, std::string_view command) {
  service_graph g = compile(load_organization(file));
  if (has_closed_classes(g, g.numbers()))
    throw error(error_code::invalid_argument,
                fmt::format("{} runs open-network analyses, but '{}' has closed classes (population)", command, file));
  return g;
}

open_options open_options_for(const std::string& variability) {
  return {.variability = variability == "propagate" ? arrival_variability::propagate : arrival_variability::poisson};
}

void add_format_and_variability(CLI::App& sub, std::string& format, std::string& variability) {
  sub.add_option("--format", format, "output format")->check(CLI::IsMember({"table", "json", "csv"}))->default_val("table");
  sub.add_option("--variability", variability,
                 "arrival variability: poisson (ca2 = 1 everywhere) or propagate (Whitt's QNA)")
      ->check(CLI::IsMember({"poisson", "propagate"}))
      ->default_val("poisson");
}

}  // namespace servicechain::cli
