#pragma once
// Internal: JSON building blocks shared by the reports (ordered keys, as documented).

#include <nlohmann/json.hpp>

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace servicechain::detail {

using report_json = nlohmann::ordered_json;

/// An empty optional or a non-finite number (an unbounded figure) is `null`: JSON has no ∞.
inline report_json json_number(double v) { return std::isfinite(v) ? report_json(v) : report_json(nullptr); }
inline report_json json_number(const std::optional<double>& v) { return v ? json_number(*v) : report_json(nullptr); }

/// [low, high] with unbounded ends as `null`.
inline report_json json_interval(const std::pair<double, double>& v) {
  return report_json::array({json_number(v.first), json_number(v.second)});
}

/// Appends a key known to be new. ordered_json's own insertion searches the object for the
/// key first, which makes an id -> value map of n units cost O(n²).
inline void append_unique(report_json& object, const std::string& key, report_json value) {
  auto& entries = object.get_ref<report_json::object_t&>();
  static_cast<std::vector<report_json::object_t::value_type>&>(entries).emplace_back(key, std::move(value));
}

}  // namespace servicechain::detail
