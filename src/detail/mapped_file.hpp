#pragma once
// Internal: a regular file mapped read-only, for the model loader.
//
// Reading a 480 MB model into a fresh buffer faults in and zeroes that much new memory,
// slow on a VM whose freed memory goes back to the host (about 2 s per GB); a mapping
// reads the page cache's pages where they are (benchmarks/RESULTS.md, "Mapped model").
// Off POSIX systems `open` gives nothing and the loader reads the file.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string_view>

namespace servicechain::detail {

/// A mapping of a whole regular file, followed by at least the padding it was asked for of
/// readable zero bytes (simdjson reads up to 64 bytes past the text). The file must not be
/// truncated while it is mapped.
class mapped_file {
 public:
  /// The mapping of `file`, or nothing when it is not a non-empty regular file or cannot
  /// be opened or mapped (the caller reads it the ordinary way and words the error).
  static std::optional<mapped_file> open(const std::filesystem::path& file, std::size_t padding) noexcept;

  mapped_file(mapped_file&& other) noexcept;
  mapped_file& operator=(mapped_file&&) = delete;
  mapped_file(const mapped_file&) = delete;
  mapped_file& operator=(const mapped_file&) = delete;
  ~mapped_file();

  /// The file's bytes; `padding` zero bytes follow them.
  [[nodiscard]] std::string_view text() const noexcept { return {base_, size_}; }

 private:
  mapped_file(char* base, std::size_t size, std::size_t span) noexcept : base_(base), size_(size), span_(span) {}
  char* base_;
  std::size_t size_;
  std::size_t span_;  // bytes reserved: the file's pages and the padding's
};

}  // namespace servicechain::detail
