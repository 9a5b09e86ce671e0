#pragma once
// The subcommands of the servicechain CLI; each prints to stdout only on success.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <streambuf>
#include <string>
#include <string_view>
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

enum class command { analyze, validate, structure, dot, policy, mix, simulate, check, contributions };

/// simulate and check: the run (src/cli/simulate_command.cpp).
struct simulation_command_options {
  std::size_t replications = 10;
  std::optional<double> horizon, warmup, sla;  ///< empty horizon: about 10^5 requests per replication
  std::uint64_t seed = 1;
  unsigned threads = 0;
  std::optional<double> confidence;  ///< empty: 0.95 (simulate), 0.999 (check)
  std::string percentiles = "50,90,95,99";
};

struct command_options {
  std::string model;
  std::string format = "table";
  std::string variability = "poisson";  ///< analyze: arrival variability, poisson | propagate
  unsigned report_threads = 0;          ///< analyze: threads formatting a JSON report; 0 = one per core
  std::size_t k = 3;                    ///< structure: heaviest chains per unit and customer
  double fragile_gain = 0.9;            ///< structure: loop gain from which a loop is fragile
  std::string metric = "utilization";   ///< dot: utilization | lead_time | cost
  std::string customer;                 ///< dot: customer id; empty = the only customer / none
  std::string svg;                      ///< dot: SVG file to render; empty = DOT text on stdout
  std::string highlight;                ///< dot: gatekeepers | loops | critical; empty = none
  std::vector<std::string> units;       ///< policy: units to vary; empty = the default set
  simulation_command_options simulation;  ///< simulate, check
  std::string kpi;                      ///< contributions: lead_time | cost | defects | throughput; empty = all
  std::size_t top = SIZE_MAX;           ///< contributions: parameters per KPI by |elasticity|; 0 = all; unset = 10 in tables
  std::string table;                    ///< --format csv: the one table to print; empty = all
  std::string output_dir;               ///< --format csv: write each table to <dir>/<table>.csv
  bool all = false;                     ///< --format table: also the rows whose figures are all zero
};

/// Runs one subcommand; catches library errors, prints them on stderr and maps them to exit codes.
int run_command(command which, const command_options& options);

/// Runs `body`; catches library errors, prints them on stderr and maps them to exit codes.
int run_guarded(const std::function<int()>& body);
/// Adds the options of `simulate` and `check` to their subcommand (src/cli/simulate_command.cpp).
void add_simulation_options(CLI::App& subcommand, command_options& options, bool check);
/// `servicechain simulate` and `servicechain check` (src/cli/simulate_command.cpp); throw on errors.
int simulate_command(const command_options& options);
int check_command(const command_options& options);
/// `servicechain whatif`, `sweep` and `knockout` (src/cli/whatif_command.cpp,
/// sweep_command.cpp, knockout_command.cpp): each adds its subcommand with its own options
/// to `app`; it runs from its callback when parsed and stores its exit code in `exit_code`.
void add_whatif_command(CLI::App& app, int& exit_code);
void add_sweep_command(CLI::App& app, int& exit_code);
void add_knockout_command(CLI::App& app, int& exit_code);

/// `servicechain dot`: Graphviz picture of the model (src/cli/dot_command.cpp); throws on errors.
int dot_command(const command_options& options);

/// Registers `import` and `export` (JMT JMVA files, src/cli/jmva_command.cpp); the one
/// that runs stores its exit code in `exit_code`.
void add_jmva_commands(CLI::App& app, int& exit_code);
/// `servicechain contributions`: sensitivities and server effects (src/cli/contributions_command.cpp).
int contributions_command(const command_options& options);
// Subcommands that add their own options to the app (src/cli/<name>_command.cpp):
// `sub` is the subcommand, `run` runs it once parsed.
struct self_registered {
  CLI::App* sub = nullptr;
  std::function<int()> run;
};
self_registered add_shapley_command(CLI::App& app);   // servicechain shapley
self_registered add_allocate_command(CLI::App& app);  // servicechain allocate
self_registered add_needs_command(CLI::App& app);     // servicechain needs


/// `--table` and `--output-dir` on a subcommand with `--format csv` (src/cli/csv_output.cpp).
void add_csv_options(CLI::App& sub, command_options& options);
/// Prints a report: as it is, or (CSV) one table of it or every table to its own file;
/// `single` names the table of a CSV report that has no `# name` sections. The same as
/// write_report with a `write` that writes `report`.
int print_report(const std::string& report, const command_options& options, const std::string& single);
/// Writes a report as `write` formats it, never holding it whole: JSON and whole CSV reports
/// straight to stdout; text through `fitted_text` (each table fitted to the terminal once
/// its last row has come); with `--table` or `--output-dir`, the CSV report split into its
/// tables line by line. Throws io_error when stdout or a file cannot be written.
int write_report(const std::function<void(std::ostream&)>& write, const command_options& options,
                 const std::string& single);
/// The width tables must fit: $COLUMNS if set, else the terminal's when stdout is one,
/// else 0 (no limit).
std::size_t terminal_width();
/// `text` with every table wider than `width` printed in blocks of columns that fit, each
/// repeating the key columns (src/cli/text_layout.cpp; `width` 0: no limit), and, unless
/// `all`, without the rows whose figures are all zero (a line says how many).
std::string fit_tables(const std::string& text, std::size_t width, bool all);

/// A stream buffer that hands the text written to it to line(), a line at a time (without
/// its newline), holding only the line being written.
class line_buffer : public std::streambuf {
 protected:
  virtual void line(std::string_view l) = 0;
  /// Hands the text after the last newline to line(), if there is some; true if there was
  /// (the text did not end with a newline).
  bool end_last_line();
  int_type overflow(int_type ch) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;

 private:
  std::string partial_;  // the line being written, up to its newline
};

/// A stream buffer that writes to `out` what fit_tables would make of the text written to
/// it, as it goes: a line at a time, a table once its last row has come. Memory holds the
/// largest table, not the report. finish() writes what is still held (the last table and
/// line); a text not given to finish() is not all written.
class fitted_text : public line_buffer {
 public:
  fitted_text(std::ostream& out, std::size_t width, bool all);
  fitted_text(const fitted_text&) = delete;
  fitted_text& operator=(const fitted_text&) = delete;
  ~fitted_text() override;
  void finish();

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  void line(std::string_view l) override;

 private:
  struct table_state;
  void end_table();
  void emit_line(std::string_view l);
  void emit(std::string_view text);
  void flush_written();

  static constexpr std::size_t flush_size = std::size_t{1} << 16;  // bytes handed to `out` at once

  std::ostream* out_;
  std::size_t width_;
  bool all_;
  std::string pending_;  // the last line outside a table: the header of one if a rule follows
  bool has_pending_ = false, in_table_ = false;
  bool held_newline_ = false;  // the newline after the last line written, dropped if the text has none
  std::string written_;        // fitted text not yet handed to `out`
  std::unique_ptr<table_state> table_;
};

/// An exit code (2, usage) after naming it on stderr if `argv[1]` is neither an option
/// nor a subcommand of `app`; `std::nullopt` otherwise.
std::optional<int> reject_unknown_subcommand(CLI::App& app, int argc, char** argv);
}  // namespace servicechain::cli
