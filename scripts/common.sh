# Shared by scripts/demo and scripts/test: dependency check and install,
# configure, build. Sourced, not run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOBS="${JOBS:-$(nproc 2>/dev/null || echo 2)}"

# Debian/Ubuntu packages dist needs to build and test.
DEBIAN_PACKAGES=(cmake g++ make pkg-config libopenmpi-dev openmpi-bin libboost-mpi-dev libgtest-dev librandom123-dev
                 libhdf5-openmpi-dev python3-numpy python3-h5py
                 libopenblas-dev libscalapack-openmpi-dev libpetsc-real-dev)

missing_packages() {
  local p
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

ensure_dependencies() {
  if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then
    local missing
    missing=$(missing_packages | tr '\n' ' ')
    [ -z "${missing// }" ] && return 0
    if [ "$(id -u)" = 0 ]; then
      echo "== installing: $missing"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -q >/dev/null
      # shellcheck disable=SC2086
      apt-get install -y -q --no-install-recommends $missing >/dev/null
    else
      echo "dist needs these Debian packages: $missing" >&2
      echo "  sudo apt-get install $missing" >&2
      exit 1
    fi
  else
    for tool in cmake mpicxx mpiexec; do
      if ! command -v "$tool" >/dev/null; then
        echo "dist needs CMake >= 3.20, an MPI-3 library (Open MPI or MPICH), Boost.MPI and GoogleTest." >&2
        echo "  with Spack: spack install cmake openmpi boost+mpi googletest && spack load cmake openmpi boost googletest" >&2
        exit 1
      fi
    done
  fi
}

# Open MPI: running as root needs consent; more ranks than cores needs oversubscription.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
MPIEXEC_FLAGS=()
if mpiexec --version 2>/dev/null | grep -q -E "Open MPI|OpenRTE"; then MPIEXEC_FLAGS=(--oversubscribe); fi

# configure_and_build <build-dir> [cmake args...]; TARGET=<name> builds just that target.
# Every option is passed explicitly, so one script never inherits another's cache.
configure_and_build() {
  local dir="$1"
  shift
  cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" -DDIST_BUILD_TESTS=ON \
    -DDIST_BUILD_EXAMPLES=ON -DDIST_BUILD_BENCHMARKS=ON -DDIST_BUILD_ROBUSTNESS=ON -DDIST_SANITIZE=OFF "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS" ${TARGET:+--target "$TARGET"}
}
