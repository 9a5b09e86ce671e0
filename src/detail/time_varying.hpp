#pragma once
// The warning of a time-varying model (working hours, demand profiles): the analyses use time
// averages (docs/semantics.md, "Working hours"). Shared by the open and closed reports.

#include <fmt/format.h>

#include <cstdint>
#include <string>

#include "servicechain/graph/model_numbers.hpp"

namespace servicechain::detail {

/// The warning naming every unit with working hours and every customer with a demand
/// profile; empty if there is none.
inline std::string time_varying_warning(const service_graph& g, const model_numbers& numbers) {
  std::string list;
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const auto& p = numbers.unit(unit_index{i});
    if (!p.schedule && !p.profile) continue;
    if (!list.empty()) list += ", ";
    list += g.id(unit_index{i});
  }
  if (list.empty()) return {};
  return fmt::format(
      "time-varying model ({}): the analysis uses time averages (working hours as ceil(c) servers at speed "
      "c/ceil(c), for c the time-average servers; demand profiles as their mean rate), an approximation that does "
      "not see the queues that build up while a unit is closed or demand peaks; simulate for those",
      list);
}

}  // namespace servicechain::detail
