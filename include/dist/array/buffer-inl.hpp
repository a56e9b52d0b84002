// The definitions of <dist/array/buffer.hpp>'s non-template functions: included by
// it in header-only use; with DIST_SEPARATE_COMPILATION compiled once, in
// <dist/separate.hpp>'s translation unit (see core/linkage.hpp).
#pragma once

#include <cstdlib>
#include <mutex>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "buffer.hpp"

namespace dist::detail {

DIST_INLINE bool huge_pages_on() noexcept {
  static const bool on = [] {
    const char* e = std::getenv("DIST_HUGE_PAGES");
    return !(e && e[0] == '0');
  }();
  return on;
}

/// Freed large blocks kept for reuse (see buffer.hpp's file comment).
/// Thread-safe. Used by allocate_block and free_block only.
class block_cache {
 public:
  DIST_INLINE static block_cache& instance();
  /// A kept block of exactly `bytes` and `align`, or nullptr.
  DIST_INLINE void* take(std::size_t bytes, std::size_t align);
  /// Keeps `p` when it fits under the limit (the oldest blocks make room);
  /// else frees it.
  DIST_INLINE void give(void* p, std::size_t bytes, std::size_t align);
  /// Frees every kept block (at exit).
  DIST_INLINE void clear();
  /// DIST_BLOCK_CACHE_MB, read once (off under AddressSanitizer, so it
  /// keeps seeing every use after free).
  DIST_INLINE static std::size_t limit();
  ~block_cache() { clear(); }

 private:
  struct kept {
    void* p;
    std::size_t bytes, align;
  };
  static constexpr std::size_t max_blocks = 8;
  std::mutex m_;
  std::vector<kept> kept_;
  std::size_t held_ = 0;
};

DIST_INLINE block_cache& block_cache::instance() {
  static block_cache c;
  return c;
}

DIST_INLINE void* block_cache::take(std::size_t bytes, std::size_t align) {
  std::lock_guard<std::mutex> lock(m_);
  for (auto it = kept_.begin(); it != kept_.end(); ++it)
    if (it->bytes == bytes && it->align == align) {
      void* p = it->p;
      held_ -= bytes;
      kept_.erase(it);
      return p;
    }
  return nullptr;
}

DIST_INLINE void block_cache::give(void* p, std::size_t bytes, std::size_t align) {
  {
    std::lock_guard<std::mutex> lock(m_);
    if (bytes <= limit()) {
      while (held_ + bytes > limit() || kept_.size() >= max_blocks) {
        ::operator delete(kept_.front().p, std::align_val_t{kept_.front().align});
        held_ -= kept_.front().bytes;
        kept_.erase(kept_.begin());
      }
      kept_.push_back({p, bytes, align});
      held_ += bytes;
      return;
    }
  }
  ::operator delete(p, std::align_val_t{align});
}

DIST_INLINE void block_cache::clear() {
  std::lock_guard<std::mutex> lock(m_);
  for (const auto& b : kept_) ::operator delete(b.p, std::align_val_t{b.align});
  kept_.clear();
  held_ = 0;
}

DIST_INLINE std::size_t block_cache::limit() {
  static const std::size_t bytes = [] {
#if defined(__SANITIZE_ADDRESS__)
    return std::size_t{0};
#else
    const char* e = std::getenv("DIST_BLOCK_CACHE_MB");
    return (e ? static_cast<std::size_t>(std::strtoull(e, nullptr, 10)) : std::size_t{512}) << 20;
#endif
  }();
  return bytes;
}

// large blocks' alignment: huge pages where those are on
inline std::size_t large_block_alignment() noexcept { return huge_pages_on() ? huge_page_bytes : block_alignment; }

DIST_INLINE void* allocate_block(std::size_t bytes) {
  if (bytes >= huge_block_bytes) {
    if (void* kept = block_cache::instance().take(bytes, large_block_alignment())) return kept;
  }
  if (bytes >= huge_block_bytes && huge_pages_on()) {  // large blocks on 2 MiB pages where the kernel allows (fewer TLB misses)
    void* p = ::operator new(bytes, std::align_val_t{huge_page_bytes});
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    ::madvise(p, (bytes + huge_page_bytes - 1) / huge_page_bytes * huge_page_bytes, MADV_HUGEPAGE);
#endif
    return p;
  }
  return ::operator new(bytes, std::align_val_t{block_alignment});
}

DIST_INLINE void free_block(void* p, std::size_t bytes) noexcept {
  if (bytes >= huge_block_bytes) block_cache::instance().give(p, bytes, large_block_alignment());
  else ::operator delete(p, std::align_val_t{block_alignment});
}

}  // namespace dist::detail
