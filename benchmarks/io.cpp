// Parallel HDF5 write and read of 2^27 bytes (4096 x 4096 doubles): dist's
// save_hdf5 / load_hdf5 on block rows and on block_cyclic{64} rows against
// hand-written parallel HDF5 with one hyperslab per rank (block rows,
// collective transfer), in the same run. Reads go into an existing array
// (as the baseline reads into an existing buffer); hdf5_read_block_new_array
// times the form that returns a new array (its allocation and first touch
// included). Every rep writes a new file (the
// old one removed, untimed), so dist's save does not copy an existing file.
//   mpiexec -n 2 ./bench_io [--quick]
#include <hdf5.h>

#include <cstdio>
#include <dist/dist.hpp>
#include <dist/io/hdf5.hpp>
#include <string>
#include <vector>

#include "bench.hpp"

using dist::index_t;

namespace {

// The hand-written baseline: rows [r0, r0 + m) of an n x n dataset.
void hand_write(MPI_Comm comm, const std::string& path, index_t n, index_t r0, index_t m, const double* data) {
  const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  const hsize_t dims[2] = {static_cast<hsize_t>(n), static_cast<hsize_t>(n)};
  const hid_t fspace = H5Screate_simple(2, dims, nullptr);
  const hid_t dset = H5Dcreate2(file, "u", H5T_NATIVE_DOUBLE, fspace, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const hsize_t start[2] = {static_cast<hsize_t>(r0), 0}, count[2] = {static_cast<hsize_t>(m), static_cast<hsize_t>(n)};
  H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, nullptr, count, nullptr);
  const hid_t mspace = H5Screate_simple(2, count, nullptr);
  const hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
  H5Dwrite(dset, H5T_NATIVE_DOUBLE, mspace, fspace, dxpl, data);
  H5Pclose(dxpl);
  H5Sclose(mspace);
  H5Dclose(dset);
  H5Sclose(fspace);
  H5Fclose(file);
  H5Pclose(fapl);
}

void hand_read(MPI_Comm comm, const std::string& path, index_t n, index_t r0, index_t m, double* data) {
  const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl);
  const hid_t dset = H5Dopen2(file, "u", H5P_DEFAULT);
  const hid_t fspace = H5Dget_space(dset);
  const hsize_t start[2] = {static_cast<hsize_t>(r0), 0}, count[2] = {static_cast<hsize_t>(m), static_cast<hsize_t>(n)};
  H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, nullptr, count, nullptr);
  const hid_t mspace = H5Screate_simple(2, count, nullptr);
  const hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
  H5Dread(dset, H5T_NATIVE_DOUBLE, mspace, fspace, dxpl, data);
  H5Pclose(dxpl);
  H5Sclose(mspace);
  H5Sclose(fspace);
  H5Dclose(dset);
  H5Fclose(file);
  H5Pclose(fapl);
}

}  // namespace

int main(int argc, char** argv) {
  bench::session session(argc, argv);
  const dist::communicator& world = session.world;
  const bool quick = session.quick;
  const index_t n = quick ? 64 : 4096;
  const int reps = quick ? 1 : 5;
  const std::string dist_path = "bench_io_dist.h5", hand_path = "bench_io_hand.h5";
  auto remove = [&](const std::string& p) {
    world.barrier();
    if (world.rank() == 0) std::remove(p.c_str());
    world.barrier();
  };
  const dist::distribution<2> rows({n, n}, world);
  const dist::distribution<2> bc({n, n}, {dist::block_cyclic{64}, dist::undistributed{}}, world);
  auto value = [](index_t i, index_t j) { return static_cast<double>(i) * 0.5 + static_cast<double>(j); };
  auto a = dist::fromfunction<double>(rows, value);
  auto b = dist::fromfunction<double>(bc, value);
  const index_t r0 = rows.map(0).block_start(rows.map(0).coord()), m = rows.local_shape()[0];
  std::vector<double> hand(a.local_data().begin(), a.local_data().end()), back(hand.size());

  const double t_hand_w = bench::time(world, reps, [&] { remove(hand_path); }, [&] { hand_write(world, hand_path, n, r0, m, hand.data()); });
  const double t_w = bench::time(world, reps, [&] { remove(dist_path); }, [&] { dist::save_hdf5(a, dist_path, "u"); });
  const double t_hand_r = bench::time(world, reps, [&] { hand_read(world, hand_path, n, r0, m, back.data()); });
  dist::array<double, 2> in(rows);
  const double t_r = bench::time(world, reps, [&] { dist::load_hdf5(dist_path, "u", in); });
  const double t_rnew = bench::time(world, reps, [&] { in = dist::load_hdf5<double, 2>(dist_path, "u", rows); });
  bench::require(world, bench::same(in.local_data(), back), "hdf5 block read");
  bench::report(world, "hdf5_write_block", {n, n}, t_w, t_hand_w);
  bench::report(world, "hdf5_read_block", {n, n}, t_r, t_hand_r);
  bench::report(world, "hdf5_read_block_new_array", {n, n}, t_rnew, t_hand_r);

  const double t_wbc = bench::time(world, reps, [&] { remove(dist_path); }, [&] { dist::save_hdf5(b, dist_path, "u"); });
  dist::array<double, 2> inb(bc);
  const double t_rbc = bench::time(world, reps, [&] { dist::load_hdf5(dist_path, "u", inb); });
  bench::require(world, dist::allgather(inb) == dist::allgather(b), "hdf5 block_cyclic round trip");
  bench::report(world, "hdf5_write_block_cyclic64", {n, n}, t_wbc, t_hand_w);
  bench::report(world, "hdf5_read_block_cyclic64", {n, n}, t_rbc, t_hand_r);
  remove(dist_path);
  remove(hand_path);
  return 0;
}
