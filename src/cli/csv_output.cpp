// Where a report goes: stdout as it is, one CSV table of it (`--table`), or every CSV table
// in its own file (`--output-dir`); `-` as MODEL, which reads the model from stdin; and an
// unknown subcommand named as such.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <optional>
#include <streambuf>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/commands.hpp"
#include "servicechain/servicechain.hpp"

namespace servicechain::cli {

namespace {

// The tables of a CSV report, split as the report is written: `# name` lines start a table;
// a report without them is one table named `single`; blank lines are dropped. One table
// (the first of its name) goes to stdout, or each table to DIR/<name>.csv; only the line
// being written is held.
class csv_sections : public line_buffer {
 public:
  csv_sections(std::string single, std::string wanted, std::optional<std::filesystem::path> dir)
      : single_(std::move(single)), wanted_(std::move(wanted)), dir_(std::move(dir)) {}

  // What is left of the report, then the outcome: the exit code, with the list of files
  // written or what went wrong printed.
  int finish() {
    end_last_line();
    close_file();
    if (dir_) {
      for (const auto& f : written_) fmt::print("{}\n", f);
      return exit_ok;
    }
    if (found_) return exit_ok;
    std::string names;
    for (const auto& n : names_) names += (names.empty() ? "" : ", ") + n;
    fmt::print(stderr, "servicechain: --table {}: no such table here; the tables are: {}\n", wanted_, names);
    return exit_usage;
  }

 protected:
  void line(std::string_view l) override {
    if (is_section_line(l)) {
      start(std::string(l.substr(2)));
      return;
    }
    if (l.empty()) return;
    if (names_.empty()) start(single_);
    if (dir_) {
      file_.write(l.data(), static_cast<std::streamsize>(l.size()));
      file_.put('\n');
    } else if (printing_) {
      std::fwrite(l.data(), 1, l.size(), stdout);
      std::fputc('\n', stdout);
    }
  }

 private:
  static bool is_section_line(std::string_view line) {
    if (line.size() < 3 || line.substr(0, 2) != "# ") return false;
    return std::all_of(line.begin() + 2, line.end(),
                       [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'; });
  }
  void start(std::string name) {
    names_.push_back(name);
    if (dir_) {
      close_file();
      file_path_ = *dir_ / (name + ".csv");
      file_.open(file_path_, std::ios::binary | std::ios::trunc);  // mode 0666 less the umask, as usual
      return;
    }
    printing_ = !found_ && name == wanted_;
    found_ = found_ || printing_;
  }
  void close_file() {
    if (!file_.is_open()) return;
    file_.close();
    if (!file_) throw io_error(fmt::format("{}: cannot write the file", file_path_.string()));
    written_.push_back(file_path_.string());
  }

  std::string single_, wanted_;
  std::optional<std::filesystem::path> dir_;
  std::vector<std::string> names_;  // the tables so far, in order
  bool printing_ = false, found_ = false;
  std::ofstream file_;
  std::filesystem::path file_path_;
  std::vector<std::string> written_;
};

// `--table` and `--output-dir` ask for a CSV report, and not both; `std::nullopt` if so,
// otherwise the exit code after saying what is wrong.
std::optional<int> check_table_options(const command_options& options) {
  if (options.format != "csv") {
    fmt::print(stderr, "servicechain: --table and --output-dir need --format csv\n");
    return exit_usage;
  }
  if (!options.table.empty() && !options.output_dir.empty()) {
    fmt::print(stderr, "servicechain: --table and --output-dir exclude each other\n");
    return exit_usage;
  }
  return std::nullopt;
}

// The CSV report `write` makes, split into its tables as --table or --output-dir ask.
int write_csv_tables(const std::function<void(std::ostream&)>& write, const command_options& options,
                     const std::string& single) {
  if (const auto code = check_table_options(options)) return *code;
  std::optional<std::filesystem::path> dir;
  if (!options.output_dir.empty()) {
    dir = std::filesystem::path{options.output_dir};
    std::error_code ec;
    std::filesystem::create_directories(*dir, ec);
    if (ec)
      throw io_error(fmt::format("--output-dir {}: cannot create the directory: {}", options.output_dir, ec.message()));
  }
  csv_sections sections(single, options.table, std::move(dir));
  std::ostream out(&sections);
  write(out);
  const int code = sections.finish();
  std::fflush(stdout);
  return code;
}

}  // namespace

void add_csv_options(CLI::App& sub, command_options& options) {
  sub.add_option("--table", options.table,
                 "with --format csv: print only this table, one header line then its rows (e.g. units, customers, links)");
  sub.add_option("--output-dir", options.output_dir,
                 "with --format csv: write every table to DIR/<table>.csv (DIR is created) and list the files");
  sub.add_flag("--all", options.all, "tables: also the rows whose figures are all zero (hidden by default)");
}

organization load_model(const std::string& path) {
  if (path != "-") return load_organization(path);
  const std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  if (std::cin.bad()) throw io_error("cannot read the model from standard input");
  return parse_organization(text, "<stdin>");
}

int print_report(const std::string& report, const command_options& options, const std::string& single) {
  return write_report([&](std::ostream& out) { out.write(report.data(), static_cast<std::streamsize>(report.size())); },
                      options, single);
}

int write_report(const std::function<void(std::ostream&)>& write, const command_options& options,
                 const std::string& single) {
  if (!options.table.empty() || !options.output_dir.empty()) return write_csv_tables(write, options, single);
  if (options.format == "table") {
    fitted_text fitted(std::cout, terminal_width(), options.all);
    std::ostream text(&fitted);
    write(text);
    fitted.finish();
  } else {
    write(std::cout);
  }
  std::cout.flush();
  if (!std::cout) throw io_error("cannot write the report to standard output");
  return exit_ok;
}

std::optional<int> reject_unknown_subcommand(CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return std::nullopt;
  std::string names;
  for (const auto* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == argv[1]) return std::nullopt;
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  fmt::print(stderr, "servicechain: unknown subcommand '{}'; the subcommands are: {} (see --help)\n", argv[1], names);
  return exit_usage;
}

}  // namespace servicechain::cli
