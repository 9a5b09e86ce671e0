#include "servicechain/io/improvement_report.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "servicechain/error.hpp"
#include "servicechain/io/table.hpp"

namespace servicechain {

namespace {

using json = nlohmann::ordered_json;

// ---------------------------------------------------------------- programme file

std::string escape_pointer_token(std::string_view token) {
  std::string out;
  for (char ch : token) {
    if (ch == '~') {
      out += "~0";
    } else if (ch == '/') {
      out += "~1";
    } else {
      out += ch;
    }
  }
  return out;
}

class programme_reader {
 public:
  programme_reader(const service_graph& g, std::string_view source) : g_(g), source_(source) {}

  [[noreturn]] void fail(const std::string& pointer, const std::string& message) const {
    throw parse_error(source_, pointer, 0, 0, message);
  }

  static const json* member(const json& object, const char* key) {
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
  }

  void check_keys(const json& object, const std::string& pointer, std::initializer_list<std::string_view> allowed,
                  std::string_view what) const {
    for (const auto& [key, value] : object.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string list;
      for (auto a : allowed) list += fmt::format("{}{}", list.empty() ? "" : ", ", a);
      fail(fmt::format("{}/{}", pointer, escape_pointer_token(key)),
           fmt::format("unknown key '{}' in {}; the keys are {}", key, what, list));
    }
  }

  double number(const json& value, const std::string& pointer, std::string_view what) const {
    if (!value.is_number()) fail(pointer, fmt::format("{} = {}, but must be a number", what, value.dump()));
    return value.get<double>();
  }

  programme_file read(const json& root) {
    if (!root.is_object()) fail("", "a programme must be a JSON object with 'kpi' and 'players'");
    check_keys(root, "", {"kpi", "customer", "variability", "sampling", "players", "description"}, "the programme");
    programme_file out;
    auto& p = out.programme;
    const json* kpi = member(root, "kpi");
    if (kpi == nullptr) fail("", "missing key 'kpi': one of throughput, lead_time, mean_lead_time, cost, defect_free");
    const auto parsed = kpi->is_string() ? parse_programme_kpi(kpi->get<std::string>()) : std::nullopt;
    if (!parsed) {
      fail("/kpi", fmt::format("kpi = {}, but must be throughput, lead_time, mean_lead_time, cost or defect_free",
                               kpi->dump()));
    }
    p.kpi = *parsed;
    if (const json* c = member(root, "customer")) {
      if (!c->is_string()) fail("/customer", fmt::format("customer = {}, but must be a customer's id", c->dump()));
      const auto u = g_.directory()->find(c->get<std::string>());
      if (!u || !g_.class_of(*u)) {
        std::string ids;
        for (unit_index cu : g_.customers()) ids += fmt::format("{}'{}'", ids.empty() ? "" : ", ", g_.id(cu));
        fail("/customer", fmt::format("customer = '{}', but the model's customers are {}", c->get<std::string>(), ids));
      }
      p.customer = *u;
    }
    if (const json* v = member(root, "variability")) {
      if (*v == "poisson") {
        p.analysis.variability = arrival_variability::poisson;
      } else if (*v == "propagate") {
        p.analysis.variability = arrival_variability::propagate;
      } else {
        fail("/variability", fmt::format("variability = {}, but must be poisson or propagate", v->dump()));
      }
    }
    if (const json* s = member(root, "sampling")) read_sampling(*s, out.sampling);
    const json* players = member(root, "players");
    if (players == nullptr || !players->is_array() || players->empty())
      fail("/players", "missing or empty 'players': an array of {\"name\", \"set\"} objects");
    for (std::size_t k = 0; k < players->size(); ++k) p.players.push_back(read_player((*players)[k], k));
    return out;
  }

 private:
  void read_sampling(const json& s, shapley_options& o) const {
    if (!s.is_object()) fail("/sampling", "sampling must be an object");
    check_keys(s, "/sampling", {"seed", "standard_error", "min_pairs", "max_pairs", "exact_limit"}, "sampling");
    auto count = [&](const char* key, std::size_t low, std::size_t high) -> std::optional<std::size_t> {
      const json* v = member(s, key);
      if (v == nullptr) return std::nullopt;
      if (!v->is_number_unsigned() || v->get<std::size_t>() < low || v->get<std::size_t>() > high) {
        fail(fmt::format("/sampling/{}", key),
             fmt::format("{} = {}, but must be a whole number from {} to {}", key, v->dump(), low, high));
      }
      return v->get<std::size_t>();
    };
    if (auto v = count("seed", 0, std::numeric_limits<std::size_t>::max())) o.seed = *v;
    if (auto v = count("min_pairs", 2, 100000000)) o.min_pairs = *v;
    if (auto v = count("max_pairs", 2, 100000000)) o.max_pairs = *v;
    if (auto v = count("exact_limit", 0, 24)) o.exact_limit = *v;
    if (const json* v = member(s, "standard_error")) {
      const double se = number(*v, "/sampling/standard_error", "standard_error");
      if (!(se >= 0) || !std::isfinite(se))
        fail("/sampling/standard_error", fmt::format("standard_error = {}, but must be ≥ 0", se));
      o.target_standard_error = se;
    }
  }

  programme_player read_player(const json& value, std::size_t k) const {
    const std::string pointer = fmt::format("/players/{}", k);
    if (!value.is_object()) fail(pointer, "a player must be an object with 'name' and 'set' (or 'scale', 'add')");
    check_keys(value, pointer, {"name", "set", "scale", "add", "description"}, "a player");
    programme_player player;
    const json* name = member(value, "name");
    if (name == nullptr || !name->is_string() || name->get<std::string>().empty())
      fail(pointer, "missing key 'name': every player needs a non-empty name");
    player.name = name->get<std::string>();
    for (const char* kind : {"set", "scale", "add"}) {
      const json* edits = member(value, kind);
      if (edits == nullptr) continue;
      const std::string edits_pointer = fmt::format("{}/{}", pointer, kind);
      if (!edits->is_object()) fail(edits_pointer, fmt::format("'{}' must be an object of path: value", kind));
      for (const auto& [path, v] : edits->items()) {
        const std::string at = fmt::format("{}/{}", edits_pointer, escape_pointer_token(path));
        parameter_edit edit;
        try {
          edit.target = parse_parameter(g_, path);
          const double base = parameter_value(g_, g_.numbers(), edit.target);
          if (std::string_view(kind) == "set") {
            edit.value = v.is_string() ? parse_parameter_value(g_, edit.target, v.get<std::string>())
                                       : number(v, at, path);
          } else if (std::string_view(kind) == "scale") {
            edit.value = base * number(v, at, path);
          } else {
            edit.value = base + number(v, at, path);
          }
          model_numbers check = g_.numbers();  // a bad value is reported here, located
          set_parameter(g_, check, edit.target, edit.value);
        } catch (const parse_error&) {
          throw;
        } catch (const error& e) {
          fail(at, fmt::format("player '{}': {}", player.name, e.what()));
        }
        for (const auto& earlier : player.edits) {
          if (earlier.target == edit.target)
            fail(at, fmt::format("player '{}' edits {} twice", player.name, parameter_path(g_, edit.target)));
        }
        player.edits.push_back(edit);
      }
    }
    if (player.edits.empty()) fail(pointer, fmt::format("player '{}' changes nothing: give 'set', 'scale' or 'add'", player.name));
    return player;
  }

  const service_graph& g_;
  std::string source_;
};

// ---------------------------------------------------------------- shapley report

std::string kpi_unit(const service_graph& g, const improvement_programme& p) {
  switch (p.kpi) {
    case programme_kpi::throughput:
      return fmt::format("requests per {}", g.time_unit());
    case programme_kpi::lead_time:
    case programme_kpi::mean_lead_time:
      return g.time_unit();
    case programme_kpi::cost:
      return p.customer ? (g.currency().empty() ? std::string{"currency"} : g.currency())
                        : fmt::format("{} per {}", g.currency().empty() ? "currency" : g.currency(), g.time_unit());
    case programme_kpi::defect_free:
      return "probability";
  }
  return {};
}

json shapley_json(const service_graph& g, const improvement_programme& p, const programme_result& r) {
  json j;
  j["model"] = g.name();
  j["kpi"] = std::string(to_string(p.kpi));
  if (p.customer) j["customer"] = g.id(*p.customer);
  j["unit"] = kpi_unit(g, p);
  j["kpi_before"] = r.kpi_before;
  j["kpi_after"] = r.kpi_after;
  json players = json::array();
  for (std::size_t k = 0; k < r.shapley.players.size(); ++k) {
    const auto& s = r.shapley.players[k];
    players.push_back({{"name", p.players[k].name},
                       {"shapley", s.shapley},
                       {"standard_error", s.standard_error},
                       {"standalone", s.standalone},
                       {"knock_out", s.knock_out}});
  }
  j["players"] = std::move(players);
  j["total_gain"] = r.shapley.total_gain;
  j["interaction"] = r.shapley.interaction;
  j["exact"] = r.shapley.exact;
  j["pairs"] = r.shapley.pairs;
  j["converged"] = r.shapley.converged;
  j["evaluations"] = r.shapley.evaluations;
  return j;
}

text_table shapley_table(const improvement_programme& p, const programme_result& r, bool exact_numbers) {
  text_table t({"player", "shapley", "standard error", "standalone", "knock-out", "share of gain (%)"});
  auto number = [exact_numbers](double v) { return exact_numbers ? fmt::format("{}", v) : format_number(v, 4); };
  for (std::size_t k = 0; k < r.shapley.players.size(); ++k) {
    const auto& s = r.shapley.players[k];
    const double share = r.shapley.total_gain != 0 ? 100 * s.shapley / r.shapley.total_gain : 0.0;
    t.add_row({p.players[k].name, number(s.shapley), number(s.standard_error), number(s.standalone),
               number(s.knock_out), number(share)});
  }
  return t;
}

std::string shapley_text(const service_graph& g, const improvement_programme& p, const programme_result& r) {
  const std::string what = p.customer ? fmt::format("{} of '{}'", to_string(p.kpi), g.id(*p.customer))
                                      : std::string(to_string(p.kpi));
  std::string out = fmt::format("Model: {}  KPI: {} ({})\n", g.name().empty() ? "(unnamed)" : g.name(), what,
                                kpi_unit(g, p));
  out += fmt::format("Before: {}  after the whole programme: {}  gain: {}\n\n", format_number(r.kpi_before, 6),
                     format_number(r.kpi_after, 6), format_number(r.shapley.total_gain, 6));
  out += fmt::format("Shapley values of the programme's gain (a gain is positive{})\n{}\n",
                     p.kpi == programme_kpi::throughput || p.kpi == programme_kpi::defect_free ? ""
                                                                                               : ": a fall of the KPI",
                     shapley_table(p, r, false).to_text());
  const double interaction = r.shapley.interaction;
  out += fmt::format("Interaction (total gain − Σ standalone): {}{}\n", format_number(interaction, 6),
                     interaction > 0   ? " — the players gain more together than alone"
                     : interaction < 0 ? " — the players overlap: together they gain less than the sum"
                                       : "");
  out += r.shapley.exact
             ? fmt::format("Exact: all {} coalitions evaluated.\n", r.shapley.evaluations)
             : fmt::format("Sampled: {} antithetic pairs of orders, {} coalitions evaluated{}.\n", r.shapley.pairs,
                           r.shapley.evaluations,
                           r.shapley.converged ? "" : "; the requested standard error was NOT reached");
  return out;
}

// ---------------------------------------------------------------- allocation report

json allocation_json(const service_graph& g, const allocation_options& o, const allocation_result& r,
                     const square_root_allocation* sr) {
  json j;
  j["model"] = g.name();
  j["budget"] = o.budget;
  j["budget_kind"] = o.kind == budget_kind::servers ? "servers" : "money";
  j["objective"] = o.weighting == lead_time_weighting::demand ? "demand-weighted mean lead time"
                                                               : "value-weighted mean lead time";
  j["time_unit"] = g.time_unit();
  json alloc = json::array();
  for (const auto& a : r.allocation) {
    alloc.push_back({{"unit", g.id(a.unit)},
                     {"servers_added", a.servers_added},
                     {"servers_before", a.servers_before},
                     {"servers_after", a.servers_before + a.servers_added},
                     {"added_to_stabilize", a.added_to_stabilize},
                     {"price", a.price}});
  }
  j["allocation"] = std::move(alloc);
  j["objective_before"] = r.objective_before ? json(*r.objective_before) : json(nullptr);
  j["objective_after"] = r.objective_after;
  j["budget_used"] = r.budget_used;
  j["budget_left"] = r.budget_left;
  json steps = json::array();
  for (const auto& s : r.steps) steps.push_back({{"unit", g.id(s.unit)}, {"objective", s.objective}, {"gain", s.gain}});
  j["steps"] = std::move(steps);
  j["notes"] = r.notes;
  if (sr != nullptr) {
    json units = json::array();
    for (const auto& u : sr->units)
      units.push_back({{"unit", g.id(u.unit)}, {"servers_before", u.servers_before}, {"servers", u.servers}});
    j["square_root"] = {{"units", std::move(units)}, {"total", sr->total}, {"relaxed_objective", sr->relaxed_objective}};
  }
  return j;
}

text_table allocation_table(const service_graph& g, const allocation_result& r, bool exact_numbers) {
  text_table t({"unit", "servers before", "added", "to stabilize", "servers after", "price per server"});
  auto number = [exact_numbers](double v) { return exact_numbers ? fmt::format("{}", v) : format_number(v, 4); };
  for (const auto& a : r.allocation) {
    if (!exact_numbers && a.servers_added == 0) continue;  // the table shows what changes
    t.add_row({g.id(a.unit), fmt::format("{}", a.servers_before), fmt::format("{}", a.servers_added),
               fmt::format("{}", a.added_to_stabilize), fmt::format("{}", a.servers_before + a.servers_added),
               number(a.price)});
  }
  return t;
}

std::string allocation_text(const service_graph& g, const allocation_options& o, const allocation_result& r,
                            const square_root_allocation* sr) {
  std::string out = fmt::format("Model: {}  budget: {} {}\n\n", g.name().empty() ? "(unnamed)" : g.name(),
                                format_number(o.budget, 6),
                                o.kind == budget_kind::servers ? "servers" : fmt::format("{} per {}",
                                                                   g.currency().empty() ? "currency" : g.currency(),
                                                                   g.time_unit()));
  const auto table = allocation_table(g, r, false);
  out += table.row_count() == 0 ? std::string{"No server added.\n"}
                                : fmt::format("Servers added (greedy, largest fall of the objective first)\n{}\n",
                                              table.to_text());
  const std::string objective = o.weighting == lead_time_weighting::demand ? "Demand-weighted mean lead time"
                                                                            : "Value-weighted mean lead time";
  out += fmt::format("{} ({}): before {}, after {}\n", objective, g.time_unit(),
                     r.objective_before ? format_number(*r.objective_before, 6) : std::string{"— (saturated)"},
                     format_number(r.objective_after, 6));
  out += fmt::format("Budget used: {}, left: {}\n", format_number(r.budget_used, 6), format_number(r.budget_left, 6));
  if (!r.steps.empty()) {
    out += "Order of the greedy steps:";
    for (const auto& s : r.steps) out += fmt::format(" {}", g.id(s.unit));
    out += "\n";
  }
  for (const auto& note : r.notes) out += fmt::format("Note: {}\n", note);
  if (sr != nullptr) {
    text_table t({"unit", "servers now", "square-root servers"});
    for (const auto& u : sr->units) t.add_row({g.id(u.unit), format_number(u.servers_before, 6), format_number(u.servers, 4)});
    out += fmt::format(
        "\nSquare-root assignment (continuous; each unit as one M/M/1 of rate servers/service time) of {} {}\n{}"
        "Relaxed objective: {} {}\n",
        format_number(sr->total, 6), o.kind == budget_kind::servers ? "servers" : "(money)", t.to_text(),
        format_number(sr->relaxed_objective, 6), g.time_unit());
  }
  return out;
}

// ---------------------------------------------------------------- needs report

std::string link_name(const service_graph& g, link_index l) {
  return fmt::format("{} -> {}", g.id(g.link(l).provider), g.id(g.link(l).consumer));
}

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json needs_json(const service_graph& g, const organization& org, const needs_result& r) {
  json j;
  j["model"] = g.name();
  j["importance_basis"] = std::string(to_string(r.basis));
  j["importance_threshold"] = r.importance_threshold;
  j["performance_threshold"] = r.performance_threshold;
  json links = json::array();
  for (const auto& ln : r.links) {
    json ratings = json::object();
    for (const auto& [need, score] : org.links[ln.link.value()].ratings) ratings[need] = score;
    links.push_back({{"from", g.id(g.link(ln.link).provider)},
                     {"to", g.id(g.link(ln.link).consumer)},
                     {"importance", ln.importance},
                     {"performance", optional_number(ln.performance)},
                     {"quadrant", ln.quadrant ? json(std::string(to_string(*ln.quadrant))) : json(nullptr)},
                     {"ratings", std::move(ratings)}});
  }
  j["links"] = std::move(links);
  json units = json::array();
  for (const auto& un : r.units) {
    json by_need = json::object();
    for (std::size_t k = 0; k < un.by_need.size(); ++k) by_need[std::string(need_names[k])] = optional_number(un.by_need[k]);
    units.push_back({{"unit", g.id(un.unit)},
                     {"index", optional_number(un.index)},
                     {"needs", std::move(by_need)},
                     {"rated_links", un.rated_links},
                     {"links", un.links}});
  }
  j["units"] = std::move(units);
  json unrated = json::array();
  for (link_index l : r.unrated) unrated.push_back({{"from", g.id(g.link(l).provider)}, {"to", g.id(g.link(l).consumer)}});
  j["unrated"] = std::move(unrated);
  return j;
}

text_table needs_link_table(const service_graph& g, const needs_result& r, bool exact_numbers) {
  text_table t({"link", "quadrant", "importance (%)", "performance (1-5)"}, 2);
  auto number = [exact_numbers](double v) { return exact_numbers ? fmt::format("{}", v) : format_number(v, 3); };
  std::vector<const link_needs*> rated;
  for (const auto& ln : r.links)
    if (ln.performance) rated.push_back(&ln);
  // Most important first, so that "concentrate here" rows come near the top.
  std::stable_sort(rated.begin(), rated.end(), [](const auto* a, const auto* b) { return a->importance > b->importance; });
  for (const auto* ln : rated) {
    t.add_row({link_name(g, ln->link), std::string(to_string(*ln->quadrant)), number(100 * ln->importance),
               number(*ln->performance)});
  }
  return t;
}

std::string needs_text(const service_graph& g, const needs_result& r) {
  std::string out = fmt::format("Model: {}\n\n", g.name().empty() ? "(unnamed)" : g.name());
  text_table units({"unit", "index", "informed", "in_control", "choices", "friendly", "knowledgeable", "attentive",
                    "rated links"});
  for (const auto& un : r.units) {
    if (!un.index) continue;
    std::vector<std::string> row{g.id(un.unit), format_number(*un.index, 3)};
    for (const auto& v : un.by_need) row.push_back(v ? format_number(*v, 3) : std::string{"-"});
    row.push_back(fmt::format("{}/{}", un.rated_links, un.links));
    units.add_row(std::move(row));
  }
  out += units.row_count() == 0
             ? std::string{"No link has ratings: add \"ratings\" to links (docs/model-format.md).\n"}
             : fmt::format("Internal service index per unit (its consumers' ratings, weighted by load)\n{}",
                           units.to_text());
  const auto links = needs_link_table(g, r, false);
  if (links.row_count() > 0) {
    out += fmt::format("\nImportance–performance by link (importance: share of {}; thresholds: importance {}%, "
                       "performance {})\n{}",
                       r.basis == importance_basis::lead_time  ? "the customers' lead time"
                       : r.basis == importance_basis::flow     ? "the flow over links"
                                                               : "the cost of poor internal service",
                       format_number(100 * r.importance_threshold, 3), format_number(r.performance_threshold, 3),
                       links.to_text());
  }
  if (!r.unrated.empty()) {
    out += fmt::format("\nUnrated links ({}):", r.unrated.size());
    for (link_index l : r.unrated) out += fmt::format(" {};", link_name(g, l));
    out.back() = '\n';
  }
  return out;
}

}  // namespace

programme_file parse_programme(std::string_view text, const service_graph& g, std::string_view source) {
  json root;
  try {
    root = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // The byte offset to a line and column (1-based).
    std::size_t line = 1, column = 1;
    for (std::size_t k = 0; k + 1 < e.byte && k < text.size(); ++k) {
      if (text[k] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw parse_error(std::string(source), "", line, column, "the programme is not valid JSON");
  }
  return programme_reader(g, source).read(root);
}

programme_file load_programme(const std::filesystem::path& file, const service_graph& g) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw io_error(fmt::format("cannot open programme file '{}': {}", file.string(), std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw io_error(fmt::format("cannot read programme file '{}'", file.string()));
  return parse_programme(text.str(), g, file.string());
}

std::string shapley_report(const service_graph& g, const improvement_programme& programme,
                           const programme_result& result, report_format format) {
  switch (format) {
    case report_format::json:
      return shapley_json(g, programme, result).dump(2) + "\n";
    case report_format::csv:
      return shapley_table(programme, result, true).to_csv();
    case report_format::table:
      break;
  }
  return shapley_text(g, programme, result);
}

std::string allocation_report(const service_graph& g, const allocation_options& options,
                              const allocation_result& result, const square_root_allocation* square_root,
                              report_format format) {
  switch (format) {
    case report_format::json:
      return allocation_json(g, options, result, square_root).dump(2) + "\n";
    case report_format::csv:
      return allocation_table(g, result, true).to_csv();
    case report_format::table:
      break;
  }
  return allocation_text(g, options, result, square_root);
}

std::string needs_report(const service_graph& g, const organization& org, const needs_result& result,
                         report_format format) {
  switch (format) {
    case report_format::json:
      return needs_json(g, org, result).dump(2) + "\n";
    case report_format::csv:
      return needs_link_table(g, result, true).to_csv();
    case report_format::table:
      break;
  }
  return needs_text(g, result);
}

}  // namespace servicechain
