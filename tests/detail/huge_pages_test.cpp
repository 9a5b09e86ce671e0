// The library's fresh-memory helpers (src/detail/huge_pages.hpp): advice and background
// prefaulting must never change a byte the caller wrote, before or while they run.

#include "detail/huge_pages.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace {

using servicechain::detail::background_prefault;
using servicechain::detail::prefault_threshold;

std::uint64_t pattern(std::size_t i) { return 0x9E3779B97F4A7C15ULL * (i + 1); }

TEST(BackgroundPrefaultTest, LeavesWhatTheCallerWritesBeforeAndWhileItRuns) {
  // Above the threshold, so that a thread runs (on two cores or more); uninitialized, so
  // that the second half is first touched while the thread populates it.
  const std::size_t n = (prefault_threshold + (std::size_t{16} << 20)) / sizeof(std::uint64_t);
  const std::unique_ptr<std::uint64_t[]> buffer(new std::uint64_t[n]);
  for (std::size_t i = 0; i < n / 2; ++i) buffer[i] = pattern(i);
  {
    const background_prefault prefault(buffer.get(), n * sizeof(std::uint64_t));
    for (std::size_t i = n / 2; i < n; ++i) buffer[i] = pattern(i);
  }
  std::size_t wrong = 0, first_wrong = n;
  for (std::size_t i = 0; i < n; ++i) {
    if (buffer[i] != pattern(i)) {
      ++wrong;
      if (first_wrong == n) first_wrong = i;
    }
  }
  EXPECT_EQ(wrong, 0u) << "first at element " << first_wrong << " of " << n;
}

TEST(BackgroundPrefaultTest, LeavesEveryBufferOfAListAsItsFillerWritesIt) {
  // Three buffers, each filled front to back after the one before, as the open analysis
  // fills the arrays it makes ahead (a null entry is skipped); the third is left as made,
  // zeroed: its pages, faulted in by the thread, must still read as zeros.
  const std::size_t n = (prefault_threshold / 2) / sizeof(std::uint64_t);
  const std::unique_ptr<std::uint64_t[]> first(new std::uint64_t[n]), second(new std::uint64_t[n]),
      third(new std::uint64_t[n]());
  {
    const background_prefault prefault({{first.get(), n * sizeof(std::uint64_t)},
                                        {nullptr, n},
                                        {second.get(), n * sizeof(std::uint64_t)},
                                        {third.get(), n * sizeof(std::uint64_t)}});
    for (std::size_t i = 0; i < n; ++i) first[i] = pattern(i);
    for (std::size_t i = 0; i < n; ++i) second[i] = pattern(n + i);
  }
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < n; ++i) {
    wrong += first[i] != pattern(i);
    wrong += second[i] != pattern(n + i);
    wrong += third[i] != 0;
  }
  EXPECT_EQ(wrong, 0u) << "of " << 3 * n << " elements in three buffers";
}

TEST(BackgroundPrefaultTest, BelowTheThresholdOrWithoutABufferItDoesNothing) {
  std::uint64_t small[4] = {1, 2, 3, 4};
  { const background_prefault prefault(small, sizeof small); }
  { const background_prefault prefault(nullptr, prefault_threshold * 2); }
  { const background_prefault prefault({{small, sizeof small}, {nullptr, prefault_threshold * 2}}); }
  EXPECT_EQ(small[0] + small[1] + small[2] + small[3], 10u);
}

}  // namespace
