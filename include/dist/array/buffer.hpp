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
#include <cstdlib>
#include <mutex>
#include <vector>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace dist::detail {

/// Freed large blocks kept for reuse (see the file comment). Thread-safe.
class block_cache {
 public:
  static block_cache& instance() {
    static block_cache c;
    return c;
  }
  /// A kept block of exactly `bytes` and `align`, or nullptr.
  void* take(std::size_t bytes, std::size_t align) {
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
  /// Keeps `p` when it fits under the limit (the oldest blocks make room);
  /// else frees it.
  void give(void* p, std::size_t bytes, std::size_t align) {
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
  /// Frees every kept block (dist's finalisation).
  void clear() {
    std::lock_guard<std::mutex> lock(m_);
    for (const auto& b : kept_) ::operator delete(b.p, std::align_val_t{b.align});
    kept_.clear();
    held_ = 0;
  }
  std::size_t held_bytes() {
    std::lock_guard<std::mutex> lock(m_);
    return held_;
  }
  /// DIST_BLOCK_CACHE_MB, read once (off under AddressSanitizer, so it
  /// keeps seeing every use after free).
  static std::size_t limit() {
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

template <class T>
class buffer {
 public:
  static constexpr std::size_t alignment = 64;
  static constexpr std::size_t huge_page = std::size_t{2} << 20;
  static constexpr std::size_t huge_bytes = std::size_t{8} << 20;
  /// Blocks of 8 MiB and more ask for transparent huge pages (madvise),
  /// unless the environment sets DIST_HUGE_PAGES=0. Read once.
  static bool huge_pages() noexcept {
    static const bool on = [] {
      const char* e = std::getenv("DIST_HUGE_PAGES");
      return !(e && e[0] == '0');
    }();
    return on;
  }

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
  bool huge() const noexcept { return owned_ && n_ * sizeof(T) >= huge_bytes && huge_pages(); }

 private:
  static T* allocate(std::size_t n) {
    if (n == 0) return nullptr;
    const std::size_t bytes = n * sizeof(T);
    if (bytes >= huge_bytes) {
      if (void* kept = block_cache::instance().take(bytes, large_alignment())) return static_cast<T*>(kept);
    }
    if (bytes >= huge_bytes && huge_pages()) {  // large blocks on 2 MiB pages where the kernel allows (fewer TLB misses)
      void* p = ::operator new(bytes, std::align_val_t{huge_page});
#if defined(__linux__) && defined(MADV_HUGEPAGE)
      ::madvise(p, (bytes + huge_page - 1) / huge_page * huge_page, MADV_HUGEPAGE);
#endif
      return static_cast<T*>(p);
    }
    return static_cast<T*>(::operator new(bytes, std::align_val_t{alignment}));
  }
  void release() noexcept {
    if (!p_ || !owned_) {
      p_ = nullptr;
      n_ = 0;
      owned_ = true;
      return;
    }
    std::destroy_n(p_, n_);
    const std::size_t bytes = n_ * sizeof(T);
    if (bytes >= huge_bytes) block_cache::instance().give(p_, bytes, large_alignment());
    else ::operator delete(p_, std::align_val_t{alignment});
    p_ = nullptr;
    n_ = 0;
  }

  static std::size_t large_alignment() noexcept { return huge_pages() ? huge_page : alignment; }

  T* p_ = nullptr;
  std::size_t n_ = 0;
  bool owned_ = true;
};

}  // namespace dist::detail
