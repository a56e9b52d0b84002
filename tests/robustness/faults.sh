#!/usr/bin/env bash
# Faults a save must survive (SPEC 9: the earlier file stays byte-identical,
# io_error on every rank, no temporary outlives a save):
#   1. a full disk (a 2 MiB tmpfs, a 4 MB array), .npy and HDF5, 2 and 3 ranks;
#   2. a read-only file system;
#   3. kill -9 of one rank mid-save: the target is the old file or the new
#      one complete, and the next save leaves no temporary behind.
# The tmpfs mounts need root (as in CI); otherwise the script says so and
# reports the test skipped (exit 77).
# usage: faults.sh <cases binary> <work dir> <have hdf5: 0|1> <mpiexec> [flags...] <numproc flag>
set -uo pipefail
exe="$1" work="$2" have_h5="$3"
shift 3
numproc="${!#}"
mpiexec_cmd=("${@:1:$#-1}")

if [ "$(id -u)" != 0 ]; then
  echo "faults.sh: skipped: mounting a small tmpfs needs root (CI runs as root)"
  exit 77
fi
mkdir -p "$work"
cd "$work" || exit 1
mnt="$work/mnt"
mkdir -p "$mnt"
failures=0
cleanup() { umount "$mnt" 2>/dev/null; }
trap cleanup EXIT

run() {  # run <np> <args...>: the cases binary under mpiexec, with a timeout
  local np="$1"
  shift
  timeout -k 5 120 "${mpiexec_cmd[@]}" "$numproc" "$np" "$exe" "$@"
}
expect() {  # expect <what> <wanted exit code> <actual>
  if [ "$3" != "$2" ]; then
    echo "FAIL: $1: exit code $3, wanted $2"
    failures=$((failures + 1))
  else
    echo "ok: $1"
  fi
}
no_temporary() {  # no_temporary <target> <what>
  if ls "$1".dist-tmp* >/dev/null 2>&1; then
    echo "FAIL: $2: a temporary file is left: $(ls "$1".dist-tmp*)"
    failures=$((failures + 1))
  else
    echo "ok: $2: no temporary left"
  fi
}
same_file() {  # same_file <a> <b> <what>
  if cmp -s "$1" "$2"; then echo "ok: $3"; else
    echo "FAIL: $3: the file changed"
    failures=$((failures + 1))
  fi
}

formats=(npy)
[ "$have_h5" = 1 ] && formats+=(h5)

# ---- 1. a full disk
for np in 2 3; do
  for fmt in "${formats[@]}"; do
    save=save check=check
    [ "$fmt" = h5 ] && save=save_h5 check=check_h5
    mount -t tmpfs -o size=2m tmpfs "$mnt" || { echo "FAIL: cannot mount a tmpfs"; exit 1; }
    target="$mnt/state.$fmt"
    run "$np" "$save" "$target" 10000 1.0 >/dev/null; expect "full disk np$np $fmt: the first (small) save" 0 $?
    cp "$target" "$work/before.$fmt"
    run "$np" "$save" "$target" 500000 2.0; expect "full disk np$np $fmt: the large save raises io_error on every rank" 3 $?
    same_file "$target" "$work/before.$fmt" "full disk np$np $fmt: the earlier file is byte-identical"
    no_temporary "$target" "full disk np$np $fmt"
    run "$np" "$check" "$target" 10000 1.0 >/dev/null; expect "full disk np$np $fmt: the earlier file reads back" 0 $?
    umount "$mnt"
  done
done

# ---- 2. a read-only file system
for fmt in "${formats[@]}"; do
  save=save
  [ "$fmt" = h5 ] && save=save_h5
  mount -t tmpfs -o size=4m tmpfs "$mnt"
  target="$mnt/state.$fmt"
  run 2 "$save" "$target" 1000 1.0 >/dev/null; expect "read-only $fmt: the first save" 0 $?
  cp "$target" "$work/before.$fmt"
  mount -o remount,ro "$mnt"
  run 3 "$save" "$target" 1000 2.0; expect "read-only $fmt: the save raises io_error on every rank" 3 $?
  same_file "$target" "$work/before.$fmt" "read-only $fmt: the file is unchanged"
  umount "$mnt"
done

# ---- 3. kill -9 of one rank mid-save
n_old=1000 n_new=16000000  # 128 MB: long enough to be caught mid-write
target="$work/killed.npy"
rm -f "$target" "$target".dist-tmp*
run 2 save "$target" "$n_old" 1.0 >/dev/null; expect "kill -9: the first save" 0 $?
for round in 1 2 3; do
  run 2 save "$target" "$n_new" 2.0 >/dev/null 2>&1 &
  job=$!
  killed=0
  for _ in $(seq 1 400); do  # kill a rank once the save has opened its temporary file
    if [ -e "$target.dist-tmp" ]; then
      pid=$(pgrep -f "^$exe save $target" | tail -1)
      if [ -n "$pid" ]; then
        sleep "0.0$((RANDOM % 10))"
        kill -9 "$pid" 2>/dev/null && killed=1
      fi
      break
    fi
    sleep 0.01
  done
  wait "$job" 2>/dev/null
  if [ "$killed" = 0 ]; then echo "note: round $round: the save finished before a rank could be killed"; fi
  # the target: the old file, or the new one complete
  if run 2 check "$target" "$n_old" 1.0 >/dev/null 2>&1; then
    echo "ok: kill -9 round $round: the old file is intact"
  elif run 2 check "$target" "$n_new" 2.0 >/dev/null 2>&1; then
    echo "ok: kill -9 round $round: the new file is complete"
    run 2 save "$target" "$n_old" 1.0 >/dev/null  # back to the old state for the next round
  else
    echo "FAIL: kill -9 round $round: the target is neither the old file nor the new one"
    failures=$((failures + 1))
  fi
  # the next save replaces whatever the killed one left, and leaves nothing behind
  run 2 save "$target" 2000 3.0 >/dev/null; expect "kill -9 round $round: the next save" 0 $?
  no_temporary "$target" "kill -9 round $round: after the next save"
  run 3 check "$target" 2000 3.0 >/dev/null; expect "kill -9 round $round: the next save reads back" 0 $?
  run 2 save "$target" "$n_old" 1.0 >/dev/null
done

echo "faults.sh: $failures failure(s)"
[ "$failures" = 0 ]
