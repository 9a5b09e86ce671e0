#pragma once
// The subcommands of the servicechain CLI; each prints to stdout only on success.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace servicechain::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_invalid = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_unstable = 3;

enum class command { analyze, validate, structure, dot, policy, mix };

struct command_options {
  std::string model;
  std::string format = "table";
  std::string variability = "poisson";  ///< analyze: arrival variability, poisson | propagate
  std::size_t k = 3;                    ///< structure: heaviest chains per unit and customer
  double fragile_gain = 0.9;            ///< structure: loop gain from which a loop is fragile
  std::string metric = "utilization";   ///< dot: utilization | lead_time | cost
  std::string customer;                 ///< dot: customer id; empty = the only customer / none
  std::string svg;                      ///< dot: SVG file to render; empty = DOT text on stdout
  std::string highlight;                ///< dot: gatekeepers | loops | critical; empty = none
  std::vector<std::string> units;       ///< policy: units to vary; empty = the default set
};

/// Runs one subcommand; catches library errors, prints them on stderr and maps them to exit codes.
int run_command(command which, const command_options& options);

/// Runs `body`; prints a library error on stderr and maps it to an exit code, as `run_command` does.
int run_guarded(const std::function<int()>& body);

/// `servicechain whatif`, `sweep` and `knockout` (src/cli/whatif_command.cpp,
/// sweep_command.cpp, knockout_command.cpp): each adds its subcommand with its own options
/// to `app`; it runs from its callback when parsed and stores its exit code in `exit_code`.
void add_whatif_command(CLI::App& app, int& exit_code);
void add_sweep_command(CLI::App& app, int& exit_code);
void add_knockout_command(CLI::App& app, int& exit_code);

/// `servicechain dot`: Graphviz picture of the model (src/cli/dot_command.cpp); throws on errors.
int dot_command(const command_options& options);

// Subcommands that add their own options to the app (src/cli/<name>_command.cpp):
// `sub` is the subcommand, `run` runs it once parsed.
struct self_registered {
  CLI::App* sub = nullptr;
  std::function<int()> run;
};
self_registered add_shapley_command(CLI::App& app);   // servicechain shapley
self_registered add_allocate_command(CLI::App& app);  // servicechain allocate
self_registered add_needs_command(CLI::App& app);     // servicechain needs

}  // namespace servicechain::cli
