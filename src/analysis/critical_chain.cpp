#include "servicechain/analysis/critical_chain.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace servicechain {

namespace {

constexpr double minus_infinity = -std::numeric_limits<double>::infinity();

struct chain_inputs {
  std::vector<double> own;     // W̃_j = W_j (1 + Σ_i r_ij e_ij) over sync inputs
  std::vector<double> best;    // H_j: heaviest chain ending at j
  std::vector<std::int64_t> argmax;  // link of the heaviest input, −1 for none
};

// Value a sync link i -> j adds to a chain through it, per item of j.
double through(const link_parameters& p, double upstream, const std::vector<double>& sojourn) {
  return p.requests * (upstream + p.rejections * sojourn[p.provider.value()]);
}

chain_inputs heaviest_chains(const service_graph& g, const std::vector<double>& sojourn) {
  const std::size_t n = g.unit_count();
  chain_inputs h{std::vector<double>(n), std::vector<double>(n, 0.0), std::vector<std::int64_t>(n, -1)};
  for (std::uint32_t j = 0; j < n; ++j) {
    double rechecks = 0;
    for (link_index l : g.in_links(unit_index{j})) {
      const auto& p = g.link(l);
      if (p.mode == link_mode::sync) rechecks += p.requests * p.rejections;
    }
    h.own[j] = sojourn[j] * (1.0 + rechecks);
  }
  auto relax = [&](unit_index j) {
    double best = 0;
    std::int64_t arg = -1;
    for (link_index l : g.in_links(j)) {
      const auto& p = g.link(l);
      if (p.mode != link_mode::sync || p.requests == 0) continue;
      const double v = through(p, h.best[p.provider.value()], sojourn);
      if (v > best) {
        best = v;
        arg = l.value();
      }
    }
    const double updated = h.own[j.value()] + best;
    const bool changed = std::abs(updated - h.best[j.value()]) > 1e-15 * std::max(1.0, std::abs(updated));
    h.best[j.value()] = updated;
    h.argmax[j.value()] = arg;
    return changed;
  };
  for (std::uint32_t c = 0; c < g.component_count(); ++c) {
    const auto members = g.component_units(c);
    if (members.size() == 1) {
      relax(members.front());
      continue;
    }
    // Loop: iterate to the fixed point (bounded: every cycle's product of requests is
    // below the loop gain, < 1, so values stay finite and converge geometrically).
    for (int sweep = 0; sweep < 10000; ++sweep) {
      bool changed = false;
      for (unit_index u : members) changed = relax(u) || changed;
      if (!changed) break;
    }
  }
  return h;
}

}  // namespace

std::vector<critical_chain> critical_chains(const service_graph& g, const open_result& open) {
  const std::size_t n = g.unit_count();
  std::vector<double> sojourn(n);
  for (std::uint32_t i = 0; i < n; ++i) sojourn[i] = open.units[i].sojourn;
  const chain_inputs h = heaviest_chains(g, sojourn);

  std::vector<critical_chain> result;
  result.reserve(g.class_count());
  std::vector<double> a(n), b(n);  // value through i = a_i + b_i · H_i
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
    for (std::size_t k = 0; k < cc.units.size(); ++k) {
      const unit_index u = cc.units[k];
      if (k == 0) {
        value = h.own[u.value()];
        continue;
      }
      const auto& p = g.link(chain_links[cc.units.size() - 1 - k]);
      value = (u == customer ? 0.0 : h.own[u.value()]) + through(p, value, sojourn);
    }
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
      if (i == customer || g.unit(i).external) continue;
      double best = minus_infinity;
      for (link_index l : g.out_links(i)) {
        const auto& p = g.link(l);
        const unit_index j = p.consumer;
        if (p.mode != link_mode::sync || a[j.value()] == minus_infinity || p.requests == 0) continue;
        // Through j: a_j + b_j (own_j + r_ij (H_i + e_ij W_i)), with own = 0 at the customer.
        const double own_j = j == customer ? 0.0 : h.own[j.value()];
        const double ai = a[j.value()] + b[j.value()] * (own_j + p.requests * p.rejections * sojourn[i.value()]);
        const double bi = b[j.value()] * p.requests;
        if (ai + bi * h.best[i.value()] > best) {
          best = ai + bi * h.best[i.value()];
          a[i.value()] = ai;
          b[i.value()] = bi;
        }
      }
    }
    cc.slack.assign(n, std::nullopt);
    for (std::uint32_t i = 0; i < n; ++i) {
      if (a[i] == minus_infinity || unit_index{i} == customer) continue;
      cc.slack[i] = std::max(0.0, cc.lead_time - (a[i] + b[i] * h.best[i]));
    }
    for (unit_index u : cc.units)
      if (u != customer) cc.slack[u.value()] = 0.0;
    result.push_back(std::move(cc));
  }
  return result;
}

}  // namespace servicechain
