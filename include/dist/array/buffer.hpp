// buffer<T>: the owned, 64-byte-aligned storage of a local block (a
// std::vector without vector<bool>'s bit packing and with aligned data).
// Large blocks (8 MiB and more) sit on transparent huge pages and, when
// freed, are kept in a small process-wide cache for the next block of the
// same size: a loop making a new array per iteration (b = reshape(a),
// c = cumsum(a)) then reuses memory whose pages are already mapped instead
// of faulting in fresh ones (a 4 KiB page fault per 4 KiB written when
// huge pages are off). DIST_BLOCK_CACHE_MB bounds the cache (default 512;
// 0 turns it off; kept blocks are freed at exit).
#pragma once

#include <algorithm>
#include <vector>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include "../core/linkage.hpp"

namespace dist::detail {

/// The alignment of every block; large ones (huge_block_bytes and more)
/// are aligned to huge pages where those are on.
inline constexpr std::size_t block_alignment = 64;
inline constexpr std::size_t huge_page_bytes = std::size_t{2} << 20;
inline constexpr std::size_t huge_block_bytes = std::size_t{8} << 20;

/// Blocks of 8 MiB and more ask for transparent huge pages (madvise),
/// unless the environment sets DIST_HUGE_PAGES=0. Read once.
DIST_INLINE bool huge_pages_on() noexcept;

/// `bytes` (> 0) of fresh block memory: a kept block of that size, else
/// new memory (large blocks on huge pages). Local.
DIST_INLINE void* allocate_block(std::size_t bytes);
/// Gives back memory allocate_block(bytes) returned (large blocks to the
/// cache). Local.
DIST_INLINE void free_block(void* p, std::size_t bytes) noexcept;

template <class T>
class buffer {
 public:
  buffer() = default;
  /// n default-initialised elements (arithmetic types: left uninitialised).
  explicit buffer(std::size_t n) : p_(allocate(n)), n_(n) { std::uninitialized_default_construct_n(p_, n); }
  buffer(std::size_t n, const T& v) : p_(allocate(n)), n_(n) {
    if constexpr (std::is_trivially_copyable_v<T>) std::fill_n(p_, n, v);  // the loop a person writes
    else std::uninitialized_fill_n(p_, n, v);
  }
  /// A buffer over memory someone else owns (never freed here).
  static buffer adopt(T* p, std::size_t n) noexcept {
    buffer b;
    b.p_ = p;
    b.n_ = n;
    b.owned_ = false;
    return b;
  }
  /// False for adopted memory.
  bool owned() const noexcept { return owned_; }
  buffer(const buffer& o) : p_(allocate(o.n_)), n_(o.n_) {
    if constexpr (std::is_trivially_copyable_v<T>) std::copy_n(o.p_, n_, p_);
    else std::uninitialized_copy_n(o.p_, n_, p_);
  }
  buffer(buffer&& o) noexcept
      : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)), owned_(std::exchange(o.owned_, true)) {}
  buffer& operator=(const buffer& o) {
    if (this != &o) {
      buffer t(o);
      swap(t);
    }
    return *this;
  }
  buffer& operator=(buffer&& o) noexcept {
    buffer t(std::move(o));
    swap(t);
    return *this;
  }
  ~buffer() { release(); }

  void swap(buffer& o) noexcept {
    std::swap(p_, o.p_);
    std::swap(n_, o.n_);
    std::swap(owned_, o.owned_);
  }
  T* data() noexcept { return p_; }
  const T* data() const noexcept { return p_; }
  std::size_t size() const noexcept { return n_; }
  /// True when this block asked for huge pages (owned, 8 MiB or more,
  /// DIST_HUGE_PAGES not 0).
  bool huge() const noexcept { return owned_ && n_ * sizeof(T) >= huge_block_bytes && huge_pages_on(); }

 private:
  static T* allocate(std::size_t n) { return n == 0 ? nullptr : static_cast<T*>(allocate_block(n * sizeof(T))); }
  void release() noexcept {
    if (p_ && owned_) {
      std::destroy_n(p_, n_);
      free_block(p_, n_ * sizeof(T));
    }
    p_ = nullptr;
    n_ = 0;
    owned_ = true;
  }

  T* p_ = nullptr;
  std::size_t n_ = 0;
  bool owned_ = true;
};

}  // namespace dist::detail

#if DIST_INLINE_DEFINITIONS
#include "buffer-inl.hpp"
#endif
