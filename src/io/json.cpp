#include "servicechain/io/json.hpp"

#include "detail/json_format.hpp"
#include "detail/mapped_file.hpp"
#include "detail/message_text.hpp"
#include "detail/model_check.hpp"
#include "detail/spelling.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "servicechain/error.hpp"

namespace servicechain {

namespace {

// ordered_json keeps keys in file order: problems are reported in reading order, ratings
// keep their order (part of `organization ==`), and saved files list keys as documented.
using json = nlohmann::ordered_json;

constexpr std::size_t unknown_offset = std::numeric_limits<std::size_t>::max();

// ------------------------------------------------------------------ the format's keys

using detail::link_keys;
using detail::model_keys;
using detail::periodic_keys;
using detail::profile_keys;
using detail::schedule_keys;
using detail::unit_keys;
constexpr std::array<std::string_view, 5> discipline_values{"fifo", "external_first", "internal_first", "priority",
                                                            "shared"};
constexpr std::array<std::string_view, 2> mode_values{"sync", "async"};

// ------------------------------------------------------------------ small text helpers

/// The closest candidate if it is a plausible typo of `wrong`, else empty.
template <typename Range>
std::string_view closest(std::string_view wrong, const Range& candidates) {
  return detail::closest_spelling(wrong, candidates, [](std::string_view name) { return name; });
}

template <typename Range>
std::string join_quoted(const Range& names, char quote) {
  std::string text;
  for (std::string_view name : names) {
    if (!text.empty()) text += ", ";
    text += quote;
    text += name;
    text += quote;
  }
  return text;
}

/// RFC 6901 escaping of one reference token; a key longer than 64 bytes (never a key of
/// the format) is cut to 64 + "…", so that no pointer, and no message, grows with a key.
std::string pointer_token(std::string_view key) {
  constexpr std::size_t max_key = 64;
  std::string holder;
  if (key.size() > max_key) {
    holder = detail::elided(key, max_key);
    key = holder;
  }
  std::string token;
  token.reserve(key.size());
  for (char c : key) {
    if (c == '~')
      token += "~0";
    else if (c == '/')
      token += "~1";
    else
      token += c;
  }
  return token;
}

std::string child_pointer(std::string_view parent, std::string_view key) {
  return std::string(parent) + "/" + pointer_token(key);
}

std::string child_pointer(std::string_view parent, std::size_t index) {
  return std::string(parent) + "/" + std::to_string(index);
}

/// A JSON value as it appeared, shortened so a stray object does not flood the message.
std::string shown(const json& value) {
  constexpr std::size_t limit = 60;
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > limit) {
    std::size_t cut = limit - 3;  // on a character boundary: the message stays valid UTF-8
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut) + "...";
  }
  return text;
}

/// 1-based line and column (in bytes) of a 0-based byte offset.
std::pair<std::size_t, std::size_t> line_column(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, offset - line_start + 1};
}

// ------------------------------------------------------------------ parsing with positions

/// An input iterator over the text that publishes how far the parser has read. nlohmann's
/// SAX events carry no position, so this is how each value gets its line and column.
class tracking_iterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  tracking_iterator() = default;
  tracking_iterator(const char* position, const char** frontier) : position_(position), frontier_(frontier) {}

  reference operator*() const { return *position_; }
  tracking_iterator& operator++() {
    ++position_;
    *frontier_ = position_;
    return *this;
  }
  tracking_iterator operator++(int) {
    tracking_iterator before = *this;
    ++*this;
    return before;
  }
  friend bool operator==(const tracking_iterator& a, const tracking_iterator& b) { return a.position_ == b.position_; }

 private:
  const char* position_ = nullptr;
  const char** frontier_ = nullptr;
};

bool is_structural_or_space(char c) {
  return c == ',' || c == ']' || c == '}' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// Start of the scalar token that ends at or just before `end` (the parser has read a number
/// one character too far, to see where it stops).
std::size_t scalar_start(std::string_view text, std::size_t end) {
  std::size_t p = std::min(end, text.size());
  while (p > 0 && is_structural_or_space(text[p - 1])) --p;
  if (p == 0) return 0;
  if (text[p - 1] == '"') {
    // The opening quote is the nearest earlier quote not escaped by an odd run of
    // backslashes: inside a JSON string every quote is escaped.
    for (std::size_t q = p - 1; q-- > 0;) {
      if (text[q] != '"') continue;
      std::size_t backslashes = 0;
      while (backslashes < q && text[q - 1 - backslashes] == '\\') ++backslashes;
      if (backslashes % 2 == 0) return q;
    }
    return 0;
  }
  while (p > 0 && !is_structural_or_space(text[p - 1]) && text[p - 1] != '[' && text[p - 1] != '{') --p;
  return p;
}

/// One problem with the file's shape, located by pointer and byte offset.
struct problem {
  std::string pointer;
  std::size_t offset;  ///< 0-based byte offset, `unknown_offset` if none
  std::string message;
};

/// The parsed document plus where each value and key starts.
struct located_document {
  json root;
  std::unordered_map<std::string, std::size_t> value_offsets;
  std::unordered_map<std::string, std::size_t> key_offsets;
  std::vector<problem> problems;  ///< duplicate keys, found while building
};

/// SAX handler that builds the DOM (as nlohmann's own DOM parser does), tracks the JSON
/// pointer of the value being read, and records the offset of every value and key.
class located_builder {
 public:
  located_builder(std::string_view text, const char* const* frontier, located_document& doc)
      : text_(text), frontier_(frontier), doc_(doc) {}

  bool null() { return insert(json(nullptr), false); }
  bool boolean(bool value) { return insert(json(value), false); }
  bool number_integer(json::number_integer_t value) { return insert(json(value), false); }
  bool number_unsigned(json::number_unsigned_t value) { return insert(json(value), false); }
  bool number_float(json::number_float_t value, const json::string_t& /*text*/) { return insert(json(value), false); }
  bool string(json::string_t& value) { return insert(json(std::move(value)), false); }
  bool binary(json::binary_t& value) { return insert(json::binary(std::move(value)), false); }

  bool start_object(std::size_t /*elements*/) { return open(json::object(), false); }
  bool start_array(std::size_t /*elements*/) { return open(json::array(), true); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(json::string_t& key) {
    frame& top = frames_.back();
    std::string pointer = bounded(top.pointer, child_pointer(top.pointer, key));
    const std::size_t offset = scalar_start(text_, consumed());
    if (top.node->contains(key)) {
      // nlohmann would silently keep the last one; a repeated key is almost always an edit
      // that forgot the first.
      doc_.problems.push_back(
          {pointer, offset, fmt::format("key '{}' appears twice in the same object", detail::elided(key))});
    } else if (!is_elided(pointer)) {
      doc_.key_offsets.emplace(pointer, offset);
    }
    pending_key_ = std::move(key);
    return true;
  }

  template <typename Exception>
  bool parse_error(std::size_t position, const std::string& /*last_token*/, const Exception& ex) {
    // `position` counts the characters read including the offending one.
    syntax_offset_ = position > 0 ? position - 1 : 0;
    syntax_message_ = ex.what();
    return false;
  }

  /// The pointer of the value being read when the syntax error struck.
  [[nodiscard]] std::string current_pointer() const {
    if (frames_.empty()) return {};
    const frame& top = frames_.back();
    if (top.is_array) return bounded(top.pointer, child_pointer(top.pointer, top.node->size()));
    return pending_key_ ? bounded(top.pointer, child_pointer(top.pointer, *pending_key_)) : top.pointer;
  }
  [[nodiscard]] std::size_t syntax_offset() const { return syntax_offset_; }
  [[nodiscard]] const std::string& syntax_message() const { return syntax_message_; }

 private:
  struct frame {
    json* node;
    std::string pointer;
    bool is_array;
  };

  [[nodiscard]] std::size_t consumed() const { return static_cast<std::size_t>(*frontier_ - text_.data()); }

  /// A model nests 5 levels at most; deeper input is rejected before its depth can cost
  /// stack (the DOM's copies and dumps recurse) or time (every value's pointer).
  static constexpr std::size_t max_depth = 64;
  /// Pointers longer than this are elided ("/…") and their offsets not stored: the reader
  /// asks only for the short pointers of the format, so the cost per value is bounded.
  static constexpr std::size_t max_pointer = 256;
  static constexpr std::string_view elision = "/…";

  static bool is_elided(std::string_view pointer) {
    return pointer.size() >= elision.size() && pointer.substr(pointer.size() - elision.size()) == elision;
  }

  static std::string bounded(std::string_view parent, std::string child) {
    if (is_elided(parent)) return std::string(parent);
    if (child.size() <= max_pointer) return child;
    return std::string(parent) + std::string(elision);
  }

  std::string next_pointer() const {
    if (frames_.empty()) return {};
    const frame& top = frames_.back();
    return bounded(top.pointer, top.is_array ? child_pointer(top.pointer, top.node->size())
                                             : child_pointer(top.pointer, *pending_key_));
  }

  json* place(json value, std::string pointer, std::size_t offset) {
    if (!is_elided(pointer)) doc_.value_offsets.emplace(std::move(pointer), offset);
    if (frames_.empty()) {
      doc_.root = std::move(value);
      return &doc_.root;
    }
    frame& top = frames_.back();
    if (top.is_array) {
      top.node->push_back(std::move(value));
      return &top.node->back();
    }
    json& slot = (*top.node)[*pending_key_];
    slot = std::move(value);
    pending_key_.reset();
    return &slot;
  }

  bool insert(json value, bool /*container*/) {
    std::string pointer = next_pointer();
    place(std::move(value), std::move(pointer), scalar_start(text_, consumed()));
    return true;
  }

  bool open(json container, bool is_array) {
    if (frames_.size() >= max_depth) {
      syntax_offset_ = consumed() > 0 ? consumed() - 1 : 0;
      syntax_message_ = fmt::format("values nested more than {} levels deep, but a model nests at most a few", max_depth);
      return false;
    }
    std::string pointer = next_pointer();
    // The parser has just read the bracket itself.
    const std::size_t offset = consumed() > 0 ? consumed() - 1 : 0;
    json* node = place(std::move(container), pointer, offset);
    // Children are only added to the innermost open container, so `node` stays valid
    // until it is closed, although its parent is an ordered_map (a vector).
    frames_.push_back({node, std::move(pointer), is_array});
    return true;
  }

  bool close() {
    frames_.pop_back();
    return true;
  }

  std::string_view text_;
  const char* const* frontier_;
  located_document& doc_;
  std::vector<frame> frames_;
  std::optional<std::string> pending_key_;
  std::size_t syntax_offset_ = 0;
  std::string syntax_message_;
};

/// nlohmann's message without its `[json.exception...] parse error at line L, column C: `
/// prefix, since the location is reported in our own format.
std::string strip_nlohmann_prefix(std::string message) {
  if (!message.empty() && message.front() == '[') {
    if (auto end = message.find("] "); end != std::string::npos) message.erase(0, end + 2);
  }
  if (message.rfind("parse error", 0) == 0) {
    if (auto colon = message.find(": "); colon != std::string::npos) message.erase(0, colon + 2);
  }
  return message;
}

[[noreturn]] void throw_problems(std::string_view source, std::string_view text, std::vector<problem> problems) {
  const problem& first = problems.front();
  auto [line, column] = first.offset == unknown_offset ? std::pair<std::size_t, std::size_t>{0, 0}
                                                       : line_column(text, first.offset);
  if (problems.size() == 1) throw parse_error(std::string(source), first.pointer, line, column, first.message);

  std::string message = fmt::format("{} problems:", problems.size());
  // At most 20 listed: 10^5 bad values must not make a message of megabytes.
  constexpr std::size_t max_listed = 20;
  const std::size_t unlisted = problems.size() > max_listed ? problems.size() - max_listed : 0;
  problems.resize(problems.size() - unlisted);
  for (const problem& p : problems) {
    message += "\n  ";
    message += p.pointer.empty() ? std::string("(top level)") : p.pointer;
    if (p.offset != unknown_offset) {
      auto [l, c] = line_column(text, p.offset);
      message += fmt::format(" at line {}, column {}", l, c);
    }
    message += ": ";
    message += p.message;
  }
  if (unlisted > 0) message += fmt::format("\n  ... and {} more", unlisted);
  throw parse_error(std::string(source), first.pointer, line, column, message);
}

located_document parse_located(std::string_view text, std::string_view source) {
  located_document doc;
  const char* frontier = text.data();
  located_builder builder(text, &frontier, doc);
  const tracking_iterator first(text.data(), &frontier);
  const tracking_iterator last(text.data() + text.size(), &frontier);
  if (!json::sax_parse(first, last, &builder)) {
    std::string message = "invalid JSON: " + strip_nlohmann_prefix(builder.syntax_message());
    if (builder.syntax_offset() >= text.size()) message += " (the text ends early: is the file truncated?)";
    throw_problems(source, text, {{builder.current_pointer(), builder.syntax_offset(), std::move(message)}});
  }
  return doc;
}

// ------------------------------------------------------------------ JSON -> organization

/// Reads the model from the DOM, collecting every shape problem instead of stopping at the first.
class model_reader {
 public:
  explicit model_reader(located_document& doc) : doc_(doc) {}

  organization read() {
    organization org;
    const json& root = doc_.root;
    if (!root.is_object()) {
      report_value("", fmt::format("the model is {}, but must be a JSON object with the keys {}", shown(root),
                                   join_quoted(model_keys, '\'')));
      return org;
    }
    check_keys(root, "", model_keys, "the model");
    read_string(root, "", "name", org.name);
    read_string(root, "", "description", org.description);
    read_string(root, "", "time_unit", org.time_unit);
    read_string(root, "", "currency", org.currency);

    if (const json* units = member(root, "units"); units == nullptr) {
      report_value("", "missing key 'units', but a model needs it (an array of units)");
    } else if (!units->is_array()) {
      type_error("/units", "units", *units, "an array of units");
    } else {
      org.units.reserve(units->size());
      for (std::size_t i = 0; i < units->size(); ++i) read_unit((*units)[i], child_pointer("/units", i), org);
    }

    if (const json* links = member(root, "links"); links != nullptr) {
      if (!links->is_array()) {
        type_error("/links", "links", *links, "an array of links");
      } else {
        org.links.reserve(links->size());
        for (std::size_t i = 0; i < links->size(); ++i) read_link((*links)[i], child_pointer("/links", i), org);
      }
    }
    return org;
  }

 private:
  static const json* member(const json& object, std::string_view key) {
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
  }

  std::size_t offset_of(const std::unordered_map<std::string, std::size_t>& offsets, const std::string& pointer) const {
    auto it = offsets.find(pointer);
    return it == offsets.end() ? unknown_offset : it->second;
  }

  void report_value(const std::string& pointer, std::string message) {
    doc_.problems.push_back({pointer, offset_of(doc_.value_offsets, pointer), std::move(message)});
  }

  void report_key(const std::string& pointer, std::string message) {
    doc_.problems.push_back({pointer, offset_of(doc_.key_offsets, pointer), std::move(message)});
  }

  void type_error(const std::string& pointer, std::string_view field, const json& value, std::string_view expected) {
    report_value(pointer, fmt::format("{} = {}, but must be {}", field, shown(value), expected));
  }

  template <typename Range>
  void check_keys(const json& object, const std::string& pointer, const Range& known, std::string_view what) {
    for (const auto& [key, value] : object.items()) {
      if (std::find(std::begin(known), std::end(known), key) != std::end(known)) continue;
      const std::string_view hint = closest(key, known);
      report_key(child_pointer(pointer, key),
                 hint.empty() ? fmt::format("unknown key '{}' in {}; the keys are {}", detail::elided(key), what, join_quoted(known, '\''))
                              : fmt::format("unknown key '{}' in {} (did you mean '{}'?)", detail::elided(key), what, hint));
    }
  }

  void read_string(const json& object, const std::string& pointer, std::string_view key, std::string& out) {
    const json* value = member(object, key);
    if (value == nullptr) return;
    if (value->is_string())
      out = value->get<std::string>();
    else
      type_error(child_pointer(pointer, key), key, *value, "a string");
  }

  void read_bool(const json& object, const std::string& pointer, std::string_view key, bool& out) {
    const json* value = member(object, key);
    if (value == nullptr) return;
    if (value->is_boolean())
      out = value->get<bool>();
    else
      type_error(child_pointer(pointer, key), key, *value, "true or false");
  }

  /// Any JSON number; the parser has already rejected overflow, and JSON has no NaN.
  std::optional<double> read_number(const json& object, const std::string& pointer, std::string_view key) {
    const json* value = member(object, key);
    if (value == nullptr) return std::nullopt;
    if (value->is_number()) return value->get<double>();
    type_error(child_pointer(pointer, key), key, *value, "a number");
    return std::nullopt;
  }

  void read_number(const json& object, const std::string& pointer, std::string_view key, double& out) {
    if (auto v = read_number(object, pointer, key)) out = *v;
  }

  /// An integer, also written as a float with no fraction (`2.0`), within int64.
  static std::optional<std::int64_t> as_integer(const json& value) {
    if (value.is_number_integer() && !value.is_number_unsigned()) return value.get<std::int64_t>();
    if (value.is_number_unsigned()) {
      const auto u = value.get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return static_cast<std::int64_t>(u);
      return std::nullopt;
    }
    if (value.is_number_float()) {
      const double d = value.get<double>();
      // 2^63 is the first double above the int64 range.
      if (d == std::floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
        return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
  }

  std::optional<std::int64_t> read_integer(const json& object, const std::string& pointer, std::string_view key) {
    const json* value = member(object, key);
    if (value == nullptr) return std::nullopt;
    if (auto i = as_integer(*value)) return i;
    type_error(child_pointer(pointer, key), key, *value, "an integer");
    return std::nullopt;
  }

  template <typename Enum, typename Range, typename Parse>
  void read_enum(const json& object, const std::string& pointer, std::string_view key, const Range& names,
                 Parse parse, Enum& out) {
    const json* value = member(object, key);
    if (value == nullptr) return;
    if (value->is_string()) {
      const auto& text = value->get_ref<const std::string&>();
      if (auto parsed = parse(text)) {
        out = *parsed;
        return;
      }
      const std::string_view hint = closest(text, names);
      report_value(child_pointer(pointer, key),
                   fmt::format("{} = {}, but must be one of {}{}", key, shown(*value), join_quoted(names, '"'),
                               hint.empty() ? std::string() : fmt::format(" (did you mean \"{}\"?)", hint)));
      return;
    }
    type_error(child_pointer(pointer, key), key, *value, "one of " + join_quoted(names, '"'));
  }

  void read_servers(const json& object, const std::string& pointer, server_count& out) {
    const json* value = member(object, "servers");
    if (value == nullptr) return;
    if (value->is_string() && value->get_ref<const std::string&>() == "unlimited") {
      out = server_count::unlimited();
      return;
    }
    // A count < 1 is a rule, not a shape problem: validate() reports it.
    if (value->is_number()) {
      if (auto count = as_integer(*value)) {
        out = server_count(*count);
        return;
      }
    }
    type_error(child_pointer(pointer, "servers"), "servers", *value, "a positive integer or \"unlimited\"");
  }

  void read_unit(const json& value, const std::string& pointer, organization& org) {
    unit& u = org.units.emplace_back();
    if (!value.is_object()) {
      report_value(pointer, fmt::format("unit = {}, but must be a JSON object with at least an 'id'", shown(value)));
      return;
    }
    check_keys(value, pointer, unit_keys, "a unit");
    if (member(value, "id") == nullptr) report_value(pointer, "missing key 'id', but every unit needs a unique id");
    read_string(value, pointer, "id", u.id);
    read_string(value, pointer, "name", u.name);
    read_bool(value, pointer, "external", u.external);
    read_servers(value, pointer, u.servers);
    u.service_time = read_number(value, pointer, "service_time");
    read_number(value, pointer, "service_scv", u.service_scv);
    read_enum(value, pointer, "discipline", discipline_values, parse_discipline, u.queue_discipline);
    read_bool(value, pointer, "preemptive", u.preemptive);
    read_number(value, pointer, "cost_per_time", u.cost_per_time);
    read_number(value, pointer, "cost_per_request", u.cost_per_request);
    read_number(value, pointer, "yield", u.yield);
    u.demand = read_number(value, pointer, "demand");
    u.population = read_integer(value, pointer, "population");
    u.think_time = read_number(value, pointer, "think_time");
    read_number(value, pointer, "value_per_request", u.value_per_request);
    read_periodic(value, pointer, schedule_keys, u.schedule);
    read_periodic(value, pointer, profile_keys, u.profile);
  }

  void read_periodic(const json& object, const std::string& pointer, const periodic_keys& k,
                     std::optional<periodic_schedule>& out) {
    const json* value = member(object, k.field);
    if (value == nullptr) return;
    const std::string at = child_pointer(pointer, k.field);
    if (!value->is_object()) {
      type_error(at, k.field, *value, fmt::format("an object with the keys {}", join_quoted(k.keys, '\'')));
      return;
    }
    check_keys(*value, at, k.keys, std::string{"a "} + std::string(k.field));
    periodic_schedule f;
    if (member(*value, "period") == nullptr)
      report_value(at, fmt::format("missing key 'period', but a {} needs its period (time units)", k.field));
    read_number(*value, at, "period", f.period);
    read_number(*value, at, k.keys[1], f.base);
    if (const json* windows = member(*value, k.keys[2]); windows != nullptr) {
      const std::string windows_at = child_pointer(at, k.keys[2]);
      if (!windows->is_array()) {
        type_error(windows_at, k.keys[2], *windows, "an array of {\"from\", \"to\", ...} objects");
      } else {
        for (std::size_t i = 0; i < windows->size(); ++i) {
          const json& w = (*windows)[i];
          const std::string w_at = child_pointer(windows_at, i);
          time_window& tw = f.windows.emplace_back();
          if (!w.is_object()) {
            type_error(w_at, fmt::format("{}[{}]", k.keys[2], i), w,
                       fmt::format("an object with the keys {}", join_quoted(k.window_keys, '\'')));
            continue;
          }
          check_keys(w, w_at, k.window_keys, fmt::format("{}.{}", k.field, k.keys[2]));
          for (std::string_view key : k.window_keys)
            if (member(w, key) == nullptr)
              report_value(w_at, fmt::format("missing key '{}', but every {} needs {}", key, k.window,
                                             join_quoted(k.window_keys, '\'')));
          read_number(w, w_at, "from", tw.from);
          read_number(w, w_at, "to", tw.to);
          read_number(w, w_at, k.window_keys[2], tw.value);
        }
      }
    }
    out = std::move(f);
  }

  void read_ratings(const json& object, const std::string& pointer, need_ratings& out) {
    const json* value = member(object, "ratings");
    if (value == nullptr) return;
    const std::string ratings_pointer = child_pointer(pointer, "ratings");
    if (!value->is_object()) {
      type_error(ratings_pointer, "ratings", *value, "an object of scores by need, e.g. {\"informed\": 4}");
      return;
    }
    check_keys(*value, ratings_pointer, need_names, "ratings");
    for (const auto& [need, score] : value->items()) {
      if (score.is_number())
        out.emplace_back(need, score.get<double>());
      else
        type_error(child_pointer(ratings_pointer, need), "ratings." + need, score, "a score from 1 to 5");
    }
  }

  void read_link(const json& value, const std::string& pointer, organization& org) {
    link& l = org.links.emplace_back();
    if (!value.is_object()) {
      report_value(pointer, fmt::format("link = {}, but must be a JSON object with 'from' and 'to'", shown(value)));
      return;
    }
    check_keys(value, pointer, link_keys, "a link");
    if (member(value, "from") == nullptr)
      report_value(pointer, "missing key 'from', but every link needs its provider's id");
    if (member(value, "to") == nullptr) report_value(pointer, "missing key 'to', but every link needs its consumer's id");
    read_string(value, pointer, "from", l.from);
    read_string(value, pointer, "to", l.to);
    read_number(value, pointer, "requests", l.requests);
    read_enum(value, pointer, "mode", mode_values, parse_link_mode, l.mode);
    read_number(value, pointer, "acceptance", l.acceptance);
    read_string(value, pointer, "group", l.group);
    if (auto priority = read_integer(value, pointer, "priority")) l.priority = *priority;
    l.service_time = read_number(value, pointer, "service_time");
    l.service_scv = read_number(value, pointer, "service_scv");
    read_ratings(value, pointer, l.ratings);
  }

  located_document& doc_;
};

/// The located path alone: finds and words every problem.
organization parse_located_organization(std::string_view json_text, std::string_view source_name) {
  located_document doc = parse_located(json_text, source_name);
  organization org = model_reader(doc).read();
  if (!doc.problems.empty()) {
    // Duplicate keys were found while parsing, the rest while reading: report in file order.
    std::stable_sort(doc.problems.begin(), doc.problems.end(),
                     [](const problem& a, const problem& b) { return a.offset < b.offset; });
    throw_problems(source_name, json_text, std::move(doc.problems));
  }
  return org;
}

// ------------------------------------------------------------------ organization -> JSON

using detail::link_location;
using detail::unit_location;

/// JSON cannot hold NaN or infinity (nlohmann would write `null`, which reads back as an
/// error): refuse them up front, naming every one.
void require_finite_numbers(const organization& org) {
  std::vector<diagnostic> found;
  auto check = [&](const std::string& location, std::string_view field, double value) {
    if (!std::isfinite(value))
      found.push_back({location, fmt::format("{} = {}, but must be finite to be written as JSON", field, value)});
  };
  for (std::size_t i = 0; i < org.units.size(); ++i) {
    const unit& u = org.units[i];
    const std::string location = unit_location(u, i);
    if (u.service_time) check(location, "service_time", *u.service_time);
    check(location, "service_scv", u.service_scv);
    check(location, "cost_per_time", u.cost_per_time);
    check(location, "cost_per_request", u.cost_per_request);
    check(location, "yield", u.yield);
    if (u.demand) check(location, "demand", *u.demand);
    if (u.think_time) check(location, "think_time", *u.think_time);
    check(location, "value_per_request", u.value_per_request);
    for (const auto* f : {&u.schedule, &u.profile}) {
      if (!*f) continue;
      const std::string_view field = f == &u.schedule ? "schedule" : "profile";
      check(location, std::string(field) + ".period", (*f)->period);
      check(location, std::string(field) + ".default", (*f)->base);
      for (const time_window& w : (*f)->windows) {
        check(location, std::string(field) + " window from", w.from);
        check(location, std::string(field) + " window to", w.to);
        check(location, std::string(field) + " window value", w.value);
      }
    }
  }
  for (std::size_t j = 0; j < org.links.size(); ++j) {
    const link& l = org.links[j];
    const std::string location = link_location(l, j);
    check(location, "requests", l.requests);
    check(location, "acceptance", l.acceptance);
    if (l.service_time) check(location, "service_time", *l.service_time);
    if (l.service_scv) check(location, "service_scv", *l.service_scv);
    for (const auto& [need, score] : l.ratings) check(location, "ratings." + need, score);
  }
  if (!found.empty()) throw invalid_model_error(std::move(found));
}

/// Whole numbers are written without a fraction (`1`, not `1.0`); others in nlohmann's
/// shortest round-trip form. Below 2^53 every whole double is an exact int64.
json number(double x) {
  constexpr double exact_integer_limit = 9007199254740992.0;  // 2^53
  if (x == std::floor(x) && std::fabs(x) < exact_integer_limit) return json(static_cast<std::int64_t>(x));
  return json(x);
}

json periodic_to_json(const periodic_schedule& f, const periodic_keys& k) {
  json j = json::object();
  j[std::string(k.keys[0])] = number(f.period);
  if (f.base != 0) j[std::string(k.keys[1])] = number(f.base);
  json windows = json::array();
  for (const time_window& w : f.windows) {
    json jw = json::object();
    jw[std::string(k.window_keys[0])] = number(w.from);
    jw[std::string(k.window_keys[1])] = number(w.to);
    jw[std::string(k.window_keys[2])] = number(w.value);
    windows.push_back(std::move(jw));
  }
  j[std::string(k.keys[2])] = std::move(windows);
  return j;
}

json unit_to_json(const unit& u) {
  const unit defaults;
  json j = json::object();
  j["id"] = u.id;
  if (!u.name.empty()) j["name"] = u.name;
  if (u.external) j["external"] = true;
  if (u.servers.is_unlimited())
    j["servers"] = "unlimited";
  else if (u.servers != defaults.servers)
    j["servers"] = u.servers.count();
  if (u.service_time) j["service_time"] = number(*u.service_time);
  if (u.service_scv != defaults.service_scv) j["service_scv"] = number(u.service_scv);
  if (u.queue_discipline != defaults.queue_discipline) j["discipline"] = std::string(to_string(u.queue_discipline));
  if (u.preemptive) j["preemptive"] = true;
  if (u.cost_per_time != defaults.cost_per_time) j["cost_per_time"] = number(u.cost_per_time);
  if (u.cost_per_request != defaults.cost_per_request) j["cost_per_request"] = number(u.cost_per_request);
  if (u.yield != defaults.yield) j["yield"] = number(u.yield);
  if (u.demand) j["demand"] = number(*u.demand);
  if (u.population) j["population"] = *u.population;
  if (u.think_time) j["think_time"] = number(*u.think_time);
  if (u.value_per_request != defaults.value_per_request) j["value_per_request"] = number(u.value_per_request);
  if (u.schedule) j["schedule"] = periodic_to_json(*u.schedule, schedule_keys);
  if (u.profile) j["profile"] = periodic_to_json(*u.profile, profile_keys);
  return j;
}

json link_to_json(const link& l) {
  const link defaults;
  json j = json::object();
  j["from"] = l.from;
  j["to"] = l.to;
  if (l.requests != defaults.requests) j["requests"] = number(l.requests);
  if (l.mode != defaults.mode) j["mode"] = std::string(to_string(l.mode));
  if (l.acceptance != defaults.acceptance) j["acceptance"] = number(l.acceptance);
  if (!l.group.empty()) j["group"] = l.group;
  if (l.priority != defaults.priority) j["priority"] = l.priority;
  if (l.service_time) j["service_time"] = number(*l.service_time);
  if (l.service_scv) j["service_scv"] = number(*l.service_scv);
  if (!l.ratings.empty()) {
    json ratings = json::object();
    for (const auto& [need, score] : l.ratings) ratings[need] = number(score);
    j["ratings"] = std::move(ratings);
  }
  return j;
}

/// One line per unit and per link, `{"key": value, ...}` with a space after `:` and `,`:
/// a model reads like a table and diffs line by line.
std::string inline_object(const json& object);

/// Objects and arrays on one line with spaces, like `inline_object`; scalars as JSON.
std::string inline_value(const json& value) {
  if (value.is_object()) return inline_object(value);
  if (!value.is_array()) return value.dump();
  std::string text = "[";
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (i > 0) text += ", ";
    text += inline_value(value[i]);
  }
  return text + "]";
}

std::string inline_object(const json& object) {
  std::string text = "{";
  bool first = true;
  for (const auto& [key, value] : object.items()) {
    if (!first) text += ", ";
    first = false;
    text += json(key).dump();
    text += ": ";
    text += inline_value(value);
  }
  return text + "}";
}

std::string dump_checked(const json& value, const std::string& location, bool is_inline) {
  try {
    return is_inline ? inline_object(value) : value.dump();
  } catch (const json::type_error&) {
    throw invalid_model_error(
        {{location, "a text field (id, name, group, ...) is not valid UTF-8, which a JSON file cannot hold"}});
  }
}

}  // namespace

// ------------------------------------------------------------------ public API

namespace detail {
/// The located path alone, without the fast path: lets tests check that both read every
/// text alike. Not in a header: nothing else should call it.
organization parse_organization_located(std::string_view json_text, std::string_view source_name);

organization parse_organization_located(std::string_view json_text, std::string_view source_name) {
  return parse_located_organization(json_text, source_name);
}
}  // namespace detail

namespace {
/// Most files are well-formed: read them fast (simdjson), and pay for locating problems (a
/// DOM plus a pointer and an offset for every value: some 20 times slower) only when there
/// is one. `padded`: see `detail::read_model_fast`.
organization parse_organization(std::string_view json_text, std::string_view source_name, bool padded) {
  if (std::optional<organization> org = detail::read_model_fast(json_text, padded)) return std::move(*org);
  return parse_located_organization(json_text, source_name);
}
}  // namespace

organization parse_organization(std::string_view json_text, std::string_view source_name) {
  return parse_organization(json_text, source_name, false);
}

organization load_organization(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    throw io_error(fmt::format("cannot read model file '{}': it is a directory", file.string()));
  // A regular file is parsed where the page cache holds it, padded by the mapping.
  if (const auto mapped = detail::mapped_file::open(file, detail::json_padding))
    return parse_organization(mapped->text(), file.string(), true);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw io_error(fmt::format("cannot open model file '{}': {}", file.string(), std::strerror(errno)));
  // Otherwise (a pipe, say) one read into a buffer of the file's size, left uninitialized,
  // with the padding simdjson reads past the end, so the fast path need not copy the text.
  // The read asks for one byte more than the size, to see the end: a file of unknown size
  // or one that grows while it is read is read on to its end in chunks (and then copied by
  // the fast path).
  const std::uintmax_t size = std::filesystem::is_regular_file(file, ec) ? std::filesystem::file_size(file, ec) : 0;
  const std::size_t expected =
      ec || size >= std::numeric_limits<std::size_t>::max() / 2 ? 0 : static_cast<std::size_t>(size);
  const auto buffer = std::make_unique_for_overwrite<char[]>(expected + 1 + detail::json_padding);
  in.read(buffer.get(), static_cast<std::streamsize>(expected + 1));
  std::string_view content(buffer.get(), static_cast<std::size_t>(in.gcount()));
  std::string rest;
  if (content.size() > expected && !in.bad()) {
    rest.assign(content);
    std::array<char, 65536> chunk{};
    while (in.read(chunk.data(), chunk.size()) || in.gcount() > 0)
      rest.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    content = rest;
  }
  if (in.bad()) throw io_error(fmt::format("cannot read model file '{}': {}", file.string(), std::strerror(errno)));
  const bool padded = rest.empty();
  // Defined bytes after the text (simdjson does not need particular values there).
  if (padded) std::memset(buffer.get() + content.size(), 0, detail::json_padding);
  return parse_organization(content, file.string(), padded);
}

std::string to_json(const organization& org, int indent) {
  require_finite_numbers(org);

  json root = json::object();
  root["name"] = org.name;
  if (!org.description.empty()) root["description"] = org.description;
  if (org.time_unit != organization{}.time_unit) root["time_unit"] = org.time_unit;
  if (!org.currency.empty()) root["currency"] = org.currency;

  if (indent < 0) {
    json units = json::array();
    for (const unit& u : org.units) units.push_back(unit_to_json(u));
    root["units"] = std::move(units);
    if (!org.links.empty()) {
      json links = json::array();
      for (const link& l : org.links) links.push_back(link_to_json(l));
      root["links"] = std::move(links);
    }
    return dump_checked(root, "the model", false);
  }

  const std::string pad(static_cast<std::size_t>(indent), ' ');
  std::string text = "{";
  bool first = true;
  for (const auto& [key, value] : root.items()) {
    text += first ? "\n" : ",\n";
    first = false;
    text += pad + json(key).dump() + ": " + dump_checked(value, "the model", false);
  }
  auto write_array = [&](std::string_view key, const auto& items, auto to_object, auto location) {
    text += first ? "\n" : ",\n";
    first = false;
    text += pad + "\"" + std::string(key) + "\": [";
    for (std::size_t i = 0; i < items.size(); ++i) {
      text += i == 0 ? "\n" : ",\n";
      text += pad + pad + dump_checked(to_object(items[i]), location(items[i], i), true);
    }
    text += items.empty() ? "]" : "\n" + pad + "]";
  };
  write_array("units", org.units, unit_to_json, unit_location);
  if (!org.links.empty()) write_array("links", org.links, link_to_json, link_location);
  return text + "\n}";
}

void save_organization(const organization& org, const std::filesystem::path& file) {
  const std::string text = to_json(org) + "\n";
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) throw io_error(fmt::format("cannot write model file '{}': {}", file.string(), std::strerror(errno)));
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.flush();
  if (!out) throw io_error(fmt::format("cannot write model file '{}': {}", file.string(), std::strerror(errno)));
}

}  // namespace servicechain
