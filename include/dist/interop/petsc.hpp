// PETSc interop, with the target dist::petsc: dist::petsc::vec(a)
// wraps a 1-D block array as a PETSc Vec (VecCreateMPIWithArray) over the
// array's own block, no copy. What PETSc writes into the Vec is in the
// array, and the other way round.
//
//   PetscInitialize(&argc, &argv, nullptr, nullptr);  // after dist::environment
//   {
//     dist::array<double, 1> x(D, 0.0), b = ...;
//     auto vx = dist::petsc::vec(x), vb = dist::petsc::vec(b);
//     KSPSolve(ksp, vb, vx);                           // x holds the solution
//   }                                                  // Vecs destroyed here
//   PetscFinalize();
#pragma once

#include <petscvec.h>

#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "../array/array.hpp"
#include "../core/collective_check.hpp"
#include "../core/error.hpp"

namespace dist::petsc {

/// Throws dist::error naming `what` when a PETSc call failed. Local.
inline void check(PetscErrorCode rc, const char* what) {
  if (rc == 0) return;
  const char* text = nullptr;
  PetscErrorMessage(rc, &text, nullptr);
  throw error(std::string(what) + " failed: " + (text ? text : "PETSc error " + std::to_string(static_cast<int>(rc))));
}

/// A PETSc Vec over a dist array's block, destroyed with this object
/// (VecDestroy: collective, like the Vec). While it lives the array's
/// block stays where it is (aliased assignments copy back, ghosts do not
/// grow). The array must outlive it; destroy it before PetscFinalize.
/// Move-only.
class vector {
 public:
  vector() = default;
  vector(Vec v, std::shared_ptr<void> pin) noexcept : v_(v), pin_(std::move(pin)) {}
  vector(vector&& o) noexcept : v_(std::exchange(o.v_, nullptr)), pin_(std::move(o.pin_)) {}
  vector& operator=(vector&& o) noexcept {
    if (this != &o) {
      reset();
      v_ = std::exchange(o.v_, nullptr);
      pin_ = std::move(o.pin_);
    }
    return *this;
  }
  vector(const vector&) = delete;
  vector& operator=(const vector&) = delete;
  ~vector() { reset(); }

  Vec get() const noexcept { return v_; }
  operator Vec() const noexcept { return v_; }  // NOLINT: passes where PETSc wants a Vec

 private:
  void reset() noexcept {
    PetscBool finalized = PETSC_FALSE;
    PetscFinalized(&finalized);
    if (v_ && !finalized) VecDestroy(&v_);
    v_ = nullptr;
    pin_.reset();
  }
  Vec v_ = nullptr;
  std::shared_ptr<void> pin_;
};

/// `a` as a PETSc Vec of global size a.size() whose local part is this
/// rank's block (no copy): `a` must be 1-D and block-distributed (even or
/// explicit bounds; PETSc's ownership ranges are contiguous in rank order)
/// with element type PetscScalar, and PETSc initialised. Collective;
/// distribution_error on every rank for other layouts.
template <class T>
vector vec(array<T, 1>& a) {
  static_assert(std::is_same_v<T, PetscScalar>, "dist::petsc::vec: the element type must be PetscScalar");
  dist::detail::collective_entry(a.comm(), "dist::petsc::vec", a.distribution());
  PetscBool up = PETSC_FALSE;
  PetscInitialized(&up);
  if (!up) throw error("dist::petsc::vec: PETSc is not initialised (call PetscInitialize after dist::environment)");
  const auto& m = a.distribution().map(0);
  const bool single = a.comm().size() == 1;
  if (!single && m.kind() != dim_kind::block)
    throw distribution_error(std::string("dist::petsc::vec: PETSc vectors are block-distributed in rank order, but the array's dim is ") +
                             to_string(m.kind()));
  auto pin = dist::detail::storage::pin(a);
  Vec v = nullptr;
  check(VecCreateMPIWithArray(a.comm(), 1, static_cast<PetscInt>(a.local_size()), static_cast<PetscInt>(a.size()),
                              a.local_data().data(), &v),
        "VecCreateMPIWithArray");
  return vector(v, std::move(pin));
}

}  // namespace dist::petsc
