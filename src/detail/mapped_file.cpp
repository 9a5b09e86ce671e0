#include "detail/mapped_file.hpp"

#if __has_include(<sys/mman.h>) && __has_include(<unistd.h>)
#define SERVICECHAIN_HAS_MMAP 1
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <limits>

namespace servicechain::detail {

#if defined(SERVICECHAIN_HAS_MMAP)
namespace {

/// Closes a descriptor when it goes out of scope (a mapping outlives its descriptor).
struct descriptor {
  int fd;
  ~descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::optional<mapped_file> mapped_file::open(const std::filesystem::path& file, std::size_t padding) noexcept {
  const descriptor d{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
  struct stat status {};
  if (d.fd < 0 || ::fstat(d.fd, &status) != 0 || !S_ISREG(status.st_mode) || status.st_size <= 0) return std::nullopt;
  const auto size = static_cast<std::size_t>(status.st_size);
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  if (size > std::numeric_limits<std::size_t>::max() / 2 - padding - 2 * page) return std::nullopt;
  const std::size_t file_span = (size + page - 1) / page * page;
  // Reserve the file's pages and the padding's as anonymous zero pages, then lay the file
  // over the first part: the bytes past its end, in its last page and after, read as zero
  // (a file mapping read past the file's last page would raise SIGBUS).
  const std::size_t span = file_span + (padding + page - 1) / page * page;
  void* base = ::mmap(nullptr, span, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return std::nullopt;
  if (::mmap(base, file_span, PROT_READ, MAP_PRIVATE | MAP_FIXED, d.fd, 0) == MAP_FAILED) {
    ::munmap(base, span);
    return std::nullopt;
  }
  (void)::madvise(base, file_span, MADV_SEQUENTIAL);  // advice only: the parser reads front to back
  return mapped_file(static_cast<char*>(base), size, span);
}

mapped_file::~mapped_file() {
  if (base_ != nullptr) ::munmap(base_, span_);
}

#else  // no mmap: the loader reads the file

std::optional<mapped_file> mapped_file::open(const std::filesystem::path&, std::size_t) noexcept {
  return std::nullopt;
}
mapped_file::~mapped_file() = default;

#endif

mapped_file::mapped_file(mapped_file&& other) noexcept : base_(other.base_), size_(other.size_), span_(other.span_) {
  other.base_ = nullptr;
  other.span_ = 0;
}

}  // namespace servicechain::detail
