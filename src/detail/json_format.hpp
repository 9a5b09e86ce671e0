#pragma once

// The JSON model format's keys, shared by the located reader and writer (src/io/json.cpp)
// and the fast reader (src/io/json_fast.cpp), and the fast reader itself. Internal: not
// for public headers or the CLI.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "servicechain/model/organization.hpp"

namespace servicechain::detail {

inline constexpr std::array<std::string_view, 6> model_keys{"name",  "description", "time_unit",
                                                            "currency", "units",    "links"};
inline constexpr std::array<std::string_view, 17> unit_keys{
    "id",         "name",       "external",      "servers",          "service_time", "service_scv",
    "discipline", "preemptive", "cost_per_time", "cost_per_request", "yield",        "demand",
    "population", "think_time", "value_per_request", "schedule",     "profile"};

/// The keys of a periodic function: a unit's `schedule` (working hours) or a customer's
/// `profile` (demand shape). `keys` are those of the object, `window_keys` of each window.
struct periodic_keys {
  std::string_view field;
  std::array<std::string_view, 3> keys;         // period, the default value, the windows
  std::array<std::string_view, 3> window_keys;  // from, to, the value
  std::string_view window;                      // what one window is called
};
inline constexpr periodic_keys schedule_keys{
    "schedule", {"period", "default_servers", "shifts"}, {"from", "to", "servers"}, "shift"};
inline constexpr periodic_keys profile_keys{
    "profile", {"period", "default_weight", "windows"}, {"from", "to", "weight"}, "window"};
inline constexpr std::array<std::string_view, 10> link_keys{"from",     "to",       "requests",     "mode",
                                                            "acceptance", "group",  "priority",     "service_time",
                                                            "service_scv", "ratings"};

/// Bytes after the end of a text that `read_model_fast` may read when told the text is
/// padded (simdjson's SIMDJSON_PADDING, checked in json_fast.cpp); their values do not matter.
inline constexpr std::size_t json_padding = 64;

/// Reads a model with simdjson's On-Demand API straight into an `organization`: no DOM,
/// no pointers, no offsets. Returns the organization only for text that the located path
/// (`parse_located` + `model_reader` in json.cpp) reads without any problem, and then the
/// very same organization; at anything else it returns nothing and the caller takes the
/// located path, which finds and words every problem. `padded`: the `json_padding` bytes
/// after `text` belong to the caller and may be read; otherwise the text is copied.
[[nodiscard]] std::optional<organization> read_model_fast(std::string_view text, bool padded);

}  // namespace servicechain::detail
