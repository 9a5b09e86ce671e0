// Writes a generated organization (benchmarks/generator.hpp) as a JSON model file, e.g.
// for timing the command-line tool:
//
//   servicechain_make_model --units 100000 --classes 1 --seed 42 --out model.json

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <exception>
#include <string>

#include "generator.hpp"
#include "servicechain/error.hpp"
#include "servicechain/io/json.hpp"

int main(int argc, char** argv) {
  servicechain::bench::generator_options options;
  std::string out;
  CLI::App app{"servicechain_make_model: write a generated layered organization as JSON"};
  app.add_option("--units", options.units, "internal units")->required();
  app.add_option("--classes", options.classes, "external customers (classes)")->default_val(1);
  app.add_option("--seed", options.seed, "generator seed")->default_val(42);
  app.add_flag("--shuffle-units", options.shuffle_units, "list the units in random order");
  app.add_option("--out", out, "model file to write")->required();
  CLI11_PARSE(app, argc, argv);

  try {
    const servicechain::organization org = servicechain::bench::generate_organization(options);
    servicechain::save_organization(org, out);
    fmt::print("{}: {} units, {} links\n", out, org.units.size(), org.links.size());
  } catch (const std::exception& e) {
    fmt::print(stderr, "servicechain_make_model: {}\n", e.what());
    return 1;
  }
  return 0;
}
