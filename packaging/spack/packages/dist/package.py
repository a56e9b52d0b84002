# Spack recipe for dist. Use it from this repository as a Spack repo:
#   spack repo add packaging/spack   (repo.yaml there names the namespace)
#   spack install dist+hdf5          or   spack dev-build dist@main  (in a clone)
# Set `git` below to where the project is published before sharing it.
from spack.package import *


class Dist(CMakePackage):
    """Distributed arrays for SPMD programs on MPI: a header-only C++20
    library with NumPy-style expressions and reductions, any distribution per
    dimension, redistribution, halos, one-sided access, parallel I/O and
    PETSc/ScaLAPACK interoperation."""

    homepage = "https://example.org/dist"
    git = "https://example.org/dist.git"

    version("main", branch="main")
    version("0.1.0", tag="v0.1.0")

    variant("hdf5", default=False, description="Parallel HDF5 I/O (dist::hdf5)")
    variant("blas", default=False, description="matmul's local products through CBLAS (dist::blas)")
    variant("scalapack", default=False, description="ScaLAPACK descriptors (dist::scalapack)")
    variant("petsc", default=False, description="PETSc Vec over dist arrays (dist::petsc)")

    depends_on("cxx", type="build")
    depends_on("cmake@3.20:", type="build")
    depends_on("mpi@3:")
    depends_on("boost@1.71:+mpi")
    # the extras are found through pkg-config, here and in dependents
    depends_on("pkgconfig", type=("build", "run"))
    depends_on("hdf5+mpi", when="+hdf5")
    depends_on("blas", when="+blas")
    depends_on("scalapack", when="+scalapack")
    depends_on("petsc+mpi", when="+petsc")
    depends_on("googletest", type="test")

    def cmake_args(self):
        return [
            self.define("DIST_BUILD_TESTS", self.run_tests),
            self.define("DIST_BUILD_EXAMPLES", False),
            self.define("DIST_BUILD_BENCHMARKS", False),
            self.define("CMAKE_CXX_COMPILER", self.spec["mpi"].mpicxx),
        ]
