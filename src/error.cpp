#include "servicechain/error.hpp"

#include <fmt/format.h>

#include <utility>

namespace servicechain {

namespace {

std::string with_code(const std::string& code, const std::string& message) {
  return fmt::format("[{}] {}", code, message);
}

std::string list_diagnostics(const std::vector<diagnostic>& diagnostics) {
  std::string text = diagnostics.size() == 1
                         ? std::string("1 problem in the model:")
                         : fmt::format("{} problems in the model:", diagnostics.size());
  for (const auto& d : diagnostics) {
    text += "\n  ";
    text += d.to_string();
  }
  return text;
}

std::string list_saturated(const std::vector<saturated_unit>& units) {
  std::string text = fmt::format("{} saturated unit{}:", units.size(), units.size() == 1 ? "" : "s");
  for (const auto& u : units) {
    text += fmt::format("\n  unit '{}': utilization = {:.6g}, but must be < 1 (load {:.6g}, capacity {:.6g})",
                        u.id, u.utilization, u.load, u.capacity);
  }
  return text;
}

std::string describe_loops(const std::vector<divergent_loop>& loops) {
  std::string text;
  for (const auto& loop : loops) {
    std::string names;
    for (const auto& id : loop.unit_ids) {
      if (!names.empty()) names += ", ";
      names += "'" + id + "'";
    }
    if (!text.empty()) text += "\n  ";
    text += fmt::format(
        "loop of mutual service {{{}}}: loop gain = {:.6g}, but must be < 1 "
        "(each item would need infinitely many items of itself)",
        names, loop.gain);
  }
  return text;
}

}  // namespace

error::error(std::string code, const std::string& message)
    : std::runtime_error(with_code(code, message)), code_(std::move(code)) {}

std::string diagnostic::to_string() const { return location.empty() ? message : location + ": " + message; }

invalid_model_error::invalid_model_error(std::vector<diagnostic> diagnostics)
    : error(error_code::invalid_model, list_diagnostics(diagnostics)), diagnostics_(std::move(diagnostics)) {}

parse_error::parse_error(std::string source, std::string pointer, std::size_t line, std::size_t column,
                         const std::string& message)
    : error(error_code::parse_error,
            fmt::format("{}{}{}: {}", source, pointer.empty() ? "" : " (" + pointer + ")",
                        line > 0 ? fmt::format(" at line {}, column {}", line, column) : "", message)),
      pointer_(std::move(pointer)),
      line_(line),
      column_(column) {}

unstable_error::unstable_error(std::vector<saturated_unit> units)
    : error(error_code::unstable, list_saturated(units)), units_(std::move(units)) {}

loop_gain_error::loop_gain_error(std::vector<divergent_loop> loops)
    : error(error_code::loop_gain, describe_loops(loops)), loops_(std::move(loops)) {}

solver_error::solver_error(const std::string& message) : error(error_code::solver, message) {}

io_error::io_error(const std::string& message) : error(error_code::io, message) {}

}  // namespace servicechain
