#include "servicechain/analysis/needs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

#include "servicechain/error.hpp"

namespace servicechain {

std::string_view to_string(importance_basis basis) noexcept {
  switch (basis) {
    case importance_basis::lead_time:
      return "lead_time";
    case importance_basis::flow:
      return "flow";
    case importance_basis::rework_cost:
      return "rework_cost";
  }
  return "lead_time";
}

std::optional<importance_basis> parse_importance_basis(std::string_view name) noexcept {
  for (auto b : {importance_basis::lead_time, importance_basis::flow, importance_basis::rework_cost})
    if (to_string(b) == name) return b;
  return std::nullopt;
}

std::string_view to_string(ipa_quadrant q) noexcept {
  switch (q) {
    case ipa_quadrant::concentrate_here:
      return "concentrate here";
    case ipa_quadrant::keep_up_the_good_work:
      return "keep up the good work";
    case ipa_quadrant::low_priority:
      return "low priority";
    case ipa_quadrant::possible_overkill:
      return "possible overkill";
  }
  return "low priority";
}

namespace {

std::vector<double> importance_of(const service_graph& g, const load_result& load, const open_result* open,
                                  importance_basis basis) {
  const std::size_t links = g.link_count();
  std::vector<double> share(links, 0.0);
  double total = 0;
  switch (basis) {
    case importance_basis::flow:
      for (std::size_t l = 0; l < links; ++l) share[l] = load.link_load[l];
      break;
    case importance_basis::lead_time:
      for (std::size_t c = 0; c < g.class_count(); ++c) {
        const double d = load.demand[c];
        if (!(d > 0)) continue;
        for (std::uint32_t l = 0; l < links; ++l) share[l] += d * open->lead_time_through(link_index{l}, c);
      }
      break;
    case importance_basis::rework_cost:
      for (const auto& rw : open->rework) share[rw.link.value()] = rw.extra_cost;
      break;
  }
  for (double s : share) total += s;
  if (total > 0) {
    for (double& s : share) s /= total;
  }
  return share;
}

}  // namespace

needs_result analyze_needs(const service_graph& g, const organization& org, const load_result& load,
                           const open_result* open, const needs_options& options) {
  if (org.links.size() != g.link_count() || org.units.size() != g.unit_count()) {
    throw error(error_code::invalid_argument, "analyze_needs: the organization is not the one the model was compiled from");
  }
  if (options.importance != importance_basis::flow) {
    for (unit_index c : g.customers()) {
      if (g.numbers().unit(c).population > 0) {
        throw error(error_code::invalid_argument,
                    fmt::format("importance by {} needs open-network lead times, but customer '{}' is a closed class "
                                "(population); use importance by flow",
                                to_string(options.importance), g.id(c)));
      }
    }
  }
  if (open == nullptr && options.importance != importance_basis::flow) {
    throw error(error_code::invalid_argument,
                fmt::format("importance by {} needs the open analysis (waits and rework costs)",
                            to_string(options.importance)));
  }
  if (options.importance_threshold &&
      (!std::isfinite(*options.importance_threshold) || *options.importance_threshold < 0 ||
       *options.importance_threshold > 1)) {
    throw error(error_code::invalid_argument,
                fmt::format("importance threshold = {}, but must be a share between 0 and 1", *options.importance_threshold));
  }
  if (!std::isfinite(options.performance_threshold) || options.performance_threshold < 1 ||
      options.performance_threshold > 5) {
    throw error(error_code::invalid_argument,
                fmt::format("performance threshold = {}, but must be a score between 1 and 5", options.performance_threshold));
  }
  needs_result r{.basis = options.importance, .performance_threshold = options.performance_threshold};
  const std::vector<double> share = importance_of(g, load, open, options.importance);
  double rated_importance = 0;
  std::size_t rated = 0;
  for (std::uint32_t l = 0; l < g.link_count(); ++l) {
    link_needs ln{.link = link_index{l}, .importance = share[l]};
    const auto& ratings = org.links[l].ratings;
    if (ratings.empty()) {
      r.unrated.push_back(ln.link);
    } else {
      double sum = 0;
      for (const auto& [need, score] : ratings) sum += score;
      ln.performance = sum / static_cast<double>(ratings.size());
      rated_importance += share[l];
      ++rated;
    }
    r.links.push_back(ln);
  }
  r.importance_threshold = options.importance_threshold ? *options.importance_threshold
                           : rated > 0                   ? rated_importance / static_cast<double>(rated)
                                                         : 0.0;
  for (auto& ln : r.links) {
    if (!ln.performance) continue;
    const bool important = ln.importance >= r.importance_threshold;
    const bool good = *ln.performance >= r.performance_threshold;
    ln.quadrant = important ? (good ? ipa_quadrant::keep_up_the_good_work : ipa_quadrant::concentrate_here)
                            : (good ? ipa_quadrant::possible_overkill : ipa_quadrant::low_priority);
  }

  // Per unit: load-weighted means over its rated outgoing links (equal weights when the
  // rated links carry no load at all).
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const unit_index u{i};
    const auto out = g.out_links(u);
    if (g.is_external(u) || out.empty()) continue;
    unit_needs un{.unit = u, .links = out.size()};
    double loaded = 0;
    for (link_index l : out)
      if (!org.links[l.value()].ratings.empty()) loaded += load.link_load[l.value()];
    auto weight = [&](link_index l) { return loaded > 0 ? load.link_load[l.value()] : 1.0; };
    double sum = 0, weights = 0;
    std::array<double, 6> need_sum{}, need_weight{};
    for (link_index l : out) {
      const auto& link = r.links[l.value()];
      if (!link.performance) continue;
      ++un.rated_links;
      const double w = weight(l);
      sum += w * *link.performance;
      weights += w;
      for (const auto& [need, score] : org.links[l.value()].ratings) {
        const auto k = static_cast<std::size_t>(std::distance(std::begin(need_names),
                                                              std::find(std::begin(need_names), std::end(need_names), need)));
        if (k >= need_sum.size()) continue;  // validated models name only the six needs
        need_sum[k] += w * score;
        need_weight[k] += w;
      }
    }
    if (un.rated_links > 0 && weights > 0) un.index = sum / weights;
    for (std::size_t k = 0; k < need_sum.size(); ++k)
      if (need_weight[k] > 0) un.by_need[k] = need_sum[k] / need_weight[k];
    r.units.push_back(un);
  }
  return r;
}

}  // namespace servicechain
