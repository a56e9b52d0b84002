#!/usr/bin/env bash
# Checkpoint/restart of examples/laplace: a run stopped after iteration 17
# (its last checkpoint: iteration 10) and restarted on another rank count
# ends with exactly the bits of an uninterrupted run. 2 -> 3 and 3 -> 2 ranks.
#   run.sh <laplace> <work-dir> <mpiexec and its flags, up to -n>
set -euo pipefail
exe=$1 dir=$2
shift 2
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
"$@" 2 "$exe" 61 30 --save full.h5 > /dev/null
for ranks in "2 3" "3 2"; do
  read -r first second <<< "$ranks"
  rm -f ck.h5
  "$@" "$first" "$exe" 61 17 --checkpoint-every 10 --checkpoint ck.h5 > /dev/null
  "$@" "$second" "$exe" 61 30 --restart ck.h5 --save restarted.h5 | grep -q "restarted from ck.h5 after iteration 10"
  /usr/bin/python3 - <<'PY'
import h5py, numpy as np, sys
a = h5py.File("full.h5", "r")["u"][...]
b = h5py.File("restarted.h5", "r")["u"][...]
if a.shape != (61, 61) or not np.array_equal(a.view(np.uint64), b.view(np.uint64)):
    sys.exit("restarted run differs from the uninterrupted one")
PY
  echo "checkpoint at $first ranks, restart at $second: bit-identical"
done
