#pragma once
// Internal: asking for a cache line before it is read, where the address is known well
// ahead but the hardware cannot guess it (a row's ends, a search's next vertices).

namespace servicechain::detail {

/// Asks for the cache line holding `p`; reads nothing, so any address may be given.
/// Inlined by force: GCC 12 takes a function holding only prefetches for one without
/// effects and drops its calls, so a helper that calls this must be inlined by force too.
[[gnu::always_inline]] inline void prefetch(const void* p) noexcept {
#if defined(__GNUC__)
  __builtin_prefetch(p);
#else
  (void)p;
#endif
}

}  // namespace servicechain::detail
