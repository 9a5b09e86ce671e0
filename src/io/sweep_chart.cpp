// The sweep's line chart: a gnuplot script and its data, rendered by gnuplot (Debian
// gnuplot-nox) run as a child process, as Graphviz renders `servicechain dot --svg`.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <system_error>
#include <vector>

#include "detail/process.hpp"
#include "servicechain/error.hpp"
#include "servicechain/io/scenario_report.hpp"

namespace servicechain {

namespace {

constexpr std::size_t charted_customers = 10;  // the most delayed ones, when there are more
constexpr std::size_t charted_units = 6;       // the busiest ones

constexpr std::string_view gnuplot_missing =
    "gnuplot was not found on PATH; install the Debian package gnuplot-nox, or omit --chart (the table, CSV and "
    "JSON need no renderer)";

struct chart_series {
  std::vector<std::size_t> customers;  // classes
  std::vector<unit_index> units;
};

chart_series series_of(const service_graph& g, const sweep_result& r) {
  chart_series s;
  std::vector<std::pair<double, std::size_t>> by_lead;
  for (std::size_t c = 0; c < g.class_count(); ++c) {
    double top = 0;
    for (const auto& step : r.steps)
      if (!step.is_saturated) top = std::max(top, step.lead_time[c]);
    by_lead.emplace_back(top, c);
  }
  std::stable_sort(by_lead.begin(), by_lead.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; k < std::min(charted_customers, by_lead.size()); ++k) s.customers.push_back(by_lead[k].second);
  std::sort(s.customers.begin(), s.customers.end());

  std::vector<std::pair<double, unit_index>> by_rho;
  for (const auto& step : r.steps) {
    for (const auto& b : step.busiest) {
      auto it = std::find_if(by_rho.begin(), by_rho.end(), [&](const auto& e) { return e.second == b.unit; });
      if (it == by_rho.end()) by_rho.emplace_back(b.utilization, b.unit);
      else it->first = std::max(it->first, b.utilization);
    }
  }
  std::stable_sort(by_rho.begin(), by_rho.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; k < std::min(charted_units, by_rho.size()); ++k) s.units.push_back(by_rho[k].second);
  return s;
}

// A string literal of gnuplot: single quotes, a quote doubled.
std::string gnuplot_string(std::string_view text) {
  std::string out = "'";
  for (char ch : text) {
    out += ch;
    if (ch == '\'') out += '\'';
  }
  return out + "'";
}

std::string number(double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string("NaN"); }

}  // namespace

std::string sweep_chart_data(const service_graph& g, const sweep_result& r) {
  const chart_series s = series_of(g, r);
  std::string out;
  for (const auto& step : r.steps) {
    out += number(step.value);
    for (std::size_t c : s.customers) {
      out += ' ';
      out += step.is_saturated ? std::string("NaN") : number(step.lead_time[c]);
    }
    for (unit_index u : s.units) {
      const auto it = std::find_if(step.busiest.begin(), step.busiest.end(), [&](const auto& b) { return b.unit == u; });
      out += ' ';
      out += it == step.busiest.end() ? std::string("NaN") : number(it->utilization);
    }
    out += "\n";
  }
  return out;
}

std::string sweep_chart_script(const service_graph& g, const sweep_result& r, const std::filesystem::path& data_file,
                               const std::filesystem::path& svg_file) {
  const chart_series s = series_of(g, r);
  const std::string swept = r.target ? parameter_path(g, *r.target) : std::string("demand scale");
  const std::string data = gnuplot_string(data_file.string());
  std::string out;
  out += "set terminal svg size 900,720 dynamic noenhanced font 'sans,11' background rgb 'white'\n";
  out += fmt::format("set output {}\n", gnuplot_string(svg_file.string()));
  out += "set datafile missing 'NaN'\nset grid\nset key outside right top\n";
  out += "set lmargin at screen 0.09\nset rmargin at screen 0.74\n";  // both panels aligned, keys at the right
  out += fmt::format("set multiplot layout 2,1 title {}\n",
                     gnuplot_string(fmt::format("{}: lead time and busiest units against {}", g.name().empty() ? "model" : g.name(), swept)));
  out += fmt::format("set xlabel {}\n", gnuplot_string(swept));
  // Both panels over the whole range, saturated steps included (the top one has no points there).
  if (!r.steps.empty() && r.steps.back().value > r.steps.front().value)
    out += fmt::format("set xrange [{}:{}]\n", number(r.steps.front().value), number(r.steps.back().value));
  if (r.first_saturated) {
    const sweep_step& first = r.steps[*r.first_saturated];
    std::string ids;
    for (const auto& u : first.saturated) {
      if (!ids.empty()) ids += ", ";
      ids += u.id;
    }
    out += fmt::format("set arrow 1 from {0}, graph 0 to {0}, graph 1 nohead dashtype 2 lc rgb 'red'\n", number(first.value));
    out += fmt::format("set label 1 {} at {}, graph 0.92 right offset -0.5,0 tc rgb 'red'\n",
                       gnuplot_string(fmt::format("saturated: {}", ids)), number(first.value));
  }
  out += fmt::format("set ylabel {}\nset yrange [0:*]\n", gnuplot_string(fmt::format("lead time ({})", g.time_unit())));
  const bool any_stable = std::any_of(r.steps.begin(), r.steps.end(), [](const auto& st) { return !st.is_saturated; });
  if (!any_stable || s.customers.empty()) {
    out += "set yrange [0:1]\nplot 2 notitle\n";  // nothing to draw: an empty panel with the marker
  } else {
    out += "plot ";
    for (std::size_t k = 0; k < s.customers.size(); ++k) {
      out += fmt::format("{}{} using 1:{} with linespoints pt 7 ps 0.5 title {}", k ? ", \\\n     " : "", data, k + 2,
                         gnuplot_string(g.id(g.customers()[s.customers[k]])));
    }
    out += "\n";
  }
  out += "unset arrow\nunset label\n";
  out += "set ylabel 'utilization'\nset yrange [0:*]\n";
  out += "plot 1 with lines dashtype 2 lc rgb 'gray' title 'utilization 1'";
  for (std::size_t k = 0; k < s.units.size(); ++k) {
    out += fmt::format(", \\\n     {} using 1:{} with linespoints pt 7 ps 0.5 title {}", data, s.customers.size() + k + 2,
                       gnuplot_string(g.id(s.units[k])));
  }
  out += "\nunset multiplot\n";
  return out;
}

void render_sweep_chart(const service_graph& g, const sweep_result& r, const std::filesystem::path& out) {
  const auto gnuplot = detail::find_program("gnuplot");
  if (!gnuplot) throw io_error(std::string(gnuplot_missing));
  const detail::temp_file data(".dat"), script(".gp"), svg(".svg");
  detail::write_text(data.path(), sweep_chart_data(g, r));
  detail::write_text(script.path(), sweep_chart_script(g, r, data.path(), svg.path()));
  const auto ran = detail::run_program(*gnuplot, {script.path().string()}, fmt::format("gnuplot '{}'", gnuplot->string()));
  if (!ran.ok) {
    throw io_error(fmt::format("gnuplot '{}' failed ({}) rendering '{}'{}{}", gnuplot->string(), ran.how, out.string(),
                               ran.errors.empty() ? "" : ": ", ran.errors));
  }
  std::error_code ec;
  std::filesystem::copy_file(svg.path(), out, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) throw io_error(fmt::format("cannot write the SVG file '{}': {}", out.string(), ec.message()));
}

}  // namespace servicechain
