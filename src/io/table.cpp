#include "servicechain/io/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "servicechain/error.hpp"

namespace servicechain {

namespace {

// Display width in code points, so that headers such as "ρ" align.
std::size_t display_width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char ch) {
    return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  }));
}

std::string csv_cell(const std::string& cell) {
  if (cell.find_first_of(",\"\n\r") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char ch : cell) {
    if (ch == '"') quoted += '"';
    quoted += ch;
  }
  return quoted + "\"";
}

// A plain CSV column name from a display header: `load (/hour)` -> `load_per_hour`,
// `P(wait)` -> `p_wait`, `cost/service (EUR)` -> `cost_per_service_eur`. ASCII letters are
// lower-cased, digits and non-ASCII (UTF-8) bytes kept, every other run of characters
// becomes one `_`; '/' reads "per". So the unit of a column stays in its name.
std::string csv_column_name(const std::string& header, std::size_t column) {
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

}  // namespace

text_table::text_table(std::vector<std::string> headers, std::size_t left_aligned)
    : headers_(std::move(headers)), left_aligned_(left_aligned) {}

void text_table::add_row(std::vector<std::string> cells) {
  if (cells.size() != headers_.size()) {
    throw error(error_code::invalid_argument,
                fmt::format("text_table: a row has {} cells, but the table has {} columns", cells.size(),
                            headers_.size()));
  }
  rows_.push_back(std::move(cells));
}

std::string text_table::to_text() const {
  std::vector<std::size_t> width(headers_.size());
  for (std::size_t c = 0; c < headers_.size(); ++c) {
    width[c] = display_width(headers_[c]);
    for (const auto& row : rows_) width[c] = std::max(width[c], display_width(row[c]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string pad(width[c] - display_width(cells[c]), ' ');
      if (c > 0) out += "  ";
      out += c < left_aligned_ ? cells[c] + pad : pad + cells[c];
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(headers_);
  std::size_t total = 0;
  for (std::size_t w : width) total += w;
  total += 2 * (width.empty() ? 0 : width.size() - 1);
  std::string rule;
  for (std::size_t i = 0; i < total; ++i) rule += "-";
  out += rule + "\n";
  for (const auto& row : rows_) out += line(row);
  return out;
}

std::string text_table::to_csv() const {
  auto line = [](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (c > 0) out += ',';
      out += csv_cell(cells[c]);
    }
    return out + "\n";
  };
  std::vector<std::string> names;
  for (std::size_t c = 0; c < headers_.size(); ++c) names.push_back(csv_column_name(headers_[c], c));
  std::string out = line(names);
  for (const auto& row : rows_) out += line(row);
  return out;
}

std::string format_number(double value, int significant) {
  if (value == 0.0) return "0";
  if (!std::isfinite(value)) return value > 0 ? "inf" : (value < 0 ? "-inf" : "nan");
  const double magnitude = std::abs(value);
  if (magnitude >= 1e-4 && magnitude < 1e9) {
    // Fixed notation with `significant` significant digits, trailing zeros trimmed.
    const int digits_before = magnitude >= 1 ? static_cast<int>(std::floor(std::log10(magnitude))) + 1 : 0;
    int decimals = std::max(0, significant - digits_before);
    if (magnitude < 1) decimals = significant - static_cast<int>(std::floor(std::log10(magnitude))) - 1;
    std::string s = fmt::format("{:.{}f}", value, decimals);
    if (s.find('.') != std::string::npos) {
      while (s.back() == '0') s.pop_back();
      if (s.back() == '.') s.pop_back();
    }
    return s;
  }
  return fmt::format("{:.{}g}", value, significant);
}

}  // namespace servicechain
