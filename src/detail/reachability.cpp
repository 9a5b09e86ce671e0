#include "detail/reachability.hpp"

namespace servicechain::detail {

std::vector<char> reaches_customer(const service_graph& g) {
  // Depth-first search from the customers against the arrows, with an explicit stack.
  std::vector<char> seen(g.unit_count(), 0);
  std::vector<unit_index> stack(g.customers().begin(), g.customers().end());
  for (unit_index c : stack) seen[c.value()] = 1;
  while (!stack.empty()) {
    const unit_index u = stack.back();
    stack.pop_back();
    for (link_index l : g.in_links(u)) {
      const unit_index provider = g.link(l).provider;
      if (!seen[provider.value()]) {
        seen[provider.value()] = 1;
        stack.push_back(provider);
      }
    }
  }
  return seen;
}

}  // namespace servicechain::detail
