// Sorting and what it answers (SPEC 13): sort, argsort, unique,
// unique_counts, unique_inverse, searchsorted, median, percentile, quantile.
//
// One mechanism: a stable distributed sample sort. Each rank sorts its
// stretch of the C-order stream locally (stably, NaN last), samples it in
// proportion to its length, and the root picks P - 1 splitters from the
// samples. A splitter is (value, rank, local position), so equal values
// split exactly where the global stable order puts them: the result does not
// depend on the rank count. One exchange sends each rank's pieces to their
// ranks, which merge the sorted runs (ties: lower rank first) instead of
// sorting again; placement by scan (comm/stream.hpp) then lays the sorted
// chunks onto the result's layout. Sorting along an axis that every rank
// holds whole is local; along a distributed axis of an N-D array, the
// array moves to a layout that holds the axis whole and back.
// Users' reference: docs/api.md (Selection, sorting and counting).
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "../core/linkage.hpp"
#include "../array/array.hpp"
#include "../comm/redistribution.hpp"
#include "../comm/stream.hpp"
#include "../core/agree.hpp"
#include "../expr/assign.hpp"
#include "../expr/functions.hpp"
#include "../expr/operators.hpp"
#include "select.hpp"

namespace dist {

/// searchsorted's side: the first suitable position (left) or the last (right).
enum class side { left, right };

namespace detail {

/// NumPy's sort order: NaN after everything, else <. A strict weak order.
struct nan_last {
  template <class T>
  bool operator()(const T& a, const T& b) const {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(b)) return !std::isnan(a);
      if (std::isnan(a)) return false;
    }
    return a < b;
  }
};

/// An element and its C-order flat position (argsort, unique_inverse).
template <class T>
struct keyed {
  T v;
  index_t pos;
};
struct keyed_less {
  template <class T>
  bool operator()(const keyed<T>& a, const keyed<T>& b) const {
    const nan_last lt;
    if (lt(a.v, b.v)) return true;
    if (lt(b.v, a.v)) return false;
    return a.pos < b.pos;
  }
};

/// Sorts [first, last) stably, NaN last. Local. Equal values are
/// indistinguishable except NaN payloads and the signs of zeros, so an
/// unstable sort is exact once those keep their input order: NaNs are
/// moved last stably, and the zeros' signs are rewritten in input order.
template <class T>
void stable_sort_nan_last(T* first, T* last) {
  if constexpr (std::is_floating_point_v<T>) {
    bool nan = false, neg = false, pos = false;
    for (T* p = first; p != last; ++p) {
      nan = nan || std::isnan(*p);
      if (*p == T(0)) (std::signbit(*p) ? neg : pos) = true;
    }
    std::vector<bool> signs;  // of the zeros, in input order (only when both occur)
    if (neg && pos)
      for (T* p = first; p != last; ++p)
        if (*p == T(0)) signs.push_back(std::signbit(*p));
    if (nan) last = std::stable_partition(first, last, [](T v) { return !std::isnan(v); });
    std::sort(first, last);
    if (!signs.empty()) {
      T* z = std::lower_bound(first, last, T(0));
      for (bool negative : signs) *z++ = negative ? -T(0) : T(0);
    }
  } else {
    std::sort(first, last);
  }
}

/// A splitter: the sample's value, the rank it came from, its place there.
template <class R>
struct sample {
  R v;
  index_t rank, at;
};

/// The stable sample sort. `mine_buf` holds this rank's elements sorted by
/// `less` (ties in stream order); ranks are in stream order. Returns this
/// rank's chunk of the global order (rank r's chunk before rank r+1's), in
/// `out`; the stretches place the chunks. Collective.
template <class R, class Less>
stretches sample_sort(const communicator& c, detail::buffer<R> mine_buf, Less less, detail::buffer<R>& out, const char* op) {
  const int P = c.size(), me = c.rank();
  const auto n = static_cast<index_t>(mine_buf.size());
  if (P == 1) {
    out = std::move(mine_buf);
    return place_by_scan(c, me, n);
  }
  const R* mine = mine_buf.data();
  const index_t total = allreduce(c, n, MPI_SUM);
  // samples in proportion to the length: ~ min(P, 32) per rank on average
  const index_t target = static_cast<index_t>(P) * std::min(P, 32);
  const index_t k = total == 0 ? 0 : std::min<index_t>(n, (target * n + total - 1) / total);
  std::vector<sample<R>> smp(static_cast<std::size_t>(k));
  for (index_t j = 0; j < k; ++j) {
    const index_t at = ((2 * j + 1) * n) / (2 * k);
    smp[static_cast<std::size_t>(j)] = {mine[at], me, at};
  }
  const auto sample_less = [&](const sample<R>& a, const sample<R>& b) {
    if (less(a.v, b.v)) return true;
    if (less(b.v, a.v)) return false;
    return a.rank != b.rank ? a.rank < b.rank : a.at < b.at;
  };
  // the root gathers the samples and picks P - 1 splitters
  const int mk = static_cast<int>(k);
  std::vector<int> counts(me == 0 ? static_cast<std::size_t>(P) : 0);
  check_mpi(MPI_Gather(&mk, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, c), "MPI_Gather");
  std::vector<sample<R>> all, split(static_cast<std::size_t>(P - 1));
  std::vector<int> displs;
  if (me == 0) {
    displs = displacements(counts, op);
    all.resize(static_cast<std::size_t>(std::accumulate(counts.begin(), counts.end(), index_t{0})));
  }
  check_mpi(MPI_Gatherv(smp.data(), mk, mpi_type<sample<R>>(), all.data(), counts.data(), displs.data(), mpi_type<sample<R>>(), 0, c),
            "MPI_Gatherv");
  if (me == 0) {
    std::sort(all.begin(), all.end(), sample_less);
    for (int q = 1; q < P; ++q)
      split[static_cast<std::size_t>(q - 1)] =
          all.empty() ? sample<R>{R{}, P, 0} : all[static_cast<std::size_t>((static_cast<index_t>(q) * static_cast<index_t>(all.size())) / P)];
  }
  check_mpi(MPI_Bcast(split.data(), P - 1, mpi_type<sample<R>>(), 0, c), "MPI_Bcast");
  // my elements below each splitter: equal values split by (rank, place)
  std::vector<index_t> cut(static_cast<std::size_t>(P) + 1, 0);
  cut.back() = n;
  for (int q = 1; q < P; ++q) {
    const auto& s = split[static_cast<std::size_t>(q - 1)];
    index_t x;
    if (s.rank > me) x = std::upper_bound(mine, mine + n, s.v, less) - mine;
    else if (s.rank < me) x = std::lower_bound(mine, mine + n, s.v, less) - mine;
    else x = s.at;
    cut[static_cast<std::size_t>(q)] = std::max(x, cut[static_cast<std::size_t>(q) - 1]);
  }
  rank_counts sends;
  for (int q = 0; q < P; ++q)
    if (const index_t k = cut[static_cast<std::size_t>(q) + 1] - cut[static_cast<std::size_t>(q)]; k > 0) sends.emplace_back(q, k);
  const rank_counts recvs = announce_counts(c, sends);
  std::vector<index_t> bounds{0};  // where each source's sorted run starts in what I receive
  for (const auto& [q, k] : recvs) bounds.push_back(bounds.back() + k);
  const index_t m = bounds.back();
  detail::buffer<R> got(static_cast<std::size_t>(m));
  counts_exchange(c, sends, recvs, false, op).run(mine, {1}, got.data(), {1});
  // merge the sorted runs pairwise, neighbours first (ties: the lower rank's first)
  detail::buffer<R> other(static_cast<std::size_t>(bounds.size() > 2 ? m : 0));
  R* from = got.data();
  R* to = other.data();
  while (bounds.size() > 2) {
    std::vector<index_t> next{0};
    for (std::size_t i = 0; i + 1 < bounds.size(); i += 2) {
      if (i + 2 < bounds.size()) {
        std::merge(from + bounds[i], from + bounds[i + 1], from + bounds[i + 1], from + bounds[i + 2], to + bounds[i], less);
        next.push_back(bounds[i + 2]);
      } else {
        std::copy(from + bounds[i], from + bounds[i + 1], to + bounds[i]);
        next.push_back(bounds[i + 1]);
      }
    }
    bounds.swap(next);
    std::swap(from, to);
  }
  if (from == got.data()) out = std::move(got);
  else out = std::move(other);
  return place_by_scan(c, me, m);
}

/// This rank's stretch of `a`'s C-order stream, sorted: the values (stable,
/// NaN last) distributed as the global order. Collective.
template <class T, std::size_t N>
stretches sorted_values(const array<T, N>& a, detail::buffer<T>& out, const char* op) {
  segment<T> s;
  read_segment(a, s);
  detail::buffer<T> mine(static_cast<std::size_t>(s.count));
  std::copy_n(s.data, s.count, mine.data());
  stable_sort_nan_last(mine.data(), mine.data() + s.count);
  return sample_sort(a.comm(), std::move(mine), nan_last{}, out, op);
}

/// The same with each value's flat position (argsort, unique_inverse). Collective.
template <class T, std::size_t N>
stretches sorted_keyed(const array<T, N>& a, detail::buffer<keyed<T>>& out, const char* op) {
  segment<T> s;
  read_segment(a, s);
  detail::buffer<keyed<T>> mine(static_cast<std::size_t>(s.count));
  for (index_t i = 0; i < s.count; ++i) mine.data()[i] = {s.data[i], s.start + i};
  std::sort(mine.data(), mine.data() + s.count, keyed_less{});
  return sample_sort(a.comm(), std::move(mine), keyed_less{}, out, op);
}

/// Calls f(line pointer, stride, length) for each line of a contiguous
/// block along dim `d`. Local.
template <std::size_t N, class F>
void for_each_line(const shape<N>& ls, std::size_t d, F&& f) {
  index_t outer = 1, inner = 1;
  for (std::size_t k = 0; k < d; ++k) outer *= ls[k];
  for (std::size_t k = d + 1; k < N; ++k) inner *= ls[k];
  const index_t len = ls[d];
  for (index_t o = 0; o < outer; ++o)
    for (index_t i = 0; i < inner; ++i) f(o * len * inner + i, inner, len);
}

/// A layout of `d`'s shape that holds dim `axis` whole on every rank: block
/// along the longest other dim. Collective.
template <std::size_t N>
distribution<N> whole_along(const distribution<N>& d, std::size_t axis) {
  std::array<dim_spec, N> specs;
  std::size_t longest = axis == 0 ? 1 : 0;
  for (std::size_t k = 0; k < N; ++k)
    if (k != axis && d.shape()[k] > d.shape()[longest]) longest = k;
  for (std::size_t k = 0; k < N; ++k) specs[k] = k == longest ? dim_spec{block{}} : dim_spec{undistributed{}};
  return distribution<N>(d.shape(), specs, d.comm());
}

/// True when every rank holds dim `axis` whole, in global order. Local (the same on every rank).
template <std::size_t N>
bool holds_whole(const distribution<N>& d, std::size_t axis) {
  return d.grid()[axis] == 1 && d.map(axis).kind() != dim_kind::unstructured;
}

/// sort (Index = false) or argsort (true) along `axis` of an N-D array.
/// Collective.
template <bool Index, class T, std::size_t N>
array<std::conditional_t<Index, index_t, T>, N> sort_along(const array<T, N>& a, std::size_t axis, const char* op) {
  using R = std::conditional_t<Index, index_t, T>;
  if (!holds_whole(a.distribution(), axis)) {
    const auto b = redistribute(a, whole_along(a.distribution(), axis));
    return redistribute(sort_along<Index>(b, axis, op), a.distribution());
  }
  array<R, N> out(a.distribution(), uninitialized);
  detail::buffer<T> packed;
  const T* src = packed_block(a, packed).data();
  R* dst = out.local_data().data();
  std::vector<T> line;
  std::vector<keyed<T>> keys;
  for_each_line(a.local_shape(), axis, [&](index_t start, index_t stride, index_t len) {
    if constexpr (Index) {
      keys.resize(static_cast<std::size_t>(len));
      for (index_t j = 0; j < len; ++j) keys[static_cast<std::size_t>(j)] = {src[start + j * stride], j};
      std::sort(keys.begin(), keys.end(), keyed_less{});
      for (index_t j = 0; j < len; ++j) dst[start + j * stride] = keys[static_cast<std::size_t>(j)].pos;
    } else {
      line.resize(static_cast<std::size_t>(len));
      for (index_t j = 0; j < len; ++j) line[static_cast<std::size_t>(j)] = src[start + j * stride];
      stable_sort_nan_last(line.data(), line.data() + len);
      for (index_t j = 0; j < len; ++j) dst[start + j * stride] = line[static_cast<std::size_t>(j)];
    }
  });
  return out;
}

template <class T>
bool same_value(const T& a, const T& b) {
  const nan_last lt;
  return !lt(a, b) && !lt(b, a);
}

/// Over a globally sorted sequence (this rank's chunk `v`, n elements):
/// which of my elements start a group of equal values (NaN equal to NaN).
/// One MPI_Allgather of every rank's last value. Collective.
template <class T, class Key>
std::vector<char> group_starts(const communicator& c, const T* v, index_t n, Key key) {
  using K = std::remove_cvref_t<decltype(key(v[0]))>;
  struct tail {
    index_t has;
    K last;
  };
  const tail mine{n > 0 ? 1 : 0, n > 0 ? key(v[n - 1]) : K{}};
  std::vector<tail> all(static_cast<std::size_t>(c.size()));
  check_mpi(MPI_Allgather(&mine, 1, mpi_type<tail>(), all.data(), 1, mpi_type<tail>(), c), "MPI_Allgather");
  const tail* prev = nullptr;
  for (int r = c.rank(); r-- > 0;)
    if (all[static_cast<std::size_t>(r)].has) {
      prev = &all[static_cast<std::size_t>(r)];
      break;
    }
  std::vector<char> start(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i)
    start[static_cast<std::size_t>(i)] = i == 0 ? (!prev || !same_value(prev->last, key(v[0]))) : !same_value(key(v[i - 1]), key(v[i]));
  return start;
}

}  // namespace detail

// ---- sort, argsort ----

namespace detail {
/// sort (Index = false) or argsort (true) of `e` along `axis`: lines held
/// whole on a rank sort in place (N-D arrays move to such a layout and
/// back); a distributed 1-D array takes the sample sort. Collective.
template <bool Index, class E>
array<std::conditional_t<Index, index_t, value_of<E>>, ndim_of<E>> sort_any(const E& e, int axis, const char* op) {
  constexpr std::size_t N = ndim_of<E>;
  using T = value_of<E>;
  const auto& a = as_array(e);
  int ax = 0;
  agree(a.comm(), op, [&] { ax = normalise_axis<N>(axis, op); }, arg("shapes", a.shape()), arg("axes", axis));
  if (N > 1 || holds_whole(a.distribution(), 0)) return sort_along<Index>(a, static_cast<std::size_t>(ax), op);
  array<std::conditional_t<Index, index_t, T>, N> out(a.distribution(), uninitialized);
  if constexpr (Index) {
    buffer<keyed<T>> chunk;
    const auto st = sorted_keyed(a, chunk, op);
    std::vector<index_t> pos(static_cast<std::size_t>(st.my_count()));
    for (std::size_t i = 0; i < pos.size(); ++i) pos[i] = chunk.data()[i].pos;
    place(st, pos.data(), out, op);
  } else {
    buffer<T> chunk;
    const auto st = sorted_values(a, chunk, op);
    place(st, chunk.data(), out, op);
  }
  return out;
}
}  // namespace detail

/// The elements of `e` sorted along `axis` (negative counts from the end;
/// default the last), stably with NaN last: the same result for any rank
/// count and layout. The result has e's layout. index_error on every rank
/// for a bad axis. Collective.
template <expression E>
array<detail::value_of<E>, detail::ndim_of<E>> sort(const E& e, int axis = -1) {  // collective: sort_any (agrees)
  return detail::sort_any<false>(e, axis, "dist::sort");
}

/// The indices along `axis` that sort `e` (stable, NaN last), with e's
/// layout: take_along_axis(e, argsort(e)) == sort(e). Collective.
template <expression E>
array<index_t, detail::ndim_of<E>> argsort(const E& e, int axis = -1) {  // collective: sort_any (agrees)
  return detail::sort_any<true>(e, axis, "dist::argsort");
}

// ---- unique ----

template <class T>
struct unique_counts_result {
  array<T, 1> values;
  array<index_t, 1> counts;
};
template <class T, std::size_t N>
struct unique_inverse_result {
  array<T, 1> values;
  array<index_t, N> inverse;
};

namespace detail {
/// Keeps my group starts' values (and their global positions). Local.
template <class T>
std::vector<T> starts_of(const T* v, index_t n, const std::vector<char>& start, index_t offset, std::vector<index_t>* at) {
  std::vector<T> out;
  for (index_t i = 0; i < n; ++i)
    if (start[static_cast<std::size_t>(i)]) {
      out.push_back(v[i]);
      if (at) at->push_back(offset + i);
    }
  return out;
}
}  // namespace detail

/// The sorted distinct values of `e` (flattened; NaNs count as one value,
/// NumPy's equal_nan), a 1-D block array. Collective.
template <expression E>
array<detail::value_of<E>, 1> unique(const E& e) {
  using T = detail::value_of<E>;
  const auto& a = detail::as_array(e);
  detail::collective_entry(a.comm(), "dist::unique", a.shape());
  detail::buffer<T> chunk;
  const auto st = detail::sorted_values(a, chunk, "dist::unique");
  const index_t n = st.my_count();
  const auto id = [](const T& v) { return v; };
  const auto start = detail::group_starts(a.comm(), chunk.data(), n, id);
  const auto vals = detail::starts_of(chunk.data(), n, start, 0, nullptr);
  const auto su = detail::place_by_scan(a.comm(), a.comm().rank(), static_cast<index_t>(vals.size()));
  array<T, 1> out(distribution<1>(shape<1>{su.total}, a.comm()), uninitialized);
  detail::place(su, vals.data(), out, "dist::unique");
  return out;
}

/// unique(e) and how often each value occurs: {values, counts}. Collective.
template <expression E>
unique_counts_result<detail::value_of<E>> unique_counts(const E& e) {
  using T = detail::value_of<E>;
  const auto& a = detail::as_array(e);
  detail::collective_entry(a.comm(), "dist::unique_counts", a.shape());
  const communicator& c = a.comm();
  detail::buffer<T> chunk;
  const auto st = detail::sorted_values(a, chunk, "dist::unique_counts");
  const index_t n = st.my_count();
  const auto id = [](const T& v) { return v; };
  const auto start = detail::group_starts(c, chunk.data(), n, id);
  std::vector<index_t> at;
  const auto vals = detail::starts_of(chunk.data(), n, start, st.my_start(), &at);
  // a group's count: the next group's start minus its own (the next may be on a later rank)
  const index_t first = at.empty() ? -1 : at.front();
  std::vector<index_t> firsts(static_cast<std::size_t>(c.size()));
  detail::check_mpi(MPI_Allgather(&first, 1, MPI_INT64_T, firsts.data(), 1, MPI_INT64_T, c), "MPI_Allgather");
  index_t after = st.total;
  for (int r = c.rank() + 1; r < c.size(); ++r)
    if (firsts[static_cast<std::size_t>(r)] >= 0) {
      after = firsts[static_cast<std::size_t>(r)];
      break;
    }
  std::vector<index_t> cnt(at.size());
  for (std::size_t i = 0; i < at.size(); ++i) cnt[i] = (i + 1 < at.size() ? at[i + 1] : after) - at[i];
  const auto su = detail::place_by_scan(c, c.rank(), static_cast<index_t>(vals.size()));
  const distribution<1> d(shape<1>{su.total}, c);
  unique_counts_result<T> r{array<T, 1>(d, uninitialized), array<index_t, 1>(d, uninitialized)};
  const auto x = detail::stream_exchange(su, d, false, "dist::unique_counts");
  x.run(vals.data(), {1}, r.values.local_data().data(), {1});
  x.run(cnt.data(), {1}, r.counts.local_data().data(), {1});
  return r;
}

/// unique(e) and, for each element of e, the index of its value there:
/// {values, inverse}, inverse with e's shape and layout. Collective.
template <expression E>
unique_inverse_result<detail::value_of<E>, detail::ndim_of<E>> unique_inverse(const E& e) {
  using T = detail::value_of<E>;
  constexpr std::size_t N = detail::ndim_of<E>;
  const auto& a = detail::as_array(e);
  detail::collective_entry(a.comm(), "dist::unique_inverse", a.shape());
  const communicator& c = a.comm();
  detail::buffer<detail::keyed<T>> chunk;
  const auto st = detail::sorted_keyed(a, chunk, "dist::unique_inverse");
  const index_t n = st.my_count();
  const auto key = [](const detail::keyed<T>& k) { return k.v; };
  const auto start = detail::group_starts(c, chunk.data(), n, key);
  std::vector<T> vals;
  for (index_t i = 0; i < n; ++i)
    if (start[static_cast<std::size_t>(i)]) vals.push_back(chunk.data()[i].v);
  const auto su = detail::place_by_scan(c, c.rank(), static_cast<index_t>(vals.size()));
  unique_inverse_result<T, N> r{array<T, 1>(distribution<1>(shape<1>{su.total}, c), uninitialized), array<index_t, N>(a.distribution(), index_t{0})};
  detail::place(su, vals.data(), r.values, "dist::unique_inverse");
  // each element's group number, sent to its position
  std::vector<index_t> pos(static_cast<std::size_t>(n)), group(static_cast<std::size_t>(n));
  index_t g = su.my_start() - 1;
  for (index_t i = 0; i < n; ++i) {
    g += start[static_cast<std::size_t>(i)] ? 1 : 0;
    pos[static_cast<std::size_t>(i)] = chunk.data()[i].pos;
    group[static_cast<std::size_t>(i)] = g;
  }
  detail::deliver_flat(r.inverse, pos, group.data(), [](index_t& x, index_t v) { x = v; }, "dist::unique_inverse");
  return r;
}

// ---- searchsorted ----

/// NumPy's searchsorted: for each element of `v`, the index where it would
/// be inserted into the sorted 1-D `sorted` to keep it sorted (NaN last):
/// before equal elements (side::left) or after them (side::right). With
/// v's shape and layout. `sorted` is not checked to be sorted. Collective.
template <class T, expression V>
array<index_t, detail::ndim_of<V>> searchsorted(const array<T, 1>& sorted, const V& v_in, side s = side::left) {
  constexpr std::size_t M = detail::ndim_of<V>;
  const auto& v = detail::as_array(v_in);
  using U = detail::value_of<V>;
  const communicator& c = sorted.comm();
  detail::agree(c, "dist::searchsorted", [&] { detail::require_same_ranks(c, v.comm(), "dist::searchsorted"); },
                detail::arg("sizes", sorted.size()), detail::arg("query shapes", v.shape()), detail::arg("sides", static_cast<int>(s)));
  detail::segment<T> seg;
  detail::read_segment(sorted, seg);
  struct head {
    index_t has;
    T first;
  };
  const head mine{seg.count > 0 ? 1 : 0, seg.count > 0 ? seg.data[0] : T{}};
  std::vector<head> all(static_cast<std::size_t>(c.size()));
  detail::check_mpi(MPI_Allgather(&mine, 1, detail::mpi_type<head>(), all.data(), 1, detail::mpi_type<head>(), c), "MPI_Allgather");
  const detail::nan_last lt;
  std::vector<T> firsts;  // of the non-empty chunks, in order (so sorted)
  std::vector<int> holder;
  for (int r = 0; r < c.size(); ++r)
    if (all[static_cast<std::size_t>(r)].has) firsts.push_back(all[static_cast<std::size_t>(r)].first), holder.push_back(r);
  // the chunk holding the answer: the last whose first element is below the query (left) or not above it (right)
  detail::buffer<U> packed;
  const auto q = detail::packed_block(v, packed);
  std::vector<int> owner;
  std::vector<std::size_t> routed;
  std::vector<T> asked;
  for (std::size_t i = 0; i < q.size(); ++i) {
    const T x = static_cast<T>(q[i]);
    const auto it = s == side::left ? std::lower_bound(firsts.begin(), firsts.end(), x, lt) : std::upper_bound(firsts.begin(), firsts.end(), x, lt);
    if (it != firsts.begin()) owner.push_back(holder[static_cast<std::size_t>(it - firsts.begin()) - 1]), routed.push_back(i), asked.push_back(x);
  }
  detail::routes rt(c, owner, "dist::searchsorted");
  std::vector<T> got(static_cast<std::size_t>(rt.received()));
  rt.forward(asked.data(), got.data());
  std::vector<index_t> ans(got.size());
  for (std::size_t k = 0; k < got.size(); ++k)
    ans[k] = seg.start + ((s == side::left ? std::lower_bound(seg.data, seg.data + seg.count, got[k], lt)
                                           : std::upper_bound(seg.data, seg.data + seg.count, got[k], lt)) - seg.data);
  std::vector<index_t> back(routed.size());
  rt.backward(ans.data(), back.data());
  array<index_t, M> out(v.distribution(), index_t{0});
  std::vector<index_t> res(q.size(), 0);
  for (std::size_t k = 0; k < routed.size(); ++k) res[routed[k]] = back[k];
  detail::copy_strided(res.data(), detail::row_major_strides(out.local_shape()), out.local().data(), out.local().strides(), out.local_shape());
  return out;
}

// ---- median, percentile, quantile ----

namespace detail {

template <class T> using quantile_t = std::conditional_t<std::is_floating_point_v<T>, T, double>;

/// NumPy's linear method: the neighbours of the virtual index (n - 1) q and
/// the weight of the upper one.
struct lerp_point {
  index_t lo, hi;
  double gamma;
};
DIST_INLINE lerp_point linear_point(index_t n, double q);
template <class R>
R lerp(R a, R b, double t) {  // NumPy's _lerp
  const R d = b - a;
  return t >= 0.5 ? static_cast<R>(b - d * static_cast<R>(1 - t)) : static_cast<R>(a + d * static_cast<R>(t));
}

/// The element at sorted position k (0 <= k < total), on every rank. Collective.
template <class T>
T element_at(const communicator& c, const stretches& st, const T* chunk, index_t k) {
  int o = st.holds(k) ? c.rank() : -1;  // its holder, found by one allreduce (no list of every stretch)
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, &o, 1, MPI_INT, MPI_MAX, c), "MPI_Allreduce");
  T v = c.rank() == o ? chunk[k - st.my_start()] : T{};
  check_mpi(MPI_Bcast(&v, 1, mpi_type<T>(), o, c), "MPI_Bcast");
  return v;
}

template <class E>
void check_quantile(const E& e, double q, double scale, const char* op) {
  agree(as_array(e).comm(), op, [&] {
    if (!(q >= 0.0 && q <= scale))
      throw index_error(std::string(op) + ": " + (scale == 1 ? "quantiles must be in the range [0, 1]" : "percentiles must be in the range [0, 100]") +
                        ", got " + std::to_string(q));
  }, arg("quantiles", q), arg("shapes", as_array(e).shape()));
}

/// quantile (Median = false) or median of the flattened `e`. Collective.
template <bool Median, class E>
quantile_t<value_of<E>> quantile_all(const E& e, double q, const char* op) {
  using T = value_of<E>;
  using R = quantile_t<T>;
  const auto& a = as_array(e);
  detail::buffer<T> chunk;
  const auto st = sorted_values(a, chunk, op);
  const index_t n = st.total;
  if (n == 0) return std::numeric_limits<R>::quiet_NaN();
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(element_at(a.comm(), st, chunk.data(), n - 1))) return std::numeric_limits<R>::quiet_NaN();
  }
  if constexpr (Median) {
    const index_t h = n / 2;
    const R hi = static_cast<R>(element_at(a.comm(), st, chunk.data(), h));
    if (n % 2) return hi;
    const R lo = static_cast<R>(element_at(a.comm(), st, chunk.data(), h - 1));
    return (lo + hi) / R{2};
  } else {
    const auto p = linear_point(n, q);
    const R lo = static_cast<R>(element_at(a.comm(), st, chunk.data(), p.lo));
    const R hi = p.hi == p.lo ? lo : static_cast<R>(element_at(a.comm(), st, chunk.data(), p.hi));
    return p.hi == p.lo ? lo : lerp(lo, hi, p.gamma);
  }
}

/// The same along `axis`: an array of rank N-1 in the default layout. Collective.
template <bool Median, class E>
auto quantile_along(const E& e, double q, int axis, const char* op) {
  using T = value_of<E>;
  using R = quantile_t<T>;
  constexpr std::size_t N = ndim_of<E>;
  static_assert(N >= 2, "dist: use the overload without an axis for 1-D arrays");
  const auto& a = as_array(e);
  int ax = 0;
  agree(a.comm(), op, [&] { ax = normalise_axis<N>(axis, op); }, arg("axes", axis));
  const auto d = static_cast<std::size_t>(ax);
  const index_t n = a.shape()[d];
  shape<N - 1> rs;
  for (std::size_t k = 0, j = 0; k < N; ++k)
    if (k != d) rs[j++] = a.shape()[k];
  array<R, N - 1> out(distribution<N - 1>(rs, a.comm()), uninitialized);
  if (n == 0) {
    out.fill(std::numeric_limits<R>::quiet_NaN());
    return out;
  }
  const auto s = sort_along<false>(a, d, op);
  const auto at = [&](index_t k) {
    std::array<slice_or_index, N> args{};
    args[d] = {true, slice{}, k};
    return astype<R>(view<const array<T, N>, N - 1>(s, args));
  };
  if constexpr (Median) {
    const index_t h = n / 2;
    if (n % 2) out = at(h);
    else out = (at(h - 1) + at(h)) / R{2};
  } else {
    const auto p = linear_point(n, q);
    const R t = static_cast<R>(p.gamma);
    if (p.lo == p.hi) out = at(p.lo);
    else if (p.gamma >= 0.5) out = at(p.hi) - (at(p.hi) - at(p.lo)) * static_cast<R>(1 - p.gamma);
    else out = at(p.lo) + (at(p.hi) - at(p.lo)) * t;
  }
  if constexpr (std::is_floating_point_v<T>) out = where(isnan(at(n - 1)), std::numeric_limits<R>::quiet_NaN(), out);
  return out;
}

}  // namespace detail

/// NumPy's median of the flattened `e` (the mean of the two middle values
/// for an even count; NaN when e holds a NaN or nothing), as a double for
/// integer e. Collective.
template <expression E>
detail::quantile_t<detail::value_of<E>> median(const E& e) {
  detail::collective_entry(detail::as_array(e).comm(), "dist::median", detail::as_array(e).shape());
  return detail::quantile_all<true>(e, 0.5, "dist::median");
}
/// The median along `axis`: an array of rank N-1 (default layout). Collective.
template <expression E>
auto median(const E& e, int axis) {  // collective: quantile_along (agree)
  return detail::quantile_along<true>(e, 0.5, axis, "dist::median");
}
/// NumPy's quantile, linear interpolation (its default), q in [0, 1] (else
/// index_error on every rank). Collective.
template <expression E>
detail::quantile_t<detail::value_of<E>> quantile(const E& e, double q) {  // collective: check_quantile (agree)
  detail::check_quantile(e, q, 1, "dist::quantile");
  return detail::quantile_all<false>(e, q, "dist::quantile");
}
template <expression E>
auto quantile(const E& e, double q, int axis) {  // collective: check_quantile (agree)
  detail::check_quantile(e, q, 1, "dist::quantile");
  return detail::quantile_along<false>(e, q, axis, "dist::quantile");
}
/// quantile(e, q / 100), q in [0, 100]. Collective.
template <expression E>
detail::quantile_t<detail::value_of<E>> percentile(const E& e, double q) {  // collective: check_quantile (agree)
  detail::check_quantile(e, q, 100, "dist::percentile");
  return detail::quantile_all<false>(e, q / 100, "dist::percentile");
}
template <expression E>
auto percentile(const E& e, double q, int axis) {  // collective: check_quantile (agree)
  detail::check_quantile(e, q, 100, "dist::percentile");
  return detail::quantile_along<false>(e, q / 100, axis, "dist::percentile");
}

}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "sort-inl.hpp"
#endif
