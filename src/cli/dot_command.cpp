// `servicechain dot MODEL [--metric utilization|lead_time|cost] [--customer ID] [--svg FILE]`:
// the organization as a Graphviz picture, units coloured by the metric (src/io/dot.cpp).
// DOT text goes to stdout; with --svg, Graphviz renders it to FILE and stdout stays empty.

#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "servicechain/error.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/io/dot.hpp"
#include "servicechain/io/json.hpp"

namespace servicechain::cli {

int dot_command(const command_options& options) {
  const organization org = load_organization(options.model);
  const service_graph g = compile(org);
  const auto metric = parse_dot_metric(options.metric);
  if (!metric) {
    throw error("servicechain.invalid_argument",
                "--metric = '" + options.metric + "', but must be utilization, lead_time or cost");
  }
  dot_options dot{.metric = *metric};
  if (!options.customer.empty()) dot.customer = options.customer;
  const std::string text = to_dot(g, dot);
  if (options.svg.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else {
    render_svg(text, options.svg);
  }
  return exit_ok;
}

}  // namespace servicechain::cli
