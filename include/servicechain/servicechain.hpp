#pragma once
/// @file
/// @brief The only include you need: the whole public API of ServiceChain.

#include "servicechain/error.hpp"
#include "servicechain/model/link.hpp"
#include "servicechain/model/organization.hpp"
#include "servicechain/model/unit.hpp"
#include "servicechain/model/validate.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/analysis/propagation.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/queueing.hpp"
#include "servicechain/analysis/station_model.hpp"
#include "servicechain/analysis/open_network.hpp"
#include "servicechain/analysis/critical_chain.hpp"
#include "servicechain/analysis/max_flow.hpp"
#include "servicechain/analysis/structure.hpp"
#include "servicechain/io/dot.hpp"
#include "servicechain/io/json.hpp"
#include "servicechain/io/report.hpp"
#include "servicechain/io/table.hpp"
