// A consumer of ServiceChain: builds a model in code, analyzes its capacity, parses a
// model from JSON text and catches a located parse error. It uses only the umbrella
// header, as a user would, and prints one line per check for the ctest regex.
//
//   intake (s = 0.1 h, 1 server) --> review (s = 0.4 h, 2 servers) --> client (3/h)
//
// Worked by hand: both units see 3 requests/h, so ρ_intake = 3·0.1/1 = 0.3 and
// ρ_review = 3·0.4/2 = 0.6; review is the bottleneck, and every demand can grow by
// 1/0.6 = 5/3 before it saturates.

#include <cmath>
#include <cstdio>
#include <string>

#include "servicechain/servicechain.hpp"

#ifndef SERVICECHAIN_CONSUMER_KIND
#error "SERVICECHAIN_CONSUMER_KIND must name how this consumer found ServiceChain"
#endif

int main() {
  namespace sc = servicechain;
  int failures = 0;
  auto check = [&failures](bool ok, const char* what) {
    std::printf("%s: %s\n", ok ? "ok" : "FAILED", what);
    if (!ok) ++failures;
  };

  sc::organization org{.name = "two desks", .time_unit = "hour"};
  org.add_unit({.id = "intake", .service_time = 0.1});
  org.add_unit({.id = "review", .servers = 2, .service_time = 0.4});
  org.add_unit({.id = "client", .external = true, .demand = 3.0});
  org.add_link({.from = "intake", .to = "review"});
  org.add_link({.from = "review", .to = "client"});

  const sc::service_graph g = sc::compile(org);
  const sc::capacity_result capacity = sc::analyze_capacity(g);
  const std::string bottleneck = capacity.bottleneck ? g.directory()->id(*capacity.bottleneck) : "(none)";
  const double scale = capacity.max_demand_scale.value_or(0.0);
  std::printf("bottleneck %s, utilization %.4f, max demand scale %.4f\n", bottleneck.c_str(),
              capacity.unit("review").utilization, scale);
  check(bottleneck == "review", "bottleneck is review");
  check(std::abs(capacity.unit("intake").utilization - 0.3) < 1e-12, "utilization of intake is 0.3");
  check(std::abs(capacity.unit("review").utilization - 0.6) < 1e-12, "utilization of review is 0.6");
  check(std::abs(scale - 5.0 / 3.0) < 1e-12, "max demand scale is 5/3");

  const sc::organization parsed = sc::parse_organization(
      R"({"name": "one desk", "units": [{"id": "desk", "service_time": 0.25},
          {"id": "walk_in", "external": true, "demand": 2}],
          "links": [{"from": "desk", "to": "walk_in"}]})",
      "inline");
  check(std::abs(sc::analyze_capacity(sc::compile(parsed)).unit("desk").utilization - 0.5) < 1e-12,
        "parsed model: utilization of desk is 2 * 0.25 = 0.5");

  try {
    (void)sc::parse_organization(R"({"name": "bad", "units": [{"id": "desk", "servers": "two"}]})", "inline");
    check(false, "a wrong type throws parse_error");
  } catch (const sc::parse_error& e) {
    std::printf("parse_error at %s: %s\n", e.pointer().c_str(), e.what());
    check(e.pointer() == "/units/0/servers", "parse_error names /units/0/servers");
  }

  if (failures == 0) std::printf("servicechain consumer (%s): all checks passed\n", SERVICECHAIN_CONSUMER_KIND);
  return failures == 0 ? 0 : 1;
}
