// The instantiations separate compilation takes out of user translation
// units: with DIST_SEPARATE_COMPILATION defined, dist.hpp declares each of
// them `extern template` (user code calls them and does not compile them),
// and <dist/separate.hpp>, included in one translation unit of the
// program, defines them. One list serves both (DIST_INSTANTIATIONS(how)
// with how = `extern template` or `template`): distributions, plans and
// exchanges for ranks 1-4, arrays and their element movers for the element
// types below, the sums of such arrays, the minima and maxima of the
// floating ones (whole and along an axis; so also their means) and their
// argmin and argmax, the sums behind dot, norm and var/std of the floating
// ones, and the combining of their partial results across ranks (which
// the reductions of expressions of those element types share). Other
// element types, ranks and reductions compile where used, as in
// header-only use.
#pragma once

#include <complex>
#include <cstdint>

// clang-format off
#define DIST_INSTANTIATE_RANK(how, N)                                                              \
  how class dist::distribution<N>;                                                                 \
  how class dist::redistribution_plan<N>;                                                          \
  how class dist::detail::exchange<N>;                                                             \
  how struct dist::detail::axis_result_layout<N>;                                                  \
  how struct dist::detail::binding_notes<N>;                                                       \
  how struct dist::detail::evaluation_home<N>;                                                     \
  how class dist::detail::home_search<N>;                                                          \
  how struct dist::detail::block_layout<N>;                                                        \
  how dist::detail::block_layout<N> dist::detail::local_layout<N>(const dist::distribution<N>&);

#define DIST_INSTANTIATE_PLAN(how, M, N)                                                           \
  how class dist::alignment_plan<M, N>;                                                            \
  how std::shared_ptr<const dist::alignment_plan<M, N>> dist::detail::cached_alignment<M, N>(      \
      const dist::distribution<M>&, const dist::distribution<N>&, const std::array<int, M>&);

#define DIST_INSTANTIATE_BIND(how, T, M, N)                                                        \
  how dist::detail::bound_data<T, N> dist::detail::bind_array<T, M, N>(                            \
      const dist::array<T, M>&, const std::array<int, M>&, dist::detail::bind_context<N>&);        \
  how dist::detail::bound_data<T, N> dist::detail::bind_global<T, M, N>(                           \
      const T*, const dist::shape<M>&, const std::array<int, M>&, dist::detail::bind_context<N>&);

#define DIST_INSTANTIATE_ELEMENT(how, T, N)                                                        \
  how class dist::array<T, N>;                                                                     \
  how class dist::halo_exchange<T, N>;                                                     \
  how void dist::detail::exchange<N>::move<T>(const T*, const std::array<dist::index_t, N>&, T*,   \
                                              const std::array<dist::index_t, N>&) const;          \
  how T* dist::detail::copy_peer<T, N>(const dist::detail::side_plan<N>&,                          \
                                       const dist::detail::plan_peer<N>&,                          \
                                       const std::array<dist::index_t, N>&, T*, T*, bool);         \
  how void dist::detail::copy_self<T, N>(                                                          \
      const dist::detail::side_plan<N>&, const dist::detail::plan_peer<N>&,                        \
      const std::array<dist::index_t, N>&, const T*, const dist::detail::side_plan<N>&,            \
      const dist::detail::plan_peer<N>&, const std::array<dist::index_t, N>&, T*);                 \
  how dist::detail::affine_target<T, N> dist::detail::aim_at<T, N>(dist::array<T, N>&,               \
                                                                 dist::detail::bind_context<N>&);  \
  how T* dist::detail::spare_for<T, N>(dist::array<T, N>&, const dist::detail::affine_target<T, N>&, \
                                       bool);                                                      \
  how void dist::detail::copy_outside_box<T, N>(const T*, T*, const dist::shape<N>&,               \
                                                const dist::index<N>&, const dist::shape<N>&);     \
  how std::span<const T> dist::detail::packed_block<T, N>(const dist::array<T, N>&,                \
                                                          dist::detail::buffer<T>&);

#define DIST_INSTANTIATE_REDUCE_ALL(how, T, N, Red)                                                \
  how dist::detail::reduced_t<dist::detail::Red<T>> dist::detail::reduce_all<dist::array<T, N>,    \
      dist::detail::Red<T>>(const dist::array<T, N>&, const dist::detail::Red<T>&, const char*, int); \
  how dist::detail::Red<T>::state dist::detail::combine_ranks<dist::detail::Red<T>, N>(            \
      const dist::distribution<N>&, const dist::detail::Red<T>&, const dist::detail::Red<T>::state&);

#define DIST_INSTANTIATE_REDUCE_AXIS(how, T, N, Red)                                               \
  how dist::array<dist::detail::reduced_t<dist::detail::Red<T>>, N - 1>                            \
  dist::detail::reduce_axis<dist::array<T, N>, dist::detail::Red<T>>(                              \
      const dist::array<T, N>&, int, const dist::detail::Red<T>&, const char*);                    \
  how dist::array<dist::detail::reduced_t<dist::detail::Red<T>>, N - 1>                            \
  dist::detail::combine_axis_partials<dist::detail::Red<T>, N>(                                    \
      const dist::distribution<N>&, std::size_t, const dist::detail::Red<T>&,                      \
      std::vector<dist::detail::Red<T>::state>&, const char*);

// M(how, T, N, X) for the ranks N that have a whole reduction (1-4) or an
// axis reduction (2-4)
#define DIST_FOR_RANKS(M, how, T, X) M(how, T, 1, X) M(how, T, 2, X) M(how, T, 3, X) M(how, T, 4, X)
#define DIST_FOR_AXIS_RANKS(M, how, T, X) M(how, T, 2, X) M(how, T, 3, X) M(how, T, 4, X)

// sums of the usual expressions of plain arrays (dot, norm, var: see
// product_node in algorithm/reductions.hpp)
#define DIST_INSTANTIATE_EXPR_SUM(how, T, N, Node)                                                 \
  how dist::detail::reduced_t<dist::detail::sum_reducer<T>>                                        \
  dist::detail::reduce_all<dist::detail::Node<T, N>, dist::detail::sum_reducer<T>>(                \
      const dist::detail::Node<T, N>&, const dist::detail::sum_reducer<T>&, const char*, int);
#define DIST_INSTANTIATE_EXPR_SUMS(how, T)                                                         \
  DIST_FOR_RANKS(DIST_INSTANTIATE_EXPR_SUM, how, T, product_node)                                  \
  DIST_FOR_RANKS(DIST_INSTANTIATE_EXPR_SUM, how, T, square_node)                                   \
  DIST_FOR_RANKS(DIST_INSTANTIATE_EXPR_SUM, how, T, deviation_node)

// sums of plain arrays (and so their means), whole and along an axis
#define DIST_INSTANTIATE_SUMS(how, T)                                                              \
  DIST_FOR_RANKS(DIST_INSTANTIATE_REDUCE_ALL, how, T, sum_reducer)                                 \
  DIST_FOR_AXIS_RANKS(DIST_INSTANTIATE_REDUCE_AXIS, how, T, sum_reducer)

// min and max of plain arrays of an ordered type, whole and along an axis
#define DIST_INSTANTIATE_EXTREMES(how, T)                                                          \
  DIST_FOR_RANKS(DIST_INSTANTIATE_REDUCE_ALL, how, T, min_reducer)                                 \
  DIST_FOR_RANKS(DIST_INSTANTIATE_REDUCE_ALL, how, T, max_reducer)                                 \
  DIST_FOR_AXIS_RANKS(DIST_INSTANTIATE_REDUCE_AXIS, how, T, min_reducer)                           \
  DIST_FOR_AXIS_RANKS(DIST_INSTANTIATE_REDUCE_AXIS, how, T, max_reducer)

// argmin and argmax of plain arrays of an ordered type
#define DIST_INSTANTIATE_ARG_EXTREME(how, T, N, Max)                                               \
  how dist::index<N> dist::detail::arg_extreme<Max, dist::array<T, N>>(const dist::array<T, N>&, const char*);
#define DIST_INSTANTIATE_ARG_EXTREMES(how, T)                                                      \
  DIST_FOR_RANKS(DIST_INSTANTIATE_ARG_EXTREME, how, T, false)                                      \
  DIST_FOR_RANKS(DIST_INSTANTIATE_ARG_EXTREME, how, T, true)

#define DIST_INSTANTIATE_ELEMENT_RANKS(how, T)                                                     \
  DIST_INSTANTIATE_ELEMENT(how, T, 1) DIST_INSTANTIATE_ELEMENT(how, T, 2)                          \
  DIST_INSTANTIATE_ELEMENT(how, T, 3) DIST_INSTANTIATE_ELEMENT(how, T, 4)                          \
  DIST_INSTANTIATE_BIND(how, T, 1, 1) DIST_INSTANTIATE_BIND(how, T, 1, 2)                          \
  DIST_INSTANTIATE_BIND(how, T, 2, 2) DIST_INSTANTIATE_BIND(how, T, 1, 3)                          \
  DIST_INSTANTIATE_BIND(how, T, 2, 3) DIST_INSTANTIATE_BIND(how, T, 3, 3)                          \
  DIST_INSTANTIATE_BIND(how, T, 1, 4) DIST_INSTANTIATE_BIND(how, T, 2, 4)                          \
  DIST_INSTANTIATE_BIND(how, T, 3, 4) DIST_INSTANTIATE_BIND(how, T, 4, 4)

#define DIST_INSTANTIATIONS(how)                                                                   \
  DIST_INSTANTIATE_RANK(how, 1) DIST_INSTANTIATE_RANK(how, 2)                                      \
  DIST_INSTANTIATE_RANK(how, 3) DIST_INSTANTIATE_RANK(how, 4)                                      \
  DIST_INSTANTIATE_PLAN(how, 1, 1) DIST_INSTANTIATE_PLAN(how, 1, 2)                                \
  DIST_INSTANTIATE_PLAN(how, 2, 2) DIST_INSTANTIATE_PLAN(how, 1, 3)                                \
  DIST_INSTANTIATE_PLAN(how, 2, 3) DIST_INSTANTIATE_PLAN(how, 3, 3)                                \
  DIST_INSTANTIATE_PLAN(how, 1, 4) DIST_INSTANTIATE_PLAN(how, 2, 4)                                \
  DIST_INSTANTIATE_PLAN(how, 3, 4) DIST_INSTANTIATE_PLAN(how, 4, 4)                                \
  DIST_INSTANTIATE_ELEMENT_RANKS(how, double)                                                      \
  DIST_INSTANTIATE_ELEMENT_RANKS(how, float)                                                       \
  DIST_INSTANTIATE_ELEMENT_RANKS(how, int)                                                         \
  DIST_INSTANTIATE_ELEMENT_RANKS(how, std::int64_t)                                                \
  DIST_INSTANTIATE_ELEMENT_RANKS(how, std::complex<double>)                                        \
  DIST_INSTANTIATE_SUMS(how, double) DIST_INSTANTIATE_SUMS(how, float)                             \
  DIST_INSTANTIATE_SUMS(how, int) DIST_INSTANTIATE_SUMS(how, std::int64_t)                         \
  DIST_INSTANTIATE_SUMS(how, std::complex<double>)                                                 \
  DIST_INSTANTIATE_EXTREMES(how, double) DIST_INSTANTIATE_EXTREMES(how, float)                     \
  DIST_INSTANTIATE_ARG_EXTREMES(how, double) DIST_INSTANTIATE_ARG_EXTREMES(how, float)           \
  DIST_INSTANTIATE_EXPR_SUMS(how, double) DIST_INSTANTIATE_EXPR_SUMS(how, float)
// clang-format on
