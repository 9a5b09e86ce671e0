// Where does a retail bank run out of capacity first, and for whom?
//
//   retail customers <── tellers, online banking, call centre, branch manager
//          ▲                   │        │
//          │            payments back office ── fraud monitoring
//   sme customers <──── business advisors, loan operations <── credit risk
//                                                                 ▲ (rework: 78% accepted)
//                                  kyc compliance ──> loan officers
//   IT service desk and HR serve the front office; core banking serves everyone.
//
// Loads the bundled model (examples/models/retail_bank.json), ranks the units by
// utilization and shows how far each customer segment's demand could grow.

#include <cstdio>
#include <string>

#include <servicechain/servicechain.hpp>

int main(int argc, char** argv) {
  namespace sc = servicechain;
  const std::string path = argc > 1 ? argv[1] : "examples/models/retail_bank.json";
  try {
    const sc::service_graph graph = sc::compile(sc::load_organization(path));
    const sc::capacity_result capacity = sc::analyze_capacity(graph);

    std::printf("%-22s %12s %12s\n", "unit", "utilization", "headroom");
    for (std::size_t k = 0; k < capacity.ranking.size() && k < 5; ++k) {
      const sc::unit_index u = capacity.ranking[k];
      const auto& c = capacity.units[u.value()];
      std::printf("%-22s %12.3f %11.0f%%\n", graph.id(u).c_str(), c.utilization, 100 * c.headroom.value_or(0));
    }
    std::printf("\nevery demand can grow by %.1f%% before %s saturates\n\n",
                100 * (capacity.max_demand_scale.value_or(0) - 1), graph.id(*capacity.bottleneck).c_str());

    std::printf("%-18s %14s %16s %16s  %s\n", "customer", "demand (/h)", "max, others fix", "max alone", "limited by");
    for (const auto& c : capacity.customers) {
      std::printf("%-18s %14.1f %16.2f %16.2f  %s\n", graph.id(c.customer).c_str(), c.demand.value_or(0),
                  c.max_demand.value_or(0), c.max_demand_alone.value_or(0),
                  c.limiting_unit ? graph.id(*c.limiting_unit).c_str() : "-");
    }
  } catch (const sc::error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
