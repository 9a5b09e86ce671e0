#pragma once
/// @file
/// @brief The one exception hierarchy of ServiceChain.
///
/// Every message has the form `[code] location: what is wrong`, e.g.
/// `[servicechain.unstable] unit 'legal': utilization = 1.25, but must be < 1`.

#include <stdexcept>
#include <string>
#include <vector>

namespace servicechain {

/// @brief The stable codes of `error::code()`, safe to branch on.
namespace error_code {
inline constexpr const char* invalid_argument = "servicechain.invalid_argument";  ///< misuse of an API argument
inline constexpr const char* invalid_model = "servicechain.invalid_model";        ///< `invalid_model_error`
inline constexpr const char* io = "servicechain.io";                              ///< `io_error`
inline constexpr const char* loop_gain = "servicechain.loop_gain";                ///< `loop_gain_error`
inline constexpr const char* not_converged = "servicechain.not_converged";        ///< an iteration reached its cap
inline constexpr const char* overflow = "servicechain.overflow";                  ///< a result beyond the double range
inline constexpr const char* parse_error = "servicechain.parse_error";            ///< `parse_error`
inline constexpr const char* solver = "servicechain.solver";                      ///< `solver_error`
inline constexpr const char* too_large = "servicechain.too_large";                ///< beyond the supported size
inline constexpr const char* unbounded = "servicechain.unbounded";                ///< an unbounded optimum
inline constexpr const char* unknown_id = "servicechain.unknown_id";              ///< no unit, link or customer with that id
inline constexpr const char* unstable = "servicechain.unstable";                  ///< `unstable_error`
}  // namespace error_code

/// @brief Base of every exception the library throws on bad data or an analytic failure.
class error : public std::runtime_error {
 public:
  /// @param code stable machine-readable code, e.g. `servicechain.invalid_model`.
  /// @param message human-readable text naming the unit, link or JSON location.
  error(std::string code, const std::string& message);

  /// @brief Stable code such as `servicechain.parse_error`; safe to branch on.
  [[nodiscard]] const std::string& code() const noexcept { return code_; }

 private:
  std::string code_{};
};

/// @brief One problem found by validation: where it is and what is wrong.
struct diagnostic {
  std::string location{};  ///< e.g. `unit 'legal' (/units/3)` or `link 'a' -> 'b' (/links/7)`
  std::string message{};   ///< e.g. `servers = 0, but must be a positive integer or "unlimited"`

  /// @brief `location: message`.
  [[nodiscard]] std::string to_string() const;
};

/// @brief The model breaks one or more rules; carries every diagnostic found.
class invalid_model_error : public error {
 public:
  /// @param diagnostics every problem found, in model order; the message lists them all.
  explicit invalid_model_error(std::vector<diagnostic> diagnostics);
  /// @brief Every problem found, each with its location in the model.
  [[nodiscard]] const std::vector<diagnostic>& diagnostics() const noexcept { return diagnostics_; }

 private:
  std::vector<diagnostic> diagnostics_{};
};

/// @brief A model file could not be read or parsed; names the JSON location.
class parse_error : public error {
 public:
  /// @param pointer JSON pointer of the offending value (`/units/3/servers`), empty if unknown.
  /// @param line,column 1-based position reported by the parser, 0 if unknown.
  parse_error(std::string source, std::string pointer, std::size_t line, std::size_t column,
              const std::string& message);
  /// @brief JSON pointer of the offending value (`/units/3/servers`); empty if unknown.
  [[nodiscard]] const std::string& pointer() const noexcept { return pointer_; }
  /// @brief 1-based line of the offending text; 0 if unknown.
  [[nodiscard]] std::size_t line() const noexcept { return line_; }
  /// @brief 1-based column of the offending text; 0 if unknown.
  [[nodiscard]] std::size_t column() const noexcept { return column_; }

 private:
  std::string pointer_{};
  std::size_t line_;
  std::size_t column_;
};

/// @brief A unit whose utilization is at least 1: its queue grows without bound.
struct saturated_unit {
  /// Id of the saturated unit.
  std::string id{};
  double utilization;  ///< ρ = λ·s / servers, ≥ 1
  double load;         ///< λ, services per time unit
  double capacity;     ///< servers / s, services per time unit
};

/// @brief An analysis that needs stability met saturated units; lists every one.
class unstable_error : public error {
 public:
  /// @param units every saturated unit; the message names them all.
  explicit unstable_error(std::vector<saturated_unit> units);
  /// @brief Every saturated unit, with its utilization, load and capacity.
  [[nodiscard]] const std::vector<saturated_unit>& units() const noexcept { return units_; }

 private:
  std::vector<saturated_unit> units_{};
};

/// @brief A loop of mutual service whose gain (spectral radius of its `requests` matrix) is ≥ 1.
struct divergent_loop {
  std::vector<std::string> unit_ids{};  ///< the units of the strongly connected component
  double gain;                        ///< spectral radius, ≥ 1
};

/// @brief One or more loops of mutual service ask for infinitely many items of themselves:
/// `(I − R) y = d` has no non-negative solution. Lists every such loop with its gain.
class loop_gain_error : public error {
 public:
  /// @param loops every loop whose gain is at least 1; the message names them all.
  explicit loop_gain_error(std::vector<divergent_loop> loops);
  /// @brief Every loop whose gain is at least 1, with its units and gain.
  [[nodiscard]] const std::vector<divergent_loop>& loops() const noexcept { return loops_; }

 private:
  std::vector<divergent_loop> loops_{};
};

/// @brief A numerical solver failed (singular system, no convergence); names what it solved.
class solver_error : public error {
 public:
  /// @param message what was solved and how it failed.
  explicit solver_error(const std::string& message);
};

/// @brief A file could not be opened, written, or an external tool could not be run.
class io_error : public error {
 public:
  /// @param message the file or tool and what went wrong.
  explicit io_error(const std::string& message);
};

}  // namespace servicechain
