// -u'' = pi^2 sin(pi x) on (0, 1), u(0) = u(1) = 0, with PETSc's Krylov
// solvers on dist vectors: the right-hand side and the solution are dist
// arrays handed to KSPSolve without a copy (dist::petsc::vec); dist builds
// the right-hand side and checks the answer with slice expressions.
// Run: mpiexec -n 4 ./petsc_poisson [n] [PETSc options, e.g. -ksp_type cg -pc_type jacobi -ksp_monitor]
// Exit status 1 when the error is not O(h^2) or the residual not small.
#include <petscksp.h>

#include <cmath>
#include <cstdlib>
#include <dist/dist.hpp>
#include <dist/interop/petsc.hpp>
#include <iostream>
#include <numbers>

int main(int argc, char** argv) {
  dist::environment env(argc, argv);
  if (PetscInitialize(&argc, &argv, nullptr, nullptr) != 0) return 1;
  int status = 0;
  {
    dist::communicator world;
    const dist::index_t n = argc > 1 && argv[1][0] != '-' ? std::atoll(argv[1]) : 999;  // interior points
    const double h = 1.0 / double(n + 1), pi = std::numbers::pi;
    const dist::distribution<1> D({n}, world);  // block: PETSc's layout
    auto xs = dist::fromfunction<double>(D, [h](dist::index_t i) { return h * double(i + 1); });
    dist::array<double, 1> b = pi * pi * dist::sin(pi * xs);
    dist::array<double, 1> u(D, 0.0);

    // the matrix (2 -1 / -1 2 -1 / ...) / h^2, each rank its own rows
    const auto rows = D.global_indices(0);
    Mat A;
    MatCreateAIJ(world, PetscInt(rows.size()), PetscInt(rows.size()), PetscInt(n), PetscInt(n), 3, nullptr, 2, nullptr, &A);
    for (dist::index_t i : rows) {
      const PetscInt row = PetscInt(i);
      const PetscInt cols[3] = {row - 1, row, row + 1};
      const PetscScalar vals[3] = {-1.0 / (h * h), 2.0 / (h * h), -1.0 / (h * h)};
      const int first = i == 0 ? 1 : 0, last = i == n - 1 ? 2 : 3;
      MatSetValues(A, 1, &row, last - first, cols + first, vals + first, INSERT_VALUES);
    }
    MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY);
    MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY);

    KSP ksp;
    KSPCreate(world, &ksp);
    KSPSetOperators(ksp, A, A);
    KSPSetType(ksp, KSPCG);
    KSPSetTolerances(ksp, 1e-12, PETSC_DEFAULT, PETSC_DEFAULT, 10 * PetscInt(n));
    KSPSetFromOptions(ksp);
    PetscInt its = 0;
    {
      auto vb = dist::petsc::vec(b), vu = dist::petsc::vec(u);  // no copies
      dist::petsc::check(KSPSolve(ksp, vb, vu), "KSPSolve");
      KSPGetIterationNumber(ksp, &its);
    }  // u holds the solution

    // the check, in dist: the discrete residual with slices, the error against sin(pi x)
    dist::array<double, 1> r(D, 0.0);
    using dist::slice;
    r(slice{1, -1}) = (2.0 * u(slice{1, -1}) - u(slice{0, -2}) - u(slice{2, std::nullopt})) / (h * h) - b(slice{1, -1});
    const double rel_residual = dist::norm(r) / dist::norm(b);
    const double err = dist::max(dist::abs(u - dist::sin(pi * xs)));
    const bool ok = err < 2.0 * h * h && rel_residual < 1e-8;
    if (world.rank() == 0)
      std::cout << "n = " << n << " on " << world.size() << " ranks: " << its << " Krylov iterations, interior residual "
                << rel_residual << ", max error vs sin(pi x) " << err << " (h^2 = " << h * h << ")" << (ok ? "" : "  FAILED")
                << "\n";
    status = ok ? 0 : 1;
    KSPDestroy(&ksp);
    MatDestroy(&A);
  }
  PetscFinalize();
  return status;
}
