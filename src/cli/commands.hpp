#pragma once
// The subcommands of the servicechain CLI; each prints to stdout only on success.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace servicechain {
struct organization;
}

namespace servicechain::cli {

/// Loads the model at `path`; `-` reads it from standard input.
organization load_model(const std::string& path);

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
  std::string table;                    ///< --format csv: the one table to print; empty = all
  std::string output_dir;               ///< --format csv: write each table to <dir>/<table>.csv
  bool all = false;                     ///< --format table: also the rows whose figures are all zero
};

/// Runs one subcommand; catches library errors, prints them on stderr and maps them to exit codes.
int run_command(command which, const command_options& options);

/// Runs `body`; catches library errors, prints them on stderr and maps them to exit codes.
int run_guarded(const std::function<int()>& body);
/// `servicechain dot`: Graphviz picture of the model (src/cli/dot_command.cpp); throws on errors.
int dot_command(const command_options& options);

/// Registers `import` and `export` (JMT JMVA files, src/cli/jmva_command.cpp); the one
/// that runs stores its exit code in `exit_code`.
void add_jmva_commands(CLI::App& app, std::optional<int>& exit_code);

/// `--table` and `--output-dir` on a subcommand with `--format csv` (src/cli/csv_output.cpp).
void add_csv_options(CLI::App& sub, command_options& options);
/// Prints a report: as it is, or (CSV) one table of it or every table to its own file;
/// `single` names the table of a CSV report that has no `# name` sections.
int print_report(const std::string& report, const command_options& options, const std::string& single);
/// The width tables must fit: $COLUMNS if set, else the terminal's when stdout is one,
/// else 0 (no limit).
std::size_t terminal_width();
/// `text` with every table wider than `width` printed in blocks of columns that fit, each
/// repeating the key columns (src/cli/text_layout.cpp; `width` 0: no limit), and, unless
/// `all`, without the rows whose figures are all zero (a line says how many).
std::string fit_tables(const std::string& text, std::size_t width, bool all);

/// An exit code (2, usage) after naming it on stderr if `argv[1]` is neither an option
/// nor a subcommand of `app`; `std::nullopt` otherwise.
std::optional<int> reject_unknown_subcommand(CLI::App& app, int argc, char** argv);
}  // namespace servicechain::cli
