#pragma once
/// @file
/// @brief A small text table: aligned plain text for people, CSV for tools.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace servicechain {

/// @brief Rows of cells under named columns, rendered as aligned text or as CSV.
/// @code
/// text_table t({"unit", "load (/hour)"});
/// t.add_row({"legal", "12.5"});
/// std::cout << t.to_text();
/// @endcode
class text_table {
 public:
  /// @param headers column headers; include the unit in the header, e.g. `load (/hour)`.
  /// @param left_aligned how many leading columns hold text (left-aligned); the rest are
  ///        numbers (right-aligned).
  explicit text_table(std::vector<std::string> headers, std::size_t left_aligned = 1);
  /// @brief Appends a row; it must have one cell per column.
  /// @throws servicechain::error (`servicechain.invalid_argument`) on a wrong cell count.
  void add_row(std::vector<std::string> cells);
  /// @brief Number of rows, the header excluded.
  [[nodiscard]] std::size_t row_count() const noexcept { return rows_; }
  /// @brief Aligned text: text columns left-aligned, numbers right-aligned, a rule under the headers.
  [[nodiscard]] std::string to_text() const;
  /// @brief RFC 4180 CSV: one header line of plain column names, then one line per row;
  /// cells quoted where needed. A column name is its header made plain, its unit kept:
  /// lower-case ASCII letters, digits and non-ASCII characters, every other run of
  /// characters one `_`, `/` read as `per` (`load (/hour)` → `load_per_hour`, `P(wait)` →
  /// `p_wait`, `cost/service (EUR)` → `cost_per_service_eur`).
  [[nodiscard]] std::string to_csv() const;

 private:
  [[nodiscard]] std::string_view cell(std::size_t row, std::size_t column) const noexcept;

  std::vector<std::string> headers_;
  std::size_t left_aligned_;
  // The cells row by row in one buffer, each ending where cell_end_ says: a table of 10⁶
  // rows held as one string per cell took many times the bytes of its text.
  std::string text_;
  std::vector<std::size_t> cell_end_;
  std::size_t rows_ = 0;
};

/// @brief A number for a table cell: up to `significant` significant digits, no exponent
/// for ordinary magnitudes, `-` for an empty optional (see the overload).
[[nodiscard]] std::string format_number(double value, int significant = 4);

}  // namespace servicechain
