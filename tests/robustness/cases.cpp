// The robustness suite: bad input and faults, one case per mpiexec run (a
// hang fails the case at its timeout instead of stalling the suite). Each
// case runs on every rank; the checks are local, so "every rank throws
// shape_error" is checked on every rank. After the case every rank runs a
// few collectives (the ranks must still be in step, with no message left
// over), and the exit code is agreed over all ranks.
//
//   cases --list             the normal build's cases, one per line
//   cases --list-checked     the cases only a DIST_CHECK_COLLECTIVES build catches
//   cases <name>             runs one case
//   cases save <path> <n> <v> / check <path> <n> <v>   tools for faults.sh
#include <dist/dist.hpp>
#ifdef DIST_HAVE_HDF5
#include <dist/io/hdf5.hpp>
#endif

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using dist::index_t;
namespace fs = std::filesystem;

namespace {

dist::communicator& world() {
  static dist::communicator c;
  return c;
}
int rank() { return world().rank(); }
int P() { return world().size(); }

struct registry {
  std::map<std::string, std::function<void()>> normal, checked;
};
registry& cases() {
  static registry r;
  return r;
}
struct registrar {
  registrar(const char* name, bool checked_only, std::function<void()> f) {
    (checked_only ? cases().checked : cases().normal)[name] = std::move(f);
  }
};
#define CASE(name)                                                      \
  void case_##name();                                                   \
  const registrar reg_##name(#name, false, case_##name);                \
  void case_##name()
// A divergence only DIST_CHECK_COLLECTIVES catches (hot-path collectives).
#define CHECKED_CASE(name)                                              \
  void case_##name();                                                   \
  const registrar reg_##name(#name, true, case_##name);                 \
  void case_##name()

int failures = 0;
void fail(const std::string& what) {
  ++failures;
  std::cerr << "rank " << rank() << ": " << what << std::endl;
}
void check(bool ok, const std::string& what) {
  if (!ok) fail(what);
}

/// f() throws E on this rank, whose message contains every string of `words`.
template <class E>
void expect_throw(const std::function<void()>& f, std::vector<std::string> words = {}) {
  try {
    f();
  } catch (const E& e) {
    const std::string msg = e.what();
    for (const auto& w : words)
      if (msg.find(w) == std::string::npos) fail("message \"" + msg + "\" does not mention \"" + w + "\"");
    return;
  } catch (const std::exception& e) {
    fail(std::string("threw another exception: ") + e.what());
    return;
  }
  fail("did not throw");
}

/// The ranks are in step: collectives of several kinds give the right answers.
void still_in_step() {
  const index_t n = 5 * P() + 2;
  auto a = dist::fromfunction<double>(dist::distribution<1>({n}, world()), [](index_t i) { return double(i); });
  check(dist::sum(a) == double(n * (n - 1) / 2), "sum after the case");
  dist::distribution<1> c({n}, {dist::cyclic{}}, world());
  auto b = dist::redistribute(a, c);
  check(dist::gather(b, 0).size() == (rank() == 0 ? std::size_t(n) : 0u), "gather after the case");
  check(b.get({n - 1}) == double(n - 1), "get after the case");
  world().barrier();
}

std::string scratch(const std::string& name) {
  std::string dir = "robust_files";
  std::error_code ec;  // (other cases may be creating it at the same time)
  if (rank() == 0) fs::create_directories(dir, ec);
  world().barrier();
  return dir + "/" + name + "_np" + std::to_string(P());
}

std::string read_bytes(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}
void write_bytes(const std::string& p, const std::string& b) {
  if (rank() == 0) std::ofstream(p, std::ios::binary) << b;
  world().barrier();
}
bool exists_anywhere(const std::string& p) { return dist::detail::any_rank(world(), fs::exists(p)); }

dist::distribution<1> line(index_t n) { return dist::distribution<1>({n}, world()); }
dist::distribution<2> plane(index_t n0, index_t n1) { return dist::distribution<2>({n0, n1}, world()); }
dist::array<double, 1> iota(index_t n) {
  return dist::fromfunction<double>(line(n), [](index_t i) { return double(i) + 0.5; });
}

// ---------------------------------------------------------------- distributions

CASE(distribution_negative_extent) {
  expect_throw<dist::shape_error>([] { dist::distribution<2>({4, -1}, world()); }, {"dist::distribution", "-1"});
}
CASE(distribution_bounds_count) {
  expect_throw<dist::distribution_error>([] { dist::distribution<1>({6}, {dist::block{{0, 6}}}, world(), dist::grid{P()}); },
                                         {"bounds"});
}
CASE(distribution_bounds_end) {
  std::vector<index_t> b(static_cast<std::size_t>(P()) + 1, 0);
  b.back() = 5;
  expect_throw<dist::distribution_error>([&] { dist::distribution<1>({6}, {dist::block{b}}, world()); }, {"bounds end at 5"});
}
CASE(distribution_bounds_decreasing) {
  std::vector<index_t> b(static_cast<std::size_t>(P()) + 1, 4);
  b[0] = 0;
  b[1] = 5;
  b.back() = 4;
  expect_throw<dist::distribution_error>([&] { dist::distribution<1>({4}, {dist::block{b}}, world()); });
}
CASE(distribution_block_cyclic_zero) {
  expect_throw<dist::distribution_error>([] { dist::distribution<1>({6}, {dist::block_cyclic{0}}, world()); });
}
CASE(distribution_grid_product) {
  expect_throw<dist::distribution_error>(
      [] { dist::distribution<2>({6, 6}, {dist::block{}, dist::block{}}, world(), dist::grid{P(), 2}); }, {"grid"});
}
CASE(distribution_grid_on_undistributed_dim) {
  expect_throw<dist::distribution_error>(
      [] { dist::distribution<2>({6, 6}, {dist::block{}, dist::undistributed{}}, world(), dist::grid{1, P()}); },
      {"undistributed"});
}
CASE(distribution_unstructured_duplicate) {
  std::vector<index_t> mine = {0};  // every rank claims index 0
  expect_throw<dist::distribution_error>([&] { dist::distribution<1>({index_t(P())}, {dist::unstructured{mine}}, world()); });
}
CASE(distribution_unstructured_missing) {
  std::vector<index_t> mine;
  if (rank() > 0) mine.push_back(rank());  // nobody owns 0
  expect_throw<dist::distribution_error>([&] { dist::distribution<1>({index_t(P())}, {dist::unstructured{mine}}, world()); });
}
CASE(distribution_unstructured_out_of_range) {
  std::vector<index_t> mine = {rank() == 1 ? index_t(100) : index_t(rank())};
  expect_throw<dist::distribution_error>([&] { dist::distribution<1>({index_t(P())}, {dist::unstructured{mine}}, world()); });
}
CASE(distribution_divergent_shape) {
  const index_t n = rank() == 1 ? 11 : 10;
  expect_throw<dist::mpi_error>([&] { dist::distribution<1>({n}, world()); }, {"shapes", rank() == 1 ? "11" : "10"});
}
CASE(distribution_divergent_kind) {
  const dist::dim_spec s = rank() == 1 ? dist::dim_spec{dist::cyclic{}} : dist::dim_spec{dist::block{}};
  expect_throw<dist::mpi_error>([&] { dist::distribution<1>({10}, {s}, world()); }, {"specs"});
}
CASE(distribution_divergent_block_size) {
  const index_t nb = rank() == 1 ? 3 : 2;
  expect_throw<dist::mpi_error>([&] { dist::distribution<1>({10}, {dist::block_cyclic{nb}}, world()); },
                                {"specs", "block_cyclic{" + std::to_string(nb) + "}"});
}
CASE(distribution_divergent_bounds) {
  std::vector<index_t> b(static_cast<std::size_t>(P()) + 1, 10);
  b[0] = 0;
  if (rank() == 1) b[1] = 1;
  expect_throw<dist::mpi_error>([&] { dist::distribution<1>({10}, {dist::block{b}}, world()); }, {"specs"});
}
CASE(distribution_divergent_grid) {
  const dist::grid g = rank() == 1 ? dist::grid{1, P()} : dist::grid{P(), 1};
  expect_throw<dist::mpi_error>([&] { dist::distribution<2>({6, 6}, {dist::block{}, dist::block{}}, world(), g); }, {"grids"});
}
CASE(distribution_invalid_on_one_rank_only) {
  // block bounds invalid on rank 1 only (also a divergence): every rank throws, nobody waits
  std::vector<index_t> b(static_cast<std::size_t>(P()) + 1, 8);
  b[0] = 0;
  if (rank() == 1) b.pop_back();
  expect_throw<dist::error>([&] { dist::distribution<1>({8}, {dist::block{b}}, world()); });
}
CASE(dap_block_cyclic_start_where_empty) {
  // block_cyclic{3} over 4 elements: coordinates >= 2 own nothing; start is still proc_grid_rank * 3
  dist::distribution<1> d({4}, {dist::block_cyclic{3}}, world());
  const auto dd = d.dap();
  check(dd[0].start == 3 * rank(), "dap start is proc_grid_rank * block_size");
  const auto back = dist::distribution<1>::from_dap(dd, world());
  check(back == d, "from_dap gives the map back");
}
CASE(from_dap_inconsistent) {
  dist::distribution<1> d({10}, world());
  auto dd = d.dap();
  if (rank() == 0) dd[0].proc_grid_rank = P() - 1 + (P() == 1);
  expect_throw<dist::distribution_error>([&] { (void)dist::distribution<1>::from_dap(dd, world()); }, {"from_dap"});
}
CASE(lookup_out_of_range_on_one_rank) {
  std::vector<index_t> mine;
  for (index_t g = rank(); g < 10; g += P()) mine.push_back(g);
  dist::distribution<1> d({10}, {dist::unstructured{mine}}, world());
  std::vector<index_t> ask = {rank() == 1 ? index_t(10) : index_t(0)};
  expect_throw<dist::index_error>([&] { (void)d.lookup(0, ask); }, {"lookup", "10"});
}

// ---------------------------------------------------------------- elements, creation

CASE(get_out_of_range) {
  auto a = iota(7);
  expect_throw<dist::index_error>([&] { (void)a.get({7}); }, {"dist::array::get", "(7,)"});
}
CASE(get_negative_index) {
  auto a = iota(7);
  expect_throw<dist::index_error>([&] { (void)a.get({-1}); }, {"dist::array::get"});
}
CASE(get_out_of_range_on_one_rank) {
  auto a = iota(7);
  const index_t i = rank() == 1 ? 7 : 3;
  // rank 1's index error reaches every rank (it comes before the divergence of the indices)
  expect_throw<dist::index_error>([&] { (void)a.get({i}); }, {"dist::array::get", "(7,)", "rank 1"});
}
CASE(set_out_of_range_on_one_rank) {
  auto a = iota(7);
  const index_t i = rank() == 1 ? 9 : 2;
  expect_throw<dist::error>([&] { a.set({i}, 1.0); }, {"dist::array::set"});
  check(a.get({2}) == 2.5, "set changed nothing");
}
CASE(set_divergent_value) {
  auto a = iota(7);
  expect_throw<dist::mpi_error>([&] { a.set({2}, double(rank())); }, {"values"});
}
CASE(scatter_wrong_size_on_root) {
  std::vector<double> data(rank() == 0 ? 5 : 0);
  expect_throw<dist::shape_error>([&] { (void)dist::scatter<double, 1>(data, line(6)); }, {"dist::scatter", "5"});
}
CASE(scatter_bad_root) {
  std::vector<double> data(6);
  expect_throw<dist::mpi_error>([&] { (void)dist::scatter<double, 1>(data, line(6), P()); }, {"root"});
}
CASE(gather_root_divergent) {
  auto a = iota(6);
  expect_throw<dist::mpi_error>([&] { (void)dist::gather(a, rank() == 1 ? 1 : 0); }, {"dist::gather", "roots"});
}
CASE(fromfunction_throws_on_one_rank) {
  expect_throw<dist::error>(
      [] {
        (void)dist::fromfunction<double>(line(10), [](index_t i) {
          if (rank() == 1 && i >= 0) throw std::runtime_error("user failure in f");
          return double(i);
        });
      },
      {"user failure in f", "rank 1"});
}
CASE(fromfunction_throws_dist_error_on_one_rank) {
  expect_throw<dist::index_error>([] {
    (void)dist::fromfunction<double>(line(10), [](index_t i) -> double {
      if (rank() == P() - 1) throw dist::index_error("bad index from the user");
      return double(i);
    });
  });
}
CASE(vectorize_throws_in_assignment_on_one_rank) {
  auto a = iota(12);
  dist::array<double, 1> b(a.distribution());
  auto f = dist::vectorize([](double x) {
    if (rank() == 0 && x > 0) throw std::domain_error("vectorized failure");
    return x * 2;
  });
  expect_throw<dist::error>([&] { b = f(a); }, {"vectorized failure"});
}
CASE(vectorize_throws_in_reduction_on_one_rank) {
  auto a = iota(12);
  auto f = dist::vectorize([](double x) {
    if (rank() == P() - 1 && x > 0) throw std::domain_error("vectorized failure in sum");
    return x;
  });
  expect_throw<dist::error>([&] { (void)dist::sum(f(a)); }, {"vectorized failure in sum"});
  expect_throw<dist::error>([&] { (void)dist::sum(f(dist::ones<double>(plane(4, 3))), 0); }, {"vectorized failure in sum"});
}
CASE(reduce_user_op_throws_on_one_rank) {
  auto a = iota(12);
  expect_throw<dist::error>([&] {
    (void)dist::reduce(a, 0.0, [](double s, double x) {
      if (rank() == 0) throw std::logic_error("user op failure");
      return s + x;
    });
  }, {"user op failure"});
}
CASE(arange_step_zero) {
  expect_throw<dist::shape_error>([] { (void)dist::arange<int>(0, 5, 0); }, {"arange"});
}
CASE(random_bad_range) {
  expect_throw<dist::shape_error>([] { (void)dist::random::uniform<double>(line(5), 1, 1.0, 0.0); },
                                  {"dist::random::uniform: need lo < hi, got lo = 1.000000, hi = 0.000000"});
  // the bounds written as std::to_string writes the element type's values
  expect_throw<dist::shape_error>([] { (void)dist::random::uniform<int>(line(5), 1, -1, -3); }, {"got lo = -1, hi = -3"});
  expect_throw<dist::shape_error>([] { (void)dist::random::uniform<unsigned>(line(5), 1, 4000000000u, 7u); },
                                  {"got lo = 4000000000, hi = 7"});
  expect_throw<dist::shape_error>([] { (void)dist::random::uniform<float>(line(5), 1, 0.5f, 0.5f); },
                                  {"got lo = 0.500000, hi = 0.500000"});
}
CASE(random_divergent_seed) {
  expect_throw<dist::mpi_error>([] { (void)dist::random::uniform<double>(line(5), std::uint64_t(rank())); }, {"seeds"});
}

// ---------------------------------------------------------------- expressions, reductions

CASE(assign_shape_mismatch) {
  auto a = iota(6);
  auto b = iota(7);
  expect_throw<dist::shape_error>([&] { a = b; }, {"(7,)", "(6,)"});
}
CASE(expression_broadcast_mismatch) {
  auto a = iota(6);
  auto b = iota(7);
  expect_throw<dist::shape_error>([&] { (void)dist::eval(a + b); }, {"broadcast", "(6,)", "(7,)"});
}
CASE(assign_expression_shape_mismatch) {
  auto a = iota(6);
  dist::array<double, 2> m(plane(3, 4));
  expect_throw<dist::shape_error>([&] { m = a * 2.0; }, {"(6,)"});
}
CASE(expression_mixed_communicators) {
  if (P() < 2) return;
  MPI_Comm half;
  MPI_Comm_split(world(), rank() % 2, rank(), &half);
  dist::communicator h(half, boost::mpi::comm_take_ownership);
  auto a = iota(6);
  auto b = dist::fromfunction<double>(dist::distribution<1>({6}, h), [](index_t i) { return double(i); });
  expect_throw<dist::error>([&] { a = a + b; }, {"communicator"});
}
CASE(integer_division_by_zero) {
  auto a = dist::fromfunction<int>(line(7), [](index_t i) { return int(i) - 3; });
  auto z = dist::zeros<int>(line(7));
  dist::array<int, 1> q = a / z;
  dist::array<int, 1> r = a % z;
  check(dist::count_nonzero(q) == 0 && dist::count_nonzero(r) == 0, "x / 0 and x % 0 are 0");
  a /= 0;
  a %= z;
  check(dist::count_nonzero(a) == 0, "x /= 0 is 0");
  auto m = dist::full<int>(line(7), std::numeric_limits<int>::min());
  dist::array<int, 1> w = m / -1;
  check(dist::min(w) == std::numeric_limits<int>::min(), "INT_MIN / -1 wraps as NumPy's");
  dist::array<long long, 1> l = dist::astype<long long>(m) % -1;
  check(dist::count_nonzero(l) == 0, "x % -1 is 0");
}
CASE(empty_array_everything) {
  for (const index_t n : {index_t(0), index_t(1)}) {  // n < p: ranks own nothing
    auto a = dist::fromfunction<double>(line(n), [](index_t i) { return double(i) + 1; });
    dist::array<double, 1> b = 2.0 * a + 1.0;
    check(dist::sum(b) == (n ? 3.0 : 0.0), "sum");
    dist::distribution<1> c({n}, {dist::cyclic{}}, world());
    check(dist::allgather(dist::redistribute(b, c)) == dist::allgather(b), "redistribute");
    if (n == 0) expect_throw<dist::shape_error>([&] { (void)dist::max(a); }, {"dist::max", "zero-size"});
    dist::array<double, 1> g(line(n), dist::halo{1});
    g = a;
    g.exchange_halo();
    check(dist::sum(g) == dist::sum(a), "halo on empty blocks");
    const auto p = scratch("empty_" + std::to_string(n)) + ".npy";
    dist::save_npy(b, p);
    check(dist::allgather(dist::load_npy<double, 1>(p, c)) == dist::allgather(b), "npy round trip");
  }
}
CASE(reduction_axis_out_of_range) {
  auto m = dist::ones<double>(plane(3, 4));
  expect_throw<dist::index_error>([&] { (void)dist::sum(m, 2); }, {"dist::sum", "axis 2"});
  expect_throw<dist::index_error>([&] { (void)dist::sum(m, -3); }, {"axis -3"});
}
CASE(mean_of_empty) {
  auto a = dist::zeros<double>(line(0));
  expect_throw<dist::shape_error>([&] { (void)dist::argmax(a); }, {"argmax"});
}
CASE(dot_shape_mismatch) {
  expect_throw<dist::shape_error>([] { (void)dist::dot(iota(5), iota(6)); }, {"dist::dot"});
}
CASE(matmul_shape_mismatch) {
  auto A = dist::ones<double>(plane(3, 4));
  auto B = dist::ones<double>(plane(3, 4));
  expect_throw<dist::shape_error>([&] { (void)dist::matmul(A, B); }, {"dist::matmul"});
}

// ---------------------------------------------------------------- shape manipulation, scans

CASE(reshape_bad_size) {
  expect_throw<dist::shape_error>([] { (void)dist::reshape(iota(6), {4, -1}); }, {"dist::reshape", "size 6"});
}
CASE(reshape_divergent_shape) {
  const dist::shape<2> s = rank() == 1 ? dist::shape<2>{3, 2} : dist::shape<2>{2, 3};
  expect_throw<dist::mpi_error>([&] { (void)dist::reshape(iota(6), s); }, {"dist::reshape", "shapes"});
}
CASE(reshape_bad_size_on_one_rank) {
  // invalid on rank 1 only: every rank throws, nobody waits in the plan
  const dist::shape<2> s = rank() == 1 ? dist::shape<2>{4, 2} : dist::shape<2>{2, 3};
  expect_throw<dist::error>([&] { (void)dist::reshape(iota(6), s); }, {"dist::reshape"});
}
CASE(concatenate_shape_mismatch) {
  auto a = dist::ones<double>(plane(3, 4));
  auto b = dist::ones<double>(plane(3, 5));
  expect_throw<dist::shape_error>([&] { (void)dist::concatenate({std::cref(a), std::cref(b)}, 0); }, {"dist::concatenate", "axis 0"});
}
CASE(concatenate_divergent_axis) {
  auto a = dist::ones<double>(plane(3, 3));
  expect_throw<dist::mpi_error>([&] { (void)dist::concatenate({std::cref(a), std::cref(a)}, rank() == 1 ? 1 : 0); }, {"axes"});
}
CASE(stack_bad_axis) {
  auto a = iota(4);
  expect_throw<dist::index_error>([&] { (void)dist::stack({std::cref(a), std::cref(a)}, 2); }, {"dist::stack", "axis 2"});
}
CASE(roll_divergent_shift) {
  expect_throw<dist::mpi_error>([] { (void)dist::roll(iota(7), rank() == 1 ? 2 : 1); }, {"dist::roll", "shifts"});
}
CASE(diag_divergent_offset) {
  auto m = dist::ones<double>(plane(4, 4));
  expect_throw<dist::mpi_error>([&] { (void)dist::diagonal(m, rank() == 1 ? 1 : 0); }, {"offsets"});
}
CASE(cumsum_bad_axis) {
  auto m = dist::ones<double>(plane(4, 3));
  expect_throw<dist::index_error>([&] { (void)dist::cumsum(m, 2); }, {"dist::cumsum", "axis 2"});
}
CASE(cumsum_divergent_axis) {
  auto m = dist::ones<double>(plane(4, 3));
  expect_throw<dist::mpi_error>([&] { (void)dist::cumsum(m, rank() == 1 ? 1 : 0); }, {"dist::cumsum", "axes"});
}
CASE(cumsum_out_shape_mismatch) {
  auto m = dist::ones<double>(plane(4, 3));
  auto out = dist::zeros<double>(plane(3, 4));
  expect_throw<dist::shape_error>([&] { (void)dist::cumsum(m, 0, out); }, {"dist::cumsum", "out"});
}
CASE(squeeze_extent_not_one) {
  auto m = dist::ones<double>(plane(4, 3));
  expect_throw<dist::shape_error>([&] { (void)dist::squeeze(m, 0); }, {"dist::squeeze"});
  expect_throw<dist::index_error>([&] { (void)dist::expand_dims(m, 3); }, {"dist::expand_dims"});
}

// ---------------------------------------------------------------- selection, sorting (data-dependent)

CASE(mask_shape_mismatch) {
  auto a = iota(6);
  auto m = dist::ones<bool>(line(5));
  expect_throw<dist::index_error>([&] { (void)dist::eval(a(m)); }, {"boolean index", "shape"});
}
CASE(mask_values_count_mismatch) {
  auto a = iota(8);
  expect_throw<dist::shape_error>([&] { a(a > 3.0) = dist::ones<double>(line(2)); }, {"cannot assign 2 input values"});
}
CASE(take_index_out_of_range_on_one_rank) {
  auto a = iota(7);
  auto idx = dist::zeros<index_t>(line(2 * P()));
  if (rank() == P() - 1) idx.local_data()[0] = -8;
  expect_throw<dist::index_error>([&] { (void)dist::take(a, idx); }, {"dist::take", "-8", "out of bounds"});
  expect_throw<dist::index_error>([&] { dist::put(a, idx, 1.0); }, {"dist::put", "-8"});
  expect_throw<dist::index_error>([&] { dist::add_at(a, idx, 1.0); }, {"dist::add_at"});
  expect_throw<dist::index_error>([&] { (void)dist::eval(a(idx)); }, {"dist::take"});
}
CASE(put_values_shape_mismatch) {
  auto a = iota(7);
  auto idx = dist::zeros<index_t>(line(4));
  expect_throw<dist::shape_error>([&] { dist::put(a, idx, dist::ones<double>(line(3))); }, {"dist::put", "values of shape"});
}
CASE(sort_bad_and_divergent_axis) {
  auto m = dist::ones<double>(plane(4, 3));
  expect_throw<dist::index_error>([&] { (void)dist::sort(m, -3); }, {"dist::sort", "axis -3"});
  expect_throw<dist::mpi_error>([&] { (void)dist::argsort(m, rank() == 1 ? 0 : 1); }, {"dist::argsort", "axes"});
}
CASE(quantile_out_of_range_and_divergent) {
  auto a = iota(9);
  expect_throw<dist::index_error>([&] { (void)dist::quantile(a, 1.25); }, {"dist::quantile", "[0, 1]"});
  expect_throw<dist::index_error>([&] { (void)dist::percentile(a, rank() == 1 ? 101.0 : 50.0); }, {"dist::percentile", "[0, 100]"});
  expect_throw<dist::mpi_error>([&] { (void)dist::quantile(a, rank() == 1 ? 0.5 : 0.25); }, {"dist::quantile", "quantiles"});
}
CASE(histogram_bad_bins_and_range) {
  auto a = iota(9);
  expect_throw<dist::shape_error>([&] { (void)dist::histogram(a, 0, 0.0, 1.0); }, {"dist::histogram", "bins"});
  expect_throw<dist::shape_error>([&] { (void)dist::histogram(a, 3, 2.0, 1.0); }, {"dist::histogram", "range"});
  expect_throw<dist::mpi_error>([&] { (void)dist::histogram(a, rank() == 1 ? 4 : 3, 0.0, 1.0); }, {"dist::histogram", "bins"});
}
CASE(bincount_negative_on_one_rank) {
  auto v = dist::zeros<int>(line(2 * P()));
  if (rank() == P() - 1) v.local_data()[0] = -2;
  expect_throw<dist::index_error>([&] { (void)dist::bincount(v); }, {"dist::bincount", "negative"});
  auto w = dist::zeros<int>(line(5));
  expect_throw<dist::mpi_error>([&] { (void)dist::bincount(w, rank() == 1 ? 3 : 4); }, {"dist::bincount", "minlengths"});
}
CASE(searchsorted_divergent_side) {
  auto s = iota(9);
  expect_throw<dist::mpi_error>([&] { (void)dist::searchsorted(s, s, rank() == 1 ? dist::side::right : dist::side::left); },
                                {"dist::searchsorted", "sides"});
}

// ---------------------------------------------------------------- views, redistribution

CASE(slice_step_zero) {
  auto a = iota(6);
  expect_throw<dist::index_error>([&] { (void)dist::eval(a(dist::slice{0, 6, 0})); }, {"step"});
}
CASE(view_index_out_of_range) {
  auto m = dist::ones<double>(plane(3, 4));
  expect_throw<dist::index_error>([&] { (void)dist::eval(m(3, dist::all())); }, {"out of range"});
}
CASE(view_assign_shape_mismatch) {
  auto a = iota(6);
  auto b = iota(6);
  expect_throw<dist::shape_error>([&] { a(dist::slice{0, 3}) = b(dist::slice{0, 4}); });
}
CASE(transpose_bad_axes) {
  auto m = dist::ones<double>(plane(3, 4));
  expect_throw<dist::shape_error>([&] { (void)dist::transpose(m, {0, 0}); }, {"permutation"});
}
CASE(redistribute_shape_mismatch) {
  expect_throw<dist::shape_error>([] { (void)dist::redistribute(iota(6), line(7)); }, {"redistribution_plan"});
}
CASE(redistribute_divergent_target) {
  auto a = iota(9);
  const dist::distribution<1> c({9}, {dist::cyclic{}}, world());
  const dist::distribution<1>& t = rank() == 1 ? c : a.distribution();
  // the target distribution object differs on rank 1 (both are valid): the plan's agreement catches it
  if (P() > 1) expect_throw<dist::mpi_error>([&] { (void)dist::redistribute(a, t); }, {"target distributions"});
}
CASE(redistribute_other_ranks) {
  if (P() < 2) return;
  MPI_Comm half;
  MPI_Comm_split(world(), rank() == 0, rank(), &half);
  dist::communicator h(half, boost::mpi::comm_take_ownership);
  auto a = iota(6);
  const dist::distribution<1> d({6}, h);
  expect_throw<dist::error>([&] { (void)dist::redistribute(a, d); });
}
CASE(plan_execute_wrong_arrays) {
  const dist::distribution<1> c({6}, {dist::cyclic{}}, world());
  dist::redistribution_plan<1> plan(line(6), c);
  auto a = iota(6);
  dist::array<double, 1> b(line(6));
  expect_throw<dist::distribution_error>([&] { plan.execute(a, b); }, {"execute"});
}
CASE(redistribute_count_beyond_int_on_one_rank) {
  // all of a 2^31 + 5 element bool array moves from rank 0 to rank 1: rank 0's one message is
  // past MPI's int count; every rank agrees to go point-to-point with a large-count datatype
  // (planned only here, no memory touched; tests/test_large.cpp moves such arrays)
  if (P() < 2) return;
  const index_t n = (index_t(1) << 31) + 5;
  std::vector<index_t> from(static_cast<std::size_t>(P()) + 1, n), to(static_cast<std::size_t>(P()) + 1, n);
  from[0] = 0;
  to[0] = 0;
  to[1] = 0;
  dist::array<bool, 1> a(dist::distribution<1>({n}, {dist::block{from}}, world()), dist::uninitialized);
  dist::distribution<1> d({n}, {dist::block{to}}, world());
  dist::redistribution_plan<1> p(a.distribution(), d);
  check(p.uses_point_to_point(), "a count past int goes point-to-point on every rank");
  check(p.elements_sent() == (rank() == 0 ? n : 0), "rank 0 sends all 2^31 + 5 elements");
  check(p.elements_received() == (rank() == 1 ? n : 0), "rank 1 receives them");
}

// ---------------------------------------------------------------- halos

CASE(halo_on_cyclic_dim) {
  expect_throw<dist::distribution_error>(
      [] { dist::array<double, 1>(dist::distribution<1>({8}, {dist::cyclic{}}, world()), dist::halo{1}); }, {"cyclic"});
}
CASE(halo_negative_width) {
  expect_throw<dist::distribution_error>([] { dist::array<double, 1>(line(8), dist::halo{-1}); }, {"negative"});
}
CASE(halo_too_many_widths) {
  expect_throw<dist::distribution_error>([] { dist::array<double, 1>(line(8), dist::halo{1, 1}); }, {"widths"});
}
CASE(halo_periodic_wider_than_extent) {
  expect_throw<dist::distribution_error>([] { dist::array<double, 1>(line(2), dist::halo{3}.periodic(true)); }, {"periodic"});
}
CASE(halo_divergent_width) {
  const index_t w = rank() == 1 ? 2 : 1;
  expect_throw<dist::mpi_error>([&] { dist::array<double, 1>(line(8), dist::halo{w}); }, {"halo widths"});
}
CASE(halo_divergent_periodic) {
  auto h = dist::halo{1};
  if (rank() == 1) h.periodic(true);
  expect_throw<dist::mpi_error>([&] { dist::array<double, 1>(line(8), h); }, {"periodic"});
}
CASE(halo_wider_than_blocks) {
  // width 3 over blocks of one or two rows: ghosts from several ranks, periodic
  const index_t n = P() + 1;
  dist::array<double, 1> g(line(n), dist::halo{3}.periodic(true));
  g = iota(n);
  g.exchange_halo();
  const auto pv = g.local_with_ghosts();
  const index_t s = g.distribution().map(0).block_start(g.distribution().map(0).coord());
  for (index_t k = 0; k < pv.size(); ++k) {
    const index_t x = ((s + k - 3) % n + n) % n;
    check(pv[{k}] == double(x) + 0.5, "ghost " + std::to_string(k));
  }
}
CASE(shifted_without_ghosts) {
  dist::array<double, 2> u(plane(6, 5), dist::halo{1});
  dist::array<double, 2> out(plane(6, 5));
  expect_throw<dist::distribution_error>([&] { out = dist::shifted(u, {0, 1}); }, {"ghost"});
}
CASE(local_data_with_inner_ghosts) {
  dist::array<double, 2> u(plane(6, 5), dist::halo{0, 1});
  expect_throw<dist::distribution_error>([&] { (void)u.local_data(); }, {"local_data"});
}

// ---------------------------------------------------------------- one-sided access

CASE(rma_before_fence) {
  auto a = iota(6);
  expect_throw<dist::mpi_error>([&] { (void)dist::get(a, dist::region<1>{{0}, {2}}); }, {"fence"});
}
CASE(rma_region_out_of_range) {
  auto a = iota(6);
  dist::fence(a);
  if (rank() == 0) expect_throw<dist::index_error>([&] { (void)dist::get(a, dist::region<1>{{4}, {7}}); }, {"region"});
  dist::fence(a);
}
CASE(rma_data_size_mismatch) {
  auto a = iota(6);
  dist::fence(a);
  std::vector<double> v(3);
  if (rank() == 0) expect_throw<dist::shape_error>([&] { dist::put(a, dist::region<1>{{0}, {2}}, v); }, {"dist::put"});
  dist::fence(a);
}
CASE(rma_bool_sum) {
  auto a = dist::zeros<bool>(line(6));
  dist::fence(a);
  std::vector<bool> v = {true};
  dist::detail::buffer<bool> one(1, true);
  if (rank() == 0)
    expect_throw<dist::mpi_error>([&] { dist::accumulate(a, dist::region<1>{{0}, {1}}, std::span<const bool>(one.data(), 1)); },
                                  {"logical"});
  dist::fence(a);
}
CASE(rma_window_released_while_unwinding) {
  // rank 0 leaves a scope holding an exposed array by an exception, the others normally; nobody waits in
  // MPI_Win_free, and the next fence (on another array) frees the window on every rank
  auto b = iota(5);
  dist::fence(b);
  for (int round = 0; round < 3; ++round) {
    try {
      auto a = iota(8);
      dist::fence(a);
      if (rank() == 0) throw std::runtime_error("leaving on rank 0");
    } catch (const std::runtime_error&) {
    }
    dist::fence(b);
  }
  if (rank() == 0) {
    std::vector<double> v(1);
    dist::get(b, dist::region<1>{{4}, {5}}, std::span<double>(v));
    check(v[0] == 4.5, "RMA still works");
  }
  dist::fence(b);
  check(dist::detail::windows_of(b.comm()).released.empty() || P() == 1, "released windows freed by the fence");
}
CASE(rma_unstructured_fence) {
  std::vector<index_t> mine;
  for (index_t g = rank(); g < 6; g += P()) mine.push_back(g);
  dist::array<double, 1> a(dist::distribution<1>({6}, {dist::unstructured{mine}}, world()));
  expect_throw<dist::distribution_error>([&] { dist::fence(a); }, {"unstructured"});
}

// ---------------------------------------------------------------- I/O: npy

CASE(npy_load_missing) {
  const auto p = scratch("missing") + ".npy";
  expect_throw<dist::io_error>([&] { (void)dist::load_npy<double, 1>(p, line(4)); }, {"load_npy", p});
}
CASE(npy_load_wrong_shape) {
  const auto p = scratch("shape") + ".npy";
  dist::save_npy(iota(5), p);
  expect_throw<dist::io_error>([&] { (void)dist::load_npy<double, 1>(p, line(6)); }, {"shape", p});
}
CASE(npy_load_wrong_dtype) {
  const auto p = scratch("dtype") + ".npy";
  dist::save_npy(iota(5), p);
  expect_throw<dist::io_error>([&] { (void)dist::load_npy<float, 1>(p, line(5)); }, {"<f8", p});
}
CASE(npy_load_truncated) {
  const auto p = scratch("truncated") + ".npy";
  dist::save_npy(iota(50), p);
  if (rank() == 0) fs::resize_file(p, fs::file_size(p) - 8);
  world().barrier();
  expect_throw<dist::io_error>([&] { (void)dist::load_npy<double, 1>(p, line(50)); }, {"truncated"});
}
CASE(npy_load_corrupt_header) {
  const auto p = scratch("corrupt") + ".npy";
  write_bytes(p, "\x93NUMPY\x01\x00\x10\x00{'descr': '<f8'    garbage");
  expect_throw<dist::io_error>([&] { (void)dist::load_npy<double, 1>(p, line(2)); }, {p});
  write_bytes(p, "not a numpy file at all");
  expect_throw<dist::io_error>([&] { (void)dist::load_npy<double, 1>(p, line(2)); }, {"magic"});
}
CASE(npy_load_divergent_path) {
  const auto p = scratch("div") + ".npy";
  dist::save_npy(iota(5), p);
  const auto q = rank() == 1 ? p + ".other" : p;
  expect_throw<dist::mpi_error>([&] { (void)dist::load_npy<double, 1>(q, line(5)); }, {"paths", q});
}
CASE(npy_save_divergent_path) {
  const auto p = scratch("savediv") + ".npy";
  const auto q = rank() == 1 ? p + ".other" : p;
  expect_throw<dist::mpi_error>([&] { dist::save_npy(iota(5), q); }, {"dist::save_npy", "paths"});
  check(!exists_anywhere(p) && !exists_anywhere(p + ".other"), "nothing written");
}
CASE(npy_save_into_missing_directory) {
  const auto p = scratch("nodir") + "/sub/x.npy";
  expect_throw<dist::io_error>([&] { dist::save_npy(iota(5), p); }, {"dist::save_npy"});
  check(!exists_anywhere(p) && !exists_anywhere(dist::detail::temporary_path(p)), "nothing left");
}
CASE(npy_failed_save_keeps_file) {
  const auto p = scratch("keep") + ".npy";
  dist::save_npy(iota(5), p);
  const std::string before = read_bytes(p);
  dist::detail::io_fail_before_rename = true;
  expect_throw<dist::io_error>([&] { dist::save_npy(iota(9), p); }, {"test hook"});
  dist::detail::io_fail_before_rename = false;
  check(read_bytes(p) == before, "the old file is byte-identical");
  check(!exists_anywhere(dist::detail::temporary_path(p)), "no temporary left");
}
CASE(npy_stale_temporary_replaced) {
  const auto p = scratch("stale") + ".npy";
  write_bytes(dist::detail::temporary_path(p), std::string(100000, 'x'));  // what a killed job leaves
  dist::save_npy(iota(5), p);
  check(!exists_anywhere(dist::detail::temporary_path(p)), "stale temporary removed");
  check(dist::allgather(dist::load_npy<double, 1>(p, line(5))) == dist::allgather(iota(5)), "the save is complete");
}
CASE(npy_save_over_directory) {
  const auto p = scratch("isdir");
  if (rank() == 0) fs::create_directories(p + "/x");
  world().barrier();
  expect_throw<dist::io_error>([&] { dist::save_npy(iota(5), p); }, {p});
  check(fs::is_directory(p), "the directory is untouched");
}

// ---------------------------------------------------------------- I/O: HDF5

#ifdef DIST_HAVE_HDF5
CASE(hdf5_empty_array) {
  const auto p = scratch("empty") + ".h5";
  for (const index_t n : {index_t(0), index_t(1)}) {
    auto a = iota(n);
    std::string ds = "e";
    ds += std::to_string(n);
    dist::save_hdf5(a, p, ds);
    const dist::distribution<1> c({n}, {dist::cyclic{}}, world());
    check(dist::allgather(dist::load_hdf5<double, 1>(p, ds, c)) == dist::allgather(a), "round trip");
  }
  dist::array<double, 2> m(plane(0, 3));
  dist::save_hdf5(m, p, "m");
  check(dist::load_hdf5<double, 2>(p, "m", plane(0, 3)).size() == 0, "0 x 3");
}
CASE(hdf5_missing_file) {
  const auto p = scratch("nofile") + ".h5";
  expect_throw<dist::io_error>([&] { (void)dist::load_hdf5<double, 1>(p, "x", line(3)); }, {p, "no such file"});
}
CASE(hdf5_missing_dataset) {
  const auto p = scratch("nods") + ".h5";
  dist::save_hdf5(iota(4), p, "a");
  expect_throw<dist::io_error>([&] { (void)dist::load_hdf5<double, 1>(p, "group/b", line(4)); }, {"group/b", "no such dataset"});
}
CASE(hdf5_divergent_dataset) {
  const auto p = scratch("divds") + ".h5";
  dist::save_hdf5(iota(4), p, "a");
  const std::string ds = rank() == 1 ? "b" : "a";
  expect_throw<dist::mpi_error>([&] { (void)dist::load_hdf5<double, 1>(p, ds, line(4)); }, {"datasets", "'" + ds + "'"});
  expect_throw<dist::mpi_error>([&] { dist::save_hdf5(iota(4), p, ds); }, {"datasets"});
}
CASE(hdf5_wrong_shape_and_type) {
  const auto p = scratch("shape") + ".h5";
  dist::save_hdf5(iota(4), p, "a");
  expect_throw<dist::io_error>([&] { (void)dist::load_hdf5<double, 1>(p, "a", line(5)); }, {"shape"});
  expect_throw<dist::io_error>([&] { (void)dist::load_hdf5<int, 1>(p, "a", line(4)); }, {"element type"});
}
CASE(hdf5_save_into_non_hdf5_file) {
  const auto p = scratch("nonh5") + ".h5";
  write_bytes(p, "plain text, not HDF5");
  const std::string before = read_bytes(p);
  expect_throw<dist::io_error>([&] { dist::save_hdf5(iota(4), p, "a"); }, {p});
  check(read_bytes(p) == before, "the file is untouched");
  check(!exists_anywhere(dist::detail::temporary_path(p)), "no temporary left");
}
CASE(hdf5_failed_save_keeps_file) {
  const auto p = scratch("keep") + ".h5";
  dist::save_hdf5(iota(4), p, "a");
  const std::string before = read_bytes(p);
  dist::detail::io_fail_before_rename = true;
  expect_throw<dist::io_error>([&] { dist::save_hdf5(iota(9), p, "b"); });
  dist::detail::io_fail_before_rename = false;
  check(read_bytes(p) == before, "byte-identical");
  check(!exists_anywhere(dist::detail::temporary_path(p)), "no temporary left");
}
CASE(hdf5_stale_temporary_replaced) {
  const auto p = scratch("stale") + ".h5";
  write_bytes(dist::detail::temporary_path(p), std::string(5000, 'x'));
  dist::save_hdf5(iota(6), p, "a");
  check(!exists_anywhere(dist::detail::temporary_path(p)), "stale temporary removed");
  check(dist::allgather(dist::load_hdf5<double, 1>(p, "a", line(6))) == dist::allgather(iota(6)), "complete");
}
#endif

// ---------------------------------------------------------------- divergence only the checking build catches

CHECKED_CASE(checked_different_reductions) {
  auto a = iota(6);
  expect_throw<dist::mpi_error>([&] { (void)(rank() == 1 ? dist::max(a) : dist::sum(a)); }, {"collective mismatch"});
}
CHECKED_CASE(checked_different_axes) {
  auto m = dist::ones<double>(plane(4, 3));
  expect_throw<dist::mpi_error>([&] { (void)dist::sum(m, rank() == 1 ? 1 : 0); }, {"dist::sum"});
}
CHECKED_CASE(checked_bad_axis_on_one_rank) {
  // rank 0 alone passes an axis out of range: its error reaches every rank,
  // whatever the reduction (the others' valid axis is no excuse to proceed)
  auto m = dist::ones<double>(plane(4, 3));
  const auto v = iota(7);
  const int bad = rank() == 0 ? 2 : 0;
  expect_throw<dist::index_error>([&] { (void)dist::sum(m, bad); }, {"dist::sum", "axis 2"});
  expect_throw<dist::index_error>([&] { (void)dist::max(m, -bad - 1); }, {"dist::max", "axis -3"});
  expect_throw<dist::index_error>([&] { (void)dist::mean(m, bad); }, {"dist::mean", "axis 2"});
  expect_throw<dist::index_error>([&] { (void)dist::var(m, bad); }, {"dist::var", "axis 2"});
  expect_throw<dist::index_error>([&] { (void)dist::sum(v, rank() == 0 ? 1 : 0); }, {"dist::sum", "axis 1"});
  expect_throw<dist::index_error>([&] { (void)dist::std(v, rank() == 0 ? 1 : 0); }, {"dist::var", "axis 1"});
}
CHECKED_CASE(checked_halo_exchange_versus_sum) {
  dist::array<double, 1> g(line(8), dist::halo{1});
  expect_throw<dist::mpi_error>([&] {
    if (rank() == 1) (void)dist::sum(g);
    else g.exchange_halo();
  });
}
CHECKED_CASE(checked_operands_on_different_layouts) {
  // rank 1 adds an operand on its own layout, the others one that must be moved first
  auto a = iota(9);
  const dist::distribution<1> c({9}, {dist::cyclic{}}, world());
  const auto b = dist::redistribute(a, c);
  dist::array<double, 1> out(a.distribution());
  expect_throw<dist::mpi_error>([&] {
    if (rank() == 1) out = a * 2.0;
    else out = b * 2.0;
  }, {"collective mismatch"});
}

// ---------------------------------------------------------------- tools for faults.sh

int tool(char** argv) {
  const std::string what = argv[1], path = argv[2];
  const index_t n = std::atoll(argv[3]);
  const double v = std::atof(argv[4]);
  try {
    if (what == "save" || what == "save_h5") {
      auto a = dist::full<double>(line(n), v);
      if (what == "save") dist::save_npy(a, path);
#ifdef DIST_HAVE_HDF5
      else dist::save_hdf5(a, path, "data");
#endif
      return 0;
    }
    // check / check_h5: the file holds n values v
    dist::array<double, 1> a(line(n));
    if (what == "check") a = dist::load_npy<double, 1>(path, line(n));
#ifdef DIST_HAVE_HDF5
    else dist::load_hdf5(path, "data", a);
#endif
    return dist::count_nonzero(a != v) == 0 ? 0 : 4;
  } catch (const dist::io_error& e) {
    if (rank() == 0) std::cout << "io_error: " << e.what() << std::endl;
    return 3;
  }
}

}  // namespace

int main(int argc, char** argv) {
  dist::environment env(argc, argv);
  const std::string name = argc > 1 ? argv[1] : "--list";
  if (name == "--list" || name == "--list-checked") {
    if (rank() == 0)
      for (const auto& [n, f] : name == "--list" ? cases().normal : cases().checked) std::cout << n << "\n";
    return 0;
  }
  if ((name == "save" || name == "check" || name == "save_h5" || name == "check_h5") && argc == 5) return tool(argv);
  auto it = cases().normal.find(name);
  if (it == cases().normal.end()) it = cases().checked.find(name);
  if (it == cases().checked.end()) {
    if (rank() == 0) std::cerr << "no case " << name << "\n";
    return 2;
  }
  try {
    it->second();
  } catch (const std::exception& e) {
    fail(std::string("the case threw: ") + e.what());
  }
  try {
    still_in_step();
  } catch (const std::exception& e) {
    fail(std::string("collectives after the case threw: ") + e.what());
  }
  const int bad = dist::detail::allreduce<int>(world(), failures, MPI_SUM);
  if (rank() == 0) std::cout << (bad ? "FAIL " : "PASS ") << name << " at " << P() << " ranks" << std::endl;
  return bad ? 1 : 0;
}
