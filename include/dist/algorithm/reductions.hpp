// Reductions: sum, prod, min, max, mean, var, std, any,
// all, count_nonzero, argmin, argmax, norm and reduce(e, init, op), over a
// whole array or expression (a value on every rank) or along one axis (an
// array distributed over the remaining dims). Reductions of expressions
// fuse: the expression is evaluated inside the reduction loop, with no
// temporary array. Sums are pairwise (8 lanes, blocks of 128, as NumPy),
// mean/var/std two-pass over pairwise sums, min/max propagate NaN.
//
// Whole reductions: one fused local pass, then one MPI_Allgather of the
// per-rank partial states, folded in rank order (deterministic).
// Axis reductions: one fused local pass into partial states; when the axis
// is not distributed that is the result. Otherwise the partials are summed
// across the axis's grid line: MPI_Allreduce when the result is replicated,
// else one alignment plan moving each result element's g partials to its owner.
// With dist::reproducible, sums use exact accumulators (core/exact_sum.hpp)
// combined by MPI_SUM of their integer words, then rounded once.
// Users' reference: docs/api.md (Reductions), docs/reproducible.md.
#pragma once

#include <array>
#include <cmath>
#include <complex>
#include <cstring>
#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

#include "../core/linkage.hpp"
#include "../array/array.hpp"
#include "../comm/alignment.hpp"
#include "../core/agree.hpp"
#include "../core/collective_check.hpp"
#include "../core/exact_sum.hpp"
#include "../expr/evaluate.hpp"
#include "../expr/functions.hpp"
#include "../expr/node.hpp"
#include "../expr/operators.hpp"

namespace dist {

/// Delta degrees of freedom of var/std (NumPy's ddof): divide by n - k.
struct ddof {
  index_t k = 0;
};

/// Selects reproducible reductions: dist::sum(a, dist::reproducible) is the
/// exact sum rounded once, bit-identical for every rank count, layout and
/// grid holding the same values.
struct reproducible_t {
  explicit constexpr reproducible_t() = default;
};
inline constexpr reproducible_t reproducible{};

namespace detail {

// ---- reducers: how elements fold into a partial state ----
// Each has: state, empty() (no element yet), add(state&, value),
// merge(state&, const state&) (a later partial into an earlier one),
// finish(const state&) -> result, and mpi_op(): the predefined MPI_Op doing
// merge, or MPI_OP_NULL.

template <class S>
inline constexpr bool predefined_arithmetic = std::is_arithmetic_v<S> || is_complex_v<S>;

template <class T>
struct sum_reducer {
  using state = sum_t<T>;
  static constexpr bool pairwise = true;
  state empty() const { return state{}; }
  void add(state& s, T v) const { s += static_cast<state>(v); }
  void merge(state& s, const state& o) const { s += o; }
  state finish(const state& s) const { return s; }
  MPI_Op mpi_op() const { return predefined_arithmetic<state> ? MPI_SUM : MPI_OP_NULL; }
};
template <class T>
struct prod_reducer {
  using state = sum_t<T>;
  static constexpr bool pairwise = false;
  state empty() const { return state{1}; }
  void add(state& s, T v) const { s *= static_cast<state>(v); }
  void merge(state& s, const state& o) const { s *= o; }
  state finish(const state& s) const { return s; }
  MPI_Op mpi_op() const { return predefined_arithmetic<state> ? MPI_PROD : MPI_OP_NULL; }
};
template <class T>
struct count_reducer {
  using state = std::int64_t;
  static constexpr bool pairwise = false;
  state empty() const { return 0; }
  void add(state& s, T v) const { s += (v != T{}) ? 1 : 0; }
  void merge(state& s, const state& o) const { s += o; }
  state finish(const state& s) const { return s; }
  MPI_Op mpi_op() const { return MPI_SUM; }
};
template <class T, bool All>
struct logical_reducer {
  using state = unsigned char;  // bool's MPI type is not allowed in every op
  static constexpr bool pairwise = false;
  state empty() const { return All ? 1 : 0; }
  void add(state& s, T v) const {
    if constexpr (All) s = s && (v != T{});
    else s = s || (v != T{});
  }
  void merge(state& s, const state& o) const { add(s, o); }
  bool finish(const state& s) const { return s != 0; }
  MPI_Op mpi_op() const { return All ? MPI_LAND : MPI_LOR; }
};
template <class T>
struct valued {  // a value, or nothing yet
  T v{};
  bool has = false;
};
template <class T, bool Max>
struct extreme_reducer {
  using state = valued<T>;
  static constexpr bool pairwise = false;
  static constexpr bool has_identity = false;
  state empty() const { return {}; }
  void add(state& s, T x) const {
    if (!s.has) {
      s = {x, true};
      return;
    }
    if (is_nan_value(s.v)) return;  // NaN propagates
    if (is_nan_value(x) || (Max ? s.v < x : x < s.v)) s.v = x;
  }
  void merge(state& s, const state& o) const {
    if (o.has) add(s, o.v);
  }
  T finish(const state& s) const { return s.v; }
  MPI_Op mpi_op() const { return MPI_OP_NULL; }  // NaN must propagate
};
template <class T> using min_reducer = extreme_reducer<T, false>;
template <class T> using max_reducer = extreme_reducer<T, true>;
template <class T, class I, class Op>
struct fold_reducer {
  using state = valued<I>;
  static constexpr bool pairwise = false;
  static constexpr bool user_code = true;  // op is the user's
  I init;
  Op op;
  state empty() const { return {}; }
  void add(state& s, T x) const {
    s.v = s.has ? static_cast<I>(op(s.v, x)) : static_cast<I>(x);
    s.has = true;
  }
  void merge(state& s, const state& o) const {
    if (!o.has) return;
    s.v = s.has ? static_cast<I>(op(s.v, o.v)) : o.v;
    s.has = true;
  }
  I finish(const state& s) const { return s.has ? static_cast<I>(op(init, s.v)) : init; }
  MPI_Op mpi_op() const { return MPI_OP_NULL; }
};

/// The exact sum rounded once (dist::reproducible): independent of the
/// order of additions, so of ranks, layouts and grids. One exact
/// accumulator per real component; float and double (and complex) only.
template <class T>
struct exact_sum_state {
  static constexpr int parts = is_complex_v<T> ? 2 : 1;
  exact_accumulator part[parts];
};
template <class T>
struct exact_sum_reducer {
  using R = real_t<T>;
  static_assert(std::is_same_v<R, double> || std::is_same_v<R, float>,
                "dist::reproducible sums float, double and their complex types (integer sums are exact already)");
  using state = exact_sum_state<T>;
  static constexpr bool pairwise = false;
  static constexpr int exact_words = state::parts * exact_accumulator::words;  // combined by MPI_SUM of int64 words
  state empty() const { return {}; }
  void add(state& s, T v) const {
    if constexpr (is_complex_v<T>) {
      s.part[0].add(static_cast<double>(v.real()));
      s.part[1].add(static_cast<double>(v.imag()));
    } else {
      s.part[0].add(static_cast<double>(v));
    }
  }
  /// A row of a bound expression: straight from memory when it is a row of
  /// doubles, else through a buffer of evaluated values.
  template <class B>
  void add_row(state& s, const B& b, index_t n, bool contig) const {
    if constexpr (std::is_same_v<T, double> && requires { { b.row } -> std::convertible_to<const double*>; }) {
      if (contig) return s.part[0].add(b.row, n);
    }
    constexpr index_t chunk = exact_accumulator::block;
    double buf[state::parts][chunk];
    for (index_t i0 = 0; i0 < n; i0 += chunk) {
      const index_t m = std::min(chunk, n - i0);
      for (index_t j = 0; j < m; ++j) {
        const T v = contig ? static_cast<T>(b.at(i0 + j)) : static_cast<T>(b.at_strided(i0 + j));
        if constexpr (is_complex_v<T>) {
          buf[0][j] = static_cast<double>(v.real());
          buf[1][j] = static_cast<double>(v.imag());
        } else {
          buf[0][j] = static_cast<double>(v);
        }
      }
      for (int k = 0; k < state::parts; ++k) s.part[k].add(buf[k], m);
    }
  }
  void merge(state& s, const state& o) const {
    for (int k = 0; k < state::parts; ++k) s.part[k].merge(o.part[k]);
  }
  void prepare_words(state& s) const {
    for (int k = 0; k < state::parts; ++k) s.part[k].words_for_sum();
  }
  T finish(const state& s) const {
    if constexpr (is_complex_v<T>) return T(s.part[0].template rounded<R>(), s.part[1].template rounded<R>());
    else return s.part[0].template rounded<R>();
  }
  MPI_Op mpi_op() const { return MPI_OP_NULL; }
};

// ---- local kernels ----

/// NumPy's pairwise sum: 8 lanes over blocks of up to 128 elements, halves
/// above. The block sum of the n <= 128 values at(i0), ..., at(i0 + n - 1):
template <class R, class At>
R pairwise_block(At&& at, index_t i0, index_t n) {
  R l[8] = {};
  index_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) l[j] += at(i0 + i + j);
  R s = ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
  for (; i < n; ++i) s += at(i0 + i);
  return s;
}
/// Where the halves split n > 128 elements.
inline index_t pairwise_half(index_t n) { return n / 2 - n / 2 % 8; }

/// The pairwise sum of n values from i0 that fill(ctx, i, m, out) writes, at
/// most 128 at a time, into a buffer: one copy per element type, whatever
/// fills it (the strided rows of every expression share it).
template <class R>
R pairwise_filled(void (*fill)(const void*, index_t, index_t, R*), const void* ctx, index_t i0, index_t n) {
  if (n <= 128) {
    R buf[128];
    fill(ctx, i0, n, buf);
    return pairwise_block<R>([&](index_t i) { return buf[i]; }, 0, n);
  }
  const index_t h = pairwise_half(n);
  return pairwise_filled(fill, ctx, i0, h) + pairwise_filled(fill, ctx, i0 + h, n - h);
}
template <class R, class B>
void fill_strided(const void* ctx, index_t i0, index_t m, R* out) {
  const B& b = *static_cast<const B*>(ctx);
  for (index_t i = 0; i < m; ++i) out[i] = static_cast<R>(b.at_strided(i0 + i));
}

/// The pairwise sum of n elements of a bound row from i0. Contiguous rows
/// are summed straight from the expression (the fast path, vectorised);
/// strided ones through pairwise_filled (the same sums: the same blocks and
/// lanes in the same order). Not inlined: g++ inlined the halves' calls
/// into each other and into their caller, ~20 KB of code per summed
/// expression (most of a program's compile time); a call per 128 elements
/// costs nothing measurable.
template <class R, bool Contig, class B>
[[gnu::noinline]] R pairwise_row(const B& b, index_t i0, index_t n) {
  if constexpr (!Contig) {
    return pairwise_filled<R>(&fill_strided<R, B>, &b, i0, n);
  } else {
    if (n <= 128) return pairwise_block<R>([&](index_t i) { return static_cast<R>(b.at(i)); }, i0, n);
    const index_t h = pairwise_half(n);
    return pairwise_row<R, true>(b, i0, h) + pairwise_row<R, true>(b, i0 + h, n - h);
  }
}
template <class R>
R pairwise_vector(const R* x, std::size_t n) {
  if (n == 0) return R{};
  if (n == 1) return x[0];
  return pairwise_vector(x, n / 2) + pairwise_vector(x + n / 2, n - n / 2);
}

/// One row's `inner` elements of bound `b` folded into `s`: pairwise for
/// sums, the reducer's own row kernel where it has one, else one by one.
template <class Red, class B>
void add_row(const Red& red, typename Red::state& s, const B& b, index_t inner, bool contig) {
  using S = typename Red::state;
  if constexpr (Red::pairwise)
    red.merge(s, contig ? pairwise_row<S, true>(b, 0, inner) : pairwise_row<S, false>(b, 0, inner));
  else if constexpr (requires { red.add_row(s, b, inner, contig); })
    red.add_row(s, b, inner, contig);
  else if (contig)
    for (index_t i = 0; i < inner; ++i) red.add(s, b.at(i));
  else
    for (index_t i = 0; i < inner; ++i) red.add(s, b.at_strided(i));
}

/// Folds every element of this rank's block of bound `b` into one state
/// (pairwise sums pair the rows' sums too).
template <class Red, std::size_t N, class B>
typename Red::state fold_local(const Red& red, B& b, const shape<N>& ls) {
  typename Red::state s = red.empty();
  const bool contig = b.contiguous();
  if constexpr (Red::pairwise) {
    std::vector<typename Red::state> rows;
    for_each_row(ls, b, [&](const index<N>&, index_t, index_t inner) {
      rows.push_back(contig ? pairwise_row<typename Red::state, true>(b, 0, inner)
                            : pairwise_row<typename Red::state, false>(b, 0, inner));
    });
    red.merge(s, pairwise_vector(rows.data(), rows.size()));
  } else {
    for_each_row(ls, b, [&](const index<N>&, index_t, index_t inner) { add_row(red, s, b, inner, contig); });
  }
  return s;
}

/// Exact states (reducers with exact_words) summed in place across all
/// ranks: their int64 words, normalised, by one MPI_Allreduce(MPI_SUM),
/// whose result does not depend on the order of the additions. Collective.
template <class Red, class S>
void allreduce_exact(const communicator& c, const Red& red, S* states, index_t count, const char* op) {
  for (index_t i = 0; i < count; ++i) red.prepare_words(states[i]);
  (void)op;
  for_each_chunk(count * Red::exact_words, [&](index_t off, int n) {
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, reinterpret_cast<std::int64_t*>(states) + off, n, MPI_INT64_T, MPI_SUM, c),
              "MPI_Allreduce");
  });
}

/// Every rank's `mine` (a partial over its block of `d`), folded in rank
/// order; on a replicated `d` every rank reduced the whole array already.
/// Collective.
template <class Red, std::size_t N>
typename Red::state combine_ranks(const distribution<N>& d, const Red& red, const typename Red::state& mine) {
  using S = typename Red::state;
  static_assert(std::is_trivially_copyable_v<S>);
  if (d.replicated()) return mine;
  const communicator& c = d.comm();
  if constexpr (requires { Red::exact_words; }) {  // exact states: word-wise integer sums, any order
    S s = mine;
    allreduce_exact(c, red, &s, 1, "dist::sum");
    return s;
  }
  std::vector<S> all(static_cast<std::size_t>(c.size()));
  check_mpi(MPI_Allgather(&mine, static_cast<int>(sizeof(S)), MPI_BYTE, all.data(), static_cast<int>(sizeof(S)), MPI_BYTE, c),
            "MPI_Allgather");
  S s = red.empty();
  for (const S& p : all) red.merge(s, p);
  return s;
}

/// Where a reduction evaluates: the distribution and the binding context
/// on it. Depends on the rank only (separate compilation declares it, so
/// the statements share one destructor per rank).
template <std::size_t N>
struct evaluation_home {
  distribution<N> dist;
  bind_context<N> ctx;
  explicit evaluation_home(distribution<N> d) : dist(std::move(d)), ctx{dist} {}
  evaluation_home(const evaluation_home&) = delete;  // (ctx refers to dist)
  evaluation_home& operator=(const evaluation_home&) = delete;
  ~evaluation_home();
};
template <std::size_t N>
evaluation_home<N>::~evaluation_home() = default;

/// The bound expression on its home distribution, ready for a local pass.
template <class E>
struct bound_source : evaluation_home<std::remove_cvref_t<E>::ndim> {
  decltype(bind(std::declval<const E&>(), std::declval<bind_context<std::remove_cvref_t<E>::ndim>&>())) b;
  explicit bound_source(const E& e)
      : evaluation_home<std::remove_cvref_t<E>::ndim>(home_distribution(e)), b(bind(e, this->ctx)) {}
};

/// False for reducers without identity (min, max, argmin, argmax): they
/// reject empty input, as NumPy does.
template <class Red>
inline constexpr bool has_identity = !requires { requires !Red::has_identity; };

/// The shape_error of reducing an empty array of shape `s` with a reducer
/// without identity.
[[noreturn]] DIST_INLINE void throw_no_identity(std::span<const index_t> s, const char* op);
/// shape_error unless an array of shape `s` has elements (for a reducer
/// without identity).
DIST_INLINE void require_nonempty(std::span<const index_t> s, const char* op);

/// `axis` in [-ndim, ndim) counted from the front (no check: see normalise_axis).
constexpr int wrapped_axis(int axis, int ndim) noexcept { return axis < 0 ? axis + ndim : axis; }

/// `axis` in [0, N) (negative ones count from the end); index_error when
/// it is out of range.
DIST_INLINE int normalise_axis(int axis, int ndim, const char* op);
template <std::size_t N>
int normalise_axis(int axis, const char* op) {
  return normalise_axis(axis, static_cast<int>(N), op);
}

/// True when reducing E with Red runs user code (a vectorized callable, or
/// dist::reduce's op): its exceptions are then agreed on every rank.
template <class E, class Red>
inline constexpr bool runs_user_code = has_user_code_v<E> || requires { requires Red::user_code; };

/// What reducer Red finishes its states into.
template <class Red>
using reduced_t = std::remove_cvref_t<decltype(std::declval<const Red&>().finish(std::declval<const typename Red::state&>()))>;

/// The expressions of plain arrays whose sums separate compilation compiles
/// once (<dist/instantiations.hpp>): x * y (dot, sum(x * x)), square(x)
/// (the 2-norm) and square(x - m) (the variance about a mean).
template <class T, std::size_t N>
using product_node = function_node<multiplies_op, array_leaf<T, N, false>, array_leaf<T, N, false>>;
template <class T, std::size_t N>
using square_node = function_node<square_op, array_leaf<T, N, false>>;
template <class T, std::size_t N>
using deviation_node = function_node<square_op, function_node<minus_op, array_leaf<T, N, false>, scalar_leaf<T>>>;

/// Whole reduction of `e` with reducer `red`: the result on every rank.
/// `axis` is the axis a 1-d reduction along an axis was given (every valid
/// one gives this result); it is checked with the other arguments, inside
/// the collective entry. (The return type is spelled out so that separate
/// compilation can declare the reductions of plain arrays `extern
/// template`.) Collective.
template <class E, class Red>
reduced_t<Red> reduce_all(const E& e, const Red& red, const char* op, int axis = 0) {
  bound_source<E> src(e);
  validated_entry(src.dist.comm(), op, [&] {
    normalise_axis<ndim_of<E>>(axis, op);
    if constexpr (!has_identity<Red>) require_nonempty(src.dist.shape(), op);
  }, src.dist);
  typename Red::state mine;
  const auto fold = [&] { mine = fold_local(red, src.b, src.dist.local_shape()); };
  if constexpr (runs_user_code<E, Red>) agree_on_errors(src.dist.comm(), fold);  // a user callable threw on some rank
  else fold();
  return red.finish(combine_ranks(src.dist, red, mine));
}

// ---- axis reductions ----


template <class S, class Merge>
struct mpi_merge_op {
  static inline thread_local const Merge* current = nullptr;
  static void apply(void* in, void* inout, int* len, MPI_Datatype*) {
    S* a = static_cast<S*>(inout);
    const S* b = static_cast<const S*>(in);
    for (int i = 0; i < *len; ++i) {  // in comes from lower ranks: result = in (+) inout
      S r = b[i];
      (*current)(r, a[i]);
      a[i] = r;
    }
  }
};

/// The result array on R from one finished state per local element.
template <class Out, class Red, std::size_t M>
array<Out, M> finished(const Red& red, const distribution<M>& R, const typename Red::state* states) {
  array<Out, M> r(R, uninitialized);
  Out* out = r.local_data().data();
  for (index_t i = 0, n = r.local_size(); i < n; ++i) out[i] = red.finish(states[i]);
  return r;
}

/// The local fold of an axis reduction: one partial state per element of
/// this rank's block without the axis (row-major over the remaining dims).
template <class Red, std::size_t N, class B>
std::vector<typename Red::state> fold_along_axis(const Red& red, B& b, const shape<N>& ls, std::size_t axis) {
  using S = typename Red::state;
  index_t partials = 1;
  for (std::size_t d = 0; d < N; ++d)
    if (d != axis) partials *= ls[d];
  std::vector<S> q(static_cast<std::size_t>(partials), red.empty());
  const bool contig = b.contiguous();
  for_each_row(ls, b, [&](const index<N>& o, index_t, index_t inner) {
    index_t out = 0;  // flat partial index of this row (without the axis)
    for (std::size_t d = 0; d + 1 < N; ++d)
      if (d != axis) out = out * ls[d] + o[d];
    if (axis == N - 1) {  // the row is one partial's whole share
      add_row(red, q[static_cast<std::size_t>(out)], b, inner, contig);
    } else {  // the row holds one element of `inner` partials
      S* s = q.data() + out * inner;
      if (contig)
        for (index_t i = 0; i < inner; ++i) red.add(s[i], b.at(i));
      else
        for (index_t i = 0; i < inner; ++i) red.add(s[i], b.at_strided(i));
    }
  });
  return q;
}

/// Where an axis reduction's result lives: the remaining dims of D, with
/// their specs and grid extents, and how the axis and the rest are spread.
template <std::size_t N>
struct axis_result_layout {
  shape<N - 1> extents;
  std::array<dim_spec, N - 1> specs;
  std::vector<int> grid_extents;
  bool axis_distributed = false;  // the axis spans ranks: partials must be combined
  bool rest_distributed = false;  // some remaining dim spans ranks

  axis_result_layout(const distribution<N>& D, std::size_t axis) {
    axis_distributed = D.grid()[axis] > 1 && !D.replicated();
    for (std::size_t d = 0, k = 0; d < N; ++d) {
      if (d == axis) continue;
      extents[k] = D.shape()[d];
      specs[k] = spec_of(D.map(d));
      grid_extents.push_back(D.grid()[d]);
      rest_distributed = rest_distributed || D.grid()[d] > 1 || D.map(d).kind() == dim_kind::unstructured;
      ++k;
    }
  }
  /// Where the result lives when the axis was distributed and the rest is:
  /// the remaining specs on a default grid (unstructured dims become block,
  /// their owners being spread over the axis's ranks too).
  std::array<dim_spec, N - 1> shared_specs() const {
    std::array<dim_spec, N - 1> r = specs;
    for (auto& sp : r)
      if (std::holds_alternative<unstructured>(sp)) sp = block{};
    return r;
  }
};

/// Combine strategy when every rank holds partials for the whole result:
/// q summed in place across all ranks (MPI_Allreduce; a non-predefined
/// merge runs as a user MPI_Op in rank order; exact states sum their words).
/// Collective.
template <class Red>
void allreduce_partials(const communicator& c, const Red& red, std::vector<typename Red::state>& q, const char* op) {
  using S = typename Red::state;
  if constexpr (requires { Red::exact_words; }) {
    allreduce_exact(c, red, q.data(), static_cast<index_t>(q.size()), op);
  } else {
    (void)op;
    if (red.mpi_op() != MPI_OP_NULL) {
      for_each_chunk(static_cast<index_t>(q.size()), [&](index_t off, int n) {
        check_mpi(MPI_Allreduce(MPI_IN_PLACE, q.data() + off, n, mpi_type<S>(), red.mpi_op(), c), "MPI_Allreduce");
      });
    } else {  // a user-defined, non-commutative op: rank order, as the fold
      auto merge = [&](S& a, const S& x) { red.merge(a, x); };
      using M = mpi_merge_op<S, decltype(merge)>;
      M::current = &merge;
      MPI_Op mop;
      check_mpi(MPI_Op_create(&M::apply, 0, &mop), "MPI_Op_create");
      int rc = MPI_SUCCESS;
      for_each_chunk(static_cast<index_t>(q.size()), [&](index_t off, int n) {
        if (rc == MPI_SUCCESS) rc = MPI_Allreduce(MPI_IN_PLACE, q.data() + off, n, mpi_type<S>(), mop, c);
      });
      MPI_Op_free(&mop);
      check_mpi(rc, "MPI_Allreduce");
    }
  }
}

/// Combine strategy when the remaining dims are distributed: the partials,
/// seen as an N-d array whose axis has one entry per grid coordinate, move
/// (one alignment plan) so that each owner of a result element on R holds
/// its g partials; they merge in axis order. Returns one state per local
/// element of R. Collective.
template <class Red, std::size_t N>
std::vector<typename Red::state> merge_partials_at_owners(const distribution<N>& D, std::size_t axis,
                                                          const distribution<N - 1>& R, const Red& red,
                                                          const std::vector<typename Red::state>& q) {
  using S = typename Red::state;
  const int g = D.grid()[axis];
  shape<N> ps = D.shape();
  ps[axis] = g;
  std::array<dim_spec, N> pspecs, tspecs;
  std::vector<int> pgrid(D.grid().begin(), D.grid().end()), tgrid;
  for (std::size_t d = 0, k = 0; d < N; ++d) {
    if (d == axis) {
      pspecs[d] = block{};
      tspecs[d] = undistributed{};
      tgrid.push_back(1);
    } else {
      pspecs[d] = spec_of(D.map(d));
      tspecs[d] = spec_of(R.map(k));
      tgrid.push_back(R.grid()[k]);
      ++k;
    }
  }
  const distribution<N> P(ps, pspecs, D.comm(), grid(pgrid));
  const distribution<N> T(ps, tspecs, D.comm(), grid(tgrid));
  std::array<int, N> dim_of;
  for (std::size_t d = 0; d < N; ++d) dim_of[d] = static_cast<int>(d);
  auto plan = cached_alignment(P, T, dim_of);
  std::vector<S> t(static_cast<std::size_t>(plan->local_size()));
  plan->execute(q.data(), t.data());
  const shape<N> ts = T.local_shape();
  index_t before = 1, after = 1;
  for (std::size_t d = 0; d < axis; ++d) before *= ts[d];
  for (std::size_t d = axis + 1; d < N; ++d) after *= ts[d];
  std::vector<S> merged(static_cast<std::size_t>(before * after), red.empty());
  for (index_t x = 0; x < before; ++x)
    for (index_t a = 0; a < g; ++a)
      for (index_t y = 0; y < after; ++y)
        red.merge(merged[static_cast<std::size_t>(x * after + y)], t[static_cast<std::size_t>((x * g + a) * after + y)]);
  return merged;
}

/// This rank's partials q of an axis reduction over D (from
/// fold_along_axis) combined into the result: none when the axis is not
/// distributed, an allreduce when every rank holds partials for the whole
/// result, else a merge at the owners. Independent of the expression, so
/// compiled once per reducer and rank (separate compilation declares the
/// common ones `extern template`). Collective.
template <class Red, std::size_t N>
array<reduced_t<Red>, N - 1> combine_axis_partials(const distribution<N>& D, std::size_t axis, const Red& red,
                                                   std::vector<typename Red::state>& q, const char* op) {
  using Out = reduced_t<Red>;
  const axis_result_layout<N> L(D, axis);
  if (!L.axis_distributed)  // my partials are my result block
    return finished<Out>(red, distribution<N - 1>(L.extents, L.specs, D.comm(), grid(L.grid_extents)), q.data());
  if (!L.rest_distributed) {  // every rank holds partials for the whole result
    allreduce_partials(D.comm(), red, q, op);
    std::array<dim_spec, N - 1> und;
    und.fill(undistributed{});
    return finished<Out>(red, distribution<N - 1>(L.extents, und, D.comm()), q.data());
  }
  const distribution<N - 1> R(L.extents, L.shared_specs(), D.comm());
  return finished<Out>(red, R, merge_partials_at_owners(D, axis, R, red, q).data());
}

/// Reduction of `e` along `axis` with reducer `red`, as an array over the
/// remaining dims: the local fold, then combine_axis_partials. Collective.
template <class E, class Red>
array<reduced_t<Red>, std::remove_cvref_t<E>::ndim - 1> reduce_axis(const E& e, int axis_in, const Red& red, const char* op) {
  constexpr std::size_t N = std::remove_cvref_t<E>::ndim;
  static_assert(N >= 2, "dist: an axis reduction of a 1-d expression is a whole reduction");
  using S = typename Red::state;
  bound_source<E> src(e);
  const distribution<N>& D = src.dist;
  std::size_t axis = 0;
  validated_entry(D.comm(), op, [&] {
    axis = static_cast<std::size_t>(normalise_axis<N>(axis_in, op));
    if constexpr (!has_identity<Red>)  // NumPy: an empty result is fine, an empty axis is not
      if (D.shape()[axis] == 0) throw_no_identity(D.shape(), op);
  }, D, wrapped_axis(axis_in, static_cast<int>(N)));  // (-1 and N-1 are the same call)
  std::vector<S> q;
  const auto fold = [&] { q = fold_along_axis(red, src.b, D.local_shape(), axis); };
  if constexpr (runs_user_code<E, Red>) agree_on_errors(D.comm(), fold);
  else fold();
  return combine_axis_partials(D, axis, red, q, op);
}

/// An axis reduction, or for a 1-d expression the whole reduction (NumPy
/// returns a scalar there too).
template <class E, class Red>
auto reduce_along(const E& e, int axis, const Red& red, const char* op) {
  if constexpr (std::remove_cvref_t<E>::ndim == 1) {
    return reduce_all(e, red, op, axis);
  } else {
    return reduce_axis(e, axis, red, op);
  }
}

/// An array of shape s with a unit dim inserted at `axis`, as an operand
/// (broadcasts along that axis): the mean inside var.
template <class T, std::size_t M>
class axis_inserted {
 public:
  using dist_node_tag = void;
  using value_type = T;
  static constexpr std::size_t ndim = M + 1;
  static constexpr bool has_array = true;
  axis_inserted(const array<T, M>& a, std::size_t axis) : a_(&a), axis_(axis) {
    for (std::size_t d = 0, k = 0; d <= M; ++d) shape_[d] = d == axis ? 1 : a.shape()[k++];
  }
  const dist::shape<M + 1>& shape() const noexcept { return shape_; }
  template <class V> void for_each_array(V&&) const {}
  template <std::size_t N>
  friend bound_data<T, N> bind(const axis_inserted& x, bind_context<N>& ctx) {
    static_assert(N == M + 1);
    std::array<int, M> dim_of;
    for (std::size_t k = 0; k < M; ++k) dim_of[k] = static_cast<int>(k < x.axis_ ? k : k + 1);
    return bind_array(*x.a_, dim_of, ctx);
  }

 private:
  const array<T, M>* a_;
  std::size_t axis_;
  dist::shape<M + 1> shape_;
};

}  // namespace detail

// ---------------------------------------------------------------------------
// Whole reductions: a value on every rank. All collective over the
// expression's communicator.

/// Sum of all elements (NumPy's accumulator: int64 for signed integers and bool).
template <expression E> auto sum(const E& e) { return detail::reduce_all(e, detail::sum_reducer<detail::value_of<E>>{}, "dist::sum"); }
/// Product of all elements.
template <expression E> auto prod(const E& e) { return detail::reduce_all(e, detail::prod_reducer<detail::value_of<E>>{}, "dist::prod"); }
/// Number of non-zero elements.
template <expression E> index_t count_nonzero(const E& e) {
  return detail::reduce_all(e, detail::count_reducer<detail::value_of<E>>{}, "dist::count_nonzero");
}
/// True when any / every element is non-zero (empty: false / true).
template <expression E> bool any(const E& e) { return detail::reduce_all(e, detail::logical_reducer<detail::value_of<E>, false>{}, "dist::any"); }
template <expression E> bool all(const E& e) { return detail::reduce_all(e, detail::logical_reducer<detail::value_of<E>, true>{}, "dist::all"); }
/// Smallest / largest element; NaN if any element is NaN. shape_error when empty.
template <expression E> auto min(const E& e) {
  return detail::reduce_all(e, detail::extreme_reducer<detail::value_of<E>, false>{}, "dist::min");
}
template <expression E> auto max(const E& e) {
  return detail::reduce_all(e, detail::extreme_reducer<detail::value_of<E>, true>{}, "dist::max");
}
/// Fold of op over all elements, started from init (applied once):
/// op(init, x0 op x1 op ...). Ranks fold their blocks separately, so op must
/// be associative (and commutative for non-block layouts), like an MPI_Op.
template <expression E, class I, class Op> I reduce(const E& e, I init, Op op) {
  return detail::reduce_all(e, detail::fold_reducer<detail::value_of<E>, I, Op>{init, op}, "dist::reduce");
}
namespace detail {
/// The default summation order: NumPy's pairwise sums.
struct pairwise_order {};
/// The sum reducer for elements T under policy P (integer sums are exact,
/// so reproducible already).
template <class T, class P>
auto sum_reducer_for() {
  if constexpr (std::is_same_v<P, reproducible_t> && !std::is_integral_v<T>) return exact_sum_reducer<T>{};
  else return sum_reducer<T>{};
}
template <class P, class E>
auto sum_with(const E& e) {
  return reduce_all(e, sum_reducer_for<value_of<E>, P>(), "dist::sum");
}
template <class P, class E>
auto sum_with(const E& e, int axis, const char* op = "dist::sum") {
  return reduce_along(e, axis, sum_reducer_for<value_of<E>, P>(), op);
}

/// `e` as an expression of element type R: `e` itself when it has that
/// type already (so mean(a) and sum(a) share one reduction), else astype<R>.
template <class R, class E>
decltype(auto) as_value(const E& e) {
  if constexpr (std::is_same_v<value_of<E>, R>) return (e);
  else return astype<R>(e);
}
/// |x|^2 of `e` as R (for real R, x^2: the same value, one node less).
template <class R, class E>
auto squared_magnitude(const E& e) {
  if constexpr (is_complex_v<value_of<E>>) return square(abs(as_value<R>(e)));
  else return square(as_value<R>(e));
}

/// The mean of n values whose sum is s (NaN when n == 0, as NumPy).
template <class R>
R mean_of_sum(R s, index_t n) {
  return n == 0 ? R(std::numeric_limits<real_t<R>>::quiet_NaN()) : s / static_cast<real_t<R>>(n);
}
template <class P, class E>
auto mean_with(const E& e) {
  using R = mean_t<value_of<E>>;
  return mean_of_sum(static_cast<R>(sum_with<P>(as_value<R>(e))), e.size());
}
/// The variance of e's elements about their mean m.
template <class P, class E, class R>
auto var_about(const E& e, R m, ddof dd) {
  using Re = real_t<R>;
  const auto n = e.size();
  const Re ss = sum_with<P>(squared_magnitude<R>(as_value<R>(e) - m));
  if (n - dd.k <= 0) return std::numeric_limits<Re>::quiet_NaN();
  return ss / static_cast<Re>(n - dd.k);
}
template <class P, class E>
auto var_with(const E& e, ddof dd) {
  return var_about<P>(e, mean_with<P>(e), dd);
}
/// The 2-norm: sqrt of the sum of |x|^2 (floating point).
template <class P, class E>
auto norm2_with(const E& e) {
  using R = real_t<float_t<value_of<E>>>;
  return static_cast<R>(std::sqrt(sum_with<P>(squared_magnitude<float_t<value_of<E>>>(e))));
}
template <class P, class E>
auto norm_with(const E& e, double ord);
}  // namespace detail

/// Sum of all elements, reproducible: the exact sum rounded once to the
/// element type (integers as the plain sum, which is exact). NaN if any
/// element is NaN or both infinities occur; +-inf only if the exact sum
/// rounds past the largest finite value. Collective.
template <expression E> auto sum(const E& e, reproducible_t) { return detail::sum_with<reproducible_t>(e); }  // collective: reduce_all
/// Arithmetic mean (double for integers; NaN when empty, as NumPy).
template <expression E> auto mean(const E& e) { return detail::mean_with<detail::pairwise_order>(e); }
/// Mean from the reproducible sum. Collective.
template <expression E> auto mean(const E& e, reproducible_t) { return detail::mean_with<reproducible_t>(e); }  // collective: reduce_all
/// Variance mean(|x - mean(x)|^2) * n / (n - ddof), two-pass. Real for complex input.
template <expression E> auto var(const E& e, ddof dd = {}) { return detail::var_with<detail::pairwise_order>(e, dd); }
/// Variance from reproducible sums (both passes). Collective.
template <expression E> auto var(const E& e, reproducible_t, ddof dd = {}) { return detail::var_with<reproducible_t>(e, dd); }  // collective: reduce_all
/// Standard deviation, sqrt(var).
template <expression E> auto std(const E& e, ddof dd = {}) { return std::sqrt(var(e, dd)); }
/// Standard deviation from the reproducible variance. Collective.
template <expression E> auto std(const E& e, reproducible_t r, ddof dd = {}) { return std::sqrt(var(e, r, dd)); }  // collective: reduce_all

/// Global index of the first smallest / largest element (a NaN counts as
/// the extreme, as NumPy). shape_error when empty.
template <expression E> index<detail::ndim_of<E>> argmin(const E& e);
template <expression E> index<detail::ndim_of<E>> argmax(const E& e);

/// Vector norm over all elements: ord 2 (default; a matrix's Frobenius
/// norm), 1, inf, -inf, 0 (count of non-zeros) or any other p. (Without
/// `ord`, the 2-norm alone is compiled: the other orders are reductions of
/// their own.)
template <expression E> auto norm(const E& e) { return detail::norm2_with<detail::pairwise_order>(e); }  // collective: reduce_all
template <expression E> auto norm(const E& e, double ord) { return detail::norm_with<detail::pairwise_order>(e, ord); }
/// The norm from the reproducible sum of the elements' |x|^ord (each power
/// rounded as computed, then summed exactly). Collective.
template <expression E> auto norm(const E& e, reproducible_t) { return detail::norm2_with<reproducible_t>(e); }  // collective: reduce_all
template <expression E> auto norm(const E& e, double ord, reproducible_t) { return detail::norm_with<reproducible_t>(e, ord); }

namespace detail {
template <class P, class E>
auto norm_with(const E& e, double ord) {
  using R = real_t<float_t<value_of<E>>>;
  const auto mag = abs(as_value<float_t<value_of<E>>>(e));  // |x| in floating point, lazy
  if (ord == 2) return norm2_with<P>(e);
  if (ord == 1) return static_cast<R>(sum_with<P>(mag));
  if (std::isinf(ord)) {
    if (e.size() == 0) return R{0};
    return static_cast<R>(ord > 0 ? max(mag) : min(mag));
  }
  if (ord == 0) return static_cast<R>(count_nonzero(e));
  return static_cast<R>(std::pow(sum_with<P>(pow(mag, static_cast<R>(ord))), 1 / ord));
}
}  // namespace detail

// ---------------------------------------------------------------------------
// Axis reductions: an array over the remaining dims, distributed like the
// input's remaining dims (when the axis was distributed, its ranks share
// the result: the remaining dims' specs on a default grid). For a 1-d
// input, the value itself. Negative axes count from the end. Collective.

template <expression E> auto sum(const E& e, int axis) {
  return detail::reduce_along(e, axis, detail::sum_reducer<detail::value_of<E>>{}, "dist::sum");
}
template <expression E> auto prod(const E& e, int axis) {
  return detail::reduce_along(e, axis, detail::prod_reducer<detail::value_of<E>>{}, "dist::prod");
}
template <expression E> auto count_nonzero(const E& e, int axis) {
  return detail::reduce_along(e, axis, detail::count_reducer<detail::value_of<E>>{}, "dist::count_nonzero");
}
template <expression E> auto any(const E& e, int axis) {
  return detail::reduce_along(e, axis, detail::logical_reducer<detail::value_of<E>, false>{}, "dist::any");
}
template <expression E> auto all(const E& e, int axis) {
  return detail::reduce_along(e, axis, detail::logical_reducer<detail::value_of<E>, true>{}, "dist::all");
}
/// min / max along an axis: shape_error when the axis has length 0 (an
/// empty result is fine, as in NumPy).
template <expression E> auto min(const E& e, int axis) {
  return detail::reduce_along(e, axis, detail::extreme_reducer<detail::value_of<E>, false>{}, "dist::min");
}
template <expression E> auto max(const E& e, int axis) {
  return detail::reduce_along(e, axis, detail::extreme_reducer<detail::value_of<E>, true>{}, "dist::max");
}
template <expression E, class I, class Op> auto reduce(const E& e, I init, Op op, int axis) {
  return detail::reduce_along(e, axis, detail::fold_reducer<detail::value_of<E>, I, Op>{init, op}, "dist::reduce");
}
/// The sum along an axis, reproducible (see sum(e, reproducible)).
template <expression E> auto sum(const E& e, int axis, reproducible_t) { return detail::sum_with<reproducible_t>(e, axis); }

namespace detail {
template <class P, class E>
auto mean_with(const E& e, int axis, const char* op = "dist::mean") {
  using R = mean_t<value_of<E>>;
  auto s = sum_with<P>(as_value<R>(e), axis, op);  // checks the axis on every rank (see reduce_axis)
  if constexpr (ndim_of<E> == 1) {
    return mean_of_sum(static_cast<R>(s), e.size());
  } else {
    static_assert(std::is_same_v<typename decltype(s)::value_type, R>);  // R is floating or complex, so its sums are R too
    const index_t n = e.shape()[static_cast<std::size_t>(normalise_axis<ndim_of<E>>(axis, op))];
    s /= static_cast<real_t<R>>(n);  // n == 0: NaN, as NumPy
    return s;
  }
}
template <class P, class E>
auto var_with(const E& e, int axis, ddof dd) {
  using R = mean_t<value_of<E>>;
  using Re = real_t<R>;
  const auto m = mean_with<P>(e, axis, "dist::var");  // checks the axis on every rank
  if constexpr (ndim_of<E> == 1) {
    return var_about<P>(e, m, dd);
  } else {
    const int ax = normalise_axis<ndim_of<E>>(axis, "dist::var");
    const index_t n = e.shape()[static_cast<std::size_t>(ax)];
    const axis_inserted<R, ndim_of<E> - 1> mb(m, static_cast<std::size_t>(ax));
    auto ss = sum_with<P>(squared_magnitude<R>(as_value<R>(e) - mb), ax);
    static_assert(std::is_same_v<typename decltype(ss)::value_type, Re>);
    ss /= n - dd.k <= 0 ? std::numeric_limits<Re>::quiet_NaN() : static_cast<Re>(n - dd.k);
    return ss;
  }
}
template <class P, class E>
auto std_with(const E& e, int axis, ddof dd) {
  if constexpr (ndim_of<E> == 1) {
    return std::sqrt(var_with<P>(e, axis, dd));
  } else {
    auto v = var_with<P>(e, axis, dd);
    v = sqrt(v);
    return v;
  }
}
}  // namespace detail

template <expression E> auto mean(const E& e, int axis) { return detail::mean_with<detail::pairwise_order>(e, axis); }
template <expression E> auto var(const E& e, int axis, ddof dd = {}) { return detail::var_with<detail::pairwise_order>(e, axis, dd); }
template <expression E> auto std(const E& e, int axis, ddof dd = {}) { return detail::std_with<detail::pairwise_order>(e, axis, dd); }
/// mean, var and std along an axis from reproducible sums.
template <expression E> auto mean(const E& e, int axis, reproducible_t) { return detail::mean_with<reproducible_t>(e, axis); }
template <expression E> auto var(const E& e, int axis, reproducible_t, ddof dd = {}) {
  return detail::var_with<reproducible_t>(e, axis, dd);
}
template <expression E> auto std(const E& e, int axis, reproducible_t, ddof dd = {}) {
  return detail::std_with<reproducible_t>(e, axis, dd);
}

// ---------------------------------------------------------------------------

namespace detail {
template <class T>
struct arg_state {
  T v{};
  index_t flat = -1;  // row-major global index; -1: none yet
};
template <class T, bool Max>
bool arg_better(const arg_state<T>& a, const arg_state<T>& b) {  // is a preferred over b?
  if (a.flat < 0) return false;
  if (b.flat < 0) return true;
  const bool an = is_nan_value(a.v), bn = is_nan_value(b.v);
  if (an || bn) return an && (!bn || a.flat < b.flat);
  if (Max ? b.v < a.v : a.v < b.v) return true;
  if (Max ? a.v < b.v : b.v < a.v) return false;
  return a.flat < b.flat;
}
template <class T, bool Max>
struct arg_reducer {
  using state = arg_state<T>;
  state empty() const { return {}; }
  void merge(state& s, const state& o) const {
    if (arg_better<T, Max>(o, s)) s = o;
  }
};
template <bool Max, class E>
index<ndim_of<E>> arg_extreme(const E& e, const char* op) {
  constexpr std::size_t N = ndim_of<E>;
  using T = value_of<E>;
  bound_source<E> src(e);
  validated_entry(src.dist.comm(), op, [&] { require_nonempty(src.dist.shape(), op); }, src.dist);
  const shape<N> ls = src.dist.local_shape();
  const auto gstr = row_major_strides(src.dist.shape());
  std::array<std::vector<index_t>, N> tab;
  for (std::size_t d = 0; d < N; ++d) tab[d] = src.dist.global_indices(d);
  const arg_reducer<T, Max> red;
  arg_state<T> best = red.empty();
  auto& b = src.b;
  const bool contig = b.contiguous();
  for_each_row(ls, b, [&](const index<N>& o, index_t, index_t inner) {
    index_t base = 0;
    for (std::size_t d = 0; d + 1 < N; ++d) base += tab[d][static_cast<std::size_t>(o[d])] * gstr[d];
    for (index_t i = 0; i < inner; ++i) {
      red.merge(best, {contig ? b.at(i) : b.at_strided(i), base + tab[N - 1][static_cast<std::size_t>(i)]});
    }
  });
  arg_state<T> win = combine_ranks(src.dist, red, best);
  index<N> idx;
  for (std::size_t d = 0; d < N; ++d) {
    idx[d] = win.flat / gstr[d];
    win.flat %= gstr[d];
  }
  return idx;
}
}  // namespace detail

template <expression E> index<detail::ndim_of<E>> argmin(const E& e) { return detail::arg_extreme<false>(e, "dist::argmin"); }
template <expression E> index<detail::ndim_of<E>> argmax(const E& e) { return detail::arg_extreme<true>(e, "dist::argmax"); }

}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "reductions-inl.hpp"
#endif
