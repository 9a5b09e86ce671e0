// JMT JMVA interchange (io/jmva.hpp). The format: JMT's JMVA model files, `<model>` with
// `<parameters>` (classes, stations with per-class service times and visits, reference
// stations), `<algParams>` and optional `<solutions>`. Semantics of the mapping: docs/jmva.md.

#include "servicechain/io/jmva.hpp"

#include <fmt/format.h>
#include <pugixml.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "servicechain/error.hpp"

namespace servicechain {
namespace {

// ------------------------------------------------------------------ reading

// Where a node is: its path of element names, with the name attribute where it has one.
std::string where(const pugi::xml_node& node) {
  std::string path;
  for (auto n = node; n && n.type() == pugi::node_element; n = n.parent()) {
    std::string step = n.name();
    if (const auto name = n.attribute("name"); name) step += fmt::format("[@name='{}']", name.value());
    else if (const auto cls = n.attribute("customerclass"); cls) step += fmt::format("[@customerclass='{}']", cls.value());
    path = "/" + step + path;
  }
  return path;
}

class reader {
 public:
  reader(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  [[noreturn]] void fail(const pugi::xml_node& node, const std::string& message) const {
    const auto [line, column] = position(static_cast<std::size_t>(std::max<std::ptrdiff_t>(node.offset_debug(), 0)));
    throw parse_error(std::string(source_), where(node), line, column, message);
  }

  [[nodiscard]] std::pair<std::size_t, std::size_t> position(std::size_t offset) const {
    offset = std::min(offset, text_.size());
    std::size_t line = 1;
    std::size_t last_newline = std::string_view::npos;
    for (std::size_t i = 0; i < offset; ++i) {
      if (text_[i] == '\n') {
        ++line;
        last_newline = i;
      }
    }
    const std::size_t column = last_newline == std::string_view::npos ? offset + 1 : offset - last_newline;
    return {line, column};
  }

  [[nodiscard]] std::string required(const pugi::xml_node& node, const char* attribute) const {
    const auto a = node.attribute(attribute);
    if (!a) fail(node, fmt::format("missing attribute '{}'", attribute));
    return a.value();
  }

  [[nodiscard]] double number(const pugi::xml_node& node, std::string_view text, std::string_view what) const {
    std::string_view t = text;
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
    double value = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (t.empty() || ec != std::errc{} || end != t.data() + t.size() || !std::isfinite(value))
      fail(node, fmt::format("{} = '{}', but must be a finite number", what, text.substr(0, 64)));
    if (value < 0) fail(node, fmt::format("{} = {}, but must be >= 0", what, value));
    return value;
  }

 private:
  std::string_view text_;
  std::string_view source_;
};

struct station {
  std::string name;
  bool delay = false;
  std::int64_t servers = 1;
  std::map<std::string, double> service_time;  // by class
  std::map<std::string, double> visits;        // by class
  pugi::xml_node node;
};

std::map<std::string, double> per_class(const reader& r, const pugi::xml_node& parent, const char* list,
                                        const char* item, const std::set<std::string>& classes) {
  std::map<std::string, double> values;
  const auto node = parent.child(list);
  if (!node) r.fail(parent, fmt::format("missing element <{}>", list));
  for (const auto& child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    if (std::string_view(child.name()) != item) r.fail(child, fmt::format("unexpected element <{}> in <{}>", child.name(), list));
    const std::string cls = r.required(child, "customerclass");
    if (!classes.contains(cls)) r.fail(child, fmt::format("class '{}' is not declared in <classes>", cls));
    if (values.contains(cls)) r.fail(child, fmt::format("class '{}' appears twice", cls));
    values[cls] = r.number(child, child.text().get(), item);
  }
  return values;
}

station read_station(const reader& r, const pugi::xml_node& node, const std::set<std::string>& classes) {
  station s;
  s.node = node;
  s.name = r.required(node, "name");
  const std::string_view kind = node.name();
  if (kind == "ldstation")
    r.fail(node, "load-dependent station: no equivalent here (a unit's rate depends only on its number of servers)");
  if (kind != "delaystation" && kind != "listation")
    r.fail(node, fmt::format("station kind <{}> has no equivalent here (expected <delaystation> or <listation>)", kind));
  s.delay = kind == "delaystation";
  if (const auto servers = node.attribute("servers"); servers && !s.delay) {
    const double m = r.number(node, servers.value(), "servers");
    if (m < 1 || m != std::floor(m) || m > 1e9) r.fail(node, fmt::format("servers = {}, but must be a positive integer", m));
    s.servers = static_cast<std::int64_t>(m);
  }
  s.service_time = per_class(r, node, "servicetimes", "servicetime", classes);
  s.visits = per_class(r, node, "visits", "visit", classes);
  return s;
}

std::vector<jmva_measure> read_solutions(const reader& r, const pugi::xml_node& model) {
  std::vector<jmva_measure> out;
  const auto solutions = model.child("solutions");
  if (!solutions) return out;
  // JMT writes the station results under <algorithm> (one per algorithm compared), older
  // files directly under <solutions>: take the first algorithm's.
  const auto algorithm = solutions.child("algorithm");
  const auto holder = algorithm ? algorithm : solutions;
  for (const auto& st : holder.children("stationresults")) {
    const std::string station_name = r.required(st, "station");
    for (const auto& cr : st.children("classresults")) {
      const std::string cls = r.required(cr, "customerclass");
      for (const auto& m : cr.children("measure")) {
        const auto ok = m.attribute("successful");
        if (ok && std::string_view(ok.value()) == "false") continue;
        out.push_back({station_name, cls, r.required(m, "measureType"), r.number(m, r.required(m, "meanValue"), "meanValue")});
      }
    }
  }
  return out;
}

// The closed class whose think time a delay station is, if it is one: the class's reference
// station, visited by that class alone, once.
std::optional<std::string> think_station_of(const station& s, const std::map<std::string, std::string>& reference,
                                            const std::set<std::string>& closed) {
  if (!s.delay) return std::nullopt;
  std::vector<std::string> visitors;
  for (const auto& [cls, v] : s.visits)
    if (v > 0) visitors.push_back(cls);
  if (visitors.size() != 1) return std::nullopt;
  const std::string& c = visitors.front();
  const auto ref = reference.find(c);
  if (!closed.contains(c) || ref == reference.end() || ref->second != s.name || s.visits.at(c) != 1) return std::nullopt;
  return c;
}

void add_station_unit(organization& org, const station& s, const std::vector<std::string>& class_order) {
  unit u{.id = s.name};
  u.servers = s.delay ? server_count::unlimited() : server_count(s.servers);
  std::optional<double> first;
  bool class_dependent = false;
  for (const auto& c : class_order) {
    const auto v = s.visits.find(c);
    if (v == s.visits.end() || v->second <= 0) continue;
    const auto st = s.service_time.find(c);
    const double time = st == s.service_time.end() ? 0.0 : st->second;
    if (!first) first = time;
    else if (time != *first) class_dependent = true;
  }
  if (!first && !s.service_time.empty()) first = s.service_time.begin()->second;
  u.service_time = first.value_or(0.0);
  // Class-dependent times are product form under processor sharing (BCMP), not FIFO;
  // for a delay the discipline does not matter.
  if (class_dependent && !s.delay) u.queue_discipline = discipline::shared;
  org.add_unit(u);
  for (const auto& c : class_order) {
    const auto v = s.visits.find(c);
    if (v == s.visits.end() || v->second <= 0) continue;
    link l{.from = s.name, .to = c, .requests = v->second};
    const auto st = s.service_time.find(c);
    const double time = st == s.service_time.end() ? 0.0 : st->second;
    if (time != *u.service_time) l.service_time = time;
    org.add_link(l);
  }
}

}  // namespace

jmva_document parse_jmva(std::string_view xml_text, std::string_view source_name) {
  const reader r(xml_text, source_name);
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_buffer(xml_text.data(), xml_text.size());
  if (!parsed) {
    const auto [line, column] = r.position(static_cast<std::size_t>(std::max<std::ptrdiff_t>(parsed.offset, 0)));
    throw parse_error(std::string(source_name), "", line, column,
                      fmt::format("not well-formed XML: {}", parsed.description()));
  }
  const auto model = doc.child("model");
  if (!model) {
    const auto root = doc.document_element();
    if (!root) throw parse_error(std::string(source_name), "", 0, 0, "empty document");
    r.fail(root, "the root element must be <model> (a JMVA file)");
  }
  const auto parameters = model.child("parameters");
  if (!parameters) r.fail(model, "missing element <parameters>");
  for (const char* unsupported : {"blockingRegion", "finiteCapacityRegion"})
    if (const auto n = model.child(unsupported); n) r.fail(n, "finite-capacity regions have no equivalent here");

  jmva_document out;
  organization& org = out.model;
  org.name = std::filesystem::path(std::string(source_name)).stem().string();
  org.time_unit = "time unit";
  if (const auto d = model.child("description"); d) org.description = d.text().get();

  // Classes, in file order.
  const auto classes_node = parameters.child("classes");
  if (!classes_node) r.fail(parameters, "missing element <classes>");
  std::vector<std::string> class_order;
  std::set<std::string> class_names;
  std::set<std::string> closed;
  for (const auto& c : classes_node.children()) {
    if (c.type() != pugi::node_element) continue;
    const std::string name = r.required(c, "name");
    if (!class_names.insert(name).second) r.fail(c, fmt::format("class '{}' is declared twice", name));
    unit customer{.id = name, .external = true};
    if (std::string_view(c.name()) == "closedclass") {
      const double n = r.number(c, r.required(c, "population"), "population");
      if (n != std::floor(n) || n > 1e9) r.fail(c, fmt::format("population = {}, but must be a whole number", n));
      customer.population = static_cast<std::int64_t>(n);
      closed.insert(name);
    } else if (std::string_view(c.name()) == "openclass") {
      customer.demand = r.number(c, r.required(c, "rate"), "rate");
    } else {
      r.fail(c, fmt::format("unexpected element <{}> in <classes> (expected <closedclass> or <openclass>)", c.name()));
    }
    class_order.push_back(name);
    org.add_unit(customer);
  }
  if (class_order.empty()) r.fail(classes_node, "no class declared");

  // Reference stations: class -> station.
  std::map<std::string, std::string> reference;
  for (const auto& c : parameters.child("ReferenceStation").children("Class"))
    reference[r.required(c, "name")] = r.required(c, "refStation");

  const auto stations_node = parameters.child("stations");
  if (!stations_node) r.fail(parameters, "missing element <stations>");
  std::set<std::string> station_names;
  for (const auto& n : stations_node.children()) {
    if (n.type() != pugi::node_element) continue;
    const station s = read_station(r, n, class_names);
    if (class_names.contains(s.name)) r.fail(n, fmt::format("station '{}' has the name of a class", s.name));
    if (!station_names.insert(s.name).second) r.fail(n, fmt::format("station '{}' is declared twice", s.name));
    if (const auto think = think_station_of(s, reference, closed); think) {
      org.units[static_cast<std::size_t>(std::find(class_order.begin(), class_order.end(), *think) - class_order.begin())]
          .think_time = s.service_time.contains(*think) ? s.service_time.at(*think) : 0.0;
      out.think_stations.emplace_back(s.name, *think);
      continue;
    }
    add_station_unit(org, s, class_order);
  }
  out.solutions = read_solutions(r, model);
  return out;
}

jmva_document load_jmva(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw io_error(fmt::format("cannot open '{}'", file.string()));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw io_error(fmt::format("cannot read '{}'", file.string()));
  return parse_jmva(text.str(), file.string());
}

// ------------------------------------------------------------------ writing

namespace {

// Shortest text that reads back to the same double.
std::string number_text(double x) { return fmt::format("{}", x); }

std::vector<diagnostic> product_form_problems(const service_graph& g, const load_result& flows) {
  const model_numbers& numbers = g.numbers();
  std::vector<diagnostic> problems;
  const auto unit_at = [&](unit_index u) { return fmt::format("unit '{}'", g.id(u)); };
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const unit_index u{i};
    const auto& p = numbers.unit(u);
    if (g.is_external(u)) {
      if (p.open_class ? p.demand <= 0 : p.population <= 0)
        problems.push_back({unit_at(u), "a customer with no demand and no population is no JMVA class"});
      continue;
    }
    if (p.unlimited_servers) continue;  // a delay: any discipline and distribution
    if (p.preemptive || (p.queue_discipline != discipline::fifo && p.queue_discipline != discipline::shared))
      problems.push_back({unit_at(u), fmt::format("discipline '{}'{} has no product form", to_string(p.queue_discipline),
                                                  p.preemptive ? " (preemptive)" : "")});
    if (p.queue_discipline != discipline::fifo) continue;
    bool other_scv = p.service_scv != 1;
    bool own_time = false;
    for (link_index l : g.out_links(u)) {
      const auto& lp = numbers.link(l);
      other_scv = other_scv || lp.service_scv.value_or(p.service_scv) != 1;
      own_time = own_time || (lp.service_time && *lp.service_time != p.service_time);
    }
    if (other_scv)
      problems.push_back({unit_at(u), "FIFO with service SCV != 1 has no product form (JMVA assumes exponential service)"});
    if (own_time)
      problems.push_back({unit_at(u), "FIFO with per-consumer service times has no product form; with discipline "
                                      "'shared' it has"});
  }
  for (std::uint32_t l = 0; l < g.link_count(); ++l) {
    const auto& t = g.link(link_index{l});
    if (t.mode == link_mode::async)
      problems.push_back({fmt::format("link '{}' -> '{}'", g.id(t.provider), g.id(t.consumer)),
                          "an async link adds load without a wait, which JMVA cannot express"});
  }
  (void)flows;
  return problems;
}

}  // namespace

std::string to_jmva(const service_graph& g, const load_result& flows) {
  const model_numbers& numbers = g.numbers();
  if (flows.flows_revision != numbers.flows_revision())
    throw error(error_code::invalid_argument,
                "to_jmva: the flows were computed from other numbers; compute them with compute_load(g)");
  if (auto problems = product_form_problems(g, flows); !problems.empty()) throw invalid_model_error(std::move(problems));

  const auto customers = g.customers();
  const auto classes = static_cast<Eigen::Index>(customers.size());
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  decl.append_attribute("standalone") = "no";
  auto model = doc.append_child("model");
  model.append_attribute("xmlns:xsi") = "http://www.w3.org/2001/XMLSchema-instance";
  model.append_attribute("xsi:noNamespaceSchemaLocation") = "JMTmodel.xsd";
  auto parameters = model.append_child("parameters");

  auto class_list = parameters.append_child("classes");
  class_list.append_attribute("number") = static_cast<unsigned long long>(customers.size());
  for (const unit_index c : customers) {
    const auto& p = numbers.unit(c);
    auto node = class_list.append_child(p.open_class ? "openclass" : "closedclass");
    node.append_attribute("name") = std::string(g.id(c)).c_str();
    if (p.open_class) node.append_attribute("rate") = number_text(p.demand).c_str();
    else node.append_attribute("population") = static_cast<long long>(p.population);
  }

  // Stations: think times first (they are the closed classes' reference stations), then the
  // internal units that do some work.
  auto station_list = parameters.append_child("stations");
  std::size_t station_count = 0;
  const auto add_per_class = [&](pugi::xml_node station, const auto& time_of, const auto& visits_of) {
    auto times = station.append_child("servicetimes");
    for (Eigen::Index c = 0; c < classes; ++c) {
      auto t = times.append_child("servicetime");
      t.append_attribute("customerclass") = std::string(g.id(customers[static_cast<std::size_t>(c)])).c_str();
      t.text() = number_text(time_of(c)).c_str();
    }
    auto visits = station.append_child("visits");
    for (Eigen::Index c = 0; c < classes; ++c) {
      auto v = visits.append_child("visit");
      v.append_attribute("customerclass") = std::string(g.id(customers[static_cast<std::size_t>(c)])).c_str();
      v.text() = number_text(visits_of(c)).c_str();
    }
  };
  std::vector<std::string> reference(customers.size());
  for (Eigen::Index k = 0; k < classes; ++k) {
    const unit_index c = customers[static_cast<std::size_t>(k)];
    const auto& p = numbers.unit(c);
    if (p.open_class || p.think_time <= 0) continue;
    reference[static_cast<std::size_t>(k)] = fmt::format("{}.think", g.id(c));
    auto st = station_list.append_child("delaystation");
    st.append_attribute("name") = reference[static_cast<std::size_t>(k)].c_str();
    add_per_class(
        st, [&](Eigen::Index j) { return j == k ? p.think_time : 0.0; },
        [&](Eigen::Index j) { return j == k ? 1.0 : 0.0; });
    ++station_count;
  }
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const unit_index u{i};
    if (g.is_external(u) || flows.load_per_request.row(i).sum() <= 0) continue;
    const auto& p = numbers.unit(u);
    auto st = station_list.append_child(p.unlimited_servers ? "delaystation" : "listation");
    st.append_attribute("name") = std::string(g.id(u)).c_str();
    if (!p.unlimited_servers) st.append_attribute("servers") = static_cast<long long>(p.servers);
    const auto visits_of = [&](Eigen::Index c) { return flows.load_per_request(i, c); };
    const auto time_of = [&](Eigen::Index c) {
      const double v = visits_of(c);
      return flows.work_per_request.size() == 0 || v <= 0 ? p.service_time : flows.work_per_request(i, c) / v;
    };
    add_per_class(st, time_of, visits_of);
    for (Eigen::Index c = 0; c < classes; ++c)
      if (reference[static_cast<std::size_t>(c)].empty() && visits_of(c) > 0) reference[static_cast<std::size_t>(c)] = std::string(g.id(u));
    ++station_count;
  }
  station_list.append_attribute("number") = static_cast<unsigned long long>(station_count);

  auto refs = parameters.append_child("ReferenceStation");
  refs.append_attribute("number") = static_cast<unsigned long long>(customers.size());
  for (Eigen::Index k = 0; k < classes; ++k) {
    const unit_index c = customers[static_cast<std::size_t>(k)];
    auto node = refs.append_child("Class");
    node.append_attribute("name") = std::string(g.id(c)).c_str();
    node.append_attribute("refStation") =
        numbers.unit(c).open_class ? "Arrival Process" : reference[static_cast<std::size_t>(k)].c_str();
  }
  auto alg = model.append_child("algParams");
  auto type = alg.append_child("algType");
  type.append_attribute("name") = "MVA";
  type.append_attribute("tolerance") = "1.0E-7";
  type.append_attribute("maxSamples") = "10000";
  alg.append_child("compareAlgs").append_attribute("value") = "false";

  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

}  // namespace servicechain
