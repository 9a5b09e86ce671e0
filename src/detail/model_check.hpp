#pragma once
// Internal: validation that also resolves ids, so that compile() hashes every id and
// link endpoint once instead of twice.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "servicechain/error.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/model/organization.hpp"

namespace servicechain::detail {

struct resolved_model {
  std::shared_ptr<const unit_directory> directory;
  std::vector<std::uint32_t> provider;  // per link; valid only when no diagnostic was added
  std::vector<std::uint32_t> consumer;
};

/// `unit 'id' (/units/3)`, or `unit #3 (/units/3)` for an empty id: how every message
/// locates a unit of a model.
std::string unit_location(const unit& u, std::size_t index);
/// `link 'a' -> 'b' (/links/7)`, or `link #7 (/links/7)` without endpoints.
std::string link_location(const link& l, std::size_t index);

/// Appends the problems of one unit's fields (not its id) to `out`, located at `/units/index`.
void unit_problems(const unit& u, std::size_t index, std::vector<diagnostic>& out);
/// Appends the problems of one link's numbers (not its ends) to `out`, located at `/links/index`.
void link_number_problems(const link& l, std::size_t index, std::vector<diagnostic>& out);

/// Appends every problem of `org` to `out` (see `validate`) and resolves its ids.
resolved_model check_model(const organization& org, std::vector<diagnostic>& out);

}  // namespace servicechain::detail
