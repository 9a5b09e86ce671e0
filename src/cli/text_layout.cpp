// Tables no wider than the terminal: a table of the text report that is wider than the
// limit is printed in blocks of columns, each block repeating the first column (the unit,
// customer or link the row is about), so that no cell is lost and no line wraps.
//
// A table is what text_table::to_text writes: a header line, a rule of '-' under it, then
// rows up to the next empty line. Columns are found from the text itself: runs of at least
// two positions that are blank on every line of the table separate them (text_table puts
// two spaces between columns); a column whose header is blank (the inside of a waterfall
// bar) belongs to the column after it. Widths count code points, as text_table does.
//
// The text is fitted as it is written (fitted_text), a table at a time, each held as one
// buffer of its lines: a report of 10⁶ units is 5·10⁶ table lines, which as a string per
// code point took 20 GB.

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"

namespace servicechain::cli {

namespace {

using glyphs = std::vector<std::string>;  // one UTF-8 code point each

bool continuation(char ch) { return (static_cast<unsigned char>(ch) & 0xC0) == 0x80; }

glyphs split_glyphs(std::string_view line) {
  glyphs out;
  for (char ch : line) {
    if (continuation(ch) && !out.empty()) {
      out.back() += ch;
    } else {
      out.emplace_back(1, ch);
    }
  }
  return out;
}

// Code points of `line` (a continuation byte at the start counts as one, as split_glyphs does).
// Branch-free, so that it runs over the millions of lines of a large table at memory speed.
std::size_t glyph_count(std::string_view line) {
  std::size_t n = 0;
  for (char ch : line) n += !continuation(ch);
  return n + (!line.empty() && continuation(line.front()));
}

// Whether every byte of `line` is ASCII (one byte, one code point), as a reduction that
// vectorizes.
bool is_ascii(std::string_view line) {
  unsigned char any = 0;
  for (char ch : line) any |= static_cast<unsigned char>(ch);
  return any < 0x80;
}

bool is_rule(std::string_view line) {
  return line.size() >= 3 && line.find_first_not_of('-') == std::string_view::npos;
}

struct span {
  std::size_t begin, end;  // [begin, end) in code points
};

// The bytes of code points [s.begin, s.end) of `line` that it has (none past its end);
// `ascii`: whether is_ascii(line), known to callers that cut one line many times.
std::string_view cut_view(std::string_view line, span s, bool ascii) {
  if (ascii) {
    const std::size_t begin = std::min(s.begin, line.size());
    return line.substr(begin, std::min(s.end, line.size()) - begin);
  }
  std::size_t glyph = 0, first = line.size(), last = line.size();
  for (std::size_t k = 0; k < line.size(); ++k) {
    if (k > 0 && continuation(line[k])) continue;
    if (glyph == s.begin) first = k;
    if (glyph == s.end) {
      last = k;
      break;
    }
    ++glyph;
  }
  return first >= last ? std::string_view() : line.substr(first, last - first);
}

std::string_view cut_view(std::string_view line, span s) { return cut_view(line, s, is_ascii(line)); }

// Code points [s.begin, s.end) of `line`, spaces past its end.
void append_cut(std::string& out, std::string_view line, span s) {
  const std::string_view have = cut_view(line, s);
  out.append(have);
  out.append(s.end - s.begin - glyph_count(have), ' ');
}

std::string cut(std::string_view line, span s) {
  std::string out;
  append_cut(out, line, s);
  return out;
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(' ');
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

std::string rtrim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// The lines of one table, header first, the rule not among them, in one buffer.
class table_lines {
 public:
  void add(std::string_view line) {
    text_.append(line);
    end_.push_back(text_.size());
  }
  [[nodiscard]] std::size_t size() const { return end_.size(); }
  std::string_view operator[](std::size_t r) const {
    const std::size_t begin = r == 0 ? 0 : end_[r - 1];
    return std::string_view(text_).substr(begin, end_[r] - begin);
  }
  [[nodiscard]] std::size_t widest() const {
    std::size_t w = 0;
    for (std::size_t r = 0; r < size(); ++r) w = std::max(w, glyph_count((*this)[r]));
    return w;
  }
  void clear() {
    text_.clear();
    end_.clear();
  }

 private:
  std::string text_;
  std::vector<std::size_t> end_;
};

// The rows of `lines` to print (indices; the header, 0, is always among them).
using row_list = std::vector<std::size_t>;

// True if every non-blank cell of the column, below the header, is a number (or `-`).
bool numeric_column(const table_lines& lines, const row_list& rows, span s) {
  for (std::size_t k = 1; k < rows.size(); ++k) {
    const std::string_view line = lines[rows[k]];
    const std::string_view v = trim(cut_view(line, s, is_ascii(line)));
    if (v.empty()) continue;
    if (v.find_first_not_of("0123456789.+-e%") != std::string_view::npos || v == "e") return false;
  }
  return true;
}

std::string joined(glyphs::const_iterator first, glyphs::const_iterator last) {
  std::string out;
  for (; first != last; ++first) out += *first;
  return out;
}

// Words of `text` in lines of at most `width` code points (a longer word is cut).
std::vector<std::string> wrap_words(const std::string& text, std::size_t width) {
  std::vector<std::string> out;
  glyphs line;
  for (const glyphs& word : [&] {
         std::vector<glyphs> ws(1);
         for (auto& g : split_glyphs(text)) {
           if (g == " ") {
             if (!ws.back().empty()) ws.emplace_back();
           } else {
             ws.back().push_back(g);
           }
         }
         return ws;
       }()) {
    if (word.empty()) continue;
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out.push_back(joined(line.begin(), line.end()));
      line.clear();
    }
    if (!line.empty()) line.emplace_back(" ");
    line.insert(line.end(), word.begin(), word.end());
    while (line.size() > width) {
      out.push_back(joined(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(width)));
      line.erase(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(width));
    }
  }
  if (!line.empty() || out.empty()) out.push_back(joined(line.begin(), line.end()));
  return out;
}

// A table whose first column is too wide to repeat (a chain of units): that column is
// wrapped at spaces onto continuation lines, the other columns beside its first line.
void wrap_key(const table_lines& lines, const row_list& rows, const std::vector<span>& columns, std::size_t width,
              std::string& out) {
  const span rest{columns[1].begin, columns.back().end};
  const std::size_t room = width - 2 - (rest.end - rest.begin);
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const std::string_view line = lines[rows[k]];
    // The first line beside the other columns; continuation lines indented by two.
    auto pieces = wrap_words(rtrim(cut(line, columns[0])), room);
    std::string more;
    for (std::size_t p = 1; p < pieces.size(); ++p) more += (more.empty() ? "" : " ") + pieces[p];
    out += rtrim(pieces[0] + std::string(room - glyph_count(pieces[0]) + 2, ' ') + cut(line, rest));
    out += '\n';
    if (!more.empty())
      for (const auto& piece : wrap_words(more, room - 2)) out += "  " + piece + "\n";
    if (k == 0) out += std::string(width, '-') + "\n";
  }
}

// Whether wrap_key can lay the table out in `width`.
bool key_wraps(const std::vector<span>& columns, std::size_t width) {
  return columns.size() >= 2 && (columns.back().end - columns[1].begin) + 2 + 16 <= width;
}

// The columns of a table (header first): runs of at least two positions blank on every
// line separate them; a column with a blank header joins the next one (the inside of a
// waterfall bar).
std::vector<span> find_columns(const table_lines& lines, const row_list& rows) {
  std::size_t total = 0;
  for (std::size_t r : rows) total = std::max(total, glyph_count(lines[r]));
  std::vector<char> blank(total, 1);
  for (std::size_t r : rows) {
    const std::string_view l = lines[r];
    if (is_ascii(l)) {
      for (std::size_t k = 0; k < l.size(); ++k) blank[k] &= static_cast<char>(l[k] == ' ');
      continue;
    }
    std::size_t glyph = 0;
    for (std::size_t k = 0; k < l.size(); ++k) {
      if (k > 0 && continuation(l[k])) {
        blank[glyph - 1] = 0;  // part of a wider code point
        continue;
      }
      if (l[k] != ' ') blank[glyph] = 0;
      ++glyph;
    }
  }
  std::vector<span> columns;
  std::size_t k = 0;
  while (k < total) {
    while (k < total && blank[k]) ++k;
    if (k == total) break;
    const std::size_t begin = k;
    while (k < total && !(blank[k] && (k + 1 == total || blank[k + 1]))) ++k;
    columns.push_back({begin, k});
  }
  const std::string_view header = lines[rows.front()];
  std::vector<span> merged;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    const bool header_blank = trim(cut_view(header, columns[c])).empty();
    if (header_blank && c + 1 < columns.size()) {
      columns[c + 1].begin = columns[c].begin;
      continue;
    }
    if (header_blank && !merged.empty()) {
      merged.back().end = columns[c].end;
      continue;
    }
    merged.push_back(columns[c]);
  }
  return merged;
}

// The key columns: the leading columns that are not all numbers (what the row is about:
// unit, customer, link, discipline, …); at least one, and never every column.
std::size_t key_count(const table_lines& lines, const row_list& rows, const std::vector<span>& columns) {
  std::size_t keys = 0;
  while (keys + 1 < columns.size() && (keys == 0 || !numeric_column(lines, rows, columns[keys]))) ++keys;
  return std::max<std::size_t>(keys, 1);
}

bool is_zero(std::string_view cell) {
  cell = trim(cell);
  if (cell.empty()) return false;
  std::size_t k = cell[0] == '-' ? 1 : 0;
  if (k == cell.size() || cell[k] != '0') return false;
  ++k;
  if (k < cell.size() && cell[k] == '.') ++k;
  while (k < cell.size() && cell[k] == '0') ++k;
  if (k < cell.size() && cell[k] == '%') ++k;
  return k == cell.size();
}

// The rows of the table to keep (header first): rows whose every cell outside the key
// columns is zero are dropped.
row_list nonzero_rows(const table_lines& lines) {
  row_list all(lines.size());
  for (std::size_t r = 0; r < all.size(); ++r) all[r] = r;
  const auto columns = find_columns(lines, all);
  if (lines.size() < 2 || columns.size() < 2) return all;
  const std::size_t keys = key_count(lines, all, columns);
  row_list keep{0};
  for (std::size_t r = 1; r < lines.size(); ++r) {
    bool zero = true;
    const std::string_view line = lines[r];
    const bool ascii = is_ascii(line);
    for (std::size_t c = keys; c < columns.size() && zero; ++c) zero = is_zero(cut_view(line, columns[c], ascii));
    if (!zero) keep.push_back(r);
  }
  return keep;
}

// The rows `rows` of the table (header first, no rule) appended to `out` in blocks of
// columns no wider than `width`, each repeating the key columns; false (nothing appended)
// if it already fits or cannot be made to.
bool fold(const table_lines& lines, const row_list& rows, std::size_t width, std::string& out) {
  std::size_t total = 0;
  for (std::size_t r : rows) total = std::max(total, glyph_count(lines[r]));
  if (total <= width) return false;
  const std::vector<span> merged = find_columns(lines, rows);
  if (merged.empty()) return false;
  // As many key columns as leave room for the widest other column.
  std::size_t keys = key_count(lines, rows, merged);
  auto widest_after = [&](std::size_t from) {
    std::size_t w = 0;
    for (std::size_t c = from; c < merged.size(); ++c) w = std::max(w, merged[c].end - merged[c].begin);
    return w;
  };
  while (keys > 1 && merged[keys - 1].end - merged[0].begin + 2 + widest_after(keys) > width) --keys;
  const span key{merged[0].begin, merged[keys - 1].end};
  const std::size_t key_width = key.end - key.begin;
  if (key_width + 2 + widest_after(keys) > width) {
    if (!key_wraps(merged, width)) return false;
    wrap_key(lines, rows, merged, width, out);
    return true;
  }
  if (merged.size() - keys < 2) return false;

  std::size_t c = keys;
  bool first_block = true;
  std::string line;
  while (c < merged.size()) {
    std::vector<span> block;
    std::size_t used = key_width;
    while (c < merged.size() && used + 2 + (merged[c].end - merged[c].begin) <= width) {
      used += 2 + (merged[c].end - merged[c].begin);
      block.push_back(merged[c++]);
    }
    if (!first_block) out += '\n';
    first_block = false;
    for (std::size_t k = 0; k < rows.size(); ++k) {
      line.clear();
      append_cut(line, lines[rows[k]], key);
      for (const span& s : block) {
        line += "  ";
        append_cut(line, lines[rows[k]], s);
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line;
      out += '\n';
      if (k == 0) out += std::string(used, '-') + "\n";
    }
  }
  return true;
}

}  // namespace

std::size_t terminal_width() {
  if (const char* columns = std::getenv("COLUMNS")) {
    char* end = nullptr;
    const long n = std::strtol(columns, &end, 10);
    if (end != columns && *end == '\0' && n > 0) return static_cast<std::size_t>(n);
  }
  winsize ws{};
  if (::isatty(STDOUT_FILENO) && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 0;
}

// ---- fitted_text: lines are handled as they end; a table is held from its header to the
// line after its last row.

struct fitted_text::table_state {
  table_lines lines;  // header and rows
  std::string rule;
};

fitted_text::fitted_text(std::ostream& out, std::size_t width, bool all)
    : out_(&out), width_(width), all_(all), table_(std::make_unique<table_state>()) {}

fitted_text::~fitted_text() = default;

line_buffer::int_type line_buffer::overflow(int_type ch) {
  if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
  const char c = traits_type::to_char_type(ch);
  xsputn(&c, 1);
  return ch;
}

std::streamsize line_buffer::xsputn(const char* s, std::streamsize n) {
  std::string_view text(s, static_cast<std::size_t>(n));
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    if (end == std::string_view::npos) {
      partial_.append(text);
      break;
    }
    if (partial_.empty()) {
      line(text.substr(0, end));
    } else {
      partial_.append(text.substr(0, end));
      line(partial_);
      partial_.clear();
    }
    text.remove_prefix(end + 1);
  }
  return n;
}

bool line_buffer::end_last_line() {
  if (partial_.empty()) return false;
  line(partial_);
  partial_.clear();
  return true;
}

std::streamsize fitted_text::xsputn(const char* s, std::streamsize n) {
  if (width_ == 0 && all_) {  // nothing to fit
    out_->write(s, n);
    return n;
  }
  return line_buffer::xsputn(s, n);
}

void fitted_text::line(std::string_view l) {
  if (in_table_) {
    if (!l.empty() && glyph_count(l) <= table_->rule.size()) {  // a longer line is not a row
      table_->lines.add(l);
      return;
    }
    end_table();
  }
  if (has_pending_ && !pending_.empty() && is_rule(l)) {
    table_->lines.clear();
    table_->lines.add(pending_);
    table_->rule.assign(l);
    has_pending_ = false;
    in_table_ = true;
    return;
  }
  if (has_pending_) emit_line(pending_);
  pending_.assign(l);
  has_pending_ = true;
}

void fitted_text::end_table() {
  in_table_ = false;
  const table_lines& lines = table_->lines;
  row_list rows(lines.size());
  for (std::size_t r = 0; r < rows.size(); ++r) rows[r] = r;
  if (!all_) rows = nonzero_rows(lines);
  const std::size_t hidden = lines.size() - rows.size();
  std::string text;
  if (!(width_ > 0 && fold(lines, rows, width_, text))) {
    if (hidden == 0) {  // as it came
      emit_line(lines[0]);
      emit_line(table_->rule);
      for (std::size_t r = 1; r < lines.size(); ++r) emit_line(lines[r]);
      return;
    }
    text = std::string(lines[0]) + "\n" + table_->rule + "\n";
    for (std::size_t k = 1; k < rows.size(); ++k) (text += lines[rows[k]]) += '\n';
  }
  if (hidden > 0)
    text +=
        fmt::format("({} {} with only zeros not shown; --all shows every row)\n", hidden, hidden == 1 ? "row" : "rows");
  emit(text);
}

void fitted_text::emit_line(std::string_view l) {
  if (held_newline_) written_ += '\n';
  written_.append(l);
  held_newline_ = true;
  if (written_.size() >= flush_size) flush_written();
}

void fitted_text::emit(std::string_view text) {
  if (text.empty()) return;
  if (held_newline_) written_ += '\n';
  held_newline_ = text.back() == '\n';
  if (held_newline_) text.remove_suffix(1);
  written_.append(text);
  if (written_.size() >= flush_size) flush_written();
}

void fitted_text::flush_written() {
  out_->write(written_.data(), static_cast<std::streamsize>(written_.size()));
  written_.clear();
}

void fitted_text::finish() {
  if (width_ == 0 && all_) return;
  const bool newline_at_end = !end_last_line();
  if (in_table_) end_table();
  if (has_pending_) emit_line(pending_);
  has_pending_ = false;
  if (held_newline_ && newline_at_end) written_ += '\n';
  held_newline_ = false;
  flush_written();
}

std::string fit_tables(const std::string& text, std::size_t width, bool all) {
  if (width == 0 && all) return text;
  std::ostringstream out;
  fitted_text fitted(out, width, all);
  fitted.sputn(text.data(), static_cast<std::streamsize>(text.size()));
  fitted.finish();
  return std::move(out).str();
}

}  // namespace servicechain::cli
