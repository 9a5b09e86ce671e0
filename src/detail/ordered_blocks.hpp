#pragma once
// Internal: output made in blocks on several threads and handed on in order. The rows of a
// large report are independent, so each worker formats whole blocks of them into a buffer of
// its own while the calling thread passes finished buffers to the stream: the bytes are
// those one thread would write, the memory is two buffers per worker.

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace servicechain::detail {

/// For the blocks [b·block, (b + 1)·block) ∩ [0, count), in order: `fill(buffer, first, last)`
/// on a `Buffer` made by `make()`, then `emit(buffer)`. With more than one thread, `threads`
/// workers fill (worker t takes blocks t, t + threads, …; a buffer is reused once emitted)
/// while the calling thread emits; with one, the calling thread does both, with one buffer.
/// `fill` must be safe to call from several threads at once (on different buffers); what it
/// or `emit` throws is rethrown here once every worker has stopped.
template <typename Make, typename Fill, typename Emit>
void ordered_blocks(std::size_t count, std::size_t block, unsigned threads, Make make, Fill fill, Emit emit) {
  block = std::max<std::size_t>(block, 1);
  const std::size_t blocks = (count + block - 1) / block;
  if (threads <= 1 || blocks <= 1) {
    auto buffer = make();
    for (std::size_t b = 0; b < blocks; ++b) {
      fill(*buffer, b * block, std::min(count, (b + 1) * block));
      emit(*buffer);
    }
    return;
  }
  struct slot {
    decltype(make()) buffer;
    bool ready = false;
    std::exception_ptr error;
  };
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, blocks));  // no idle workers
  std::vector<slot> slots(2 * std::size_t{threads});                        // block b goes to slot b mod size
  for (auto& s : slots) s.buffer = make();
  std::mutex mutex;
  std::condition_variable changed;
  bool stop = false;
  auto work = [&](std::size_t first_block) {
    for (std::size_t b = first_block; b < blocks; b += threads) {
      slot& s = slots[b % slots.size()];
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return stop || !s.ready; });  // until the block before in this slot is emitted
        if (stop) return;
      }
      std::exception_ptr error;
      try {
        fill(*s.buffer, b * block, std::min(count, (b + 1) * block));
      } catch (...) {
        error = std::current_exception();
      }
      {
        const std::lock_guard lock(mutex);
        s.error = error;
        s.ready = true;
      }
      changed.notify_all();
      if (error) return;
    }
  };
  std::exception_ptr error;
  {
    std::vector<std::jthread> workers;
    for (unsigned t = 0; t < threads; ++t) workers.emplace_back(work, t);
    for (std::size_t b = 0; b < blocks && !error; ++b) {
      slot& s = slots[b % slots.size()];
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return s.ready; });
      }
      try {
        if (s.error) std::rethrow_exception(s.error);
        emit(*s.buffer);
      } catch (...) {
        error = std::current_exception();
      }
      {
        const std::lock_guard lock(mutex);
        s.ready = false;
        if (error) stop = true;
      }
      changed.notify_all();
    }
  }  // the workers are joined here
  if (error) std::rethrow_exception(error);
}

}  // namespace servicechain::detail
