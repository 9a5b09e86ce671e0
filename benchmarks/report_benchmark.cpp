// Benchmarks of the analysis report writers (issue 13: every report linear in its size): the
// report of the open analysis of a generated model with 10 classes, in each format, written
// to a stream that only counts the bytes, on one thread and on two. The analysis is made
// once per size, outside the timing. Results: benchmarks/RESULTS.md.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <streambuf>

#include "generator.hpp"
#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/open_network.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/io/report.hpp"

namespace {

namespace sc = servicechain;

constexpr std::size_t classes = 10;

// A stream buffer that keeps nothing: what the report costs is its formatting.
class counting_buffer : public std::streambuf {
 public:
  [[nodiscard]] std::size_t bytes() const { return bytes_; }

 protected:
  int_type overflow(int_type ch) override {
    if (!traits_type::eq_int_type(ch, traits_type::eof())) ++bytes_;
    return traits_type::not_eof(ch);
  }
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes_ += static_cast<std::size_t>(n);
    return n;
  }

 private:
  std::size_t bytes_ = 0;
};

struct analysed {
  sc::service_graph graph;
  sc::open_result open;
  sc::capacity_result capacity;
};

// One size at a time: the organization is dropped once compiled.
const analysed& model_for(std::size_t units) {
  static std::size_t current = 0;
  static std::unique_ptr<analysed> model;
  if (current != units) {
    model.reset();
    auto graph = sc::compile(sc::bench::generate_organization({.units = units, .classes = classes}));
    auto open = sc::analyze_open(graph);
    auto capacity = sc::analyze_capacity(graph, open.load);
    model = std::make_unique<analysed>(analysed{std::move(graph), std::move(open), std::move(capacity)});
    current = units;
  }
  return *model;
}

// Arguments: units, format (0 JSON, 1 CSV, 2 text), threads.
void BM_AnalysisReport(benchmark::State& state) {
  const auto& m = model_for(static_cast<std::size_t>(state.range(0)));
  const auto format = state.range(1) == 0   ? sc::report_format::json
                      : state.range(1) == 1 ? sc::report_format::csv
                                            : sc::report_format::table;
  const auto threads = static_cast<unsigned>(state.range(2));
  std::size_t bytes = 0;
  for (auto _ : state) {
    counting_buffer sink;
    std::ostream out(&sink);
    sc::write_analysis_report(out, m.graph, m.graph.numbers(), m.capacity, m.open.load, &m.open, format,
                              {.threads = threads});
    bytes = sink.bytes();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes) * state.iterations());
  state.counters["report_MB"] = static_cast<double>(bytes) * 1e-6;
}

}  // namespace

BENCHMARK(BM_AnalysisReport)
    ->ArgsProduct({{10000, 100000}, {0, 1, 2}, {1, 2}})
    ->ArgNames({"units", "format", "threads"})
    ->UseRealTime()  // the workers' time is not the calling thread's CPU time
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
