// libFuzzer target: the JSON model loader, validation, compile and every analysis.
//
// Built only with -DSERVICECHAIN_FUZZ=ON and clang (scripts/fuzz.sh). The property checked
// is the library's contract on any input: either a servicechain::error (or std::bad_alloc on
// an absurd size) or a result; never a crash, a hang, a sanitizer report, or a message that
// is unbounded or ill-formed UTF-8. And the loader's fast path (simdjson) never accepts a
// text its located path reports a problem with, and reads the same organization.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <optional>
#include <string>
#include <string_view>

#include "servicechain/servicechain.hpp"

namespace servicechain::detail {
// The loader's two paths alone (src/io/json.cpp, src/io/json_fast.cpp; in no public header).
organization parse_organization_located(std::string_view json_text, std::string_view source_name);
std::optional<organization> read_model_fast(std::string_view text, bool padded);
}  // namespace servicechain::detail

namespace {

// Messages must be bounded and valid UTF-8 whatever the input (docs/reliability.md).
constexpr std::size_t max_message_bytes = 64 * 1024;

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    if (c < 0x80) n = 0;
    else if (c >= 0xC2 && c <= 0xDF) n = 1;
    else if (c >= 0xE0 && c <= 0xEF) n = 2;
    else if (c >= 0xF0 && c <= 0xF4) n = 3;
    else return false;
    if (i + n >= s.size() && n > 0) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n + 1;
  }
  return true;
}

void check_message(const char* what) {
  const std::string_view message(what);
  if (message.size() > max_message_bytes || !valid_utf8(message)) std::abort();
}

// Results must carry no NaN: a finite-or-infinite check would flag legitimate infinities
// (an unlimited server count), so only NaN aborts here.
void check_finite(double x) {
  if (x != x) std::abort();
}

void check_fast_path(std::string_view text) {
  using namespace servicechain;
  const std::optional<organization> fast = detail::read_model_fast(text, false);
  try {
    const organization located = detail::parse_organization_located(text, "fuzz.json");
    if (fast && !(*fast == located)) std::abort();
  } catch (const servicechain::error&) {
    if (fast) std::abort();
  }
}

void run(std::string_view text) {
  using namespace servicechain;
  check_fast_path(text);
  const organization org = parse_organization(text, "fuzz.json");
  (void)validate(org);
  const service_graph g = compile(org);
  const structure_result s = analyze_structure(g);
  (void)s;
  if (has_closed_classes(g, g.numbers())) {
    const closed_result closed = analyze_closed(g);
    for (const auto& c : closed.customers) check_finite(c.throughput);
    (void)mix_bottlenecks(g);
    return;
  }
  const capacity_result capacity = analyze_capacity(g);
  (void)capacity;
  (void)analyze_open(g);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Inputs beyond 64 KB add nothing the smaller ones do not cover, and keep runs fast.
  if (size > 64 * 1024) return -1;
  try {
    run(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const servicechain::error& e) {
    check_message(e.what());
  } catch (const std::bad_alloc&) {
  }
  return 0;
}
