# shellcheck shell=bash
# Helpers measure.sh and per_statement.sh share (sourced, not run).

# timed FILE command...: runs the command under /usr/bin/time (its report in
# FILE) and prints "cpu_seconds peak_kb" (user + system time, peak RSS).
timed() {
  local report="$1"
  shift
  /usr/bin/time -f "%U %S %M" -o "$report" "$@"
  awk '{ printf "%.2f %d\n", $1 + $2, $3 }' "$report"
}

# faster NEW BEST: true when there is no BEST yet or NEW is below it (the
# scripts keep the fastest of their runs).
faster() {
  [[ -z "$2" ]] || awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'
}
