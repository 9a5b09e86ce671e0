#include "servicechain/io/table.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

#include "detail/table_stream.hpp"
#include "servicechain/error.hpp"

namespace servicechain {

std::size_t detail::display_width(std::string_view s) noexcept {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char ch) {
    return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  }));
}

void detail::append_csv_cell(std::string& out, std::string_view cell) {
  // One pass over the (short) cell: find_first_of took a memchr per special character.
  const bool plain = std::none_of(cell.begin(), cell.end(),
                                  [](char ch) { return ch == ',' || ch == '"' || ch == '\n' || ch == '\r'; });
  if (plain) {
    out.append(cell);
    return;
  }
  out += '"';
  for (char ch : cell) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
}

// `load (/hour)` -> `load_per_hour`, `P(wait)` -> `p_wait`, `cost/service (EUR)` ->
// `cost_per_service_eur`. ASCII letters are lower-cased, digits and non-ASCII (UTF-8) bytes
// kept, every other run of characters becomes one `_`; '/' reads "per". So the unit of a
// column stays in its name.
std::string detail::csv_column_name(std::string_view header, std::size_t column) {
  std::string name;
  bool gap = false;
  auto put = [&](char ch) {
    if (gap && !name.empty()) name += '_';
    gap = false;
    name += ch;
  };
  for (char ch : header) {
    const auto byte = static_cast<unsigned char>(ch);
    if (ch == '/') {
      gap = true;
      put('p'), name += "er";
      gap = true;
    } else if (byte >= 0x80 || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z')) {
      put(ch);
    } else if (ch >= 'A' && ch <= 'Z') {
      put(static_cast<char>(ch - 'A' + 'a'));
    } else {
      gap = true;
    }
  }
  return name.empty() ? fmt::format("column_{}", column + 1) : name;
}

void detail::append_text_rule(std::string& out, std::span<const std::size_t> width) {
  std::size_t total = 0;
  for (std::size_t w : width) total += w;
  total += 2 * (width.empty() ? 0 : width.size() - 1);
  out.append(total, '-');
  out += '\n';
}

void detail::check_row(const table_shape& shape, const table_rows& rows, std::size_t r) {
  if (rows.cell_count(r) != shape.headers.size()) {
    throw error(
        error_code::invalid_argument,
        fmt::format("table: a row has {} cells, but the table has {} columns (first header '{}')", rows.cell_count(r),
                    shape.headers.size(), shape.headers.empty() ? std::string() : shape.headers.front()));
  }
}

text_table::text_table(std::vector<std::string> headers, std::size_t left_aligned)
    : headers_(std::move(headers)), left_aligned_(left_aligned) {}

void text_table::add_row(std::vector<std::string> cells) {
  if (cells.size() != headers_.size()) {
    throw error(error_code::invalid_argument,
                fmt::format("text_table: a row has {} cells, but the table has {} columns", cells.size(),
                            headers_.size()));
  }
  for (const auto& cell : cells) {
    text_ += cell;
    cell_end_.push_back(text_.size());
  }
  ++rows_;
}

std::string_view text_table::cell(std::size_t row, std::size_t column) const noexcept {
  const std::size_t k = row * headers_.size() + column;
  const std::size_t begin = k == 0 ? 0 : cell_end_[k - 1];
  return std::string_view(text_).substr(begin, cell_end_[k] - begin);
}

std::string text_table::to_text() const {
  std::vector<std::size_t> width(headers_.size());
  for (std::size_t c = 0; c < headers_.size(); ++c) {
    width[c] = detail::display_width(headers_[c]);
    for (std::size_t r = 0; r < rows_; ++r) width[c] = std::max(width[c], detail::display_width(cell(r, c)));
  }
  std::string out;
  detail::append_text_line(out, width, left_aligned_, [&](std::size_t c) { return std::string_view(headers_[c]); });
  detail::append_text_rule(out, width);
  for (std::size_t r = 0; r < rows_; ++r)
    detail::append_text_line(out, width, left_aligned_, [&](std::size_t c) { return cell(r, c); });
  return out;
}

std::string text_table::to_csv() const {
  std::string out;
  detail::append_csv_line(out, headers_.size(), [&](std::size_t c) { return detail::csv_column_name(headers_[c], c); });
  for (std::size_t r = 0; r < rows_; ++r)
    detail::append_csv_line(out, headers_.size(), [&](std::size_t c) { return cell(r, c); });
  return out;
}

std::string format_number(double value, int significant) {
  std::string s;
  detail::append_number(s, value, significant);
  return s;
}

void detail::append_number(std::string& out, double value, int significant) {
  if (value == 0.0) {
    out += '0';
    return;
  }
  if (!std::isfinite(value)) {
    out += value > 0 ? "inf" : (value < 0 ? "-inf" : "nan");
    return;
  }
  const double magnitude = std::abs(value);
  if (magnitude >= 1e-4 && magnitude < 1e9) {
    // Fixed notation with `significant` significant digits, trailing zeros trimmed.
    const int digits_before = magnitude >= 1 ? static_cast<int>(std::floor(std::log10(magnitude))) + 1 : 0;
    int decimals = std::max(0, significant - digits_before);
    if (magnitude < 1) decimals = significant - static_cast<int>(std::floor(std::log10(magnitude))) - 1;
    const std::size_t start = out.size();
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("{:.{}f}"), value, decimals);
    if (out.find('.', start) != std::string::npos) {
      while (out.back() == '0') out.pop_back();
      if (out.back() == '.') out.pop_back();
    }
    return;
  }
  fmt::format_to(std::back_inserter(out), FMT_COMPILE("{:.{}g}"), value, significant);
}

}  // namespace servicechain
