// Tables written as their rows are made (issue 13: a 10⁶-unit report held as table cells
// took 20 GB): the layouts, worked by hand, of text_table and of the streamed writers, which
// give the same bytes on any number of threads.

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "detail/table_stream.hpp"
#include "servicechain/error.hpp"
#include "servicechain/io/table.hpp"

namespace sc = servicechain;
namespace detail = servicechain::detail;

namespace {

// Column widths 12, 3 (ρ is one code point) and 12; the first column on the left.
const std::string expected_text =
    "unit            ρ  load (/hour)\n"
    "-------------------------------\n"
    "a             0.5            12\n"
    "longer, name    1          3.25\n";
// `ρ` keeps its letter, `/` reads "per"; a cell with a comma is quoted.
const std::string expected_csv =
    "unit,ρ,load_per_hour\n"
    "a,0.5,12\n"
    "\"longer, name\",1,3.25\n";

const detail::table_shape shape{{"unit", "ρ", "load (/hour)"}};

void two_rows(detail::table_rows& rows, std::size_t slot) {
  if (slot == 0)
    rows.text("a").number(0.5).number(12.0).end_row();
  else
    rows.text("longer, name").number(1.0).number(3.25).end_row();
}

std::string streamed_text(std::size_t slots, unsigned threads, const auto& make) {
  std::ostringstream out;
  detail::write_text_table(out, shape, slots, threads, make);
  return out.str();
}

std::string streamed_csv(std::size_t slots, unsigned threads, const auto& make) {
  std::ostringstream out;
  detail::write_csv_table(out, shape, slots, detail::number_style{.exact = true}, threads, make);
  return out.str();
}

}  // namespace

TEST(TextTable, AlignsTextLeftAndNumbersRightUnderARule) {
  sc::text_table t({"unit", "ρ", "load (/hour)"});
  t.add_row({"a", "0.5", "12"});
  t.add_row({"longer, name", "1", "3.25"});
  EXPECT_EQ(t.row_count(), 2u);
  EXPECT_EQ(t.to_text(), expected_text);
  EXPECT_EQ(t.to_csv(), expected_csv);
}

TEST(TextTable, RejectsARowOfTheWrongWidth) {
  sc::text_table t({"unit", "load"});
  EXPECT_THROW(t.add_row({"a"}), sc::error);
  EXPECT_EQ(t.row_count(), 0u);
}

TEST(TableStream, WritesTheLayoutsOfTextTable) {
  EXPECT_EQ(streamed_text(2, 1, two_rows), expected_text);
  EXPECT_EQ(streamed_csv(2, 1, two_rows), expected_csv);
}

TEST(TableStream, AnEmptyTableIsItsHeader) {
  auto none = [](detail::table_rows&, std::size_t) {};
  EXPECT_EQ(streamed_text(0, 2, none), "unit  ρ  load (/hour)\n---------------------\n");
  EXPECT_EQ(streamed_csv(5, 2, none), "unit,ρ,load_per_hour\n");
}

TEST(TableStream, TheSameBytesOnAnyNumberOfThreads) {
  // Slots making no row, one or two, over several blocks: the widths come from every block.
  auto make = [](detail::table_rows& rows, std::size_t slot) {
    for (std::size_t k = 0; k < slot % 3; ++k)
      rows.text("u" + std::to_string(slot))
          .number(static_cast<double>(slot) / 7.0)
          .number(static_cast<double>(k))
          .end_row();
  };
  const std::size_t slots = 5 * detail::table_slots_per_block + 17;
  const std::string one = streamed_text(slots, 1, make);
  EXPECT_EQ(streamed_text(slots, 2, make), one);
  EXPECT_EQ(streamed_text(slots, 5, make), one);
  EXPECT_EQ(streamed_csv(slots, 3, make), streamed_csv(slots, 1, make));
  // The widest cells decide the widths, wherever they are: the ids of the last blocks
  // ("u10256", 6) and the figures of the first (1/7 = "0.1429", 6), so ρ ends the header's
  // second column, right-aligned in 6, at 6 + 2 + 5.
  EXPECT_EQ(one.substr(0, one.find('\n')).find("ρ"), 6u + 2u + 5u);
  // Rows: 0 + 1 + 2 per three slots.
  std::size_t lines = 0;
  for (char ch : one) lines += ch == '\n';
  EXPECT_EQ(lines, 2 + slots / 3 * 3 + (slots % 3 == 2 ? 1 : 0));
}

TEST(TableStream, NumbersFollowTheStyle) {
  detail::table_rows people{detail::number_style{.exact = false}}, tools{detail::number_style{.exact = true}};
  people.number(1.0 / 3).number(2.5e-7).none().integer(12).end_row();
  tools.number(1.0 / 3).number(2.5e-7).none().integer(12).end_row();
  EXPECT_EQ(people.cell(0, 0), "0.3333");
  EXPECT_EQ(people.cell(0, 1), "2.5e-07");
  EXPECT_EQ(people.cell(0, 2), "-");
  EXPECT_EQ(people.cell(0, 3), "12");
  EXPECT_EQ(tools.cell(0, 0), "0.3333333333333333");
  EXPECT_EQ(tools.cell(0, 1), "2.5e-07");
  EXPECT_EQ(tools.cell(0, 2), "");
}

TEST(TableStream, AppendedNumbersLeaveWhatCameBefore) {
  // Trailing zeros are trimmed from the number only, never from the text before it.
  std::string out = "10";
  detail::append_number(out, 123456789.0);
  EXPECT_EQ(out, "10123456789");
  out = "1.0";
  detail::append_number(out, 3.0);
  EXPECT_EQ(out, "1.03");
  out = "x";
  detail::append_number(out, 0.000123456);
  EXPECT_EQ(out, "x0.0001235");
}

TEST(TableStream, ARowOfTheWrongWidthIsAnError) {
  auto short_row = [](detail::table_rows& rows, std::size_t) { rows.text("a").number(1.0).end_row(); };
  try {
    streamed_csv(3 * detail::table_slots_per_block, 2, short_row);
    FAIL() << "expected servicechain::error for a row of 2 cells under 3 headers";
  } catch (const sc::error& e) {
    EXPECT_NE(std::string(e.what()).find("a row has 2 cells, but the table has 3 columns"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(streamed_text(1, 1, short_row), sc::error);
}
