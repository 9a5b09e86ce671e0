// Rework in a service chain: what a 20% rejection rate at QA costs the customer.
//
//     Intake ──> Processing ══> QA ──> Customer
//      0.5 h       0.4 h    ║   2/3 h   1 request/h
//                           ╚═ QA accepts 80% of Processing's deliveries;
//                              rejected ones are redone and checked again.
//
// the worked example of docs/semantics.md, built in code: the lead time is 7 hours, of which QA's
// queue alone causes 5. The same network without rejections takes 11/3 hours.

#include <cstdio>

#include <servicechain/servicechain.hpp>

int main() {
  namespace sc = servicechain;
  sc::organization org{.name = "rework chain", .time_unit = "hour", .currency = "EUR"};
  org.add_unit({.id = "intake", .service_time = 0.5, .cost_per_time = 40});
  org.add_unit({.id = "processing", .service_time = 0.4, .cost_per_time = 55});
  org.add_unit({.id = "qa", .service_time = 2.0 / 3.0, .cost_per_time = 60});
  org.add_unit({.id = "customer", .external = true, .demand = 1});
  org.add_link({.from = "intake", .to = "processing"});
  org.add_link({.from = "processing", .to = "qa", .acceptance = 0.8});
  org.add_link({.from = "qa", .to = "customer"});

  const sc::service_graph graph = sc::compile(org);
  const sc::open_result result = sc::analyze_open(graph);

  std::printf("%-12s %10s %12s %14s %22s\n", "unit", "load (/h)", "utilization", "sojourn (h)", "lead time share (h)");
  for (const auto& u : org.units) {
    if (u.external) continue;
    const sc::unit_index i = graph.index_of(u.id);
    const auto& perf = result.units[i.value()];
    std::printf("%-12s %10.4f %12.4f %14.4f %22.4f\n", u.id.c_str(), perf.load, perf.utilization, perf.sojourn,
                result.lead_time_contribution(i, 0));
  }
  std::printf("\nlead time of the customer: %.4f h, cost to serve: %.2f EUR per request\n",
              result.customers[0].lead_time, result.customers[0].cost_to_serve);

  for (const auto& rework : result.rework) {
    const auto& link = graph.link(rework.link);
    std::printf("rejections on %s -> %s: %.4f redos/h, %.4f extra services/h, %.2f EUR/h, +%.4f h of lead time\n",
                graph.id(link.provider).c_str(), graph.id(link.consumer).c_str(), rework.rework_flow,
                rework.extra_load, rework.extra_cost, rework.extra_lead_time[0]);
  }
  return 0;
}
