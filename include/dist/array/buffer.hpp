// buffer<T>: the owned, 64-byte-aligned storage of a local block (a
// std::vector without vector<bool>'s bit packing and with aligned data).
#pragma once

#include <algorithm>
#include <cstdlib>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace dist::detail {

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

 private:
  static T* allocate(std::size_t n) {
    if (n == 0) return nullptr;
    const std::size_t bytes = n * sizeof(T);
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
    ::operator delete(p_, std::align_val_t{n_ * sizeof(T) >= huge_bytes && huge_pages() ? huge_page : alignment});
    p_ = nullptr;
    n_ = 0;
  }

  T* p_ = nullptr;
  std::size_t n_ = 0;
  bool owned_ = true;
};

}  // namespace dist::detail
