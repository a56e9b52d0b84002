// Parallel HDF5: one dataset per array, the global array
// in C order with HDF5's natural type for T (complex as h5py's compound
// {r, i}, bool as h5py's enum), written and read collectively through
// MPI-IO. Each rank selects its block with hyperslabs: one per block dim,
// a strided one (start, stride, count, block) plus the last partial block
// per cyclic or block-cyclic dim, so no per-element selections. Unstructured
// dims take a detour through the default block layout. Needs the CMake
// target dist::hdf5 (a parallel HDF5 build, e.g. Debian's libhdf5-openmpi-dev).
#pragma once

#include <hdf5.h>

#include <complex>
#include <filesystem>
#include <string>
#include <type_traits>
#include <vector>

#include "../array/array.hpp"
#include "../comm/redistribution.hpp"
#include "../core/agree.hpp"
#include "../core/collective_check.hpp"
#include "file.hpp"

#if !defined(H5_HAVE_PARALLEL)
#error "dist/io/hdf5.hpp needs a parallel HDF5 build (Debian: libhdf5-openmpi-dev); link dist::hdf5"
#endif

namespace dist {
namespace detail {

/// An HDF5 id closed on scope exit.
class h5_id {
 public:
  h5_id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  h5_id(const h5_id&) = delete;
  h5_id& operator=(const h5_id&) = delete;
  ~h5_id() {
    if (id_ >= 0 && close_) close_(id_);
  }
  hid_t get() const noexcept { return id_; }
  bool ok() const noexcept { return id_ >= 0; }
  /// Closes now; false when the close failed (for a file: its last writes).
  bool close() noexcept {
    const hid_t id = id_;
    id_ = -1;
    return id < 0 || !close_ || close_(id) >= 0;
  }
  operator hid_t() const noexcept { return id_; }  // NOLINT: used as the C API's handle

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

/// Silences HDF5's error printing while dist checks return codes itself.
class h5_quiet {
 public:
  h5_quiet() {
    H5Eget_auto2(H5E_DEFAULT, &f_, &d_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~h5_quiet() { H5Eset_auto2(H5E_DEFAULT, f_, d_); }
  h5_quiet(const h5_quiet&) = delete;
  h5_quiet& operator=(const h5_quiet&) = delete;

 private:
  H5E_auto2_t f_ = nullptr;
  void* d_ = nullptr;
};

/// HDF5's type for T (a new id, closed by the caller).
template <class T>
hid_t h5_type() {
  if constexpr (std::is_same_v<T, bool>) {  // h5py's bool: an int8 enum FALSE = 0, TRUE = 1
    const hid_t t = H5Tenum_create(H5T_NATIVE_INT8);
    signed char v = 0;
    H5Tenum_insert(t, "FALSE", &v);
    v = 1;
    H5Tenum_insert(t, "TRUE", &v);
    return t;
  } else if constexpr (is_complex_v<T>) {  // h5py's complex: a compound {r, i}
    using R = typename T::value_type;
    const hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(T));
    const hid_t r = h5_type<R>();
    H5Tinsert(t, "r", 0, r);
    H5Tinsert(t, "i", sizeof(R), r);
    H5Tclose(r);
    return t;
  } else {
    hid_t base = -1;
    if constexpr (std::is_floating_point_v<T>) base = sizeof(T) == 4 ? H5T_NATIVE_FLOAT : sizeof(T) == 8 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_LDOUBLE;
    else if constexpr (std::is_signed_v<T>)
      base = sizeof(T) == 1 ? H5T_NATIVE_INT8 : sizeof(T) == 2 ? H5T_NATIVE_INT16 : sizeof(T) == 4 ? H5T_NATIVE_INT32 : H5T_NATIVE_INT64;
    else base = sizeof(T) == 1 ? H5T_NATIVE_UINT8 : sizeof(T) == 2 ? H5T_NATIVE_UINT16 : sizeof(T) == 4 ? H5T_NATIVE_UINT32 : H5T_NATIVE_UINT64;
    return H5Tcopy(base);
  }
}

/// One regular piece of a dim's selection: start, stride, count, block.
struct h5_piece {
  hsize_t start, stride, count, block;
};

/// The pieces of this coordinate's indices along one structured dim, in
/// increasing order: one for block kinds; full blocks (strided) plus the
/// last partial block for cyclic and block-cyclic.
inline std::vector<h5_piece> h5_pieces(const dim_map& m) {
  std::vector<h5_piece> out;
  const index_t ls = m.local_size();
  if (ls == 0) return out;
  if (auto s = m.contiguous_start()) {
    out.push_back({static_cast<hsize_t>(*s), 1, 1, static_cast<hsize_t>(ls)});
    return out;
  }
  const index_t nb = m.block_size(), p = m.procs(), c = m.coord(), n = m.size();
  const index_t full_blocks = n / nb;  // blocks 0 .. full_blocks-1 are whole
  const index_t mine_full = full_blocks > c ? (full_blocks - 1 - c) / p + 1 : 0;
  if (mine_full > 0)
    out.push_back({static_cast<hsize_t>(c * nb), static_cast<hsize_t>(p * nb), static_cast<hsize_t>(mine_full), static_cast<hsize_t>(nb)});
  if (n % nb != 0 && full_blocks % p == c)
    out.push_back({static_cast<hsize_t>(full_blocks * nb), 1, 1, static_cast<hsize_t>(n % nb)});
  return out;
}

/// Selects this rank's block in `space` (the dataset's file space) as the
/// union of hyperslabs; `everyone`: a replicated distribution selects all
/// on every rank (else on rank 0 only). False on error. Local.
template <std::size_t N>
bool h5_select(hid_t space, const distribution<N>& d, bool everyone) {
  if (d.local_size() == 0 || (d.replicated() && !everyone && d.comm().rank() != 0)) return H5Sselect_none(space) >= 0;
  if (d.replicated()) return H5Sselect_all(space) >= 0;
  std::array<std::vector<h5_piece>, N> p;
  for (std::size_t k = 0; k < N; ++k) p[k] = h5_pieces(d.map(k));
  std::array<std::size_t, N> o{};
  bool first = true;
  for (;;) {
    hsize_t start[N], stride[N], count[N], block[N];
    for (std::size_t k = 0; k < N; ++k) {
      const h5_piece& x = p[k][o[k]];
      start[k] = x.start, stride[k] = x.stride, count[k] = x.count, block[k] = x.block;
    }
    if (H5Sselect_hyperslab(space, first ? H5S_SELECT_SET : H5S_SELECT_OR, start, stride, count, block) < 0) return false;
    first = false;
    if (!next_index(o, [&](std::size_t k) { return p[k].size(); })) return true;
  }
}

/// True when every dim is structured (the selection is hyperslabs).
template <std::size_t N>
bool h5_direct(const distribution<N>& d) {
  return d.structured();
}

/// The number of elements `d` selects on this rank.
template <std::size_t N>
index_t h5_selected(const distribution<N>& d, bool everyone) {
  if (d.replicated() && !everyone && d.comm().rank() != 0) return 0;
  return d.local_size();
}

/// True when `name` exists in `file` (every group on the way too).
inline bool h5_exists(hid_t file, const std::string& name) {
  std::size_t pos = 0;
  while (true) {
    pos = name.find('/', pos + 1);
    const std::string prefix = name.substr(0, pos);
    if (!prefix.empty() && prefix != "/" && H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (pos == std::string::npos) return true;
  }
}

template <class T, std::size_t N>
void save_hdf5_direct(const array<T, N>& a, const std::string& path, const std::string& dataset) {
  const communicator& c = a.comm();
  const std::string op = "dist::save_hdf5";
  const std::string tmp = temporary_path(path);
  // adding to an existing file: work on a copy, so the original stays intact until the rename
  bool existed = false;
  agree_on_errors(c, [&] {
    if (c.rank() != 0) return;
    std::error_code ec;
    existed = std::filesystem::exists(path, ec);
    if (existed) std::filesystem::copy_file(path, tmp, std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) throw io_error(op + ": cannot copy " + where(path) + " to a temporary file: " + ec.message() + " (the file is kept)");
  });
  int e = existed ? 1 : 0;
  check_mpi(MPI_Bcast(&e, 1, MPI_INT, 0, c), "MPI_Bcast");
  existed = e != 0;
  buffer<T> packed;
  const auto local = packed_block(a, packed);
  int ok = 1;
  std::string why;
  haddr_t eoa = 0;  // the file's end once complete
  {
    h5_quiet quiet;
    h5_id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    H5Pset_fapl_mpio(fapl, c, MPI_INFO_NULL);
    h5_id file(existed ? H5Fopen(tmp.c_str(), H5F_ACC_RDWR, fapl) : H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose);
    // each step agreed on every rank before the next collective HDF5 call, so no rank is left waiting
    if (allreduce<int>(c, file.ok() ? 1 : 0, MPI_MIN) == 0) {
      ok = 0;
      why = existed ? "cannot open a copy of it as HDF5" : "cannot create it";
    }
    if (ok && h5_exists(file, dataset) && allreduce<int>(c, H5Ldelete(file, dataset.c_str(), H5P_DEFAULT) >= 0 ? 1 : 0, MPI_MIN) == 0) {
      ok = 0;
      why = "cannot replace the existing dataset";
    }
    if (ok) {
      hsize_t dims[N];
      for (std::size_t k = 0; k < N; ++k) dims[k] = static_cast<hsize_t>(a.shape()[k]);
      h5_id fspace(H5Screate_simple(static_cast<int>(N), dims, nullptr), H5Sclose);
      h5_id type(h5_type<T>(), H5Tclose);
      h5_id lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
      H5Pset_create_intermediate_group(lcpl, 1);
      h5_id dset(H5Dcreate2(file, dataset.c_str(), type, fspace, lcpl, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
      if (allreduce<int>(c, dset.ok() ? 1 : 0, MPI_MIN) == 0) {
        ok = 0;
        why = "cannot create the dataset";
      } else {
        // the dataset's space is allocated at creation (parallel HDF5): reserve it on disk before writing
        try {
          agree_on_errors(c, [&] {
            if (H5Fget_eoa(file, &eoa) < 0) eoa = 0;
            // the data's place in the file, when it is allocated already; else after the end
            const haddr_t at = H5Dget_offset(dset);
            const index_t data = a.size() * static_cast<index_t>(sizeof(T));
            const index_t end = at == HADDR_UNDEF ? static_cast<index_t>(eoa) + data : static_cast<index_t>(at) + data;
            reserve_file_space(c, tmp, std::max(end, static_cast<index_t>(eoa)), op.c_str(), path);
          });
        } catch (const io_error& x) {
          ok = 0;
          why = x.what();
        }
        if (ok) {
          const hsize_t count = static_cast<hsize_t>(h5_selected(a.distribution(), false));
          h5_id mspace(H5Screate_simple(1, &count, nullptr), H5Sclose);
          if (count == 0) H5Sselect_none(mspace);
          h5_id dxpl(H5Pcreate(H5P_DATASET_XFER), H5Pclose);
          H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
          ok &= h5_select(fspace, a.distribution(), false) ? 1 : 0;
          if (a.size() > 0)  // (an empty dataset has no storage to write)
            ok &= H5Dwrite(dset, type, mspace, fspace, dxpl, local.data()) >= 0 ? 1 : 0;
          if (!ok) why = "writing the data failed";
        }
      }
      if (!dset.close() && ok) ok = 0, why = "closing the dataset failed";
    }
    if (file.ok() && H5Fget_eoa(file, &eoa) < 0) eoa = 0;
    if (!file.close() && ok) ok = 0, why = "closing the file failed (a full disk?)";
  }  // every id closed: the file is complete on disk
  try {
    agree_on_errors(c, [&] {
      if (!ok) throw io_error(why.rfind(op, 0) == 0 ? why : op + ": " + where(path, dataset) + ": " + why + "; the earlier file is kept");
    });
  } catch (...) {
    discard_file(c, tmp);
    throw;
  }
  commit_file(c, tmp, path, static_cast<index_t>(eoa), op.c_str());
}

template <class T, std::size_t N>
void load_hdf5_direct(const std::string& path, const std::string& dataset, array<T, N>& a, load_options opt) {
  const distribution<N>& D = a.distribution();
  const communicator& c = D.comm();
  const std::string op = "dist::load_hdf5";
  auto lv = a.local();
  buffer<T> packed(lv.contiguous() ? 0 : static_cast<std::size_t>(D.local_size()));
  T* target = lv.contiguous() ? lv.data() : packed.data();  // straight into the block when it is contiguous
  int ok = 1;
  std::string why;
  {
    h5_quiet quiet;
    h5_id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    H5Pset_fapl_mpio(fapl, c, MPI_INFO_NULL);
    std::error_code ec;
    const bool exists = std::filesystem::exists(path, ec);
    const int anywhere = allreduce<int>(c, exists ? 1 : 0, MPI_MIN);
    h5_id file(anywhere ? H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl) : -1, H5Fclose);
    const int opened = allreduce<int>(c, file.ok() ? 1 : 0, MPI_MIN);
    h5_id dset(opened && h5_exists(file, dataset) ? H5Dopen2(file, dataset.c_str(), H5P_DEFAULT) : -1, H5Dclose);
    h5_id fspace(dset.ok() ? H5Dget_space(dset) : -1, H5Sclose);
    h5_id ftype(dset.ok() ? H5Dget_type(dset) : -1, H5Tclose);
    h5_id type(h5_type<T>(), H5Tclose);
    if (!opened) {
      ok = 0;
      why = anywhere ? "not an HDF5 file" : "no such file";
    } else if (allreduce<int>(c, dset.ok() ? 1 : 0, MPI_MIN) == 0) {
      ok = 0;
      why = "no such dataset";
    } else {
      hsize_t dims[H5S_MAX_RANK];
      const int rank = H5Sget_simple_extent_ndims(fspace);
      H5Sget_simple_extent_dims(fspace, dims, nullptr);
      bool same = rank == static_cast<int>(N);
      for (std::size_t k = 0; same && k < N; ++k) same = dims[k] == static_cast<hsize_t>(D.shape()[k]);
      if (!same) {
        ok = 0;
        why = "the dataset has shape (";
        for (int k = 0; k < rank; ++k) why += std::to_string(dims[k]) + (k + 1 < rank || rank == 1 ? "," : "") + (k + 1 < rank ? " " : "");
        why += "), the distribution " + to_string(D.shape());
      } else if (H5Tequal(ftype, type) <= 0 && !opt.convert) {
        ok = 0;
        why = "the dataset's element type is not the array's (load_options{.convert = true} converts)";
      }
    }
    // the checks above read the same metadata on every rank: agree before the collective read
    if (allreduce<int>(c, ok, MPI_MIN) == 1) {
      const hsize_t count = static_cast<hsize_t>(h5_selected(D, true));
      h5_id mspace(H5Screate_simple(1, &count, nullptr), H5Sclose);
      if (count == 0) H5Sselect_none(mspace);
      h5_id dxpl(H5Pcreate(H5P_DATASET_XFER), H5Pclose);
      H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
      ok &= h5_select(fspace, D, true) ? 1 : 0;
      if (D.size() > 0) ok &= H5Dread(dset, type, mspace, fspace, dxpl, target) >= 0 ? 1 : 0;
      if (!ok) why = "reading failed (an element type HDF5 cannot convert?)";
    }
  }
  agree_on_errors(c, [&] {
    if (!ok) throw io_error(op + ": " + where(path, dataset) + ": " + why);
  });
  if (!lv.contiguous()) copy_strided(packed.data(), row_major_strides(lv.extents()), lv.data(), lv.strides(), lv.extents());
}

}  // namespace detail

/// Writes `a` as dataset `dataset` ("group/sub/name": missing groups are
/// created) of the HDF5 file `path`, creating the file or keeping its other
/// datasets (an existing dataset of that name is replaced). The file
/// appears complete or not at all: the save writes a temporary file beside
/// it (a copy, when the file exists) and renames it into place. io_error on
/// every rank on failure. Collective.
template <class T, std::size_t N>
void save_hdf5(const array<T, N>& a, const std::string& path, const std::string& dataset) {
  detail::begin_save(a.comm(), "dist::save_hdf5", path, detail::arg("datasets", dataset), detail::arg("arrays", a.distribution()));
  if (detail::h5_direct(a.distribution())) return detail::save_hdf5_direct(a, path, dataset);
  // unstructured dims: through the default block layout
  detail::save_hdf5_direct(redistribute(a, distribution<N>(a.shape(), a.comm())), path, dataset);
}

/// Reads dataset `dataset` of the HDF5 file `path` into the existing array
/// `into`, keeping its distribution and ghost layers (any distribution, any
/// number of ranks; a contiguous block is read in place). io_error on every
/// rank, naming path and dataset, for a missing file or dataset, another
/// shape, or another element type (unless opt.convert: HDF5 converts).
/// Collective.
template <class T, std::size_t N>
void load_hdf5(const std::string& path, const std::string& dataset, array<T, N>& into, load_options opt = {}) {
  const distribution<N>& D = into.distribution();
  detail::agree(D.comm(), "dist::load_hdf5", [] {}, detail::arg("paths", path), detail::arg("datasets", dataset),
                detail::arg("distributions", D));
  if (detail::h5_direct(D)) return detail::load_hdf5_direct(path, dataset, into, opt);
  array<T, N> staged{distribution<N>(D.shape(), D.comm()), uninitialized};
  detail::load_hdf5_direct(path, dataset, staged, opt);
  into = staged;  // redistributes
}

/// The same into a new array on `D`. Collective.
template <class T, std::size_t N>
array<T, N> load_hdf5(const std::string& path, const std::string& dataset, const distribution<N>& D, load_options opt = {}) {
  // collective: load_hdf5 into an array
  array<T, N> a(D, uninitialized);
  load_hdf5(path, dataset, a, opt);
  return a;
}

}  // namespace dist
