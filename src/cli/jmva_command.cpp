// `servicechain import` and `servicechain export`: JMT JMVA files (docs/jmva.md).

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "servicechain/servicechain.hpp"

namespace servicechain::cli {
namespace {

inline constexpr int exit_check_differs = 4;

std::string json_quote(const std::string& text) { return nlohmann::json(text).dump(); }

struct jmva_options {
  std::string input;
  std::string output;  // empty = stdout
  bool check = false;
  double tolerance = 1e-6;
  std::string format = "table";
};

void write_text(const std::string& text, const std::string& output) {
  if (output.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return;
  }
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw io_error(fmt::format("cannot write '{}'", output));
}

struct compared {
  const jmva_measure* theirs;
  double ours = 0;
  double relative_error = 0;
  bool agrees = false;
};

// Our figure for one JMVA measure; nullopt for a measure we do not compute.
std::optional<double> our_figure(const jmva_measure& m, const jmva_document& doc, const service_graph& g,
                                 const load_result& flows, const closed_result& r) {
  const std::size_t c = g.directory()->class_at(m.customer);
  const double x = r.customers[c].throughput;
  const auto think = std::find_if(doc.think_stations.begin(), doc.think_stations.end(),
                                  [&](const auto& s) { return s.first == m.station; });
  if (think != doc.think_stations.end()) {
    const double z = think->second == m.customer ? g.numbers().unit(g.customers()[c]).think_time : 0.0;
    const double visits = think->second == m.customer ? 1.0 : 0.0;
    if (m.measure == "Number of Customers" || m.measure == "Utilization") return x * z;
    if (m.measure == "Throughput") return x * visits;
    if (m.measure == "Residence time") return z;
    return std::nullopt;
  }
  const unit_index u = g.index_of(m.station);
  if (m.measure == "Number of Customers") return r.queue_length(u, c);
  if (m.measure == "Throughput") return x * flows.load_per_request(u.value(), static_cast<Eigen::Index>(c));
  if (m.measure == "Residence time") return r.residence_time(u, c);
  if (m.measure == "Utilization") return r.utilization(u, c);
  return std::nullopt;
}

int import_check(const jmva_document& doc, const jmva_options& options) {
  if (doc.solutions.empty())
    throw error(error_code::invalid_argument,
                fmt::format("--check: '{}' has no <solutions> to compare with", options.input));
  const service_graph g = compile(doc.model);
  const closed_result r = analyze_closed(g);
  const load_result flows = compute_load(g);
  std::vector<compared> rows;
  std::size_t skipped = 0;
  for (const auto& m : doc.solutions) {
    const auto ours = our_figure(m, doc, g, flows, r);
    if (!ours) {
      ++skipped;
      continue;
    }
    const double scale = std::max(std::abs(m.value), 1e-12);
    const double rel = std::abs(*ours - m.value) / scale;
    rows.push_back({&m, *ours, rel, rel <= options.tolerance || std::abs(*ours - m.value) <= 1e-12});
  }
  const auto differing = static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [](const auto& x) { return !x.agrees; }));
  std::string out;
  if (options.format == "json") {
    out = "{\n  \"method\": " + json_quote(r.method) + ",\n  \"tolerance\": " + fmt::format("{}", options.tolerance) +
          ",\n  \"compared\": [\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& x = rows[i];
      out += fmt::format(
          "    {{\"station\": {}, \"customer\": {}, \"measure\": {}, \"jmva\": {}, \"servicechain\": {}, "
          "\"relative_error\": {}, \"agrees\": {}}}{}\n",
          json_quote(x.theirs->station), json_quote(x.theirs->customer), json_quote(x.theirs->measure),
          x.theirs->value, x.ours, x.relative_error, x.agrees, i + 1 < rows.size() ? "," : "");
    }
    out += fmt::format("  ],\n  \"not_compared\": {},\n  \"differing\": {}\n}}\n", skipped, differing);
  } else {
    out = fmt::format("Check of {} against its JMVA solutions ({}), relative tolerance {}\n\n", options.input, r.method,
                      options.tolerance);
    out += fmt::format("{:<16} {:<16} {:<20} {:>16} {:>16} {:>10}  {}\n", "station", "class", "measure", "JMVA",
                       "ServiceChain", "rel. error", "agrees");
    for (const auto& x : rows)
      out += fmt::format("{:<16} {:<16} {:<20} {:>16.10g} {:>16.10g} {:>10.2e}  {}\n", x.theirs->station,
                         x.theirs->customer, x.theirs->measure, x.theirs->value, x.ours, x.relative_error,
                         x.agrees ? "yes" : "NO");
    out += fmt::format("\n{} figures compared, {} differ{}\n", rows.size(), differing,
                       skipped ? fmt::format("; {} of a kind not computed here were skipped", skipped) : "");
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return differing == 0 ? exit_ok : exit_check_differs;
}

int import_command(const jmva_options& options) {
  const jmva_document doc = load_jmva(options.input);
  (void)compile(doc.model);  // every rule of the model format, before anything is written
  if (options.check) return import_check(doc, options);
  std::string json = to_json(doc.model);
  json += '\n';
  write_text(json, options.output);
  return exit_ok;
}

int export_command(const jmva_options& options) {
  const service_graph g = compile(load_organization(options.input));
  write_text(to_jmva(g, compute_load(g)), options.output);
  return exit_ok;
}

}  // namespace

void add_jmva_commands(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<jmva_options>();
  auto* import = app.add_subcommand("import", "read a JMT JMVA model (.jmva) and write it as a ServiceChain model");
  import->add_option("FILE", options->input, "JMVA file (.jmva)")->required();
  import->add_option("-o,--output", options->output, "model file to write (JSON); default: standard output");
  import->add_flag("--check", options->check,
                   "instead of writing the model, solve it and compare with the file's own <solutions> (exit 4 if "
                   "some figure differs)");
  import->add_option("--tolerance", options->tolerance, "--check: largest relative difference that agrees")
      ->check(CLI::PositiveNumber)
      ->default_val(1e-6);
  import->add_option("--format", options->format, "--check: output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->default_val("table");
  import->callback([options, &exit_code] { exit_code = run_guarded([&] { return import_command(*options); }); });

  auto* exprt = app.add_subcommand("export", "write a model that fits JMVA's product form as a JMT JMVA file (.jmva)");
  exprt->add_option("MODEL", options->input, "model file (JSON)")->required();
  exprt->add_option("-o,--output", options->output, "JMVA file to write; default: standard output");
  exprt->callback([options, &exit_code] { exit_code = run_guarded([&] { return export_command(*options); }); });
}

}  // namespace servicechain::cli
