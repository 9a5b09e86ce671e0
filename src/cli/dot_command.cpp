// `servicechain dot MODEL [--metric utilization|lead_time|cost] [--customer ID] [--svg FILE]
// [--highlight gatekeepers|loops|critical]`:
// the organization as a Graphviz picture, units coloured by the metric (src/io/dot.cpp).
// DOT text goes to stdout; with --svg, Graphviz renders it to FILE and stdout stays empty.

#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "servicechain/error.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/io/dot.hpp"
#include "servicechain/io/json.hpp"
#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/critical_chain.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/open_network.hpp"
#include "servicechain/analysis/structure.hpp"

#include <fmt/format.h>

namespace servicechain::cli {

namespace {

// The customer whose gatekeepers or critical chain --highlight shows: --customer, or the
// only customer of the model.
unit_index highlighted_customer(const service_graph& g, const command_options& options) {
  if (!options.customer.empty()) {
    const unit_index c = g.index_of(options.customer);
    if (!g.class_of(c)) {
      throw error(error_code::invalid_argument,
                  fmt::format("--customer = '{}', but it is an internal unit, not an external customer", options.customer));
    }
    return c;
  }
  if (g.class_count() != 1) {
    throw error(error_code::invalid_argument,
                fmt::format("--highlight {} needs --customer ID: the model has {} customers", options.highlight,
                            g.class_count()));
  }
  return g.customers()[0];
}

// Fills the highlight set of `dot` for --highlight gatekeepers|loops|critical.
void highlight(const service_graph& g, const command_options& options, dot_options& dot) {
  if (options.highlight == "loops") {
    for (const auto& loop : g.loops()) dot.highlight_units.insert(dot.highlight_units.end(), loop.units.begin(), loop.units.end());
    dot.highlight_label = "in a loop of mutual service";
    return;
  }
  const unit_index customer = highlighted_customer(g, options);
  const std::size_t c = *g.class_of(customer);
  if (options.highlight == "gatekeepers") {
    const auto trees = gatekeepers(g);  // named: a range-for would not keep the temporary alive
    for (const auto& gk : trees[c].gatekeepers) dot.highlight_units.push_back(gk.unit);
    dot.highlight_label = fmt::format("gatekeeper of {}", g.id(customer));
  } else {  // critical: needs the waits of a stable model (unstable_error otherwise: exit 3)
    const auto chains = critical_chains(g, analyze_open(g));
    for (unit_index u : chains[c].units)
      if (u != customer) dot.highlight_units.push_back(u);
    dot.highlight_label = fmt::format("critical chain of {}", g.id(customer));
  }
}

}  // namespace

int dot_command(const command_options& options) {
  const organization org = load_model(options.model);
  const service_graph g = compile(org);
  const auto metric = parse_dot_metric(options.metric);
  if (!metric) {
    throw error(error_code::invalid_argument,
                "--metric = '" + options.metric + "', but must be utilization, lead_time or cost");
  }
  dot_options dot{.metric = *metric};
  if (!options.customer.empty()) dot.customer = options.customer;
  if (!options.highlight.empty()) highlight(g, options, dot);
  // The picture shows results; the analyses it needs run here.
  const load_result load = compute_load(g);
  const capacity_result capacity = analyze_capacity(g, load);
  const bool needs_open = *metric == dot_metric::lead_time || (*metric == dot_metric::cost && dot.customer);
  std::optional<open_result> open;
  if (needs_open) open = analyze_open(g);  // unstable_error (exit 3) on a saturated model
  const std::string text =
      to_dot(g, {.numbers = g.numbers(), .load = load, .capacity = capacity, .open = open ? &*open : nullptr}, dot);
  if (options.svg.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else {
    render_svg(text, options.svg);
  }
  return exit_ok;
}

}  // namespace servicechain::cli
