#include "servicechain/error.hpp"

#include <fmt/format.h>

#include "detail/message_text.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace servicechain {

namespace {

// A message lists at most this many problems, saturated units or loops (then "... and N
// more"), and a loop at most this many of its units: 10^5 bad links must not make a
// message of megabytes. The exception still carries all of them.
constexpr std::size_t max_listed = 20;
constexpr std::size_t max_loop_units = 12;

std::string with_code(const std::string& code, const std::string& message) {
  // Bounded tokens, valid UTF-8, whatever the input echoed into the message.
  return fmt::format("[{}] {}", code, detail::safe_message(message));
}

std::string more(std::size_t listed, std::size_t total) {
  return listed < total ? fmt::format("\n  ... and {} more", total - listed) : std::string();
}

std::string list_diagnostics(const std::vector<diagnostic>& diagnostics) {
  std::string text = diagnostics.size() == 1
                         ? std::string("1 problem in the model:")
                         : fmt::format("{} problems in the model:", diagnostics.size());
  const std::size_t listed = std::min(diagnostics.size(), max_listed);
  for (std::size_t i = 0; i < listed; ++i) {
    text += "\n  ";
    text += diagnostics[i].to_string();
  }
  return text + more(listed, diagnostics.size());
}

std::string list_saturated(const std::vector<saturated_unit>& units) {
  std::string text = fmt::format("{} saturated unit{}:", units.size(), units.size() == 1 ? "" : "s");
  const std::size_t listed = std::min(units.size(), max_listed);
  for (std::size_t i = 0; i < listed; ++i) {
    const auto& u = units[i];
    text += fmt::format("\n  unit '{}': utilization = {:.6g}, but must be < 1 (load {:.6g}, capacity {:.6g})",
                        detail::elided(u.id), u.utilization, u.load, u.capacity);
  }
  return text + more(listed, units.size());
}

std::string describe_loops(const std::vector<divergent_loop>& loops) {
  std::string text;
  const std::size_t listed = std::min(loops.size(), max_listed);
  for (std::size_t l = 0; l < listed; ++l) {
    const auto& loop = loops[l];
    std::string names;
    const std::size_t shown = std::min(loop.unit_ids.size(), max_loop_units);
    for (std::size_t i = 0; i < shown; ++i) {
      if (!names.empty()) names += ", ";
      names += fmt::format("'{}'", detail::elided(loop.unit_ids[i]));
    }
    if (shown < loop.unit_ids.size()) names += fmt::format(", ... ({} units in all)", loop.unit_ids.size());
    if (!text.empty()) text += "\n  ";
    text += fmt::format(
        "loop of mutual service {{{}}}: loop gain = {:.6g}, but must be < 1 "
        "(each item would need infinitely many items of itself)",
        names, loop.gain);
  }
  return text + more(listed, loops.size());
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
