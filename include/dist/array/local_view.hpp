// local_view<T,N>: a rank's local block seen as an N-d array with local
// indices (like std::mdspan over a strided block; row-major unless the
// array keeps ghost layers along dims after the first). Local.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <span>

#include "../core/types.hpp"

namespace dist {

template <class T, std::size_t N>
class local_view {
 public:
  using value_type = std::remove_cv_t<T>;
  using element_type = T;

  local_view(T* data, const shape<N>& extents) noexcept
      : data_(data), extents_(extents), strides_(detail::row_major_strides(extents)) {}
  /// A block whose element (i, j, ...) sits at data[i*strides[0] + j*strides[1] + ...].
  local_view(T* data, const shape<N>& extents, const std::array<index_t, N>& strides) noexcept
      : data_(data), extents_(extents), strides_(strides) {}

  /// Element at local indices (i, j, ...).
  template <std::integral... I>
    requires(sizeof...(I) == N)
  T& operator()(I... i) const noexcept {
    const index_t idx[] = {static_cast<index_t>(i)...};
    index_t off = 0;
    for (std::size_t d = 0; d < N; ++d) off += idx[d] * strides_[d];
    return data_[off];
  }
  /// Element at local multi-index `i`.
  T& operator[](const index<N>& i) const noexcept {
    index_t off = 0;
    for (std::size_t d = 0; d < N; ++d) off += i[d] * strides_[d];
    return data_[off];
  }

  T* data() const noexcept { return data_; }
  index_t size() const noexcept { return detail::product(extents_); }
  const shape<N>& extents() const noexcept { return extents_; }
  index_t extent(std::size_t d) const noexcept { return extents_[d]; }
  const std::array<index_t, N>& strides() const noexcept { return strides_; }
  /// True when the elements fill [data(), data() + size()) in row-major
  /// order; begin(), end() and span() need it.
  bool contiguous() const noexcept { return strides_ == detail::row_major_strides(extents_) || size() == 0; }
  T* begin() const noexcept { return data_; }
  T* end() const noexcept { return data_ + size(); }
  std::span<T> span() const noexcept { return {data_, static_cast<std::size_t>(size())}; }

 private:
  T* data_;
  shape<N> extents_;
  std::array<index_t, N> strides_;
};

}  // namespace dist
