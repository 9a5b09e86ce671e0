#pragma once
// Bounded, valid-UTF-8 text for error messages, whatever the input: an id of a megabyte or
// bytes that are not UTF-8 must not reach stderr as they are (docs/reliability.md).

#include <cstddef>
#include <string>
#include <string_view>

namespace servicechain::detail {

/// Length of the well-formed UTF-8 sequence starting at s[i], or 0 if it is ill-formed
/// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
inline std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return n;
}

/// `text` cut to at most `max_bytes` (on a character boundary) plus "…" when longer:
/// how ids and tokens appear in messages (an id of 1 MB shows as its first 64 bytes).
inline std::string elided(std::string_view text, std::size_t max_bytes = 64) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "…";
}

/// A message made safe to print: every ill-formed UTF-8 byte shown as `\xNN`, and every
/// run of more than `max_token` bytes without a space, quote, comma or bracket (an id, a
/// key, a number, a token the JSON parser echoes) cut to its first `max_token` bytes + "…".
/// Linear in the length of `message`.
inline std::string safe_message(std::string_view message, std::size_t max_token = 200) {
  constexpr std::string_view separators = " \n\t'\"(),{}[]";
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(std::min<std::size_t>(message.size(), 4096));
  std::size_t run = 0;  // bytes of the current token already copied
  bool elided_run = false;
  std::size_t i = 0;
  while (i < message.size()) {
    const char c = message[i];
    if (separators.find(c) != std::string_view::npos) {
      run = 0;
      elided_run = false;
      out += c;
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence_length(message, i);
    if (run >= max_token) {
      if (!elided_run) out += "…";
      elided_run = true;
      i += n == 0 ? 1 : n;
      continue;
    }
    if (n == 0) {
      const auto b = static_cast<unsigned char>(c);
      out += "\\x";
      out += hex[b >> 4];
      out += hex[b & 0xF];
      run += 4;
      ++i;
    } else {
      out.append(message.substr(i, n));
      run += n;
      i += n;
    }
  }
  return out;
}

}  // namespace servicechain::detail
