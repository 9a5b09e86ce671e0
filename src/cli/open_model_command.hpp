#pragma once
// What the subcommands built on open-network analyses share (whatif, sweep, knockout):
// loading a model that must have open classes only, and the --format / --variability options.

#include <string>
#include <string_view>

#include "servicechain/analysis/open_network.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace CLI {
class App;
}

namespace servicechain::cli {

/// The model file compiled; an error naming `command` and the file if it has closed classes.
service_graph compile_open_model(const std::string& file, std::string_view command);

/// The open analysis's options for a `--variability` value (`poisson` or `propagate`).
open_options open_options_for(const std::string& variability);

/// Adds `--format table|json|csv` and `--variability poisson|propagate` to `sub`.
void add_format_and_variability(CLI::App& sub, std::string& format, std::string& variability);

}  // namespace servicechain::cli
