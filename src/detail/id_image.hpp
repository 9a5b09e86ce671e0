#pragma once
// Internal: how the unit directory's table compares ids (src/graph/service_graph.cpp).
//
// A slot holds the id's image: its length and, for an id of up to `max_inline_id` bytes,
// the id itself, or 8 bytes of its hash for a longer one. Short ids (the common case) are
// thus resolved from the table alone, without reading the id strings: at a million units
// each read of either is a cache and TLB miss. The image is built by fixed-size loads
// that may overlap (given the length, they still determine every byte) and compared as
// two integers: a byte copy and `memcmp` here cost a store-forwarding stall per lookup.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace servicechain::detail {

/// Ids up to this many bytes are held in the table itself.
inline constexpr std::size_t max_inline_id = 11;

struct id_image {
  /// The length (at most 255) in the low byte; above it, bytes n − 3 … n − 1 of an id of 8–11 bytes.
  std::uint32_t head = 0;
  std::uint64_t body = 0;  ///< the id's bytes (packed by length), or the hash of a long id
};

/// The image of `id`, whose hash is `hash`. Two ids of at most `max_inline_id` bytes have
/// the same image exactly when they are equal.
inline id_image image_of(std::string_view id, std::size_t hash) noexcept {
  const char* p = id.data();
  const std::size_t n = id.size();
  auto load32 = [](const char* at) {
    std::uint32_t v;
    std::memcpy(&v, at, sizeof v);
    return v;
  };
  id_image image{.head = static_cast<std::uint32_t>(std::min<std::size_t>(n, 255)), .body = 0};
  if (n > max_inline_id) {
    image.body = hash;
  } else if (n >= 8) {  // bytes 0–7 in the body, bytes n − 3 … n − 1 above the length
    std::memcpy(&image.body, p, sizeof image.body);
    image.head |= load32(p + n - 4) & 0xffff'ff00u;
  } else if (n >= 4) {  // bytes 0–3 and n − 4 … n − 1
    image.body = load32(p) | std::uint64_t{load32(p + n - 4)} << 32;
  } else if (n > 0) {
    image.body = std::uint64_t{static_cast<unsigned char>(p[0])} |
                 std::uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
                 std::uint64_t{static_cast<unsigned char>(p[n - 1])} << 16;
  }
  return image;
}

}  // namespace servicechain::detail
