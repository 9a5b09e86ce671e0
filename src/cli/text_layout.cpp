// Tables no wider than the terminal: a table of the text report that is wider than the
// limit is printed in blocks of columns, each block repeating the first column (the unit,
// customer or link the row is about), so that no cell is lost and no line wraps.
//
// A table is what text_table::to_text writes: a header line, a rule of '-' under it, then
// rows up to the next empty line. Columns are found from the text itself: runs of at least
// two positions that are blank on every line of the table separate them (text_table puts
// two spaces between columns); a column whose header is blank (the inside of a waterfall
// bar) belongs to the column after it. Widths count code points, as text_table does.

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace servicechain::cli {

namespace {

using glyphs = std::vector<std::string>;  // one UTF-8 code point each

glyphs split_glyphs(const std::string& line) {
  glyphs out;
  for (char ch : line) {
    if ((static_cast<unsigned char>(ch) & 0xC0) == 0x80 && !out.empty()) {
      out.back() += ch;  // a continuation byte
    } else {
      out.emplace_back(1, ch);
    }
  }
  return out;
}

bool is_rule(const std::string& line) {
  return line.size() >= 3 && line.find_first_not_of('-') == std::string::npos;
}

struct span {
  std::size_t begin, end;  // [begin, end) in code points
};

std::string cut(const glyphs& line, span s) {
  std::string out;
  for (std::size_t k = s.begin; k < s.end; ++k) out += k < line.size() ? line[k] : " ";
  return out;
}

std::string rtrim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// True if every non-blank cell of the column, below the header, is a number (or `-`).
bool numeric_column(const std::vector<glyphs>& lines, span s) {
  for (std::size_t r = 1; r < lines.size(); ++r) {
    const std::string cell = cut(lines[r], s);
    const auto first = cell.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    const std::string v = rtrim(cell.substr(first));
    if (v.find_first_not_of("0123456789.+-e%") != std::string::npos || v == "e") return false;
  }
  return true;
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
      out.push_back(cut(line, {0, line.size()}));
      line.clear();
    }
    if (!line.empty()) line.emplace_back(" ");
    line.insert(line.end(), word.begin(), word.end());
    while (line.size() > width) {
      out.push_back(cut(line, {0, width}));
      line.erase(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(width));
    }
  }
  if (!line.empty() || out.empty()) out.push_back(cut(line, {0, line.size()}));
  return out;
}

// A table whose first column is too wide to repeat (a chain of units): that column is
// wrapped at spaces onto continuation lines, the other columns beside its first line.
std::vector<std::string> wrap_key(const std::vector<glyphs>& lines, const std::vector<span>& columns,
                                  std::size_t width) {
  if (columns.size() < 2) return {};
  const span rest{columns[1].begin, columns.back().end};
  const std::size_t rest_width = rest.end - rest.begin;
  if (rest_width + 2 + 16 > width) return {};
  const std::size_t room = width - 2 - rest_width;
  std::vector<std::string> out;
  for (std::size_t r = 0; r < lines.size(); ++r) {
    // The first line beside the other columns; continuation lines indented by two.
    auto pieces = wrap_words(rtrim(cut(lines[r], columns[0])), room);
    std::string more;
    for (std::size_t k = 1; k < pieces.size(); ++k) more += (more.empty() ? "" : " ") + pieces[k];
    out.push_back(rtrim(pieces[0] + std::string(room - split_glyphs(pieces[0]).size() + 2, ' ') + cut(lines[r], rest)));
    if (!more.empty())
      for (const auto& piece : wrap_words(more, room - 2)) out.push_back(std::string{"  "} + piece);
    if (r == 0) out.emplace_back(width, '-');
  }
  return out;
}

// The columns of a table (header first): runs of at least two positions blank on every
// line separate them; a column with a blank header joins the next one (the inside of a
// waterfall bar).
std::vector<span> find_columns(const std::vector<glyphs>& lines) {
  std::size_t total = 0;
  for (const auto& l : lines) total = std::max(total, l.size());
  std::vector<bool> blank(total, true);
  for (const auto& l : lines)
    for (std::size_t k = 0; k < l.size(); ++k)
      if (l[k] != " ") blank[k] = false;
  std::vector<span> columns;
  std::size_t k = 0;
  while (k < total) {
    while (k < total && blank[k]) ++k;
    if (k == total) break;
    const std::size_t begin = k;
    while (k < total && !(blank[k] && (k + 1 == total || blank[k + 1]))) ++k;
    columns.push_back({begin, k});
  }
  const glyphs& header = lines.front();
  std::vector<span> merged;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    const bool header_blank = rtrim(cut(header, columns[c])).empty();
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
std::size_t key_count(const std::vector<glyphs>& lines, const std::vector<span>& columns) {
  std::size_t keys = 0;
  while (keys + 1 < columns.size() && (keys == 0 || !numeric_column(lines, columns[keys]))) ++keys;
  return std::max<std::size_t>(keys, 1);
}

bool is_zero(std::string cell) {
  cell = rtrim(cell.substr(std::min(cell.size(), cell.find_first_not_of(' '))));
  if (cell.empty()) return false;
  std::size_t k = cell[0] == '-' ? 1 : 0;
  if (k == cell.size() || cell[k] != '0') return false;
  ++k;
  if (k < cell.size() && cell[k] == '.') ++k;
  while (k < cell.size() && cell[k] == '0') ++k;
  if (k < cell.size() && cell[k] == '%') ++k;
  return k == cell.size();
}

// Per line of the table (header first), whether to keep it: rows whose every cell outside
// the key columns is zero are dropped.
std::vector<bool> nonzero_rows(const std::vector<glyphs>& lines) {
  std::vector<bool> keep(lines.size(), true);
  const auto columns = find_columns(lines);
  if (lines.size() < 2 || columns.size() < 2) return keep;
  const std::size_t keys = key_count(lines, columns);
  for (std::size_t r = 1; r < lines.size(); ++r) {
    bool zero = true;
    for (std::size_t c = keys; c < columns.size() && zero; ++c) zero = is_zero(cut(lines[r], columns[c]));
    keep[r] = !zero;
  }
  return keep;
}

// The table `lines` (header first, no rule) in blocks of columns no wider than `width`,
// each repeating the key columns; empty if it already fits or cannot be made to.
std::vector<std::string> fold(const std::vector<glyphs>& lines, std::size_t width) {
  std::size_t total = 0;
  for (const auto& l : lines) total = std::max(total, l.size());
  if (total <= width) return {};
  const std::vector<span> merged = find_columns(lines);
  if (merged.empty()) return {};
  // As many key columns as leave room for the widest other column.
  std::size_t keys = key_count(lines, merged);
  auto widest_after = [&](std::size_t from) {
    std::size_t w = 0;
    for (std::size_t c = from; c < merged.size(); ++c) w = std::max(w, merged[c].end - merged[c].begin);
    return w;
  };
  while (keys > 1 && merged[keys - 1].end - merged[0].begin + 2 + widest_after(keys) > width) --keys;
  const span key{merged[0].begin, merged[keys - 1].end};
  const std::size_t key_width = key.end - key.begin;
  if (key_width + 2 + widest_after(keys) > width) return wrap_key(lines, merged, width);
  if (merged.size() - keys < 2) return {};

  std::vector<std::string> out;
  std::size_t c = keys;
  while (c < merged.size()) {
    std::vector<span> block;
    std::size_t used = key_width;
    while (c < merged.size() && used + 2 + (merged[c].end - merged[c].begin) <= width) {
      used += 2 + (merged[c].end - merged[c].begin);
      block.push_back(merged[c++]);
    }
    if (!out.empty()) out.emplace_back();
    for (std::size_t r = 0; r < lines.size(); ++r) {
      std::string line = cut(lines[r], key);
      for (const span& s : block) line += "  " + cut(lines[r], s);
      out.push_back(rtrim(line));
      if (r == 0) out.emplace_back(used, '-');
    }
  }
  return out;
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

std::string fit_tables(const std::string& text, std::size_t width, bool all) {
  if (width == 0 && all) return text;
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  std::string out;
  std::size_t i = 0;
  while (i < lines.size()) {
    if (i + 1 < lines.size() && !lines[i].empty() && is_rule(lines[i + 1])) {
      // Rows run to the next empty line; a longer line than the rule is not a row.
      std::vector<glyphs> table{split_glyphs(lines[i])};
      std::vector<std::size_t> source{i};  // line of each table line in `lines`
      const std::size_t rule = lines[i + 1].size();
      std::size_t j = i + 2;
      while (j < lines.size() && !lines[j].empty()) {
        glyphs row = split_glyphs(lines[j]);
        if (row.size() > rule) break;
        table.push_back(std::move(row));
        source.push_back(j++);
      }
      std::size_t hidden = 0;
      if (!all) {
        const auto keep = nonzero_rows(table);
        std::vector<glyphs> kept;
        std::vector<std::size_t> kept_source;
        for (std::size_t r = 0; r < table.size(); ++r) {
          if (keep[r]) {
            kept.push_back(std::move(table[r]));
            kept_source.push_back(source[r]);
          }
        }
        hidden = table.size() - kept.size();
        table = std::move(kept);
        source = std::move(kept_source);
      }
      const auto folded = width > 0 ? fold(table, width) : std::vector<std::string>{};
      if (!folded.empty() || hidden > 0) {
        if (!folded.empty()) {
          for (const auto& l : folded) out += l + "\n";
        } else {
          out += lines[i] + "\n" + lines[i + 1] + "\n";
          for (std::size_t r = 1; r < source.size(); ++r) out += lines[source[r]] + "\n";
        }
        if (hidden > 0)
          out += fmt::format("({} {} with only zeros not shown; --all shows every row)\n", hidden,
                             hidden == 1 ? "row" : "rows");
        i = j;
        continue;
      }
    }
    out += lines[i] + "\n";
    ++i;
  }
  if (!text.empty() && text.back() != '\n') out.pop_back();
  return out;
}

}  // namespace servicechain::cli
