#include "servicechain/analysis/parameters.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "detail/spelling.hpp"
#include "servicechain/error.hpp"

namespace servicechain {

namespace {

using field_entry = std::pair<std::string_view, parameter_field>;

constexpr std::array unit_fields{
    field_entry{"service_time", parameter_field::service_time},
    field_entry{"service_scv", parameter_field::service_scv},
    field_entry{"servers", parameter_field::servers},
    field_entry{"cost_per_time", parameter_field::cost_per_time},
    field_entry{"cost_per_request", parameter_field::cost_per_request},
    field_entry{"yield", parameter_field::yield},
};
constexpr std::array customer_fields{
    field_entry{"demand", parameter_field::demand},
    field_entry{"population", parameter_field::population},
    field_entry{"think_time", parameter_field::think_time},
    field_entry{"value_per_request", parameter_field::value_per_request},
};
constexpr std::array link_fields{
    field_entry{"requests", parameter_field::requests},
    field_entry{"acceptance", parameter_field::acceptance},
    field_entry{"service_time", parameter_field::link_service_time},
    field_entry{"service_scv", parameter_field::link_service_scv},
};

template <std::size_t N>
std::string field_list(const std::array<field_entry, N>& fields) {
  std::string text;
  for (const auto& [name, field] : fields) {
    if (!text.empty()) text += ", ";
    text += name;
  }
  return text;
}

[[noreturn]] void bad_path(std::string_view path, const std::string& what, const char* code = error_code::invalid_argument) {
  throw error(code, fmt::format("parameter '{}': {}", path, what));
}

template <std::size_t N>
parameter_field find_field(std::string_view path, std::string_view name, const std::array<field_entry, N>& fields,
                           std::string_view kind) {
  for (const auto& [candidate, field] : fields)
    if (candidate == name) return field;
  std::string hint;
  const std::string_view near = detail::closest_spelling(name, fields, [](const field_entry& e) { return e.first; });
  if (!near.empty()) hint = fmt::format(" (did you mean '{}'?)", near);
  // A customer field under units/ or a unit field under customers/: say where it belongs.
  if (hint.empty() && kind == "unit") {
    for (const auto& [candidate, field] : customer_fields)
      if (candidate == name) hint = fmt::format(" ('{}' is a customer's: customers/<id>/{})", name, name);
  }
  if (hint.empty() && kind == "customer") {
    for (const auto& [candidate, field] : unit_fields)
      if (candidate == name) hint = fmt::format(" ('{}' is a unit's: units/<id>/{})", name, name);
  }
  bad_path(path, fmt::format("unknown field '{}' of a {}{}; the fields are {}", name, kind, hint, field_list(fields)));
}

unit_index find_unit(const service_graph& g, std::string_view path, std::string_view id) {
  if (const auto u = g.directory()->find(id)) return *u;
  std::string hint;
  const std::string_view near =
      detail::closest_spelling(id, g.directory()->ids(), [](const std::string& s) { return std::string_view(s); });
  if (!near.empty()) hint = fmt::format(" (did you mean '{}'?)", near);
  bad_path(path, fmt::format("no unit with id '{}'{}", id, hint), error_code::unknown_id);
}

// The link provider -> consumer, if there is one.
std::optional<link_index> find_link(const service_graph& g, unit_index provider, unit_index consumer) {
  for (link_index l : g.out_links(provider))
    if (g.link(l).consumer == consumer) return l;
  return std::nullopt;
}

parameter parse_link_path(const service_graph& g, std::string_view path, std::string_view ends,
                          std::string_view field_name) {
  // `ends` is `<from>/<to>`; ids may hold '/', so try every split into two existing ids.
  std::optional<std::pair<unit_index, unit_index>> units;
  for (std::size_t slash = ends.find('/'); slash != std::string_view::npos; slash = ends.find('/', slash + 1)) {
    const auto from = g.directory()->find(ends.substr(0, slash));
    const auto to = g.directory()->find(ends.substr(slash + 1));
    if (!from || !to) continue;
    units = {*from, *to};
    if (find_link(g, *from, *to)) break;
  }
  if (!units) {
    const std::size_t slash = ends.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == ends.size())
      bad_path(path, "a link path is links/<from>/<to>/<field>");
    (void)find_unit(g, path, ends.substr(0, slash));  // names the unknown id
    (void)find_unit(g, path, ends.substr(slash + 1));
    bad_path(path, "a link path is links/<from>/<to>/<field>");  // unreachable in practice
  }
  const auto [from, to] = *units;
  const auto l = find_link(g, from, to);
  if (!l) {
    const std::string reverse =
        find_link(g, to, from) ? fmt::format(" (there is one from '{}' to '{}')", g.id(to), g.id(from)) : "";
    bad_path(path, fmt::format("no link from '{}' to '{}'{}", g.id(from), g.id(to), reverse), error_code::unknown_id);
  }
  return parameter{.field = find_field(path, field_name, link_fields, "link"), .link = *l};
}

// The message of an error without its "[code] " prefix, to be wrapped in another.
std::string_view bare_message(const error& e) {
  std::string_view what = e.what();
  const std::string prefix = fmt::format("[{}] ", e.code());
  if (what.starts_with(prefix)) what.remove_prefix(prefix.size());
  return what;
}

std::string format_value(double value) {
  return std::isinf(value) && value > 0 ? std::string("unlimited") : fmt::format("{}", value);
}

// An integer count from a double, or nullopt if it is not a whole number ≥ 1.
std::optional<std::int64_t> whole_count(double value) {
  if (!(value >= 1 && value <= 1e15 && std::floor(value) == value)) return std::nullopt;
  return static_cast<std::int64_t>(value);
}

}  // namespace

std::string_view parameter_field_name(parameter_field field) noexcept {
  switch (field) {
    case parameter_field::service_time: return "service_time";
    case parameter_field::service_scv: return "service_scv";
    case parameter_field::servers: return "servers";
    case parameter_field::cost_per_time: return "cost_per_time";
    case parameter_field::cost_per_request: return "cost_per_request";
    case parameter_field::yield: return "yield";
    case parameter_field::demand: return "demand";
    case parameter_field::population: return "population";
    case parameter_field::think_time: return "think_time";
    case parameter_field::value_per_request: return "value_per_request";
    case parameter_field::requests: return "requests";
    case parameter_field::acceptance: return "acceptance";
    case parameter_field::link_service_time: return "service_time";
    case parameter_field::link_service_scv: return "service_scv";
  }
  return "?";
}

parameter parse_parameter(const service_graph& g, std::string_view path) {
  const std::size_t root_end = path.find('/');
  const std::size_t field_start = path.rfind('/');
  const std::string_view root = path.substr(0, root_end);
  if (root_end == std::string_view::npos || field_start == root_end) {
    bad_path(path, "a parameter path is units/<id>/<field>, links/<from>/<to>/<field> or customers/<id>/<field>");
  }
  const std::string_view middle = path.substr(root_end + 1, field_start - root_end - 1);
  const std::string_view field_name = path.substr(field_start + 1);
  if (middle.empty()) bad_path(path, "the id is empty");
  if (root == "units") {
    const unit_index u = find_unit(g, path, middle);
    return parameter{.field = find_field(path, field_name, unit_fields, "unit"), .unit = u};
  }
  if (root == "customers") {
    const unit_index u = find_unit(g, path, middle);
    const parameter_field field = find_field(path, field_name, customer_fields, "customer");
    if (!g.is_external(u)) {
      bad_path(path, fmt::format("'{}' is an internal unit, not an external customer", middle));
    }
    return parameter{.field = field, .unit = u};
  }
  if (root == "links") return parse_link_path(g, path, middle, field_name);
  bad_path(path, fmt::format("unknown root '{}': a parameter path starts with units/, links/ or customers/", root));
}

std::string parameter_path(const service_graph& g, const parameter& p) {
  const std::string_view name = parameter_field_name(p.field);
  if (p.on_link()) {
    const link_topology& t = g.link(p.link);
    return fmt::format("links/{}/{}/{}", g.id(t.provider), g.id(t.consumer), name);
  }
  const bool customer = p.field == parameter_field::demand || p.field == parameter_field::population ||
                        p.field == parameter_field::think_time || p.field == parameter_field::value_per_request;
  return fmt::format("{}/{}/{}", customer ? "customers" : "units", g.id(p.unit), name);
}

double parameter_value(const service_graph& /*g*/, const model_numbers& numbers, const parameter& p) {
  switch (p.field) {
    case parameter_field::service_time: return numbers.unit(p.unit).service_time;
    case parameter_field::service_scv: return numbers.unit(p.unit).service_scv;
    case parameter_field::servers:
      return numbers.unit(p.unit).unlimited_servers ? std::numeric_limits<double>::infinity()
                                                    : numbers.unit(p.unit).servers;
    case parameter_field::cost_per_time: return numbers.unit(p.unit).cost_per_time;
    case parameter_field::cost_per_request: return numbers.unit(p.unit).cost_per_request;
    case parameter_field::yield: return numbers.unit(p.unit).yield;
    case parameter_field::demand: return numbers.unit(p.unit).demand;
    case parameter_field::population: return static_cast<double>(numbers.unit(p.unit).population);
    case parameter_field::think_time: return numbers.unit(p.unit).think_time;
    case parameter_field::value_per_request: return numbers.unit(p.unit).value_per_request;
    case parameter_field::requests: return numbers.link(p.link).requests;
    case parameter_field::acceptance: return numbers.link(p.link).acceptance;
    case parameter_field::link_service_time: return numbers.service_time(p.link);
    case parameter_field::link_service_scv: return numbers.service_scv(p.link);
  }
  return 0;
}

void set_parameter(const service_graph& g, model_numbers& numbers, const parameter& p, double value) {
  const auto fail = [&](std::string_view code, std::string_view what) {
    throw error(std::string(code), fmt::format("parameter '{}' = {}: {}", parameter_path(g, p), format_value(value), what));
  };
  const bool count_field = p.field == parameter_field::servers || p.field == parameter_field::population;
  const bool unlimited = p.field == parameter_field::servers && std::isinf(value) && value > 0;
  if (!std::isfinite(value) && !unlimited) fail(error_code::invalid_argument, "not a finite number");
  std::optional<std::int64_t> count;
  if (count_field && !unlimited) {
    count = whole_count(value);
    if (!count) fail(error_code::invalid_argument, "must be a whole number >= 1");
  }
  try {
    switch (p.field) {
      case parameter_field::service_time: numbers.set(g, p.unit, unit_field::service_time, value); break;
      case parameter_field::service_scv: numbers.set(g, p.unit, unit_field::service_scv, value); break;
      case parameter_field::servers:
        numbers.set_servers(g, p.unit, unlimited ? server_count::unlimited() : server_count(*count));
        break;
      case parameter_field::cost_per_time: numbers.set(g, p.unit, unit_field::cost_per_time, value); break;
      case parameter_field::cost_per_request: numbers.set(g, p.unit, unit_field::cost_per_request, value); break;
      case parameter_field::yield: numbers.set(g, p.unit, unit_field::yield, value); break;
      case parameter_field::demand: numbers.set(g, p.unit, unit_field::demand, value); break;
      case parameter_field::population: numbers.set_population(g, p.unit, *count); break;
      case parameter_field::think_time: numbers.set(g, p.unit, unit_field::think_time, value); break;
      case parameter_field::value_per_request: numbers.set(g, p.unit, unit_field::value_per_request, value); break;
      case parameter_field::requests: numbers.set(g, p.link, link_field::requests, value); break;
      case parameter_field::acceptance: numbers.set(g, p.link, link_field::acceptance, value); break;
      case parameter_field::link_service_time: numbers.set(g, p.link, link_field::service_time, value); break;
      case parameter_field::link_service_scv: numbers.set(g, p.link, link_field::service_scv, value); break;
    }
  } catch (const invalid_model_error& e) {
    std::string what;
    for (const auto& d : e.diagnostics()) what += (what.empty() ? "" : "; ") + d.to_string();
    fail(e.code(), what);
  } catch (const error& e) {
    fail(e.code(), bare_message(e));
  }
}

double parse_parameter_value(const service_graph& g, const parameter& p, std::string_view text) {
  if (p.field == parameter_field::servers && text == "unlimited") return std::numeric_limits<double>::infinity();
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
    throw error(error_code::invalid_argument,
                fmt::format("parameter '{}': value '{}' is not a finite number{}", parameter_path(g, p), text,
                            p.field == parameter_field::servers ? " or 'unlimited'" : ""));
  }
  return value;
}

parameter_edit parse_parameter_edit(const service_graph& g, std::string_view text) {
  const std::size_t equals = text.rfind('=');
  if (equals == std::string_view::npos) {
    throw error(error_code::invalid_argument,
                fmt::format("'{}': an edit is PATH=VALUE, e.g. units/<id>/service_time=0.5", text));
  }
  const parameter p = parse_parameter(g, text.substr(0, equals));
  return parameter_edit{.target = p, .value = parse_parameter_value(g, p, text.substr(equals + 1))};
}

model_numbers apply_edits(const service_graph& g, const model_numbers& base, const std::vector<parameter_edit>& edits) {
  model_numbers numbers = base;
  for (const auto& e : edits) set_parameter(g, numbers, e.target, e.value);
  return numbers;
}

}  // namespace servicechain
