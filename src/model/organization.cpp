#include "servicechain/model/organization.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "servicechain/error.hpp"

namespace servicechain {

namespace {
constexpr std::array<std::pair<std::string_view, discipline>, 5> discipline_names{{
    {"fifo", discipline::fifo},
    {"external_first", discipline::external_first},
    {"internal_first", discipline::internal_first},
    {"priority", discipline::priority},
    {"shared", discipline::shared},
}};
constexpr std::array<std::pair<std::string_view, link_mode>, 2> mode_names{{
    {"sync", link_mode::sync},
    {"async", link_mode::async},
}};
}  // namespace

double periodic_schedule::value_at(double t) const noexcept {
  if (!(period > 0)) return base;
  double offset = std::fmod(t, period);
  if (offset < 0) offset += period;
  for (const time_window& w : windows)
    if (w.from <= offset && offset < w.to) return w.value;
  return base;
}

double periodic_schedule::time_average() const noexcept {
  if (!(period > 0)) return base;
  double covered = 0, sum = 0;
  for (const time_window& w : windows) {
    covered += w.to - w.from;
    sum += w.value * (w.to - w.from);
  }
  return (base * (period - covered) + sum) / period;
}

std::string_view to_string(discipline d) noexcept {
  for (const auto& [name, value] : discipline_names)
    if (value == d) return name;
  return "fifo";
}

std::optional<discipline> parse_discipline(std::string_view name) noexcept {
  for (const auto& [n, value] : discipline_names)
    if (n == name) return value;
  return std::nullopt;
}

std::string_view to_string(link_mode m) noexcept { return m == link_mode::async ? "async" : "sync"; }

std::optional<link_mode> parse_link_mode(std::string_view name) noexcept {
  for (const auto& [n, value] : mode_names)
    if (n == name) return value;
  return std::nullopt;
}

unit& organization::add_unit(unit u) { return units.emplace_back(std::move(u)); }

link& organization::add_link(link l) { return links.emplace_back(std::move(l)); }

const unit* organization::find_unit(std::string_view id) const noexcept {
  auto it = std::find_if(units.begin(), units.end(), [&](const unit& u) { return u.id == id; });
  return it == units.end() ? nullptr : &*it;
}

unit* organization::find_unit(std::string_view id) noexcept {
  return const_cast<unit*>(std::as_const(*this).find_unit(id));
}

const unit& organization::unit_by_id(std::string_view id) const {
  if (const unit* u = find_unit(id)) return *u;
  throw error(error_code::unknown_id, "no unit with id '" + std::string(id) + "'");
}

}  // namespace servicechain
