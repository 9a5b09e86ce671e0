#pragma once
/// @file
/// @brief Interchange with JMT's JMVA (`.jmva` XML): product-form models of stations,
/// classes, service times and visits (docs/jmva.md).
///
/// Import turns each JMVA class into a customer and each station into a unit linked to the
/// customers that visit it (`requests` = visits); export does the reverse for a model that
/// fits JMVA's product form. The XML is read and written with pugixml.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "servicechain/analysis/load.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/model/organization.hpp"

namespace servicechain {

/// @brief One figure of a JMVA `<solutions>` block: a measure of one class at one station.
struct jmva_measure {
  std::string station{};  ///< station name (= unit id after import)
  std::string customer{};  ///< class name (= customer id after import)
  /// `Number of Customers`, `Throughput`, `Residence time` or `Utilization`, as JMVA names it.
  std::string measure{};
  double value = 0;  ///< JMVA's mean value (customers, per time unit, time units, fraction)
};

/// @brief A `.jmva` file read into a model, with JMVA's own results when the file has them.
struct jmva_document {
  /// The model read from the file.
  organization model{};
  /// The figures of the file's first `<solutions>` algorithm, in file order; empty if none.
  std::vector<jmva_measure> solutions{};
  /// Stations that became think times of closed classes (a delay station that is the
  /// class's reference station and is visited by it alone, once): `{station, class}`.
  std::vector<std::pair<std::string, std::string>> think_stations{};
};

/// @brief Parses JMVA XML text into a model.
///
/// Classes: `<closedclass name population>` → a customer with that population;
/// `<openclass name rate>` → a customer with demand = rate (per time unit). Stations:
/// `<delaystation>` → a unit with unlimited servers; `<listation servers="m">` → a unit
/// with m servers (default 1); per class, visits V > 0 → a link station → class with
/// `requests` = V and the class's service time (the unit's own when all visiting classes
/// share it; otherwise the unit serves by processor sharing, `discipline` = `shared`, with a
/// per-link `service_time`). A delay station that is a closed class's reference station,
/// visited by that class alone, once, becomes the class's `think_time`.
/// @param xml_text the file's text.
/// @param source_name how messages name the text (a file name), and the model's `name`.
/// @return the model (not yet validated) and the file's solutions, if any.
/// @throws servicechain::parse_error if the XML is malformed, a required element or
///         attribute is missing, a number does not parse, or the file uses something with no
///         equivalent here (a load-dependent `<ldstation>`, an unknown station kind, a
///         finite-capacity or blocking region); the message names the element (with the
///         station or class) and, where known, the byte offset.
[[nodiscard]] jmva_document parse_jmva(std::string_view xml_text, std::string_view source_name = "<string>");

/// @brief Reads and parses a `.jmva` file (see `parse_jmva`).
/// @throws servicechain::io_error if the file cannot be read; servicechain::parse_error as
///         `parse_jmva`.
[[nodiscard]] jmva_document load_jmva(const std::filesystem::path& file);

/// @brief Writes a compiled model as JMVA XML: one station per internal unit with work,
/// one class per customer, a delay station `<class>.think` for each closed class's think
/// time (its reference station).
///
/// Visits and per-class service times come from the flows stage: V(k, c) = services of
/// unit k per request of class c (re-checks and redos included), S(k, c) = busy time per
/// service for class c (per-link service times weighted by their services). The model must
/// fit JMVA's product form; every unit that does not is named in one error.
/// @param g the compiled structure; @param flows `compute_load(g)` (its flows revision must
///        match `g.numbers()`).
/// @return the XML text (UTF-8, with a final newline).
/// @throws servicechain::invalid_model_error listing every unit or link with no JMVA
///         equivalent: an async link (load with no wait), a priority discipline or
///         preemption, a FIFO unit with service SCV ≠ 1 or with class-dependent service
///         times (not product form; `shared` is), a customer with no demand and no
///         population.
/// @throws servicechain::error (`servicechain.invalid_argument`) if `flows` is stale.
[[nodiscard]] std::string to_jmva(const service_graph& g, const load_result& flows);

}  // namespace servicechain
