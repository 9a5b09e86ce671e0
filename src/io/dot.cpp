#include "servicechain/io/dot.hpp"

#include "detail/component_system.hpp"
#include "detail/process.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <span>
#include <system_error>

#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/open_network.hpp"
#include "servicechain/error.hpp"
#include "servicechain/io/table.hpp"

namespace servicechain {

namespace {

// ------------------------------------------------------------------ colours

struct rgb {
  int r, g, b;
};

// A sequential ramp, pale yellow → amber → orange-brown → dark brown. Every channel is
// non-increasing from one anchor to the next and at least one strictly decreases, so the
// relative luminance falls strictly along the ramp: "darker" always means "more", also for
// readers with any form of colour-blindness and on greyscale prints. Red and blue, which
// mark saturation, rework and highlights, stay distinct from every fill.
struct ramp_anchor {
  double at;
  rgb colour;
};
constexpr std::array<ramp_anchor, 4> fill_ramp{{
    {0.0, {255, 252, 222}},
    {0.35, {253, 196, 90}},
    {0.68, {214, 104, 28}},
    {1.0, {96, 40, 12}},
}};

rgb ramp_colour(double t) {
  t = std::clamp(t, 0.0, 1.0);
  std::size_t k = 1;
  while (k + 1 < fill_ramp.size() && t > fill_ramp[k].at) ++k;
  const auto& lo = fill_ramp[k - 1];
  const auto& hi = fill_ramp[k];
  const double f = (t - lo.at) / (hi.at - lo.at);
  auto mix = [f](int a, int b) { return static_cast<int>(std::lround(a + f * (b - a))); };
  return {mix(lo.colour.r, hi.colour.r), mix(lo.colour.g, hi.colour.g), mix(lo.colour.b, hi.colour.b)};
}

std::string hex(rgb c) { return fmt::format("#{:02x}{:02x}{:02x}", c.r, c.g, c.b); }

// Relative luminance of an sRGB colour (WCAG 2.1, after IEC 61966-2-1).
double relative_luminance(rgb c) {
  auto linear = [](int v) {
    const double s = v / 255.0;
    return s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

// White text where it contrasts more than black: the WCAG contrast ratios (L + 0.05)/0.05
// against black and 1.05/(L + 0.05) against white cross at L ≈ 0.179.
const char* text_colour(rgb fill) { return relative_luminance(fill) < 0.179 ? "#ffffff" : "#000000"; }

constexpr const char* saturated_red = "#c8102e";
constexpr const char* rework_red = "#c8102e";
constexpr const char* highlight_blue = "#1f5fbf";
constexpr const char* misaligned_fill = "#e3e3e3";
constexpr const char* misaligned_text = "#555555";

// ------------------------------------------------------------------ escaping

// A DOT quoted string (node names, escString attributes). Inside quotes DOT only treats
// `\"` as an escape, but Graphviz then reads `\\`, `\n`, `\N`... in labels and tooltips as
// escape sequences, so a backslash is doubled; the map stays one-to-one, so distinct ids
// stay distinct node names. Line breaks become the `\n` escape.
std::string dot_quoted(std::string_view text) {
  std::string out = "\"";
  for (const char ch : text) {
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        break;
      default:
        out += ch;
    }
  }
  out += '"';
  return out;
}

// Text inside an HTML-like label: XML character entities; backslashes are plain there.
std::string html(std::string_view text) {
  std::string out;
  for (const char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\n':
        out += "<BR/>";
        break;
      case '\r':
        break;
      default:
        // Other control characters are not allowed in XML 1.0 text.
        out += (static_cast<unsigned char>(ch) < 0x20 && ch != '\t') ? ' ' : ch;
    }
  }
  return out;
}

std::string num(double v) { return format_number(v, 3); }

std::string join_ids(const service_graph& g, std::span<const unit_index> units) {
  return detail::quoted_ids(g, units, std::numeric_limits<std::size_t>::max());
}

// ------------------------------------------------------------------ what is drawn

std::optional<std::size_t> resolve_customer(const service_graph& g, const dot_options& options, bool required) {
  if (options.customer) {
    const auto u = g.directory()->find(*options.customer);
    if (!u) {
      throw error(error_code::unknown_id,
                  fmt::format("customer '{}': there is no unit with this id; the external customers are {}",
                              *options.customer, g.class_count() == 0 ? "none" : join_ids(g, g.customers())));
    }
    const auto c = g.class_of(*u);
    if (!c) {
      throw error(
          error_code::invalid_argument,
          fmt::format("customer '{}' is an internal unit, but must be an external customer ({})", *options.customer,
                      g.class_count() == 0 ? "the model has none" : join_ids(g, g.customers())));
    }
    return c;
  }
  if (!required) return std::nullopt;
  if (g.class_count() == 1) return 0;
  if (g.class_count() == 0) {
    throw error(
        error_code::invalid_argument,
        fmt::format("metric '{}' is per customer, but the model has no external customer", to_string(options.metric)));
  }
  throw error(error_code::invalid_argument,
              fmt::format("metric '{}' is per customer and the model has {}: choose one of {}",
                          to_string(options.metric), g.class_count(), join_ids(g, g.customers())));
}


struct picture {
  std::vector<double> value;            // by unit index (internal units)
  double scale_max = 1;                 // the darkest colour; values above it are clamped
  std::string title;                    // legend heading
  std::string unit_label;               // unit of `value`, e.g. "hour" or "EUR/hour"; empty: none
  double total = 0;                     // for shares in percent; 0: no shares shown
  std::optional<std::size_t> customer;  // class whose figures are shown
  const open_result* open = nullptr;
};

std::string with_unit(double v, std::string_view unit_label) {
  return unit_label.empty() ? num(v) : num(v) + " " + std::string(unit_label);
}

std::string money_per(const service_graph& g, std::string_view per) {
  return g.currency().empty() ? fmt::format("per {}", per) : fmt::format("{}/{}", g.currency(), per);
}

const open_result& require_open(const dot_inputs& in, const dot_options& options) {
  if (in.open == nullptr) {
    throw error(error_code::invalid_argument,
                fmt::format("metric '{}' shows the open-network analysis, but dot_inputs::open is not set",
                            to_string(options.metric)));
  }
  return *in.open;
}

picture evaluate(const service_graph& g, const dot_inputs& in, const dot_options& options) {
  const load_result& load = in.load;
  const capacity_result& capacity = in.capacity;
  picture p;
  const std::size_t n = g.unit_count();
  p.value.assign(n, 0.0);
  switch (options.metric) {
    case dot_metric::utilization:
      p.customer = resolve_customer(g, options, false);
      for (std::uint32_t i = 0; i < n; ++i) p.value[i] = capacity.units[i].utilization;
      p.title = "Utilization ρ = λ·s / servers";
      return p;  // fixed scale 0–1: ρ means the same in every model
    case dot_metric::lead_time: {
      p.customer = resolve_customer(g, options, true);
      p.open = &require_open(in, options);
      const std::size_t c = *p.customer;
      for (std::uint32_t i = 0; i < n; ++i) p.value[i] = p.open->lead_time_contribution(unit_index{i}, c);
      p.total = p.open->customers[c].lead_time;
      p.title = fmt::format("Lead-time contribution to '{}' (κ·W)", g.id(g.customers()[c]));
      p.unit_label = g.time_unit();
      break;
    }
    case dot_metric::cost:
      p.customer = resolve_customer(g, options, false);
      if (p.customer) {
        p.open = &require_open(in, options);
        const std::size_t c = *p.customer;
        for (std::uint32_t i = 0; i < n; ++i) p.value[i] = p.open->cost_by_unit(unit_index{i}, c);
        p.total = p.open->customers[c].cost_to_serve;
        p.title = fmt::format("Cost to serve one request of '{}', by unit", g.id(g.customers()[c]));
        p.unit_label = money_per(g, "request");
      } else {
        for (std::uint32_t i = 0; i < n; ++i) {
          const auto& u = in.numbers.unit(unit_index{i});
          if (!g.is_external(unit_index{i})) p.value[i] = u.cost_per_time + u.cost_per_request * load.total_load[i];
          p.total += p.value[i];
        }
        p.title = "Cost per time unit: cost_per_time + cost_per_request·λ";
        p.unit_label = money_per(g, g.time_unit());
      }
      break;
  }
  // Lead time and cost have no natural maximum: the scale runs from 0 to the largest value,
  // so the colour of a unit compares its figure with the heaviest one.
  double max_value = 0;
  for (std::uint32_t i = 0; i < n; ++i)
    if (!g.is_external(unit_index{i})) max_value = std::max(max_value, p.value[i]);
  p.scale_max = max_value > 0 ? max_value : 1.0;
  return p;
}

// ------------------------------------------------------------------ DOT text

std::string unique_name(const service_graph& g, std::string base) {
  std::string name = base;
  for (int k = 1; g.directory()->find(name); ++k) name = fmt::format("{}_{}", base, k);
  return name;
}

std::string legend_label(const service_graph& g, const model_numbers& numbers, const picture& p, const std::vector<char>& coloured,
                         const dot_options& options, bool any_saturated, bool any_misaligned, bool any_rework,
                         bool any_async) {
  std::string t = R"(<TABLE BORDER="1" COLOR="#888888" CELLBORDER="0" CELLSPACING="2" CELLPADDING="3">)";
  t += fmt::format(R"(<TR><TD COLSPAN="5"><B>{}</B></TD></TR>)", html(p.title));
  if (!p.unit_label.empty()) t += fmt::format(R"(<TR><TD COLSPAN="5">in {}</TD></TR>)", html(p.unit_label));
  // Five swatches at 0, ¼, ½, ¾ and the top of the scale, each labelled with its value.
  t += "<TR>";
  for (int k = 0; k <= 4; ++k) {
    const double t_k = k / 4.0;
    const rgb c = ramp_colour(t_k);
    t += fmt::format(R"(<TD BGCOLOR="{}" WIDTH="52" HEIGHT="20" FIXEDSIZE="TRUE"><FONT COLOR="{}">{}</FONT></TD>)",
                     hex(c), text_colour(c), html(num(t_k * p.scale_max)));
  }
  t += "</TR>";
  std::optional<unit_index> lo, hi;
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    if (!coloured[i]) continue;
    if (!lo || p.value[i] < p.value[lo->value()]) lo = unit_index{i};
    if (!hi || p.value[i] > p.value[hi->value()]) hi = unit_index{i};
  }
  if (lo && hi) {
    t += fmt::format(R"(<TR><TD COLSPAN="5" ALIGN="LEFT">min {} ({})</TD></TR>)",
                     html(with_unit(p.value[lo->value()], p.unit_label)), html(g.id(*lo)));
    t += fmt::format(R"(<TR><TD COLSPAN="5" ALIGN="LEFT">max {} ({})</TD></TR>)",
                     html(with_unit(p.value[hi->value()], p.unit_label)), html(g.id(*hi)));
  }
  if (p.open && p.customer) {
    const auto& cp = p.open->customers[*p.customer];
    const std::string what = options.metric == dot_metric::lead_time
                                 ? "lead time " + with_unit(cp.lead_time, g.time_unit())
                                 : "cost to serve " + with_unit(cp.cost_to_serve, money_per(g, "request"));
    t += fmt::format(R"(<TR><TD COLSPAN="5" ALIGN="LEFT">total: {} (sum over units)</TD></TR>)", html(what));
  }
  auto row = [&t](std::string_view colour, std::string_view text) {
    t += fmt::format(R"(<TR><TD COLSPAN="5" ALIGN="LEFT"><FONT COLOR="{}">{}</FONT></TD></TR>)", colour, text);
  };
  if (options.metric == dot_metric::utilization) {
    row("#333333", html("unit: ρ · servers · λ, its load in services/" + g.time_unit()));
    bool any_unlimited = false;
    for (std::uint32_t i = 0; i < g.unit_count(); ++i)
      any_unlimited = any_unlimited || (!g.is_external(unit_index{i}) && numbers.unit(unit_index{i}).unlimited_servers);
    if (any_unlimited)
      row("#333333", "white: unlimited servers (no queue, no utilization)");
  }
  row("#333333", html("arrow provider → consumer, labelled with its flow in requests/" + g.time_unit()));
  if (any_async) row("#333333", "dotted arrow: async link (load only, no lead time)");
  if (any_rework) row(rework_red, "dashed red arrow: rejected deliveries, redone (rework flow)");
  if (any_saturated) row(saturated_red, "bold red border: saturated unit (ρ ≥ 1)");
  if (any_misaligned) row(misaligned_text, "grey: misaligned unit, no chain to any customer");
  if (!options.highlight_units.empty())
    row(highlight_blue,
        "thick blue border: " + html(options.highlight_label.empty() ? "highlighted" : options.highlight_label));
  row("#333333", "double octagon: external customer");
  t += "</TABLE>";
  return t;
}

}  // namespace

std::string_view to_string(dot_metric m) noexcept {
  switch (m) {
    case dot_metric::utilization:
      return "utilization";
    case dot_metric::lead_time:
      return "lead_time";
    case dot_metric::cost:
      return "cost";
  }
  return "utilization";
}

std::optional<dot_metric> parse_dot_metric(std::string_view name) noexcept {
  for (dot_metric m : {dot_metric::utilization, dot_metric::lead_time, dot_metric::cost})
    if (to_string(m) == name) return m;
  return std::nullopt;
}

std::string to_dot(const service_graph& g, const dot_inputs& inputs, const dot_options& options) {
  const std::size_t n = g.unit_count();
  std::vector<char> highlighted(n, 0);
  for (unit_index u : options.highlight_units) {
    if (u.value() >= n) {
      throw error(error_code::invalid_argument,
                  fmt::format("highlighted unit index {}, but must be below the unit count {}", u.value(), n));
    }
    highlighted[u.value()] = 1;
  }
  const load_result& load = inputs.load;
  const capacity_result& capacity = inputs.capacity;
  const picture p = evaluate(g, inputs, options);
  std::vector<char> aligned(n);
  for (std::uint32_t i = 0; i < n; ++i) aligned[i] = g.reaches_customer(unit_index{i}) ? 1 : 0;

  std::vector<char> saturated(n, 0);
  for (const auto& s : capacity.saturated) saturated[g.index_of(s.id).value()] = 1;
  std::vector<char> coloured(n, 0);
  bool any_misaligned = false;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (g.is_external(unit_index{i})) continue;
    // ρ of a unit with unlimited servers is not a busy share: it is left out of the scale.
    coloured[i] = aligned[i] && !(options.metric == dot_metric::utilization &&
                                  inputs.numbers.unit(unit_index{i}).unlimited_servers);
    any_misaligned = any_misaligned || !aligned[i];
  }

  std::string out = fmt::format("digraph {} {{\n", dot_quoted(g.name().empty() ? "organization" : g.name()));
  out += "  graph [rankdir=LR, newrank=true, nodesep=0.3, ranksep=1.1, fontname=\"Helvetica\", fontsize=18,\n";
  out += fmt::format(
      "         labelloc=t, label={}];\n",
      dot_quoted(fmt::format("{} — {}{}", g.name().empty() ? "organization" : g.name(), to_string(options.metric),
                             p.customer ? " for '" + g.id(g.customers()[*p.customer]) + "'" : "")));
  out += "  node [fontname=\"Helvetica\", fontsize=11, margin=\"0.12,0.06\"];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#666666\", fontcolor=\"#333333\", arrowsize=0.7];\n";

  // ---- units
  for (std::uint32_t i = 0; i < n; ++i) {
    const unit_index u{i};
    const auto& par = inputs.numbers.unit(u);
    std::string label = "<B>" + html(g.display_name(u)) + "</B>";
    if (g.display_name(u) != g.id(u)) label += R"(<BR/><FONT POINT-SIZE="9">)" + html(g.id(u)) + "</FONT>";
    if (g.is_external(u)) {
      const std::size_t c = *g.class_of(u);
      label += "<BR/>" + html(par.open_class ? fmt::format("demand {}/{}", num(par.demand), g.time_unit())
                                             : fmt::format("population {}", par.population));
      if (p.open && p.customer == c) {
        const auto& cp = p.open->customers[c];
        label += "<BR/>" + html(options.metric == dot_metric::lead_time
                                    ? "lead time " + with_unit(cp.lead_time, g.time_unit())
                                    : "cost to serve " + with_unit(cp.cost_to_serve, money_per(g, "request")));
      }
      const bool chosen = p.customer == c;
      out += fmt::format(
          "  {} [shape=doubleoctagon, style=filled, fillcolor=\"#ffffff\", color=\"{}\", penwidth={}, "
          "label=<{}>, tooltip={}];\n",
          dot_quoted(g.id(u)), highlighted[i] ? highlight_blue : "#333333", highlighted[i] ? 4 : (chosen ? 2.5 : 1),
          label, dot_quoted("external customer " + g.id(u)));
      continue;
    }
    // The metric line, then what a reader needs to judge it.
    std::string figure;
    switch (options.metric) {
      case dot_metric::utilization:
        figure = par.unlimited_servers
                     ? fmt::format("unlimited servers, λ {}/{}", num(load.total_load[i]), g.time_unit())
                     : fmt::format("ρ {} · {} server{} · λ {}/{}", num(p.value[i]), static_cast<long long>(par.servers),
                                   par.servers == 1 ? "" : "s", num(load.total_load[i]), g.time_unit());
        break;
      case dot_metric::lead_time:
      case dot_metric::cost:
        figure = with_unit(p.value[i], p.unit_label);
        if (p.total > 0) figure += fmt::format(" ({}%)", format_number(100.0 * p.value[i] / p.total, 2));
        break;
    }
    label += "<BR/>" + html(figure);
    if (saturated[i]) label += "<BR/><B>SATURATED</B>";
    if (!aligned[i]) label += "<BR/><I>" + html("misaligned: no chain to any customer") + "</I>";

    const rgb fill = coloured[i] ? ramp_colour(p.value[i] / p.scale_max) : rgb{255, 255, 255};
    const std::string fill_hex = aligned[i] ? hex(fill) : misaligned_fill;
    const std::string font = aligned[i] ? text_colour(fill) : misaligned_text;
    std::string border = aligned[i] ? "#555555" : "#999999";
    double penwidth = 1;
    if (saturated[i]) border = saturated_red, penwidth = 4;
    if (highlighted[i]) border = highlight_blue, penwidth = 5;  // a highlight set is what the caller asked to see
    out += fmt::format(
        "  {} [shape=box, style=\"filled,rounded{}\", fillcolor=\"{}\", fontcolor=\"{}\", color=\"{}\", "
        "penwidth={}, label=<{}>, tooltip={}];\n",
        dot_quoted(g.id(u)), aligned[i] ? "" : ",dashed", fill_hex, font, border, penwidth, label,
        dot_quoted(fmt::format("{}: {}", g.id(u), figure)));
  }
  if (g.class_count() > 0) {
    out += "  { rank=sink;";
    for (unit_index c : g.customers()) out += fmt::format(" {};", dot_quoted(g.id(c)));
    out += " }\n";
  }

  // ---- links: width grows with the square root of the flow, so small flows stay visible
  double max_flow = 0;
  for (double f : load.link_flow) max_flow = std::max(max_flow, f);
  bool any_rework = false, any_async = false;
  for (std::uint32_t l = 0; l < g.link_count(); ++l) {
    const auto& lp = g.link(link_index{l});
    const bool async = lp.mode == link_mode::async;
    const auto& ln = inputs.numbers.link(link_index{l});
    const bool rework = ln.rejections > 0;
    any_async = any_async || async;
    any_rework = any_rework || rework;
    std::string label = fmt::format("{}/{}", num(load.link_flow[l]), g.time_unit());
    if (rework) {
      label += fmt::format("\nrework {}/{} (accepted {}%)", num(load.link_rework_flow[l]), g.time_unit(),
                           format_number(100.0 * ln.acceptance, 3));
    }
    const double width = max_flow > 0 ? 0.8 + 2.7 * std::sqrt(load.link_flow[l] / max_flow) : 1.0;
    out += fmt::format("  {} -> {} [label={}, penwidth={:.2f}{}{}];\n", dot_quoted(g.id(lp.provider)),
                       dot_quoted(g.id(lp.consumer)), dot_quoted(label), width,
                       async ? ", style=dotted" : (rework ? ", style=dashed" : ""),
                       rework ? fmt::format(", color=\"{0}\", fontcolor=\"{0}\"", rework_red) : "");
  }

  // ---- legend
  out += "  subgraph cluster_legend {\n    graph [label=\"\", style=invis];\n";
  out += fmt::format(
      "    {} [shape=plaintext, margin=0, label=<{}>];\n  }}\n", dot_quoted(unique_name(g, "legend")),
      legend_label(g, inputs.numbers, p, coloured, options, !capacity.saturated.empty(), any_misaligned, any_rework, any_async));
  out += "}\n";
  return out;
}

// ------------------------------------------------------------------ rendering

namespace {

constexpr std::string_view dot_missing =
    "Graphviz 'dot' was not found on PATH; install the Debian package graphviz, or omit --svg to get DOT text";

}  // namespace

void render_svg(std::string_view dot_text, const std::filesystem::path& out) {
  const auto dot = detail::find_program("dot");
  if (!dot) throw io_error(std::string(dot_missing));

  const detail::temp_file input(".dot"), svg(".svg");
  detail::write_text(input.path(), dot_text);
  const auto ran = detail::run_program(*dot, {"-Tsvg", "-o", svg.path().string(), input.path().string()},
                                       fmt::format("Graphviz '{}'", dot->string()));
  if (!ran.ok) {
    throw io_error(fmt::format("Graphviz '{}' failed ({}) rendering '{}'{}{}", dot->string(), ran.how, out.string(),
                               ran.errors.empty() ? "" : ": ", ran.errors));
  }

  // Written, not copied: a copy would take the temporary file's mode 600; a new file gets
  // the usual 666 less the umask, an existing one keeps its mode.
  std::ifstream in(svg.path(), std::ios::binary);
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f << in.rdbuf();
  f.close();
  if (!in || !f) throw io_error(fmt::format("cannot write the SVG file '{}': {}", out.string(), std::strerror(errno)));
}

}  // namespace servicechain
