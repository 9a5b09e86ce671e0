#include "servicechain/analysis/knockout.hpp"

#include <fmt/format.h>

#include <cmath>

#include "detail/entry_lookup.hpp"
#include "detail/work.hpp"
#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/scenario.hpp"

namespace servicechain {

namespace {

// The unit's capacity divided by 1 / (1 − f): its own service time and its links' own.
void degrade(const service_graph& g, model_numbers& numbers, unit_index u, double loss) {
  const double factor = 1.0 / (1.0 - loss);
  numbers.set(g, u, unit_field::service_time, numbers.unit(u).service_time * factor);
  for (link_index l : g.out_links(u)) {
    if (numbers.link(l).service_time) numbers.set(g, l, link_field::service_time, *numbers.link(l).service_time * factor);
  }
}

}  // namespace

const unit_knockout& knockout_result::unit(std::string_view id) const {
  if (const unit_knockout* k = detail::find_unit_entry(units, directory->at(id))) return *k;
  throw error(error_code::unknown_id, fmt::format("unit '{}' is external: only internal units lose capacity", id));
}

knockout_result knockout(const service_graph& g, const model_numbers& numbers, const knockout_options& options) {
  if (options.capacity_loss && !(*options.capacity_loss > 0 && *options.capacity_loss < 1)) {
    throw error(error_code::invalid_argument,
                fmt::format("capacity loss = {}, but must be a fraction in (0, 1)", *options.capacity_loss));
  }
  const open_result base = analyze_open(g, numbers, options.open);  // unstable_error if the model is
  knockout_result out;
  out.directory = g.directory();
  out.capacity_loss = options.capacity_loss;
  for (const auto& c : base.customers) out.lead_time.push_back(c.lead_time);
  out.mean_lead_time = mean_lead_time(base);

  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const unit_index u{i};
    if (g.is_external(u)) continue;
    const unit_parameters& p = numbers.unit(u);
    unit_knockout k{.unit = u, .utilization_before = base.units[i].utilization};
    model_numbers edited = numbers;
    if (options.capacity_loss) {
      degrade(g, edited, u, *options.capacity_loss);
    } else if (p.unlimited_servers) {
      k.applicable = false;
    } else if (p.servers <= 1) {
      k.loses_all_servers = true;
    } else {
      edited.set_servers(g, u, server_count(static_cast<std::int64_t>(p.servers) - 1));
    }

    if (!k.applicable || (k.loses_all_servers && base.load.total_load[i] == 0)) {
      // Nothing changes: no server to lose, or a unit without load loses its only server.
      k.utilization_after = k.loses_all_servers ? 0.0 : k.utilization_before;
      k.lead_time = out.lead_time;
      k.lead_time_change.assign(out.lead_time.size(), 0.0);
    } else if (k.loses_all_servers) {
      k.unstable = true;
    } else {
      load_result load = base.load;  // a loss changes no flow; the busy-server time follows the service times
      detail::compute_work(g, edited, load);
      k.utilization_after = edited.unit(u).unlimited_servers ? 0.0 : load.total_work[i] / edited.unit(u).servers;
      k.saturated = saturated_units(g, edited, load);
      if (k.saturated.empty()) {
        try {
          const open_result after = analyze_open(g, edited, std::move(load), options.open);
          for (std::size_t c = 0; c < after.customers.size(); ++c) {
            k.lead_time.push_back(after.customers[c].lead_time);
            const double before = out.lead_time[c];
            k.lead_time_change.push_back(after.customers[c].lead_time == before ? 0.0
                                                                                : after.customers[c].lead_time - before);
          }
          const double mean_after = mean_lead_time(after);
          k.mean_lead_time_change = mean_after == out.mean_lead_time ? 0.0 : mean_after - out.mean_lead_time;
        } catch (const unstable_error& e) {  // a station model's own stability condition
          k.saturated = e.units();
        }
      }
      k.unstable = !k.saturated.empty();
    }
    if (k.unstable) out.unstable.push_back(u);
    out.units.push_back(std::move(k));
  }
  return out;
}

}  // namespace servicechain
