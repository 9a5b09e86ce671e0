// Loops, dominators and gatekeepers, articulation points, betweenness (structure.hpp).

#include "servicechain/analysis/structure.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/betweenness_centrality.hpp>
#include <boost/property_map/function_property_map.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <functional>
#include <iterator>
#include <limits>
#include <numeric>
#include <queue>
#include <random>
#include <thread>
#include <vector>

#include "servicechain/error.hpp"
#include "servicechain/graph/bgl.hpp"

namespace servicechain {

namespace {
constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
}  // namespace

// ------------------------------------------------------------------ loops

std::vector<loop_report> loops_of_mutual_service(const service_graph& g, const model_numbers& numbers,
                                                 const loops_options& options) {
  if (!(options.fragile_gain > 0 && options.fragile_gain <= 1))
    throw error(error_code::invalid_argument,
                fmt::format("loops_of_mutual_service: fragile_gain = {}, but must be in (0, 1]", options.fragile_gain));
  std::vector<loop_report> out;
  out.reserve(g.loops().size());
  for (std::size_t k = 0; k < g.loops().size(); ++k) {
    loop_report r;
    r.units = g.loops()[k].units;
    r.gain = numbers.loop_gain(k);
    r.amplification = 1.0 / (1.0 - r.gain);  // gain < 1, checked by compile() and every edit
    r.fragile = r.gain >= options.fragile_gain;
    out.push_back(std::move(r));
  }
  return out;
}

// ------------------------------------------------------------------ dominators

namespace {

// Immediate dominators in depth-first preorder numbers, plus the preorder itself.
struct dominator_numbers {
  std::vector<std::uint32_t> vertex{};  // preorder number -> unit
  std::vector<std::uint32_t> idom{};    // preorder number -> preorder number of its idom (root: itself)
};

// Lengauer & Tarjan (1979), the "simple" version (path compression without balancing,
// O(E log V)). Every step is iterative so that depth never touches the call stack.
dominator_numbers lengauer_tarjan(const service_graph& g, std::uint32_t root, direction dir) {
  const std::size_t n = g.unit_count();
  const auto& succ = dir == direction::with_service ? g.out_csr() : g.in_csr();
  const auto& pred = dir == direction::with_service ? g.in_csr() : g.out_csr();

  // 1. Depth-first preorder from the root, with the parent of each vertex in the DFS tree.
  std::vector<std::uint32_t> number(n, none);
  dominator_numbers out;
  std::vector<std::uint32_t> parent;
  {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> stack;  // (unit, next position in its row)
    number[root] = 0;
    out.vertex.push_back(root);
    parent.push_back(none);
    stack.emplace_back(root, succ.offset[root]);
    while (!stack.empty()) {
      auto& [u, pos] = stack.back();
      if (pos == succ.offset[u + 1]) {
        stack.pop_back();
        continue;
      }
      const std::uint32_t w = succ.neighbor[pos++];
      if (number[w] != none) continue;
      number[w] = static_cast<std::uint32_t>(out.vertex.size());
      out.vertex.push_back(w);
      parent.push_back(number[u]);
      stack.emplace_back(w, succ.offset[w]);
    }
  }
  const std::size_t reached = out.vertex.size();

  // 2. Semidominators in reverse preorder, deferring each idom through the buckets.
  std::vector<std::uint32_t> semi(reached), label(reached), ancestor(reached, none);
  std::iota(semi.begin(), semi.end(), 0U);
  std::iota(label.begin(), label.end(), 0U);
  out.idom.assign(reached, none);
  std::vector<std::uint32_t> bucket_head(reached, none), bucket_next(reached, none);
  std::vector<std::uint32_t> path;
  auto eval = [&](std::uint32_t v) {
    if (ancestor[v] == none) return v;
    // Compress the forest path above v, nearest-to-root first (what the recursive
    // formulation does on its way back).
    path.clear();
    for (std::uint32_t x = v; ancestor[ancestor[x]] != none; x = ancestor[x]) path.push_back(x);
    while (!path.empty()) {
      const std::uint32_t y = path.back();
      path.pop_back();
      const std::uint32_t a = ancestor[y];
      if (semi[label[a]] < semi[label[y]]) label[y] = label[a];
      ancestor[y] = ancestor[a];
    }
    return label[v];
  };
  for (std::uint32_t w = static_cast<std::uint32_t>(reached); w-- > 1;) {
    const std::uint32_t u = out.vertex[w];
    for (std::uint32_t pos = pred.offset[u]; pos < pred.offset[u + 1]; ++pos) {
      const std::uint32_t v = number[pred.neighbor[pos]];
      if (v == none) continue;  // a predecessor the root does not reach
      const std::uint32_t x = eval(v);
      if (semi[x] < semi[w]) semi[w] = semi[x];
    }
    bucket_next[w] = bucket_head[semi[w]];
    bucket_head[semi[w]] = w;
    const std::uint32_t p = parent[w];
    ancestor[w] = p;
    for (std::uint32_t x = bucket_head[p]; x != none; x = bucket_next[x]) {
      const std::uint32_t y = eval(x);
      out.idom[x] = semi[y] < semi[x] ? y : p;
    }
    bucket_head[p] = none;
  }
  // 3. Resolve the deferred dominators in preorder.
  for (std::uint32_t w = 1; w < reached; ++w)
    if (out.idom[w] != semi[w]) out.idom[w] = out.idom[out.idom[w]];
  out.idom[0] = 0;
  return out;
}

void check_unit(const service_graph& g, unit_index u, std::string_view what) {
  if (u.value() >= g.unit_count())
    throw error(error_code::invalid_argument,
                fmt::format("{}: unit index {} is not below the unit count {}", what, u.value(), g.unit_count()));
}

dominator_tree make_tree(const service_graph& g, unit_index root, direction dir, const dominator_numbers& d) {
  dominator_tree t;
  t.directory = g.directory();
  t.root = root;
  t.dir = dir;
  t.immediate_dominator.assign(g.unit_count(), std::nullopt);
  for (std::size_t w = 0; w < d.vertex.size(); ++w)
    t.immediate_dominator[d.vertex[w]] = unit_index{d.vertex[d.idom[w]]};
  return t;
}

}  // namespace

dominator_tree dominators(const service_graph& g, unit_index root, direction dir) {
  check_unit(g, root, "dominators");
  return make_tree(g, root, dir, lengauer_tarjan(g, root.value(), dir));
}

std::vector<unit_index> dominator_tree::dominators_of(unit_index u) const {
  std::vector<unit_index> out;
  if (!reachable(u) || u == root) return out;
  for (unit_index x = *immediate_dominator[u.value()];; x = *immediate_dominator[x.value()]) {
    out.push_back(x);
    if (x == root) break;
  }
  return out;
}

std::vector<customer_gatekeepers> gatekeepers(const service_graph& g) {
  std::vector<customer_gatekeepers> out;
  out.reserve(g.class_count());
  for (unit_index c : g.customers()) {
    const auto d = lengauer_tarjan(g, c.value(), direction::with_demand);
    customer_gatekeepers cg;
    cg.customer = c;
    cg.tree = make_tree(g, c, direction::with_demand, d);
    // A dominator precedes what it dominates in preorder: subtree sizes in reverse.
    std::vector<std::size_t> size(d.vertex.size(), 1);
    for (std::size_t w = d.vertex.size(); w-- > 1;) size[d.idom[w]] += size[w];
    for (std::size_t w = 1; w < d.vertex.size(); ++w) {
      const unit_index u{d.vertex[w]};
      if (size[w] > 1 && !g.is_external(u)) cg.gatekeepers.push_back({u, size[w] - 1});
    }
    std::sort(cg.gatekeepers.begin(), cg.gatekeepers.end(), [](const gatekeeper& a, const gatekeeper& b) {
      return a.gated_units != b.gated_units ? a.gated_units > b.gated_units : a.unit < b.unit;
    });
    out.push_back(std::move(cg));
  }
  return out;
}

// ------------------------------------------------------------------ articulation points

// Hopcroft & Tarjan (1973) on the links taken without direction, iteratively over the
// graph's two CSRs: a unit's neighbours are its out-row, then its in-row. No copy of the
// graph (a boost::adjacency_list of 4·10⁶ links took 10 s at 10⁶ units) and no recursion.
// A non-root u is a cut vertex iff some DFS child v has low(v) ≥ disc(u); a root iff it
// has two children. Parallel links and links both ways change neither test.
std::vector<unit_index> articulation_points(const service_graph& g) {
  const std::size_t n = g.unit_count();
  const auto& out = g.out_csr();
  const auto& in = g.in_csr();
  std::vector<std::uint32_t> disc(n, none), low(n, 0);
  std::vector<char> cut(n, 0);
  struct frame {
    std::uint32_t u;
    std::uint32_t next;  // position in the out-row, then (past its end) in the in-row
    std::uint32_t parent;
  };
  std::vector<frame> stack;
  std::uint32_t time = 0;
  for (std::uint32_t root = 0; root < n; ++root) {
    if (disc[root] != none) continue;
    disc[root] = low[root] = time++;
    std::size_t root_children = 0;
    stack.push_back({root, 0, none});
    while (!stack.empty()) {
      frame& f = stack.back();
      const std::uint32_t u = f.u;
      const std::uint32_t out_size = out.offset[u + 1] - out.offset[u];
      const std::uint32_t size = out_size + (in.offset[u + 1] - in.offset[u]);
      if (f.next < size) {
        const std::uint32_t k = f.next++;
        const std::uint32_t w = k < out_size ? out.neighbor[out.offset[u] + k] : in.neighbor[in.offset[u] + k - out_size];
        if (disc[w] == none) {
          disc[w] = low[w] = time++;
          if (u == root) ++root_children;
          stack.push_back({w, 0, u});  // f is invalid from here on
        } else {
          low[u] = std::min(low[u], disc[w]);
        }
        continue;
      }
      const std::uint32_t p = f.parent;
      stack.pop_back();
      if (p == none) continue;
      low[p] = std::min(low[p], low[u]);
      if (p != root && low[u] >= disc[p]) cut[p] = 1;
    }
    if (root_children >= 2) cut[root] = 1;
  }
  std::vector<unit_index> points;
  for (std::uint32_t u = 0; u < n; ++u)
    if (cut[u]) points.emplace_back(u);
  return points;
}

// ------------------------------------------------------------------ betweenness

namespace {

void check_lengths(const service_graph& g, std::span<const double> lengths) {
  if (lengths.empty()) return;
  if (lengths.size() != g.link_count())
    throw error(
        error_code::invalid_argument,
        fmt::format("betweenness: {} link lengths given, but the graph has {} links", lengths.size(), g.link_count()));
  for (std::uint32_t l = 0; l < lengths.size(); ++l) {
    if (!(std::isfinite(lengths[l]) && lengths[l] > 0)) {
      const auto& p = g.link(link_index{l});
      throw error(
          error_code::invalid_argument,
          fmt::format("betweenness: link '{}' -> '{}' (/links/{}): length = {}, but must be a finite number > 0",
                      g.id(p.provider), g.id(p.consumer), l, lengths[l]));
    }
  }
}

// An unbiased integer in [0, bound) (rejection of the incomplete last block).
std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound) {
  const std::uint64_t limit =
      std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
  std::uint64_t x;
  do {
    x = rng();
  } while (x >= limit);
  return x % bound;
}

std::vector<std::uint32_t> choose_sources(const service_graph& g, const betweenness_options& options) {
  const std::size_t n = g.unit_count();
  std::vector<std::uint32_t> sources;
  if (!options.sources.empty()) {
    std::vector<char> seen(n, 0);
    for (unit_index s : options.sources) {
      if (s.value() >= n)
        throw error(error_code::invalid_argument,
                    fmt::format("betweenness: source index {} is not below the unit count {}", s.value(), n));
      if (seen[s.value()])
        throw error(error_code::invalid_argument,
                    fmt::format("betweenness: source '{}' is listed twice, but a sample has no repeats", g.id(s)));
      seen[s.value()] = 1;
      sources.push_back(s.value());
    }
    return sources;
  }
  // Partial Fisher–Yates: the first k entries are a uniform sample without replacement.
  std::vector<std::uint32_t> all(n);
  std::iota(all.begin(), all.end(), 0U);
  std::mt19937_64 rng(options.seed);
  const std::size_t k = options.sample_size;
  for (std::size_t i = 0; i < k; ++i) std::swap(all[i], all[i + uniform_below(rng, n - i)]);
  all.resize(k);
  return all;
}

// Brandes' single-source stage: shortest paths from s with their counts, then the
// dependencies δ_s(v) accumulated in reverse order of distance.
class single_source_dependency {
 public:
  single_source_dependency(const service_graph& g, std::span<const double> lengths)
      : g_(g),
        lengths_(lengths),
        dist_(g.unit_count(), inf),
        sigma_(g.unit_count(), 0.0),
        delta_(g.unit_count(), 0.0),
        done_(g.unit_count(), 0) {}

  // Fills delta() for source s; order() lists the vertices reached, nearest first.
  void run(std::uint32_t s) {
    const auto& out = g_.out_csr();
    for (std::uint32_t v : order_) {  // reset what the previous source reached
      dist_[v] = inf;
      sigma_[v] = 0;
      delta_[v] = 0;
      done_[v] = 0;
    }
    order_.clear();
    dist_[s] = 0;
    sigma_[s] = 1;
    if (lengths_.empty()) {
      order_.push_back(s);
      for (std::size_t head = 0; head < order_.size(); ++head) {
        const std::uint32_t v = order_[head];
        for (std::uint32_t pos = out.offset[v]; pos < out.offset[v + 1]; ++pos) {
          const std::uint32_t w = out.neighbor[pos];
          if (dist_[w] == inf) {
            dist_[w] = dist_[v] + 1;
            order_.push_back(w);
          }
          if (dist_[w] == dist_[v] + 1) sigma_[w] += sigma_[v];
        }
      }
    } else {
      using entry = std::pair<double, std::uint32_t>;
      std::priority_queue<entry, std::vector<entry>, std::greater<>> heap;
      heap.emplace(0.0, s);
      while (!heap.empty()) {
        const auto [d, v] = heap.top();
        heap.pop();
        if (done_[v]) continue;
        done_[v] = 1;
        order_.push_back(v);
        for (std::uint32_t pos = out.offset[v]; pos < out.offset[v + 1]; ++pos) {
          const std::uint32_t w = out.neighbor[pos];
          const double nd = d + lengths_[out.link[pos].value()];
          if (nd < dist_[w]) {
            dist_[w] = nd;
            sigma_[w] = sigma_[v];
            heap.emplace(nd, w);
          } else if (nd == dist_[w]) {
            sigma_[w] += sigma_[v];
          }
        }
      }
    }
    // Accumulation: v precedes w on a shortest path iff dist(v) + len(v→w) == dist(w),
    // the same sum the search compared.
    const auto& in = g_.in_csr();
    for (std::size_t i = order_.size(); i-- > 1;) {
      const std::uint32_t w = order_[i];
      const double coefficient = (1.0 + delta_[w]) / sigma_[w];
      for (std::uint32_t pos = in.offset[w]; pos < in.offset[w + 1]; ++pos) {
        const std::uint32_t v = in.neighbor[pos];
        const double len = lengths_.empty() ? 1.0 : lengths_[in.link[pos].value()];
        if (dist_[v] != inf && dist_[v] + len == dist_[w]) delta_[v] += sigma_[v] * coefficient;
      }
    }
    delta_[s] = 0;  // the source's own dependency is not a betweenness term
  }

  [[nodiscard]] const std::vector<std::uint32_t>& order() const noexcept { return order_; }
  [[nodiscard]] double delta(std::uint32_t v) const noexcept { return delta_[v]; }

 private:
  static constexpr double inf = std::numeric_limits<double>::infinity();
  const service_graph& g_;
  std::span<const double> lengths_;
  std::vector<double> dist_, sigma_, delta_;
  std::vector<char> done_;
  std::vector<std::uint32_t> order_{};
};

std::vector<double> exact_betweenness_bgl(const service_graph& g, std::span<const double> lengths) {
  const auto& b = bgl_view(g);
  using edge = boost::graph_traits<bgl_graph>::edge_descriptor;
  const std::size_t n = g.unit_count();
  std::vector<double> centrality(n, 0.0), distance(n), dependency(n), paths(n);
  std::vector<std::vector<edge>> incoming(n);
  const auto index = boost::get(boost::vertex_index, b);
  auto centrality_map = boost::make_iterator_property_map(centrality.begin(), index);
  auto incoming_map = boost::make_iterator_property_map(incoming.begin(), index);
  auto distance_map = boost::make_iterator_property_map(distance.begin(), index);
  auto dependency_map = boost::make_iterator_property_map(dependency.begin(), index);
  // Path counts as doubles: BGL's default integer counts overflow on large layered graphs.
  auto path_map = boost::make_iterator_property_map(paths.begin(), index);
  if (lengths.empty()) {
    boost::brandes_betweenness_centrality(b, centrality_map, boost::dummy_property_map(), incoming_map, distance_map,
                                          dependency_map, path_map, index);
  } else {
    auto weight = boost::make_function_property_map<edge, double>([&](const edge& e) { return lengths[b[e].link]; });
    boost::brandes_betweenness_centrality(b, centrality_map, boost::dummy_property_map(), incoming_map, distance_map,
                                          dependency_map, path_map, index, weight);
  }
  return centrality;
}

// Mean and sum of squared deviations of δ_s(v), per unit, over a run of sources (a
// source that does not reach v contributes δ_s(v) = 0).
struct dependency_moments {
  std::vector<double> mean, m2;
  double count = 0;

  explicit dependency_moments(std::size_t n) : mean(n, 0.0), m2(n, 0.0) {}

  // Welford's update with one more source.
  void add(const single_source_dependency& stage) {
    count += 1;
    for (std::size_t v = 0; v < mean.size(); ++v) {
      const double x = stage.delta(static_cast<std::uint32_t>(v));
      const double step = x - mean[v];
      mean[v] += step / count;
      m2[v] += step * (x - mean[v]);
    }
  }

  // Chan, Golub & LeVeque, "Algorithms for computing the sample variance", Am. Statistician
  // 37(3), 1983: the moments of two disjoint runs combined.
  void merge(const dependency_moments& other) {
    if (other.count == 0) return;
    const double total = count + other.count;
    for (std::size_t v = 0; v < mean.size(); ++v) {
      const double d = other.mean[v] - mean[v];
      mean[v] += d * (other.count / total);
      m2[v] += other.m2[v] + d * d * (count * other.count / total);
    }
    count = total;
  }
};

// The sources fall into a fixed number of consecutive groups, whatever the thread count:
// each group is one Welford run, the groups are merged in order, so the bits do not
// depend on how many threads ran them. Four groups keep two to four cores busy for a few
// megabytes per group and unit count.
constexpr std::size_t dependency_groups = 4;

struct moments_pair {
  std::vector<double> mean, m2;
};

moments_pair sampled_moments(const service_graph& g, std::span<const double> lengths,
                             const std::vector<std::uint32_t>& sources, unsigned threads) {
  const std::size_t n = g.unit_count();
  const std::size_t groups = std::min(dependency_groups, sources.size());
  if (threads == 0) threads = std::max(1U, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, groups));
  std::vector<dependency_moments> moments(groups, dependency_moments(n));
  std::vector<single_source_dependency> stages(threads, single_source_dependency(g, lengths));
  std::vector<std::exception_ptr> errors(threads);
  auto work = [&](unsigned t) {
    try {
      for (std::size_t group = t; group < groups; group += threads) {
        const std::size_t first = sources.size() * group / groups, last = sources.size() * (group + 1) / groups;
        for (std::size_t i = first; i < last; ++i) {
          stages[t].run(sources[i]);
          moments[group].add(stages[t]);
        }
      }
    } catch (...) {
      errors[t] = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> workers;
    for (unsigned t = 1; t < threads; ++t) workers.emplace_back(work, t);
    work(0);
  }
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  for (std::size_t group = 1; group < groups; ++group) moments[0].merge(moments[group]);
  return {std::move(moments[0].mean), std::move(moments[0].m2)};
}

}  // namespace

betweenness_result betweenness(const service_graph& g, const betweenness_options& options) {
  check_lengths(g, options.link_length);
  const std::size_t n = g.unit_count();
  betweenness_result r;
  r.directory = g.directory();
  r.standard_error.assign(n, 0.0);
  const bool sampled = !options.sources.empty() || (options.sample_size > 0 && options.sample_size < n);
  if (!sampled) {
    r.raw = exact_betweenness_bgl(g, options.link_length);
    r.sources_used = n;
    r.exact = true;
  } else {
    const auto sources = choose_sources(g, options);
    const std::size_t k = sources.size();
    if (k < 2)
      throw error(error_code::invalid_argument,
                  fmt::format("betweenness: a sample of {} source has no standard error, but the estimate needs one; "
                              "sample at least 2 sources",
                              k));
    const auto [mean, m2] = sampled_moments(g, options.link_length, sources, options.threads);
    const double kk = static_cast<double>(k);
    const double nn = static_cast<double>(n);
    const double fpc = std::max(0.0, 1.0 - kk / nn);  // finite population correction
    r.raw.resize(n);
    for (std::size_t v = 0; v < n; ++v) {
      r.raw[v] = nn * mean[v];
      const double variance = m2[v] / (kk - 1.0);
      r.standard_error[v] = nn * std::sqrt(fpc * variance / kk);
    }
    r.sources_used = k;
    r.exact = k == n;
  }
  r.normalized.assign(n, 0.0);
  if (n > 2) {
    const double scale = 1.0 / (static_cast<double>(n - 1) * static_cast<double>(n - 2));
    for (std::size_t v = 0; v < n; ++v) {
      r.normalized[v] = r.raw[v] * scale;
    }
  }
  return r;
}

}  // namespace servicechain
