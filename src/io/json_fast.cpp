// The fast path of loading a model: simdjson's On-Demand API, straight into an
// `organization`. It *accepts* only text that the located path (json.cpp) accepts without
// any problem, and then reads the very same organization: the same keys and types, the
// same number conversions as nlohmann's. At anything else (a syntax error, a wrong type,
// an unknown, missing or repeated key, an integer it cannot convert exactly, a byte-order
// mark, an underflowing number, an escaped key) it gives up, and the caller reads the text
// again with the located path, which finds every problem and words it. Giving up on a good
// file only costs time; accepting a bad one would lose its errors, so when in doubt it
// gives up.

#include "detail/huge_pages.hpp"
#include "detail/json_format.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace servicechain::detail {

namespace {

namespace od = simdjson::ondemand;

static_assert(json_padding >= simdjson::SIMDJSON_PADDING, "load_organization pads its buffer by json_padding bytes");
// Keys seen are bits of an `unsigned`.
static_assert(unit_keys.size() <= 32 && link_keys.size() <= 32 && std::size(need_names) <= 32);

/// Thrown at the first thing the fast path does not accept; caught in `read_model_fast`.
struct fast_path_miss {};

[[noreturn]] void miss() { throw fast_path_miss{}; }

template <typename T>
T need(simdjson::simdjson_result<T>&& result) {
  T value;
  if (std::move(result).get(value) != simdjson::SUCCESS) miss();
  return value;
}

/// Position of `name` in `keys`, for `case` labels: a name not in `keys` does not compile.
template <typename Range>
constexpr std::size_t index_in(const Range& keys, std::string_view name) {
  std::size_t i = 0;
  for (std::string_view key : keys) {
    if (key == name) return i;
    ++i;
  }
  throw std::logic_error("not a key of the format");
}
constexpr std::size_t model_key(std::string_view name) { return index_in(model_keys, name); }
constexpr std::size_t unit_key(std::string_view name) { return index_in(unit_keys, name); }
constexpr std::size_t link_key(std::string_view name) { return index_in(link_keys, name); }

/// A field's key as written, without unescaping it (no copy into simdjson's string
/// buffer). A key with an escape is never needed by a file of the format, so it is left to
/// the located path, which decodes it.
std::string_view raw_key(od::field& field) {
  const char* const start = field.key().raw();
  const char* p = start;
  // Stage 1 has found the closing quote; an escaped one needs a backslash first.
  while (*p != '"') {
    if (*p == '\\') miss();
    ++p;
  }
  return {start, static_cast<std::size_t>(p - start)};
}

/// Index of `key` in `known`, recorded in the bit set `seen`; misses on an unknown or
/// repeated key (both are problems for the located path, and On-Demand does not see
/// repeats).
template <typename Range>
std::size_t member_index(std::string_view key, const Range& known, unsigned& seen) {
  std::size_t i = 0;
  for (std::string_view name : known) {
    if (name == key) {
      if ((seen & (1u << i)) != 0) miss();
      seen |= 1u << i;
      return i;
    }
    ++i;
  }
  miss();
}

/// Calls `on_member(key, value)` for each member of the object `value`, in file order.
template <typename OnMember>
void for_each_member(od::value value, OnMember on_member) {
  od::object object = need(value.get_object());
  for (auto member : object) {
    od::field field = need(std::move(member));
    const std::string_view key = raw_key(field);
    on_member(key, field.value());
  }
}

/// Calls `on_element(value)` for each element of the array `value`.
template <typename OnElement>
void for_each_element(od::array array, OnElement on_element) {
  for (auto element : array) on_element(need(std::move(element)));
}

/// A number as the located path reads it into a double. simdjson and nlohmann (strtod, or
/// an exact integer converted) both round correctly, so they agree, except where nlohmann
/// is special: `-0` is the integer 0 there (+0.0), an underflow is accepted silently, and
/// a subnormal comes from a strtod that reports a range error. Those few go to the
/// located path.
double read_double(od::value& value) {
  const std::string_view token = value.raw_json_token();  // before the value is consumed
  // simdjson 3.0.1 misreads mantissas of more than 19 significant digits
  // (0.22222222222222222222 gives 0.0378: tests/io/json_fast_path_test.cpp); no double
  // needs them (to_json writes 17 at most), so they are left to strtod.
  if (token.size() > 19) {
    std::size_t digits = 0;
    for (const char c : token) {
      if (c == 'e' || c == 'E' || c == ' ' || c == '\t' || c == '\n' || c == '\r') break;
      if ((c >= '1' && c <= '9') || (c == '0' && digits > 0)) ++digits;  // leading zeros do not count
    }
    if (digits > 19) miss();
  }
  const double x = need(value.get_double());
  if (std::isnormal(x)) return x;
  if (x != 0 || std::signbit(x)) miss();  // subnormal, negative zero (and, never, inf or NaN)
  // Zero: written as zero, or an underflow if a digit of the mantissa is not.
  for (const char c : token) {
    if (c == 'e' || c == 'E' || c == ' ' || c == '\t' || c == '\n' || c == '\r') break;
    if (c >= '1' && c <= '9') miss();
  }
  return x;
}

/// An integer, also written as a whole float (`2.0`), within int64: `as_integer` in
/// json.cpp. Integers of 2^63 and beyond, which nlohmann keeps unsigned, are errors there.
std::int64_t read_integer(od::value& value) {
  const od::number_type type = need(value.get_number_type());
  if (type == od::number_type::signed_integer) return need(value.get_int64());
  if (type != od::number_type::floating_point_number) miss();
  const double x = read_double(value);
  // 2^63 is the first double above the int64 range.
  if (x == std::floor(x) && x >= -9223372036854775808.0 && x < 9223372036854775808.0)
    return static_cast<std::int64_t>(x);
  miss();
}

/// A string's contents. Without an escape they are the text between the quotes, taken in
/// place (stage 1 has checked the UTF-8 and that no control character is unescaped), which
/// spares writing every id into simdjson's string buffer; with one, simdjson unescapes it.
std::string_view read_string_view(od::value& value) {
  // The token is the string with its quotes, then any spaces up to the next token.
  const std::string_view token = value.raw_json_token();
  if (token.empty() || token.front() != '"') miss();  // not a string
  std::size_t close = token.size() - 1;
  while (token[close] != '"') --close;  // only spaces follow the closing quote
  const std::string_view contents = token.substr(1, close - 1);
  if (contents.find('\\') == std::string_view::npos) return contents;  // left unconsumed: skipped
  return need(value.get_string());
}

void read_string(od::value& value, std::string& out) {
  const std::string_view text = read_string_view(value);
  out.assign(text.data(), text.size());
}

template <typename Enum, typename Parse>
void read_enum(od::value& value, Parse parse, Enum& out) {
  const std::optional<Enum> parsed = parse(read_string_view(value));
  if (!parsed) miss();
  out = *parsed;
}

void read_servers(od::value& value, server_count& out) {
  if (need(value.type()) == od::json_type::string) {
    if (read_string_view(value) != "unlimited") miss();
    out = server_count::unlimited();
  } else {
    out = server_count(read_integer(value));
  }
}

void read_periodic(od::value value, const periodic_keys& k, std::optional<periodic_schedule>& out) {
  periodic_schedule f;
  unsigned seen = 0;
  for_each_member(value, [&](std::string_view key, od::value member) {
    switch (member_index(key, k.keys, seen)) {
      case 0: f.period = read_double(member); break;
      case 1: f.base = read_double(member); break;
      default:
        for_each_element(need(member.get_array()), [&](od::value window) {
          time_window& w = f.windows.emplace_back();
          unsigned window_seen = 0;
          for_each_member(window, [&](std::string_view window_key, od::value number) {
            switch (member_index(window_key, k.window_keys, window_seen)) {
              case 0: w.from = read_double(number); break;
              case 1: w.to = read_double(number); break;
              default: w.value = read_double(number); break;
            }
          });
          if (window_seen != 7u) miss();  // a missing key is a located problem
        });
        break;
    }
  });
  if ((seen & 1u) == 0) miss();  // no period
  out = std::move(f);
}

void read_unit(od::value value, unit& u) {
  unsigned seen = 0;
  for_each_member(value, [&](std::string_view key, od::value member) {
    switch (member_index(key, unit_keys, seen)) {
      case unit_key("id"): read_string(member, u.id); break;
      case unit_key("name"): read_string(member, u.name); break;
      case unit_key("external"): u.external = need(member.get_bool()); break;
      case unit_key("servers"): read_servers(member, u.servers); break;
      case unit_key("service_time"): u.service_time = read_double(member); break;
      case unit_key("service_scv"): u.service_scv = read_double(member); break;
      case unit_key("discipline"): read_enum(member, parse_discipline, u.queue_discipline); break;
      case unit_key("preemptive"): u.preemptive = need(member.get_bool()); break;
      case unit_key("cost_per_time"): u.cost_per_time = read_double(member); break;
      case unit_key("cost_per_request"): u.cost_per_request = read_double(member); break;
      case unit_key("yield"): u.yield = read_double(member); break;
      case unit_key("demand"): u.demand = read_double(member); break;
      case unit_key("population"): u.population = read_integer(member); break;
      case unit_key("think_time"): u.think_time = read_double(member); break;
      case unit_key("value_per_request"): u.value_per_request = read_double(member); break;
      case unit_key("schedule"): read_periodic(member, schedule_keys, u.schedule); break;
      case unit_key("profile"): read_periodic(member, profile_keys, u.profile); break;
    }
  });
  if ((seen & (1u << unit_key("id"))) == 0) miss();
}

void read_ratings(od::value value, need_ratings& out) {
  unsigned seen = 0;
  for_each_member(value, [&](std::string_view key, od::value score) {
    const std::size_t need = member_index(key, need_names, seen);
    out.emplace_back(std::string(need_names[need]), read_double(score));
  });
}

void read_link(od::value value, link& l) {
  unsigned seen = 0;
  for_each_member(value, [&](std::string_view key, od::value member) {
    switch (member_index(key, link_keys, seen)) {
      case link_key("from"): read_string(member, l.from); break;
      case link_key("to"): read_string(member, l.to); break;
      case link_key("requests"): l.requests = read_double(member); break;
      case link_key("mode"): read_enum(member, parse_link_mode, l.mode); break;
      case link_key("acceptance"): l.acceptance = read_double(member); break;
      case link_key("group"): read_string(member, l.group); break;
      case link_key("priority"): l.priority = read_integer(member); break;
      case link_key("service_time"): l.service_time = read_double(member); break;
      case link_key("service_scv"): l.service_scv = read_double(member); break;
      case link_key("ratings"): read_ratings(member, l.ratings); break;
    }
  });
  constexpr unsigned from_and_to = (1u << link_key("from")) | (1u << link_key("to"));
  if ((seen & from_and_to) != from_and_to) miss();
}

/// The elements of an array, read by `read_one` into a vector reserved to their count:
/// growing by doubling would write (and page-fault) about twice the memory and copy every
/// unit and link once more. Counting walks the array's structural tokens only. The model's
/// arrays are the largest the library allocates (74 MB of links at 10⁵ units): huge pages,
/// faulted in on another core while this one parses into them.
template <typename T, typename ReadOne>
void read_array(od::value value, std::vector<T>& out, ReadOne read_one) {
  od::array array = need(value.get_array());
  const std::size_t count = need(array.count_elements());
  detail::huge_reserve(out, count);
  const detail::background_prefault prefault(out.data(), count * sizeof(T));
  for_each_element(array, [&](od::value element) { read_one(element, out.emplace_back()); });
}

organization read_document(od::document& doc) {
  organization org;
  od::object root = need(doc.get_object());
  unsigned seen = 0;
  for (auto member : root) {
    od::field field = need(std::move(member));
    const std::string_view key = raw_key(field);
    od::value value = field.value();
    switch (member_index(key, model_keys, seen)) {
      case model_key("name"): read_string(value, org.name); break;
      case model_key("description"): read_string(value, org.description); break;
      case model_key("time_unit"): read_string(value, org.time_unit); break;
      case model_key("currency"): read_string(value, org.currency); break;
      case model_key("units"): read_array(value, org.units, read_unit); break;
      case model_key("links"): read_array(value, org.links, read_link); break;
    }
  }
  if ((seen & (1u << model_key("units"))) == 0) miss();
  // Anything after the model's closing brace is a syntax error for the located path.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) miss();
  return org;
}

}  // namespace

namespace {
constexpr std::size_t keep_parser_up_to = std::size_t{64} << 20;  // bytes of model text
}  // namespace

std::optional<organization> read_model_fast(std::string_view text, bool padded) {
  // nlohmann skips a byte-order mark; simdjson does not: the located path decides.
  if (text.starts_with("\xEF\xBB\xBF")) return std::nullopt;
  // The parser (its structural index and string buffer) and the copy of an unpadded text
  // are kept per thread: allocating them afresh costs a page fault per 4 KB touched, which
  // in this VM is as much as parsing that memory.
  thread_local od::parser parser;
  thread_local std::vector<char> copy;
  simdjson::padded_string_view input;
  if (padded) {
    input = simdjson::padded_string_view(text.data(), text.size(), text.size() + simdjson::SIMDJSON_PADDING);
  } else {
    copy.resize(text.size() + simdjson::SIMDJSON_PADDING);
    std::copy(text.begin(), text.end(), copy.begin());
    std::fill(copy.begin() + static_cast<std::ptrdiff_t>(text.size()), copy.end(), '\0');
    input = simdjson::padded_string_view(copy.data(), text.size(), copy.size());
  }
  // Past a size where the per-page cost is small beside what the index holds (at 10⁶
  // units it would hold ~370 MB through everything that follows), a thread lets go of it.
  struct release_large {
    std::size_t size;
    ~release_large() {
      if (size <= keep_parser_up_to) return;
      parser = od::parser{};
      std::vector<char>().swap(copy);
    }
  } const release{text.size()};
  try {
    od::document doc = need(parser.iterate(input));
    return read_document(doc);
  } catch (const fast_path_miss&) {
    return std::nullopt;
  }
}

}  // namespace servicechain::detail
