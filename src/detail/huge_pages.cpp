#include "detail/huge_pages.hpp"

#include <cstdint>
#include <thread>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace servicechain::detail {

namespace {

constexpr std::uintptr_t huge = std::uintptr_t{2} << 20;

// The 2 MiB-aligned interior [first, last) of [p, p + bytes): empty when last <= first.
struct huge_span {
  std::uintptr_t first, last;
};

[[maybe_unused]] huge_span huge_interior(const void* p, std::size_t bytes) noexcept {
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  return {(begin + huge - 1) & ~(huge - 1), (begin + bytes) & ~(huge - 1)};
}

}  // namespace

void advise_huge_pages(void* p, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (p == nullptr || bytes < huge_page_threshold) return;
  const auto [first, last] = huge_interior(p, bytes);
  // Advice only: on failure (THP disabled, old kernel) the buffer keeps 4 KiB pages.
  if (last > first) (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

background_prefault::background_prefault(void* p, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
  if (p == nullptr || bytes < prefault_threshold || std::thread::hardware_concurrency() < 2) return;
  const huge_span span = huge_interior(p, bytes);
  try {
    thread_ = std::thread([this, span] {
      // Back to front, one huge page a call: the caller fills the buffer front to back, so
      // the two meet in the middle without faulting the same pages; a stop is seen soon, and
      // a refusal (an old kernel) ends it.
      for (std::uintptr_t at = span.last; at > span.first && !stop_.load(std::memory_order_relaxed); at -= huge)
        if (madvise(reinterpret_cast<void*>(at - huge), huge, MADV_POPULATE_WRITE) != 0) break;
    });
  } catch (...) {
    // No thread to be had: the caller faults the pages in itself, as without this object.
  }
#else
  (void)p;
  (void)bytes;
#endif
}

background_prefault::~background_prefault() {
  stop_.store(true, std::memory_order_relaxed);
  if (thread_.joinable()) thread_.join();
}

}  // namespace servicechain::detail
