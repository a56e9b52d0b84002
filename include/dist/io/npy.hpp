// NumPy's .npy format, written and read collectively with
// MPI-IO: version 1.0 (2.0 when the header needs more than 65535 bytes), C
// order, little-endian. Rank 0 writes the header; every rank writes its
// elements straight to their places in the file through one file view (the
// runs of its block in C order), in one collective write.
// Users' reference: docs/api.md (I/O), docs/reliability.md.
#pragma once

#include <complex>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "../core/linkage.hpp"
#include "../array/array.hpp"
#include "../core/agree.hpp"
#include "../core/collective_check.hpp"
#include "../comm/redistribution.hpp"
#include "file.hpp"

namespace dist {
namespace detail {

/// NumPy's type string of T ('<f8', '|b1', ...).
template <class T>
std::string npy_descr() {
  if constexpr (std::is_same_v<T, bool>) return "|b1";
  else if constexpr (is_complex_v<T>) return "<c" + std::to_string(sizeof(T));
  else if constexpr (std::is_floating_point_v<T>) return "<f" + std::to_string(sizeof(T));
  else if constexpr (sizeof(T) == 1) return std::is_signed_v<T> ? "|i1" : "|u1";
  else return std::string(std::is_signed_v<T> ? "<i" : "<u") + std::to_string(sizeof(T));
}

/// Calls f(U{}) with the element type U whose descr is `d`; false when none is.
template <class F>
bool with_npy_type(const std::string& d, F&& f) {
  bool found = false;
  auto try_one = [&]<class U>(U u) {
    if (!found && npy_descr<U>() == d) {
      found = true;
      f(u);
    }
  };
  try_one(bool{});
  try_one(std::int8_t{}), try_one(std::uint8_t{}), try_one(std::int16_t{}), try_one(std::uint16_t{});
  try_one(std::int32_t{}), try_one(std::uint32_t{}), try_one(std::int64_t{}), try_one(std::uint64_t{});
  try_one(float{}), try_one(double{}), try_one(std::complex<float>{}), try_one(std::complex<double>{});
  return found;
}

/// The whole header (magic to padding) of an array of shape `s`.
DIST_INLINE std::string npy_header(const std::string& descr, const std::vector<index_t>& s);

/// What a .npy header says.
struct npy_info {
  std::string descr;
  std::vector<index_t> shape;
  index_t data_offset = 0;
};

/// Parses `head` (the file's first bytes, at least the whole header);
/// io_error naming `path` for anything that is not a C-order .npy header.
DIST_INLINE npy_info parse_npy_header(const std::string& head, const std::string& path);

/// The element type of one file element (sizeof(U) bytes).
template <class U>
MPI_Datatype file_element() {
  MPI_Datatype t;
  check_mpi(MPI_Type_contiguous(static_cast<int>(sizeof(U)), MPI_BYTE, &t), "MPI_Type_contiguous");
  check_mpi(MPI_Type_commit(&t), "MPI_Type_commit");
  return t;
}

/// This rank's file view (elements of size sizeof(U) at byte offset
/// `base`): the runs of its block, merged where they touch.
struct file_runs {
  std::vector<MPI_Aint> displ;
  std::vector<int> len;
  void add(index_t byte_offset, index_t n, std::size_t elem) {
    if (!len.empty() && displ.back() + static_cast<MPI_Aint>(len.back()) * static_cast<MPI_Aint>(elem) == byte_offset &&
        static_cast<index_t>(len.back()) + n < (index_t{1} << 30)) {
      len.back() += static_cast<int>(n);
      return;
    }
    displ.push_back(static_cast<MPI_Aint>(byte_offset));
    len.push_back(static_cast<int>(n));
  }
  MPI_Datatype type(MPI_Datatype elem) const {
    MPI_Datatype t;
    check_mpi(MPI_Type_create_hindexed(static_cast<int>(len.size()), len.data(), displ.data(), elem, &t),
              "MPI_Type_create_hindexed");
    check_mpi(MPI_Type_commit(&t), "MPI_Type_commit");
    return t;
  }
};

}  // namespace detail

/// Writes `a` to `path` as a .npy file (C order, little-endian), whatever
/// its distribution (large arrays whose file runs would be short, as on
/// cyclic layouts, are written through the default block layout: one
/// exchange, then long contiguous runs). Through a temporary file (space reserved first,
/// every byte count checked, synced) renamed into place only when every
/// rank succeeded: a failed save leaves an earlier file byte-identical and
/// no temporary behind. io_error on every rank on failure; mpi_error when
/// the ranks passed different paths. Collective.
template <class T, std::size_t N>
void save_npy(const array<T, N>& a, const std::string& path) {
  const communicator& c = a.comm();
  const char* op = "dist::save_npy";
  if (detail::fine_grained_file(a.distribution(), sizeof(T))) {  // decided from global properties: alike everywhere
    save_npy(redistribute(a, distribution<N>(a.shape(), c)), path);  // collective: redistribute, then begin_save
    return;
  }
  detail::begin_save(c, op, path, detail::arg("arrays", a.distribution()));
  const std::string tmp = detail::temporary_path(path);
  const std::vector<index_t> shape(a.shape().begin(), a.shape().end());
  const std::string header = detail::npy_header(detail::npy_descr<T>(), shape);
  const index_t bytes = static_cast<index_t>(header.size()) + a.size() * static_cast<index_t>(sizeof(T));
  const auto lv = a.local();
  MPI_Datatype elem = detail::file_element<T>();
  // the file view: nested strided types, O(runs), for structured layouts (data in
  // local row-major order); else a list of runs (unstructured dims: data permuted)
  const bool writes = !(a.distribution().replicated() && c.rank() != 0);
  const auto sview = writes ? detail::structured_file_view(a.distribution(), elem, sizeof(T)) : std::nullopt;
  detail::file_runs runs;
  detail::buffer<T> packed;
  const T* out = nullptr;
  index_t filled = 0;
  if (sview) {
    const auto span = detail::packed_block(a, packed);
    out = span.data();
    filled = static_cast<index_t>(span.size());
  } else {
    std::vector<std::pair<index_t, index_t>> places;  // (local offset, length) in file order
    bool in_order = true;  // the runs tile the block in memory order: write it as it is
    detail::for_each_file_run(a.distribution(), lv.strides(), false, [&](index_t g, index_t l, index_t n) {
      runs.add(g * static_cast<index_t>(sizeof(T)), n, sizeof(T));
      places.push_back({l, n});
      in_order = in_order && l == filled;
      filled += n;
    });
    if (!in_order) {
      packed = detail::buffer<T>(static_cast<std::size_t>(filled));
      for (index_t at = 0; const auto& [l, n] : places) {
        std::copy_n(lv.data() + l, n, packed.data() + at);
        at += n;
      }
    }
    out = in_order ? lv.data() : packed.data();
  }
  MPI_File fh = MPI_FILE_NULL;
  const int rc = MPI_File_open(c, tmp.c_str(), MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh);
  try {
    detail::agree_on_errors(c, [&] {
      if (rc != MPI_SUCCESS) throw io_error(std::string(op) + ": cannot create " + detail::where(tmp) + " (the temporary file for " + detail::where(path) + ")");
      detail::reserve_file_space(c, tmp, bytes, op, path);
    });
  } catch (...) {
    if (fh != MPI_FILE_NULL) MPI_File_close(&fh);
    if (sview) MPI_Type_free(const_cast<MPI_Datatype*>(&*sview));
    MPI_Type_free(&elem);
    detail::discard_file(c, tmp);
    throw;
  }
  std::string why;
  const auto fail = [&](const std::string& w) {
    if (why.empty()) why = w;
  };
  MPI_Status st;
  int done = 0;
  if (c.rank() == 0) {
    if (MPI_File_write_at(fh, 0, header.data(), static_cast<int>(header.size()), MPI_BYTE, &st) != MPI_SUCCESS ||
        MPI_Get_count(&st, MPI_BYTE, &done) != MPI_SUCCESS || done != static_cast<int>(header.size()))
      fail("writing the header failed");
  }
  MPI_Datatype view = sview ? *sview : runs.type(elem);
  const auto data_at = static_cast<MPI_Offset>(header.size());
  if (MPI_File_set_view(fh, data_at, elem, view, "native", MPI_INFO_NULL) != MPI_SUCCESS) fail("setting the file view failed");
  const detail::big_count count(filled, elem);
  MPI_Count written = 0;
  if (MPI_File_write_all(fh, out, count.count(), count.type(), &st) != MPI_SUCCESS) fail("writing the data failed");
  else if (filled > 0 && (MPI_Get_elements_x(&st, count.type(), &written) != MPI_SUCCESS ||
                          written != filled * static_cast<MPI_Count>(sizeof(T))))  // bytes: past int, as MPI-3 counts them
    fail("wrote " + std::to_string(written / static_cast<MPI_Count>(sizeof(T))) + " of " + std::to_string(filled) +
         " elements (a full disk?)");
  if (MPI_File_sync(fh) != MPI_SUCCESS) fail("syncing the file failed");
  if (MPI_File_close(&fh) != MPI_SUCCESS) fail("closing the file failed");
  MPI_Type_free(&view);
  MPI_Type_free(&elem);
  try {
    detail::agree_on_errors(c, [&] {
      if (!why.empty()) throw io_error(std::string(op) + ": " + detail::where(path) + ": " + why + "; the earlier file is kept");
    });
  } catch (...) {
    detail::discard_file(c, tmp);
    throw;
  }
  detail::commit_file(c, tmp, path, bytes, op);
}

/// Reads the .npy file at `path` into a new array on `D` (any distribution,
/// any number of ranks). io_error on every rank, naming the path, for a
/// missing file, a corrupt or truncated header, another shape, or another
/// element type (unless opt.convert). Collective.
template <class T, std::size_t N>
array<T, N> load_npy(const std::string& path, const distribution<N>& D, load_options opt = {}) {
  const communicator& c = D.comm();
  detail::agree(c, "dist::load_npy", [] {}, detail::arg("paths", path), detail::arg("distributions", D));
  if (detail::fine_grained_file(D, sizeof(T)))  // read contiguous blocks, then one exchange
    return redistribute(load_npy<T, N>(path, distribution<N>(D.shape(), c), opt), D);
  MPI_File fh;
  const int rc = MPI_File_open(c, path.c_str(), MPI_MODE_RDONLY, MPI_INFO_NULL, &fh);
  detail::agree_on_errors(c, [&] {
    if (rc != MPI_SUCCESS) throw io_error("dist::load_npy: cannot open " + detail::where(path));
  });
  detail::npy_info info;
  MPI_Offset size = 0;
  MPI_File_get_size(fh, &size);
  try {
    detail::agree_on_errors(c, [&] {
      std::string head(static_cast<std::size_t>(std::min<MPI_Offset>(size, 1 << 20)), '\0');
      if (MPI_File_read_at(fh, 0, head.data(), static_cast<int>(head.size()), MPI_BYTE, MPI_STATUS_IGNORE) != MPI_SUCCESS)
        throw io_error("dist::load_npy: cannot read " + detail::where(path));
      info = detail::parse_npy_header(head, path);
      if (info.shape.size() != N || !std::equal(info.shape.begin(), info.shape.end(), D.shape().begin()))
        throw io_error("dist::load_npy: " + detail::where(path) + " holds an array of " + std::to_string(info.shape.size()) +
                       " dims with shape (" + [&] {
                         std::string s;
                         for (auto e : info.shape) s += std::to_string(e) + ",";
                         return s;
                       }() + "), but the distribution's shape is " + detail::to_string(D.shape()));
      if (info.descr != detail::npy_descr<T>() && !opt.convert)
        throw io_error("dist::load_npy: " + detail::where(path) + " holds elements of type '" + info.descr +
                       "', not '" + detail::npy_descr<T>() + "' (load_options{.convert = true} converts)");
      std::size_t esize = 0;
      if (!detail::with_npy_type(info.descr, [&]<class U>(U) { esize = sizeof(U); }))
        throw io_error("dist::load_npy: " + detail::where(path) + ": unsupported element type '" + info.descr + "'");
      if (size < info.data_offset + D.size() * static_cast<index_t>(esize))
        throw io_error("dist::load_npy: " + detail::where(path) + " is truncated: " + std::to_string(size) + " bytes, " +
                       std::to_string(info.data_offset + D.size() * static_cast<index_t>(esize)) + " needed");
    });
  } catch (...) {
    MPI_File_close(&fh);
    throw;
  }
  array<T, N> a(D, uninitialized);
  auto lv = a.local();
  int ok = 1;
  detail::with_npy_type(info.descr, [&]<class U>(U) {
    const auto convert = [&](const U& u) {
      if constexpr (detail::is_complex_v<U> && !detail::is_complex_v<T>) return static_cast<T>(u.real());
      else return static_cast<T>(u);
    };
    MPI_Datatype elem = detail::file_element<U>();
    const auto data_at = static_cast<MPI_Offset>(info.data_offset);
    if (const auto sview = detail::structured_file_view(D, elem, sizeof(U))) {
      // file order is the block's row-major order: read straight into the block when the types agree
      const index_t n = D.local_size();
      const bool in_place = std::is_same_v<U, T> && lv.contiguous();
      detail::buffer<U> buf(in_place ? 0 : static_cast<std::size_t>(n));
      U* into = nullptr;
      if constexpr (std::is_same_v<U, T>) into = in_place ? lv.data() : buf.data();
      else into = buf.data();
      const detail::big_count count(n, elem);
      ok &= MPI_File_set_view(fh, data_at, elem, *sview, "native", MPI_INFO_NULL) == MPI_SUCCESS;
      ok &= MPI_File_read_all(fh, into, count.count(), count.type(), MPI_STATUS_IGNORE) == MPI_SUCCESS;
      MPI_Type_free(const_cast<MPI_Datatype*>(&*sview));
      if (!in_place) {
        index_t k = 0;
        for (auto& x : lv) x = convert(buf.data()[k++]);
      }
    } else {
      detail::file_runs runs;
      std::vector<std::pair<index_t, index_t>> places;  // (local offset, length) in file order
      index_t total = 0;
      detail::for_each_file_run(D, lv.strides(), true, [&](index_t g, index_t l, index_t n) {
        runs.add(g * static_cast<index_t>(sizeof(U)), n, sizeof(U));
        places.push_back({l, n});
        total += n;
      });
      detail::buffer<U> buf(static_cast<std::size_t>(total));
      MPI_Datatype view = runs.type(elem);
      const detail::big_count count(total, elem);
      ok &= MPI_File_set_view(fh, data_at, elem, view, "native", MPI_INFO_NULL) == MPI_SUCCESS;
      ok &= MPI_File_read_all(fh, buf.data(), count.count(), count.type(), MPI_STATUS_IGNORE) == MPI_SUCCESS;
      MPI_Type_free(&view);
      std::size_t k = 0;
      for (const auto& [l, n] : places)
        for (index_t j = 0; j < n; ++j, ++k) lv.data()[l + j] = convert(buf.data()[k]);
    }
    MPI_Type_free(&elem);
  });
  ok &= MPI_File_close(&fh) == MPI_SUCCESS;
  detail::agree_on_errors(c, [&] {
    if (!ok) throw io_error("dist::load_npy: reading " + detail::where(path) + " failed");
  });
  return a;
}

}  // namespace dist

#if DIST_INLINE_DEFINITIONS
#include "npy-inl.hpp"
#endif
