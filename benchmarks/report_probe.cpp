// Report probe: what `servicechain analyze` / `structure` do, without the CLI, so that the
// memory of the analysis alone can be told apart from the memory of writing its report.
// Run it under `/usr/bin/time -v` for the peak resident set size.
//
//   servicechain_report_probe MODEL [--command analyze|structure] [--report none|json|csv|table]
//
// `--report none` (the default) loads, compiles and analyzes and writes nothing: "the
// analysis alone". Otherwise the report is written to a stream that discards it.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <exception>
#include <ostream>
#include <streambuf>
#include <string>

#include "servicechain/servicechain.hpp"
#include "servicechain/io/report.hpp"
#include "servicechain/io/structure_report.hpp"

namespace {

// Counts and drops what is written to it.
class null_buffer : public std::streambuf {
 public:
  std::size_t bytes = 0;

 protected:
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes += static_cast<std::size_t>(n);
    return n;
  }
  int_type overflow(int_type ch) override {
    ++bytes;
    return traits_type::not_eof(ch);
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string model, command = "analyze", report = "none";
  CLI::App app{"servicechain_report_probe: analysis with or without its report, for memory figures"};
  app.add_option("MODEL", model, "model file (JSON)")->required();
  app.add_option("--command", command, "analyze or structure")->check(CLI::IsMember({"analyze", "structure"}));
  app.add_option("--report", report, "none, json, csv or table")->check(CLI::IsMember({"none", "json", "csv", "table"}));
  CLI11_PARSE(app, argc, argv);
  try {
    namespace sc = servicechain;
    const sc::service_graph g = sc::compile(sc::load_organization(model));
    null_buffer sink;
    std::ostream out(&sink);
    if (command == "analyze") {
      const sc::open_result open = sc::analyze_open(g);
      const sc::capacity_result capacity = sc::analyze_capacity(g, open.load);
      if (report != "none")
        sc::write_analysis_report(out, g, g.numbers(), capacity, open.load, &open, *sc::parse_report_format(report));
    } else {
      const sc::structure_result s = sc::analyze_structure(g);
      if (report != "none") sc::write_structure_report(out, g, s, *sc::parse_report_format(report));
    }
    fmt::print("{} {}: report {} bytes\n", command, report, sink.bytes);
  } catch (const std::exception& e) {
    fmt::print(stderr, "servicechain_report_probe: {}\n", e.what());
    return 1;
  }
  return 0;
}
