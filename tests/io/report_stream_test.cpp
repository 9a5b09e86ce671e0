// Streamed reports (issue 13): the writer lays a document out byte for byte as nlohmann's
// dump(2) of the same value, and on every bundled example model the stream functions write
// exactly the string functions' bytes, JSON that parses back to a value whose dump(2) is
// those bytes again.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>
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

// Where a JSON number token starting at `pos` ends.
std::size_t number_end(const std::string& s, std::size_t pos) {
  while (pos < s.size() && std::strchr("+-.0123456789eE", s[pos]) != nullptr) ++pos;
  return pos;
}

// `text` is what nlohmann's dump(2) prints for the value it parses to, byte for byte outside
// numbers; each number reads back as the same double as dump()'s (Grisu2) text of it and is
// no longer (the writer's digits are the shortest that read back).
void expect_dom_bytes(const std::string& text, const std::string& what) {
  const std::string dom = ordered::parse(text).dump(2) + "\n";
  std::size_t i = 0, j = 0, differing = 0;
  while (i < text.size() && j < dom.size()) {
    const bool number = std::strchr("-0123456789", text[i]) != nullptr && (i == 0 || std::strchr(" [", text[i - 1]));
    if (!number) {
      if (text[i] != dom[j]) break;
      ++i, ++j;
      continue;
    }
    const std::size_t i_end = number_end(text, i), j_end = number_end(dom, j);
    const std::string ours = text.substr(i, i_end - i), theirs = dom.substr(j, j_end - j);
    if (ours != theirs) {
      ++differing;
      EXPECT_EQ(std::strtod(ours.c_str(), nullptr), std::strtod(theirs.c_str(), nullptr))
          << what << ": " << ours << " and dump()'s " << theirs << " are not the same double";
      EXPECT_LE(ours.size(), theirs.size()) << what << ": " << ours << " longer than dump()'s " << theirs;
    }
    i = i_end, j = j_end;
  }
  EXPECT_TRUE(i == text.size() && j == dom.size())
      << what << ": the layouts part at byte " << i << " ('" << text.substr(i, 40) << "' vs dump()'s '"
      << dom.substr(j, 40) << "')";
  EXPECT_LE(differing, text.size() / 100) << what;  // Grisu2 and the shortest digits rarely differ
}

// A chain of `n` units serving three customers: large enough for several blocks of rows,
// and for the by-unit maps sorted on a second thread.
sc::organization chain_model(std::size_t n) {
  sc::organization org;
  org.name = "chain";
  for (std::size_t i = 0; i < n; ++i) {
    sc::unit u;
    u.id = "u" + std::to_string(i);
    u.servers = sc::server_count(2);
    u.service_time = 0.01 + 0.0001 * static_cast<double>(i % 37);
    u.cost_per_time = 1.0 + static_cast<double>(i % 5);
    org.units.push_back(u);
    if (i > 0) org.links.push_back({.from = "u" + std::to_string(i), .to = "u" + std::to_string(i - 1)});
  }
  for (int c = 0; c < 3; ++c) {
    sc::unit customer;
    customer.id = "c" + std::to_string(c);
    customer.external = true;
    customer.demand = 1.0 + c;
    org.units.push_back(customer);
    org.links.push_back({.from = "u" + std::to_string(c * 7), .to = customer.id, .requests = 1.0 + c});
  }
  return org;
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

TEST(ReportStreamTest, StringsOfEveryShortLengthAreEscapedWhereverTheByteIs) {
  // The plain-text test reads short strings with overlapping words: a byte that needs an
  // escape (or UTF-8 checking) must be seen at every position of every length up to 19.
  for (const std::string odd : {"\"", "\\", "\x01", "\x1f", "\n", "\xc3\xa9"}) {
    for (std::size_t length = 0; length < 20; ++length) {
      for (std::size_t at = 0; at <= length; ++at) {
        std::string s(length, 'x');
        if (at < length) s.replace(at, 1, odd);  // at == length: the plain string
        std::ostringstream out;
        {
          sc::detail::json_stream w(out);
          w.string_value(s);
          w.finish();
        }
        EXPECT_EQ(out.str(), nlohmann::json(s).dump() + "\n") << "length " << length << ", odd byte at " << at;
      }
    }
  }
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

TEST(ReportStreamTest, NumbersAreShortestRoundTripInDumpLayout) {
  // dump()'s own text where Grisu2's digits are the shortest: every layout case.
  const double exact[] = {0.0, -0.0, 1.0, -1.0, 0.5, 12.5, 0.1, 1e-5, 1e-4, 0.0001234, 0.001, 123.0, 1e14, 1e15,
                          1e16, 123456789012345.0, 1234567890123456.0, 5e-324, 1.7976931348623157e308,
                          2.2250738585072014e-308, 1e100, -2.5e-100, 0.30000000000000004};
  char ours[64], theirs[64];
  for (const double v : exact) {
    *sc::detail::write_double(ours, v) = '\0';
    *nlohmann::detail::to_chars(theirs, theirs + sizeof theirs, v) = '\0';
    EXPECT_STREQ(ours, theirs) << "for " << v;
  }
  // Random doubles over the whole range: each reads back as itself, is no longer than
  // dump()'s text, and is laid out alike (exponent or not, and where the point falls).
  std::mt19937_64 random(2026);
  std::size_t differing = 0;
  for (int k = 0; k < 200000; ++k) {
    const double v = k % 2 ? std::ldexp(std::uniform_real_distribution<double>(0.5, 1.0)(random),
                                        std::uniform_int_distribution<int>(-1070, 1020)(random))
                           : std::uniform_real_distribution<double>(-1e6, 1e6)(random);
    const char* end = sc::detail::write_double(ours, v);
    const std::string a(static_cast<const char*>(ours), end);
    *nlohmann::detail::to_chars(theirs, theirs + sizeof theirs, v) = '\0';
    const std::string b(theirs);
    ASSERT_EQ(std::strtod(a.c_str(), nullptr), v) << a << " does not read back as " << b;
    ASSERT_LE(a.size(), b.size()) << a << " vs dump()'s " << b;
    ASSERT_EQ(a.find('e') == std::string::npos, b.find('e') == std::string::npos) << a << " vs " << b;
    if (a.find('e') == std::string::npos) {
      ASSERT_EQ(a.find('.'), b.find('.')) << a << " vs " << b;
    }
    differing += a != b ? 1 : 0;
  }
  EXPECT_LT(differing, 1000u) << "Grisu2 and the shortest digits differ in about 1 of 2 000 numbers";
}

TEST(ReportStreamTest, ElementsOnThreadsGiveTheSerialBytes) {
  // Elements that write nothing (every third, and the first five) test the commas; an object
  // of keyed members and an array of rows; blocks of 1, 2 and 5 on 1 to 3 threads.
  auto write = [](unsigned threads, std::size_t block, std::size_t count) {
    std::ostringstream out;
    sc::detail::json_stream w(out);
    w.begin_object();
    w.key("rows");
    w.begin_array();
    sc::detail::write_elements(w, count, block, threads, [](sc::detail::json_stream& w, std::size_t i) {
      if (i % 3 == 0 || i < 5) return;
      w.begin_object();
      w.member("i", static_cast<long long>(i));
      w.member("x", 1.0 / static_cast<double>(i));
      w.end_object();
    });
    w.end_array();
    w.key("map");
    w.begin_object();
    sc::detail::write_elements(w, count, block, threads, [](sc::detail::json_stream& w, std::size_t i) {
      if (i % 3 == 1) w.member(std::to_string(i), static_cast<double>(i) / 7.0);
    });
    w.end_object();
    w.end_object();
    w.finish();
    return out.str();
  };
  for (const std::size_t count : {0u, 1u, 4u, 5u, 6u, 40u}) {
    const std::string serial = write(1, 1, count);
    expect_dom_bytes(serial, "serial, " + std::to_string(count) + " elements");
    for (const unsigned threads : {2u, 3u})
      for (const std::size_t block : {1u, 2u, 5u})
        EXPECT_EQ(write(threads, block, count), serial)
            << threads << " threads, blocks of " << block << ", " << count << " elements";
  }
}

TEST(ReportStreamTest, ElementThrowingOnAWorkerThrowsHere) {
  std::ostringstream out;
  sc::detail::json_stream w(out);
  w.begin_array();
  auto element = [](sc::detail::json_stream& w, std::size_t i) {
    if (i == 37) throw std::runtime_error("element 37");
    w.number_value(static_cast<double>(i));
  };
  EXPECT_THROW(sc::detail::write_elements(w, 1000, 4, 2, element), std::runtime_error);
}

TEST(ReportStreamTest, ReportOnThreadsEqualsTheStringOnALargeChain) {
  const sc::service_graph g = sc::compile(chain_model(2500));
  const sc::open_result open = sc::analyze_open(g);
  const sc::capacity_result cap = sc::analyze_capacity(g, open.load);
  const std::string expected = sc::analysis_report(g, g.numbers(), cap, open.load, &open, sc::report_format::json,
                                                   {.threads = 1});
  expect_dom_bytes(expected, "chain of 2500 units");
  for (const unsigned threads : {0u, 2u, 4u}) {
    std::ostringstream out;
    sc::write_analysis_report(out, g, g.numbers(), cap, open.load, &open, sc::report_format::json,
                              {.threads = threads});
    EXPECT_EQ(out.str(), expected) << threads << " threads";
  }
}

TEST(ReportStreamTest, DeepNestingLaysOutAsDump2) {
  // Indents past the writer's short copy (32 bytes) and past its line of 64 spaces.
  ordered nested = ordered::array({1.5, "leaf"});
  for (int depth = 0; depth < 40; ++depth) nested = ordered::object({{"level" + std::to_string(depth), nested}, {"n", depth}});
  std::ostringstream out;
  {
    sc::detail::json_stream w(out);
    w.value(nested);
    w.finish();
  }
  EXPECT_EQ(out.str(), nested.dump(2) + "\n");
}
