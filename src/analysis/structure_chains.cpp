// Line of sight, heaviest chains and misaligned units (structure.hpp).

#include "servicechain/analysis/structure.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <queue>
#include <set>
#include <utility>
#include <vector>

#include "servicechain/error.hpp"

namespace servicechain {

// ------------------------------------------------------------------ line of sight

line_of_sight_result line_of_sight(const service_graph& g, const load_result& load,
                                   std::span<const double> class_throughput) {
  const std::size_t n = g.unit_count();
  const std::size_t classes = g.class_count();
  if (!class_throughput.empty() && class_throughput.size() != classes)
    throw error(error_code::invalid_argument,
                fmt::format("line_of_sight: {} class throughputs given, but the model has {} customers",
                            class_throughput.size(), classes));
  std::vector<double> throughput(load.demand.begin(), load.demand.end());
  for (std::size_t c = 0; c < class_throughput.size(); ++c) {
    const double t = class_throughput[c];
    if (!std::isfinite(t) || t < 0)
      throw error(error_code::invalid_argument,
                  fmt::format("line_of_sight: throughput of customer '{}' = {}, but must be a finite number >= 0",
                              g.id(g.customers()[c]), t));
    throughput[c] = t;
  }

  line_of_sight_result r;
  r.directory = g.directory();
  r.customers.assign(g.customers().begin(), g.customers().end());
  r.share = unit_matrix::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(classes));
  r.load.assign(n, 0.0);
  for (std::uint32_t i = 0; i < n; ++i) {
    if (g.is_external(unit_index{i})) continue;
    auto row = r.share.row(i);
    double total = 0;
    for (std::size_t c = 0; c < classes; ++c) {
      const auto col = static_cast<Eigen::Index>(c);
      row(col) = load.load_per_request(i, col) * throughput[c];
      total += row(col);
    }
    r.load[i] = total;
    // Dividing by the row's own sum (not by load.total_load) makes every row sum to 1
    // up to rounding, whatever the throughputs.
    if (total > 0) row /= total;
  }
  return r;
}

// ------------------------------------------------------------------ heaviest chains

namespace {

constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

void check_k(std::size_t k) {
  if (k == 0) throw error(error_code::invalid_argument, "heaviest_chains: k = 0, but must be at least 1 chain");
}

// A small directed graph with non-negative arc costs, in CSR form.
struct local_graph {
  std::vector<std::uint32_t> offset{0};
  std::vector<std::uint32_t> target{};
  std::vector<double> cost{};

  [[nodiscard]] std::size_t size() const noexcept { return offset.size() - 1; }
  // Rows must be added in vertex order.
  void add_arc(std::uint32_t to, double c) {
    target.push_back(to);
    cost.push_back(c);
  }
  void end_row() { offset.push_back(static_cast<std::uint32_t>(target.size())); }
};

struct found_path {
  std::vector<std::uint32_t> nodes{};
  std::vector<double> prefix_cost{};  // cost from nodes[0] to nodes[i]
  [[nodiscard]] double cost() const noexcept { return prefix_cost.back(); }
};

// Yen's k shortest loopless paths (Yen 1971) over Dijkstra. The spur search bans the
// root path's nodes and, at the spur node, the next arcs of every path found so far that
// shares the root (all of those arcs start at the spur node).
class yen_search {
 public:
  explicit yen_search(const local_graph& g)
      : g_(g), dist_(g.size(), inf), parent_(g.size(), none), banned_(g.size(), 0), settled_(g.size(), 0) {}

  std::vector<found_path> run(std::uint32_t source, std::uint32_t target, std::size_t k) {
    std::vector<found_path> result;
    ++stamp_;  // nothing banned from an earlier run
    found_path first;
    if (!shortest(source, target, {}, first)) return result;
    result.push_back(std::move(first));
    auto heavier_first = [](const found_path& a, const found_path& b) {
      return a.cost() != b.cost() ? a.cost() > b.cost() : a.nodes > b.nodes;  // min-heap, ties by nodes
    };
    std::priority_queue<found_path, std::vector<found_path>, decltype(heavier_first)> candidates(heavier_first);
    std::set<std::vector<std::uint32_t>> known{result.front().nodes};
    std::vector<std::uint32_t> banned_arcs;
    while (result.size() < k) {
      const found_path& last = result.back();
      for (std::size_t i = 0; i + 1 < last.nodes.size(); ++i) {
        const std::uint32_t spur = last.nodes[i];
        banned_arcs.clear();
        for (const auto& p : result) {
          if (p.nodes.size() > i + 1 &&
              std::equal(p.nodes.begin(), p.nodes.begin() + static_cast<std::ptrdiff_t>(i) + 1, last.nodes.begin()))
            banned_arcs.push_back(p.nodes[i + 1]);
        }
        ++stamp_;
        for (std::size_t j = 0; j < i; ++j) banned_[last.nodes[j]] = stamp_;
        found_path spur_path;
        if (!shortest(spur, target, banned_arcs, spur_path)) continue;
        found_path total;
        total.nodes.assign(last.nodes.begin(), last.nodes.begin() + static_cast<std::ptrdiff_t>(i));
        total.prefix_cost.assign(last.prefix_cost.begin(), last.prefix_cost.begin() + static_cast<std::ptrdiff_t>(i));
        const double root_cost = last.prefix_cost[i];
        for (std::size_t j = 0; j < spur_path.nodes.size(); ++j) {
          total.nodes.push_back(spur_path.nodes[j]);
          total.prefix_cost.push_back(root_cost + spur_path.prefix_cost[j]);
        }
        if (known.insert(total.nodes).second) candidates.push(std::move(total));
      }
      if (candidates.empty()) break;
      result.push_back(candidates.top());
      candidates.pop();
    }
    return result;
  }

 private:
  static constexpr double inf = std::numeric_limits<double>::infinity();

  // Dijkstra from `source` to `target` avoiding nodes banned in this round and, from
  // `source`, the arcs to `banned_first`. Fills `out` and returns true if a path exists.
  bool shortest(std::uint32_t source, std::uint32_t target, const std::vector<std::uint32_t>& banned_first,
                found_path& out) {
    for (std::uint32_t v : touched_) {
      dist_[v] = inf;
      parent_[v] = none;
      settled_[v] = 0;
    }
    touched_.clear();
    using entry = std::pair<double, std::uint32_t>;
    std::priority_queue<entry, std::vector<entry>, std::greater<>> heap;
    dist_[source] = 0;
    touched_.push_back(source);
    heap.emplace(0.0, source);
    while (!heap.empty()) {
      const auto [d, u] = heap.top();
      heap.pop();
      if (settled_[u]) continue;
      settled_[u] = 1;
      if (u == target) break;
      for (std::uint32_t pos = g_.offset[u]; pos < g_.offset[u + 1]; ++pos) {
        const std::uint32_t v = g_.target[pos];
        if (banned_[v] == stamp_ || settled_[v]) continue;
        if (u == source && std::find(banned_first.begin(), banned_first.end(), v) != banned_first.end()) continue;
        const double nd = d + g_.cost[pos];
        if (nd < dist_[v]) {
          if (dist_[v] == inf) touched_.push_back(v);
          dist_[v] = nd;
          parent_[v] = u;
          heap.emplace(nd, v);
        }
      }
    }
    if (!settled_[target]) return false;
    out.nodes.clear();
    for (std::uint32_t v = target; v != none; v = parent_[v]) out.nodes.push_back(v);
    std::reverse(out.nodes.begin(), out.nodes.end());
    out.prefix_cost.resize(out.nodes.size());
    for (std::size_t j = 0; j < out.nodes.size(); ++j) out.prefix_cost[j] = dist_[out.nodes[j]];
    return true;
  }

  const local_graph& g_;
  std::vector<double> dist_;
  std::vector<std::uint32_t> parent_;
  std::vector<std::uint32_t> banned_;
  std::vector<char> settled_;
  std::vector<std::uint32_t> touched_{};
  std::uint32_t stamp_ = 1;  // banned_[v] == stamp_ bans v in this round; every entry starts at 0
};

// −log of a reduced weight r_ab·V_b/V_a ≤ 1; rounding can push it a few ulps above 1.
double reduced_cost(double weight, double potential_from, double potential_to) {
  return std::max(0.0, -std::log(weight * potential_to / potential_from));
}

// The out-neighbours of a unit along links with requests > 0, parallel links merged
// (their requests add: each carries its own share of the consumer's items).
class merged_neighbors {
 public:
  merged_neighbors(const service_graph& g, const model_numbers& numbers)
      : g_(g), requests_(numbers.out_requests()), weight_(g.unit_count(), 0.0) {}

  const std::vector<std::pair<std::uint32_t, double>>& of(std::uint32_t u) {
    list_.clear();
    const auto& out = g_.out_csr();
    for (std::uint32_t pos = out.offset[u]; pos < out.offset[u + 1]; ++pos) {
      const std::uint32_t b = out.neighbor[pos];
      const double r = requests_[pos];
      if (r <= 0 || b == u) continue;
      if (weight_[b] == 0) list_.emplace_back(b, 0.0);
      weight_[b] += r;
    }
    for (auto& [b, w] : list_) {
      w = weight_[b];
      weight_[b] = 0;
    }
    return list_;
  }

 private:
  const service_graph& g_;
  std::span<const double> requests_;
  std::vector<double> weight_;
  std::vector<std::pair<std::uint32_t, double>> list_{};
};

service_chain make_chain(std::vector<unit_index> units, double gain, double demand, double visits) {
  service_chain ch;
  ch.units = std::move(units);
  ch.gain = gain;
  ch.flow = gain * demand;
  ch.share = visits > 0 ? gain / visits : 0.0;
  return ch;
}

}  // namespace

std::vector<std::vector<service_chain>> heaviest_chains(const service_graph& g, const model_numbers& numbers,
                                                       const load_result& load, unit_index u,
                                                        const chain_options& options) {
  check_k(options.k);
  const std::size_t n = g.unit_count();
  if (u.value() >= n)
    throw error(error_code::invalid_argument,
                fmt::format("heaviest_chains: unit index {} is not below the unit count {}", u.value(), n));
  const std::size_t classes = g.class_count();
  std::vector<std::vector<service_chain>> result(classes);
  if (g.is_external(u)) return result;

  merged_neighbors neighbors(g, numbers);
  std::vector<std::uint32_t> local(n, none);
  for (std::size_t c = 0; c < classes; ++c) {
    const auto col = static_cast<Eigen::Index>(c);
    auto v = [&](std::uint32_t i) { return load.visits(i, col); };
    if (!(v(u.value()) > 0)) continue;

    // The units between u and the customer: reachable from u, reaching the customer (v > 0).
    std::vector<std::uint32_t> units{u.value()};
    local[u.value()] = 0;
    for (std::size_t head = 0; head < units.size(); ++head) {
      for (const auto& [b, w] : neighbors.of(units[head])) {
        if (local[b] == none && v(b) > 0) {
          local[b] = static_cast<std::uint32_t>(units.size());
          units.push_back(b);
        }
      }
    }
    local_graph lg;
    for (std::uint32_t a : units) {
      for (const auto& [b, w] : neighbors.of(a))
        if (local[b] != none) lg.add_arc(local[b], reduced_cost(w, v(a), v(b)));
      lg.end_row();
    }
    const std::uint32_t customer = g.customers()[c].value();
    const auto paths = yen_search(lg).run(0, local[customer], options.k);

    for (const auto& p : paths) {
      std::vector<unit_index> chain_units;
      double gain = 1;
      for (std::size_t j = 0; j < p.nodes.size(); ++j) {
        const std::uint32_t unit = units[p.nodes[j]];
        chain_units.push_back(unit_index{unit});
        if (j + 1 < p.nodes.size()) {
          const std::uint32_t next = units[p.nodes[j + 1]];
          for (const auto& [b, w] : neighbors.of(unit))
            if (b == next) gain *= w;
        }
      }
      result[c].push_back(make_chain(std::move(chain_units), gain, load.demand[c], v(u.value())));
    }
    std::stable_sort(result[c].begin(), result[c].end(),
                     [](const service_chain& a, const service_chain& b) { return a.gain > b.gain; });
    for (std::uint32_t x : units) local[x] = none;
  }
  return result;
}

namespace {

// One of the k best chains of a unit, stored as its part inside the unit's component
// followed by a ranked chain of the unit it exits to.
struct chain_entry {
  double gain = 0;
  std::vector<std::uint32_t> inside{};  // from the unit to the component's exit unit
  std::uint32_t next = none;            // the unit after the exit (none: ends at the customer)
  std::uint32_t next_rank = 0;
};

}  // namespace

chains_result heaviest_chains(const service_graph& g, const model_numbers& numbers, const load_result& load,
                              const chain_options& options) {
  check_k(options.k);
  const std::size_t k = options.k;
  const std::size_t n = g.unit_count();
  const std::size_t classes = g.class_count();
  chains_result r;
  r.directory = g.directory();
  r.customers.assign(g.customers().begin(), g.customers().end());
  r.chains.assign(n, std::vector<std::vector<service_chain>>(classes));

  merged_neighbors neighbors(g, numbers);
  std::vector<std::vector<chain_entry>> best(n);
  std::vector<std::uint32_t> local(n, none);
  std::vector<std::uint32_t> first_exit(n, none);
  for (std::size_t c = 0; c < classes; ++c) {
    const auto col = static_cast<Eigen::Index>(c);
    auto v = [&](std::uint32_t i) { return load.visits(i, col); };
    for (auto& b : best) b.clear();
    const std::uint32_t customer = g.customers()[c].value();
    best[customer].push_back({1.0, {customer}, none, 0});

    // Consumers before providers: components in decreasing topological number.
    for (std::uint32_t comp = static_cast<std::uint32_t>(g.component_count()); comp-- > 0;) {
      const auto members = g.component_units(comp);
      if (!(v(members.front().value()) > 0) || g.is_external(members.front())) continue;

      if (members.size() == 1) {
        const std::uint32_t a = members.front().value();
        std::vector<chain_entry> candidates;
        for (const auto& [b, w] : neighbors.of(a)) {
          if (!(v(b) > 0)) continue;
          for (std::uint32_t rank = 0; rank < best[b].size(); ++rank)
            candidates.push_back({w * best[b][rank].gain, {a}, b, rank});
        }
        const std::size_t keep = std::min(k, candidates.size());
        std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(keep), candidates.end(),
                          [](const chain_entry& x, const chain_entry& y) {
                            if (x.gain != y.gain) return x.gain > y.gain;
                            return std::pair(x.next, x.next_rank) < std::pair(y.next, y.next_rank);
                          });
        candidates.resize(keep);
        best[a] = std::move(candidates);
        continue;
      }

      // A loop: its units, then one virtual vertex per (exit unit, rank), then the target.
      std::vector<std::uint32_t> inside(members.size());
      for (std::size_t j = 0; j < members.size(); ++j) {
        inside[j] = members[j].value();
        local[inside[j]] = static_cast<std::uint32_t>(j);
      }
      std::vector<std::pair<std::uint32_t, std::uint32_t>> exits;  // (unit, rank) of each virtual vertex
      for (std::uint32_t a : inside) {
        for (const auto& [b, w] : neighbors.of(a)) {
          if (local[b] != none || !(v(b) > 0) || first_exit[b] != none || best[b].empty()) continue;
          first_exit[b] = static_cast<std::uint32_t>(exits.size());
          for (std::uint32_t rank = 0; rank < best[b].size(); ++rank) exits.emplace_back(b, rank);
        }
      }
      const auto base = static_cast<std::uint32_t>(inside.size());
      const auto target = static_cast<std::uint32_t>(inside.size() + exits.size());
      // Potentials: v inside the loop; the chain's gain at a virtual vertex; 1 at the target.
      local_graph lg;
      for (std::uint32_t a : inside) {
        for (const auto& [b, w] : neighbors.of(a)) {
          if (local[b] != none) {
            lg.add_arc(local[b], reduced_cost(w, v(a), v(b)));
          } else if (first_exit[b] != none) {
            for (std::uint32_t rank = 0; rank < best[b].size(); ++rank)
              lg.add_arc(base + first_exit[b] + rank, reduced_cost(w, v(a), best[b][rank].gain));
          }
        }
        lg.end_row();
      }
      for (std::size_t x = 0; x < exits.size(); ++x) {
        lg.add_arc(target, 0.0);
        lg.end_row();
      }
      lg.end_row();  // the target

      yen_search search(lg);
      for (std::uint32_t a : inside) {
        std::vector<chain_entry> found;
        for (const auto& p : search.run(local[a], target, k)) {
          chain_entry e;
          e.gain = 1;
          const std::size_t inner = p.nodes.size() - 2;  // drop the virtual vertex and the target
          for (std::size_t j = 0; j < inner; ++j) e.inside.push_back(inside[p.nodes[j]]);
          const auto [b, rank] = exits[p.nodes[inner] - base];
          for (std::size_t j = 0; j < inner; ++j) {
            const std::uint32_t from = e.inside[j];
            const std::uint32_t to = j + 1 < inner ? e.inside[j + 1] : b;
            for (const auto& [nb, w] : neighbors.of(from))
              if (nb == to) e.gain *= w;
          }
          e.gain *= best[b][rank].gain;
          e.next = b;
          e.next_rank = rank;
          found.push_back(std::move(e));
        }
        std::stable_sort(found.begin(), found.end(),
                         [](const chain_entry& x, const chain_entry& y) { return x.gain > y.gain; });
        best[a] = std::move(found);
      }
      for (std::uint32_t a : inside) local[a] = none;
      for (const auto& [b, rank] : exits) first_exit[b] = none;
    }

    // Expand the linked entries into full chains.
    for (std::uint32_t a = 0; a < n; ++a) {
      if (g.is_external(unit_index{a})) continue;
      for (const auto& e : best[a]) {
        std::vector<unit_index> units;
        const chain_entry* cur = &e;
        while (true) {
          for (std::uint32_t x : cur->inside) units.push_back(unit_index{x});
          if (cur->next == none) break;
          cur = &best[cur->next][cur->next_rank];
        }
        r.chains[a][c].push_back(make_chain(std::move(units), e.gain, load.demand[c], v(a)));
      }
    }
  }
  return r;
}

const std::vector<service_chain>& chains_result::of(std::string_view unit_id, std::string_view customer_id) const {
  const unit_index u = directory->at(unit_id);
  const unit_index c = directory->at(customer_id);
  const auto it = std::find(customers.begin(), customers.end(), c);
  if (it == customers.end())
    throw error(error_code::unknown_id, fmt::format("'{}' is not an external customer", customer_id));
  return chains[u.value()][static_cast<std::size_t>(it - customers.begin())];
}

double line_of_sight_result::share_of(std::string_view unit_id, std::string_view customer_id) const {
  const unit_index u = directory->at(unit_id);
  const unit_index c = directory->at(customer_id);
  const auto it = std::find(customers.begin(), customers.end(), c);
  if (it == customers.end())
    throw error(error_code::unknown_id, fmt::format("'{}' is not an external customer", customer_id));
  return share(u.value(), static_cast<Eigen::Index>(it - customers.begin()));
}

// ------------------------------------------------------------------ misaligned units

std::vector<misaligned_unit> misaligned_units(const service_graph& g, const model_numbers& numbers, const load_result& load,
                                              const misalignment_options& options) {
  if (!(options.rework_threshold >= 0 && options.rework_threshold < 1))
    throw error(
        error_code::invalid_argument,
        fmt::format("misaligned_units: rework_threshold = {}, but must be in [0, 1)", options.rework_threshold));
  const std::size_t n = g.unit_count();
  // Units with a chain of links to a customer: search from every customer toward providers.
  std::vector<char> reaches(n, 0);
  std::vector<std::uint32_t> stack;
  for (unit_index c : g.customers()) {
    reaches[c.value()] = 1;
    stack.push_back(c.value());
  }
  const auto& in = g.in_csr();
  while (!stack.empty()) {
    const std::uint32_t u = stack.back();
    stack.pop_back();
    for (std::uint32_t pos = in.offset[u]; pos < in.offset[u + 1]; ++pos) {
      const std::uint32_t p = in.neighbor[pos];
      if (!reaches[p]) {
        reaches[p] = 1;
        stack.push_back(p);
      }
    }
  }

  const Eigen::Map<const Eigen::VectorXd> d(load.demand.data(), static_cast<Eigen::Index>(load.demand.size()));
  std::vector<misaligned_unit> out;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (g.is_external(unit_index{i})) continue;
    const auto& p = numbers.unit(unit_index{i});
    misaligned_unit m;
    m.unit = unit_index{i};
    m.load = load.total_load[i];
    m.cost = p.cost_per_time + p.cost_per_request * m.load;
    if (m.load > 0) {
      const double first_passes = load.visits.row(i).dot(d);
      m.rework_share = std::max(0.0, m.load - first_passes) / m.load;
    }
    if (!reaches[i]) {
      m.reason = misalignment::no_path_to_customer;
      out.push_back(m);
    } else if (m.load > 0 && m.rework_share > options.rework_threshold) {
      m.reason = misalignment::mostly_rework;
      out.push_back(m);
    }
  }
  return out;
}

}  // namespace servicechain
