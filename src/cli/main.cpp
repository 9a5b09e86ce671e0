// servicechain — command-line front end of the ServiceChain library.
//
// Exit codes: 0 ok; 1 invalid model or input (message on stderr, nothing on stdout);
// 2 usage error; 3 the analysis needs a stable system and a unit is saturated.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "cli/commands.hpp"
#include "servicechain/servicechain.hpp"

int main(int argc, char** argv) {
  using namespace servicechain::cli;
  CLI::App app{"servicechain: contribution and bottlenecks of a chain of internal providers and consumers"};
  app.set_version_flag("--version", std::string("servicechain ") + SERVICECHAIN_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);

  command_options options;
  auto* analyze = app.add_subcommand("analyze", "capacity, loads and bottlenecks of a model");
  analyze->add_option("MODEL", options.model, "model file (JSON, see docs/model-format.md)")->required();
  analyze->add_option("--format", options.format, "output format")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->default_val("table");

  auto* validate = app.add_subcommand("validate", "check a model and list every problem");
  validate->add_option("MODEL", options.model, "model file (JSON)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    // --help and --version are successful exits; everything else is a usage error.
    return code == 0 ? 0 : exit_usage;
  }

  return run_command(analyze->parsed() ? command::analyze : command::validate, options);
}
