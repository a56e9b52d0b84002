// The exception hierarchy of dist.
#pragma once

#include <stdexcept>
#include <string>

namespace dist {

/// Base of every exception dist throws.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Shapes that do not match, or a shape that does not fit the operation.
class shape_error : public error {
 public:
  using error::error;
};

/// An invalid distribution: bad block bounds, block size, grid or partition.
class distribution_error : public error {
 public:
  using error::error;
};

/// A global index outside the array.
class index_error : public error {
 public:
  using error::error;
};

/// A failed read or write of a file; the message names path and dataset.
class io_error : public error {
 public:
  using error::error;
};

/// A failed MPI call, a count MPI cannot express, or a collective mismatch.
class mpi_error : public error {
 public:
  using error::error;
};

}  // namespace dist
