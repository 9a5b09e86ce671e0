#pragma once
// Internal: how reports print numbers. Tables for people round to a few significant
// digits; CSV for tools keeps every digit (the shortest text that round-trips).

#include <fmt/format.h>

#include <optional>
#include <string>

#include "servicechain/io/table.hpp"

namespace servicechain::detail {

struct number_style {
  bool exact = false;
  [[nodiscard]] std::string operator()(double v, int significant = 4) const {
    return exact ? fmt::format("{}", v) : format_number(v, significant);
  }
  /// An empty optional: `-` for people, an empty cell for tools.
  [[nodiscard]] std::string operator()(const std::optional<double>& v, int significant = 4) const {
    return v ? (*this)(*v, significant) : none();
  }
  [[nodiscard]] std::string none() const { return exact ? "" : "-"; }
};

}  // namespace servicechain::detail
