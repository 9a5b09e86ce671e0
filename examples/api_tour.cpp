// The guided tour of the API reference (docs/api_mainpage.md shows its snippets): build a
// model, compile it, analyze it, read results by id, edit a number, handle errors.
//
// Hand-worked figures (M/M/1, W = s / (1 − ρ)): desk ρ = 6 · 0.1 = 0.6, W = 0.1 / 0.4 =
// 0.25 h; records ρ = 6 · 0.05 = 0.3, W = 0.05 / 0.7 = 0.0714 h; walk_in's lead time is
// their sum, 0.3214 h; the desk's wait Wq = ρ s / (1 − ρ) = 0.15 h. Its 40 EUR an hour over 6
// requests an hour cost 6.67 EUR per request. At 12 walk-ins an hour the desk has ρ = 1.2:
// saturated.

#include <cstdio>

#include <servicechain/servicechain.hpp>

int main() {
  namespace sc = servicechain;
  try {
    //! [build]
    sc::organization org{.name = "front_desk", .time_unit = "hour", .currency = "EUR"};
    // Designated initializers must follow the order in which the fields are declared
    // (C++20): .id, .name, .external, .servers, .service_time, …, .demand.
    org.add_unit({.id = "records", .servers = 1, .service_time = 0.05});
    org.add_unit({.id = "desk", .servers = 1, .service_time = 0.1, .cost_per_time = 40});
    org.add_unit({.id = "walk_in", .external = true, .demand = 6});
    org.add_link({.from = "records", .to = "desk"});  // records serves desk, per item
    org.add_link({.from = "desk", .to = "walk_in"});  // desk serves the walk-in customers
    //! [build]

    //! [analyze]
    const sc::service_graph g = sc::compile(org);  // validates; throws invalid_model_error
    const sc::open_result r = sc::analyze_open(g);
    //! [analyze]

    //! [read]
    std::printf("desk utilization %.2f, wait %.4f %s\n", r.unit("desk").utilization, r.unit("desk").wait,
                g.time_unit().c_str());
    std::printf("walk_in lead time %.4f %s, cost to serve %.2f %s\n", r.customer("walk_in").lead_time,
                g.time_unit().c_str(), r.customer("walk_in").cost_to_serve, g.currency().c_str());
    std::printf("records' share of it %.4f %s\n", r.lead_time_contribution("records", "walk_in"),
                g.time_unit().c_str());
    //! [read]

    //! [errors]
    sc::model_numbers busier = g.numbers();  // a what-if: copy the numbers, edit, analyze again
    busier.set(g, g.index_of("walk_in"), sc::unit_field::demand, 12);
    try {
      (void)sc::analyze_open(g, busier);
    } catch (const sc::unstable_error& e) {  // a saturated unit: every one is listed
      for (const auto& u : e.units()) std::printf("saturated: %s (utilization %.2f)\n", u.id.c_str(), u.utilization);
    }
    try {
      (void)r.unit("reception");
    } catch (const sc::error& e) {  // every library exception: a stable code and a message
      std::printf("%s\n", e.code().c_str());
    }
    //! [errors]
  } catch (const servicechain::error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
