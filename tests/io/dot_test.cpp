#include "servicechain/io/dot.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>

#include <unistd.h>

#include "servicechain/servicechain.hpp"

namespace sc = servicechain;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

namespace fs = std::filesystem;

// The picture of `g` with the analyses its metric shows run first, as the CLI does
// (to_dot itself only formats).
std::string draw(const sc::service_graph& g, const sc::dot_options& options = {}) {
  const sc::load_result load = sc::compute_load(g);
  const sc::capacity_result capacity = sc::analyze_capacity(g, load);
  std::optional<sc::open_result> open;
  if (options.metric == sc::dot_metric::lead_time || (options.metric == sc::dot_metric::cost && options.customer))
    open = sc::analyze_open(g);
  return sc::to_dot(g, {.numbers = g.numbers(), .load = load, .capacity = capacity, .open = open ? &*open : nullptr},
                    options);
}

// ---- reading the DOT text back, independently of the writer

// Unescapes a DOT quoted string body: `\"` is a quote, `\\` one backslash (the writer's
// one-to-one escaping of ids).
std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) ++i;
    out += s[i];
  }
  return out;
}

struct node_statement {
  std::string attributes;  // the text between [ and the end of the line
  std::string fill;        // #rrggbb
  std::string font;
};

// Node statements by (unescaped) node name: lines `  "name" [attributes];` (edges have `->`).
std::map<std::string, node_statement> nodes(const std::string& dot) {
  std::map<std::string, node_statement> out;
  static const std::regex line(R"re(^ +"((?:[^"\\]|\\.)*)" \[(.*)\];$)re");
  static const std::regex fill(R"re(fillcolor="(#[0-9a-f]{6})")re");
  static const std::regex font(R"re(fontcolor="(#[0-9a-f]{6})")re");
  std::istringstream in(dot);
  for (std::string text; std::getline(in, text);) {
    std::smatch m;
    if (!std::regex_match(text, m, line)) continue;
    node_statement n{m[2].str(), "", ""};
    std::smatch c;
    if (std::regex_search(n.attributes, c, fill)) n.fill = c[1].str();
    if (std::regex_search(n.attributes, c, font)) n.font = c[1].str();
    out[unescape(m[1].str())] = n;
  }
  return out;
}

// Relative luminance of an sRGB colour "#rrggbb" (WCAG 2.1 definition).
double luminance(const std::string& hex) {
  auto channel = [&](int k) {
    const double v = std::stoi(hex.substr(1 + 2 * k, 2), nullptr, 16) / 255.0;
    return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

double contrast(const std::string& a, const std::string& b) {
  const double la = luminance(a), lb = luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

// The legend is the one node with shape=plaintext.
std::string legend(const std::string& dot) {
  for (const auto& [name, n] : nodes(dot))
    if (n.attributes.find("shape=plaintext") != std::string::npos) return n.attributes;
  return {};
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() / ("servicechain_dot_test_" + std::to_string(::getpid()) + "_" + name);
}

bool dot_installed() { return std::system("dot -V > /dev/null 2>&1") == 0; }

// Runs Graphviz itself on the text (not through render_svg): exit status 0 means it parsed.
int graphviz_exit_status(const std::string& dot_text, const fs::path& svg) {
  const fs::path in = temp_path("input.dot");
  std::ofstream(in, std::ios::binary) << dot_text;
  const int status = std::system(("dot -Tsvg -o '" + svg.string() + "' '" + in.string() + "' 2>&1").c_str());
  fs::remove(in);
  return status;
}

// ---- models worked by hand

// Tandem a -> b -> c -> customer, one server each, demand 1/hour, service times 0.2, 0.5,
// 0.8 hour: ρ = 0.2, 0.5, 0.8; M/M/1 sojourns s/(1 − ρ) = 0.25, 1, 4 hours, each visited
// once, so the lead time is 5.25 hours. Costs per hour 10, 30, 20.
sc::organization tandem() {
  sc::organization org{.name = "tandem", .time_unit = "hour", .currency = "EUR"};
  org.add_unit({.id = "a", .service_time = 0.2, .cost_per_time = 10});
  org.add_unit({.id = "b", .service_time = 0.5, .cost_per_time = 30});
  org.add_unit({.id = "c", .service_time = 0.8, .cost_per_time = 20});
  org.add_unit({.id = "customer", .external = true, .demand = 1});
  org.add_link({.from = "a", .to = "b"});
  org.add_link({.from = "b", .to = "c"});
  org.add_link({.from = "c", .to = "customer"});
  return org;
}

}  // namespace

TEST(DotTest, MetricNamesRoundTrip) {
  for (auto m : {sc::dot_metric::utilization, sc::dot_metric::lead_time, sc::dot_metric::cost})
    EXPECT_EQ(sc::parse_dot_metric(sc::to_string(m)), m);
  EXPECT_FALSE(sc::parse_dot_metric("colour").has_value());
}

// Every example model, in every metric, is valid DOT: Graphviz renders it with exit status 0.
TEST(DotTest, ExamplesParseWithGraphviz) {
  ASSERT_TRUE(dot_installed()) << "Graphviz 'dot' is not on PATH; scripts/install-deps.sh installs graphviz";
  for (const auto& entry : fs::directory_iterator(SERVICECHAIN_EXAMPLES_DIR)) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().filename().string());
    const auto g = sc::compile(sc::load_organization(entry.path()));
    const std::string customer = g.id(g.customers()[0]);
    for (const sc::dot_options& options :
         {sc::dot_options{}, sc::dot_options{.metric = sc::dot_metric::lead_time, .customer = customer},
          sc::dot_options{.metric = sc::dot_metric::cost},
          sc::dot_options{.metric = sc::dot_metric::cost, .customer = customer}}) {
      SCOPED_TRACE(std::string(sc::to_string(options.metric)));
      const std::string text = draw(g, options);
      EXPECT_EQ(text.rfind("digraph ", 0), 0u) << text.substr(0, 80);
      const fs::path svg = temp_path("example.svg");
      EXPECT_EQ(graphviz_exit_status(text, svg), 0) << text;
      EXPECT_THAT(read_file(svg), HasSubstr("<svg"));
      fs::remove(svg);
    }
  }
}

// Higher utilization, darker fill: luminance falls strictly with ρ = 0.2, 0.5, 0.8, and the
// text colour is whichever of black and white contrasts more with the fill.
TEST(DotTest, UtilizationColoursDarkenWithTheMetric) {
  const auto g = sc::compile(tandem());
  const auto n = nodes(draw(g));
  ASSERT_TRUE(n.contains("a") && n.contains("b") && n.contains("c"));
  const double la = luminance(n.at("a").fill), lb = luminance(n.at("b").fill), lc = luminance(n.at("c").fill);
  EXPECT_GT(la, lb) << n.at("a").fill << " vs " << n.at("b").fill;
  EXPECT_GT(lb, lc) << n.at("b").fill << " vs " << n.at("c").fill;
  for (const char* id : {"a", "b", "c"}) {
    const auto& u = n.at(id);
    const std::string other = u.font == "#ffffff" ? "#000000" : "#ffffff";
    EXPECT_GE(contrast(u.fill, u.font), contrast(u.fill, other)) << id << ": fill " << u.fill << ", font " << u.font;
  }
  // ρ is on a fixed 0–1 scale: 0.2 is light, 0.8 needs white text.
  EXPECT_GT(la, 0.6) << n.at("a").fill;
  EXPECT_EQ(n.at("c").font, "#ffffff");
  EXPECT_THAT(n.at("b").attributes, HasSubstr("ρ 0.5 · 1 server"));
  // Customers are a distinct shape and not coloured by the metric.
  EXPECT_THAT(n.at("customer").attributes, HasSubstr("shape=doubleoctagon"));
}

// Lead time: contributions 0.25, 1 and 4 hours (sojourns s/(1 − ρ), one visit each).
TEST(DotTest, LeadTimeColoursAndLegendMinMax) {
  const auto g = sc::compile(tandem());
  const std::string text = draw(g, {.metric = sc::dot_metric::lead_time});  // the only customer
  const auto n = nodes(text);
  EXPECT_GT(luminance(n.at("a").fill), luminance(n.at("b").fill));
  EXPECT_GT(luminance(n.at("b").fill), luminance(n.at("c").fill));
  EXPECT_THAT(n.at("c").attributes, HasSubstr("4 hour (76%)"));  // 4 / 5.25
  const std::string l = legend(text);
  EXPECT_THAT(l, HasSubstr("min 0.25 hour (a)"));
  EXPECT_THAT(l, HasSubstr("max 4 hour (c)"));
  EXPECT_THAT(l, HasSubstr("lead time 5.25 hour"));
  EXPECT_THAT(n.at("customer").attributes, HasSubstr("lead time 5.25 hour"));
}

// Cost per hour 10, 30, 20 (no per-request cost): b is darkest, a lightest.
TEST(DotTest, CostColoursAndLegendMinMax) {
  const auto g = sc::compile(tandem());
  const std::string text = draw(g, {.metric = sc::dot_metric::cost});
  const auto n = nodes(text);
  EXPECT_GT(luminance(n.at("a").fill), luminance(n.at("c").fill));
  EXPECT_GT(luminance(n.at("c").fill), luminance(n.at("b").fill));
  const std::string l = legend(text);
  EXPECT_THAT(l, HasSubstr("min 10 EUR/hour (a)"));
  EXPECT_THAT(l, HasSubstr("max 30 EUR/hour (b)"));
}

// Two customers share one desk (cost 60/hour, 1 + 2 requests/hour, s = 0.1): k = 20 per
// service. 'walk_in' sends 1 request per item to the desk and 2 to 'back' (cost 40/hour,
// load 2/hour, k = 20): its cost to serve is 20 + 2·20 = 60 per request, 1/3 at the desk.
TEST(DotTest, CostToServeOfOneCustomer) {
  sc::organization org{.name = "two", .time_unit = "hour", .currency = "EUR"};
  org.add_unit({.id = "desk", .service_time = 0.1, .cost_per_time = 60});
  org.add_unit({.id = "back", .service_time = 0.1, .cost_per_time = 40});
  org.add_unit({.id = "walk_in", .external = true, .demand = 1});
  org.add_unit({.id = "phone", .external = true, .demand = 2});
  org.add_link({.from = "desk", .to = "walk_in"});
  org.add_link({.from = "back", .to = "walk_in", .requests = 2});
  org.add_link({.from = "desk", .to = "phone"});
  const auto g = sc::compile(org);
  const std::string text = draw(g, {.metric = sc::dot_metric::cost, .customer = "walk_in"});
  const auto n = nodes(text);
  EXPECT_THAT(n.at("desk").attributes, HasSubstr("20 EUR/request (33%)"));
  EXPECT_THAT(n.at("back").attributes, HasSubstr("40 EUR/request (67%)"));
  EXPECT_GT(luminance(n.at("desk").fill), luminance(n.at("back").fill));
  EXPECT_THAT(legend(text), HasSubstr("cost to serve 60 EUR/request"));
  // lead_time is per customer: with two customers one must be named.
  try {
    (void)draw(g, {.metric = sc::dot_metric::lead_time});
    ADD_FAILURE() << "expected an error: two customers and none chosen";
  } catch (const sc::error& e) {
    EXPECT_EQ(e.code(), "servicechain.invalid_argument");
    EXPECT_THAT(e.what(), HasSubstr("'walk_in', 'phone'"));
  }
}

TEST(DotTest, UnknownOrInternalCustomerIsAnError) {
  const auto g = sc::compile(tandem());
  for (auto metric : {sc::dot_metric::utilization, sc::dot_metric::lead_time, sc::dot_metric::cost}) {
    try {
      (void)draw(g, {.metric = metric, .customer = "nobody"});
      ADD_FAILURE() << "expected an error for customer 'nobody'";
    } catch (const sc::error& e) {
      EXPECT_EQ(e.code(), "servicechain.unknown_id");
      EXPECT_THAT(e.what(), HasSubstr("customer 'nobody'"));
      EXPECT_THAT(e.what(), HasSubstr("'customer'"));  // lists the customers there are
    }
  }
  try {
    (void)draw(g, {.metric = sc::dot_metric::lead_time, .customer = "b"});
    ADD_FAILURE() << "expected an error for internal unit 'b'";
  } catch (const sc::error& e) {
    EXPECT_EQ(e.code(), "servicechain.invalid_argument");
    EXPECT_THAT(e.what(), HasSubstr("customer 'b' is an internal unit"));
  }
}

// Ids and names with DOT and HTML metacharacters come through Graphviz exactly.
TEST(DotTest, EscapesIdsAndNames) {
  sc::organization org{.name = "odd \"names\"", .time_unit = "h\\our"};
  org.add_unit({.id = "we\"ird\\unit", .name = "<b>R&D</b> 'lab'", .service_time = 0.5});
  org.add_unit({.id = "tail\\", .service_time = 0.1});
  org.add_unit({.id = "c\"", .external = true, .demand = 1});
  org.add_link({.from = "tail\\", .to = "we\"ird\\unit"});
  org.add_link({.from = "we\"ird\\unit", .to = "c\""});
  const auto g = sc::compile(org);
  const std::string text = draw(g);
  EXPECT_THAT(text, HasSubstr(R"("we\"ird\\unit" [shape=box)"));
  EXPECT_THAT(text, HasSubstr(R"("tail\\" -> "we\"ird\\unit")"));
  EXPECT_THAT(text, HasSubstr("&lt;b&gt;R&amp;D&lt;/b&gt; &#39;lab&#39;"));
  EXPECT_THAT(text, HasSubstr("we&quot;ird\\unit"));  // inside the HTML-like label, as written
  const auto n = nodes(text);
  EXPECT_TRUE(n.contains("we\"ird\\unit") && n.contains("tail\\") && n.contains("c\""));

  ASSERT_TRUE(dot_installed()) << "Graphviz 'dot' is not on PATH; scripts/install-deps.sh installs graphviz";
  const fs::path svg = temp_path("escape.svg");
  ASSERT_EQ(graphviz_exit_status(text, svg), 0) << text;
  const std::string out = read_file(svg);
  fs::remove(svg);
  // Graphviz writes the label text XML-escaped; both spellings of the quote are valid SVG.
  EXPECT_TRUE(out.find("we&quot;ird\\unit") != std::string::npos || out.find("we\"ird\\unit") != std::string::npos)
      << out;
  EXPECT_THAT(out, HasSubstr("&lt;b&gt;R&amp;D&lt;/b&gt;"));
}

// The worked example of docs/semantics.md: QA accepts 80% of Processing's deliveries, e = 0.25, one item per
// hour, so 0.25 deliveries per hour are redone. Plus an async link and a misaligned unit.
TEST(DotTest, ReworkAsyncAndMisalignedLinks) {
  sc::organization org{.name = "rework", .time_unit = "hour"};
  org.add_unit({.id = "intake", .service_time = 0.5});
  org.add_unit({.id = "processing", .service_time = 0.4});
  org.add_unit({.id = "qa", .service_time = 2.0 / 3.0});
  org.add_unit({.id = "archive", .service_time = 0.1, .cost_per_time = 5});
  org.add_unit({.id = "island", .service_time = 0.1, .cost_per_time = 7});
  org.add_unit({.id = "customer", .external = true, .demand = 1});
  org.add_link({.from = "intake", .to = "processing"});
  org.add_link({.from = "processing", .to = "qa", .acceptance = 0.8});
  org.add_link({.from = "qa", .to = "customer"});
  org.add_link({.from = "archive", .to = "qa", .requests = 0.5, .mode = sc::link_mode::async});
  const auto g = sc::compile(org);
  const std::string text = draw(g);
  EXPECT_THAT(text, HasSubstr("\"processing\" -> \"qa\" [label=\"1/hour\\nrework 0.25/hour (accepted 80%)\""));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(text, m, std::regex("\"processing\" -> \"qa\" \\[([^\\n]*)\\];")));
  EXPECT_THAT(m[1].str(), HasSubstr("style=dashed"));
  EXPECT_THAT(m[1].str(), HasSubstr("color=\"#c8102e\""));
  ASSERT_TRUE(std::regex_search(text, m, std::regex("\"archive\" -> \"qa\" \\[([^\\n]*)\\];")));
  EXPECT_THAT(m[1].str(), HasSubstr("label=\"0.5/hour\""));
  EXPECT_THAT(m[1].str(), HasSubstr("style=dotted"));
  ASSERT_TRUE(std::regex_search(text, m, std::regex("\"intake\" -> \"processing\" \\[([^\\n]*)\\];")));
  EXPECT_THAT(m[1].str(), Not(HasSubstr("style=")));

  for (auto metric : {sc::dot_metric::utilization, sc::dot_metric::cost}) {
    const std::string t = draw(g, {.metric = metric});
    const auto n = nodes(t);
    EXPECT_THAT(n.at("island").attributes, HasSubstr("misaligned"));
    EXPECT_EQ(n.at("island").fill, "#e3e3e3");
    EXPECT_THAT(n.at("archive").attributes, Not(HasSubstr("misaligned")));
    EXPECT_THAT(legend(t), HasSubstr("misaligned"));
    EXPECT_THAT(legend(t), HasSubstr("rework"));
    EXPECT_THAT(legend(t), HasSubstr("async"));
  }
  // The greyed unit is left out of the scale: the cost maximum is archive's 5, not island's 7.
  EXPECT_THAT(legend(draw(g, {.metric = sc::dot_metric::cost})), HasSubstr("max 5 per hour (archive)"));
}

// ρ = 3/h · 0.5 h = 1.5: the picture of utilization still works and marks the unit;
// lead time needs a stable model.
TEST(DotTest, SaturatedUnitsHaveABoldRedBorder) {
  sc::organization org{.name = "busy", .time_unit = "hour"};
  org.add_unit({.id = "desk", .service_time = 0.5});
  org.add_unit({.id = "calm", .service_time = 0.1});
  org.add_unit({.id = "walk_in", .external = true, .demand = 3});
  org.add_link({.from = "calm", .to = "desk"});
  org.add_link({.from = "desk", .to = "walk_in"});
  const auto g = sc::compile(org);
  const std::string text = draw(g);
  const auto n = nodes(text);
  EXPECT_THAT(n.at("desk").attributes, HasSubstr("color=\"#c8102e\", penwidth=4"));
  EXPECT_THAT(n.at("desk").attributes, HasSubstr("SATURATED"));
  EXPECT_THAT(n.at("calm").attributes, Not(HasSubstr("#c8102e")));
  EXPECT_THAT(legend(text), HasSubstr("max 1.5 (desk)"));
  EXPECT_NO_THROW((void)draw(g, {.metric = sc::dot_metric::cost}));
  EXPECT_THROW((void)draw(g, {.metric = sc::dot_metric::lead_time}), sc::unstable_error);
}

TEST(DotTest, HighlightedUnitsHaveAThickBlueBorderAndALegendEntry) {
  const auto g = sc::compile(tandem());
  const std::string text =
      draw(g, {.highlight_units = {g.index_of("b")}, .highlight_label = "gatekeepers of 'customer'"});
  const auto n = nodes(text);
  EXPECT_THAT(n.at("b").attributes, HasSubstr("color=\"#1f5fbf\", penwidth=5"));
  EXPECT_THAT(n.at("a").attributes, Not(HasSubstr("#1f5fbf")));
  EXPECT_THAT(legend(text), HasSubstr("thick blue border: gatekeepers of &#39;customer&#39;"));
  EXPECT_THAT(legend(draw(g)), Not(HasSubstr("blue")));
  try {
    (void)draw(g, {.highlight_units = {sc::unit_index{99}}});
    ADD_FAILURE() << "expected an error for unit index 99";
  } catch (const sc::error& e) {
    EXPECT_EQ(e.code(), "servicechain.invalid_argument");
    EXPECT_THAT(e.what(), HasSubstr("99"));
  }
}

// A unit whose id is "legend" does not collide with the legend node.
TEST(DotTest, LegendNameNeverCollidesWithAUnit) {
  sc::organization org{.name = "l", .time_unit = "hour"};
  org.add_unit({.id = "legend", .service_time = 0.1});
  org.add_unit({.id = "c", .external = true, .demand = 1});
  org.add_link({.from = "legend", .to = "c"});
  const auto n = nodes(draw(sc::compile(org)));
  EXPECT_THAT(n.at("legend").attributes, HasSubstr("shape=box"));
  EXPECT_TRUE(n.contains("legend_1"));
}

TEST(DotTest, RenderSvgWritesAFile) {
  ASSERT_TRUE(dot_installed()) << "Graphviz 'dot' is not on PATH; scripts/install-deps.sh installs graphviz";
  const fs::path svg = temp_path("render.svg");
  sc::render_svg(draw(sc::compile(tandem())), svg);
  const std::string out = read_file(svg);
  fs::remove(svg);
  EXPECT_THAT(out, HasSubstr("<svg"));
  EXPECT_THAT(out, HasSubstr("tandem"));
}

TEST(DotTest, RenderSvgReportsGraphvizErrors) {
  ASSERT_TRUE(dot_installed()) << "Graphviz 'dot' is not on PATH; scripts/install-deps.sh installs graphviz";
  const fs::path svg = temp_path("broken.svg");
  try {
    sc::render_svg("digraph { a -> ", svg);
    ADD_FAILURE() << "expected an io_error for broken DOT text";
  } catch (const sc::io_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("failed (exit status"));
    EXPECT_THAT(e.what(), HasSubstr("syntax error"));  // what Graphviz said
  }
  EXPECT_FALSE(fs::exists(svg));
  try {
    sc::render_svg("digraph { a }", temp_path("no_such_dir") / "x.svg");
    ADD_FAILURE() << "expected an io_error for an unwritable path";
  } catch (const sc::io_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("no_such_dir"));
  }
}

TEST(DotTest, RenderSvgWithoutGraphvizOnPath) {
  const char* old = std::getenv("PATH");
  const std::string saved = old ? old : "";
  const fs::path empty_dir = temp_path("empty_path");
  fs::create_directories(empty_dir);
  ::setenv("PATH", empty_dir.c_str(), 1);
  try {
    sc::render_svg("digraph { a }", temp_path("never.svg"));
    ADD_FAILURE() << "expected an io_error: no dot on PATH";
  } catch (const sc::io_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("Graphviz 'dot' was not found on PATH; install the Debian package graphviz, "
                                    "or omit --svg to get DOT text"));
  }
  ::setenv("PATH", saved.c_str(), 1);
  fs::remove(empty_dir);
}
