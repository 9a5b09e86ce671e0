#pragma once
// The subcommands of the servicechain CLI; each prints to stdout only on success.

#include <string>

namespace servicechain::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_invalid = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_unstable = 3;

enum class command { analyze, validate };

struct command_options {
  std::string model;
  std::string format = "table";
  std::string variability = "poisson";  ///< analyze: arrival variability, poisson | propagate
};

/// Runs one subcommand; catches library errors, prints them on stderr and maps them to exit codes.
int run_command(command which, const command_options& options);

}  // namespace servicechain::cli
