// Streamed reports (issue 13): the writer lays a document out byte for byte as nlohmann's
// dump(2) of the same value, and on every bundled example model the stream functions write
// exactly the string functions' bytes, JSON that parses back to a value whose dump(2) is
// those bytes again.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "detail/json_stream.hpp"
#include "servicechain/servicechain.hpp"
#include "servicechain/io/closed_report.hpp"
#include "servicechain/io/report.hpp"
#include "servicechain/io/structure_report.hpp"

namespace sc = servicechain;
using ordered = nlohmann::ordered_json;

namespace {

std::vector<std::filesystem::path> example_models() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(SERVICECHAIN_EXAMPLES_DIR))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// The document dump(2) of the parsed text gives: what a DOM of the same value prints.
void expect_dom_bytes(const std::string& text, const std::string& what) {
  const ordered parsed = ordered::parse(text);
  EXPECT_EQ(parsed.dump(2) + "\n", text) << what;
}

}  // namespace

TEST(ReportStreamTest, WriterLaysOutAsDump2) {
  // Empty and nested containers, escapes, non-ASCII, integers, doubles that print with an
  // exponent or a ".0", non-finite numbers (null), keys that need escaping.
  const double inf = std::numeric_limits<double>::infinity();
  ordered row = {{"a", 1}, {"b", 1.0}, {"c", 1e-5}, {"d", ordered::array()}, {"e", ordered::object()},
                 {"f", {{"g", {1, 2, {{"h", nullptr}}}}}}, {"i", inf}, {"j", "tab\there \"q\" \\ \x01 é"}};
  std::ostringstream out;
  {
    sc::detail::json_stream w(out);
    w.begin_object();
    w.key("empty_object");
    w.begin_object();
    w.end_object();
    w.key("empty_array");
    w.begin_array();
    w.end_array();
    w.key("rows");
    w.begin_array();
    w.value(row);
    w.begin_object();
    w.member("x\"y", 2.5);
    w.key("ünïcode\n");
    w.string_value("plain");
    w.end_object();
    w.string_value("needs \"escaping\"");
    w.begin_array();
    w.value(3);
    w.end_array();
    w.end_array();
    w.member("last", -0.1);
    w.end_object();
    w.finish();
  }
  ordered expected;
  expected["empty_object"] = ordered::object();
  expected["empty_array"] = ordered::array();
  expected["rows"] = ordered::array(
      {row, {{"x\"y", 2.5}, {"ünïcode\n", "plain"}}, "needs \"escaping\"", ordered::array({3})});
  expected["last"] = -0.1;
  EXPECT_EQ(out.str(), expected.dump(2) + "\n");
}

TEST(ReportStreamTest, WriterRejectsInvalidUtf8AsDumpDoes) {
  std::ostringstream out;
  sc::detail::json_stream w(out);
  w.begin_object();
  EXPECT_THROW(w.key(std::string("bad \xff byte")), nlohmann::json::type_error);
}

TEST(ReportStreamTest, StreamEqualsStringOnEveryExampleModel) {
  const auto files = example_models();
  ASSERT_GE(files.size(), 4u);
  const sc::report_format formats[] = {sc::report_format::json, sc::report_format::csv, sc::report_format::table};
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    const sc::service_graph g = sc::compile(sc::load_organization(file.string()));
    for (const auto format : formats) {
      const bool json = format == sc::report_format::json;
      const std::string what = file.filename().string() + (json ? " json" : " other");

      const sc::structure_result s = sc::analyze_structure(g);
      std::ostringstream structure;
      sc::write_structure_report(structure, g, s, format);
      EXPECT_EQ(structure.str(), sc::structure_report(g, s, format)) << what;
      if (json) expect_dom_bytes(structure.str(), what + " structure");

      std::ostringstream analysis;
      std::string expected;
      if (sc::has_closed_classes(g, g.numbers())) {
        const sc::closed_result closed = sc::analyze_closed(g);
        std::vector<double> rates;
        for (const auto& c : closed.customers) rates.push_back(c.throughput);
        const sc::load_result load = sc::compute_load(g, g.numbers(), rates);
        const sc::capacity_result cap = sc::analyze_capacity(g, g.numbers(), load);
        sc::write_closed_analysis_report(analysis, g, g.numbers(), cap, load, closed, format);
        expected = sc::closed_analysis_report(g, g.numbers(), cap, load, closed, format);
      } else {
        const sc::open_result open = sc::analyze_open(g);
        const sc::capacity_result cap = sc::analyze_capacity(g, open.load);
        sc::write_analysis_report(analysis, g, g.numbers(), cap, open.load, &open, format);
        expected = sc::analysis_report(g, g.numbers(), cap, open.load, &open, format);
        // Capacity only (no open analysis): the other shape of the report.
        std::ostringstream capacity_only;
        sc::write_analysis_report(capacity_only, g, g.numbers(), cap, open.load, nullptr, format);
        EXPECT_EQ(capacity_only.str(), sc::analysis_report(g, g.numbers(), cap, open.load, nullptr, format)) << what;
        if (json) expect_dom_bytes(capacity_only.str(), what + " capacity");
      }
      EXPECT_EQ(analysis.str(), expected) << what;
      if (json) expect_dom_bytes(analysis.str(), what + " analysis");
    }
  }
}
