#pragma once
// Internal: how reports print numbers. Tables for people round to a few significant
// digits; CSV for tools keeps every digit (the shortest text that round-trips).

#include <fmt/compile.h>
#include <fmt/format.h>

#include <iterator>
#include <optional>
#include <string>

#include "servicechain/io/table.hpp"

namespace servicechain::detail {

/// Appends `format_number(value, significant)`'s text to `out`, without a string of its own.
void append_number(std::string& out, double value, int significant = 4);

/// Appends the shortest text that reads back as `value` (fmt's `{}`) to `out`.
inline void append_exact(std::string& out, double value) {
  fmt::format_to(std::back_inserter(out), FMT_COMPILE("{}"), value);  // compiled: no format string parsed per number
}

struct number_style {
  bool exact = false;
  [[nodiscard]] std::string operator()(double v, int significant = 4) const {
    std::string s;
    append(s, v, significant);
    return s;
  }
  /// An empty optional: `-` for people, an empty cell for tools.
  [[nodiscard]] std::string operator()(const std::optional<double>& v, int significant = 4) const {
    return v ? (*this)(*v, significant) : none();
  }
  [[nodiscard]] std::string none() const { return exact ? "" : "-"; }
  /// Appends `(*this)(v, significant)` to `out`.
  void append(std::string& out, double v, int significant = 4) const {
    if (exact)
      append_exact(out, v);
    else
      append_number(out, v, significant);
  }
};

}  // namespace servicechain::detail
