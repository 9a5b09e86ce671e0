// Where a report goes: stdout as it is, one CSV table of it (`--table`), or every CSV table
// in its own file (`--output-dir`); `-` as MODEL, which reads the model from stdin; and an
// unknown subcommand named as such.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.hpp"
#include "servicechain/servicechain.hpp"

namespace servicechain::cli {

namespace {

bool is_section_line(const std::string& line) {
  if (line.size() < 3 || line.compare(0, 2, "# ") != 0) return false;
  for (std::size_t k = 2; k < line.size(); ++k) {
    const char ch = line[k];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
  }
  return true;
}

// The tables of a CSV report: `# name` lines start a table; a report without them is one
// table named `single`. Blank lines between tables are dropped.
std::vector<std::pair<std::string, std::string>> csv_tables(const std::string& report, const std::string& single) {
  std::vector<std::pair<std::string, std::string>> tables;
  std::size_t pos = 0;
  while (pos < report.size()) {
    std::size_t end = report.find('\n', pos);
    if (end == std::string::npos) end = report.size();
    const std::string line = report.substr(pos, end - pos);
    pos = end + 1;
    if (is_section_line(line)) {
      tables.emplace_back(line.substr(2), "");
    } else if (!line.empty() || (!tables.empty() && tables.back().second.empty())) {
      if (tables.empty()) tables.emplace_back(single, "");
      if (!line.empty()) tables.back().second += line + "\n";
    }
  }
  return tables;
}

std::string table_names(const std::vector<std::pair<std::string, std::string>>& tables) {
  std::string names;
  for (const auto& t : tables) names += (names.empty() ? "" : ", ") + t.first;
  return names;
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
  if (options.table.empty() && options.output_dir.empty()) {
    const std::string text = options.format == "table" ? fit_tables(report, terminal_width(), options.all) : report;
    std::fwrite(text.data(), 1, text.size(), stdout);
    return exit_ok;
  }
  if (options.format != "csv") {
    fmt::print(stderr, "servicechain: --table and --output-dir need --format csv\n");
    return exit_usage;
  }
  if (!options.table.empty() && !options.output_dir.empty()) {
    fmt::print(stderr, "servicechain: --table and --output-dir exclude each other\n");
    return exit_usage;
  }
  const auto tables = csv_tables(report, single);
  if (!options.table.empty()) {
    for (const auto& [name, csv] : tables) {
      if (name != options.table) continue;
      std::fwrite(csv.data(), 1, csv.size(), stdout);
      return exit_ok;
    }
    fmt::print(stderr, "servicechain: --table {}: no such table here; the tables are: {}\n", options.table,
               table_names(tables));
    return exit_usage;
  }
  const std::filesystem::path dir{options.output_dir};
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw io_error(fmt::format("--output-dir {}: cannot create the directory: {}", options.output_dir, ec.message()));
  std::vector<std::string> written;
  for (const auto& [name, csv] : tables) {
    const std::filesystem::path file = dir / (name + ".csv");
    std::ofstream out(file, std::ios::binary | std::ios::trunc);  // mode 0666 less the umask, as usual
    out << csv;
    out.close();
    if (!out) throw io_error(fmt::format("{}: cannot write the file", file.string()));
    written.push_back(file.string());
  }
  for (const auto& f : written) fmt::print("{}\n", f);
  return exit_ok;
}

int write_report(const std::function<void(std::ostream&)>& write, const command_options& options,
                 const std::string& single) {
  if (options.format == "table" || !options.table.empty() || !options.output_dir.empty()) {
    std::ostringstream report;
    write(report);
    return print_report(report.str(), options, single);
  }
  write(std::cout);
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
