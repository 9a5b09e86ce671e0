#pragma once
// Internal: writes a JSON report to a stream piece by piece, laid out as
// `report_json::dump(2)` of the whole document lays it out, so that a report of n units needs
// memory for one row, not for a DOM of n rows (issue 13).
//
// Containers are opened and closed explicitly; leaves and small subtrees (a row) are written
// at the current indentation. Numbers are the shortest text that reads back as the same
// double (write_double); escapes and UTF-8 checks are nlohmann's own, through its serializer.
// Output is buffered and handed to the stream in large blocks. Blocks of rows can be
// formatted on several threads (write_elements).

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "detail/ordered_blocks.hpp"
#include "detail/report_json.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain::detail {

/// Room write_double needs at its output (it writes at most 25 bytes, "-d.dddddddddddddddde-308",
/// but copies in fixed-size blocks).
inline constexpr std::size_t double_text_room = 48;

/// Writes finite `v` at `out` and returns the end: its shortest digits that read back as
/// the same double (std::to_chars; Ryu in libstdc++, Adams 2018), laid out as nlohmann's
/// dump() lays out numbers: with a decimal point and at least one digit after it while the
/// point falls within 15 digits left or 4 zeros right of the first digit (123.0, 0.0001,
/// -0.0), otherwise as d.ddde±XX with at least two exponent digits. Grisu2, which dump()
/// uses, gives other digits for about one number in 2 000 (a longer or farther one); both
/// read back as `v`. Digits are moved in fixed-size blocks (known sizes compile to a few
/// moves), hence `double_text_room`.
inline char* write_double(char* out, double v) {
  constexpr int max_point = 15, min_point = -4;  // nlohmann's kMaxExp and kMinExp for double
  constexpr std::size_t block = 16;               // ≥ the 16 digits after the first
  if (std::signbit(v)) {
    *out++ = '-';
    v = -v;
  }
  if (v == 0) {
    std::memcpy(out, "0.0", 3);
    return out + 3;
  }
  char sci[32];  // d[.ddd]e±dd[d]
  const char* end = std::to_chars(sci, sci + sizeof sci, v, std::chars_format::scientific).ptr;
  const char* e = end[-4] == 'e' ? end - 4 : end - 5;
  int exponent = 0;
  for (const char* p = e + 2; p != end; ++p) exponent = 10 * exponent + (*p - '0');
  const int n = (e[1] == '-' ? -exponent : exponent) + 1;  // digits before the decimal point
  const int k = sci[1] == 'e' ? 1 : static_cast<int>(e - sci) - 1;  // significant digits
  if (n > max_point || n <= min_point) {  // to_chars' scientific layout is dump()'s
    std::memcpy(out, sci, 24);
    return out + (end - sci);
  }
  if (n <= 0) {  // 0.000ddd
    std::memcpy(out, "0.000", 5);
    out += 2 - n;
    out[0] = sci[0];
    std::memcpy(out + 1, sci + 2, block);
    return out + k;
  }
  out[0] = sci[0];
  std::memcpy(out + 1, sci + 2, block);  // the digits, then bytes to overwrite
  if (k <= n) {                          // ddd000.0
    std::memset(out + k, '0', block);
    std::memcpy(out + n, ".0", 2);
    return out + n + 2;
  }
  std::memmove(out + n + 1, out + n, block);  // dd.ddd
  out[n] = '.';
  return out + k + 1;
}

class json_stream {
 public:
  explicit json_stream(std::ostream& out) : out_(&out), buffer_(std::make_shared<buffer_adapter>()),
                                            serializer_(buffer_, ' ') {
    buffer_->reserve(flush_size + 4096);
  }
  /// A fragment: more elements of the container open at the top of `parent`, written to a
  /// buffer of their own and appended to `parent` later (see write_elements). It counts one
  /// element already, so that its first element starts with the comma that append() drops
  /// when nothing came before it.
  struct fragment_of {
    const json_stream& parent;
  };
  explicit json_stream(fragment_of f)
      : buffer_(std::make_shared<buffer_adapter>()), serializer_(buffer_, ' '), stack_(f.parent.stack_) {
    stack_.back().count = 1;
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
    buffer_->put(": ");
  }
  /// `s` as a JSON string: quoted, escaped as dump() escapes it.
  static std::string quoted(std::string_view s) {
    if (plain_text(s)) return '"' + std::string(s) + '"';
    return report_json(std::string(s)).dump();
  }
  /// A member whose key is given as its JSON text with the colon, `"key": `, read from a
  /// buffer with at least 32 readable bytes from `quoted.data()` on (see quoted_keys), and
  /// whose value is a number.
  void member_quoted(std::string_view quoted, double v) {
    separate();
    if (quoted.size() <= short_copy) {
      char* at = buffer_->tail(short_copy);
      std::memcpy(at, quoted.data(), short_copy);
      buffer_->commit(at + quoted.size());
    } else {
      buffer_->put(quoted);
    }
    write_number(v);
  }
  /// A leaf or a whole subtree, as an array element or after key(), laid out as dump(2)
  /// lays it out, with numbers written as number_value() writes them.
  void value(const report_json& v) {
    using type = report_json::value_t;
    switch (v.type()) {
      case type::object:
        begin_object();
        for (auto it = v.begin(); it != v.end(); ++it) {
          key(it.key());
          value(*it);
        }
        end_object();
        return;
      case type::array:
        begin_array();
        for (const auto& element : v) value(element);
        end_array();
        return;
      case type::string:
        string_value(v.get_ref<const std::string&>());
        return;
      case type::number_float:
        number_value(v.get<double>());
        return;
      default:  // null, booleans, integers: nlohmann's own text
        if (!stack_.empty() && !stack_.back().object) separate();
        serializer_.dump(v, true, false, indent_step, indent());
        maybe_flush();
    }
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

  // Leaves written without a report_json, for the rows of large reports. A number is written
  // by write_double (below), a non-finite or absent one as null (JSON has no ∞).
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
    else buffer_->put("null");
  }
  void member(std::string_view k, bool v) {
    key(k);
    buffer_->put(v ? std::string_view("true") : std::string_view("false"));
  }
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  void member(std::string_view k, I v) {
    key(k);
    char* at = buffer_->tail(24);
    buffer_->commit(std::to_chars(at, at + 24, v).ptr);
  }
  void member(std::string_view k, std::string_view s) {
    key(k);
    write_string(s);
  }
  void member(std::string_view k, const std::string& s) { member(k, std::string_view(s)); }
  void member(std::string_view k, const char* s) { member(k, std::string_view(s)); }
  void null_member(std::string_view k) {
    key(k);
    buffer_->put("null");
  }
  /// Ends the document with the newline the reports end with and hands everything to the stream.
  void finish() {
    buffer_->put('\n');
    flush();
  }
  /// Empties a fragment for its next block, keeping its buffer.
  void restart() {
    buffer_->clear();
    stack_.back().count = 1;
  }
  /// Appends a fragment made from this stream, after the elements written so far.
  void append(const json_stream& fragment) {
    std::string_view text = fragment.buffer_->text();
    const std::size_t written = fragment.stack_.back().count - 1;
    if (written > 0 && stack_.back().count == 0) text.remove_prefix(1);  // the comma
    stack_.back().count += written;
    if (out_ && text.size() >= flush_size) {  // straight to the stream, not through the buffer
      flush();
      out_->write(text.data(), static_cast<std::streamsize>(text.size()));
      return;
    }
    buffer_->put(text);
    maybe_flush();
  }

 private:
  static constexpr unsigned indent_step = 2;
  static constexpr std::size_t flush_size = 1 << 16;
  static constexpr std::size_t short_copy = 32;  // bytes copied at once for short pieces

  // A growable byte buffer written through raw pointers: the rows of a large report are
  // millions of short pieces, and std::string's per-append bookkeeping showed in profiles.
  class buffer_adapter final : public nlohmann::detail::output_adapter_protocol<char> {
   public:
    void write_character(char c) override { put(c); }
    void write_characters(const char* s, std::size_t n) override { put(std::string_view(s, n)); }
    void reserve(std::size_t n) {
      if (n <= capacity_) return;
      auto bigger = std::make_unique_for_overwrite<char[]>(n);
      if (size_ != 0) std::memcpy(bigger.get(), data_.get(), size_);
      data_ = std::move(bigger);
      capacity_ = n;
    }
    // Room for n more bytes at the end; commit() says where the written bytes end.
    char* tail(std::size_t n) {
      if (size_ + n > capacity_) reserve(std::max(2 * capacity_, size_ + n));
      return data_.get() + size_;
    }
    void commit(const char* end) { size_ = static_cast<std::size_t>(end - data_.get()); }
    void put(char c) { *tail(1) = c, ++size_; }
    void put(std::string_view s) {
      if (s.empty()) return;  // memcpy from a null pointer is undefined even for 0 bytes
      std::memcpy(tail(s.size()), s.data(), s.size());
      size_ += s.size();
    }
    [[nodiscard]] std::string_view text() const noexcept { return {data_.get(), size_}; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    void clear() noexcept { size_ = 0; }

   private:
    std::unique_ptr<char[]> data_;
    std::size_t size_ = 0, capacity_ = 0;
  };
  struct level {
    bool object;
    std::size_t count = 0;
  };

  unsigned indent() const { return static_cast<unsigned>(stack_.size()) * indent_step; }

  // A new line and the indent, after a comma if `comma`: while the indent is short, one
  // fixed-size copy (a few moves) from a line of spaces, then the true end.
  void line_break(bool comma) {
    static constexpr std::string_view line =
        ",\n                                                                ";  // 64 spaces
    const std::size_t skip = comma ? 0 : 1, length = 2 - skip + indent();
    if (length <= short_copy) {
      char* at = buffer_->tail(short_copy);
      std::memcpy(at, line.data() + skip, short_copy);
      buffer_->commit(at + length);
      return;
    }
    const std::size_t available = line.size() - skip;
    buffer_->put(line.substr(skip, std::min(length, available)));
    for (std::size_t k = available; k < length; ++k) buffer_->put(' ');
  }
  // Before an element or a key: the comma after the previous one, a new line, the indent.
  void separate() { line_break(stack_.back().count++ > 0); }
  void open(char bracket, bool object) {
    if (!stack_.empty() && !stack_.back().object) separate();
    buffer_->put(bracket);
    stack_.push_back({object});
  }
  void close(char bracket) {
    const bool empty = stack_.back().count == 0;
    stack_.pop_back();
    if (!empty) line_break(false);
    buffer_->put(bracket);
    maybe_flush();
  }
  // Plain ASCII (no quote, backslash or control character) is written as it is; anything
  // else goes through the serializer, which escapes it and rejects invalid UTF-8 as dump() does.
  void write_string(std::string_view s) {
    if (!plain_text(s)) {
      serializer_.dump(report_json(std::string(s)), true, false, indent_step, 0);
      return;
    }
    char* at = buffer_->tail(s.size() + 2);
    *at++ = '"';
    if (!s.empty()) std::memcpy(at, s.data(), s.size());
    at += s.size();
    *at++ = '"';
    buffer_->commit(at);
  }
  void write_number(double v) {
    if (!std::isfinite(v)) {
      buffer_->put("null");
      return;
    }
    buffer_->commit(write_double(buffer_->tail(double_text_room), v));
  }
  void maybe_flush() {
    if (out_ && buffer_->size() >= flush_size) flush();
  }
  void flush() {
    if (!out_) return;
    const auto text = buffer_->text();
    out_->write(text.data(), static_cast<std::streamsize>(text.size()));
    buffer_->clear();
  }

  // Whether `s` holds only bytes 0x20..0x7F other than '"' and '\\', eight at a time (the
  // "has a byte less than n" word tests of Anderson's Bit Twiddling Hacks). A short string
  // (most ids) is read with overlapping loads, not copied into a padded word: the copy's
  // narrow stores followed by one wide load stalled store forwarding, and showed in profiles.
  // Were a plain string ever found not plain, it would only take the serializer's slower
  // path to the same bytes.
  static bool plain_text(std::string_view s) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101, highs = 0x8080808080808080;
    auto bad = [](std::uint64_t x) {
      const auto zero_byte = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
      return ((x - ones * 0x20) & ~x & highs) | (x & highs) | zero_byte(x ^ (ones * '"')) | zero_byte(x ^ (ones * '\\'));
    };
    const char* p = s.data();
    const std::size_t n = s.size();
    auto load8 = [p](std::size_t at) {
      std::uint64_t w;
      std::memcpy(&w, p + at, 8);
      return w;
    };
    auto load4 = [p](std::size_t at) {
      std::uint32_t w;
      std::memcpy(&w, p + at, 4);
      return std::uint64_t{w};
    };
    if (n >= 8) {
      std::uint64_t found = bad(load8(n - 8));  // the tail, overlapping the last word
      for (std::size_t i = 0; i + 8 <= n; i += 8) found |= bad(load8(i));
      return found == 0;
    }
    if (n >= 4) return bad(load4(0) | load4(n - 4) << 32) == 0;
    if (n == 0) return true;
    // 1 to 3 bytes: the first, middle and last cover them all; the other bytes are a plain 'a'.
    const auto byte = [p](std::size_t at) { return std::uint64_t{static_cast<unsigned char>(p[at])}; };
    return bad((ones * 'a' & ~std::uint64_t{0xFFFFFF}) | byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16) == 0;
  }

  std::ostream* out_ = nullptr;  // null for a fragment
  std::shared_ptr<buffer_adapter> buffer_;
  nlohmann::detail::serializer<report_json> serializer_;
  std::vector<level> stack_;
};

/// Many keys (unit ids, say) rendered once as JSON text with the colon, `"id": `, in one
/// padded buffer for json_stream::member_quoted: a map of n units writes n keys from it.
class quoted_keys {
 public:
  /// @throws nlohmann::json::type_error for a key that is not valid UTF-8, as dump() does.
  explicit quoted_keys(const std::vector<std::string>& keys) {
    start_.reserve(keys.size() + 1);
    start_.push_back(0);
    for (const auto& k : keys) {
      text_ += json_stream::quoted(k);
      text_ += ": ";
      start_.push_back(text_.size());
    }
    text_.append(32, ' ');  // member_quoted reads 32 bytes from any key on
  }
  std::string_view operator[](std::size_t i) const { return {text_.data() + start_[i], start_[i + 1] - start_[i]}; }

 private:
  std::string text_;
  std::vector<std::size_t> start_;
};

/// Writes the elements of the array or object open at the top of `w` for i in [0, count),
/// each by `element(json_stream&, i)` (which may write none), as `w` would one after the
/// other. With more than one thread, `threads` workers format blocks of `block` elements
/// into fragments (worker t takes blocks t, t + threads, …) while the calling thread hands
/// finished fragments to `w`'s stream in order: the bytes are the same, the memory is two
/// blocks per worker. `element` must be safe to call from several threads at once; what it
/// throws is rethrown here once every worker has stopped.
template <typename Element>
void write_elements(json_stream& w, std::size_t count, std::size_t block, unsigned threads, Element element) {
  if (threads <= 1 || count <= block) {
    for (std::size_t i = 0; i < count; ++i) element(w, i);
    return;
  }
  ordered_blocks(
      count, block, threads, [&] { return std::make_unique<json_stream>(json_stream::fragment_of{w}); },
      [&](json_stream& fragment, std::size_t first, std::size_t last) {
        fragment.restart();
        for (std::size_t i = first; i < last; ++i) element(fragment, i);
      },
      [&](const json_stream& fragment) { w.append(fragment); });
}

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
