#include "servicechain/graph/model_numbers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>

#include "detail/component_system.hpp"
#include "detail/kernel_layout.hpp"
#include "detail/model_check.hpp"
#include "servicechain/error.hpp"

namespace servicechain {

namespace {

// Edits are validated by the model's own rules: the unit or link is rebuilt as a model
// value, edited, and checked by the same code as `validate()`, so the messages are the same.
unit as_model_unit(const service_graph& g, const model_numbers& n, unit_index u) {
  const unit_parameters& p = n.unit(u);
  unit m;
  m.id = g.id(u);
  m.external = g.is_external(u);
  // Working hours: the model's values, before the time-average rule (see compile_unit).
  m.servers = p.unlimited_servers ? server_count::unlimited()
              : p.schedule        ? server_count(1)
                                  : server_count(static_cast<std::int64_t>(p.servers));
  if (p.schedule) m.schedule = *p.schedule;
  if (!m.external) m.service_time = p.model_service_time;
  m.service_scv = p.service_scv;
  m.queue_discipline = p.queue_discipline;
  m.preemptive = p.preemptive;
  m.cost_per_time = p.cost_per_time;
  m.cost_per_request = p.cost_per_request;
  m.yield = p.yield;
  if (m.external) {
    if (p.open_class) m.demand = p.demand;
    else m.population = p.population;
    if (!p.open_class) m.think_time = p.think_time;
  }
  m.value_per_request = p.value_per_request;
  return m;
}

link as_model_link(const service_graph& g, const model_numbers& n, link_index l) {
  const link_parameters& p = n.link(l);
  link m;
  m.from = g.id(g.link(l).provider);
  m.to = g.id(g.link(l).consumer);
  m.requests = p.requests;
  m.acceptance = p.acceptance;
  m.priority = p.priority;
  m.service_time = p.service_time;
  if (m.service_time) *m.service_time *= n.unit(g.link(l).provider).speed;  // working hours
  m.service_scv = p.service_scv;
  return m;
}

void throw_if_problems(std::vector<diagnostic> problems) {
  if (!problems.empty()) throw invalid_model_error(std::move(problems));
}

void check_unit_edit(const unit& edited, unit_index u) {
  std::vector<diagnostic> problems;
  detail::unit_problems(edited, u.value(), problems);
  throw_if_problems(std::move(problems));
}

unit_parameters compiled(const unit& m, const unit_parameters& before) {
  unit_parameters p = before;
  p.unlimited_servers = m.servers.is_unlimited();
  p.servers = p.unlimited_servers ? 0.0 : static_cast<double>(m.servers.count());
  p.service_time = m.external ? 0.0 : m.service_time.value_or(0.0);
  p.model_service_time = p.service_time;
  if (p.schedule) {  // working hours: the time-average rule, as at compile time
    p.servers = std::ceil(p.schedule->time_average());
    p.service_time /= p.speed;
  }
  p.service_scv = m.service_scv;
  p.cost_per_time = m.cost_per_time;
  p.cost_per_request = m.cost_per_request;
  p.yield = m.yield;
  p.demand = m.demand.value_or(0.0);
  p.population = m.population.value_or(0);
  p.think_time = m.think_time.value_or(0.0);
  p.value_per_request = m.value_per_request;
  return p;
}

// Position of link `l` in the row of `row_unit` of `c`: O(degree), for edits only.
std::uint32_t csr_position(const service_graph::csr& c, unit_index row_unit, link_index l) {
  for (std::uint32_t pos = c.offset[row_unit.value()]; pos < c.offset[row_unit.value() + 1]; ++pos)
    if (c.link[pos] == l) return pos;
  return static_cast<std::uint32_t>(c.link.size());  // unreachable: every link is in both rows
}

}  // namespace

namespace detail {
// Process-wide, so that two copies of the same numbers edited apart never share an id.
std::uint64_t new_flows_revision() noexcept {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

std::span<const double> kernel_requests(const model_numbers& n, bool out) noexcept {
  return out ? n.kernel_out_requests_.get() : n.kernel_in_requests_.get();
}
}  // namespace detail

void model_numbers::set(const service_graph& g, unit_index u, unit_field field, double value) {
  servicechain::unit m = as_model_unit(g, *this, u);
  switch (field) {
    case unit_field::service_time:
      if (m.external) {
        throw_if_problems({{detail::unit_location(m, u.value()),
                            fmt::format("service_time = {}, but an external customer serves nothing", value)}});
      }
      m.service_time = value;
      break;
    case unit_field::service_scv: m.service_scv = value; break;
    case unit_field::cost_per_time: m.cost_per_time = value; break;
    case unit_field::cost_per_request: m.cost_per_request = value; break;
    case unit_field::yield: m.yield = value; break;
    case unit_field::demand:
      if (m.external && !m.demand) {
        throw_if_problems({{detail::unit_location(m, u.value()),
                            fmt::format("demand = {}, but this customer is a closed class (population {}); "
                                        "a class cannot change from closed to open without recompiling",
                                        value, *m.population)}});
      }
      m.demand = value;
      break;
    case unit_field::think_time: m.think_time = value; break;
    case unit_field::value_per_request: m.value_per_request = value; break;
  }
  check_unit_edit(m, u);
  units_.edit()[u.value()] = compiled(m, unit(u));
  if (field == unit_field::demand) flows_revision_ = detail::new_flows_revision();
}

void model_numbers::set_servers(const service_graph& g, unit_index u, server_count servers) {
  servicechain::unit m = as_model_unit(g, *this, u);
  if (m.schedule) {
    throw_if_problems({{detail::unit_location(m, u.value()),
                        fmt::format("servers = {}, but this unit has working hours (a schedule), which set its "
                                    "servers; change the schedule in the model and compile again",
                                    servers.is_unlimited() ? std::string("unlimited")
                                                           : std::to_string(servers.count()))}});
  }
  m.servers = servers;
  check_unit_edit(m, u);
  units_.edit()[u.value()] = compiled(m, unit(u));
}

void model_numbers::set_population(const service_graph& g, unit_index u, std::int64_t population) {
  servicechain::unit m = as_model_unit(g, *this, u);
  if (!m.population) {
    throw_if_problems({{detail::unit_location(m, u.value()),
                        fmt::format("population = {}, but this unit is not a closed class", population)}});
  }
  m.population = population;
  check_unit_edit(m, u);
  units_.edit()[u.value()] = compiled(m, unit(u));
}

void model_numbers::set_discipline(const service_graph& /*g*/, unit_index u, discipline d, bool preemptive) {
  auto& p = units_.edit()[u.value()];
  p.queue_discipline = d;
  p.preemptive = preemptive;
}

void model_numbers::set(const service_graph& g, link_index l, link_field field, double value) {
  servicechain::link m = as_model_link(g, *this, l);
  switch (field) {
    case link_field::requests: m.requests = value; break;
    case link_field::acceptance: m.acceptance = value; break;
    case link_field::service_time: m.service_time = value; break;
    case link_field::service_scv: m.service_scv = value; break;
  }
  std::vector<diagnostic> problems;
  detail::link_number_problems(m, l.value(), problems);
  throw_if_problems(std::move(problems));

  const link_topology& t = g.link(l);
  const std::uint32_t out_pos = csr_position(g.out_csr(), t.provider, l);
  const std::uint32_t in_pos = csr_position(g.in_csr(), t.consumer, l);
  double gain = 0;
  std::size_t loop = g.loops().size();
  if (field == link_field::requests && g.component_of(t.provider) == g.component_of(t.consumer)) {
    // Only the loop this link lies in can change its gain (acceptance never does: it
    // enters the right-hand sides, not the matrix R).
    const std::uint32_t c = g.component_of(t.provider);
    loop = static_cast<std::size_t>(
        std::find_if(g.loops().begin(), g.loops().end(), [&](const service_loop& s) { return s.component == c; }) -
        g.loops().begin());
    std::vector<double> trial = out_requests_.get();  // O(links) per edit of a loop's requests
    trial[out_pos] = value;
    gain = detail::component_spectral_radius(g, c, trial);
    if (detail::divergent_gain(gain)) throw loop_gain_error({detail::divergent_component(g, c, gain)});
  }

  link_parameters& p = links_.edit()[l.value()];
  const link_parameters old = p;
  p.requests = m.requests;
  p.acceptance = m.acceptance;
  p.rejections = (1.0 - m.acceptance) / m.acceptance;
  p.service_time = m.service_time;
  if (p.service_time) *p.service_time /= unit(t.provider).speed;  // working hours
  p.service_scv = m.service_scv;
  update_link_service_count(old, p);
  if (field == link_field::requests) {
    out_requests_.edit()[out_pos] = p.requests;
    in_requests_.edit()[in_pos] = p.requests;
    const auto& kernel = detail::kernel_layout_of(g);
    constexpr auto none = detail::kernel_rows::no_entry;
    if (const auto e = detail::kernel_entry(g, g.out_csr(), kernel, kernel.out, t.provider, out_pos); e != none)
      kernel_out_requests_.edit()[e] = p.requests;
    if (const auto e = detail::kernel_entry(g, g.in_csr(), kernel, kernel.in, t.consumer, in_pos); e != none)
      kernel_in_requests_.edit()[e] = p.requests;
  }
  if (loop < loop_gains_.size()) loop_gains_[loop] = gain;
  if (field == link_field::requests || field == link_field::acceptance) flows_revision_ = detail::new_flows_revision();
}

void model_numbers::clear_link_service(link_index l) {
  link_parameters& p = links_.edit()[l.value()];
  const link_parameters old = p;
  p.service_time.reset();
  p.service_scv.reset();
  update_link_service_count(old, p);
}

void model_numbers::set_priority(link_index l, std::int64_t priority) { links_.edit()[l.value()].priority = priority; }

void model_numbers::scale_demand(double factor) {
  if (!(std::isfinite(factor) && factor >= 0)) {
    throw error(error_code::invalid_argument,
                fmt::format("demand scale = {}, but must be a finite number >= 0", factor));
  }
  for (auto& p : units_.edit())
    if (p.open_class) p.demand *= factor;
  flows_revision_ = detail::new_flows_revision();
}

void model_numbers::update_link_service_count(const link_parameters& before, const link_parameters& after) noexcept {
  const bool had = before.service_time || before.service_scv;
  const bool has = after.service_time || after.service_scv;
  if (had && !has) --link_service_count_;
  if (!had && has) ++link_service_count_;
}

}  // namespace servicechain
