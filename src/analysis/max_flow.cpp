#include "servicechain/analysis/max_flow.hpp"

// GCC's optimizer reports `maybe-uninitialized` inside Boost.Graph's edge iterators as
// the Boykov–Kolmogorov constructor instantiates them (a false positive: the iterator
// pair is assigned by `tie(edges(g))` before use). The warning is located in these
// headers, so it is silenced for them alone.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/boykov_kolmogorov_max_flow.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#include <boost/property_map/property_map.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "servicechain/error.hpp"

namespace servicechain {

namespace {

using flow_graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property,
                                         boost::property<boost::edge_index_t, std::size_t>>;
using flow_edge = boost::graph_traits<flow_graph>::edge_descriptor;
using flow_vertex = boost::graph_traits<flow_graph>::vertex_descriptor;

std::string link_name(const service_graph& g, std::uint32_t l) {
  const auto& p = g.link(link_index{l});
  return fmt::format("link '{}' -> '{}' (/links/{})", g.id(p.provider), g.id(p.consumer), l);
}

void check_capacity(double c, const std::string& where) {
  if (std::isnan(c) || c < 0)
    throw error(error_code::invalid_argument,
                fmt::format("{}: capacity = {}, but must be >= 0 (+infinity for unlimited)", where, c));
}

// The residual network: every arc with its reverse, capacities in a vector by edge index.
class residual_network {
 public:
  explicit residual_network(std::size_t vertices) : graph_(vertices) {}

  // Adds arc u → v of capacity c and its reverse of capacity 0; returns the forward arc's index.
  std::size_t add_arc(flow_vertex u, flow_vertex v, double c) {
    const std::size_t forward = capacity_.size();
    const auto e = boost::add_edge(u, v, forward, graph_).first;
    const auto r = boost::add_edge(v, u, forward + 1, graph_).first;
    capacity_.push_back(c);
    capacity_.push_back(0.0);
    edges_.push_back(e);
    edges_.push_back(r);
    return forward;
  }

  double solve(flow_vertex source, flow_vertex sink) {
    const std::size_t arcs = capacity_.size();
    const std::size_t vertices = boost::num_vertices(graph_);
    residual_.assign(arcs, 0.0);
    std::vector<flow_edge> reverse(arcs);
    for (std::size_t a = 0; a < arcs; ++a) reverse[a] = edges_[a ^ 1U];
    std::vector<flow_edge> predecessor(vertices);
    std::vector<boost::default_color_type> color(vertices);
    std::vector<long> distance(vertices);
    const auto edge_id = boost::get(boost::edge_index, graph_);
    const auto vertex_id = boost::get(boost::vertex_index, graph_);
    return boost::boykov_kolmogorov_max_flow(graph_, boost::make_iterator_property_map(capacity_.begin(), edge_id),
                                             boost::make_iterator_property_map(residual_.begin(), edge_id),
                                             boost::make_iterator_property_map(reverse.begin(), edge_id),
                                             boost::make_iterator_property_map(predecessor.begin(), vertex_id),
                                             boost::make_iterator_property_map(color.begin(), vertex_id),
                                             boost::make_iterator_property_map(distance.begin(), vertex_id), vertex_id,
                                             source, sink);
  }

  // Vertices reachable from `source` through arcs with residual capacity above `tolerance`.
  [[nodiscard]] std::vector<char> reachable(flow_vertex source, double tolerance) const {
    std::vector<char> seen(boost::num_vertices(graph_), 0);
    std::vector<flow_vertex> stack{source};
    seen[source] = 1;
    const auto edge_id = boost::get(boost::edge_index, graph_);
    while (!stack.empty()) {
      const flow_vertex u = stack.back();
      stack.pop_back();
      for (auto [it, end] = boost::out_edges(u, graph_); it != end; ++it) {
        const flow_vertex v = boost::target(*it, graph_);
        if (!seen[v] && residual_[boost::get(edge_id, *it)] > tolerance) {
          seen[v] = 1;
          stack.push_back(v);
        }
      }
    }
    return seen;
  }

  [[nodiscard]] double flow(std::size_t arc) const { return std::max(0.0, capacity_[arc] - residual_[arc]); }

 private:
  flow_graph graph_;
  std::vector<double> capacity_{};
  std::vector<double> residual_{};
  std::vector<flow_edge> edges_{};
};

}  // namespace

max_flow_result max_flow_min_cut(const service_graph& g, unit_index source, unit_index sink,
                                 std::span<const double> link_capacity, const max_flow_options& options) {
  const std::size_t n = g.unit_count();
  const std::size_t m = g.link_count();
  if (source.value() >= n || sink.value() >= n)
    throw error(error_code::invalid_argument,
                fmt::format("max_flow_min_cut: source index {} or sink index {} is not below the unit count {}",
                            source.value(), sink.value(), n));
  if (source == sink)
    throw error(
        error_code::invalid_argument,
        fmt::format("max_flow_min_cut: source and sink are both '{}', but must be distinct units", g.id(source)));
  if (link_capacity.size() != m)
    throw error(
        error_code::invalid_argument,
        fmt::format("max_flow_min_cut: {} link capacities given, but the graph has {} links", link_capacity.size(), m));
  const auto unit_capacity = options.unit_capacity;
  if (!unit_capacity.empty() && unit_capacity.size() != n)
    throw error(
        error_code::invalid_argument,
        fmt::format("max_flow_min_cut: {} unit capacities given, but the graph has {} units", unit_capacity.size(), n));

  // Unlimited arcs get a capacity above the sum of all finite ones: no finite cut can
  // reach it, so a maximum flow that does proves an unlimited path.
  double finite_sum = 0;
  double largest = 0;
  auto account = [&](double c) {
    if (std::isfinite(c)) {
      finite_sum += c;
      largest = std::max(largest, c);
    }
  };
  for (std::uint32_t l = 0; l < m; ++l) {
    check_capacity(link_capacity[l], link_name(g, l));
    account(link_capacity[l]);
  }
  auto splits = [&](std::uint32_t u) {
    return !unit_capacity.empty() && u != source.value() && u != sink.value() && std::isfinite(unit_capacity[u]);
  };
  for (std::uint32_t u = 0; u < unit_capacity.size(); ++u) {
    check_capacity(unit_capacity[u], fmt::format("unit '{}' (index {})", g.id(unit_index{u}), u));
    if (splits(u)) account(unit_capacity[u]);
  }
  const double unlimited = 2.0 * finite_sum + 1.0;
  auto arc_capacity = [&](double c) { return std::isfinite(c) ? c : unlimited; };

  // Vertex u is the in half of unit u; a split unit's out half is n + (its rank among split units).
  std::vector<flow_vertex> out_half(n);
  std::size_t vertices = n;
  for (std::uint32_t u = 0; u < n; ++u) out_half[u] = splits(u) ? vertices++ : u;
  residual_network net(vertices);
  std::vector<std::size_t> unit_arc(n, std::numeric_limits<std::size_t>::max());
  for (std::uint32_t u = 0; u < n; ++u)
    if (splits(u)) unit_arc[u] = net.add_arc(u, out_half[u], unit_capacity[u]);
  std::vector<std::size_t> link_arc(m);
  const bool along = options.dir == direction::with_service;
  for (std::uint32_t l = 0; l < m; ++l) {
    const auto& p = g.link(link_index{l});
    const std::uint32_t from = (along ? p.provider : p.consumer).value();
    const std::uint32_t to = (along ? p.consumer : p.provider).value();
    link_arc[l] = net.add_arc(out_half[from], to, arc_capacity(link_capacity[l]));
  }

  max_flow_result r;
  r.directory = g.directory();
  r.source = source;
  r.sink = sink;
  r.value = net.solve(out_half[source.value()], sink.value());
  if (r.value > finite_sum) {
    throw error(error_code::unbounded,
                fmt::format("max_flow_min_cut: a path of unlimited capacity joins '{}' to '{}', so the maximum "
                            "flow is infinite; give its links or units a finite capacity",
                            g.id(source), g.id(sink)));
  }

  const auto side = net.reachable(out_half[source.value()], 1e-12 * largest);
  r.link_flow.resize(m);
  r.unit_flow.assign(n, 0.0);
  r.source_side.resize(n);
  for (std::uint32_t u = 0; u < n; ++u) r.source_side[u] = side[u];
  r.source_side[source.value()] = 1;
  for (std::uint32_t l = 0; l < m; ++l) {
    const auto& p = g.link(link_index{l});
    const std::uint32_t from = (along ? p.provider : p.consumer).value();
    const std::uint32_t to = (along ? p.consumer : p.provider).value();
    r.link_flow[l] = net.flow(link_arc[l]);
    r.unit_flow[to] += r.link_flow[l];
    if (side[out_half[from]] && !side[to]) r.cut_links.push_back(link_index{l});
  }
  r.unit_flow[source.value()] = 0.0;
  r.unit_flow[sink.value()] = r.value;
  for (std::uint32_t u = 0; u < n; ++u)
    if (splits(u) && side[u] && !side[out_half[u]]) r.cut_units.push_back(unit_index{u});
  return r;
}

}  // namespace servicechain
