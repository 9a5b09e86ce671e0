#include "servicechain/model/validate.hpp"

#include "detail/huge_pages.hpp"
#include "detail/message_text.hpp"
#include "detail/model_check.hpp"
#include "detail/spelling.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <optional>
#include <utility>
#include <vector>

namespace servicechain {

namespace {

// Above this many candidates a "did you mean" hint would cost O(n) per bad name, and a
// list that long rarely has a near miss worth showing; skip it.
constexpr std::size_t max_suggestion_candidates = 10000;

/// ` (did you mean 'x'?)` for the closest candidate if it is a plausible typo, else "".
template <typename Range, typename Project>
std::string suggestion(std::string_view wrong, const Range& candidates, Project project) {
  if (std::size(candidates) > max_suggestion_candidates) return {};
  const std::string_view best = detail::closest_spelling(wrong, candidates, project);
  return best.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", best);
}

class reporter {
 public:
  // The location is formatted only when a problem is found: validating a million valid
  // units must not format a million strings.
  reporter(std::vector<diagnostic>& out, const unit& u, std::size_t index) : out_(out), unit_(&u), index_(index) {}
  reporter(std::vector<diagnostic>& out, const link& l, std::size_t index) : out_(out), link_(&l), index_(index) {}

  void add(std::string message) {
    out_.push_back({unit_ ? detail::unit_location(*unit_, index_) : detail::link_location(*link_, index_),
                    std::move(message)});
  }

/// Costs, rates, counts of requests and SCVs: zero is meaningful, negative is not.
  void non_negative(std::string_view field, double value) {
    if (!std::isfinite(value) || value < 0)
      add(fmt::format("{} = {}, but must be a finite number >= 0", field, value));
    else
      in_range(field, value);
  }

  /// Probabilities that divide (acceptance: e = (1 − a)/a) or enter a log (yield): 0 is excluded.
  void probability(std::string_view field, double value) {
    if (!(value > 0 && value <= 1))
      add(fmt::format("{} = {}, but must be in (0, 1]", field, value));
    else
      in_range(field, value);
  }

  /// Magnitudes that double precision carries through the formulas: products and ratios of
  /// two values (λ·s, 1/λ, (1 − a)/a, shares) stay far from overflow and underflow when
  /// every nonzero value lies in [1e-150, 1e150]. A demand of 5e-324 or a cost of 1e308
  /// would otherwise give infinities and NaN in results.
  void in_range(std::string_view field, double value) {
    if (value != 0 && !(std::abs(value) >= min_magnitude && std::abs(value) <= max_magnitude))
      add(fmt::format("{} = {}, but a nonzero value must lie between {} and {} in magnitude (beyond, the "
                      "formulas overflow double precision)",
                      field, value, min_magnitude, max_magnitude));
  }

  static constexpr double min_magnitude = 1e-150;
  static constexpr double max_magnitude = 1e150;

 private:
  std::vector<diagnostic>& out_;
  const unit* unit_ = nullptr;
  const link* link_ = nullptr;
  std::size_t index_;
};

/// JSON names of a periodic function's parts: a unit's schedule or a customer's profile.
struct periodic_names {
  std::string_view field, base, windows, value;
  bool whole;  // values must be whole numbers (servers)
};
constexpr periodic_names schedule_names{"schedule", "default_servers", "shifts", "servers", true};
constexpr periodic_names profile_names{"profile", "default_weight", "windows", "weight", false};

/// Period > 0; values finite, ≥ 0 (and whole for servers); windows inside the period and not
/// overlapping; a positive time average (a schedule with no capacity, or a profile with no
/// demand, at any time, would make the mean rate meaningless).
void check_periodic(const periodic_schedule& f, const periodic_names& names, reporter& report) {
  auto check_value = [&](std::string_view what, double v) {
    if (!std::isfinite(v) || v < 0 || (names.whole && v != std::floor(v)))
      report.add(fmt::format("{}.{} = {}, but must be a {} >= 0", names.field, what, v,
                             names.whole ? "whole number" : "finite number"));
  };
  const bool period_ok = std::isfinite(f.period) && f.period > 0;
  if (!period_ok)
    report.add(fmt::format("{}.period = {}, but must be a finite number > 0 (time units)", names.field, f.period));
  check_value(names.base, f.base);
  bool windows_ok = true;
  for (std::size_t k = 0; k < f.windows.size(); ++k) {
    const time_window& w = f.windows[k];
    const std::string where = fmt::format("{}.{}[{}]", names.field, names.windows, k);
    if (!(std::isfinite(w.from) && std::isfinite(w.to) && 0 <= w.from && w.from < w.to &&
          (!period_ok || w.to <= f.period))) {
      windows_ok = false;
      report.add(fmt::format("{}: from = {}, to = {}, but must satisfy 0 <= from < to <= period ({})", where, w.from,
                             w.to, f.period));
    }
    check_value(fmt::format("{}[{}].{}", names.windows, k, names.value), w.value);
  }
  if (!windows_ok || !period_ok) return;
  std::vector<std::size_t> order(f.windows.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return f.windows[a].from < f.windows[b].from; });
  bool overlap = false;
  for (std::size_t k = 1; k < order.size(); ++k) {
    const time_window& a = f.windows[order[k - 1]];
    const time_window& b = f.windows[order[k]];
    if (b.from < a.to) {
      overlap = true;
      report.add(fmt::format("{0}.{1}[{2}] [{3}, {4}) and {0}.{1}[{5}] [{6}, {7}) overlap, but windows must not",
                             names.field, names.windows, order[k - 1], a.from, a.to, order[k], b.from, b.to));
    }
  }
  if (!overlap && !(f.time_average() > 0)) {
    report.add(fmt::format("{} has a time-average {} of 0, but must have {} > 0 some of the time", names.field,
                           names.value, names.value));
  }
}

void check_unit(const unit& u, reporter& report) {
  if (!u.servers.is_unlimited() && u.servers.count() < 1)
    report.add(fmt::format("servers = {}, but must be a positive integer or \"unlimited\"", u.servers.count()));

  if (u.service_time) {
    if (!u.external && !(std::isfinite(*u.service_time) && *u.service_time > 0))
      report.add(fmt::format("service_time = {}, but must be a finite number > 0", *u.service_time));
    else if (!u.external)
      report.in_range("service_time", *u.service_time);
    else if (u.external)
      report.non_negative("service_time", *u.service_time);  // ignored for a customer, but still a number
  } else if (!u.external) {
    report.add("service_time is missing, but an internal unit needs one (the mean time one request occupies one server)");
  }
  report.non_negative("service_scv", u.service_scv);
  report.non_negative("cost_per_time", u.cost_per_time);
  report.non_negative("cost_per_request", u.cost_per_request);
  report.probability("yield", u.yield);

  if (u.external) {
    if (u.demand && u.population) {
      report.add(fmt::format(
          "demand = {} and population = {} are both set, but an external customer is either an open class "
          "(demand) or a closed class (population, think_time)",
          *u.demand, *u.population));
    } else if (!u.demand && !u.population) {
      report.add(
          "neither demand nor population is set, but an external customer needs one: demand (requests per time "
          "unit, an open class) or population (a closed class)");
    }
    if (u.demand) report.non_negative("demand", *u.demand);
    if (u.population && *u.population < 1)
      report.add(fmt::format("population = {}, but must be an integer >= 1", *u.population));
    if (u.think_time) {
      if (!u.population)
        report.add(fmt::format("think_time = {} is set without population, but think time belongs to a closed class",
                               *u.think_time));
      report.non_negative("think_time", *u.think_time);
    }
    report.non_negative("value_per_request", u.value_per_request);
    if (u.schedule)
      report.add("schedule is set, but an external customer has no working hours (a profile shapes its demand)");
    if (u.profile) {
      if (!u.demand)
        report.add("profile is set, but only an open class (with demand) has a demand profile");
      check_periodic(*u.profile, profile_names, report);
    }
    return;
  }

  // An internal unit's work is driven by its consumers; a demand of its own would be a
  // class with no customer to report it for.
  constexpr std::string_view only_external = "but only an external customer (external = true) has";
  if (u.demand) report.add(fmt::format("demand = {}, {} demand", *u.demand, only_external));
  if (u.population) report.add(fmt::format("population = {}, {} a population", *u.population, only_external));
  if (u.think_time) report.add(fmt::format("think_time = {}, {} a think time", *u.think_time, only_external));
  if (u.value_per_request != 0)
    report.add(fmt::format("value_per_request = {}, {} a value per request", u.value_per_request, only_external));
  if (u.profile) report.add(fmt::format("profile is set, {} a demand profile", only_external));
  if (u.schedule) {
    if (u.servers.is_unlimited() || u.servers.count() != 1)
      report.add(fmt::format("servers = {} and a schedule are both set, but the schedule sets the servers (leave "
                             "servers out)",
                             u.servers.is_unlimited() ? std::string("\"unlimited\"") : std::to_string(u.servers.count())));
    if (u.queue_discipline == discipline::shared)
      report.add("schedule is set with discipline \"shared\", but working hours are not supported with processor "
                 "sharing");
    if (u.preemptive) report.add("schedule is set with preemptive = true, but working hours are not supported with preemption");
    check_periodic(*u.schedule, schedule_names, report);
  }
}

void check_ratings(const need_ratings& ratings, reporter& report) {
  std::vector<std::string_view> seen;
  for (const auto& [need, score] : ratings) {
    const bool known = std::find(std::begin(need_names), std::end(need_names), need) != std::end(need_names);
    if (!known) {
      report.add(fmt::format(
          "ratings has unknown need '{}'{}, but the needs are informed, in_control, choices, friendly, "
          "knowledgeable, attentive",
          need, suggestion(need, need_names, [](std::string_view n) { return n; })));
    } else if (std::find(seen.begin(), seen.end(), need) != seen.end()) {
      report.add(fmt::format("ratings rates '{}' twice, but each need may be rated once", need));
    } else {
      seen.emplace_back(need);
    }
    if (!(score >= 1 && score <= 5))
      report.add(fmt::format("ratings.{} = {}, but must be a score between 1 and 5", need, score));
  }
}

/// The numbers of a link (its ends are checked apart).
void check_link_numbers(const link& l, reporter& report) {
  // requests = 0 is a link that carries nothing (e.g. a scenario that switches it off).
  report.non_negative("requests", l.requests);
  report.probability("acceptance", l.acceptance);
  if (l.service_time && !(std::isfinite(*l.service_time) && *l.service_time > 0))
    report.add(fmt::format("service_time = {}, but must be a finite number > 0 (the provider's mean time for this consumer)",
                           *l.service_time));
  else if (l.service_time)
    report.in_range("service_time", *l.service_time);
  if (l.service_scv) report.non_negative("service_scv", *l.service_scv);
  check_ratings(l.ratings, report);
}

/// Reports an empty or unknown endpoint, already looked up as `found`.
std::optional<std::uint32_t> check_endpoint(const organization& org, std::optional<unit_index> found,
                                            std::string_view field, const std::string& id, std::string_view role,
                                            reporter& report) {
  if (id.empty()) {
    report.add(fmt::format("{} is empty, but must be the id of the {} unit", field, role));
    return std::nullopt;
  }
  if (found) return found->value();
  report.add(fmt::format("{} = '{}', but there is no unit with this id{}", field, id,
                         suggestion(id, org.units, [](const unit& u) -> std::string_view { return u.id; })));
  return std::nullopt;
}

void check_link(const organization& org, detail::resolved_model& resolved, const link& l, std::size_t j,
                std::optional<unit_index> found_from, std::optional<unit_index> found_to, bool from_external,
                reporter& report) {
  const auto from = check_endpoint(org, found_from, "from", l.from, "providing", report);
  const auto to = check_endpoint(org, found_to, "to", l.to, "consuming", report);
  if (!l.from.empty() && l.from == l.to)
    report.add(fmt::format("from = to = '{}', but a unit cannot be its own provider", l.from));
  if (from && from_external) {
    report.add(fmt::format(
        "from = '{}' is an external customer, but an external customer never provides (a link points from "
        "provider to consumer)",
        l.from));
  }
  resolved.provider[j] = from.value_or(0);
  resolved.consumer[j] = to.value_or(0);
  check_link_numbers(l, report);
}

}  // namespace

namespace detail {

std::string unit_location(const unit& u, std::size_t index) {
  return u.id.empty() ? fmt::format("unit #{} (/units/{})", index, index)
                      : fmt::format("unit '{}' (/units/{})", elided(u.id), index);
}

void unit_problems(const unit& u, std::size_t index, std::vector<diagnostic>& out) {
  reporter report(out, u, index);
  check_unit(u, report);
}

void link_number_problems(const link& l, std::size_t index, std::vector<diagnostic>& out) {
  reporter report(out, l, index);
  check_link_numbers(l, report);
}

std::string link_location(const link& l, std::size_t index) {
  return l.from.empty() && l.to.empty() ? fmt::format("link #{} (/links/{})", index, index)
                                        : fmt::format("link '{}' -> '{}' (/links/{})", elided(l.from), elided(l.to), index);
}

resolved_model check_model(const organization& org, std::vector<diagnostic>& out) {
  resolved_model resolved;
  {
    std::vector<std::string> ids;
    std::vector<bool> external;
    detail::huge_reserve(ids, org.units.size());
    external.reserve(org.units.size());
    for (const unit& u : org.units) {
      ids.push_back(u.id);
      external.push_back(u.external);
    }
    // A duplicated id resolves to its first unit: the duplicate itself is reported below.
    resolved.directory = std::make_shared<const unit_directory>(std::move(ids), external);
  }
  // Ids are looked up in blocks (unit_directory::find_many overlaps the cache misses):
  // look_up fills `found` for the ids that `gather` pushes onto `ids`.
  constexpr std::size_t block = 4096;
  std::vector<std::string_view> ids;
  std::vector<std::optional<unit_index>> found;
  auto look_up = [&](auto gather) {
    ids.clear();
    gather();
    found.resize(ids.size());
    resolved.directory->find_many(ids, found);
  };
  for (std::size_t begin = 0; begin < org.units.size(); begin += block) {
    const std::size_t end = std::min(org.units.size(), begin + block);
    look_up([&] {
      for (std::size_t i = begin; i < end; ++i) ids.push_back(org.units[i].id);
    });
    for (std::size_t i = begin; i < end; ++i) {
      const unit& u = org.units[i];
      reporter report(out, u, i);
      if (u.id.empty()) {
        report.add("id is empty, but must be a non-empty string");
      } else if (const auto first = found[i - begin]->value(); first != i) {
        report.add(
            fmt::format("id '{}' is already used by unit #{} (/units/{}), but ids must be unique", u.id, first, first));
      }
      check_unit(u, report);
    }
  }
  detail::huge_resize(resolved.provider, org.links.size());
  detail::huge_resize(resolved.consumer, org.links.size());
  std::vector<char> from_external;
  for (std::size_t begin = 0; begin < org.links.size(); begin += block) {
    const std::size_t end = std::min(org.links.size(), begin + block);
    look_up([&] {
      for (std::size_t j = begin; j < end; ++j) {
        ids.push_back(org.links[j].from);
        ids.push_back(org.links[j].to);
      }
    });
    // Whether each provider is external, from the directory's compact class table rather
    // than org.units (296 bytes a unit), in a loop of independent loads whose cache misses
    // overlap: read one by one inside check_link, this was most of validation at 10⁶ units.
    from_external.resize(end - begin);
    for (std::size_t k = 0; k < end - begin; ++k) {
      const auto from = found[2 * k];
      from_external[k] = from && resolved.directory->class_of(*from) ? 1 : 0;
    }
    for (std::size_t j = begin; j < end; ++j) {
      reporter report(out, org.links[j], j);
      check_link(org, resolved, org.links[j], j, found[2 * (j - begin)], found[2 * (j - begin) + 1],
                 from_external[j - begin] != 0, report);
    }
  }
  return resolved;
}

}  // namespace detail

std::vector<diagnostic> validate(const organization& org) {
  std::vector<diagnostic> out;
  (void)detail::check_model(org, out);
  return out;
}

void require_valid(const organization& org) {
  auto diagnostics = validate(org);
  if (!diagnostics.empty()) throw invalid_model_error(std::move(diagnostics));
}

}  // namespace servicechain
