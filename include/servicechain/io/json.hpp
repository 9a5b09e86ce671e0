#pragma once
/// @file
/// @brief The JSON model format: load and save an `organization` (docs/model-format.md).
///
/// Loading checks the *shape* of the file (syntax, types, known keys and enum values) and
/// reports every such problem with its JSON pointer and line/column. It does not check the
/// model's rules (positive service times, existing link endpoints, ...): that is
/// `validate()`, which `compile()` runs.

#include <filesystem>
#include <string>
#include <string_view>

#include "servicechain/model/organization.hpp"

namespace servicechain {

/// @brief Reads and parses a model file.
///
/// @param file path of a JSON model file (UTF-8).
/// @return the organization as written; omitted keys take their documented defaults.
/// @throws servicechain::io_error if the file cannot be opened or read.
/// @throws servicechain::parse_error if it is not a well-formed model: bad JSON syntax,
///         a wrong type, an unknown key or enum value, a missing required key. The message
///         names the file, the JSON pointer (`/units/3/servers`) and the line and column,
///         and lists every such problem found in the file, one per line.
/// @note On Linux with two cores or more, and for arrays of 64 MB and more in all, a helper
/// thread faults the call's large arrays in (page tables only, no byte written) while it fills
/// them; the thread is joined before the call returns.
[[nodiscard]] organization load_organization(const std::filesystem::path& file);

/// @brief Parses a model from JSON text.
///
/// @param json_text the model, one JSON object (docs/model-format.md).
/// @param source_name how error messages name the text, e.g. a file name.
/// @return the organization as written; omitted keys take their documented defaults.
/// @throws servicechain::parse_error as for `load_organization`; `pointer()`, `line()` and
///         `column()` locate the first problem.
[[nodiscard]] organization parse_organization(std::string_view json_text, std::string_view source_name = "<string>");

/// @brief Writes a model as JSON text.
///
/// Only fields that differ from their defaults are written (plus `name` and `units`, which
/// are always present), keys in the order of the format reference, numbers with the
/// shortest text that reads back to the same double. `parse_organization(to_json(org))`
/// equals `org` for every organization whose numbers are finite.
///
/// @param org the model; need not be valid (a model being edited can be saved).
/// @param indent spaces per nesting level; a negative value writes one compact line.
/// @return the JSON text, without a trailing newline.
/// @throws servicechain::invalid_model_error if a number is NaN or infinite, which JSON
///         cannot represent; lists every such field.
[[nodiscard]] std::string to_json(const organization& org, int indent = 2);

/// @brief Writes `to_json(org)` and a final newline to a file, replacing it if it exists.
///
/// @param org the model (see `to_json`).
/// @param file path to write.
/// @throws servicechain::invalid_model_error if a number is NaN or infinite.
/// @throws servicechain::io_error if the file cannot be written.
void save_organization(const organization& org, const std::filesystem::path& file);

}  // namespace servicechain
