#include "servicechain/analysis/critical_chain.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "detail/component_system.hpp"
#include "servicechain/error.hpp"

namespace servicechain {

namespace {

constexpr double minus_infinity = -std::numeric_limits<double>::infinity();

// Per-link sojourns: a chain through link i -> j carries W_{i->j} (1 + R^s_i) for i's own
// services for j (first pass and its re-checks), the heaviest chain into i, and the redos
// e_ij W_{i->j}. With one sojourn per unit this is the classic H_j = W̃_j + max_i r_ij (H_i + e_ij W_i).
struct chain_inputs {
  std::vector<double> rechecks;      // R^s_j = Σ_i r_ij e_ij over sync inputs
  std::vector<double> inputs;        // G_j: heaviest chain into j (its best input's value)
  std::vector<std::int64_t> argmax;  // link of the heaviest input, −1 for none
};

struct chain_context {
  const service_graph& g;
  const model_numbers& numbers;
  const station_result& stations;
  double sojourn(link_index l) const { return stations.links[l.value()].sojourn; }
  double own(const chain_inputs& h, unit_index j) const {  // the unit's mean own time per item
    return stations.units[j.value()].sojourn * (1.0 + h.rechecks[j.value()]);
  }
  // Value a sync link i -> j adds to a chain through it, per item of j.
  double through(const chain_inputs& h, link_index l, double upstream) const {
    const auto& p = numbers.link(l);
    const unit_index i = g.link(l).provider;
    return p.requests * (sojourn(l) * (1.0 + h.rechecks[i.value()]) + upstream + p.rejections * sojourn(l));
  }
  bool counts(link_index l) const { return g.link(l).mode == link_mode::sync && numbers.link(l).requests != 0; }
};

chain_inputs heaviest_chains(const chain_context& x) {
  const service_graph& g = x.g;
  const std::size_t n = g.unit_count();
  chain_inputs h{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0), std::vector<std::int64_t>(n, -1)};
  for (std::uint32_t j = 0; j < n; ++j) {
    for (link_index l : g.in_links(unit_index{j})) {
      const auto& p = x.numbers.link(l);
      if (g.link(l).mode == link_mode::sync) h.rechecks[j] += p.requests * p.rejections;
    }
  }
  auto relax = [&](unit_index j) {
    double best = 0;
    std::int64_t arg = -1;
    for (link_index l : g.in_links(j)) {
      if (!x.counts(l)) continue;
      const double v = x.through(h, l, h.inputs[g.link(l).provider.value()]);
      if (v > best) {
        best = v;
        arg = l.value();
      }
    }
    const bool changed = std::abs(best - h.inputs[j.value()]) > 1e-15 * std::max(1.0, std::abs(best));
    h.inputs[j.value()] = best;
    h.argmax[j.value()] = arg;
    return changed;
  };
  for (std::uint32_t c = 0; c < g.component_count(); ++c) {
    const auto members = g.component_units(c);
    if (members.size() == 1) {
      relax(members.front());
      continue;
    }
    // Loop: iterate to the fixed point. Every cycle's product of requests is below the loop
    // gain (< 1), so the values converge geometrically; the cap is a safeguard that fails loudly.
    constexpr int max_sweeps = 100000;
    bool changed = true;
    for (int sweep = 0; sweep < max_sweeps && changed; ++sweep) {
      changed = false;
      for (unit_index u : members) changed = relax(u) || changed;
    }
    if (changed) {
      throw error(error_code::not_converged,
                  fmt::format("critical chain: the heaviest chains in the loop of mutual service {{{}}} did not "
                              "converge in {} sweeps",
                              detail::quoted_ids(g, members), max_sweeps));
    }
  }
  return h;
}

}  // namespace

std::vector<critical_chain> critical_chains(const service_graph& g, const model_numbers& numbers,
                                            const open_result& open) {
  return critical_chains(g, numbers, open.stations);
}

std::vector<critical_chain> critical_chains(const service_graph& g, const model_numbers& numbers,
                                            const station_result& stations) {
  if (stations.units.size() != g.unit_count() || stations.links.size() != g.link_count())
    throw error(error_code::invalid_argument,
                fmt::format("critical_chains: station figures for {} units and {} links, but the graph has {} and {}",
                            stations.units.size(), stations.links.size(), g.unit_count(), g.link_count()));
  const std::size_t n = g.unit_count();
  const chain_context x{g, numbers, stations};
  const chain_inputs h = heaviest_chains(x);

  // What the slack pass needs of each out-link, in out-CSR order and the same for every
  // customer: computed once, then each customer's pass reads rows, not scattered links.
  const auto& out = g.out_csr();
  const std::size_t entries = out.link.size();
  std::vector<char> counts(entries);
  std::vector<double> through_alone(entries), requests(entries);
  for (std::size_t pos = 0; pos < entries; ++pos) {
    const link_index l = out.link[pos];
    counts[pos] = x.counts(l) ? 1 : 0;
    through_alone[pos] = counts[pos] ? x.through(h, l, 0.0) : 0.0;
    requests[pos] = numbers.link(l).requests;
  }

  std::vector<critical_chain> result;
  result.reserve(g.class_count());
  std::vector<double> a(n), b(n);  // value through i = a_i + b_i · G_i
  for (unit_index customer : g.customers()) {
    critical_chain cc;
    cc.customer = customer;

    // The chain: follow the heaviest inputs from the customer, never repeating a unit.
    std::vector<char> on_chain(n, 0);
    std::vector<link_index> chain_links;
    for (unit_index u = customer; !on_chain[u.value()];) {
      on_chain[u.value()] = 1;
      cc.units.push_back(u);
      const std::int64_t l = h.argmax[u.value()];
      if (l < 0) break;
      chain_links.push_back(link_index{static_cast<std::uint32_t>(l)});
      u = g.link(chain_links.back()).provider;
    }
    std::reverse(cc.units.begin(), cc.units.end());
    // Its lead time, recomputed along the simple chain itself (Horner, deepest first).
    double value = 0;
    for (std::size_t k = 1; k < cc.units.size(); ++k) value = x.through(h, chain_links[cc.units.size() - 1 - k], value);
    cc.lead_time = cc.units.size() > 1 ? value : 0.0;

    // Slack: continuation towards the customer chosen greedily at each unit, consumers
    // first (reverse topological order), loops handled by the same order.
    std::fill(a.begin(), a.end(), minus_infinity);
    std::fill(b.begin(), b.end(), 0.0);
    a[customer.value()] = 0;
    b[customer.value()] = 1;
    const auto order = g.topological_order();
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      const unit_index i = *it;
      if (i == customer || g.is_external(i)) continue;
      double best = minus_infinity;
      for (std::uint32_t pos = out.offset[i.value()]; pos < out.offset[i.value() + 1]; ++pos) {
        const std::uint32_t j = out.neighbor[pos];
        if (!counts[pos] || a[j] == minus_infinity) continue;
        // Through j: a_j + b_j · through(l, G_i), and through is affine in G_i with slope r_ij.
        const double ai = a[j] + b[j] * through_alone[pos];
        const double bi = b[j] * requests[pos];
        if (ai + bi * h.inputs[i.value()] > best) {
          best = ai + bi * h.inputs[i.value()];
          a[i.value()] = ai;
          b[i.value()] = bi;
        }
      }
    }
    cc.slack.assign(n, std::nullopt);
    for (std::uint32_t i = 0; i < n; ++i) {
      if (a[i] == minus_infinity || unit_index{i} == customer) continue;
      cc.slack[i] = std::max(0.0, cc.lead_time - (a[i] + b[i] * h.inputs[i]));
    }
    for (unit_index u : cc.units)
      if (u != customer) cc.slack[u.value()] = 0.0;
    result.push_back(std::move(cc));
  }
  return result;
}

std::vector<critical_chain> critical_chains(const service_graph& g, const open_result& open) {
  return critical_chains(g, g.numbers(), open);
}

}  // namespace servicechain
