#pragma once
// Internal: tables written as their rows are made. A report's largest tables have a row per
// unit or link; held as cells, those of a 10⁶-unit model took 20 GB (benchmarks/RESULTS.md).
// Here a table is its headers and a function that makes the rows of one slot (a unit, a
// link, …): CSV is written in one pass, aligned text in two (the column widths, then the
// text), and memory holds a block of rows per thread. Blocks are made on several threads and
// written in order (ordered_blocks), so the bytes do not depend on the thread count.
// text_table renders its lines with the same functions.

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "detail/number_style.hpp"
#include "detail/ordered_blocks.hpp"

namespace servicechain::detail {

/// Display width in code points, so that headers such as "ρ" align.
[[nodiscard]] std::size_t display_width(std::string_view s) noexcept;

/// A plain CSV column name made from a display header (see text_table::to_csv).
[[nodiscard]] std::string csv_column_name(std::string_view header, std::size_t column);

/// Appends one CSV line of `columns` cells, `cell(c)` each (RFC 4180 quoting where needed).
void append_csv_line(std::string& out, std::size_t columns, const auto& cell);

/// Appends one aligned text line: `cell(c)` padded to `width[c]`, the first `left_aligned`
/// columns on the left, the others on the right, two spaces between, no trailing spaces.
void append_text_line(std::string& out, std::span<const std::size_t> width, std::size_t left_aligned, const auto& cell);

/// Appends the rule under a text table's headers: a dash per column of the line.
void append_text_rule(std::string& out, std::span<const std::size_t> width);

/// Appends `cell` to `out` quoted as RFC 4180 asks when it holds a comma, quote or line break.
void append_csv_cell(std::string& out, std::string_view cell);

/// The rows one slot of a table makes, cells appended to one buffer. A row function calls
/// text() or number() once per column, then end_row(); it may make no row, or several.
class table_rows {
 public:
  explicit table_rows(number_style style = {}) : style_(style) {}

  table_rows& text(std::string_view s) {
    text_.append(s);
    return end_cell();
  }
  /// A number in the table's style: `significant` digits for people, every digit for tools.
  table_rows& number(double v, int significant = 4) {
    style_.append(text_, v, significant);
    return end_cell();
  }
  table_rows& integer(long long v) {
    fmt::format_to(std::back_inserter(text_), FMT_COMPILE("{}"), v);
    return end_cell();
  }
  table_rows& number(const std::optional<double>& v, int significant = 4) {
    return v ? number(*v, significant) : none();
  }
  /// An empty optional: `-` for people, nothing for tools.
  table_rows& none() { return text(style_.none()); }
  /// Closes the row of the cells since the previous one.
  void end_row() { row_end_.push_back(cell_end_.size()); }
  [[nodiscard]] const number_style& style() const noexcept { return style_; }

  [[nodiscard]] std::size_t row_count() const noexcept { return row_end_.size(); }
  /// The number of cells of row `r`.
  [[nodiscard]] std::size_t cell_count(std::size_t r) const noexcept { return row_end_[r] - first_cell(r); }
  /// Cell `c` of row `r`.
  [[nodiscard]] std::string_view cell(std::size_t r, std::size_t c) const noexcept {
    const std::size_t k = first_cell(r) + c;
    const std::size_t begin = k == 0 ? 0 : cell_end_[k - 1];
    return std::string_view(text_).substr(begin, cell_end_[k] - begin);
  }
  void clear() noexcept {
    text_.clear();
    cell_end_.clear();
    row_end_.clear();
  }

 private:
  table_rows& end_cell() {
    cell_end_.push_back(text_.size());
    return *this;
  }
  [[nodiscard]] std::size_t first_cell(std::size_t r) const noexcept { return r == 0 ? 0 : row_end_[r - 1]; }

  number_style style_;
  std::string text_;
  std::vector<std::size_t> cell_end_, row_end_;
};

/// A table's columns: display headers (units in them, e.g. `load (/hour)`), the first
/// `left_aligned` holding text.
struct table_shape {
  std::vector<std::string> headers;
  std::size_t left_aligned = 1;
};

/// Slots formatted per block: enough rows to keep a thread busy, few enough to stay in cache.
inline constexpr std::size_t table_slots_per_block = 2048;

/// Throws if row `r` of `rows` has another number of cells than `shape` has columns.
void check_row(const table_shape& shape, const table_rows& rows, std::size_t r);

/// Writes `shape`'s header line and the rows `make(rows, slot)` appends for every slot in
/// [0, slots), as CSV (text_table::to_csv's layout), formatting blocks of slots on `threads`
/// threads. `make` must be safe to call from several threads at once.
template <typename Make>
void write_csv_table(std::ostream& out, const table_shape& shape, std::size_t slots, number_style style,
                     unsigned threads, const Make& make) {
  std::string header;
  append_csv_line(header, shape.headers.size(), [&](std::size_t c) { return csv_column_name(shape.headers[c], c); });
  out << header;
  struct block {
    table_rows rows;
    std::string text;
  };
  ordered_blocks(
      slots, table_slots_per_block, threads,
      [&] {
        return std::make_unique<block>(block{table_rows(style), {}});
      },
      [&](block& b, std::size_t first, std::size_t last) {
        b.rows.clear();
        b.text.clear();
        for (std::size_t slot = first; slot < last; ++slot) make(b.rows, slot);
        for (std::size_t r = 0; r < b.rows.row_count(); ++r) {
          check_row(shape, b.rows, r);
          append_csv_line(b.text, shape.headers.size(), [&](std::size_t c) { return b.rows.cell(r, c); });
        }
      },
      [&](const block& b) { out.write(b.text.data(), static_cast<std::streamsize>(b.text.size())); });
}

/// Writes `shape`'s headers, a rule and the rows `make(rows, slot)` appends for every slot in
/// [0, slots) as aligned text (text_table::to_text's layout). The rows are made twice: once
/// for the column widths, once for the text. `make` must be safe to call from several
/// threads at once and make the same rows both times.
template <typename Make>
void write_text_table(std::ostream& out, const table_shape& shape, std::size_t slots, unsigned threads,
                      const Make& make) {
  const std::size_t columns = shape.headers.size();
  std::vector<std::size_t> width(columns);
  for (std::size_t c = 0; c < columns; ++c) width[c] = display_width(shape.headers[c]);
  struct block {
    table_rows rows;
    std::vector<std::size_t> width;
    std::string text;
  };
  auto make_block = [&] { return std::make_unique<block>(block{table_rows(number_style{}), {}, {}}); };
  auto fill_rows = [&](block& b, std::size_t first, std::size_t last) {
    b.rows.clear();
    for (std::size_t slot = first; slot < last; ++slot) make(b.rows, slot);
  };
  ordered_blocks(
      slots, table_slots_per_block, threads, make_block,
      [&](block& b, std::size_t first, std::size_t last) {
        fill_rows(b, first, last);
        b.width.assign(columns, 0);
        for (std::size_t r = 0; r < b.rows.row_count(); ++r) {
          check_row(shape, b.rows, r);
          for (std::size_t c = 0; c < columns; ++c) b.width[c] = std::max(b.width[c], display_width(b.rows.cell(r, c)));
        }
      },
      [&](const block& b) {
        for (std::size_t c = 0; c < columns; ++c) width[c] = std::max(width[c], b.width[c]);
      });
  std::string head;
  append_text_line(head, width, shape.left_aligned, [&](std::size_t c) { return std::string_view(shape.headers[c]); });
  append_text_rule(head, width);
  out << head;
  ordered_blocks(
      slots, table_slots_per_block, threads, make_block,
      [&](block& b, std::size_t first, std::size_t last) {
        fill_rows(b, first, last);
        b.text.clear();
        for (std::size_t r = 0; r < b.rows.row_count(); ++r)
          append_text_line(b.text, width, shape.left_aligned, [&](std::size_t c) { return b.rows.cell(r, c); });
      },
      [&](const block& b) { out.write(b.text.data(), static_cast<std::streamsize>(b.text.size())); });
}

// ---- definitions of the line templates

void append_csv_line(std::string& out, std::size_t columns, const auto& cell) {
  for (std::size_t c = 0; c < columns; ++c) {
    if (c > 0) out += ',';
    append_csv_cell(out, cell(c));
  }
  out += '\n';
}

void append_text_line(std::string& out, std::span<const std::size_t> width, std::size_t left_aligned,
                      const auto& cell) {
  const std::size_t start = out.size();
  for (std::size_t c = 0; c < width.size(); ++c) {
    const std::string_view text = cell(c);
    const std::size_t pad = width[c] - std::min(width[c], display_width(text));
    if (c > 0) out.append(2, ' ');
    if (c >= left_aligned) out.append(pad, ' ');
    out.append(text);
    if (c < left_aligned) out.append(pad, ' ');
  }
  while (out.size() > start && out.back() == ' ') out.pop_back();
  out += '\n';
}

}  // namespace servicechain::detail
