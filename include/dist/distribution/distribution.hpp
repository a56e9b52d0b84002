// distribution<N>: global shape + per-dimension maps + process grid +
// communicator. A cheap-to-copy value over shared immutable state.
// Users' reference: docs/api.md (Distributions), docs/distributions.md.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "../core/linkage.hpp"
#include "../core/agree.hpp"
#include "../core/collective_check.hpp"
#include "../core/comm_state.hpp"
#include "../core/communicator.hpp"
#include "../core/error.hpp"
#include "../core/types.hpp"
#include "dim_map.hpp"
#include "directory.hpp"
#include "grid.hpp"
#include "specs.hpp"

namespace dist {

namespace detail {
/// Tag of distribution's constructor from ready-made maps (views).
struct from_maps_t {};
inline constexpr from_maps_t from_maps{};

/// The specs of a distribution as a collective's argument: the digest
/// covers kinds, bounds and block sizes (not unstructured indices, which
/// differ by rank). Local.
template <std::size_t N>
struct spec_list {
  const std::array<dim_spec, N>& specs;
  std::uint64_t signature() const noexcept {
    arg_hash h;
    for (const auto& sp : specs) {
      h.add(sp.index());
      if (auto* b = std::get_if<block>(&sp)) h.add(b->bounds);
      if (auto* b = std::get_if<block_cyclic>(&sp)) h.add(b->nb);
    }
    return h.value();
  }
  std::string describe() const {
    std::string t = "(";
    for (std::size_t d = 0; d < N; ++d) {
      if (d) t += ", ";
      std::visit([&](const auto& sp) {
        using S = std::decay_t<decltype(sp)>;
        if constexpr (std::is_same_v<S, block>) t += sp.bounds.empty() ? "block" : "block" + detail::describe(sp.bounds);
        else if constexpr (std::is_same_v<S, cyclic>) t += "cyclic";
        else if constexpr (std::is_same_v<S, block_cyclic>) t += "block_cyclic{" + std::to_string(sp.nb) + "}";
        else if constexpr (std::is_same_v<S, unstructured>) t += "unstructured";
        else t += "undistributed";
      }, specs[d]);
    }
    return t + ")";
  }
};
}  // namespace detail

/// One dimension of the Distributed Array Protocol (v0.10.0) view of a rank.
struct dim_data {
  index_t size = 0;
  char dist_type = 'b';        ///< 'b' block, 'c' cyclic/block-cyclic, 'u' unstructured
  int proc_grid_size = 1;
  int proc_grid_rank = 0;
  index_t start = 0;           ///< 'b', 'c'
  index_t stop = 0;            ///< 'b'
  index_t block_size = 1;      ///< 'c'
  std::vector<index_t> indices;  ///< 'u'
  friend bool operator==(const dim_data&, const dim_data&) = default;
};

namespace detail {
/// The spec that rebuilds map `m` (unstructured: this coordinate's indices). Local.
DIST_INLINE dim_spec spec_of(const dim_map& m);
}  // namespace detail

template <std::size_t N>
class distribution {
  static_assert(N >= 1, "dist::distribution needs at least one dimension");

 public:
  /// Default layout: block on dimension 0, the others undistributed. Collective.
  distribution(const dist::shape<N>& s, comm_ref c) : distribution(s, default_specs(), c) {}  // collective: below

  /// `specs[d]` along dimension d over `g` (empty: the default-grid rule of grid.hpp).
  /// Throws, on every rank: distribution_error (bad bounds, block size,
  /// grid, or unstructured indices that are not a partition), shape_error
  /// (negative extent), or mpi_error when the ranks passed different shapes,
  /// specs or grids (one allreduce checks the digest). Collective.
  distribution(const dist::shape<N>& s, const std::array<dim_spec, N>& specs, comm_ref c, const dist::grid& g = {});

  /// From this rank's maps as they are (no validation, no communication):
  /// the index space of a view over a distribution with this grid. Local.
  distribution(detail::from_maps_t, const dist::shape<N>& s, const std::array<int, N>& grid,
               const std::array<int, N>& coords, const communicator& c, const std::array<dim_map, N>& maps,
               bool replicated)
      : st_(std::make_shared<state>()) {
    st_->shape = s;
    st_->grid = grid;
    st_->coords = coords;
    st_->comm = c;
    st_->replicated = replicated;
    st_->maps = maps;
  }

  /// Builds the map back from this rank's DAP view (as `dap()` returns it).
  /// Collective; throws distribution_error on every rank for inconsistent views.
  static distribution from_dap(const std::array<dim_data, N>& dd, comm_ref c);

  // ---- queries: all local ----

  const dist::shape<N>& shape() const noexcept { return st_->shape; }
  /// This rank's block extents.
  dist::shape<N> local_shape() const noexcept { return local_shape_at(st_->coords); }
  /// Rank r's block extents (unstructured dims: from the stored sizes).
  dist::shape<N> local_shape(int rank) const { return local_shape_at(coords_of(st_->replicated ? 0 : rank)); }
  index_t size() const noexcept { return detail::product(st_->shape); }
  index_t local_size() const noexcept { return detail::product(local_shape()); }
  /// Grid extents, g[k].
  const std::array<int, N>& grid() const noexcept { return st_->grid; }
  /// This rank's grid coordinates.
  const std::array<int, N>& grid_coords() const noexcept { return st_->coords; }
  /// Grid coordinates of rank r (row-major).
  std::array<int, N> grid_coords(int rank) const noexcept { return coords_of(st_->replicated ? 0 : rank); }
  /// The rank at grid coordinates `c` (row-major).
  int grid_rank(const std::array<int, N>& c) const noexcept { return detail::row_major_rank(st_->grid, c); }
  const communicator& comm() const noexcept { return st_->comm; }
  /// The map of dimension d.
  const dim_map& map(std::size_t d) const noexcept { return st_->maps[d]; }
  /// True when the grid has one coordinate (every dim undistributed, or a
  /// single rank) and no unstructured dim: each rank holds the whole array
  /// in row-major order.
  bool replicated() const noexcept { return st_->replicated; }

  /// Throws index_error naming `op` unless `i` lies inside the shape.
  void check_index(const index<N>& i, const char* op) const;

  /// True when this rank holds element `i` (replicated: always).
  bool owns(const index<N>& i) const noexcept {
    for (std::size_t d = 0; d < N; ++d)
      if (!st_->maps[d].owns(i[d])) return false;
    return true;
  }
  /// The rank owning element `i` (replicated: this rank). Throws index_error
  /// out of range; for an unstructured dim only indices this rank's
  /// coordinate owns are known locally (else use the collective `lookup`).
  int owner(const index<N>& i) const {
    check_index(i, "dist::distribution::owner");
    if (st_->replicated) return st_->comm.rank();
    std::array<int, N> c;
    for (std::size_t d = 0; d < N; ++d) c[d] = st_->maps[d].owner(i[d]);
    return grid_rank(c);
  }
  /// Local multi-index of global `i` on its owner.
  index<N> local_index(const index<N>& i) const {
    check_index(i, "dist::distribution::local_index");
    index<N> l;
    for (std::size_t d = 0; d < N; ++d) l[d] = st_->maps[d].local_index(i[d]);
    return l;
  }
  /// Global multi-index of this rank's local `l`.
  index<N> global_index(const index<N>& l) const { return global_index_at(st_->coords, l); }
  /// Global multi-index of rank r's local `l`.
  index<N> global_index(int rank, const index<N>& l) const { return global_index_at(grid_coords(rank), l); }
  /// This rank's global indices along dim d, in local order.
  std::vector<index_t> global_indices(std::size_t d) const { return st_->maps[d].global_indices(); }

  /// Locations (grid coordinate, local position) of global indices `g` along
  /// dim d. Structured dims answer locally; unstructured ones ask the
  /// distributed directory. Collective (every rank calls, each with its own
  /// `g`); throws index_error on every rank if any rank asks out of range.
  std::vector<location> lookup(std::size_t d, std::span<const index_t> g) const;

  /// This rank's Distributed Array Protocol v0.10.0 view.
  std::array<dim_data, N> dap() const;

  /// Hash of the global description (shape, grid, kinds and parameters), for
  /// DIST_CHECK_COLLECTIVES. Local.
  std::uint64_t signature() const noexcept;

  /// "shape (10, 7), grid (3, 1), block x undistributed", for messages. Local.
  std::string describe() const;

  /// True when `o` is a copy of this distribution (shares its state). Local.
  bool shares_state(const distribution& o) const noexcept { return st_ == o.st_; }
  /// True when no dim is unstructured, so operator== gives the same answer
  /// on every rank. Local.
  bool structured() const noexcept {
    for (const auto& m : st_->maps)
      if (m.kind() == dim_kind::unstructured) return false;
    return true;
  }

  /// Same shape, grid, communicator (identical or congruent) and owned
  /// indices along every dim. Local (for unstructured dims it compares this
  /// rank's index lists).
  friend bool operator==(const distribution& a, const distribution& b) { return a.equals(b); }

 private:
  // operator==, defined below the class (compiled once per rank with
  // separate compilation)
  bool equals(const distribution& b) const;

  struct state {
    dist::shape<N> shape{};
    std::array<int, N> grid{};
    std::array<int, N> coords{};
    communicator comm;
    bool replicated = false;
    std::array<dim_map, N> maps = filled(dim_map::undistributed(0));
    std::array<std::shared_ptr<const detail::directory>, N> directories{};
  };

  // Validates the specs and builds the maps of the structured dims (local;
  // throws on bad input). True when some dim is unstructured.
  bool build_structured(const std::array<dim_spec, N>& specs, const dist::grid& g);

  static std::array<dim_map, N> filled(const dim_map& m) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::array<dim_map, N>{((void)I, m)...};
    }(std::make_index_sequence<N>{});
  }

  static std::array<dim_spec, N> default_specs() {
    std::array<dim_spec, N> sp;
    sp[0] = block{};
    for (std::size_t d = 1; d < N; ++d) sp[d] = undistributed{};
    return sp;
  }

  static std::array<int, N> make_grid(const dist::shape<N>& s, const std::array<dim_spec, N>& specs, const dist::grid& g,
                                      int P);

  std::array<int, N> coords_of(int rank) const noexcept {
    std::array<int, N> c{};
    for (std::size_t d = N; d-- > 0;) {
      c[d] = rank % st_->grid[d];
      rank /= st_->grid[d];
    }
    return c;
  }

  dist::shape<N> local_shape_at(const std::array<int, N>& c) const {
    dist::shape<N> s;
    for (std::size_t d = 0; d < N; ++d) s[d] = st_->maps[d].local_size(c[d]);
    return s;
  }

  index<N> global_index_at(const std::array<int, N>& c, const index<N>& l) const {
    index<N> g;
    for (std::size_t d = 0; d < N; ++d) g[d] = st_->maps[d].global_index(c[d], l[d]);
    return g;
  }

  // Unstructured dims: split the communicator into lines along each such dim
  // and build (and validate) its distributed directory.
  void build_directories(const std::array<dim_spec, N>& specs);

  std::shared_ptr<state> st_;
};

template <std::size_t N>
distribution<N> distribution<N>::from_dap(const std::array<dim_data, N>& dd, comm_ref c) {
  const communicator& comm = c.get();
  const int P = comm.size();
  std::vector<int> ext(N);
  std::array<dim_spec, N> specs;
  // every rank's (start, stop) per dim, to rebuild block bounds
  std::vector<index_t> mine(2 * N), all(2 * N * static_cast<std::size_t>(P));
  for (std::size_t d = 0; d < N; ++d) mine[2 * d] = dd[d].start, mine[2 * d + 1] = dd[d].stop;
  detail::check_mpi(MPI_Allgather(mine.data(), static_cast<int>(2 * N), MPI_INT64_T, all.data(),
                                  static_cast<int>(2 * N), MPI_INT64_T, comm),
                    "MPI_Allgather");
  detail::agree_on_errors(comm, [&] {
    for (std::size_t d = 0; d < N; ++d) ext[d] = dd[d].proc_grid_size;
    long long prod = 1;
    for (int e : ext) prod *= e;
    const bool replicated = prod == 1;
    std::array<int, N> expect{};
    int r = replicated ? 0 : comm.rank();
    for (std::size_t d = N; d-- > 0;) expect[d] = r % std::max(ext[d], 1), r /= std::max(ext[d], 1);
    for (std::size_t d = 0; d < N; ++d) {
      const auto& x = dd[d];
      const std::string where = "dist::distribution::from_dap: dim " + std::to_string(d) + ": ";
      if (x.proc_grid_rank != expect[d])
        throw distribution_error(where + "proc_grid_rank " + std::to_string(x.proc_grid_rank) + " on rank " +
                                 std::to_string(comm.rank()) + " but the row-major grid position is " +
                                 std::to_string(expect[d]));
      if (x.dist_type == 'b' && x.proc_grid_size == 1) {
        specs[d] = undistributed{};
      } else if (x.dist_type == 'b') {
        std::vector<index_t> bounds(static_cast<std::size_t>(x.proc_grid_size) + 1, -1);
        bounds.back() = x.size;
        for (int q = 0; q < P; ++q) {
          int cq = q;
          for (std::size_t e = N; e-- > d + 1;) cq /= ext[e];
          cq %= ext[d];
          const index_t st = all[2 * N * static_cast<std::size_t>(q) + 2 * d];
          const index_t sp = all[2 * N * static_cast<std::size_t>(q) + 2 * d + 1];
          auto& b = bounds[static_cast<std::size_t>(cq)];
          if (b != -1 && b != st) throw distribution_error(where + "ranks at coordinate " + std::to_string(cq) + " disagree on start");
          b = st;
          if (cq + 1 < x.proc_grid_size) {
            auto& nb = bounds[static_cast<std::size_t>(cq) + 1];
            if (nb != -1 && nb != sp) throw distribution_error(where + "stop of coordinate " + std::to_string(cq) + " is not the start of the next");
            nb = sp;
          } else if (sp != x.size) {
            throw distribution_error(where + "the last block stops at " + std::to_string(sp) + ", not at the extent " + std::to_string(x.size));
          }
        }
        const auto balanced = dim_map::block(x.size, x.proc_grid_size, 0);
        bool is_balanced = true;
        for (int q = 0; q <= x.proc_grid_size; ++q)
          is_balanced = is_balanced && bounds[static_cast<std::size_t>(q)] == balanced.block_start(q);
        specs[d] = is_balanced ? dim_spec{block{}} : dim_spec{block{bounds}};
      } else if (x.dist_type == 'c') {
        if (x.block_size < 1) throw distribution_error(where + "block_size must be >= 1, got " + std::to_string(x.block_size));
        if (x.start != x.proc_grid_rank * x.block_size)
          throw distribution_error(where + "start " + std::to_string(x.start) + " is not proc_grid_rank * block_size");
        specs[d] = x.block_size == 1 ? dim_spec{cyclic{}} : dim_spec{block_cyclic{x.block_size}};
      } else if (x.dist_type == 'u') {
        specs[d] = unstructured{x.indices};
      } else {
        throw distribution_error(where + "unknown dist_type '" + std::string(1, x.dist_type) + "'");
      }
    }
  });
  dist::shape<N> s;
  for (std::size_t d = 0; d < N; ++d) s[d] = dd[d].size;
  return distribution(s, specs, comm, dist::grid(ext));
}

template <std::size_t N>
void distribution<N>::check_index(const index<N>& i, const char* op) const {
  for (std::size_t d = 0; d < N; ++d)
    if (i[d] < 0 || i[d] >= st_->shape[d])
      throw index_error(std::string(op) + ": index " + detail::to_string(i) + " is out of range for shape " +
                        detail::to_string(st_->shape) + " (dim " + std::to_string(d) + ")");
}

template <std::size_t N>
std::vector<location> distribution<N>::lookup(std::size_t d, std::span<const index_t> g) const {
  detail::collective_entry(st_->comm, "dist::distribution::lookup", d);
  const index_t n = st_->shape[d];
  index_t bad = -1;
  for (index_t x : g)
    if (x < 0 || x >= n) bad = x;
  detail::agree_on_errors(st_->comm, [&] {
    if (bad != -1)
      throw index_error("dist::distribution::lookup: index " + std::to_string(bad) + " is out of range for dim " +
                        std::to_string(d) + " of extent " + std::to_string(n));
  });
  if (st_->directories[d]) return st_->directories[d]->lookup(g);
  std::vector<location> r(g.size());
  for (std::size_t k = 0; k < g.size(); ++k) r[k] = {st_->maps[d].owner(g[k]), st_->maps[d].local_index(g[k])};
  return r;
}

template <std::size_t N>
std::array<dim_data, N> distribution<N>::dap() const {
  std::array<dim_data, N> r;
  for (std::size_t d = 0; d < N; ++d) {
    const dim_map& m = st_->maps[d];
    dim_data& x = r[d];
    x.size = m.size();
    x.proc_grid_size = m.procs();
    x.proc_grid_rank = m.coord();
    switch (m.kind()) {
      case dim_kind::block:
      case dim_kind::undistributed:
        x.dist_type = 'b';
        x.start = m.block_start(m.coord());
        x.stop = x.start + m.local_size();
        break;
      case dim_kind::cyclic:
      case dim_kind::block_cyclic:
        x.dist_type = 'c';
        x.block_size = m.block_size();
        x.start = m.coord() * m.block_size();  // even where the coordinate owns nothing (the protocol's rule)
        break;
      case dim_kind::unstructured:
        x.dist_type = 'u';
        x.indices = m.global_indices();
        break;
    }
  }
  return r;
}

template <std::size_t N>
std::uint64_t distribution<N>::signature() const noexcept {
  detail::arg_hash h;
  h.add(st_->shape).add(st_->grid);
  for (const auto& m : st_->maps) h.add(m.kind()).add(m.block_size()).add(m.bounds());
  return h.value();
}

template <std::size_t N>
bool distribution<N>::equals(const distribution& b) const {
  const distribution& a = *this;
  if (a.st_ == b.st_) return true;
  if (a.st_->shape != b.st_->shape || a.st_->grid != b.st_->grid || a.st_->replicated != b.st_->replicated) return false;
  int cmp = MPI_UNEQUAL;
  MPI_Comm_compare(a.st_->comm, b.st_->comm, &cmp);
  if (cmp != MPI_IDENT && cmp != MPI_CONGRUENT) return false;
  for (std::size_t d = 0; d < N; ++d)
    if (!(a.st_->maps[d] == b.st_->maps[d])) return false;
  return true;
}

template <std::size_t N>
bool distribution<N>::build_structured(const std::array<dim_spec, N>& specs, const dist::grid& g) {
  state& st = *st_;
  const dist::shape<N>& s = st.shape;
  for (std::size_t d = 0; d < N; ++d)
    if (s[d] < 0) throw shape_error("dist::distribution: extent " + std::to_string(s[d]) + " of dim " +
                                    std::to_string(d) + " is negative in shape " + detail::to_string(s));
  st.grid = make_grid(s, specs, g, st.comm.size());
  // a grid of one coordinate: every rank holds the whole array, and in
  // global order unless an unstructured dim permutes it
  st.replicated = std::all_of(st.grid.begin(), st.grid.end(), [](int e) { return e == 1; }) &&
                  std::none_of(specs.begin(), specs.end(),
                               [](const dim_spec& sp) { return std::holds_alternative<unstructured>(sp); });
  const int rank = st.replicated ? 0 : st.comm.rank();
  st.coords = coords_of(rank);
  bool any_unstructured = false;
  for (std::size_t d = 0; d < N; ++d) {
    const int p = st.grid[d], cd = st.coords[d];
    const index_t n = s[d];
    const auto where = [&] { return "dist::distribution: dim " + std::to_string(d) + ": "; };
    try {
      std::visit(
          [&](const auto& sp) {
            using S = std::decay_t<decltype(sp)>;
            if constexpr (std::is_same_v<S, block>) {
              if (sp.bounds.empty()) st.maps[d] = dim_map::block(n, p, cd);
              else {
                if (static_cast<index_t>(sp.bounds.size()) != p + 1)
                  throw distribution_error("block bounds have " + std::to_string(sp.bounds.size()) +
                                           " entries but the grid has " + std::to_string(p) +
                                           " coordinates (needs " + std::to_string(p + 1) + ")");
                if (sp.bounds.back() != n)
                  throw distribution_error("block bounds end at " + std::to_string(sp.bounds.back()) +
                                           " but the extent is " + std::to_string(n));
                st.maps[d] = dim_map::block(sp.bounds, cd);
              }
            } else if constexpr (std::is_same_v<S, cyclic>) {
              st.maps[d] = dim_map::cyclic(n, p, cd);
            } else if constexpr (std::is_same_v<S, block_cyclic>) {
              st.maps[d] = dim_map::block_cyclic(n, sp.nb, p, cd);
            } else if constexpr (std::is_same_v<S, undistributed>) {
              st.maps[d] = dim_map::undistributed(n);
            } else {
              any_unstructured = true;
            }
          },
          specs[d]);
    } catch (const distribution_error& e) {
      throw distribution_error(where() + e.what());
    }
  }
  return any_unstructured;
}

template <std::size_t N>
std::array<int, N> distribution<N>::make_grid(const dist::shape<N>& s, const std::array<dim_spec, N>& specs,
                                             const dist::grid& g, int P) {
  std::array<int, N> ext{};
  const auto undist = [&](std::size_t d) { return std::holds_alternative<undistributed>(specs[d]); };
  bool all_undist = true;
  for (std::size_t d = 0; d < N; ++d) all_undist = all_undist && undist(d);
  if (!g.empty()) {
    if (g.size() != N)
      throw distribution_error("dist::distribution: grid " + detail::to_string(g.extents()) + " has " +
                               std::to_string(g.size()) + " extents for a " + std::to_string(N) + "-d array");
    long long prod = 1;
    for (std::size_t d = 0; d < N; ++d) {
      if (g[d] < 1)
        throw distribution_error("dist::distribution: grid " + detail::to_string(g.extents()) + " has extent " +
                                 std::to_string(g[d]) + " < 1 in dim " + std::to_string(d));
      if (undist(d) && g[d] != 1)
        throw distribution_error("dist::distribution: grid " + detail::to_string(g.extents()) + " has extent " +
                                 std::to_string(g[d]) + " in dim " + std::to_string(d) +
                                 ", which is undistributed (needs 1)");
      ext[d] = g[d];
      prod *= g[d];
    }
    if (prod != P && !all_undist)
      throw distribution_error("dist::distribution: grid " + detail::to_string(g.extents()) + " has " +
                               std::to_string(prod) + " ranks but the communicator has " + std::to_string(P));
    return ext;
  }
  // default rule; explicit block bounds fix their dim's extent
  int rest = P;
  std::vector<std::size_t> free_dims;
  std::vector<index_t> free_ext;
  for (std::size_t d = 0; d < N; ++d) {
    ext[d] = 1;
    if (undist(d)) continue;
    if (auto* b = std::get_if<block>(&specs[d]); b && !b->bounds.empty()) {
      ext[d] = std::max<int>(1, static_cast<int>(b->bounds.size()) - 1);
      if (rest % ext[d])
        throw distribution_error("dist::distribution: explicit block bounds of dim " + std::to_string(d) + " need " +
                                 std::to_string(ext[d]) + " grid coordinates, which does not divide the " +
                                 std::to_string(P) + " ranks left for it");
      rest /= ext[d];
    } else {
      free_dims.push_back(d);
      free_ext.push_back(s[d]);
    }
  }
  if (all_undist) return ext;
  if (free_dims.empty()) {
    if (rest != 1)
      throw distribution_error("dist::distribution: the explicit block bounds give a grid of " +
                               std::to_string(P / rest) + " ranks but the communicator has " + std::to_string(P));
    return ext;
  }
  const auto f = detail::default_grid(free_ext, rest);
  for (std::size_t k = 0; k < free_dims.size(); ++k) ext[free_dims[k]] = f[k];
  return ext;
}

template <std::size_t N>
void distribution<N>::build_directories(const std::array<dim_spec, N>& specs) {
  state& st = *st_;
  for (std::size_t d = 0; d < N; ++d) {
    const auto* u = std::get_if<unstructured>(&specs[d]);
    if (!u) continue;
    int color = 0;
    for (std::size_t e = 0; e < N; ++e) color = color * st.grid[e] + (e == d ? 0 : st.coords[e]);
    MPI_Comm line = MPI_COMM_NULL, fiber = MPI_COMM_NULL;
    detail::check_mpi(MPI_Comm_split(st.comm, color, st.coords[d], &line), "MPI_Comm_split");
    detail::check_mpi(MPI_Comm_split(st.comm, st.coords[d], st.comm.rank(), &fiber), "MPI_Comm_split");
    communicator line_c(line, boost::mpi::comm_take_ownership), fiber_c(fiber, boost::mpi::comm_take_ownership);
    auto dir = std::make_shared<const detail::directory>(st.comm, line_c, fiber_c, d, st.shape[d], u->indices);
    st.maps[d] = dir->map();
    st.directories[d] = std::move(dir);
  }
}

template <std::size_t N>
distribution<N>::distribution(const dist::shape<N>& s, const std::array<dim_spec, N>& specs, comm_ref c, const dist::grid& g)
    : st_(std::make_shared<state>()) {
  state& st = *st_;
  st.shape = s;
  st.comm = c.get();
  bool any_unstructured = false;
  const detail::spec_list<N> sl{specs};
  detail::agree(st.comm, "dist::distribution", [&] { any_unstructured = build_structured(specs, g); },
                detail::arg("shapes", s), detail::arg("specs", sl), detail::arg("grids", g.extents()));
  if (any_unstructured) build_directories(specs);
}

// (below the class: separate compilation's extern template then keeps it out of user code)
template <std::size_t N>
std::string distribution<N>::describe() const {
  std::string t = "shape " + detail::to_string(st_->shape) + ", grid " + detail::to_string(st_->grid) + ", ";
  for (std::size_t d = 0; d < N; ++d) t += std::string(d ? " x " : "") + to_string(st_->maps[d].kind());
  return t;
}

namespace detail {

/// The communicator of my line along dim `axis` of d's process grid: the
/// ranks sharing my other grid coordinates, ordered by their coordinate
/// along axis. Split on the first call for d's communicator, grid extents
/// and axis, then kept with the communicator (split_once). Collective over
/// d's communicator on first use.
template <std::size_t N>
MPI_Comm grid_line_comm(const distribution<N>& d, std::size_t axis) {
  std::vector<int> key{static_cast<int>(axis)};
  key.insert(key.end(), d.grid().begin(), d.grid().end());
  auto c = d.grid_coords();
  const int order = c[axis];
  c[axis] = 0;
  return split_once(d.comm(), std::move(key), d.grid_rank(c), order);
}

}  // namespace detail

/// Deduction guides: `dist::distribution d(shape, comm)` etc.
template <std::size_t N>
distribution(const shape<N>&, comm_ref) -> distribution<N>;
template <std::size_t N>
distribution(const shape<N>&, const std::array<dim_spec, N>&, comm_ref, const grid& = {}) -> distribution<N>;

}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "distribution-inl.hpp"
#endif
