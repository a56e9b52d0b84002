#!/usr/bin/env bash
# io_interop's CTest driver: dist writes, NumPy/h5py check; NumPy/h5py write, dist checks.
#   run.sh <io_interop> <work-dir> <mpiexec and its flags, up to -n>
set -euo pipefail
exe=$1 dir=$2
shift 2
python=/usr/bin/python3  # Debian's, with python3-numpy and python3-h5py
rm -rf "$dir" && mkdir -p "$dir"
"$@" 3 "$exe" write "$dir"
for n in 1 2 4; do "$@" "$n" "$exe" reread "$dir"; done  # written at 3 ranks, read at 1, 2, 4
"$python" "$(dirname "$0")/interop.py" check "$dir"
"$python" "$(dirname "$0")/interop.py" write "$dir"
"$@" 2 "$exe" check "$dir"
"$@" 4 "$exe" check "$dir"
echo "io_interop: ok"
