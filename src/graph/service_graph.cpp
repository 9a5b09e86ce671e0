#include "servicechain/graph/service_graph.hpp"

#include <Eigen/Dense>
#include <boost/graph/strong_components.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <numeric>
#include <utility>

#include "detail/component_system.hpp"
#include "detail/huge_pages.hpp"
#include "detail/id_image.hpp"
#include "detail/kernel_layout.hpp"
#include "detail/model_check.hpp"
#include "detail/prefetch.hpp"
#include "detail/reachability.hpp"
#include "servicechain/error.hpp"
#include "servicechain/graph/bgl.hpp"

namespace servicechain {

// ------------------------------------------------------------------ unit_directory

namespace {

std::size_t hash_id(std::string_view id) noexcept { return std::hash<std::string_view>{}(id); }

}  // namespace

bool unit_directory::holds(const id_slot& slot, const detail::id_image& image, std::string_view id) const noexcept {
  return slot.head == image.head && slot.body == image.body &&
         (id.size() <= detail::max_inline_id || ids_[slot.entry - 1] == id);
}

std::size_t unit_directory::search(std::size_t hash, const detail::id_image& image,
                                   std::string_view id) const noexcept {
  const std::size_t mask = table_.size() - 1;
  std::size_t slot = hash & mask;
  while (table_[slot].entry != 0 && !holds(table_[slot], image, id)) slot = (slot + 1) & mask;
  return slot;
}

std::optional<unit_index> unit_directory::probe(std::size_t hash, std::string_view id) const noexcept {
  const id_slot& slot = table_[search(hash, detail::image_of(id, hash), id)];
  return slot.entry == 0 ? std::nullopt : std::optional<unit_index>(unit_index{slot.entry - 1});
}

unit_directory::unit_directory(std::vector<std::string> ids, const std::vector<bool>& external)
    : ids_(std::move(ids)), class_of_(ids_.size(), -1) {
  for (std::uint32_t i = 0; i < external.size(); ++i) {
    if (!external[i]) continue;
    class_of_[i] = static_cast<std::int32_t>(customers_.size());
    customers_.push_back(unit_index{i});
  }
  // Open addressing with linear probing at load factor ≤ 1/2: one 16-byte slot per
  // entry instead of a node per id, which matters at a million units. A repeated id
  // keeps its first unit's slot.
  const std::size_t slots = std::bit_ceil(std::max<std::size_t>(2 * ids_.size(), 8));
  detail::huge_assign(table_, slots, id_slot{});
  for (std::uint32_t i = 0; i < ids_.size(); ++i) {
    const std::size_t hash = hash_id(ids_[i]);
    const detail::id_image image = detail::image_of(ids_[i], hash);
    id_slot& slot = table_[search(hash, image, ids_[i])];
    if (slot.entry == 0) slot = {i + 1, image.head, image.body};  // else a repeat: its first unit stays
  }
}

std::optional<unit_index> unit_directory::find(std::string_view id) const noexcept { return probe(hash_id(id), id); }

void unit_directory::find_many(std::span<const std::string_view> ids,
                               std::span<std::optional<unit_index>> found) const {
  // A lookup is one cache miss (its slot), two for a long id (then the id). A software
  // pipeline keeps them in flight: the slot of lookup k + 2·ahead and the long id of
  // lookup k + ahead are prefetched while lookup k compares.
  constexpr std::size_t ahead = 16, ring = 4 * ahead;  // ring: hashes of lookups in flight
  const std::size_t mask = table_.size() - 1;
  std::size_t hash[ring];
  const std::size_t n = ids.size();
  auto prefetch_slot = [&](std::size_t k) {
    hash[k % ring] = hash_id(ids[k]);
    detail::prefetch(&table_[hash[k % ring] & mask]);
  };
  auto prefetch_id = [&](std::size_t k) {
    const id_slot& slot = table_[hash[k % ring] & mask];
    if (slot.entry != 0 && ids[k].size() > detail::max_inline_id) detail::prefetch(&ids_[slot.entry - 1]);
  };
  for (std::size_t k = 0; k < std::min(n, 2 * ahead); ++k) prefetch_slot(k);
  for (std::size_t k = 0; k < std::min(n, ahead); ++k) prefetch_id(k);
  for (std::size_t k = 0; k < n; ++k) {
    if (k + 2 * ahead < n) prefetch_slot(k + 2 * ahead);
    if (k + ahead < n) prefetch_id(k + ahead);
    found[k] = probe(hash[k % ring], ids[k]);
  }
}

unit_index unit_directory::at(std::string_view id) const {
  if (auto u = find(id)) return *u;
  throw error(error_code::unknown_id, fmt::format("no unit with id '{}'", id));
}

std::size_t unit_directory::class_at(std::string_view id) const {
  if (auto c = class_of(at(id))) return *c;
  throw error(error_code::unknown_id,
              fmt::format("unit '{}' is not an external customer, but a customer's id was expected", id));
}

// ------------------------------------------------------------------ service_graph

service_graph::service_graph() = default;
service_graph::service_graph(service_graph&&) noexcept = default;
service_graph& service_graph::operator=(service_graph&&) noexcept = default;
service_graph::service_graph(const service_graph&) = default;
service_graph& service_graph::operator=(const service_graph&) = default;
service_graph::~service_graph() = default;

namespace detail {
const kernel_layout& kernel_layout_of(const service_graph& g) noexcept { return *g.kernel_; }
}  // namespace detail

link_index service_graph::link_between(std::string_view from, std::string_view to) const {
  const unit_index provider = index_of(from), consumer = index_of(to);
  for (link_index l : out_links(provider))
    if (links_[l.value()].consumer == consumer) return l;
  throw error(error_code::unknown_id, fmt::format("no link '{}' -> '{}'", from, to));
}

namespace {

unit_parameters compile_unit(const unit& u) {
  unit_parameters p;
  p.unlimited_servers = u.servers.is_unlimited();
  p.servers = p.unlimited_servers ? 0.0 : static_cast<double>(u.servers.count());
  p.preemptive = u.preemptive;
  p.queue_discipline = u.queue_discipline;
  p.service_time = u.external ? 0.0 : u.service_time.value_or(0.0);
  p.model_service_time = p.service_time;
  p.service_scv = u.service_scv;
  p.cost_per_time = u.cost_per_time;
  p.cost_per_request = u.cost_per_request;
  p.yield = u.yield;
  p.open_class = u.external && u.demand.has_value();
  p.demand = u.demand.value_or(0.0);
  p.population = u.population.value_or(0);
  p.think_time = u.think_time.value_or(0.0);
  p.value_per_request = u.value_per_request;
  if (u.profile && p.open_class) p.profile = std::make_shared<const periodic_schedule>(*u.profile);
  if (u.schedule && !u.external) {
    // The time-average rule (docs/semantics.md, "Working hours"): ⌈c̄⌉ servers, each
    // c̄ / ⌈c̄⌉ as fast, so that the capacity is c̄ / s.
    const double average = u.schedule->time_average();
    p.schedule = std::make_shared<const periodic_schedule>(*u.schedule);
    p.servers = std::ceil(average);
    p.speed = average / p.servers;
    p.service_time /= p.speed;
  }
  return p;
}

// Counting sort of the links by one endpoint, stable in link order.
service_graph::csr build_csr(std::size_t n, std::span<const link_topology> links, bool by_provider) {
  service_graph::csr c;
  detail::huge_assign(c.offset, n + 1, std::uint32_t{0});
  for (const auto& l : links) ++c.offset[(by_provider ? l.provider : l.consumer).value() + 1];
  std::partial_sum(c.offset.begin(), c.offset.end(), c.offset.begin());
  detail::huge_resize(c.link, links.size());
  detail::huge_resize(c.neighbor, links.size());
  std::vector<std::uint32_t> next;
  detail::huge_reserve(next, n);
  next.assign(c.offset.begin(), c.offset.end() - 1);
  for (std::uint32_t i = 0; i < links.size(); ++i) {
    const auto& l = links[i];
    const std::uint32_t row = (by_provider ? l.provider : l.consumer).value();
    const std::uint32_t pos = next[row]++;
    c.link[pos] = link_index{i};
    c.neighbor[pos] = (by_provider ? l.consumer : l.provider).value();
  }
  return c;
}

// Calls f(pos) for every CSR position of `adj` that the kernel keeps, in the kernel's entry
// order: rows by kernel position, entries in CSR order, those inside the row unit's own
// component left out (detail/kernel_layout.hpp).
template <typename F>
void for_each_kernel_position(const service_graph& g, const service_graph::csr& adj, const detail::kernel_layout& layout,
                              F&& f) {
  for (const unit_index u : layout.unit_at) {
    const std::uint32_t c = g.component_of(u);
    for (std::uint32_t pos = adj.offset[u.value()]; pos < adj.offset[u.value() + 1]; ++pos)
      if (g.component_of(unit_index{adj.neighbor[pos]}) != c) f(pos);
  }
}

// The kernel's weights (detail/kernel_layout.hpp): `value(pos)` for the CSR position of each
// entry of `rows`, then of each loop entry.
template <typename Value>
void fill_kernel_weights(const service_graph& g, const service_graph::csr& adj, const detail::kernel_layout& layout,
                         const detail::kernel_rows& rows, const Value& value, std::span<double> out) {
  std::size_t e = 0;
  for_each_kernel_position(g, adj, layout, [&](std::uint32_t pos) { out[e++] = value(pos); });
  for (const detail::loop_entry& entry : rows.loop_entries) out[e++] = value(entry.pos);
}

// The kernel's order (detail/kernel_layout.hpp): components by level, then by smallest member.
// Levels by one pass in the graph's topological order, positions by a counting sort on level
// while the units are scanned in index order (a component is placed at its first member seen).
void kernel_order(const service_graph& g, detail::kernel_layout& layout) {
  const std::size_t n = g.unit_count(), k = g.component_count();
  const auto& out = g.out_csr();
  auto level = detail::huge_vector<std::uint32_t>(k, 0);
  std::uint32_t levels = k == 0 ? 0 : 1;
  for (std::uint32_t c = 0; c < k; ++c) {
    for (const unit_index u : g.component_units(c)) {
      for (std::uint32_t pos = out.offset[u.value()]; pos < out.offset[u.value() + 1]; ++pos) {
        const std::uint32_t d = g.component_of(unit_index{out.neighbor[pos]});
        if (d != c && level[d] <= level[c]) {
          level[d] = level[c] + 1;
          levels = std::max(levels, level[d] + 1);
        }
      }
    }
  }
  std::vector<std::uint32_t> next(std::size_t{levels} + 1, 0);  // units per level, then first free position
  for (std::uint32_t c = 0; c < k; ++c) next[level[c] + 1] += static_cast<std::uint32_t>(g.component_units(c).size());
  std::partial_sum(next.begin(), next.end(), next.begin());
  detail::huge_resize(layout.unit_at, n);
  detail::huge_assign(layout.position, n, std::uint32_t{0});
  std::vector<char> placed(k, 0);
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t c = g.component_of(unit_index{i});
    if (placed[c]) continue;
    placed[c] = 1;
    for (const unit_index u : g.component_units(c)) {
      const std::uint32_t p = next[level[c]]++;
      layout.unit_at[p] = u;
      layout.position[u.value()] = p;
    }
  }
  layout.loops.reserve(g.loops().size());
  for (const service_loop& loop : g.loops()) {
    const auto members = g.component_units(loop.component);
    layout.loops.push_back({layout.position[members.front().value()], static_cast<std::uint32_t>(members.size()),
                            loop.component});
  }
  std::sort(layout.loops.begin(), layout.loops.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
}

// The kernel's rows in `layout`'s order; `weights` gets `csr_w` in the same layout.
detail::kernel_rows kernel_rows(const service_graph& g, const detail::kernel_layout& layout,
                                const service_graph::csr& adj, std::span<const double> csr_w,
                                std::vector<double>& weights) {
  const std::size_t n = g.unit_count();
  detail::kernel_rows k;
  detail::huge_assign(k.offset, n + 1, std::uint32_t{0});
  for (std::size_t p = 0; p < n; ++p) {
    const unit_index unit = layout.unit_at[p];
    const std::uint32_t u = unit.value(), c = g.component_of(unit);
    std::uint32_t count = 0;
    for (std::uint32_t pos = adj.offset[u]; pos < adj.offset[u + 1]; ++pos)
      count += g.component_of(unit_index{adj.neighbor[pos]}) != c ? 1 : 0;
    k.offset[p + 1] = k.offset[p] + count;
  }
  detail::huge_resize(k.neighbor, k.offset[n]);
  std::uint32_t e = 0;
  for_each_kernel_position(g, adj, layout, [&](std::uint32_t pos) { k.neighbor[e++] = adj.neighbor[pos]; });
  k.loop_offset.reserve(layout.loops.size() + 1);
  k.loop_offset.push_back(0);
  for (const auto& loop : layout.loops) {
    const auto members = g.component_units(loop.component);
    const std::uint32_t first = g.order_position(members.front());
    for (const unit_index u : members) {
      for (std::uint32_t pos = adj.offset[u.value()]; pos < adj.offset[u.value() + 1]; ++pos) {
        const unit_index v{adj.neighbor[pos]};
        if (g.component_of(v) == loop.component)
          k.loop_entries.push_back({pos, g.order_position(u) - first, g.order_position(v) - first});
      }
    }
    k.loop_offset.push_back(static_cast<std::uint32_t>(k.loop_entries.size()));
  }
  weights.clear();
  detail::huge_resize(weights, k.neighbor.size() + k.loop_entries.size());
  fill_kernel_weights(g, adj, layout, k, [&](std::uint32_t pos) { return csr_w[pos]; }, weights);
  return k;
}

std::vector<double> csr_weights(const service_graph::csr& c, std::span<const link_parameters> links) {
  auto w = detail::huge_vector<double>(c.link.size());
  for (std::size_t pos = 0; pos < w.size(); ++pos) w[pos] = links[c.link[pos].value()].requests;
  return w;
}

// (provider, consumer) of every CSR entry of `out`, which is sorted by provider.
std::vector<std::pair<std::uint32_t, std::uint32_t>> csr_edges(const service_graph::csr& out) {
  auto edges = detail::huge_vector<std::pair<std::uint32_t, std::uint32_t>>(out.link.size());
  for (std::uint32_t u = 0; u + 1 < out.offset.size(); ++u)
    for (std::uint32_t pos = out.offset[u]; pos < out.offset[u + 1]; ++pos) edges[pos] = {u, out.neighbor[pos]};
  return edges;
}

// BGL's Tarjan on a transient directed CSR copy of `out` (freed before the layout is built,
// so it adds nothing to the graph's peak); returns the number of components.
std::uint32_t strong_components_of(const service_graph::csr& out, std::vector<std::uint32_t>& component) {
  using directed_csr = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                                          boost::no_property, std::uint32_t, std::uint32_t>;
  const auto n = static_cast<std::uint32_t>(out.offset.size() - 1);
  const auto edges = csr_edges(out);
  const directed_csr graph(boost::edges_are_sorted, edges.begin(), edges.end(), n);
  return static_cast<std::uint32_t>(boost::strong_components(
      graph, boost::make_iterator_property_map(component.begin(), boost::get(boost::vertex_index, graph))));
}

}  // namespace

namespace detail {

struct bgl_cache {
  std::once_flag once;
  std::unique_ptr<const bgl_storage> storage;
};

}  // namespace detail

const detail::bgl_storage& service_graph::bgl_storage() const {
  std::call_once(bgl_->once, [this] {
    auto properties = detail::huge_vector<bgl_edge>(out_.link.size());
    for (std::size_t pos = 0; pos < properties.size(); ++pos) properties[pos].link = out_.link[pos].value();
    const auto edges = csr_edges(out_);
    bgl_->storage = std::make_unique<const detail::bgl_storage>(
        detail::bgl_storage{bgl_graph(boost::edges_are_unsorted_multi_pass, edges.begin(), edges.end(),
                                      properties.begin(), static_cast<std::uint32_t>(unit_count()))});
  });
  return *bgl_->storage;
}

namespace {
}  // namespace

namespace detail {

std::uint32_t kernel_entry(const service_graph& g, const service_graph::csr& adj, const kernel_layout& layout,
                           const kernel_rows& rows, unit_index u, std::uint32_t pos) noexcept {
  const std::uint32_t c = g.component_of(u);
  if (g.component_of(unit_index{adj.neighbor[pos]}) == c) {
    // The loop's entries: loops are sorted by the kernel position of their first member.
    const std::uint32_t first = layout.position[g.component_units(c).front().value()];
    const auto loop = std::lower_bound(layout.loops.begin(), layout.loops.end(), first,
                                       [](const kernel_layout::loop& l, std::uint32_t p) { return l.first < p; });
    const auto k = static_cast<std::size_t>(loop - layout.loops.begin());
    for (std::uint32_t j = rows.loop_offset[k]; j < rows.loop_offset[k + 1]; ++j)
      if (rows.loop_entries[j].pos == pos) return static_cast<std::uint32_t>(rows.neighbor.size()) + j;
    return kernel_rows::no_entry;  // unreachable: every link inside a loop has its entry
  }
  std::uint32_t e = rows.offset[layout.position[u.value()]];
  for (std::uint32_t q = adj.offset[u.value()]; q < pos; ++q)
    e += g.component_of(unit_index{adj.neighbor[q]}) != c ? 1 : 0;
  return e;
}

void to_kernel_entries(const service_graph& g, const service_graph::csr& adj, const kernel_layout& layout,
                       const kernel_rows& rows, std::span<const double> by_link, std::span<double> by_entry) noexcept {
  fill_kernel_weights(g, adj, layout, rows, [&](std::uint32_t pos) { return by_link[adj.link[pos].value()]; },
                      by_entry);
}

service_graph compile_model(const organization& org, organization* owned) {
  constexpr std::size_t max_count = std::numeric_limits<std::uint32_t>::max() - 1;
  if (org.units.size() > max_count || org.links.size() > max_count) {
    throw error(error_code::too_large,
                fmt::format("the model has {} units and {} links, but at most {} of each are supported",
                            org.units.size(), org.links.size(), max_count));
  }
  service_graph g;
  auto numbers = std::shared_ptr<model_numbers>(new model_numbers());
  auto& number_units = numbers->units_.edit();
  auto& number_links = numbers->links_.edit();
  auto& number_providers = numbers->provider_.edit();
  // The arrays filled from the units and links are made first and faulted in on a second
  // core, in the order they are filled, while the model is checked: fresh memory was most
  // of what compiling cost at 10⁶ units (benchmarks/RESULTS.md).
  detail::reserved_buffers buffers;
  detail::huge_reserve(g.names_, org.units.size(), buffers);
  detail::huge_reserve(number_units, org.units.size(), buffers);
  detail::huge_reserve(g.links_, org.links.size(), buffers);
  detail::huge_reserve(number_links, org.links.size(), buffers);
  detail::huge_reserve(number_providers, org.links.size(), buffers);
  const detail::background_prefault prefault(buffers);
  std::vector<diagnostic> problems;
  detail::resolved_model resolved = detail::check_model(org, problems);
  if (!problems.empty()) throw invalid_model_error(std::move(problems));

  g.name_ = org.name;
  g.time_unit_ = org.time_unit;
  g.currency_ = org.currency;
  const std::size_t n = org.units.size();
  numbers->flows_revision_ = detail::new_flows_revision();

  g.external_.resize(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto& u = org.units[i];
    g.names_.push_back(u.display_name());
    g.external_[i] = u.external ? 1 : 0;
    number_units.push_back(compile_unit(u));
  }
  g.directory_ = std::move(resolved.directory);
  // Freed as soon as read, so that the arrays made after the links reuse the memory (`org` is `*owned`).
  if (owned) std::vector<unit>().swap(owned->units);

  // Links; group labels are interned.
  std::vector<std::pair<std::string_view, std::int32_t>> groups;
  for (std::size_t j = 0; j < org.links.size(); ++j) {
    const auto& l = org.links[j];
    link_topology t;
    t.provider = unit_index{resolved.provider[j]};
    t.consumer = unit_index{resolved.consumer[j]};
    t.mode = l.mode;
    if (!l.group.empty()) {
      auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& e) { return e.first == l.group; });
      if (it == groups.end()) {
        groups.emplace_back(l.group, static_cast<std::int32_t>(g.group_names_.size()));
        g.group_names_.push_back(l.group);
        t.group = groups.back().second;
      } else {
        t.group = it->second;
      }
    }
    g.links_.push_back(t);
    link_parameters p;
    p.requests = l.requests;
    p.acceptance = l.acceptance;
    p.rejections = (1.0 - l.acceptance) / l.acceptance;
    p.priority = l.priority;
    p.service_time = l.service_time;
    if (p.service_time) *p.service_time /= number_units[t.provider.value()].speed;  // working hours
    p.service_scv = l.service_scv;
    if (p.service_time || p.service_scv) ++numbers->link_service_count_;
    number_links.push_back(p);
    number_providers.push_back(t.provider.value());
  }
  if (owned) std::vector<link>().swap(owned->links);  // the largest part of the model, no longer read

  g.out_ = build_csr(n, g.links_, /*by_provider=*/true);
  g.in_ = build_csr(n, g.links_, /*by_provider=*/false);
  g.reaches_customer_ = detail::reaches_customer(g);
  numbers->out_requests_.edit() = csr_weights(g.out_, number_links);
  numbers->in_requests_.edit() = csr_weights(g.in_, number_links);

  g.bgl_ = std::make_shared<detail::bgl_cache>();

  // Strongly connected components. Tarjan's algorithm (as in BGL) numbers a component
  // only after every component reachable from it, so a link goes from a higher number
  // to a lower or equal one; reversing the numbers gives a topological order.
  auto tarjan = detail::huge_vector<std::uint32_t>(n);
  const std::uint32_t k = n == 0 ? 0 : strong_components_of(g.out_, tarjan);
  detail::huge_resize(g.component_, n);
  detail::huge_assign(g.component_start_, std::size_t{k} + 1, std::uint32_t{0});
  for (std::uint32_t u = 0; u < n; ++u) {
    g.component_[u] = k - 1 - tarjan[u];
    ++g.component_start_[g.component_[u] + 1];
  }
  std::partial_sum(g.component_start_.begin(), g.component_start_.end(), g.component_start_.begin());
  detail::huge_resize(g.order_, n);
  detail::huge_resize(g.position_, n);
  {
    std::vector<std::uint32_t> next(g.component_start_.begin(), g.component_start_.end() - 1);
    for (std::uint32_t u = 0; u < n; ++u) {
      const std::uint32_t pos = next[g.component_[u]]++;
      g.order_[pos] = unit_index{u};
      g.position_[u] = pos;
    }
  }

  // Loop gains of every component with more than one unit.
  std::vector<divergent_loop> divergent;
  for (std::uint32_t c = 0; c < k; ++c) {
    const auto members = g.component_units(c);
    if (members.size() < 2) continue;
    service_loop loop;
    loop.units.assign(members.begin(), members.end());
    std::sort(loop.units.begin(), loop.units.end());
    loop.component = c;
    const double gain = detail::component_spectral_radius(g, c, numbers->out_requests_.get());
    if (detail::divergent_gain(gain)) divergent.push_back(detail::divergent_component(g, c, gain));
    numbers->loop_gains_.push_back(gain);
    g.loops_.push_back(std::move(loop));
  }
  if (!divergent.empty()) throw loop_gain_error(std::move(divergent));

  auto kernel = std::make_shared<detail::kernel_layout>();
  kernel_order(g, *kernel);
  kernel->out =
      servicechain::kernel_rows(g, *kernel, g.out_, numbers->out_requests_.get(), numbers->kernel_out_requests_.edit());
  kernel->in =
      servicechain::kernel_rows(g, *kernel, g.in_, numbers->in_requests_.get(), numbers->kernel_in_requests_.edit());
  g.kernel_ = std::move(kernel);
  g.numbers_ = std::move(numbers);
  return g;
}

}  // namespace detail

service_graph compile(const organization& org) { return detail::compile_model(org, nullptr); }

service_graph compile(organization&& org) { return detail::compile_model(org, &org); }

}  // namespace servicechain
