// Interoperation with NumPy and h5py: `write DIR` saves arrays with dist
// (npy and HDF5) for interop.py to check; `reread DIR` loads them back at
// another rank count onto other layouts; `check DIR` loads what interop.py
// wrote and compares it with the same formulas. Exit status 0 when all agree.
#include <complex>
#include <cstdio>
#include <dist/dist.hpp>
#include <dist/io/hdf5.hpp>
#include <string>

using dist::index_t;
using cplx = std::complex<double>;

namespace {
int failures = 0;
template <class A, class F>
void expect(const A& a, F f, const char* what) {
  const auto all = dist::allgather(a);
  for (std::size_t k = 0; k < all.size(); ++k)
    if (!(all[k] == f(static_cast<index_t>(k)))) {
      if (dist::communicator().rank() == 0) std::fprintf(stderr, "io_interop: %s differs at flat index %zu\n", what, k);
      ++failures;
      return;
    }
}
}  // namespace

int main(int argc, char** argv) {
  dist::environment env(argc, argv);
  dist::communicator world;
  if (argc != 3) return 2;
  const std::string mode = argv[1], dir = std::string(argv[2]) + "/";
  if (mode == "write") {
    dist::distribution<2> d({7, 5}, {dist::cyclic{}, dist::block{}}, world);
    auto real = dist::fromfunction<double>(d, [](index_t i, index_t j) { return 10.0 * static_cast<double>(i) + static_cast<double>(j) + 0.5; });
    dist::save_npy(real, dir + "from_dist.npy");
    dist::save_hdf5(real, dir + "from_dist.h5", "grp/real");
    dist::distribution<1> d1({6}, {dist::block_cyclic{2}}, world);
    dist::save_hdf5(dist::fromfunction<cplx>(d1, [](index_t i) { return cplx(static_cast<double>(i), -static_cast<double>(i)); }),
                    dir + "from_dist.h5", "cplx");
    dist::save_npy(dist::fromfunction<cplx>(d1, [](index_t i) { return cplx(static_cast<double>(i), -static_cast<double>(i)); }),
                   dir + "from_dist_cplx.npy");
    dist::save_hdf5(dist::fromfunction<bool>(d1, [](index_t i) { return i % 2 == 0; }), dir + "from_dist.h5", "flags");
    dist::distribution<2> d2({4, 3}, {dist::block{}, dist::cyclic{}}, world);
    dist::save_hdf5(dist::fromfunction<std::int32_t>(d2, [](index_t i, index_t j) { return static_cast<std::int32_t>(3 * i + j - 5); }),
                    dir + "from_dist.h5", "ints");
    return 0;
  }
  if (mode == "reread") {  // what `write` saved (at another rank count), onto other layouts
    auto real = [](index_t k) { return 10.0 * static_cast<double>(k / 5) + static_cast<double>(k % 5) + 0.5; };
    for (const auto& specs : {std::array<dist::dim_spec, 2>{dist::block{}, dist::undistributed{}},
                              std::array<dist::dim_spec, 2>{dist::block_cyclic{2}, dist::cyclic{}},
                              std::array<dist::dim_spec, 2>{dist::undistributed{}, dist::block{}}}) {
      dist::distribution<2> d({7, 5}, specs, world);
      expect(dist::load_npy<double, 2>(dir + "from_dist.npy", d), real, "from_dist.npy");
      expect(dist::load_hdf5<double, 2>(dir + "from_dist.h5", "grp/real", d), real, "grp/real");
    }
    dist::distribution<2> d2({4, 3}, {dist::cyclic{}, dist::block{}}, world);
    expect(dist::load_hdf5<std::int32_t, 2>(dir + "from_dist.h5", "ints", d2), [](index_t k) { return static_cast<std::int32_t>(k - 5); }, "ints");
    return failures == 0 ? 0 : 1;
  }
  // check what NumPy / h5py wrote
  dist::distribution<2> f({5, 4}, {dist::block_cyclic{2}, dist::cyclic{}}, world);
  expect(dist::load_npy<float, 2>(dir + "from_py.npy", f), [](index_t k) { return static_cast<float>(k); }, "from_py.npy");
  dist::distribution<1> c1({3}, world);
  expect(dist::load_npy<std::complex<float>, 1>(dir + "from_py_c.npy", c1),
         [](index_t k) { return std::complex<float>(static_cast<float>(k), 1.0f); }, "from_py_c.npy");
  dist::distribution<2> h({6, 7}, {dist::cyclic{}, dist::block{}}, world);
  expect(dist::load_hdf5<double, 2>(dir + "from_py.h5", "a/b", h), [](index_t k) { return static_cast<double>(k); }, "a/b");
  dist::distribution<1> h1({5}, {dist::cyclic{}}, world);
  expect(dist::load_hdf5<cplx, 1>(dir + "from_py.h5", "cplx", h1), [](index_t k) { return cplx(static_cast<double>(k), 2.0); }, "cplx");
  expect(dist::load_hdf5<bool, 1>(dir + "from_py.h5", "flags", h1), [](index_t k) { return k % 3 == 0; }, "flags");
  expect(dist::load_hdf5<std::int64_t, 1>(dir + "from_py.h5", "i64", h1), [](index_t k) { return k * k; }, "i64");
  return failures == 0 ? 0 : 1;
}
