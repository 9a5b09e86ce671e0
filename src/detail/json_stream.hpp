#pragma once
// Internal: writes a JSON report to a stream piece by piece, byte for byte as
// `report_json::dump(2)` of the whole document would, so that a report of n units needs
// memory for one row, not for a DOM of n rows (issue 13).
//
// Containers are opened and closed explicitly; leaves and small subtrees (a row) are
// report_json values, written by nlohmann's own serializer at the current indentation, so
// numbers, escapes and UTF-8 checks are exactly those of dump(). Output is buffered and
// handed to the stream in large blocks.

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "detail/report_json.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain::detail {

class json_stream {
 public:
  explicit json_stream(std::ostream& out) : out_(out), buffer_(std::make_shared<buffer_adapter>()),
                                            serializer_(buffer_, ' ') {
    buffer_->text.reserve(flush_size + 4096);
  }
  json_stream(const json_stream&) = delete;
  json_stream& operator=(const json_stream&) = delete;
  ~json_stream() = default;

  void begin_object() { open('{', true); }
  void end_object() { close('}'); }
  void begin_array() { open('[', false); }
  void end_array() { close(']'); }

  /// The next member's key, inside an object.
  void key(std::string_view k) {
    separate();
    write_string(k);
    buffer_->text += ": ";
  }
  /// A leaf or a whole subtree, as an array element or after key().
  void value(const report_json& v) {
    if (!stack_.empty() && !stack_.back().object) separate();
    serializer_.dump(v, true, false, indent_step, indent());
    maybe_flush();
  }
  /// A string value without building a report_json for it.
  void string_value(std::string_view s) {
    if (!stack_.empty() && !stack_.back().object) separate();
    write_string(s);
    maybe_flush();
  }
  void member(std::string_view k, const report_json& v) {
    key(k);
    value(v);
  }

  // Leaves written without a report_json, for the rows of large reports. Bytes are those of
  // dump(): numbers through nlohmann's own shortest round-trip formatting (Grisu2), a
  // non-finite or absent number as null (JSON has no ∞).
  void number_value(double v) {
    if (!stack_.empty() && !stack_.back().object) separate();
    write_number(v);
  }
  void member(std::string_view k, double v) {
    key(k);
    write_number(v);
  }
  void member(std::string_view k, const std::optional<double>& v) {
    key(k);
    if (v) write_number(*v);
    else buffer_->text += "null";
  }
  void member(std::string_view k, bool v) {
    key(k);
    buffer_->text += v ? "true" : "false";
  }
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  void member(std::string_view k, I v) {
    key(k);
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
    buffer_->text.append(digits, static_cast<std::size_t>(end - digits));
  }
  void member(std::string_view k, std::string_view s) {
    key(k);
    write_string(s);
  }
  void member(std::string_view k, const std::string& s) { member(k, std::string_view(s)); }
  void member(std::string_view k, const char* s) { member(k, std::string_view(s)); }
  void null_member(std::string_view k) {
    key(k);
    buffer_->text += "null";
  }
  /// Ends the document with the newline the reports end with and hands everything to the stream.
  void finish() {
    buffer_->text += '\n';
    flush();
  }

 private:
  static constexpr unsigned indent_step = 2;
  static constexpr std::size_t flush_size = 1 << 16;

  struct buffer_adapter final : nlohmann::detail::output_adapter_protocol<char> {
    std::string text;
    void write_character(char c) override { text += c; }
    void write_characters(const char* s, std::size_t n) override { text.append(s, n); }
  };
  struct level {
    bool object;
    std::size_t count = 0;
  };

  unsigned indent() const { return static_cast<unsigned>(stack_.size()) * indent_step; }

  // Before an element or a key: the comma after the previous one, a new line, the indent.
  void separate() {
    auto& top = stack_.back();
    if (top.count++ > 0) buffer_->text += ',';
    buffer_->text += '\n';
    buffer_->text.append(indent(), ' ');
  }
  void open(char bracket, bool object) {
    if (!stack_.empty() && !stack_.back().object) separate();
    buffer_->text += bracket;
    stack_.push_back({object});
  }
  void close(char bracket) {
    const bool empty = stack_.back().count == 0;
    stack_.pop_back();
    if (!empty) {
      buffer_->text += '\n';
      buffer_->text.append(indent(), ' ');
    }
    buffer_->text += bracket;
    maybe_flush();
  }
  // Plain ASCII (no quote, backslash or control character) is written as it is; anything
  // else goes through the serializer, which escapes it and rejects invalid UTF-8 as dump() does.
  void write_string(std::string_view s) {
    for (char ch : s) {
      const auto b = static_cast<unsigned char>(ch);
      if (b < 0x20 || b >= 0x80 || ch == '"' || ch == '\\') {
        serializer_.dump(report_json(std::string(s)), true, false, indent_step, 0);
        return;
      }
    }
    buffer_->text += '"';
    buffer_->text.append(s);
    buffer_->text += '"';
  }
  void write_number(double v) {
    if (!std::isfinite(v)) {
      buffer_->text += "null";
      return;
    }
    char digits[64];
    const char* end = nlohmann::detail::to_chars(digits, digits + sizeof digits, v);
    buffer_->text.append(digits, static_cast<std::size_t>(end - digits));
  }
  void maybe_flush() {
    if (buffer_->text.size() >= flush_size) flush();
  }
  void flush() {
    out_.write(buffer_->text.data(), static_cast<std::streamsize>(buffer_->text.size()));
    buffer_->text.clear();
  }

  std::ostream& out_;
  std::shared_ptr<buffer_adapter> buffer_;
  nlohmann::detail::serializer<report_json> serializer_;
  std::vector<level> stack_;
};

/// Opens a report's top-level object with the members every report starts with: the
/// model's name, its time unit and its currency.
inline void begin_model_report(json_stream& w, const service_graph& g) {
  w.begin_object();
  w.key("model");
  w.string_value(g.name());
  w.key("time_unit");
  w.string_value(g.time_unit());
  w.key("currency");
  w.string_value(g.currency());
}

}  // namespace servicechain::detail
