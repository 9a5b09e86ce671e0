// Report probe: what `servicechain analyze` / `structure` do, without the CLI, so that the
// memory of the analysis alone can be told apart from the memory of writing its report.
// Run it under `/usr/bin/time -v` for the peak resident set size.
//
//   servicechain_report_probe MODEL [--command analyze|structure] [--report none|json|csv|table]
//                             [--threads T] [--repeat R]
//
// `--report none` (the default) loads, compiles and analyzes and writes nothing: "the
// analysis alone". Otherwise the report is written to a stream that discards it, R times
// (the later times on warm memory), the analyze JSON report on T threads (0: one per core).
// Each phase's wall time, the resident set and its peak so far (VmRSS, VmHWM, Linux) go to
// stderr.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <exception>
#include <fstream>
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

// Prints the wall time since the previous call and the memory figures, to stderr.
class phase_clock {
 public:
  void operator()(const char* phase) {
    const auto now = std::chrono::steady_clock::now();
    std::ifstream status("/proc/self/status");
    std::string key, rss = "?", peak = "?";
    while (status >> key) {
      if (key == "VmRSS:")
        status >> rss;
      else if (key == "VmHWM:")
        status >> peak;
    }
    fmt::print(stderr, "{:>10} {:7.3f} s   rss {:>8} kB   peak {:>8} kB\n", phase,
               std::chrono::duration<double>(now - start_).count(), rss, peak);
    start_ = now;
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace

int main(int argc, char** argv) {
  std::string model, command = "analyze", report = "none";
  unsigned threads = 0, repeat = 1;
  CLI::App app{"servicechain_report_probe: analysis with or without its report, for memory figures"};
  app.add_option("MODEL", model, "model file (JSON)")->required();
  app.add_option("--command", command, "analyze or structure")->check(CLI::IsMember({"analyze", "structure"}));
  app.add_option("--report", report, "none, json, csv or table")->check(CLI::IsMember({"none", "json", "csv", "table"}));
  app.add_option("--threads", threads, "threads that format the analyze JSON report (0: one per core)");
  app.add_option("--repeat", repeat, "times the report is written")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  try {
    namespace sc = servicechain;
    phase_clock phase;
    const sc::service_graph g = [&] {  // as the CLI does: the model is given up to compile
      sc::organization org = sc::load_organization(model);
      phase("load");
      return sc::compile(std::move(org));
    }();
    phase("compile");
    null_buffer sink;
    std::ostream out(&sink);
    sc::report_options options;
    options.threads = threads;
    if (command == "analyze") {
      const sc::open_result open = sc::analyze_open(g);
      phase("open");
      const sc::capacity_result capacity = sc::analyze_capacity(g, open.load);
      phase("capacity");
      for (unsigned r = 0; report != "none" && r < repeat; ++r) {
        sc::write_analysis_report(out, g, g.numbers(), capacity, open.load, &open, *sc::parse_report_format(report),
                                  options);
        phase("report");
      }
    } else {
      const sc::structure_result s = sc::analyze_structure(g);
      phase("structure");
      for (unsigned r = 0; report != "none" && r < repeat; ++r) {
        sc::write_structure_report(out, g, s, *sc::parse_report_format(report));
        phase("report");
      }
    }
    fmt::print("{} {}: report {} bytes\n", command, report, sink.bytes);
  } catch (const std::exception& e) {
    fmt::print(stderr, "servicechain_report_probe: {}\n", e.what());
    return 1;
  }
  return 0;
}
