#include "detail/huge_pages.hpp"

#include <cstdint>
#include <thread>
#include <vector>

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

background_prefault::background_prefault(std::span<const span> buffers) noexcept {
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
  std::vector<huge_span> spans;
  std::size_t total = 0;
  try {
    for (const span& b : buffers) {
      if (b.data == nullptr) continue;
      spans.push_back(huge_interior(b.data, b.bytes));
      total += b.bytes;
    }
    if (total < prefault_threshold || std::thread::hardware_concurrency() < 2) return;
    thread_ = std::thread([this, spans = std::move(spans)] {
      // Each buffer back to front, one huge page a call: its filler goes front to back, so
      // the two meet in the middle without faulting the same pages; a stop is seen soon, and
      // a refusal (an old kernel) ends it.
      for (const huge_span& s : spans)
        for (std::uintptr_t at = s.last; at > s.first; at -= huge) {
          if (stop_.load(std::memory_order_relaxed)) return;
          if (madvise(reinterpret_cast<void*>(at - huge), huge, MADV_POPULATE_WRITE) != 0) return;
        }
    });
  } catch (...) {
    // No thread (or no memory for the list) to be had: the fillers fault the pages in
    // themselves, as without this object.
  }
#else
  (void)buffers;
#endif
}

background_prefault::~background_prefault() {
  stop_.store(true, std::memory_order_relaxed);
  if (thread_.joinable()) thread_.join();
}

}  // namespace servicechain::detail
