#pragma once
// Internal: transparent huge pages for the library's large buffers.
//
// On a kernel whose THP mode is `madvise` (common on distributions and VMs), every 4 KiB
// page of a fresh buffer costs a page fault on first touch, and at 10⁶ units those faults
// were the largest single cost of compile and of the open analysis (benchmarks/RESULTS.md).
// A buffer advised with MADV_HUGEPAGE before it is first written faults in 2 MiB at a time.
// The advice is given where the library allocates, so every caller gets it without
// touching its process environment; glibc's own tunable would need the variable at start.

#include <atomic>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <thread>
#include <vector>

#include <Eigen/Core>

namespace servicechain::detail {

/// Buffers from this size on are advised (bytes); below it a huge page would mostly
/// back memory the buffer does not use.
inline constexpr std::size_t huge_page_threshold = std::size_t{4} << 20;

/// Advises the 2 MiB-aligned interior of `[p, p + bytes)` for transparent huge pages,
/// if `bytes` reaches the threshold; a no-op off Linux or when the kernel refuses.
/// Only pages not yet touched benefit: call it between allocation and first write.
void advise_huge_pages(void* p, std::size_t bytes) noexcept;

/// Faults in the 2 MiB-aligned interior of `[p, p + bytes)` for writing, back to front, on a
/// thread of its own while the caller fills the buffer front to back (`MADV_POPULATE_WRITE`: page tables
/// only, no byte is written, so the two never race on data). Where a fresh page is slow to
/// hand out (a VM that returns freed memory to its host: ~2 s per GB) the zeroing then runs
/// on another core. The destructor stops the thread and joins it, so the buffer must
/// outlive the object. No thread below `prefault_threshold` bytes, on one core, off Linux,
/// or when the kernel refuses.
class background_prefault {
 public:
  /// A buffer `[data, data + bytes)` to fault in.
  struct span {
    void* data;
    std::size_t bytes;
  };

  background_prefault(void* p, std::size_t bytes) noexcept : background_prefault({span{p, bytes}}) {}
  /// Several buffers, in the order given (each back to front): for buffers made ahead of the
  /// steps that fill them, one after another. No thread below `prefault_threshold` bytes in all.
  explicit background_prefault(std::span<const span> buffers) noexcept;
  explicit background_prefault(std::initializer_list<span> buffers) noexcept
      : background_prefault(std::span<const span>(buffers.begin(), buffers.size())) {}
  background_prefault(const background_prefault&) = delete;
  background_prefault& operator=(const background_prefault&) = delete;
  ~background_prefault();

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

/// Buffers from this size on are prefaulted in the background (bytes): below it a thread
/// costs more than the faults it would take over.
inline constexpr std::size_t prefault_threshold = std::size_t{64} << 20;

/// `v.reserve(n)`, with the new storage advised before anything is written to it.
template <typename T, typename A>
void huge_reserve(std::vector<T, A>& v, std::size_t n) {
  if (n > v.capacity()) {
    v.reserve(n);
    advise_huge_pages(v.data(), n * sizeof(T));
  }
}

/// Buffers made ahead of the steps that fill them, in the order they will be filled, for
/// one `background_prefault`.
using reserved_buffers = std::vector<background_prefault::span>;

/// `huge_reserve(v, n)`, then `v`'s reserved storage (all of its capacity) appended to
/// `buffers`: an array is named once, where it is reserved.
template <typename T, typename A>
void huge_reserve(std::vector<T, A>& v, std::size_t n, reserved_buffers& buffers) {
  huge_reserve(v, n);
  buffers.push_back({v.data(), v.capacity() * sizeof(T)});
}

/// `v.resize(n)`, with the new storage advised before it is value-initialized.
template <typename T, typename A>
void huge_resize(std::vector<T, A>& v, std::size_t n) {
  huge_reserve(v, n);
  v.resize(n);
}

/// `v.assign(n, value)`, with the new storage advised before it is written.
template <typename T, typename A>
void huge_assign(std::vector<T, A>& v, std::size_t n, const T& value) {
  if (n > v.capacity()) {
    std::vector<T, A>().swap(v);
    v.reserve(n);
    advise_huge_pages(v.data(), n * sizeof(T));
  }
  v.assign(n, value);
}

/// A vector of `n` copies of `value` in advised storage.
template <typename T>
std::vector<T> huge_vector(std::size_t n, const T& value = T{}) {
  std::vector<T> v;
  huge_assign(v, n, value);
  return v;
}

/// An Eigen matrix of `rows` × `cols` zeros in advised storage.
template <typename Matrix>
Matrix huge_zero(Eigen::Index rows, Eigen::Index cols) {
  Matrix m(rows, cols);
  advise_huge_pages(m.data(), static_cast<std::size_t>(m.size()) * sizeof(typename Matrix::Scalar));
  m.setZero();
  return m;
}

/// A copy of `m` in advised storage (Eigen's own copy would fault it in 4 KiB pages).
template <typename Matrix>
Matrix huge_copy(const Matrix& m) {
  Matrix copy(m.rows(), m.cols());
  advise_huge_pages(copy.data(), static_cast<std::size_t>(copy.size()) * sizeof(typename Matrix::Scalar));
  copy = m;
  return copy;
}

}  // namespace servicechain::detail
